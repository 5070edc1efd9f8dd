//! Building drafts: cluster the resolved tickets, then, for every cluster with enough
//! evidence, extract title, symptoms, cause, steps, applies-to and evidence, and flag
//! collisions with published articles. Deterministic and offline.

use std::collections::{HashMap, HashSet};

use super::boilerplate::{Boilerplate, BoilerplateConfig};
use super::extract::{
    StepCandidate, clean_title, group_steps, jaccard, normalize_error, normalize_route, split_steps,
};
use super::flags::{CollisionChecker, FlagConfig, PublishedArticle};
use super::model::{
    AppliesTo, Cause, Counted, Draft, Evidence, SourceTicket, Step, StepSource, Symptom,
    SymptomKind,
};
use super::resolution::{NoDraftReason, TicketResolution, resolution_of};
use super::summary::{errors_in_text, problem_text, summarise_problem};
use crate::cluster::{
    Analyzer, Cluster, ClusterConfig, ClusterId, Clustering, PreviousAssignments, Progress, Stage,
    cluster_tickets,
};
use crate::ticket::ResolvedTicket;

/// How drafts are built.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DraftConfig {
    /// Clustering settings.
    pub cluster: ClusterConfig,
    /// The fewest tickets a cluster needs to get a draft from what its tickets agree on.
    pub min_tickets: usize,
    /// Smaller clusters (down to this many tickets; 1 = single tickets) still get a
    /// draft when one of their tickets is well resolved, drafted from that ticket.
    /// Set it to `min_tickets` or more to draft only from agreement.
    pub min_tickets_well_resolved: usize,
    /// What counts as boilerplate in answers.
    pub boilerplate: BoilerplateConfig,
    /// The share of a cluster's tickets a symptom or an answer step must appear in.
    pub min_share: f32,
    /// The most symptoms listed.
    pub max_symptoms: usize,
    /// The most resolution steps listed.
    pub max_steps: usize,
    /// Duplicate and contradiction thresholds.
    pub flags: FlagConfig,
}

impl Default for DraftConfig {
    fn default() -> Self {
        DraftConfig {
            cluster: ClusterConfig::default(),
            min_tickets: 3,
            min_tickets_well_resolved: 1,
            boilerplate: BoilerplateConfig::default(),
            min_share: 0.3,
            max_symptoms: 8,
            max_steps: 8,
            flags: FlagConfig::default(),
        }
    }
}

/// The outcome of a drafts run.
#[derive(Debug, Clone, Default)]
pub struct DraftRun {
    /// Drafts, for the largest clusters first.
    pub drafts: Vec<Draft>,
    /// The clustering they came from.
    pub clustering: Clustering,
    /// Every ticket's cluster id, to pass to the next run.
    pub assignments: PreviousAssignments,
    /// Clusters with enough tickets that got no draft, and why.
    pub refused: Vec<(ClusterId, NoDraftReason)>,
}

/// Clusters resolved tickets and drafts an article for every cluster with at least
/// `min_tickets` tickets (and for smaller ones with a well-resolved ticket, down to
/// `min_tickets_well_resolved`), flagging drafts that collide with published articles.
/// A cluster whose tickets hold no usable resolution gets no draft (see
/// [`DraftRun::refused`]): never a draft without a resolution body.
pub fn build_drafts(
    tickets: &[ResolvedTicket],
    articles: &[PublishedArticle],
    previous: &PreviousAssignments,
    config: &DraftConfig,
    progress: Progress<'_>,
) -> DraftRun {
    let clustering = cluster_tickets(tickets, &config.cluster, previous, progress);
    let analyzer = Analyzer::default();
    let boilerplate =
        Boilerplate::learn_in_clusters(tickets, &clustering.cluster_of, &config.boilerplate);
    let drafted = clustering.clusters.len();
    progress(Stage::Draft, 0, drafted);
    let smallest = config
        .min_tickets_well_resolved
        .clamp(1, config.min_tickets.max(1));
    let mut drafts: Vec<Draft> = Vec::new();
    let mut refused = Vec::new();
    for cluster in &clustering.clusters {
        let size = cluster.members.len();
        if size < smallest {
            continue;
        }
        match try_draft_cluster(tickets, cluster, &analyzer, &boilerplate, config) {
            Ok(draft) => drafts.push(draft),
            Err(reason) if size >= config.min_tickets.max(1) => {
                refused.push((cluster.id.clone(), reason));
            }
            Err(_) => {}
        }
    }
    if !articles.is_empty() {
        let checker = CollisionChecker::new(articles, &drafts, config.flags);
        for draft in &mut drafts {
            draft.flags = checker.flags(draft);
        }
    }
    progress(Stage::Draft, drafted, drafted);
    let assignments = clustering.assignments(tickets);
    DraftRun {
        drafts,
        clustering,
        assignments,
        refused,
    }
}

