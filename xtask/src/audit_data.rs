//! A generated helpdesk history for `cargo xtask bench audit` and the audit screenshot:
//! tickets in Zendesk, Freshdesk and Intercom exports over 26 weeks, twenty problems
//! with their own volume, trend, team, resolution time and escalation rate, transfers
//! between teams and bounces, unresolved tickets, a few broken records, and articles that
//! answer some of the problems. Deterministic: the same count gives the same files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::{Value, json};

/// 2024-01-01T00:00:00Z, a Monday: the first day of the history.
const START_SECONDS: i64 = 1_704_067_200;
const WEEKS: i64 = 26;
const TEAMS: [&str; 5] = ["Billing", "Tech", "Accounts", "Payments", "Tier 2"];

/// One problem customers write about.
struct Problem {
    subjects: [&'static str; 3],
    body: &'static str,
    team: usize,
    weight: f64,
    /// Volume change over the period: 1.0 steady, 3.0 three times as many at the end.
    growth: f64,
    median_hours: f64,
    escalation: f64,
    article: Option<&'static str>,
}

const PROBLEMS: &[Problem] = &[
    Problem {
        subjects: [
            "Invoice download fails with E502",
            "Cannot download invoice PDF, error E502",
            "E502 when downloading an invoice",
        ],
        body: "When I click Download PDF on an invoice I get error E502.",
        team: 0,
        weight: 9.0,
        growth: 2.5,
        median_hours: 6.0,
        escalation: 0.12,
        article: Some("Invoice download fails with error E502"),
    },
    Problem {
        subjects: [
            "Password reset email never arrives",
            "No password reset email",
            "Reset password email not received",
        ],
        body: "I asked for a password reset but the email never arrives in my inbox.",
        team: 2,
        weight: 8.0,
        growth: 1.0,
        median_hours: 2.0,
        escalation: 0.02,
        article: Some("The password reset email does not arrive"),
    },
    Problem {
        subjects: [
            "Card payment declined at checkout",
            "Checkout says my card was declined",
            "Payment fails with card declined",
        ],
        body: "My card is declined at checkout with payment_intent_failed although it works elsewhere.",
        team: 3,
        weight: 7.0,
        growth: 1.2,
        median_hours: 4.0,
        escalation: 0.15,
        article: Some("Card declined at checkout: approve 3-D Secure"),
    },
    Problem {
        subjects: [
            "Two-factor codes are rejected",
            "2FA code not accepted",
            "Authenticator code invalid when signing in",
        ],
        body: "The two-factor code from my authenticator app is rejected as invalid when I sign in.",
        team: 2,
        weight: 6.0,
        growth: 0.6,
        median_hours: 3.0,
        escalation: 0.05,
        article: Some("Two-factor codes rejected: sync your phone's clock"),
    },
    Problem {
        subjects: [
            "CSV export times out",
            "Export to CSV never finishes",
            "Large CSV export fails with timeout",
        ],
        body: "Exporting contacts to CSV spins and then fails with a gateway timeout for large lists.",
        team: 1,
        weight: 6.0,
        growth: 1.8,
        median_hours: 30.0,
        escalation: 0.25,
        article: None,
    },
    Problem {
        subjects: [
            "Charged twice for the subscription",
            "Double charge on my card",
            "Subscription billed two times",
        ],
        body: "I was charged twice for my monthly subscription this month, please refund one charge.",
        team: 0,
        weight: 5.0,
        growth: 1.0,
        median_hours: 20.0,
        escalation: 0.2,
        article: None,
    },
    Problem {
        subjects: [
            "Webhook deliveries fail with 401",
            "Our webhook endpoint gets 401 Unauthorized",
            "Webhook signature rejected",
        ],
        body: "Webhook deliveries to our endpoint fail with 401 because the signature does not verify.",
        team: 1,
        weight: 4.5,
        growth: 1.4,
        median_hours: 40.0,
        escalation: 0.3,
        article: Some("Verifying webhook signatures"),
    },
    Problem {
        subjects: [
            "Cannot log in with single sign-on",
            "SSO login loops back to the login page",
            "SAML sign-in fails",
        ],
        body: "Single sign-on redirects me back to the login page every time I try to sign in.",
        team: 2,
        weight: 4.0,
        growth: 0.5,
        median_hours: 26.0,
        escalation: 0.35,
        article: None,
    },
    Problem {
        subjects: [
            "How do I change my billing address",
            "Update the address on invoices",
            "Change company address on invoice",
        ],
        body: "How do I change the billing address printed on my invoices?",
        team: 0,
        weight: 4.0,
        growth: 1.0,
        median_hours: 1.0,
        escalation: 0.0,
        article: Some("Change the billing address on invoices"),
    },
    Problem {
        subjects: [
            "Dashboard is blank after update",
            "Dashboard shows a white page",
            "Blank dashboard since the new release",
        ],
        body: "Since the last release the dashboard shows a blank white page with TypeError: total is undefined.",
        team: 1,
        weight: 3.5,
        growth: 4.0,
        median_hours: 50.0,
        escalation: 0.4,
        article: None,
    },
    Problem {
        subjects: [
            "Add a teammate to our account",
            "Invite a new user to the workspace",
            "How to invite colleagues",
        ],
        body: "How can I invite a new teammate to our workspace and give them access?",
        team: 2,
        weight: 3.5,
        growth: 1.0,
        median_hours: 1.5,
        escalation: 0.0,
        article: Some("Invite teammates to your workspace"),
    },
    Problem {
        subjects: [
            "Refund for an annual plan",
            "Request a refund after upgrading",
            "Cancel and refund annual subscription",
        ],
        body: "I upgraded to the annual plan by mistake and would like a refund.",
        team: 0,
        weight: 3.0,
        growth: 1.0,
        median_hours: 28.0,
        escalation: 0.1,
        article: None,
    },
    Problem {
        subjects: [
            "API rate limit 429 errors",
            "Too many requests from the API",
            "Getting HTTP 429 from the REST API",
        ],
        body: "Our integration gets HTTP 429 Too Many Requests from the API even at low volume.",
        team: 1,
        weight: 3.0,
        growth: 1.5,
        median_hours: 22.0,
        escalation: 0.2,
        article: Some("API rate limits and 429 answers"),
    },
    Problem {
        subjects: [
            "Mobile app crashes on start",
            "iOS app closes immediately",
            "App crashes when opening",
        ],
        body: "The mobile app crashes immediately after opening on iOS 17.",
        team: 1,
        weight: 2.5,
        growth: 0.4,
        median_hours: 60.0,
        escalation: 0.3,
        article: None,
    },
    Problem {
        subjects: [
            "Delete my account and data",
            "GDPR deletion request",
            "Please remove all my personal data",
        ],
        body: "Please delete my account and all personal data you hold about me.",
        team: 2,
        weight: 2.5,
        growth: 1.0,
        median_hours: 48.0,
        escalation: 0.05,
        article: None,
    },
    Problem {
        subjects: [
            "Bank transfer payment not matched",
            "Paid by bank transfer but invoice still open",
            "Wire transfer not applied to invoice",
        ],
        body: "We paid the invoice by bank transfer last week but it still shows as open.",
        team: 3,
        weight: 2.0,
        growth: 1.0,
        median_hours: 36.0,
        escalation: 0.1,
        article: None,
    },
    Problem {
        subjects: [
            "Calendar sync stopped working",
            "Google Calendar no longer syncs",
            "Events missing from calendar sync",
        ],
        body: "The Google Calendar integration stopped syncing new events two days ago.",
        team: 1,
        weight: 2.0,
        growth: 2.0,
        median_hours: 18.0,
        escalation: 0.15,
        article: None,
    },
    Problem {
        subjects: [
            "VAT number missing on invoice",
            "Add VAT ID to invoices",
            "Invoice without our VAT number",
        ],
        body: "Our VAT number is missing on the invoice, we need it for accounting.",
        team: 0,
        weight: 2.0,
        growth: 1.0,
        median_hours: 3.0,
        escalation: 0.0,
        article: Some("Add your VAT number to invoices"),
    },
    Problem {
        subjects: [
            "Search returns no results",
            "Search finds nothing",
            "Search broken for older records",
        ],
        body: "Search returns no results for records older than a month.",
        team: 1,
        weight: 1.5,
        growth: 1.0,
        median_hours: 45.0,
        escalation: 0.2,
        article: None,
    },
    Problem {
        subjects: [
            "Change plan to monthly billing",
            "Switch from annual to monthly",
            "Downgrade to the monthly plan",
        ],
        body: "How do I switch our subscription from annual to monthly billing?",
        team: 0,
        weight: 1.5,
        growth: 0.8,
        median_hours: 2.0,
        escalation: 0.0,
        article: None,
    },
];

const CONTEXT: [&str; 8] = [
    "",
    " This started this morning.",
    " We are on the Business plan.",
    " I tried Chrome and Firefox.",
    " It is urgent for our team.",
    " Thanks for your help.",
    " Several colleagues see the same.",
    " It worked last week.",
];

/// A small deterministic generator (SplitMix64).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// One generated ticket, before it is written in a helpdesk's shape.
struct Ticket {
    number: usize,
    subject: String,
    body: String,
    created: i64,
    resolved: Option<i64>,
    teams: Vec<usize>,
    agents: Vec<usize>,
    escalated: bool,
}

fn rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let (year, month, day) = civil(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

fn civil(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

fn generate(count: usize) -> Vec<Ticket> {
    let mut random = Random(0x5EED_A0D1);
    let period = WEEKS * 7 * 86_400;
    let end = START_SECONDS + period;
    let mut tickets = Vec::with_capacity(count);
    for number in 0..count {
        // Pick the time first, then a problem weighted by its volume at that time.
        let created = START_SECONDS + (random.unit() * period as f64) as i64;
        let progress = (created - START_SECONDS) as f64 / period as f64;
        let weights: Vec<f64> = PROBLEMS
            .iter()
            .map(|p| p.weight * (1.0 + (p.growth - 1.0) * progress))
            .collect();
        let mut pick = random.unit() * weights.iter().sum::<f64>();
        let mut index = 0;
        while index + 1 < weights.len() && pick >= weights[index] {
            pick -= weights[index];
            index += 1;
        }
        let problem = &PROBLEMS[index];
        let subject = problem.subjects[random.below(3)].to_owned();
        let body = format!("{}{}", problem.body, CONTEXT[random.below(CONTEXT.len())]);
        let mut teams = vec![problem.team];
        let roll = random.unit();
        if roll < 0.18 {
            let other = (problem.team + 1 + random.below(TEAMS.len() - 1)) % TEAMS.len();
            teams.push(other);
            if roll < 0.06 {
                teams.push(problem.team);
            }
        }
        let mut agents = vec![random.below(12)];
        if random.unit() < 0.22 {
            agents.push((agents[0] + 1 + random.below(11)) % 12);
        }
        let escalated = random.unit() < problem.escalation || teams.contains(&4);
        let hours = problem.median_hours * (0.9 * random.normal()).exp();
        let resolved_at = created + (hours * 3_600.0) as i64;
        // Recent tickets are more often still open.
        let open_chance =
            0.05 + 0.5 * ((created - (end - 14 * 86_400)) as f64 / (14.0 * 86_400.0)).max(0.0);
        let resolved = (resolved_at < end && random.unit() >= open_chance).then_some(resolved_at);
        tickets.push(Ticket {
            number,
            subject,
            body,
            created,
            resolved,
            teams,
            agents,
            escalated,
        });
    }
    tickets
}

fn zendesk(tickets: &[&Ticket]) -> Value {
    let mut records: Vec<Value> = tickets
        .iter()
        .map(|ticket| {
            let mut audits = vec![json!({"created_at": rfc3339(ticket.created), "events": [
                {"type": "Create", "field_name": "group_id", "value": (ticket.teams[0] + 1).to_string()},
                {"type": "Create", "field_name": "assignee_id", "value": (100 + ticket.agents[0]).to_string()}]})];
            for (step, pair) in ticket.teams.windows(2).enumerate() {
                audits.push(json!({"created_at": rfc3339(ticket.created + 600 * (step as i64 + 1)), "events": [
                    {"type": "Change", "field_name": "group_id", "value": (pair[1] + 1).to_string(), "previous_value": (pair[0] + 1).to_string()}]}));
            }
            if let [first, second, ..] = ticket.agents.as_slice() {
                audits.push(json!({"created_at": rfc3339(ticket.created + 1_800), "events": [
                    {"type": "Change", "field_name": "assignee_id", "value": (100 + second).to_string(), "previous_value": (100 + first).to_string()}]}));
            }
            let mut tags = vec!["web".to_owned()];
            if ticket.escalated {
                tags.push("escalated".to_owned());
            }
            json!({
                "id": 100_000 + ticket.number,
                "subject": ticket.subject,
                "description": ticket.body,
                "status": if ticket.resolved.is_some() { "solved" } else { "open" },
                "requester_id": 50_000 + ticket.number,
                "group_id": ticket.teams.last().map(|team| team + 1),
                "tags": tags,
                "created_at": rfc3339(ticket.created),
                "updated_at": rfc3339(ticket.resolved.unwrap_or(ticket.created) + 3_600),
                "metric_set": {"solved_at": ticket.resolved.map(rfc3339)},
                "audits": audits,
            })
        })
        .collect();
    // Records an export really holds now and then: no creation time, a repeated id.
    records.push(json!({"id": 99_999_001, "subject": "Lost in migration", "status": "open", "requester_id": 1}));
    records.push(json!({"id": 99_999_002, "subject": "Also lost", "status": "solved", "requester_id": 1, "created_at": "unknown"}));
    if let Some(first) = records.first().cloned() {
        records.push(first);
    }
    let groups: Vec<Value> = TEAMS
        .iter()
        .enumerate()
        .map(|(index, name)| json!({"id": index + 1, "name": name}))
        .collect();
    json!({"tickets": records, "groups": groups, "users": [], "count": tickets.len()})
}

fn freshdesk(tickets: &[&Ticket]) -> Value {
    let mut records: Vec<Value> = tickets
        .iter()
        .map(|ticket| {
            json!({
                "id": 200_000 + ticket.number,
                "subject": ticket.subject,
                "description_text": ticket.body,
                "status": if ticket.resolved.is_some() { 4 } else { 2 },
                "requester_id": 60_000 + ticket.number,
                "responder_id": 300 + ticket.agents.last().copied().unwrap_or(0),
                "group_id": ticket.teams.last().map(|team| team + 1),
                "tags": [],
                "is_escalated": ticket.escalated,
                "fr_escalated": false,
                "created_at": rfc3339(ticket.created),
                "updated_at": rfc3339(ticket.resolved.unwrap_or(ticket.created) + 7_200),
                "stats": {"resolved_at": ticket.resolved.map(rfc3339)},
            })
        })
        .collect();
    records.push(json!({"subject": "No id", "status": 2, "created_at": rfc3339(START_SECONDS)}));
    Value::Array(records)
}

/// Intercom as JSON lines, with one line cut short.
fn intercom(tickets: &[&Ticket]) -> String {
    let mut out = String::new();
    for ticket in tickets {
        let mut parts = Vec::new();
        for (step, team) in ticket.teams.iter().enumerate() {
            parts.push(json!({"part_type": "assignment", "created_at": ticket.created + 60 * step as i64,
                "assigned_to": {"type": "team", "id": (team + 1).to_string()}, "author": {"type": "admin", "id": "1"}}));
        }
        for (step, agent) in ticket.agents.iter().enumerate() {
            parts.push(json!({"part_type": "assignment", "created_at": ticket.created + 900 + 60 * step as i64,
                "assigned_to": {"type": "admin", "id": (700 + agent).to_string()}, "author": {"type": "admin", "id": "1"}}));
        }
        let tags: Vec<Value> = if ticket.escalated {
            vec![json!({"type": "tag", "name": "Escalated to engineering"})]
        } else {
            Vec::new()
        };
        let conversation = json!({
            "type": "conversation",
            "id": (300_000 + ticket.number).to_string(),
            "title": ticket.subject,
            "created_at": ticket.created,
            "updated_at": ticket.resolved.unwrap_or(ticket.created) + 600,
            "state": if ticket.resolved.is_some() { "closed" } else { "open" },
            "source": {"type": "conversation", "body": format!("<p>{}</p>", ticket.body), "author": {"type": "user", "id": "u"}},
            "statistics": {"last_close_at": ticket.resolved},
            "tags": {"type": "tag.list", "tags": tags},
            "conversation_parts": {"type": "conversation_part.list", "conversation_parts": parts},
        });
        let _ = writeln!(out, "{conversation}");
    }
    out.push_str("{\"type\": \"conversation\", \"id\": \"cut-short\", \"created_at\": 17\n");
    out
}

fn articles() -> String {
    let mut out = String::new();
    for (index, problem) in PROBLEMS.iter().enumerate() {
        let Some(title) = problem.article else {
            continue;
        };
        let article = json!({
            "id": format!("kb-{index}"),
            "kind": "article",
            "title": title,
            "body": format!("{} {}", problem.subjects[0], problem.body),
            "answers": [format!("How to fix it: {title}.")],
        });
        let _ = writeln!(out, "{article}");
    }
    out
}

/// The files written.
pub struct Generated {
    /// The three exports.
    pub exports: Vec<PathBuf>,
    /// Articles in the Waymark JSONL format.
    pub articles: PathBuf,
}

/// Writes `count` tickets as three exports (half Zendesk, three tenths Freshdesk, the rest
/// Intercom) and the articles into `dir`.
pub fn write(dir: &Path, count: usize) -> anyhow::Result<Generated> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tickets = generate(count);
    let (mut zendesk_tickets, mut freshdesk_tickets, mut intercom_tickets) =
        (Vec::new(), Vec::new(), Vec::new());
    for ticket in &tickets {
        match ticket.number % 10 {
            0..=4 => zendesk_tickets.push(ticket),
            5..=7 => freshdesk_tickets.push(ticket),
            _ => intercom_tickets.push(ticket),
        }
    }
    let write = |name: &str, text: String| -> anyhow::Result<PathBuf> {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    };
    let exports = vec![
        write(
            "zendesk-tickets.json",
            zendesk(&zendesk_tickets).to_string(),
        )?,
        write(
            "freshdesk-tickets.json",
            freshdesk(&freshdesk_tickets).to_string(),
        )?,
        write("intercom-conversations.jsonl", intercom(&intercom_tickets))?,
    ];
    let articles = write("articles.jsonl", articles())?;
    Ok(Generated { exports, articles })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339(START_SECONDS), "2024-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_287_200), "2024-03-01T10:00:00Z");
    }

    #[test]
    fn the_history_is_deterministic() {
        let first: Vec<(i64, String)> = generate(50)
            .into_iter()
            .map(|t| (t.created, t.subject))
            .collect();
        let second: Vec<(i64, String)> = generate(50)
            .into_iter()
            .map(|t| (t.created, t.subject))
            .collect();
        assert_eq!(first, second);
    }
}
