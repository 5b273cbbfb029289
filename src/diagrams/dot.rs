//! Graphviz `dot` through layout-rs. Its default black and white become classes; colours an
//! author names (`color=red`) stay.

use layout::backends::svg::SVGWriter;
use layout::gv::{DotParser, GraphBuilder};

/// layout-rs writes colours as `#rrggbbaa`.
pub(super) const ROLES: &[(&str, &str)] = &[("#000000ff", "line"), ("#ffffffff", "bg")];

pub(super) fn render(source: &str) -> Result<String, String> {
    let graph = DotParser::new(source)
        .process()
        .map_err(|e| format!("does not parse ({e}); shown as code"))?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut visual = builder.get();
    if visual.num_nodes() == 0 {
        return Err("has no nodes; shown as code".to_string());
    }
    let mut writer = SVGWriter::new();
    visual.do_it(false, false, false, &mut writer);
    Ok(writer.finalize())
}
