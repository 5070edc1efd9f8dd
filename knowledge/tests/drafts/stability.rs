//! Cluster ids stay put: re-running after adding 1 % more tickets keeps at least 90 %
//! of the assignments, with and without the previous run's assignments.

use waymark_knowledge::cluster::{
    ClusterConfig, PreviousAssignments, cluster_tickets, kept_assignments,
};
use waymark_knowledge::ticket::{AuthorKind, Message, Resolution, ResolvedTicket, TicketId};

/// A small deterministic generator (SplitMix64).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const OBJECTS: &[&str] = &[
    "invoice",
    "export",
    "password",
    "widget",
    "webhook",
    "report",
    "calendar",
    "avatar",
    "token",
    "subscription",
    "dashboard",
    "import",
    "domain",
    "notification",
    "team",
    "tag",
    "comment",
    "attachment",
    "filter",
    "integration",
];
const FAILURES: &[&str] = &[
    "times out",
    "shows a blank page",
    "returns error 500",
    "is missing",
    "is duplicated",
    "cannot be saved",
    "loads forever",
    "is rejected",
];
const FILLER: &[&str] = &[
    "today",
    "again",
    "since yesterday",
    "for my team",
    "on mobile",
    "after the update",
    "every time",
    "for some users",
];

fn ticket(random: &mut Random, problem: usize, id: u64) -> ResolvedTicket {
    let object = OBJECTS[problem % OBJECTS.len()];
    let failure = FAILURES[problem / OBJECTS.len() % FAILURES.len()];
    let filler = FILLER[random.below(FILLER.len())];
    let subject = format!("The {object} {failure} {filler}");
    let fix = format!("Reset the {object} settings and retry. Code {problem}.");
    ResolvedTicket {
        id: TicketId(format!("{id:08}")),
        subject,
        messages: vec![Message {
            author: AuthorKind::Agent,
            text: fix.clone(),
        }],
        resolution: Some(Resolution {
            root_cause: format!("cause-{problem} in the {object} service"),
            fix,
            ..Resolution::default()
        }),
        error_messages: vec![format!("E{problem:03}_{}", object.to_uppercase())],
        routes: vec![format!("/{object}/{}", random.below(1000))],
        resolved_at_ms: id as i64,
        ..ResolvedTicket::default()
    }
}

fn corpus(random: &mut Random, count: usize) -> Vec<ResolvedTicket> {
    (0..count)
        .map(|_| {
            let problem = random.below(60);
            let id = random.next() % 100_000_000;
            ticket(random, problem, id)
        })
        .collect()
}

fn assignments(tickets: &[ResolvedTicket], previous: &PreviousAssignments) -> PreviousAssignments {
    let config = ClusterConfig::default();
    cluster_tickets(tickets, &config, previous, &mut |_, _, _| {}).assignments(tickets)
}

#[test]
fn adding_one_percent_more_tickets_keeps_at_least_ninety_percent_of_assignments() {
    let mut random = Random(7);
    let mut tickets = corpus(&mut random, 1_000);
    let before = assignments(&tickets, &PreviousAssignments::new());
    let mut more = corpus(&mut random, 10);
    // New tickets arrive among the old ones, not only at the end.
    for (offset, ticket) in more.drain(..).enumerate() {
        let at = (offset * 97) % tickets.len();
        tickets.insert(at, ticket);
    }
    let with_previous = assignments(&tickets, &before);
    let without_previous = assignments(&tickets, &PreviousAssignments::new());
    let kept_with = kept_assignments(&before, &with_previous);
    let kept_without = kept_assignments(&before, &without_previous);
    assert!(
        kept_with >= 0.9,
        "kept {kept_with} with previous assignments"
    );
    assert!(
        kept_without >= 0.9,
        "kept {kept_without} from member ids alone"
    );
}

#[test]
fn tickets_of_one_generated_problem_share_a_cluster() {
    let mut random = Random(11);
    let tickets: Vec<ResolvedTicket> = (0..30)
        .map(|i| ticket(&mut random, i % 3, i as u64))
        .collect();
    let clustering = cluster_tickets(
        &tickets,
        &ClusterConfig::default(),
        &PreviousAssignments::new(),
        &mut |_, _, _| {},
    );
    assert_eq!(clustering.clusters.len(), 3);
    for cluster in &clustering.clusters {
        assert_eq!(cluster.members.len(), 10);
    }
}

#[test]
fn product_areas_are_never_mixed() {
    let mut random = Random(3);
    let mut tickets: Vec<ResolvedTicket> = (0..10).map(|i| ticket(&mut random, 0, i)).collect();
    for (index, ticket) in tickets.iter_mut().enumerate() {
        ticket.product_area = Some(if index % 2 == 0 { "billing" } else { "reports" }.to_string());
    }
    let clustering = cluster_tickets(
        &tickets,
        &ClusterConfig::default(),
        &PreviousAssignments::new(),
        &mut |_, _, _| {},
    );
    assert_eq!(clustering.clusters.len(), 2);
    for cluster in &clustering.clusters {
        let areas: std::collections::HashSet<_> = cluster
            .members
            .iter()
            .map(|&m| tickets[m].product_area.clone())
            .collect();
        assert_eq!(areas.len(), 1);
    }
}
