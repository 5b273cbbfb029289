//! Trends: a few numbers per build — each scored entity's scorecard score, each team's average
//! score, each component's problem count (cluster problems plus definition errors and warnings)
//! — kept in the change state so the pages can draw how they moved. A series holds only the
//! points where its value changed, one per UTC day at most, stamped with the day's start (a
//! later build of the same day replaces that day's value), so an unchanged rebuild, or a
//! second first build on the same day, writes the same state.
//!
//! Bounds: points older than [`MAX_TREND_DAYS`] before the newest point of any series go,
//! except the last of them (the value the window starts with); a series keeps at most
//! [`MAX_POINTS`] points; a series whose entity or team is not measured any more goes.

use super::State;
use crate::diagnostics::{Diagnostic, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How far back the series reach, counted from the newest point (never from the clock).
pub const MAX_TREND_DAYS: i64 = 90;
/// Points kept per series, newest last.
pub const MAX_POINTS: usize = 100;
const DAY: i64 = 86_400;

/// A value from `at` (Unix seconds, the start of a UTC day) on; written as `[at, value]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point(pub i64, pub u32);

impl Point {
    pub fn day(self) -> i64 {
        self.0.div_euclid(DAY)
    }
}

/// The series by what they measure, each by entity ref (teams: the owner's ref).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trends {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scores: BTreeMap<String, Vec<Point>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub teams: BTreeMap<String, Vec<Point>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub problems: BTreeMap<String, Vec<Point>>,
}

/// One build's numbers.
#[derive(Clone, Debug, Default)]
pub struct Measures {
    pub scores: BTreeMap<String, u32>,
    pub teams: BTreeMap<String, u32>,
    /// Every component's count, zeros included; a series starts with its first problem.
    pub problems: BTreeMap<String, u32>,
}

impl Trends {
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty() && self.teams.is_empty() && self.problems.is_empty()
    }

    /// Adds this build's numbers, stamped `now`, and applies the bounds.
    pub fn record(&mut self, measures: &Measures, now: i64) {
        record_series(&mut self.scores, &measures.scores, now, true);
        record_series(&mut self.teams, &measures.teams, now, true);
        record_series(&mut self.problems, &measures.problems, now, false);
        self.bound();
    }

    /// The time of the newest point of any series: where every picture's window ends.
    pub fn latest(&self) -> Option<i64> {
        [&self.scores, &self.teams, &self.problems]
            .into_iter()
            .flat_map(|s| s.values())
            .filter_map(|points| points.last().map(|p| p.0))
            .max()
    }

    fn bound(&mut self) {
        let Some(latest) = self.latest() else {
            return;
        };
        let cutoff = latest - MAX_TREND_DAYS * DAY;
        for series in [&mut self.scores, &mut self.teams, &mut self.problems] {
            for points in series.values_mut() {
                bound_points(points, cutoff);
            }
        }
    }
}

/// Each component's problems: its cluster problems in `state` (every cluster) plus the errors
/// and warnings about it among `diagnostics`.
pub fn problem_counts(state: &State, diagnostics: &[Diagnostic]) -> BTreeMap<String, u32> {
    let mut counts: BTreeMap<String, u32> = state
        .entities
        .iter()
        .filter(|(_, e)| e.kind == "Component")
        .map(|(key, e)| {
            let problems = e.clusters.values().map(|c| c.problems.len()).sum::<usize>();
            (key.clone(), problems as u32)
        })
        .collect();
    let serious = diagnostics
        .iter()
        .filter(|d| matches!(d.severity, Severity::Error | Severity::Warning));
    for d in serious {
        if let Some(count) = d.entity.as_ref().and_then(|e| counts.get_mut(e)) {
            *count += 1;
        }
    }
    counts
}

