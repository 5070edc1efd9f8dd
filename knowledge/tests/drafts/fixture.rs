//! Thirty hand-made resolved tickets about four known problems, and two published
//! articles: one that duplicates a problem, one that contradicts another.

use waymark_knowledge::drafts::PublishedArticle;
use waymark_knowledge::ticket::{AuthorKind, Message, Resolution, ResolvedTicket, TicketId};

const DAY_MS: i64 = 86_400_000;
const START_MS: i64 = 1_767_225_600_000;

/// One known problem: how its tickets look.
struct Problem {
    area: &'static str,
    subjects: &'static [&'static str],
    routes: &'static [&'static str],
    errors: &'static [&'static str],
    fingerprints: &'static [&'static str],
    causes: &'static [&'static str],
    fixes: &'static [&'static str],
    environments: &'static [&'static str],
    versions: &'static [&'static str],
}

pub const EXPORT: usize = 0;
pub const RESET: usize = 1;
pub const CARD: usize = 2;
pub const WIDGET: usize = 3;

const PROBLEMS: [Problem; 4] = [
    Problem {
        area: "reports",
        subjects: &[
            "CSV export of the sales report times out",
            "Export never finishes for big reports",
            "Report export fails after 30 seconds",
            "Can't export my yearly report to CSV",
            "Timeout when exporting a report",
            "Export button spins then shows an error",
            "Large CSV export fails",
            "Exporting the revenue report to CSV fails",
        ],
        routes: &[
            "/reports/1042/export",
            "/reports/77/export",
            "/reports/5/export",
        ],
        errors: &["Export failed: ERR_EXPORT_TIMEOUT"],
        fingerprints: &["fp-export-timeout"],
        causes: &[
            "Reports with more than 50,000 rows exceed the 30 second export timeout.",
            "Reports with more than 50,000 rows exceed the 30 second export timeout",
            "reports over 50,000 rows exceed the 30 second export timeout.",
        ],
        fixes: &[
            "1. Filter the report to a smaller date range.\n2. Export each range separately.\n3. Merge the CSV files afterwards.",
            "1. Filter the report to a smaller date range.\n2. Export each range separately.",
            "- Filter the report to a smaller date range\n- Export each range separately\n- Merge the CSV files afterwards",
        ],
        environments: &["Chrome 131", "Firefox 133"],
        versions: &["2.3.1"],
    },
    Problem {
        area: "account",
        subjects: &[
            "Password reset email never arrives",
            "I don't get the reset password mail",
            "No email after clicking forgot password",
            "Reset link email missing",
            "Forgot password email not received",
            "Password reset mail does not come through",
            "Not receiving password reset emails",
        ],
        routes: &["/login/reset"],
        errors: &[],
        fingerprints: &[],
        causes: &[
            "The company's spam filter blocks mail from no-reply@waymark.example.",
            "Corporate spam filter blocks mail from no-reply@waymark.example",
        ],
        fixes: &[
            "Ask your IT team to allowlist no-reply@waymark.example. Then request a new reset link from the login page.",
            "Ask your IT team to allowlist no-reply@waymark.example.\nRequest a new reset link from the login page.",
        ],
        environments: &["Outlook 365"],
        versions: &["2.3.0", "2.3.1"],
    },
    Problem {
        area: "billing",
        subjects: &[
            "Card declined when upgrading to Pro",
            "Upgrade fails with card declined",
            "Payment failed during plan upgrade",
            "My card keeps getting declined on upgrade",
            "Cannot upgrade, card_declined error",
            "Upgrade to the team plan rejects my card",
            "Card declined on the billing upgrade page",
            "Payment declined while upgrading plan",
        ],
        routes: &["/billing/upgrade"],
        errors: &["Payment failed: card_declined"],
        fingerprints: &["fp-card-declined"],
        causes: &[
            "The bank declined the payment because the 3-D Secure check was not completed.",
            "The 3-D Secure check was not completed so the bank declined the payment.",
        ],
        fixes: &[
            "1. Open Billing > Payment methods and update the card.\n2. Complete the 3-D Secure prompt from your bank.\n3. Retry the upgrade.",
            "Open Billing > Payment methods and update the card. Complete the 3-D Secure prompt from your bank. Retry the upgrade.",
        ],
        environments: &["Safari 18"],
        versions: &["2.3.1"],
    },
    Problem {
        area: "widget",
        subjects: &[
            "Help widget does not show on our site",
            "Widget not loading on production",
            "The support widget is invisible on our pages",
            "Widget script blocked in browser console",
            "Chat widget missing after deploy",
            "Widget does not appear on the website",
            "Embedded widget won't load",
        ],
        routes: &["/settings/widget"],
        errors: &[
            "Refused to load the script because it violates the Content Security Policy directive script-src",
        ],
        fingerprints: &["fp-csp-blocked"],
        causes: &[
            "The site's Content-Security-Policy header does not allow the widget host in script-src.",
        ],
        fixes: &[
            "1. Add the widget host to script-src in your Content-Security-Policy header.\n2. Deploy the header change.\n3. Reload the page and open the widget.",
            "Add the widget host to script-src in your Content-Security-Policy header. Deploy the header change. Reload the page and open the widget.",
        ],
        environments: &["Chrome 131"],
        versions: &["2.2.0", "2.3.1"],
    },
];

