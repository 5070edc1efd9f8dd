//! Keyboard shortcuts: one key, one action, the same everywhere outside text
//! fields. The help overlay (`?`) lists [`SHORTCUTS`].

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    /// `j`: next ticket in the queue.
    Next,
    /// `k`: previous ticket.
    Previous,
    /// `o` or Enter: open the selected ticket.
    Open,
    /// `r`: reply.
    Reply,
    /// `n`: internal note.
    Note,
    /// `a`: acknowledge.
    Acknowledge,
    /// `e`: escalate.
    Escalate,
    /// `s`: resolve (solve).
    Resolve,
    /// `g`: back to the queue.
    Queue,
    /// `?`: this help.
    Help,
    /// Escape: close a dialog or the help.
    Close,
}

/// Every shortcut with its key and what it does, for the help overlay.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("j / k", "Next / previous ticket"),
    ("o or Enter", "Open the selected ticket"),
    ("r", "Reply to the customer"),
    ("n", "Internal note"),
    ("a", "Acknowledge"),
    ("e", "Escalate"),
    ("s", "Resolve"),
    ("g", "Back to the queue"),
    ("?", "Show this help"),
    ("Esc", "Close"),
];

/// The shortcut of a key press; `None` for other keys, for keys with Ctrl, Alt
/// or Meta held, and for typing inside a text field.
pub fn shortcut(key: &str, modified: bool, in_text_field: bool) -> Option<Shortcut> {
    if key == "Escape" {
        return Some(Shortcut::Close);
    }
    if modified || in_text_field {
        return None;
    }
    Some(match key {
        "j" => Shortcut::Next,
        "k" => Shortcut::Previous,
        "o" | "Enter" => Shortcut::Open,
        "r" => Shortcut::Reply,
        "n" => Shortcut::Note,
        "a" => Shortcut::Acknowledge,
        "e" => Shortcut::Escalate,
        "s" => Shortcut::Resolve,
        "g" => Shortcut::Queue,
        "?" => Shortcut::Help,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_act_only_outside_text_fields_and_without_modifiers() {
        assert_eq!(shortcut("r", false, false), Some(Shortcut::Reply));
        assert_eq!(shortcut("r", false, true), None, "typing an r in a reply");
        assert_eq!(shortcut("r", true, false), None, "Ctrl+R reloads");
        assert_eq!(shortcut("Escape", false, true), Some(Shortcut::Close));
        assert_eq!(shortcut("x", false, false), None);
    }
}