/// Appends where a value changed; drops the series of keys not measured now.
fn record_series(
    series: &mut BTreeMap<String, Vec<Point>>,
    current: &BTreeMap<String, u32>,
    now: i64,
    start_at_zero: bool,
) {
    series.retain(|key, _| current.contains_key(key));
    // Stamped with the day, not the second: two builds of a day write the same state.
    let today = Point(now, 0).day() * DAY;
    for (key, &value) in current {
        if !start_at_zero && value == 0 && !series.contains_key(key) {
            continue;
        }
        let points = series.entry(key.clone()).or_default();
        match points.last_mut() {
            Some(last) if last.1 == value => {}
            Some(last) if last.0 == today => *last = Point(today, value),
            _ => points.push(Point(today, value)),
        }
        // A day that ends where the one before did is no change.
        if let [.., before, last] = points.as_slice() {
            if before.1 == last.1 {
                points.pop();
            }
        }
    }
}

/// Keeps the points from `cutoff` on, the last one before it, and at most [`MAX_POINTS`].
fn bound_points(points: &mut Vec<Point>, cutoff: i64) {
    let before = points.iter().take_while(|p| p.0 < cutoff).count();
    points.drain(..before.saturating_sub(1));
    let extra = points.len().saturating_sub(MAX_POINTS);
    points.drain(..extra);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measures(score: u32, problems: u32) -> Measures {
        Measures {
            scores: [("component:default/a".to_string(), score)].into(),
            teams: BTreeMap::new(),
            problems: [("component:default/a".to_string(), problems)].into(),
        }
    }

    #[test]
    fn only_changes_are_kept_one_per_day() {
        let mut t = Trends::default();
        t.record(&measures(50, 0), 10 * DAY);
        t.record(&measures(50, 0), 11 * DAY);
        assert_eq!(t.scores["component:default/a"], vec![Point(10 * DAY, 50)]);
        assert!(t.problems.is_empty(), "no series starts at zero problems");
        t.record(&measures(60, 2), 12 * DAY);
        t.record(&measures(70, 2), 12 * DAY + 3600);
        assert_eq!(
            t.scores["component:default/a"],
            vec![Point(10 * DAY, 50), Point(12 * DAY, 70)]
        );
        t.record(&measures(70, 0), 13 * DAY);
        assert_eq!(
            t.problems["component:default/a"],
            vec![Point(12 * DAY, 2), Point(13 * DAY, 0)]
        );
        let before = t.clone();
        t.record(&measures(70, 0), 40 * DAY);
        assert_eq!(t, before, "an unchanged build changes nothing");
    }

    #[test]
    fn old_points_go_but_the_value_at_the_window_start_stays() {
        let mut t = Trends::default();
        for day in 0..200 {
            t.record(&measures(day as u32 % 7, 1), day * DAY);
        }
        let points = &t.scores["component:default/a"];
        assert!(points.len() <= MAX_POINTS, "{}", points.len());
        let cutoff = 199 * DAY - MAX_TREND_DAYS * DAY;
        assert!(points[0].0 < cutoff && points[1].0 >= cutoff, "{points:?}");
        // A state written by hand (or by many builds an hour) is bounded by count too.
        let mut points: Vec<Point> = (0..500).map(|i| Point(i * 60, i as u32)).collect();
        bound_points(&mut points, 0);
        assert_eq!(points.len(), MAX_POINTS);
        assert_eq!(points.last(), Some(&Point(499 * 60, 499)));
    }

    #[test]
    fn a_day_that_ends_where_it_began_leaves_no_point() {
        let mut t = Trends::default();
        t.record(&measures(50, 0), 10 * DAY);
        t.record(&measures(60, 0), 11 * DAY);
        t.record(&measures(50, 0), 11 * DAY + 60);
        assert_eq!(t.scores["component:default/a"], vec![Point(10 * DAY, 50)]);
    }

    #[test]
    fn a_series_goes_with_its_entity() {
        let mut t = Trends::default();
        t.record(&measures(50, 3), DAY);
        t.record(&Measures::default(), 2 * DAY);
        assert!(t.is_empty(), "{t:?}");
    }
}
