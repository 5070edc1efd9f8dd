//! SLA clocks: how long until a due time, in the words and colours of a
//! countdown that ticks in the browser every second.

/// How a clock looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockState {
    /// Plenty of time.
    Running,
    /// Under ten minutes left.
    Soon,
    /// Past due.
    Breached,
    /// Stopped in time (acknowledged or resolved before the due time, or no SLA).
    Met,
}

impl ClockState {
    /// The CSS class of the clock.
    pub fn class(self) -> &'static str {
        match self {
            ClockState::Running => "clock running",
            ClockState::Soon => "clock soon",
            ClockState::Breached => "clock breached",
            ClockState::Met => "clock met",
        }
    }
}

/// Under this much time left, a clock is `Soon`.
pub const SOON_MS: i64 = 10 * 60 * 1000;

/// `remaining_ms` as a short countdown: `45s`, `12m 05s`, `3h 04m`, `2d 5h`;
/// past due as `-12m 05s`.
pub fn countdown(remaining_ms: i64) -> String {
    let sign = if remaining_ms < 0 { "-" } else { "" };
    let seconds = remaining_ms.unsigned_abs() / 1000;
    let (days, hours, minutes, secs) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    let body = if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {minutes:02}m")
    } else if minutes > 0 {
        format!("{minutes}m {secs:02}s")
    } else {
        format!("{secs}s")
    };
    format!("{sign}{body}")
}

/// One SLA clock of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// When it is due, while it runs.
    pub due_ms: Option<i64>,
    /// When it was stopped (acknowledged, resolved).
    pub stopped_ms: Option<i64>,
}

impl Clock {
    /// The clock's state and its text at `now_ms`.
    pub fn read(&self, now_ms: i64) -> (ClockState, String) {
        match (self.due_ms, self.stopped_ms) {
            (Some(due), None) => {
                let left = due - now_ms;
                let state = if left < 0 {
                    ClockState::Breached
                } else if left < SOON_MS {
                    ClockState::Soon
                } else {
                    ClockState::Running
                };
                let text = if left < 0 {
                    format!("{} overdue", countdown(-left))
                } else {
                    format!("{} left", countdown(left))
                };
                (state, text)
            }
            (_, Some(_)) => (ClockState::Met, "done".to_owned()),
            (None, None) => (ClockState::Met, "no SLA".to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdowns_read_at_a_glance() {
        for (ms, text) in [
            (0, "0s"),
            (45_000, "45s"),
            (725_000, "12m 05s"),
            (3 * 3_600_000 + 4 * 60_000, "3h 04m"),
            (2 * 86_400_000 + 5 * 3_600_000, "2d 5h"),
            (-725_000, "-12m 05s"),
        ] {
            assert_eq!(countdown(ms), text, "{ms}");
        }
    }

    #[test]
    fn clocks_turn_soon_then_breached() {
        let clock = Clock {
            due_ms: Some(1_000_000),
            stopped_ms: None,
        };
        assert_eq!(clock.read(0).0, ClockState::Running);
        assert_eq!(clock.read(1_000_000 - SOON_MS + 1).0, ClockState::Soon);
        let (state, text) = clock.read(1_000_000 + 61_000);
        assert_eq!(
            (state, text.as_str()),
            (ClockState::Breached, "1m 01s overdue")
        );
        let stopped = Clock {
            due_ms: None,
            stopped_ms: Some(5),
        };
        assert_eq!(stopped.read(10).0, ClockState::Met);
    }
}
