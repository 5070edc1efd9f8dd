//! Stable cluster ids: a cluster keeps the id most of its members had in the previous
//! run; a new cluster is named after a hash of its smallest member id.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::Cluster;
use super::text::stable_hash;
use crate::ticket::{ResolvedTicket, TicketId};

/// The id of a cluster, stable across runs while its membership barely changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClusterId(pub String);

impl std::fmt::Display for ClusterId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The cluster id each ticket had in a previous run.
pub type PreviousAssignments = HashMap<TicketId, ClusterId>;

/// Names every cluster. Larger clusters choose first; each takes the previous id
/// most of its members carried (ties by id) unless a larger cluster took it.
pub(super) fn assign_ids(
    clusters: &mut [Cluster],
    tickets: &[ResolvedTicket],
    previous: &PreviousAssignments,
) {
    let mut order: Vec<usize> = (0..clusters.len()).collect();
    let smallest_member = |cluster: &Cluster| -> TicketId {
        cluster
            .members
            .iter()
            .map(|&member| tickets[member].id.clone())
            .min()
            .unwrap_or_default()
    };
    let keys: Vec<TicketId> = clusters.iter().map(smallest_member).collect();
    order.sort_by(|&x, &y| {
        clusters[y]
            .members
            .len()
            .cmp(&clusters[x].members.len())
            .then(keys[x].cmp(&keys[y]))
    });
    let mut taken: HashSet<ClusterId> = HashSet::new();
    for index in order {
        let mut votes: HashMap<&ClusterId, usize> = HashMap::new();
        for &member in &clusters[index].members {
            if let Some(id) = previous.get(&tickets[member].id) {
                *votes.entry(id).or_insert(0) += 1;
            }
        }
        let mut ranked: Vec<(&ClusterId, usize)> = votes.into_iter().collect();
        ranked.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
        let inherited = ranked
            .into_iter()
            .map(|(id, _)| id)
            .find(|id| !taken.contains(*id))
            .cloned();
        let id = inherited.unwrap_or_else(|| fresh_id(&keys[index], &taken));
        taken.insert(id.clone());
        clusters[index].id = id;
    }
}

fn fresh_id(smallest_member: &TicketId, taken: &HashSet<ClusterId>) -> ClusterId {
    let mut salt = 0u32;
    loop {
        let hash = stable_hash(format!("{}#{salt}", smallest_member.0).as_bytes());
        let id = ClusterId(format!("c{:012x}", hash >> 16));
        if !taken.contains(&id) {
            return id;
        }
        salt += 1;
    }
}