/// Drafts one cluster, even when its tickets hold no usable resolution (the draft then
/// has no steps); [`try_draft_cluster`] refuses such clusters instead.
pub fn draft_cluster(
    tickets: &[ResolvedTicket],
    cluster: &Cluster,
    analyzer: &Analyzer,
    config: &DraftConfig,
) -> Draft {
    let boilerplate = Boilerplate::none();
    try_draft_cluster(tickets, cluster, analyzer, &boilerplate, config).unwrap_or_else(|_| {
        let members: Vec<&ResolvedTicket> = cluster.members.iter().map(|&m| &tickets[m]).collect();
        let threshold = support_threshold(members.len(), config.min_share);
        let title = clean_title(&title_source(tickets, cluster, analyzer));
        Draft {
            cluster_id: cluster.id.clone(),
            product_area: cluster.product_area.clone(),
            summary: summary(tickets, cluster, &title),
            title,
            symptoms: symptoms(&members, threshold, config.max_symptoms),
            cause: None,
            steps: Vec::new(),
            explanation: Vec::new(),
            applies_to: applies_to(&members),
            evidence: evidence(&members),
            flags: Vec::new(),
            rewritten: None,
        }
    })
}

/// Drafts one cluster, or says why its tickets make no article.
///
/// Steps are what the members agree on (captured fixes first, then the instructions of
/// each ticket's most instructive answer, each with enough support); when they agree on
/// nothing, the best-resolved ticket (most representative first) speaks for the cluster.
/// Chatter and `boilerplate` never become steps.
pub fn try_draft_cluster(
    tickets: &[ResolvedTicket],
    cluster: &Cluster,
    analyzer: &Analyzer,
    boilerplate: &Boilerplate,
    config: &DraftConfig,
) -> Result<Draft, NoDraftReason> {
    let members: Vec<&ResolvedTicket> = cluster.members.iter().map(|&m| &tickets[m]).collect();
    let threshold = support_threshold(members.len(), config.min_share);
    let resolutions: Vec<Result<TicketResolution, NoDraftReason>> = members
        .iter()
        .map(|ticket| resolution_of(ticket, boilerplate))
        .collect();
    let agreed = agreed_steps(&resolutions, analyzer, threshold, config.max_steps);
    // The ticket that explains the fix best, most representative first.
    let position_of: HashMap<usize, usize> = cluster
        .members
        .iter()
        .enumerate()
        .map(|(position, &member)| (member, position))
        .collect();
    let mut speaker: Option<&TicketResolution> = None;
    let mut best_rank = (0, 0);
    for &member in &cluster.representatives {
        let Some(Ok(resolution)) = position_of.get(&member).map(|&p| &resolutions[p]) else {
            continue;
        };
        // Agreement with the cluster first, then the more steps; ties keep the earlier.
        let agrees = resolution
            .steps
            .iter()
            .filter(|(text, _)| agreed.iter().any(|step| &step.text == text))
            .count();
        let rank = (agrees, resolution.steps.len());
        if speaker.is_none() || rank > best_rank {
            speaker = Some(resolution);
            best_rank = rank;
        }
    }
    let Some(speaker) = speaker else {
        let reason = resolutions
            .iter()
            .filter_map(|resolution| resolution.as_ref().err())
            .min_by_key(|reason| match reason {
                NoDraftReason::OnlyBoilerplate => 0,
                NoDraftReason::NothingToFollow => 1,
                NoDraftReason::NoResolution => 2,
            })
            .copied()
            .unwrap_or(NoDraftReason::NoResolution);
        return Err(reason);
    };
    let steps = if agreed.is_empty() {
        speaker
            .steps
            .iter()
            .take(config.max_steps)
            .map(|(text, source)| step(text.clone(), 1, *source))
            .collect()
    } else {
        agreed
    };
    let explanation = speaker.explanation.clone();
    let title = clean_title(&title_source(tickets, cluster, analyzer));
    debug_assert!(!steps.is_empty() || !explanation.is_empty() || speaker.cause.is_some());
    Ok(Draft {
        cluster_id: cluster.id.clone(),
        product_area: cluster.product_area.clone(),
        summary: summary(tickets, cluster, &title),
        title,
        symptoms: symptoms(&members, threshold, config.max_symptoms),
        cause: cause(&members, analyzer).or_else(|| {
            speaker.cause.clone().map(|text| Cause {
                text,
                tickets: 1,
                alternatives: Vec::new(),
            })
        }),
        steps,
        explanation,
        applies_to: applies_to(&members),
        evidence: evidence(&members),
        flags: Vec::new(),
        rewritten: None,
    })
}

