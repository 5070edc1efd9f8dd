//! `cargo run -p waymark-e2e --bin bench-widget [-- RUNS]`: how long after
//! navigation start the widget's launcher is mounted on the demo page, in
//! headless Chromium against a real `waymark demo` on loopback. The page's own
//! `DOMContentLoaded` is measured in the same runs as the baseline. Needs the
//! server binary and `cargo xtask dist` (as the journeys do).

use std::time::Duration;

use anyhow::Context;
use waymark_e2e::{Harness, wait_for};

/// Budget from the widget issue: mounted within 100 ms of navigation start.
const BUDGET_MS: f64 = 100.0;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let runs: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse().context("RUNS must be a number")?,
        None => 15,
    };
    let harness = Harness::start().await?;
    let result = measure(&harness, runs).await;
    harness.stop().await;
    let (mounted, baseline) = result?;
    println!(
        "widget mount after navigation start, {runs} loads of /demo/ (loopback, headless Chromium)"
    );
    println!("{:<34}{:>9}{:>9}{:>9}", "", "median", "min", "max");
    print_row("DOMContentLoaded (baseline)", &baseline);
    print_row("launcher mounted", &mounted);
    let median = percentile(&mounted, 0.5);
    println!(
        "budget {BUDGET_MS:.0} ms: {}",
        if median <= BUDGET_MS {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}

async fn measure(h: &Harness, runs: usize) -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
    let url = format!("{}/demo/", h.base);
    // One warm-up load so the HTTP cache holds the widget like a returning visitor's.
    h.browser.goto(&url).await?;
    mounted_at(h).await?;
    let mut mounted = Vec::with_capacity(runs);
    let mut baseline = Vec::with_capacity(runs);
    for _ in 0..runs {
        h.browser.goto(&url).await?;
        let (mount, dom_ready) = mounted_at(h).await?;
        mounted.push(mount);
        baseline.push(dom_ready);
    }
    Ok((mounted, baseline))
}

/// `(mounted, DOMContentLoaded)` in ms after navigation start.
async fn mounted_at(h: &Harness) -> anyhow::Result<(f64, f64)> {
    wait_for("the launcher to be mounted", Duration::from_secs(20), || async {
        let value = h
            .js("const m = performance.getEntriesByName('waymark:mounted')[0];
                 const n = performance.getEntriesByType('navigation')[0];
                 return m && n && n.domContentLoadedEventEnd > 0 ? [m.startTime, n.domContentLoadedEventEnd] : null;")
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
