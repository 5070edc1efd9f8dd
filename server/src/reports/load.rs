//! What the reports read, in bounded scans: the period's tickets (with their
//! customer turns, CSAT and the trail entries the metrics look at), the early
//! warnings raised on them, and the period's suggestion sets with whether one of
//! their answers solved it and whether the session needed a person afterwards.
//!
//! Every scan reads at most a fixed number of rows, oldest first; when a period
//! holds more, the scan stops at a whole millisecond and the report says which
//! part of the period it covers.

use sqlx::Row;

use super::Period;
use crate::storage::escalation::AlertState;
use crate::storage::{Store, StoreError, parse_enum, parse_json};

/// At most this many tickets feed one report.
pub const MAX_TICKETS: usize = 20_000;
/// At most this many suggestion sets feed one report.
pub const MAX_SUGGESTION_SETS: usize = 50_000;

/// The trail actions the reports read (the rest are conversation detail).
pub const REPORTED_ACTIONS: &[&str] = &[
    "escalated",
    "transferred",
    "acknowledged",
    "resolved",
    "reopened",
    "sla_breached",
    "early_warning",
];

/// A ticket as the reports see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTicket {
    /// Its id.
    pub id: String,
    /// Its conversation.
    pub conversation_id: String,
    /// Subject line (for examples).
    pub subject: String,
    /// The tier it is at now (the highest it reached: escalations only go up).
    pub tier: String,
    /// Its team, if any.
    pub team: Option<String>,
    /// Its owner, if any.
    pub owner: Option<String>,
    /// Its lifecycle stage now.
    pub stage: waymark_core::domain::LifecycleStage,
    /// Whether it was ever escalated above the first tier.
    pub escalated: bool,
    /// Created.
    pub created_at_ms: i64,
    /// Resolved (while it stays resolved).
    pub resolved_at_ms: Option<i64>,
    /// The route of the page the conversation started on.
    pub route: Option<String>,
    /// Messages the customer wrote.
    pub customer_turns: i64,
    /// The customer's rating, 1 to 5.
    pub csat: Option<i64>,
    /// Its trail entries of [`REPORTED_ACTIONS`], oldest first.
    pub trail: Vec<ReportTrail>,
}

/// One trail entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTrail {
    /// When.
    pub at_ms: i64,
    /// Who (`rule:<id>`, `agent:<id>`, `system`, `customer`).
    pub actor: String,
    /// What.
    pub action: String,
    /// Details.
    pub detail: serde_json::Value,
}

/// An early warning on one of the period's tickets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportAlert {
    /// The ticket.
    pub ticket_id: String,
    /// Which warning (`sentiment_shift`, …).
    pub kind: String,
    /// What agents decided.
    pub state: AlertState,
    /// Raised.
    pub created_at_ms: i64,
}

/// One suggestion set shown in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSuggestionSet {
    /// The route it was asked from.
    pub route: Option<String>,
    /// Shown.
    pub at_ms: i64,
    /// A user said one of its answers solved it.
    pub solved: bool,
    /// The session opened a ticket at or after the set was shown.
    pub escalated_after: bool,
}

/// Everything one report reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportData {
    /// The tickets created in `tickets_until_ms`'s part of the period.
    pub tickets: Vec<ReportTicket>,
    /// Where the ticket scan stopped (the period's end unless it held too many).
    pub tickets_until_ms: i64,
    /// The early warnings on those tickets.
    pub alerts: Vec<ReportAlert>,
    /// Suggestion sets shown in the period, up to `sets_until_ms`.
    pub suggestion_sets: Vec<ReportSuggestionSet>,
    /// Where the suggestion scan stopped.
    pub sets_until_ms: i64,
}

impl ReportData {
    /// Whether a scan stopped before the period's end.
    pub fn truncated(&self, period: Period) -> bool {
        self.tickets_until_ms < period.to_ms || self.sets_until_ms < period.to_ms
    }
}

/// The end of a scan that read `times` (ascending) with room for `max`: the
/// period's end, or the first millisecond left out.
fn scan_end(times: &[i64], max: usize, period_end: i64) -> (usize, i64) {
    if times.len() <= max {
        return (times.len(), period_end);
    }
    let cut = times[max];
    let keep = times.partition_point(|at| *at < cut);
    (keep, cut)
}

