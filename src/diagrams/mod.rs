//! Diagrams drawn at build time: Mermaid (rusty-mermaid), Graphviz `dot` (layout-rs) and, when
//! site.toml names a command, PlantUML. Each fence becomes an inline SVG that needs no script,
//! no inline style and no colour of its own: the renderers' theme colours are swapped for
//! classes that the theme's stylesheet colours (so dark mode works), ids get a per-diagram
//! prefix, and the result goes through the same SVG sanitiser as copied assets.
//!
//! Layout engines can be slow or worse on adversarial input (a Mermaid Gantt chart with a
//! nine-digit duration loops while allocating). So the source is checked against bounds before
//! any engine sees it, every render runs on its own thread with a deadline, and the SVG is
//! bounded in size. A render past its deadline is abandoned (its thread is left to finish on
//! its own: the bounds keep that short) and the fence stays code with a warning.

mod bounds;
mod dot;
mod mermaid;
mod plantuml;
mod theme;

pub use plantuml::PlantUml;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

/// How long one built-in renderer may take.
const DEADLINE: Duration = Duration::from_secs(3);

/// The most bytes of SVG one diagram may give (a Gantt chart over centuries can make 18 MB).
pub const MAX_SVG_BYTES: usize = 1 << 20;

/// Every problem message for a diagram starts with this, so the docs stage can report it
/// under its own code.
pub const PROBLEM_PREFIX: &str = "diagram not drawn:";

/// Problems that depend on the machine rather than the page (a deadline, a missing command):
/// such a page is rendered again next build instead of being cached.
pub const TRANSIENT_MARK: &str = "(will retry)";

/// What kind of diagram a fence language names, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Mermaid,
    Dot,
    PlantUml,
}

impl Kind {
    pub fn of(lang: &str) -> Option<Kind> {
        match lang {
            "mermaid" => Some(Kind::Mermaid),
            "dot" | "graphviz" => Some(Kind::Dot),
            "plantuml" | "puml" => Some(Kind::PlantUml),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Mermaid => "Mermaid",
            Kind::Dot => "Graphviz",
            Kind::PlantUml => "PlantUML",
        }
    }
}

/// What the site configured for diagrams.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// `[docs.plantuml]`; None: PlantUML fences stay code.
    pub plantuml: Option<PlantUml>,
}

impl Settings {
    /// What of these settings changes a rendered page, for its cache key.
    pub fn fingerprint(&self) -> String {
        match &self.plantuml {
            Some(p) => format!("plantuml:{:?}:{}", p.command, p.timeout_seconds),
            None => String::new(),
        }
    }
}

/// A drawn diagram: the `<svg>` element ready to sit in a page.
#[derive(Debug)]
pub struct Drawn {
    pub svg: String,
}

/// Draws one diagram. `index` numbers the diagrams of a page (their ids must not collide).
/// The error is a message for the author that starts with [`PROBLEM_PREFIX`].
pub fn draw(kind: Kind, source: &str, settings: &Settings, index: usize) -> Result<Drawn, String> {
    let fail = |why: String| format!("{PROBLEM_PREFIX} this {} diagram {why}", kind.name());
    let svg = match kind {
        Kind::Mermaid => {
            bounds::check_mermaid(source).map_err(fail)?;
            within_deadline(source, mermaid::render)
        }
        Kind::Dot => {
            bounds::check_dot(source).map_err(fail)?;
            within_deadline(source, dot::render)
        }
        Kind::PlantUml => match &settings.plantuml {
            None => Err(
                "is shown as code: no PlantUML renderer is configured (set `[docs.plantuml] command` in site.toml)"
                    .to_string(),
            ),
            Some(p) => {
                bounds::check_size(source).map_err(fail)?;
                p.render(source)
            }
        },
    }
    .map_err(fail)?;
    if svg.len() > MAX_SVG_BYTES {
        return Err(fail(format!(
            "is too large: its picture takes {} KiB, over the {} KiB bound; shown as code",
            svg.len() / 1024,
            MAX_SVG_BYTES / 1024
        )));
    }
    let label = format!("{} diagram", kind.name());
    let svg = theme::apply(&svg, kind, index, &label).map_err(fail)?;
    Ok(Drawn { svg })
}

/// Runs a renderer on its own thread; a panic or a missed deadline becomes an error.
fn within_deadline(
    source: &str,
    render: fn(&str) -> Result<String, String>,
) -> Result<String, String> {
    let (tx, rx) = mpsc::sync_channel(1);
    let owned = source.to_string();
    std::thread::Builder::new()
        .name("diagram".into())
        .spawn(move || {
            let _ = tx.send(catch_unwind(AssertUnwindSafe(|| render(&owned))));
        })
        .map_err(|e| format!("could not be started ({e}) {TRANSIENT_MARK}"))?;
    match rx.recv_timeout(DEADLINE) {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err("made the renderer fail; shown as code".to_string()),
        Err(_) => Err(format!(
            "took longer than {} s to lay out; shown as code {TRANSIENT_MARK}",
            DEADLINE.as_secs()
        )),
    }
}

#[cfg(test)]
mod tests;
