//! A one-line progress bar on standard error for long knowledge runs; silent when
//! standard error is not a terminal.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Draws `label [#####-----] done/total`, at most ten times a second.
pub struct Progress {
    enabled: bool,
    last_draw: Option<Instant>,
    label: &'static str,
}

impl Progress {
    /// A bar that draws only on a terminal.
    pub fn new() -> Progress {
        Progress {
            enabled: std::io::stderr().is_terminal(),
            last_draw: None,
            label: "",
        }
    }

    /// Reports progress of a stage.
    pub fn update(&mut self, label: &'static str, done: usize, total: usize) {
        if !self.enabled {
            return;
        }
        let stage_changed = label != self.label;
        let due = self
            .last_draw
            .is_none_or(|at| at.elapsed() >= Duration::from_millis(100));
        if !(stage_changed || due || done == total) {
            return;
        }
        if stage_changed && !self.label.is_empty() {
            eprintln!();
        }
        self.label = label;
        self.last_draw = Some(Instant::now());
        const WIDTH: usize = 30;
        let filled = (done * WIDTH)
            .checked_div(total)
            .unwrap_or(WIDTH)
            .min(WIDTH);
        eprint!(
            "\r{label:<26} [{}{}] {done}/{total}",
            "#".repeat(filled),
            "-".repeat(WIDTH - filled)
        );
        let _ = std::io::stderr().flush();
    }

    /// Ends the bar's line.
    pub fn finish(&mut self) {
        if self.enabled && !self.label.is_empty() {
            eprintln!();
        }
    }
}