impl Store {
    /// Reads the report data of `site_id` for `period`.
    pub async fn report_data(
        &self,
        site_id: &str,
        period: Period,
    ) -> Result<ReportData, StoreError> {
        let (tickets, tickets_until_ms) = self.report_tickets(site_id, period).await?;
        let ticket_period = Period {
            from_ms: period.from_ms,
            to_ms: tickets_until_ms,
        };
        let mut data = ReportData {
            alerts: self.report_alerts(site_id, ticket_period).await?,
            tickets,
            tickets_until_ms,
            ..ReportData::default()
        };
        let (sets, sets_until_ms) = self.report_suggestion_sets(site_id, period).await?;
        data.suggestion_sets = sets;
        data.sets_until_ms = sets_until_ms;
        Ok(data)
    }

    async fn report_tickets(
        &self,
        site_id: &str,
        period: Period,
    ) -> Result<(Vec<ReportTicket>, i64), StoreError> {
        let rows = sqlx::query(
            "SELECT t.id, t.conversation_id, t.subject, t.tier, t.team, t.owner, t.stage, t.escalated,
                t.created_at_ms, t.resolved_at_ms, c.page,
                (SELECT COUNT(*) FROM messages m WHERE m.site_id = t.site_id
                    AND m.conversation_id = t.conversation_id AND m.author = 'customer') AS turns,
                (SELECT s.score FROM csat s WHERE s.site_id = t.site_id
                    AND s.conversation_id = t.conversation_id) AS csat
             FROM tickets t
             LEFT JOIN conversations c ON c.site_id = t.site_id AND c.id = t.conversation_id
             WHERE t.site_id = $1 AND t.created_at_ms >= $2 AND t.created_at_ms < $3
             ORDER BY t.created_at_ms, t.id LIMIT $4",
        )
        .bind(site_id)
        .bind(period.from_ms)
        .bind(period.to_ms)
        .bind(i64::try_from(MAX_TICKETS + 1).unwrap_or(i64::MAX))
        .fetch_all(self.pool())
        .await?;
        let times: Vec<i64> = rows
            .iter()
            .map(|row| row.try_get::<i64, _>("created_at_ms"))
            .collect::<Result<_, _>>()?;
        let (keep, until) = scan_end(&times, MAX_TICKETS, period.to_ms);
        let mut tickets = Vec::with_capacity(keep);
        let mut index = std::collections::HashMap::with_capacity(keep);
        for row in rows.iter().take(keep) {
            const T: &str = "tickets";
            let stage: String = row.try_get("stage")?;
            let escalated: i64 = row.try_get("escalated")?;
            let page: Option<String> = row.try_get("page")?;
            let route = page
                .as_deref()
                .and_then(|page| serde_json::from_str::<serde_json::Value>(page).ok())
                .and_then(|page| {
                    page.get("route")
                        .and_then(|r| r.as_str())
                        .map(str::to_owned)
                })
                .filter(|route| !route.is_empty());
            let id: String = row.try_get("id")?;
            index.insert(id.clone(), tickets.len());
            tickets.push(ReportTicket {
                id,
                conversation_id: row.try_get("conversation_id")?,
                subject: row.try_get("subject")?,
                tier: row.try_get("tier")?,
                team: row.try_get("team")?,
                owner: row.try_get("owner")?,
                stage: parse_enum(T, "stage", &stage)?,
                escalated: escalated != 0,
                created_at_ms: row.try_get("created_at_ms")?,
                resolved_at_ms: row.try_get("resolved_at_ms")?,
                route,
                customer_turns: row.try_get("turns")?,
                csat: row.try_get("csat")?,
                trail: Vec::new(),
            });
        }
        let actions = REPORTED_ACTIONS
            .iter()
            .map(|action| format!("'{action}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let trail = sqlx::query(&format!(
            "SELECT tr.ticket_id, tr.at_ms, tr.actor, tr.action, tr.detail
             FROM ticket_trail tr
             JOIN tickets t ON t.site_id = tr.site_id AND t.id = tr.ticket_id
             WHERE t.site_id = $1 AND t.created_at_ms >= $2 AND t.created_at_ms < $3
                AND tr.action IN ({actions})
             ORDER BY tr.seq"
        ))
        .bind(site_id)
        .bind(period.from_ms)
        .bind(until)
        .fetch_all(self.pool())
        .await?;
        for row in &trail {
            let ticket_id: String = row.try_get("ticket_id")?;
            let Some(&at) = index.get(&ticket_id) else {
                continue;
            };
            let detail: String = row.try_get("detail")?;
            tickets[at].trail.push(ReportTrail {
                at_ms: row.try_get("at_ms")?,
                actor: row.try_get("actor")?,
                action: row.try_get("action")?,
                detail: parse_json("ticket_trail", "detail", &detail)?,
            });
        }
        Ok((tickets, until))
    }

