//! `cargo xtask test`: the one command that checks everything, on a fresh
//! machine or a warm one. It installs what is missing, then runs formatting,
//! clippy (native and wasm32), every native test (the storage suite against both
//! SQLite and the local PostgreSQL), the widget build with its size budget, the
//! console build, and the browser journeys in headless Chromium.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::{console, dist, sh, tools};

/// Where the PostgreSQL tests connect to create (and drop) their own databases.
const DEFAULT_TEST_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Debug, Default)]
struct Options {
    skip_e2e: bool,
    skip_postgres: bool,
}

/// Runs the whole suite.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let mut options = Options::default();
    for arg in args {
        match arg.as_str() {
            "--skip-e2e" => options.skip_e2e = true,
            "--skip-postgres" => options.skip_postgres = true,
            other => {
                bail!("test: unknown argument `{other}` (expected --skip-e2e or --skip-postgres)")
            }
        }
    }
    let started = Instant::now();
    let install = if options.skip_e2e {
        tools::Install::IfMissing
    } else {
        tools::Install::WithBrowser
    };
    step("tools", || tools::ensure(install))?;
    let postgres = if options.skip_postgres {
        None
    } else {
        Some(step("postgres", postgres_url)?)
    };

    step("fmt", || {
        sh::run(sh::cargo().args(["fmt", "--all", "--", "--check"]))
    })?;
    step("clippy", || {
        sh::run(sh::cargo().args([
            "clippy",
            "--quiet",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    step("clippy wasm32", || {
        sh::run(sh::cargo().args([
            "clippy",
            "--quiet",
            "-p",
            "waymark-core",
            "-p",
            "waymark-widget",
            "-p",
            "waymark-console",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    step("core for wasm32 without default features", || {
        sh::run(sh::cargo().args([
            "build",
            "--quiet",
            "-p",
            "waymark-core",
            "--no-default-features",
            "--target",
            "wasm32-unknown-unknown",
        ]))
    })?;
    step("native tests", || {
        let mut cmd = sh::cargo();
        cmd.args(["test", "--workspace", "--exclude", "waymark-e2e"]);
        if let Some(url) = &postgres {
            cmd.env("WAYMARK_TEST_POSTGRES", url);
        }
        sh::run(&mut cmd)
    })?;
    let dist = step("widget dist", dist::run)?;
    let console = step("console dist", console::run)?;
    if !options.skip_e2e {
        step("browser journeys", || {
            sh::run(sh::cargo().args([
                "build",
                "--quiet",
                "-p",
                "waymark-server",
                "--bin",
                "waymark",
            ]))?;
            let (browser, driver) =
                tools::chromium().context("chromium and chromedriver are not on PATH")?;
            let bin = sh::target_dir()?.join("debug").join("waymark");
            sh::run(
                sh::cargo()
                    .args(["test", "-p", "waymark-e2e"])
                    .env("WAYMARK_BIN", bin)
                    .env("WAYMARK_WIDGET_DIR", &dist.dir)
                    .env("WAYMARK_CONSOLE_DIR", &console.dir)
                    .env("WAYMARK_CHROMIUM", browser)
                    .env("WAYMARK_CHROMEDRIVER", driver),
            )
        })?;
    }
    println!("all checks passed in {:.0?}", started.elapsed());
    Ok(())
}

fn step<T>(name: &str, f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    eprintln!("==> {name}");
    let started = Instant::now();
    let result = f().with_context(|| format!("step `{name}` failed"));
    eprintln!("<== {name} ({:.1?})", started.elapsed());
    result
}

/// The PostgreSQL URL for the storage tests, checked to be reachable.
fn postgres_url() -> anyhow::Result<String> {
    let url =
        std::env::var("WAYMARK_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_TEST_POSTGRES.to_owned());
    let authority = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host_port = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    };
    let reachable = host_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .is_some_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(3)).is_ok());
    if !reachable {
        bail!(
            "the storage tests also run against PostgreSQL, and none answers at {host_port}. \
             Start one, point WAYMARK_TEST_POSTGRES at it (a role that may create databases), \
             or run `cargo xtask test --skip-postgres`"
        );
    }
    Ok(url)
}
