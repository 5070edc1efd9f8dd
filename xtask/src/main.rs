//! `cargo xtask`: Waymark's build chores, written in Rust.
//!
//! - `cargo xtask demo [--port N] [--release]`: build what is missing and start the demo.
//! - `cargo xtask test`: install what a fresh machine lacks, then run every check and test.
//! - `cargo xtask dist`: build the widget (wasm-bindgen, wasm-opt) and print its size table,
//!   then the agents' console.
//! - `cargo xtask bench <what>`: run a benchmark.
//! - `cargo xtask screenshots [audit]`: the console's screenshots and the audit report
//!   (`audit`: that one alone) into `docs/screenshots/`.

mod audit;
mod audit_data;
mod console;
mod dist;
mod sh;
mod test;
mod tidy;
mod tools;
mod unused_exports;

use anyhow::{Context, bail};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(task) = args.first() else {
        print_help();
        return Ok(());
    };
    let rest = &args[1..];
    match task.as_str() {
        "dist" => dist::run().and_then(|_| console::run()).map(|_| ()),
        "demo" => demo(rest),
        "test" => test::run(rest),
        "bench" => bench(rest),
        "screenshots" => {
            let out = sh::workspace_root()?.join("docs").join("screenshots");
            if rest.first().map(String::as_str) == Some("audit") {
                return audit::screenshot(&out);
            }
            browser_bin(
                "screenshots",
                &[out.display().to_string()],
                ServerBuild::Debug,
            )?;
            audit::screenshot(&out)
        }
        "help" | "--help" | "-h" => {
            print_help();
            Ok(())
        }
        other => bail!("unknown task `{other}`; run `cargo xtask help`"),
    }
}

fn print_help() {
    println!(
        "cargo xtask <task>\n\n\
         tasks:\n  \
         demo [--port N] [--release]  build and start the demo on 127.0.0.1:N (8080)\n  \
         test [--skip-e2e]            install missing tools, then fmt, clippy, tests, wasm build, e2e\n  \
         dist                         build the widget (dist/widget, with its sizes) and the console (dist/console)\n  \
         bench <what>                 run a benchmark (see `cargo xtask bench help`)\n  \
         screenshots [audit]          1280x800 PNGs of the console's login, queue, ticket view and reports, and\n                                      the audit report (alone with `audit`), into docs/screenshots"
    );
}

fn demo(args: &[String]) -> anyhow::Result<()> {
    let mut port = 8080u16;
    let mut release = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--port" => {
                let value = iter.next().context("--port needs a number")?;
                port = value
                    .parse()
                    .with_context(|| format!("--port: `{value}` is not a port number"))?;
            }
            "--release" => release = true,
            other => bail!("demo: unknown argument `{other}` (expected --port N or --release)"),
        }
    }
    tools::ensure(tools::Install::IfMissing)?;
    let dist = dist::run()?;
    let console = console::run()?;
    let root = sh::workspace_root()?;
    let mut cmd = sh::cargo();
    cmd.args(["run", "--quiet", "-p", "waymark-server", "--bin", "waymark"]);
    if release {
        cmd.arg("--release");
    }
    cmd.args([
        "--",
        "demo",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--data-dir",
    ])
    .arg(root.join("data/demo"))
    .arg("--widget-dir")
    .arg(&dist.dir)
    .arg("--console-dir")
    .arg(&console.dir);
    sh::run(&mut cmd)
}

/// The evaluation data set the benchmarks use unless told otherwise, vendored in the repository.
const VENDORED_DATASET: &str = "knowledge/benches/data/stackfaq";

