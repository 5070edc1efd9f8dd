//! The widget's strings, English by default plus German, chosen by the page's
//! locale (or the site's). Every text the user reads comes from here.

/// All user-visible strings.
#[derive(Debug, Clone, Copy)]
pub struct Strings {
    /// Launcher label when closed.
    pub open: &'static str,
    /// Close button label.
    pub close: &'static str,
    /// Panel title.
    pub title: &'static str,
    /// Question box label.
    pub ask: &'static str,
    /// Shown while waiting for answers.
    pub searching: &'static str,
    /// No answer found.
    pub no_answers: &'static str,
    /// Badge of a high-confidence answer.
    pub likely: &'static str,
    /// Back button.
    pub back: &'static str,
    /// Open the full article.
    pub read_more: &'static str,
    /// "This solved it".
    pub solved: &'static str,
    /// Thanks after "this solved it".
    pub thanks: &'static str,
    /// "Talk to a person".
    pub talk: &'static str,
    /// Escalation form heading.
    pub form_title: &'static str,
    /// What the form already knows.
    pub we_know: &'static str,
    /// Field: what the user was trying to do.
    pub goal: &'static str,
    /// Field: email, only when not identified.
    pub email: &'static str,
    /// Send button.
    pub send: &'static str,
    /// Reply box label.
    pub reply: &'static str,
    /// A call failed.
    pub failed: &'static str,
    /// A message did not go out.
    pub not_sent: &'static str,
    /// Retry button.
    pub retry: &'static str,
    /// Nudge heading.
    pub nudge: &'static str,
    /// CSAT question.
    pub csat: &'static str,
    /// Thanks after CSAT.
    pub csat_thanks: &'static str,
    /// Name shown for support messages without an author name.
    pub support: &'static str,
    /// Context line label: page.
    pub page: &'static str,
    /// Context line label: error.
    pub error: &'static str,
    /// Context line label: answers already tried.
    pub tried: &'static str,
}

/// English.
pub const EN: Strings = Strings {
    open: "Open help",
    close: "Close help",
    title: "How can we help?",
    ask: "Describe what you are trying to do",
    searching: "Looking for answers…",
    no_answers: "No answer yet. A person can help.",
    likely: "Likely fix",
    back: "Back",
    read_more: "Open the full article",
    solved: "This solved it",
    thanks: "Glad that helped!",
    talk: "Talk to a person",
    form_title: "Talk to a person",
    we_know: "We will send this along, so you don't have to repeat it:",
    goal: "What were you trying to do?",
    email: "Your email, so we can reply",
    send: "Send",
    reply: "Write a reply",
    failed: "That did not work. Please try again.",
    not_sent: "Not sent.",
    retry: "Retry",
    nudge: "Stuck? These might help with this page:",
    csat: "How did we do?",
    csat_thanks: "Thank you for your feedback.",
    support: "Support",
    page: "Page",
    error: "Error",
    tried: "Already tried",
};

/// German.
pub const DE: Strings = Strings {
    open: "Hilfe öffnen",
    close: "Hilfe schließen",
    title: "Wie können wir helfen?",
    ask: "Beschreiben Sie, was Sie tun möchten",
    searching: "Suche nach Antworten…",
    no_answers: "Noch keine Antwort. Eine Person kann helfen.",
    likely: "Wahrscheinliche Lösung",
    back: "Zurück",
    read_more: "Ganzen Artikel öffnen",
    solved: "Das hat geholfen",
    thanks: "Schön, dass es geholfen hat!",
    talk: "Mit einer Person sprechen",
    form_title: "Mit einer Person sprechen",
    we_know: "Das senden wir mit, damit Sie es nicht wiederholen müssen:",
    goal: "Was wollten Sie tun?",
    email: "Ihre E-Mail für die Antwort",
    send: "Senden",
    reply: "Antwort schreiben",
    failed: "Das hat nicht geklappt. Bitte erneut versuchen.",
    not_sent: "Nicht gesendet.",
    retry: "Erneut senden",
    nudge: "Kommen Sie nicht weiter? Das könnte auf dieser Seite helfen:",
    csat: "Wie zufrieden waren Sie?",
    csat_thanks: "Danke für Ihre Rückmeldung.",
    support: "Support",
    page: "Seite",
    error: "Fehler",
    tried: "Bereits versucht",
};

/// The strings for a locale tag (`de`, `de-AT`, `en-GB`); English otherwise.
pub fn for_locale(locale: &str) -> &'static Strings {
    let language = locale.split(['-', '_']).next().unwrap_or_default();
    if language.eq_ignore_ascii_case("de") {
        &DE
    } else {
        &EN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_pages_get_german_strings_and_others_english() {
        assert_eq!(for_locale("de-AT").send, "Senden");
        assert_eq!(for_locale("DE").send, "Senden");
        assert_eq!(for_locale("fr-FR").send, "Send");
        assert_eq!(for_locale("").send, "Send");
    }
}
