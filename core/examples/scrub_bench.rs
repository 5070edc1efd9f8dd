//! Scrub time by input size, adversarial and realistic, with the growth exponent
//! (the log-log slope of time over size: 1 is linear, 2 quadratic, 3 cubic).
//! Run by `cargo xtask bench scrub`; `--max-seconds S` stops a case once one size
//! took longer than S seconds (default 10), so a super-linear case still finishes.

use std::time::{Duration, Instant};

use waymark_core::scrub::{ScrubConfig, scrub_text};

const SIZES_KIB: [usize; 5] = [2, 8, 64, 256, 1024];

/// One input family: a name and a unit repeated up to the size.
struct Case {
    name: &'static str,
    unit: fn(usize) -> String,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "card digits `1 1 1 …`",
            unit: |_| "1 ".to_owned(),
        },
        Case {
            name: "card groups `4111 4111 …`",
            unit: |_| "4111 ".to_owned(),
        },
        Case {
            name: "long digit run",
            unit: |_| "4111111111".to_owned(),
        },
        Case {
            name: "many `@` (`a.b@c.d@…`)",
            unit: |_| "a.b@c.d".to_owned(),
        },
        Case {
            name: "nested URL encoding",
            unit: |i| {
                if i % 2 == 0 {
                    "password%252525253D".to_owned()
                } else {
                    "%25".to_owned()
                }
            },
        },
        Case {
            name: "long tokens (`eyJ…`, `Bearer …`)",
            unit: |i| match i % 3 {
                0 => "eyJ".to_owned(),
                1 => "abcdefghij0123456789.".to_owned(),
                _ => "Bearer-".to_owned(),
            },
        },
        Case {
            name: "many `=` and `:` (`token = x: …`)",
            unit: |i| match i % 3 {
                0 => "token = ".to_owned(),
                1 => "\"key\": ".to_owned(),
                _ => "=:".to_owned(),
            },
        },
        Case {
            name: "PEM headers without an end",
            unit: |_| "-----BEGIN RSA PRIVATE KEY-----\n".to_owned(),
        },
        Case {
            name: "realistic (logs, URLs, messages)",
            unit: |i| REALISTIC[i % REALISTIC.len()].to_owned(),
        },
    ]
}

const REALISTIC: [&str; 6] = [
    "Hi, my card 4111 1111 1111 1111 was charged twice for order 123456 on 2024-05-01. ",
    "GET https://shop.example/api/pay?invoice=INV-2024-0042&token=9f8e7d6c HTTP/1.1 502 ",
    "TypeError: Cannot read properties of undefined (reading 'id') at checkout.js:120:17\n",
    "please write to jane.doe@example.com, version 1.2.3 of the app, ref 7f9c2b1e-55aa-4e1f-9a0b-1234567890ab ",
    "{\"password\": \"hunter2\", \"user\": \"bob\", \"api_key\": \"sk-proj-abcdefghijklmnopqrstuvwxyz\"} ",
    "Authorization: Bearer abcdef1234567890 and aws AKIAIOSFODNN7EXAMPLE in the logs. ",
];

fn input(case: &Case, bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 64);
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&(case.unit)(i));
        i += 1;
    }
    text
}

/// The fastest of a few runs (enough runs to fill about 0.2 s at small sizes).
fn time(text: &str, config: &ScrubConfig) -> Duration {
    let first = {
        let started = Instant::now();
        std::hint::black_box(scrub_text(std::hint::black_box(text), config));
        started.elapsed()
    };
    let runs = (Duration::from_millis(200).as_nanos() / first.as_nanos().max(1)).clamp(0, 20);
    let mut best = first;
    for _ in 0..runs {
        let started = Instant::now();
        std::hint::black_box(scrub_text(std::hint::black_box(text), config));
        best = best.min(started.elapsed());
    }
    best
}

/// Least-squares slope of ln(time) over ln(size).
fn slope(points: &[(f64, f64)]) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let logs: Vec<(f64, f64)> = points.iter().map(|(x, y)| (x.ln(), y.ln())).collect();
    let mean_x = logs.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = logs.iter().map(|p| p.1).sum::<f64>() / n;
    let covariance: f64 = logs.iter().map(|(x, y)| (x - mean_x) * (y - mean_y)).sum();
    let variance: f64 = logs.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    Some(covariance / variance)
}

fn main() {
    let mut max_seconds = 10.0_f64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--max-seconds" {
            max_seconds = args
                .next()
                .and_then(|v| v.parse().ok())
                .unwrap_or(max_seconds);
        }
    }
    let config = ScrubConfig::default();
    print!("{:<36}", "input \\ size");
    for size in SIZES_KIB {
        print!("{:>12}", format!("{size} KiB"));
    }
    println!("{:>10}", "exponent");
    for case in cases() {
        print!("{:<36}", case.name);
        let mut points = Vec::new();
        let mut stopped = false;
        for size in SIZES_KIB {
            if stopped {
                print!("{:>12}", "skipped");
                continue;
            }
            let text = input(&case, size * 1024);
            let took = time(&text, &config);
            print!("{:>12}", format!("{:.3} ms", took.as_secs_f64() * 1e3));
            points.push((text.len() as f64, took.as_secs_f64().max(1e-9)));
            stopped = took.as_secs_f64() > max_seconds;
        }
        // From 8 KiB up, where fixed costs no longer dominate, when there are two.
        let from_8_kib = if points.len() > 2 {
            &points[1..]
        } else {
            &points[..]
        };
        match slope(from_8_kib) {
            Some(exponent) => println!("{exponent:>10.2}"),
            None => println!("{:>10}", "—"),
        }
    }
    println!(
        "\nTimes are the fastest of several runs of `scrub_text` with the default settings; the \
         exponent is the log-log slope from 8 KiB up, or over 2 and 8 KiB when a case stopped \
         there (1 = linear). A size is skipped once the \
         one before took more than {max_seconds} s."
    );
}
