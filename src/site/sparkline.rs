//! Sparklines: one trend series (`changes::trends`) as a small static SVG and the sentence it
//! stands for ("score 62% → 79% over 30 days"), the sentence being the picture's accessible
//! name. No script, no style attribute: the line's colour comes from a class (better, worse or
//! flat), so dark mode recolours it. The window is the [`MAX_TREND_DAYS`] days up to the newest
//! point of any series, in whole days, so the picture changes only when a value does.

use crate::changes::trends::{Point, Trends, MAX_TREND_DAYS};
use serde::Serialize;
use std::collections::BTreeMap;

const WIDTH: f64 = 120.0;
const HEIGHT: f64 = 28.0;
const PAD: f64 = 3.0;

/// What a series measures, for the picture and its sentence.
#[derive(Clone, Copy, Debug)]
pub(super) struct Measure {
    /// "score", "problems".
    pub name: &'static str,
    /// "%" or "".
    pub unit: &'static str,
    /// The top of the scale (100 for a score); None scales to the largest value.
    pub max: Option<u32>,
    /// Whether a rising line is good news.
    pub higher_is_better: bool,
}

pub(super) const SCORE: Measure = Measure {
    name: "score",
    unit: "%",
    max: Some(100),
    higher_is_better: true,
};

pub(super) const PROBLEMS: Measure = Measure {
    name: "problems",
    unit: "",
    max: None,
    higher_is_better: false,
};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct Sparkline {
    pub svg: String,
    pub text: String,
}

/// The trends and the end of their window, found once for the whole site: finding it walks
/// every series, and a large portal draws a picture for each of thousands of entities.
#[derive(Clone, Copy)]
pub(super) struct Window<'a> {
    pub(super) trends: &'a Trends,
    end: Option<i64>,
}

impl<'a> Window<'a> {
    pub(super) fn of(trends: &'a Trends) -> Window<'a> {
        Window {
            trends,
            end: trends.latest(),
        }
    }
}

/// The picture of `key`'s series among `series` (one of the trends' maps), in their window.
pub(super) fn of(
    window: Window<'_>,
    series: &BTreeMap<String, Vec<Point>>,
    key: &str,
    measure: Measure,
) -> Option<Sparkline> {
    draw(series.get(key)?, window.end?, measure)
}

/// The picture of `points` (oldest first) in the window ending on the day of `end`; None
/// without points.
pub(super) fn draw(points: &[Point], end: i64, measure: Measure) -> Option<Sparkline> {
    let end_day = Point(end, 0).day();
    let start_day = end_day - MAX_TREND_DAYS;
    // The value the window starts with, then the changes inside it.
    let first_inside = points.iter().position(|p| p.day() >= start_day);
    let from = match first_inside {
        Some(0) => 0,
        Some(i) => i - 1,
        None => points.len().checked_sub(1)?,
    };
    let shown: Vec<(i64, u32)> = points[from..]
        .iter()
        .map(|p| (p.day().clamp(start_day, end_day), p.1))
        .collect();
    let (first_day, first) = *shown.first()?;
    let last = shown.last()?.1;
    let top = measure
        .max
        .unwrap_or_else(|| shown.iter().map(|p| p.1).max().unwrap_or(0))
        .max(1);
    let x = |day: i64| PAD + (day - start_day) as f64 / MAX_TREND_DAYS as f64 * (WIDTH - 2.0 * PAD);
    let y = |v: u32| PAD + f64::from(top - v.min(top)) / f64::from(top) * (HEIGHT - 2.0 * PAD);
    let mut path = format!("M{:.1} {:.1}", x(first_day), y(first));
    for &(day, value) in &shown[1..] {
        path.push_str(&format!("H{:.1}V{:.1}", x(day), y(value)));
    }
    path.push_str(&format!("H{:.1}", x(end_day)));
    let tone = match (last.cmp(&first), measure.higher_is_better) {
        (std::cmp::Ordering::Equal, _) => "flat",
        (std::cmp::Ordering::Greater, true) | (std::cmp::Ordering::Less, false) => "better",
        _ => "worse",
    };
    let text = sentence(measure, first, last, end_day - first_day, shown.len());
    let svg = format!(
        "<svg class=\"sparkline spark-{tone}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-label=\"{text}\"><path class=\"spark-base\" d=\"M{PAD} {base:.1}H{right:.1}\"/><path class=\"spark-line\" d=\"{path}\"/><circle class=\"spark-dot\" cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"2.5\"/></svg>",
        base = HEIGHT - PAD,
        right = WIDTH - PAD,
        cx = x(end_day),
        cy = y(last),
    );
    Some(Sparkline { svg, text })
}

/// "score 62% → 79% over 30 days", "problems 0, unchanged over 90 days", "score 79%".
fn sentence(measure: Measure, first: u32, last: u32, days: i64, points: usize) -> String {
    let Measure { name, unit, .. } = measure;
    let span = format!("{days} day{}", if days == 1 { "" } else { "s" });
    match (days, first == last) {
        (0, _) => format!("{name} {last}{unit}"),
        (_, true) if points == 1 => format!("{name} {last}{unit}, unchanged over {span}"),
        _ => format!("{name} {first}{unit} → {last}{unit} over {span}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    #[test]
    fn the_line_steps_through_each_change_to_the_window_end() {
        let points = [
            Point(60 * DAY, 62),
            Point(75 * DAY + 5, 70),
            Point(90 * DAY, 79),
        ];
        let s = draw(&points, 90 * DAY + 3600, SCORE).unwrap();
        assert_eq!(s.text, "score 62% → 79% over 30 days");
        // 60 days into a 90-day window of 114 units starting at 3; scores on a 0–100 scale.
        assert!(
            s.svg.contains("d=\"M79.0 11.4H98.0V9.6H117.0V7.6H117.0\""),
            "{}",
            s.svg
        );
        assert!(s.svg.contains("class=\"sparkline spark-better\""));
        assert!(!s.svg.contains("style"), "no inline style: {}", s.svg);
        assert_eq!(
            draw(&points, 90 * DAY + 3600, SCORE),
            Some(s),
            "deterministic"
        );
    }

    #[test]
    fn points_before_the_window_give_its_starting_value() {
        let points = [Point(0, 4), Point(10 * DAY, 1), Point(150 * DAY, 3)];
        let s = draw(&points, 150 * DAY, PROBLEMS).unwrap();
        assert_eq!(s.text, "problems 1 → 3 over 90 days");
        assert!(s.svg.contains("spark-worse"), "more problems is worse");
        // Scaled to the largest value shown (3, not the 4 before the window).
        assert!(
            s.svg.contains("d=\"M3.0 17.7H117.0V3.0H117.0\""),
            "{}",
            s.svg
        );
        let flat = draw(&[Point(0, 0)], 200 * DAY, PROBLEMS).unwrap();
        assert_eq!(flat.text, "problems 0, unchanged over 90 days");
        assert!(flat.svg.contains("spark-flat"));
        assert_eq!(draw(&[], 0, SCORE), None);
        assert_eq!(draw(&[Point(5, 80)], 5, SCORE).unwrap().text, "score 80%");
    }
}
