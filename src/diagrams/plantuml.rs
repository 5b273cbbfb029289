//! PlantUML through a command the site names (`[docs.plantuml] command = "plantuml"`): the
//! source goes to its standard input with `-tsvg -pipe`, the SVG comes from its standard
//! output. The command runs under a deadline and is killed past it.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `[docs.plantuml]` in site.toml.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlantUml {
    /// The program and its first arguments, split on whitespace (`plantuml`, or
    /// `java -jar /opt/plantuml.jar`).
    pub command: String,
    /// How long one diagram may take (the JVM's start is most of it).
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
}

fn default_timeout() -> u64 {
    30
}

impl PlantUml {
    pub fn render(&self, source: &str) -> Result<String, String> {
        let mut words = self.command.split_whitespace();
        let program = words
            .next()
            .ok_or("has an empty `[docs.plantuml] command`")?;
        let mut child = Command::new(program)
            .args(words)
            .args(["-tsvg", "-pipe", "-charset", "UTF-8"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "could not be drawn: `{program}` does not start ({e}); shown as code {}",
                    super::TRANSIENT_MARK
                )
            })?;
        let mut stdin = child.stdin.take().ok_or("gave no input pipe")?;
        let text = source.to_string();
        let feeder = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
        let mut stdout = child.stdout.take().ok_or("gave no output pipe")?;
        let reader = std::thread::spawn(move || {
            let mut out = Vec::new();
            // One byte past the bound is enough to know it is too large.
            let _ = (&mut stdout)
                .take(super::MAX_SVG_BYTES as u64 + 1)
                .read_to_end(&mut out);
            out
        });
        let deadline = Instant::now() + Duration::from_secs(self.timeout_seconds);
        let status = loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                break status;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "took longer than {} s; shown as code {}",
                    self.timeout_seconds,
                    super::TRANSIENT_MARK
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let _ = feeder.join();
        let out = reader.join().unwrap_or_default();
        let svg = String::from_utf8_lossy(&out).into_owned();
        if !status.success() || !svg.contains("<svg") {
            return Err(format!(
                "does not parse (`{program}` exited with {status}); shown as code"
            ));
        }
        Ok(svg)
    }
}