/// The summary of the most representative ticket that has one (other than the title).
fn summary(tickets: &[ResolvedTicket], cluster: &Cluster, title: &str) -> Option<String> {
    cluster
        .representatives
        .iter()
        .find_map(|&member| summarise_problem(title, &problem_text(&tickets[member])))
}

/// A one-ticket title: the subject, else the first sentence of the problem.
pub(super) fn title_of(ticket: &ResolvedTicket) -> String {
    if ticket.subject.trim().is_empty() {
        clean_title(
            &split_steps(&ticket.problem)
                .into_iter()
                .next()
                .unwrap_or_default(),
        )
    } else {
        clean_title(&ticket.subject)
    }
}

/// The fewest content words a problem statement needs to be a title.
const MIN_TITLE_TERMS: usize = 3;

/// The problem statement of the most representative ticket that says enough to be a
/// title ("Help!!" does not): its subject, else the first sentence of its problem.
pub(crate) fn title_source(
    tickets: &[ResolvedTicket],
    cluster: &Cluster,
    analyzer: &Analyzer,
) -> String {
    let statement = |index: usize| -> String {
        let ticket = &tickets[index];
        if ticket.subject.trim().is_empty() {
            split_steps(&ticket.problem)
                .into_iter()
                .next()
                .unwrap_or_default()
        } else {
            ticket.subject.clone()
        }
    };
    cluster
        .representatives
        .iter()
        .map(|&index| statement(index))
        .find(|text| analyzer.terms(text).len() >= MIN_TITLE_TERMS)
        .unwrap_or_else(|| statement(cluster.medoid))
}

/// The fewest tickets a symptom or step needs: the share of the cluster, at least 2
/// (or all tickets, in a cluster of one).
fn support_threshold(members: usize, share: f32) -> usize {
    let by_share = (members as f32 * share).ceil() as usize;
    by_share.max(2).min(members.max(1))
}

