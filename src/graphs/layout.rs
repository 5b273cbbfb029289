//! A layered layout for small directed graphs (at most a few dozen nodes): nodes in columns
//! by their longest path from a source, ordered in each column by the barycentre of their
//! neighbours, placed on a grid of fixed-size boxes. Integers only and ties broken by node
//! index, so the same graph always gets the same coordinates; boxes cannot overlap because
//! each one takes its own grid slot.

/// A node's box, in SVG user units.
pub const NODE_WIDTH: i32 = 184;
pub const NODE_HEIGHT: i32 = 40;
const COLUMN_GAP: i32 = 56;
const ROW_GAP: i32 = 12;
const MARGIN: i32 = 4;
/// A column taller than this wraps into another, so a hub's forty neighbours stay readable.
const MAX_ROWS: usize = 12;
/// Barycentre sweeps (each one down and up): enough for graphs of this size to settle.
const SWEEPS: usize = 4;

/// Where each node's box has its top-left corner, and the picture's size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub positions: Vec<(i32, i32)>,
    pub width: i32,
    pub height: i32,
}

/// Lays out `count` nodes joined by `edges` (from, to); edges naming no node are ignored.
pub fn layered(count: usize, edges: &[(usize, usize)]) -> Layout {
    let edges: Vec<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|&(a, b)| a != b && a < count && b < count)
        .collect();
    let acyclic = break_cycles(count, &edges);
    let layer = layers(count, &acyclic);
    let columns = order(count, &layer, &acyclic);
    place(count, &columns)
}

/// The edges with every edge that closes a cycle (found by a depth-first walk in index order)
/// turned round.
fn break_cycles(count: usize, edges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); count];
    for &(a, b) in edges {
        next[a].push(b);
    }
    // 0 unseen, 1 on the walk's path, 2 done.
    let mut state = vec![0u8; count];
    let mut back = std::collections::HashSet::new();
    for start in 0..count {
        if state[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (node, ref mut i)) = stack.last_mut() {
            if let Some(&to) = next[node].get(*i) {
                *i += 1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => {
                        back.insert((node, to));
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
    edges
        .iter()
        .map(|&(a, b)| {
            if back.contains(&(a, b)) {
                (b, a)
            } else {
                (a, b)
            }
        })
        .collect()
}

/// Each node's column: the length of the longest path reaching it.
fn layers(count: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut incoming = vec![0usize; count];
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); count];
    for &(a, b) in edges {
        incoming[b] += 1;
        next[a].push(b);
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..count).filter(|&n| incoming[n] == 0).collect();
    let mut layer = vec![0usize; count];
    let sources: Vec<bool> = incoming.iter().map(|&n| n == 0).collect();
    let mut topological = Vec::with_capacity(count);
    while let Some(node) = ready.pop_first() {
        topological.push(node);
        for &to in &next[node] {
            layer[to] = layer[to].max(layer[node] + 1);
            incoming[to] -= 1;
            if incoming[to] == 0 {
                ready.insert(to);
            }
        }
    }
    // A source sits just before its nearest successor rather than in the first column, so
    // that a far consumer's edge does not cross the whole picture.
    for &node in topological.iter().rev() {
        if let Some(nearest) = next[node].iter().map(|&to| layer[to]).min() {
            if sources[node] {
                layer[node] = nearest - 1;
            }
        }
    }
    layer
}

/// The nodes of each column, top to bottom.
fn order(count: usize, layer: &[usize], edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let depth = layer.iter().max().map_or(0, |m| m + 1);
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for node in 0..count {
        columns[layer[node]].push(node);
    }
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); count];
    for &(a, b) in edges {
        neighbours[a].push(b);
        neighbours[b].push(a);
    }
    let mut rank = vec![0usize; count];
    let rerank = |columns: &[Vec<usize>], rank: &mut [usize]| {
        for column in columns {
            for (i, &n) in column.iter().enumerate() {
                rank[n] = i;
            }
        }
    };
    rerank(&columns, &mut rank);
    for _ in 0..SWEEPS {
        let down: Vec<usize> = (1..depth).collect();
        let up: Vec<usize> = (0..depth.saturating_sub(1)).rev().collect();
        for (sweep, from) in [(down, -1i64), (up, 1i64)] {
            for l in sweep {
                let beside = (l as i64 + from) as usize;
                let key = |n: usize| -> (i64, usize) {
                    let near: Vec<usize> = neighbours[n]
                        .iter()
                        .copied()
                        .filter(|&m| layer[m] == beside)
                        .collect();
                    if near.is_empty() {
                        return ((rank[n] as i64) * 1000, n);
                    }
                    let sum: usize = near.iter().map(|&m| rank[m]).sum();
                    ((sum as i64 * 1000) / near.len() as i64, n)
                };
                columns[l].sort_by_key(|&n| key(n));
                rerank(&columns, &mut rank);
            }
        }
    }
    columns
}

