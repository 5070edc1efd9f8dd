//! Scrubbing on hostile input: every scanner stays linear on a megabyte built to
//! make it backtrack, and scrubbing any text never panics and is idempotent.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use waymark_core::scrub::{ScrubConfig, scrub_text};

/// Every optional scanner on, so each one is measured.
fn everything() -> ScrubConfig {
    ScrubConfig {
        redact_emails: true,
        redact_ip_addresses: true,
        redact_home_directories: true,
        redact_uuids: true,
        extra_sensitive_keys: vec!["internal_ref".into()],
    }
}

/// Input built to make one scanner do the most work per byte.
const ADVERSARIAL: [(&str, &str); 16] = [
    ("card: single digits", "1 "),
    ("card: plausible groups", "4111 "),
    ("card: dashed groups", "5500-"),
    ("digits: one long run", "4111111111"),
    ("iban: group starts", "DE89 3704 "),
    ("ssn: near misses", "123-45-678-"),
    ("email: many @", "a.b@c.d"),
    ("email: only @", "@"),
    ("url encoding: nested", "password%25252525253D%25"),
    ("jwt: headers", "eyJabcdefghij."),
    ("bearer: words", "Bearer "),
    ("keys: long tokens", "sk-abcdefghij0123456789"),
    ("keys: many = and :", "token = x: \"key\": =:"),
    (
        "pem: begins without end",
        "-----BEGIN RSA PRIVATE KEY-----\n",
    ),
    (
        "addresses: ip and uuid parts",
        "10.0.0.1.2:fe80::1:1234abcd-",
    ),
    ("home: separators", "/home/Users\\"),
];

fn repeated(unit: &str, bytes: usize) -> String {
    unit.repeat(bytes.div_ceil(unit.len()))
}

fn fastest(text: &str, config: &ScrubConfig, runs: usize) -> Duration {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(scrub_text(std::hint::black_box(text), config));
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// How long one scrub takes, if it finishes within `deadline` (the scrub runs on
/// its own thread; one that does not finish is left to the end of the process).
fn within(text: String, config: ScrubConfig, deadline: Duration) -> Option<Duration> {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let started = Instant::now();
        std::hint::black_box(scrub_text(&text, &config));
        let _ = done.send(started.elapsed());
    });
    finished.recv_timeout(deadline).ok()
}

/// 256 times the input must cost less than 8,192 times the time: linear work costs
/// about 256 times, quadratic about 65,536 times. The bound leaves a factor of 32
/// for a busy machine and cache effects (a megabyte no longer fits in the fastest
/// caches, 4 KiB does), and only super-linear work breaks it.
const BOUND: f64 = 8192.0;

#[test]
fn every_scanner_is_linear_on_a_megabyte_of_adversarial_input() {
    let config = everything();
    let mut report = Vec::new();
    for (name, unit) in ADVERSARIAL {
        let small = repeated(unit, 4 * 1024);
        let large = repeated(unit, 1024 * 1024);
        let small_time = fastest(&small, &config, 5).max(Duration::from_micros(50));
        // Super-linear work would take hours on a megabyte: it fails at the deadline,
        // when the bound is broken anyway.
        let deadline = small_time.mul_f64(BOUND);
        let timed = |text: &String| {
            within(text.clone(), config.clone(), deadline).unwrap_or_else(|| {
                panic!("super-linear scrubbing: {name}: 1 MiB did not finish in {deadline:?} (4 KiB: {small_time:?})")
            })
        };
        let mut large_time = timed(&large);
        if large_time.as_secs_f64() / small_time.as_secs_f64() >= BOUND {
            // Once more before blaming the scanner rather than a busy machine.
            large_time = large_time.min(timed(&large));
        }
        let ratio = large_time.as_secs_f64() / small_time.as_secs_f64();
        report.push(format!(
            "{name}: 4 KiB {small_time:?}, 1 MiB {large_time:?}, ratio {ratio:.0}"
        ));
        assert!(
            ratio < BOUND,
            "super-linear scrubbing:\n{}",
            report.join("\n")
        );
    }
    eprintln!("{}", report.join("\n"));
}

/// The regression the cubic card scanner had: a 2 KiB query of `1 ` pairs took
/// seconds. Now 1 MiB of it is scrubbed, and nothing in it is a card.
#[test]
fn a_megabyte_of_digit_pairs_is_kept_as_it_is() {
    let text = repeated("1 ", 1024 * 1024);
    assert_eq!(scrub_text(&text, &ScrubConfig::default()), text);
}

fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "1",
        "4111",
        " ",
        "-",
        "@",
        ".",
        "%",
        "25",
        "3D",
        "=",
        ":",
        "\"",
        "'",
        "\\",
        "/",
        "eyJ",
        "Bearer ",
        "token",
        "password",
        "sk-",
        "AKIA",
        "-----BEGIN ",
        "PRIVATE KEY",
        "-----",
        "home",
        "Users",
        "://",
        "[card]",
        "[redacted]",
        "é",
        "ü",
        "✓",
        "a",
        "Z",
        "\n",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn scrubbing_never_panics_and_is_idempotent(text in hostile_text()) {
        for config in [ScrubConfig::default(), everything()] {
            let once = scrub_text(&text, &config);
            prop_assert_eq!(scrub_text(&once, &config), once.clone(), "on {:?}", text);
        }
    }
}
