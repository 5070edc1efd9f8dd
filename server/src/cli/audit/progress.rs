//! Progress on stderr: a redrawn bar on a terminal, a plain line every quarter otherwise (logs
//! and CI keep a readable trace instead of carriage returns).

use std::io::{IsTerminal, Write};

/// Characters of the bar.
const BAR_WIDTH: usize = 30;

/// The progress of one step (reading a file, grouping scenarios…).
pub struct ProgressLine {
    label: String,
    terminal: bool,
    last_shown: Option<usize>,
}

impl ProgressLine {
    /// A progress line for `label`, drawn as a bar when stderr is a terminal.
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            terminal: std::io::stderr().is_terminal(),
            last_shown: None,
        }
    }

    /// `done` of `total` items are done.
    pub fn update(&mut self, done: usize, total: usize) {
        let percent = (done * 100).checked_div(total).unwrap_or(100).min(100);
        let mut stderr = std::io::stderr().lock();
        if self.terminal {
            if self.last_shown == Some(percent) {
                return;
            }
            let filled = percent * BAR_WIDTH / 100;
            let bar = format!("{}{}", "#".repeat(filled), "-".repeat(BAR_WIDTH - filled));
            let _ = write!(
                stderr,
                "\r{} [{bar}] {percent:>3}% ({done}/{total})",
                self.label
            );
            let _ = stderr.flush();
        } else {
            let quarter = percent / 25;
            if self.last_shown == Some(quarter) {
                return;
            }
            let _ = writeln!(stderr, "{}: {done}/{total} ({percent}%)", self.label);
            self.last_shown = Some(quarter);
            return;
        }
        self.last_shown = Some(percent);
    }

    /// Ends the line (on a terminal, the bar stays as drawn last).
    pub fn finish(self) {
        if self.terminal && self.last_shown.is_some() {
            eprintln!();
        }
    }
}
