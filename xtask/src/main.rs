//! `cargo xtask`: Waymark's build chores, written in Rust.
//!
//! - `cargo xtask demo [--port N] [--release]`: build what is missing and start the demo.
//! - `cargo xtask test`: install what a fresh machine lacks, then run every check and test.
//! - `cargo xtask dist`: build the widget (wasm-bindgen, wasm-opt) and print its size table.
//! - `cargo xtask bench <what>`: run a benchmark.

mod dist;
mod sh;
mod test;
mod tools;

use anyhow::{Context, bail};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(task) = args.first() else {
        print_help();
        return Ok(());
    };
    let rest = &args[1..];
    match task.as_str() {
        "dist" => dist::run().map(|_| ()),
        "demo" => demo(rest),
        "test" => test::run(rest),
        "bench" => bench(rest),
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
         dist                         build the widget into dist/widget and print its sizes\n  \
         bench <what>                 run a benchmark (see `cargo xtask bench help`)"
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
    .arg(&dist.dir);
    sh::run(&mut cmd)
}

fn bench(args: &[String]) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        Some("help") | None => {
            println!("cargo xtask bench <what>\n\n  (no benchmarks are registered yet)");
            Ok(())
        }
        Some(other) => bail!("unknown benchmark `{other}`; run `cargo xtask bench help`"),
    }
}