pub(super) fn symptoms(
    members: &[&ResolvedTicket],
    threshold: usize,
    limit: usize,
) -> Vec<Symptom> {
    let mut counts: HashMap<(SymptomKind, String), usize> = HashMap::new();
    for ticket in members {
        let mut seen: HashSet<(SymptomKind, String)> = HashSet::new();
        for message in &ticket.error_messages {
            seen.insert((SymptomKind::ErrorMessage, normalize_error(message)));
        }
        for fingerprint in &ticket.fingerprints {
            seen.insert((SymptomKind::Fingerprint, fingerprint.trim().to_string()));
        }
        for route in &ticket.routes {
            seen.insert((SymptomKind::Route, normalize_route(route)));
        }
        // Error codes, exceptions and HTTP statuses in the customer's own words.
        let customer_text = std::iter::once(ticket.problem.as_str())
            .chain(ticket.customer_messages())
            .collect::<Vec<_>>()
            .join("\n");
        for error in errors_in_text(&customer_text) {
            let known = seen.iter().any(|(kind, value)| {
                *kind == SymptomKind::ErrorMessage && value.contains(error.as_str())
            });
            if !known {
                seen.insert((SymptomKind::ErrorMessage, error));
            }
        }
        for key in seen {
            if !key.1.is_empty() {
                *counts.entry(key).or_insert(0) += 1;
            }
        }
    }
    let mut symptoms: Vec<Symptom> = counts
        .into_iter()
        .filter(|(_, tickets)| *tickets >= threshold)
        .map(|((kind, value), tickets)| Symptom {
            kind,
            value,
            tickets,
        })
        .collect();
    symptoms.sort_by(|x, y| {
        y.tickets
            .cmp(&x.tickets)
            .then(x.kind.cmp(&y.kind))
            .then(x.value.cmp(&y.value))
    });
    symptoms.truncate(limit);
    symptoms
}

/// Groups near-identical texts (term-set Jaccard ≥ 0.5); most tickets first.
fn group_texts(texts: &[String], analyzer: &Analyzer) -> Vec<Counted> {
    let mut groups: Vec<(HashSet<String>, HashMap<String, usize>, usize)> = Vec::new();
    for text in texts {
        let terms: HashSet<String> = analyzer.terms(text).into_iter().collect();
        let existing = groups.iter_mut().find(|(group_terms, _, _)| {
            jaccard(group_terms, &terms) >= 0.5 || (terms.is_empty() && group_terms.is_empty())
        });
        match existing {
            Some((_, wordings, count)) => {
                *wordings.entry(text.clone()).or_insert(0) += 1;
                *count += 1;
            }
            None => groups.push((terms, HashMap::from([(text.clone(), 1)]), 1)),
        }
    }
    let mut counted: Vec<Counted> = groups
        .into_iter()
        .map(|(_, wordings, tickets)| {
            let mut wordings: Vec<(String, usize)> = wordings.into_iter().collect();
            wordings.sort_by(|x, y| {
                y.1.cmp(&x.1)
                    .then(x.0.len().cmp(&y.0.len()))
                    .then(x.0.cmp(&y.0))
            });
            let value = wordings
                .into_iter()
                .next()
                .map(|(w, _)| w)
                .unwrap_or_default();
            Counted { value, tickets }
        })
        .collect();
    counted.sort_by(|x, y| y.tickets.cmp(&x.tickets).then(x.value.cmp(&y.value)));
    counted
}

