//! A timing check on a realistic page, ignored by default. Run it in release mode:
//! `cargo test --release --lib docs::markdown::tests::bench -- --ignored --nocapture`.

use super::md;
use std::time::{Duration, Instant};

const PROSE: &str = "The payments service accepts card and bank transfers from the checkout \
flow, validates them against the fraud rules, and hands accepted payments to the ledger. It runs \
in three regions behind the shared gateway, and every instance reads its configuration from the \
platform's config store at start-up. When a dependency slows down, the service sheds load by \
rejecting new payments with a retryable error instead of queueing them, so the checkout can fall \
back to its offline mode. Operators watch the error budget on the team dashboard; paging starts \
when more than two percent of requests fail for five minutes. See the [runbook](runbook.md) and \
the [architecture notes](../architecture/index.md#payments) for the wider picture, and \
https://status.example.com for incidents. ";

/// About 1,000 words: headings, prose, a list, a table, an admonition and three code blocks.
fn realistic_page() -> String {
    let mut page = String::from("# Payments service\n\n");
    let sections = [
        "Overview",
        "Deploying",
        "Configuration",
        "Operations",
        "Troubleshooting",
    ];
    for (i, title) in sections.iter().enumerate() {
        page.push_str(&format!("## {title}\n\n{PROSE}\n\n"));
        if i < 2 {
            page.push_str(&format!("{PROSE}\n\n"));
        }
        match i {
            0 => page.push_str(
                "- Accepts **cards** and *bank transfers*\n- Talks to `ledger` and `fraud`\n  - retries with backoff\n- Owned by team-payments :rocket:\n\n\
                 | Region | Replicas | Owner |\n|:--|--:|---|\n| eu-west-1 | 6 | payments |\n| us-east-1 | 9 | payments |\n| ap-south-1 | 3 | payments |\n\n",
            ),
            1 => page.push_str(
                "```bash\nset -euo pipefail\nexport ENV=production\nmake build\ndocker push registry.example.com/payments:$(git rev-parse --short HEAD)\n\
                 kubectl -n payments rollout restart deployment/payments\nkubectl -n payments rollout status deployment/payments --timeout=5m\n```\n\n",
            ),
            2 => page.push_str(
                "```yaml title=\"config.yaml\" hl_lines=\"3\"\nserver:\n  port: 8080\n  timeout: 30s\nfraud:\n  endpoint: https://fraud.internal\n  \
                 threshold: 0.85\nledger:\n  endpoint: https://ledger.internal\n  batch: 100\n```\n\n",
            ),
            3 => page.push_str(
                "!!! warning \"Before a failover\"\n    Drain the region first and check the ledger lag. A failover with lag\n    \
                 above a minute duplicates settlements.\n\n",
            ),
            _ => page.push_str(
                "```python\nimport requests\n\n\ndef check(region: str) -> bool:\n    \"\"\"Returns whether the region answers.\"\"\"\n    \
                 response = requests.get(f\"https://{region}.payments.internal/health\", timeout=5)\n    return response.status_code == 200\n\n\n\
                 for region in [\"eu-west-1\", \"us-east-1\"]:\n    print(region, check(region))\n```\n\n",
            ),
        }
    }
    page
}

/// Median, min and max of 100 renders after 10 warm-up runs.
fn time(page: &str) -> [Duration; 3] {
    for _ in 0..10 {
        md(page);
    }
    let mut times: Vec<Duration> = (0..100)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(md(std::hint::black_box(page)));
            start.elapsed()
        })
        .collect();
    times.sort();
    [times[50], times[0], times[99]]
}

#[test]
#[ignore = "timing; run in release mode"]
fn bench_realistic_page() {
    let page = realistic_page();
    let rendered = md(&page);
    assert!(rendered.problems.is_empty(), "{:?}", rendered.problems);
    let [median, min, max] = time(&page);
    println!(
        "{} words, {} bytes in, {} bytes out: median {median:?}, min {min:?}, max {max:?} over 100 runs",
        page.split_whitespace().count(),
        page.len(),
        rendered.html.len(),
    );
    // The same page with its code shown unhighlighted: what syntect costs.
    let plain = page
        .replace("```bash", "```text")
        .replace("```yaml", "```text")
        .replace("```python", "```text");
    let [median, min, max] = time(&plain);
    println!("without highlighting: median {median:?}, min {min:?}, max {max:?}");
}
