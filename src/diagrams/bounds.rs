//! What a diagram's source may hold before a layout engine sees it. The figures come from
//! measuring the engines on growing inputs: below them a diagram lays out in well under a
//! second; past them time grows steeply (nested Mermaid subgraphs, dense Graphviz graphs) or
//! without end (a Gantt chart whose day count overflows).

/// Bytes of source of one diagram.
const MAX_SOURCE_BYTES: usize = 32 * 1024;
/// Statements (lines) of a Mermaid diagram.
const MAX_MERMAID_LINES: usize = 600;
/// Subgraphs, namespaces or composite states inside each other.
const MAX_NESTING: usize = 12;
/// Edges of a Graphviz graph (a complete graph of 15 nodes, 210 edges, takes seconds).
const MAX_DOT_EDGES: usize = 120;
/// Digits of one number in a Gantt chart (durations, dates): the engine counts days in an
/// `i32` and loops when a sum overflows.
const MAX_GANTT_DIGITS: usize = 5;

pub(super) fn check_size(source: &str) -> Result<(), String> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(format!(
            "is too long: {} KiB of source, over the {} KiB bound; shown as code",
            source.len() / 1024,
            MAX_SOURCE_BYTES / 1024
        ));
    }
    Ok(())
}

pub(super) fn check_mermaid(source: &str) -> Result<(), String> {
    check_size(source)?;
    let lines = source.lines().filter(|l| !l.trim().is_empty()).count();
    if lines > MAX_MERMAID_LINES {
        return Err(format!(
            "has {lines} statements, over the bound of {MAX_MERMAID_LINES}; split it; shown as code"
        ));
    }
    let (mut depth, mut deepest) = (0usize, 0usize);
    for line in source.lines().map(str::trim) {
        let opens = line.starts_with("subgraph ")
            || line == "subgraph"
            || line.starts_with("namespace ")
            || (line.starts_with("state ") && line.ends_with('{'));
        if opens {
            depth += 1;
            deepest = deepest.max(depth);
        } else if line == "end" || line == "}" {
            depth = depth.saturating_sub(1);
        }
    }
    if deepest > MAX_NESTING {
        return Err(format!(
            "nests groups {deepest} deep, over the bound of {MAX_NESTING}; shown as code"
        ));
    }
    let is_gantt = source
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("%%"))
        .is_some_and(|l| l.starts_with("gantt"));
    if is_gantt && longest_number(source) > MAX_GANTT_DIGITS {
        return Err(format!(
            "holds a number of more than {MAX_GANTT_DIGITS} digits, too long a span for a Gantt chart; shown as code"
        ));
    }
    Ok(())
}

pub(super) fn check_dot(source: &str) -> Result<(), String> {
    check_size(source)?;
    let edges = source.matches("->").count() + source.matches("--").count();
    if edges > MAX_DOT_EDGES {
        return Err(format!(
            "has {edges} edges, over the bound of {MAX_DOT_EDGES}; split it; shown as code"
        ));
    }
    let (mut depth, mut deepest) = (0usize, 0usize);
    for c in source.chars() {
        match c {
            '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    // The graph's own braces are one level.
    if deepest > MAX_NESTING + 1 {
        return Err(format!(
            "nests subgraphs {} deep, over the bound of {MAX_NESTING}; shown as code",
            deepest - 1
        ));
    }
    Ok(())
}

/// The length of the longest run of ASCII digits.
fn longest_number(source: &str) -> usize {
    source
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}
