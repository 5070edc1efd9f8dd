//! `cargo xtask bench console [RUNS]`: the console's first meaningful paint on
//! loopback — how long after navigation start the first queue rows are in the DOM
//! (the console's `waymark:queue-rows` performance mark), for a signed-in agent
//! with tickets in the queue, in headless Chromium against a real `waymark demo`.
//! The page's own `DOMContentLoaded` is measured in the same runs as the baseline.

use std::time::Duration;

use anyhow::Context;
use waymark_e2e::console::{sign_in, visitor_escalates};
use waymark_e2e::{Harness, wait_for};

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let runs: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse().context("RUNS must be a number")?,
        None => 15,
    };
    let harness = Harness::start().await?;
    let result = measure(&harness, runs).await;
    harness.stop().await;
    let (rows, baseline) = result?;
    println!(
        "console first meaningful paint, {runs} loads of /console/ (signed in, loopback, headless Chromium)"
    );
    println!("{:<34}{:>9}{:>9}{:>9}", "", "median", "min", "max");
    print_row("DOMContentLoaded (baseline)", &baseline);
    print_row("queue rows in the DOM", &rows);
    Ok(())
}

async fn measure(h: &Harness, runs: usize) -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
    visitor_escalates(h, "My card payment fails on the billing page").await?;
    sign_in(h, "agent@demo.test").await?;
    let url = format!("{}/console/", h.base);
    // One warm-up load: the browser's cache holds the console like an agent's does.
    h.browser.goto(&url).await?;
    rows_at(h).await?;
    let mut rows = Vec::with_capacity(runs);
    let mut baseline = Vec::with_capacity(runs);
    for _ in 0..runs {
        h.browser.goto(&url).await?;
        let (painted, dom_ready) = rows_at(h).await?;
        rows.push(painted);
        baseline.push(dom_ready);
    }
    Ok((rows, baseline))
}

/// `(queue rows painted, DOMContentLoaded)` in ms after navigation start.
async fn rows_at(h: &Harness) -> anyhow::Result<(f64, f64)> {
    wait_for("the queue rows", Duration::from_secs(20), || async {
        let value = h
            .js("const m = performance.getEntriesByName('waymark:queue-rows')[0];
                 const n = performance.getEntriesByType('navigation')[0];
                 const row = document.querySelector('.queue-row');
                 return m && n && row && n.domContentLoadedEventEnd > 0 ? [m.startTime, n.domContentLoadedEventEnd] : null;")
            .await?;
        Ok(value
            .as_array()
            .and_then(|pair| Some((pair.first()?.as_f64()?, pair.get(1)?.as_f64()?))))
    })
    .await
}

fn percentile(values: &[f64], at: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let index = ((sorted.len().saturating_sub(1)) as f64 * at).round() as usize;
    sorted.get(index).copied().unwrap_or(f64::NAN)
}

fn print_row(name: &str, values: &[f64]) {
    println!(
        "{name:<34}{:>6.1} ms{:>6.1} ms{:>6.1} ms",
        percentile(values, 0.5),
        percentile(values, 0.0),
        percentile(values, 1.0)
    );
}