    async fn report_alerts(
        &self,
        site_id: &str,
        period: Period,
    ) -> Result<Vec<ReportAlert>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.ticket_id, a.kind, a.state, a.created_at_ms FROM alerts a
             JOIN tickets t ON t.site_id = a.site_id AND t.id = a.ticket_id
             WHERE t.site_id = $1 AND t.created_at_ms >= $2 AND t.created_at_ms < $3
             ORDER BY a.created_at_ms, a.id",
        )
        .bind(site_id)
        .bind(period.from_ms)
        .bind(period.to_ms)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let state: String = row.try_get("state")?;
                Ok(ReportAlert {
                    ticket_id: row.try_get("ticket_id")?,
                    kind: row.try_get("kind")?,
                    state: parse_enum("alerts", "state", &state)?,
                    created_at_ms: row.try_get("created_at_ms")?,
                })
            })
            .collect()
    }

    async fn report_suggestion_sets(
        &self,
        site_id: &str,
        period: Period,
    ) -> Result<(Vec<ReportSuggestionSet>, i64), StoreError> {
        let rows = sqlx::query(
            "SELECT s.route, s.at_ms,
                CAST(CASE WHEN EXISTS (SELECT 1 FROM suggestion_feedback f
                    WHERE f.site_id = s.site_id AND f.query_id = s.query_id
                    AND f.outcome = 'solved') THEN 1 ELSE 0 END AS BIGINT) AS solved,
                CAST(CASE WHEN EXISTS (SELECT 1 FROM conversations c
                    JOIN tickets t ON t.site_id = c.site_id AND t.conversation_id = c.id
                    WHERE c.site_id = s.site_id AND c.session_id = s.session_id
                    AND t.created_at_ms >= s.at_ms) THEN 1 ELSE 0 END AS BIGINT) AS escalated
             FROM suggestions s
             WHERE s.site_id = $1 AND s.at_ms >= $2 AND s.at_ms < $3
             ORDER BY s.at_ms LIMIT $4",
        )
        .bind(site_id)
        .bind(period.from_ms)
        .bind(period.to_ms)
        .bind(i64::try_from(MAX_SUGGESTION_SETS + 1).unwrap_or(i64::MAX))
        .fetch_all(self.pool())
        .await?;
        let times: Vec<i64> = rows
            .iter()
            .map(|row| row.try_get::<i64, _>("at_ms"))
            .collect::<Result<_, _>>()?;
        let (keep, until) = scan_end(&times, MAX_SUGGESTION_SETS, period.to_ms);
        let sets = rows
            .iter()
            .take(keep)
            .map(|row| {
                let solved: i64 = row.try_get("solved")?;
                let escalated: i64 = row.try_get("escalated")?;
                Ok(ReportSuggestionSet {
                    route: row.try_get("route")?,
                    at_ms: row.try_get("at_ms")?,
                    solved: solved != 0,
                    escalated_after: escalated != 0,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((sets, until))
    }
}

#[cfg(test)]
mod tests {
    use super::scan_end;

    #[test]
    fn a_full_scan_stops_at_a_whole_millisecond() {
        assert_eq!(scan_end(&[1, 2, 3], 5, 10), (3, 10));
        assert_eq!(scan_end(&[1, 2, 3], 3, 10), (3, 10));
        // Four rows read with room for three: the ones at 3 are all left out.
        assert_eq!(scan_end(&[1, 3, 3, 3], 3, 10), (1, 3));
        assert_eq!(scan_end(&[1, 2, 3, 4], 3, 10), (3, 4));
    }
}