fn bench(args: &[String]) -> anyhow::Result<()> {
    let Some(what) = args.first().map(String::as_str) else {
        print_bench_help();
        return Ok(());
    };
    let mut dataset = sh::workspace_root()?.join(VENDORED_DATASET);
    let mut extra: Vec<String> = Vec::new();
    let mut iter = args[1..].iter();
    while let Some(arg) = iter.next() {
        if arg == "--dataset" {
            dataset = iter.next().context("--dataset needs a directory")?.into();
        } else {
            extra.push(arg.clone());
        }
    }
    let waymark = |sub: &[&str]| -> anyhow::Result<()> {
        let mut cmd = sh::cargo();
        cmd.args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "waymark-server",
            "--bin",
            "waymark",
            "--",
        ])
        .args(sub)
        .arg("--dataset")
        .arg(&dataset)
        .args(&extra);
        sh::run(&mut cmd)
    };
    match what {
        "eval" => waymark(&["eval"]),
        "knowledge" => waymark(&["eval", "bench"]),
        "drafts" => {
            let mut cmd = sh::cargo();
            cmd.args([
                "run",
                "--quiet",
                "--release",
                "-p",
                "waymark-knowledge",
                "--example",
                "drafts_bench",
                "--",
            ])
            .args(["--tickets", "100000", "--data"])
            .arg(&dataset)
            .args(&extra);
            sh::run(&mut cmd)
        }
        "widget" => browser_bin("bench-widget", &extra, ServerBuild::Release),
        "console" => browser_bin("bench-console", &extra, ServerBuild::Release),
        "scrub" => {
            let mut cmd = sh::cargo();
            cmd.args([
                "run",
                "--quiet",
                "--release",
                "-p",
                "waymark-core",
                "--example",
                "scrub_bench",
                "--",
            ])
            .args(&extra);
            sh::run(&mut cmd)
        }
        "trust" => trust_bench(&extra),
        "audit" => audit::bench(&extra),
        "ingest" => ingest_bench(&extra),
        "help" => {
            print_bench_help();
            Ok(())
        }
        other => bail!("unknown benchmark `{other}`; run `cargo xtask bench help`"),
    }
}

/// Runs the trust suite's figure tests (release build; the memory figure alone in
/// its own process, so nothing else raised its peak) and prints their figures as
/// a table. With `WAYMARK_TEST_POSTGRES` set, PostgreSQL rows are added.
fn trust_bench(extra: &[String]) -> anyhow::Result<()> {
    let suite = |filter: &str| -> anyhow::Result<String> {
        let mut cmd = sh::cargo();
        cmd.args([
            "test",
            "--quiet",
            "--release",
            "-p",
            "waymark-server",
            "--test",
            "trust",
            filter,
        ])
        .args(extra)
        .args(["--", "--nocapture", "--test-threads=1"]);
        eprintln!("$ cargo test --release -p waymark-server --test trust {filter}");
        sh::output(&mut cmd)
    };
    let mut out = suite("figure_one_message")?;
    out.push_str(&suite("figure_")?);
    let mut rows: Vec<(String, String)> = Vec::new();
    for line in out.lines() {
        // A test's first line may follow the harness's `test name ... ` on one line.
        let Some(start) = line.find("figure: ") else {
            continue;
        };
        let figure = &line[start + "figure: ".len()..];
        let (what, value) = match figure.rsplit_once("): ") {
            Some((what, value)) => (format!("{what})"), value),
            None => figure
                .rsplit_once(": ")
                .map_or((figure.to_owned(), ""), |(w, v)| (w.to_owned(), v)),
        };
        if !rows.iter().any(|(w, _)| *w == what) {
            rows.push((what, value.trim().to_owned()));
        }
    }
    let width = rows
        .iter()
        .map(|(w, _)| w.chars().count())
        .max()
        .unwrap_or(0);
    println!("{:<width$}  result", "trust figure");
    println!("{:-<width$}  {:-<40}", "", "");
    for (what, value) in rows {
        println!("{what:<width$}  {value}");
    }
    println!("\nScrub timings: `cargo xtask bench scrub`.");
    Ok(())
}

