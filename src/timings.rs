//! Where a build's time and memory go: wall and CPU time per stage, and the process's peak
//! resident memory at the end of each, for `build --timings` and the build report, so that a regression shows in
//! the nightly artifact. CPU time and peak memory come from `/proc/self` and are absent where
//! there is none.

use serde::Serialize;
use std::time::{Duration, Instant};

/// One stage's share of a build.
#[derive(Clone, Debug, Serialize)]
pub struct StageTime {
    pub stage: &'static str,
    pub wall_ms: u64,
    /// CPU time of every thread of the process during the stage (user + system).
    pub cpu_ms: Option<u64>,
    /// The process's peak resident memory at the end of the stage: where it grows shows
    /// which stage holds the memory.
    pub peak_rss_bytes: Option<u64>,
}

/// Times consecutive stages: each `lap` closes the stage that ran since the last one.
pub struct Stopwatch {
    at: Instant,
    cpu: Option<Duration>,
    stages: Vec<StageTime>,
}

impl Default for Stopwatch {
    fn default() -> Self {
        Stopwatch {
            at: Instant::now(),
            cpu: process_cpu(),
            stages: Vec::new(),
        }
    }
}

impl Stopwatch {
    pub fn lap(&mut self, stage: &'static str) {
        let (now, cpu) = (Instant::now(), process_cpu());
        let cpu_ms = match (self.cpu, cpu) {
            (Some(before), Some(after)) => Some(after.saturating_sub(before).as_millis() as u64),
            _ => None,
        };
        self.stages.push(StageTime {
            stage,
            wall_ms: now.duration_since(self.at).as_millis() as u64,
            cpu_ms,
            peak_rss_bytes: peak_rss_bytes(),
        });
        (self.at, self.cpu) = (now, cpu);
    }

    pub fn into_stages(self) -> Vec<StageTime> {
        self.stages
    }
}

/// User + system CPU time of the whole process so far (Linux: `/proc/self/stat`, in the
/// kernel's fixed 100 ticks a second).
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; the fields after its `)` are plain.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    Some(Duration::from_millis((ticks(11)? + ticks(12)?) * 10))
}

/// The process's peak resident memory so far, in bytes (Linux: `VmHWM`).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// `gather 0.41s (cpu 0.62s) · catalog …`: one line for a terminal.
pub fn summary(stages: &[StageTime]) -> String {
    stages
        .iter()
        .map(|s| {
            let mut notes = Vec::new();
            if let Some(c) = s.cpu_ms {
                notes.push(format!("cpu {:.2}s", c as f64 / 1000.0));
            }
            if let Some(peak) = s.peak_rss_bytes {
                notes.push(format!("peak {} MiB", peak >> 20));
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join(", "))
            };
            format!("{} {:.2}s{notes}", s.stage, s.wall_ms as f64 / 1000.0)
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_timed_one_after_another() {
        let mut watch = Stopwatch::default();
        let spin = Instant::now();
        while spin.elapsed() < Duration::from_millis(30) {
            std::hint::black_box(0);
        }
        watch.lap("busy");
        std::thread::sleep(Duration::from_millis(20));
        watch.lap("idle");
        let stages = watch.into_stages();
        assert_eq!(
            stages.iter().map(|s| s.stage).collect::<Vec<_>>(),
            ["busy", "idle"]
        );
        assert!(
            stages[0].wall_ms >= 30 && stages[1].wall_ms >= 20,
            "{stages:?}"
        );
        if cfg!(target_os = "linux") {
            assert!(stages.iter().all(|s| s.cpu_ms.is_some()));
            assert!(peak_rss_bytes().unwrap() > 1 << 20);
        }
        assert!(
            summary(&stages).starts_with("busy 0.0"),
            "{}",
            summary(&stages)
        );
    }
}
