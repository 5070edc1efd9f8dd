//! The matrix's stage requirements applied to a ticket: what is known of it, what
//! each stage ahead still lacks, and the refusal an agent action gets when it
//! would move the ticket into a stage without what that stage requires.

use std::collections::BTreeSet;

use serde::Serialize;
use waymark_core::domain::{LifecycleStage, Resolution};
use waymark_core::matrix::{EscalationMatrix, RequiredInfo};
use waymark_core::rules::missing_information;
use waymark_core::wire::EventKind;

use super::FlowError;
use super::handoff::HandoffNoteView;
use super::routing::Snapshot;
use crate::storage::{NoteVersion, Store, TicketRecord};

/// What a stage ahead of the ticket still needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageNeeds {
    /// The stage.
    pub stage: LifecycleStage,
    /// What it requires and is not known yet, each with how to supply it.
    pub missing: Vec<MissingInfo>,
}

/// One missing piece of information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingInfo {
    /// Which (`goal`, `account`, …).
    pub info: RequiredInfo,
    /// What an agent does to supply it.
    pub how: &'static str,
}

/// What is known of the ticket: from its latest handoff note, its conversation,
/// the session's pages, its owner and team, and the resolution (being) captured.
pub(crate) fn known(
    ticket: &TicketRecord,
    snapshot: &Snapshot,
    notes: &[NoteVersion],
    resolution: Option<&Resolution>,
) -> BTreeSet<RequiredInfo> {
    let note: Option<HandoffNoteView> = notes
        .last()
        .and_then(|latest| serde_json::from_value(latest.note.clone()).ok());
    let filled = |text: &str| !text.trim().is_empty();
    let conversation = &snapshot.conversation;
    let resolution = resolution.or(ticket.resolution.as_ref());
    let account_attribute = |key: &str| {
        note.as_ref()
            .and_then(|note| note.account.get(key))
            .is_some_and(|value| filled(value))
    };
    let mut known = BTreeSet::new();
    let mut add = |holds: bool, info: RequiredInfo| {
        if holds {
            known.insert(info);
        }
    };
    add(
        note.as_ref().is_some_and(|note| filled(&note.goal)),
        RequiredInfo::Goal,
    );
    add(
        conversation.customer_id.is_some()
            || conversation.customer_email.is_some()
            || account_attribute("email"),
        RequiredInfo::Account,
    );
    add(
        conversation.identity_verified,
        RequiredInfo::VerifiedAccount,
    );
    add(
        snapshot.events.iter().any(|event| {
            matches!(
                &event.kind,
                EventKind::PageView(page) | EventKind::Navigation(page) if filled(&page.route)
            )
        }),
        RequiredInfo::PageTrail,
    );
    add(
        resolution.is_some_and(|r| filled(&r.environment)) || account_attribute("environment"),
        RequiredInfo::Environment,
    );
    add(ticket.team.is_some(), RequiredInfo::Team);
    add(ticket.owner.is_some(), RequiredInfo::Owner);
    add(
        resolution.is_some_and(|r| filled(&r.root_cause)),
        RequiredInfo::RootCause,
    );
    add(
        resolution.is_some_and(|r| filled(&r.fix)),
        RequiredInfo::Fix,
    );
    add(
        resolution.is_some_and(|r| filled(&r.version)),
        RequiredInfo::Version,
    );
    known
}

/// The stages after the ticket's current one that still lack something, in
/// lifecycle order (the console shows them beside the actions).
pub fn needs_ahead(
    matrix: &EscalationMatrix,
    ticket: &TicketRecord,
    known: &BTreeSet<RequiredInfo>,
) -> Vec<StageNeeds> {
    const STAGES: [LifecycleStage; 5] = [
        LifecycleStage::Triage,
        LifecycleStage::Investigation,
        LifecycleStage::Resolution,
        LifecycleStage::Documentation,
        LifecycleStage::Feedback,
    ];
    STAGES
        .into_iter()
        .filter(|stage| *stage > ticket.stage)
        .filter_map(|stage| {
            let missing = missing_information(matrix, stage, known);
            (!missing.is_empty()).then(|| StageNeeds {
                stage,
                missing: describe(&missing),
            })
        })
        .collect()
}

/// Refuses moving the ticket from its stage to `to` (and through the stages in
/// between) while a stage on the way lacks what the matrix requires.
pub fn require(
    matrix: &EscalationMatrix,
    ticket: &TicketRecord,
    to: LifecycleStage,
    known: &BTreeSet<RequiredInfo>,
) -> Result<(), FlowError> {
    for needs in needs_ahead(matrix, ticket, known) {
        if needs.stage <= to {
            return Err(FlowError::MissingInformation {
                stage: needs.stage,
                missing: needs.missing,
            });
        }
    }
    Ok(())
}

/// [`require`] for an agent action on a stored ticket: reads the handoff notes
/// only when the matrix has stage requirements.
pub(crate) async fn check_stage(
    store: &Store,
    site_id: &str,
    matrix: &EscalationMatrix,
    ticket: &TicketRecord,
    snapshot: &Snapshot,
    to: LifecycleStage,
    resolution: Option<&Resolution>,
) -> Result<(), FlowError> {
    if matrix.stage_requirements.is_empty() || to <= ticket.stage {
        return Ok(());
    }
    let notes = store.handoff_notes(site_id, &ticket.id).await?;
    require(
        matrix,
        ticket,
        to,
        &known(ticket, snapshot, &notes, resolution),
    )
}

fn describe(missing: &[RequiredInfo]) -> Vec<MissingInfo> {
    missing
        .iter()
        .map(|info| MissingInfo {
            info: *info,
            how: info.how_to_supply(),
        })
        .collect()
}