/// Builds the release server and the load generator, then runs
/// `e2e/src/bin/bench-ingest.rs` (it starts the server on SQLite, then on a fresh
/// PostgreSQL database).
fn ingest_bench(extra: &[String]) -> anyhow::Result<()> {
    sh::run(sh::cargo().args([
        "build",
        "--quiet",
        "--release",
        "-p",
        "waymark-server",
        "--bin",
        "waymark",
    ]))?;
    let server = sh::target_dir()?.join("release").join("waymark");
    sh::run(
        sh::cargo()
            .args([
                "run",
                "--quiet",
                "--release",
                "-p",
                "waymark-e2e",
                "--bin",
                "bench-ingest",
                "--",
            ])
            .args(extra)
            .env("WAYMARK_BIN", server),
    )
}

/// Which build of the server a browser run starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServerBuild {
    /// Quick to build: enough for pictures.
    Debug,
    /// What is measured.
    Release,
}

/// Builds the widget, the console and the server, then runs the e2e crate's
/// `bin` (a benchmark or the screenshots) against them in headless Chromium.
fn browser_bin(bin: &str, extra: &[String], build: ServerBuild) -> anyhow::Result<()> {
    let dist = dist::run()?;
    let console = console::run()?;
    let mut cargo = sh::cargo();
    cargo.args([
        "build",
        "--quiet",
        "-p",
        "waymark-server",
        "--bin",
        "waymark",
    ]);
    if build == ServerBuild::Release {
        cargo.arg("--release");
    }
    sh::run(&mut cargo)?;
    let (browser, driver) = tools::chromium()
        .context("chromium and chromedriver are not on PATH (run `cargo xtask test` once)")?;
    let profile = match build {
        ServerBuild::Debug => "debug",
        ServerBuild::Release => "release",
    };
    let server = sh::target_dir()?.join(profile).join("waymark");
    sh::run(
        sh::cargo()
            .args(["run", "--quiet", "-p", "waymark-e2e", "--bin", bin, "--"])
            .args(extra)
            .env("WAYMARK_BIN", server)
            .env("WAYMARK_WIDGET_DIR", &dist.dir)
            .env("WAYMARK_CONSOLE_DIR", &console.dir)
            .env("WAYMARK_CHROMIUM", browser)
            .env("WAYMARK_CHROMEDRIVER", driver),
    )
}

fn print_bench_help() {
    println!(
        "cargo xtask bench <what> [--dataset DIR] [extra arguments]\n\n  \
         eval        retrieval quality (MRR@10, Recall@k, nDCG@10, latency) against baselines\n  \
         knowledge   index build rate and suggest latency at 10k and 100k documents vs PostgreSQL FTS\n  \
         drafts      article drafts from 100k resolved tickets\n  \
         scrub       scrub time at 2 KiB to 1 MiB of adversarial and realistic text, and the growth\n              \
         exponent (extra argument: --max-seconds S, stop a case once a size took longer)\n  \
         audit       `waymark audit` wall time on the bundled fixtures and on a generated export\n              \
         (extra argument: --tickets N, default 10000)\n  \
         ingest      events/s and requests/s sustained at 50- and 5-event batches, p50/p99 acknowledgement\n              \
         latency at half that load, server CPU and peak RSS, acknowledged events missing after kill -9;\n              \
         SQLite, then PostgreSQL (extra arguments: --seconds N, --connections N, --postgres URL, --no-postgres)\n  \
         trust       trust figures: cross-site requests, replays, size limits, 429s, slowloris,\n              \
         memory of one message over 100k events, kill -9 durability (WAYMARK_TEST_POSTGRES adds PostgreSQL)\n  \
         widget      widget size table, then launcher mount time after navigation start in headless\n              \
         Chromium (extra argument: number of page loads, default 15)\n  \
         console     console first meaningful paint: queue rows in the DOM after navigation start,\n              \
         signed in, headless Chromium (extra argument: number of loads, default 15)\n\n\
         The dataset defaults to knowledge/benches/data/stackfaq (in the repository); `eval` also\n\
         takes knowledge/benches/data/forums_docusign."
    );
}