fn cause(members: &[&ResolvedTicket], analyzer: &Analyzer) -> Option<Cause> {
    let causes: Vec<String> = members
        .iter()
        .filter_map(|ticket| ticket.resolution.as_ref())
        .map(|resolution| {
            resolution
                .root_cause
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|cause| !cause.is_empty())
        .collect();
    let mut groups = group_texts(&causes, analyzer).into_iter();
    let main = groups.next()?;
    Some(Cause {
        text: main.value,
        tickets: main.tickets,
        alternatives: groups.filter(|group| group.tickets >= 2).collect(),
    })
}

/// The steps the members agree on: captured fixes (half the usual support suffices, the
/// agent confirmed them at close), else the answers' instructions and code; in the order
/// agents give them. Empty when nothing has enough support.
fn agreed_steps(
    resolutions: &[Result<TicketResolution, NoDraftReason>],
    analyzer: &Analyzer,
    threshold: usize,
    limit: usize,
) -> Vec<Step> {
    let members = resolutions.len();
    if members < 2 {
        return Vec::new();
    }
    let mut fix_candidates = Vec::new();
    let mut answer_candidates = Vec::new();
    for (index, resolution) in resolutions.iter().enumerate() {
        let Ok(resolution) = resolution else { continue };
        let last = resolution.steps.len().saturating_sub(1).max(1) as f32;
        for (position, (text, source)) in resolution.steps.iter().enumerate() {
            let candidate = StepCandidate {
                ticket: index,
                text: text.clone(),
                position: position as f32 / last,
            };
            match source {
                StepSource::Fix => fix_candidates.push(candidate),
                StepSource::AgentAnswer => answer_candidates.push(candidate),
            }
        }
    }
    let fix_threshold = threshold.div_ceil(2).max(2).min(members);
    let mut chosen: Vec<(f32, Step)> = group_steps(&fix_candidates, analyzer)
        .into_iter()
        .filter(|group| group.tickets >= fix_threshold)
        .map(|group| {
            (
                group.position,
                step(group.text, group.tickets, StepSource::Fix),
            )
        })
        .collect();
    if chosen.is_empty() {
        chosen = group_steps(&answer_candidates, analyzer)
            .into_iter()
            .filter(|group| group.tickets >= threshold)
            .map(|group| {
                (
                    group.position,
                    step(group.text, group.tickets, StepSource::AgentAnswer),
                )
            })
            .collect();
    }
    // Keep the best-supported steps, then put them in the order agents give them.
    chosen.sort_by(|x, y| y.1.tickets.cmp(&x.1.tickets).then(x.0.total_cmp(&y.0)));
    chosen.truncate(limit);
    chosen.sort_by(|x, y| x.0.total_cmp(&y.0).then(y.1.tickets.cmp(&x.1.tickets)));
    chosen.into_iter().map(|(_, step)| step).collect()
}

fn step(text: String, tickets: usize, source: StepSource) -> Step {
    Step {
        text,
        tickets,
        source,
    }
}

pub(super) fn applies_to(members: &[&ResolvedTicket]) -> AppliesTo {
    let count = |field: fn(&crate::ticket::Resolution) -> &str| -> Vec<Counted> {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for resolution in members
            .iter()
            .filter_map(|ticket| ticket.resolution.as_ref())
        {
            let value = field(resolution).trim();
            if !value.is_empty() {
                *counts.entry(value.to_string()).or_insert(0) += 1;
            }
        }
        let mut counted: Vec<Counted> = counts
            .into_iter()
            .map(|(value, tickets)| Counted { value, tickets })
            .collect();
        counted.sort_by(|x, y| y.tickets.cmp(&x.tickets).then(x.value.cmp(&y.value)));
        counted
    };
    AppliesTo {
        environments: count(|resolution| resolution.environment.as_str()),
        versions: count(|resolution| resolution.version.as_str()),
    }
}

pub(super) fn evidence(members: &[&ResolvedTicket]) -> Evidence {
    let mut tickets: Vec<SourceTicket> = members
        .iter()
        .map(|ticket| SourceTicket {
            id: ticket.id.clone(),
            link: ticket.link.clone(),
            resolved_at_ms: ticket.resolved_at_ms,
        })
        .collect();
    tickets.sort_by(|x, y| {
        x.resolved_at_ms
            .cmp(&y.resolved_at_ms)
            .then(x.id.cmp(&y.id))
    });
    Evidence {
        count: tickets.len(),
        first_seen_ms: tickets.first().map_or(0, |t| t.resolved_at_ms),
        last_seen_ms: tickets.last().map_or(0, |t| t.resolved_at_ms),
        tickets,
    }
}