/// Grid slots for the ordered columns; a column past [`MAX_ROWS`] wraps into the next slot
/// column. Columns are centred on the tallest one.
fn place(count: usize, columns: &[Vec<usize>]) -> Layout {
    let slots: Vec<&[usize]> = columns.iter().flat_map(|c| c.chunks(MAX_ROWS)).collect();
    let tallest = slots.iter().map(|s| s.len()).max().unwrap_or(0) as i32;
    let column_height = |rows: i32| (rows * (NODE_HEIGHT + ROW_GAP) - ROW_GAP).max(0);
    let mut positions = vec![(0, 0); count];
    for (x_slot, slot) in slots.iter().enumerate() {
        let x = MARGIN + x_slot as i32 * (NODE_WIDTH + COLUMN_GAP);
        let top = MARGIN + (column_height(tallest) - column_height(slot.len() as i32)) / 2;
        for (row, &node) in slot.iter().enumerate() {
            positions[node] = (x, top + row as i32 * (NODE_HEIGHT + ROW_GAP));
        }
    }
    let width = slots.len() as i32 * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP + 2 * MARGIN;
    Layout {
        positions,
        width: width.max(2 * MARGIN),
        height: column_height(tallest) + 2 * MARGIN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlaps(a: (i32, i32), b: (i32, i32)) -> bool {
        a.0 < b.0 + NODE_WIDTH
            && b.0 < a.0 + NODE_WIDTH
            && a.1 < b.1 + NODE_HEIGHT
            && b.1 < a.1 + NODE_HEIGHT
    }

    /// A tangle: a hub, chains, a cycle and a few cross edges over `n` nodes.
    fn tangle(n: usize) -> Vec<(usize, usize)> {
        let mut edges = Vec::new();
        for i in 1..n {
            edges.push(((i * 7) % i, i));
            if i > 3 {
                edges.push((i / 3, i));
            }
        }
        edges.push((n - 1, 0));
        edges
    }

    #[test]
    fn no_two_boxes_overlap_and_all_lie_inside_the_picture() {
        for n in [1, 2, 5, 13, 40, 41] {
            let layout = layered(n, &tangle(n.max(2))[..]);
            let layout = if n == 1 { layered(1, &[]) } else { layout };
            for (i, &a) in layout.positions.iter().enumerate() {
                assert!(a.0 >= 0 && a.1 >= 0, "{n}: node {i} at {a:?}");
                assert!(a.0 + NODE_WIDTH <= layout.width && a.1 + NODE_HEIGHT <= layout.height);
                for (j, &b) in layout.positions.iter().enumerate().skip(i + 1) {
                    assert!(!overlaps(a, b), "{n}: nodes {i} and {j} overlap at {a:?}");
                }
            }
        }
    }

    #[test]
    fn the_same_graph_gets_the_same_coordinates() {
        let edges = tangle(40);
        let first = layered(40, &edges);
        for _ in 0..5 {
            assert_eq!(layered(40, &edges), first);
        }
    }

    #[test]
    fn edges_point_rightwards_except_those_closing_a_cycle() {
        let layout = layered(4, &[(0, 1), (1, 2), (0, 2), (2, 3), (3, 1)]);
        let x = |n: usize| layout.positions[n].0;
        assert!(x(0) < x(1) && x(1) < x(2), "{layout:?}");
        // 3 -> 1 closes the cycle 1 -> 2 -> 3 -> 1: it is the one edge drawn leftwards.
        assert!(x(2) < x(3) && x(3) > x(1), "{layout:?}");
    }

    #[test]
    fn crossings_are_undone_by_ordering() {
        // 0 -> 3 and 1 -> 2: in index order the two edges cross; ordered, they do not.
        let layout = layered(4, &[(0, 3), (1, 2)]);
        let y = |n: usize| layout.positions[n].1;
        assert_eq!(y(0) < y(1), y(3) < y(2), "{layout:?}");
    }

    #[test]
    fn a_tall_column_wraps() {
        let edges: Vec<(usize, usize)> = (1..30).map(|i| (0, i)).collect();
        let layout = layered(30, &edges);
        let columns: std::collections::BTreeSet<i32> =
            layout.positions.iter().map(|p| p.0).collect();
        assert_eq!(columns.len(), 1 + 29usize.div_ceil(MAX_ROWS));
        assert!(layout.height <= MAX_ROWS as i32 * (NODE_HEIGHT + ROW_GAP) + 2 * MARGIN);
    }

    #[test]
    fn forty_nodes_take_well_under_the_budget() {
        let edges = tangle(40);
        let start = std::time::Instant::now();
        for _ in 0..100 {
            std::hint::black_box(layered(40, &edges));
        }
        // 20 ms is the budget for a whole picture; the layout gets a small part of it even
        // in an unoptimised test build.
        assert!(
            start.elapsed().as_millis() < 100 * 5,
            "{:?}",
            start.elapsed()
        );
    }
}
