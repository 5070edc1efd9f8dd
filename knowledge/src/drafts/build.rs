//! Building drafts: cluster the resolved tickets, then, for every cluster with enough
//! evidence, extract title, symptoms, cause, steps, applies-to and evidence, and flag
//! collisions with published articles. Deterministic and offline.

use std::collections::{HashMap, HashSet};

use super::extract::{
    StepCandidate, clean_title, group_steps, is_instruction, jaccard, normalize_error,
    normalize_route, split_steps,
};
use super::flags::{CollisionChecker, FlagConfig, PublishedArticle};
use super::model::{
    AppliesTo, Cause, Counted, Draft, Evidence, SourceTicket, Step, StepSource, Symptom,
    SymptomKind,
};
use crate::cluster::{
    Analyzer, Cluster, ClusterConfig, Clustering, PreviousAssignments, Progress, Stage,
    cluster_tickets,
};
use crate::ticket::ResolvedTicket;

/// How drafts are built.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DraftConfig {
    /// Clustering settings.
    pub cluster: ClusterConfig,
    /// The fewest tickets a cluster needs to get a draft.
    pub min_tickets: usize,
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
}

/// Clusters resolved tickets and drafts an article for every cluster with at least
/// `min_tickets` tickets, flagging drafts that collide with published articles.
pub fn build_drafts(
    tickets: &[ResolvedTicket],
    articles: &[PublishedArticle],
    previous: &PreviousAssignments,
    config: &DraftConfig,
    progress: Progress<'_>,
) -> DraftRun {
    let clustering = cluster_tickets(tickets, &config.cluster, previous, progress);
    let analyzer = Analyzer::default();
    let drafted = clustering.clusters.len();
    progress(Stage::Draft, 0, drafted);
    let mut drafts: Vec<Draft> = clustering
        .clusters
        .iter()
        .filter(|cluster| cluster.members.len() >= config.min_tickets.max(1))
        .map(|cluster| draft_cluster(tickets, cluster, &analyzer, config))
        .collect();
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
    }
}

/// Drafts one cluster.
pub fn draft_cluster(
    tickets: &[ResolvedTicket],
    cluster: &Cluster,
    analyzer: &Analyzer,
    config: &DraftConfig,
) -> Draft {
    let members: Vec<&ResolvedTicket> = cluster.members.iter().map(|&m| &tickets[m]).collect();
    let threshold = support_threshold(members.len(), config.min_share);
    let title_source = title_source(tickets, cluster, analyzer);
    Draft {
        cluster_id: cluster.id.clone(),
        product_area: cluster.product_area.clone(),
        title: clean_title(&title_source),
        symptoms: symptoms(&members, threshold, config.max_symptoms),
        cause: cause(&members, analyzer),
        steps: steps(&members, analyzer, threshold, config.max_steps),
        applies_to: applies_to(&members),
        evidence: evidence(&members),
        flags: Vec::new(),
        rewritten: None,
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

fn symptoms(members: &[&ResolvedTicket], threshold: usize, limit: usize) -> Vec<Symptom> {
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

fn steps(
    members: &[&ResolvedTicket],
    analyzer: &Analyzer,
    threshold: usize,
    limit: usize,
) -> Vec<Step> {
    let mut fix_candidates = Vec::new();
    let mut answer_candidates = Vec::new();
    for (index, ticket) in members.iter().enumerate() {
        if let Some(resolution) = &ticket.resolution {
            push_candidates(&mut fix_candidates, index, &resolution.fix);
        }
        let answers: Vec<&str> = ticket.agent_answers().collect();
        push_candidates(&mut answer_candidates, index, &answers.join("\n"));
    }
    // Fix fields are confirmed by the agent at close: half the usual support suffices.
    // Answers are conversational; they are only used when no fix field was captured.
    let fix_threshold = threshold.div_ceil(2).max(2).min(members.len().max(1));
    let mut chosen: Vec<(f32, Step)> = Vec::new();
    let fix_groups = group_steps(&fix_candidates, analyzer);
    for group in fix_groups
        .iter()
        .filter(|group| group.tickets >= fix_threshold)
    {
        chosen.push((
            group.position,
            step(group.text.clone(), group.tickets, StepSource::Fix),
        ));
    }
    if chosen.is_empty() {
        // Answers mix instructions with explanations: keep the instructions when there are any.
        let supported: Vec<_> = group_steps(&answer_candidates, analyzer)
            .into_iter()
            .filter(|group| group.tickets >= threshold)
            .collect();
        let has_instructions = supported.iter().any(|group| is_instruction(&group.text));
        for group in supported
            .into_iter()
            .filter(|group| !has_instructions || is_instruction(&group.text))
        {
            chosen.push((
                group.position,
                step(group.text, group.tickets, StepSource::AgentAnswer),
            ));
        }
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

fn push_candidates(candidates: &mut Vec<StepCandidate>, ticket: usize, text: &str) {
    let pieces = split_steps(text);
    let last = pieces.len().saturating_sub(1).max(1) as f32;
    for (position, piece) in pieces.into_iter().enumerate() {
        candidates.push(StepCandidate {
            ticket,
            text: piece,
            position: position as f32 / last,
        });
    }
}

fn applies_to(members: &[&ResolvedTicket]) -> AppliesTo {
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

fn evidence(members: &[&ResolvedTicket]) -> Evidence {
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