fn pick(values: &[&str], index: usize) -> Vec<String> {
    values
        .get(index % values.len().max(1))
        .map(|value| vec![value.to_string()])
        .unwrap_or_default()
}

/// The thirty tickets: 8 export, 7 reset, 8 card, 7 widget, interleaved by date.
pub fn tickets() -> Vec<ResolvedTicket> {
    let mut tickets = Vec::new();
    let mut day = 0;
    for (problem_index, problem) in PROBLEMS.iter().enumerate() {
        for (index, subject) in problem.subjects.iter().enumerate() {
            day += 1;
            let cause = problem.causes[index % problem.causes.len()];
            let fix = problem.fixes[index % problem.fixes.len()];
            let messages = vec![
                Message {
                    author: AuthorKind::Customer,
                    text: format!("{subject}. Please help!"),
                },
                Message {
                    author: AuthorKind::Bot,
                    text: "Try reinstalling the browser extension and clearing all cookies.".into(),
                },
                Message {
                    author: AuthorKind::Agent,
                    text: format!("Thanks for reaching out! {}", fix.replace('\n', " ")),
                },
            ];
            tickets.push(ResolvedTicket {
                id: TicketId(format!("t-{problem_index}-{index:02}")),
                subject: subject.to_string(),
                problem: format!("{subject}. It started this week."),
                messages,
                resolution: Some(Resolution {
                    root_cause: cause.to_string(),
                    fix: fix.to_string(),
                    environment: problem.environments[index % problem.environments.len()].into(),
                    version: problem.versions[index % problem.versions.len()].into(),
                }),
                routes: pick(problem.routes, index),
                error_messages: pick(problem.errors, index),
                fingerprints: pick(problem.fingerprints, index),
                product_area: Some(problem.area.to_string()),
                resolved_at_ms: START_MS + ((day * 7) % 30) * DAY_MS,
                link: Some(format!(
                    "https://support.example/tickets/t-{problem_index}-{index:02}"
                )),
            });
        }
    }
    tickets
}

/// The known problem of a fixture ticket.
pub fn problem_of(ticket: &ResolvedTicket) -> usize {
    ticket.id.0[2..3].parse().unwrap_or(usize::MAX)
}

/// Published articles: one duplicating the export problem, one contradicting the
/// card problem (same symptoms, a different fix), one unrelated.
pub fn articles() -> Vec<PublishedArticle> {
    vec![
        PublishedArticle {
            id: "kb-export".into(),
            title: "CSV export of a large report times out".into(),
            body: "Reports with more than 50,000 rows exceed the 30 second export timeout \
                   (ERR_EXPORT_TIMEOUT). Filter the report to a smaller date range, export each \
                   range separately and merge the CSV files afterwards."
                .into(),
            error_messages: vec!["Export failed: ERR_EXPORT_TIMEOUT".into()],
            routes: vec!["/reports/:id/export".into()],
            ..PublishedArticle::default()
        },
        PublishedArticle {
            id: "kb-card".into(),
            title: "Upgrading with a declined card".into(),
            body: "If the upgrade says card_declined, contact your account manager to switch \
                   to invoice billing."
                .into(),
            error_messages: vec!["Payment failed: card_declined".into()],
            fingerprints: vec!["fp-card-declined".into()],
            routes: vec!["/billing/upgrade".into()],
            fix: "Contact your account manager to switch to invoice billing.".into(),
            ..PublishedArticle::default()
        },
        PublishedArticle {
            id: "kb-sso".into(),
            title: "Setting up single sign-on with Okta".into(),
            body: "Open Settings > Security, choose SAML and paste the Okta metadata URL.".into(),
            routes: vec!["/settings/security".into()],
            ..PublishedArticle::default()
        },
    ]
}
