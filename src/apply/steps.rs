//! A plan's changes → the steps apply runs: one per request, in the plan's one order
//! ([`crate::plan::order`]). A step has a typed kind and names its changes by their index in
//! the plan, so every outcome lands on the change it belongs to.

use crate::ids::MappingId;
use crate::plan::{Change, Op, Stage};

fn mapping_of(change: &Change) -> Option<&MappingId> {
    match &change.op {
        Op::SetMapping { mapping_id, .. } | Op::RemoveMapping { mapping_id, .. } => {
            Some(mapping_id)
        }
        _ => None,
    }
}

/// A change's index in the plan.
pub type ChangeId = usize;

/// What one step sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// The delete half of a schema's replacements: one schema POST with `null`s.
    DeleteReplaced,
    /// One schema POST: additions, changes, the create half of replacements, or deletions.
    Schema,
    /// One mapping POST with every changed property of one direction.
    Mapping,
    /// One change, one request (toggles, connection, an assignment).
    Single,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub kind: StepKind,
    pub changes: Vec<ChangeId>,
}

/// The steps for `ids` (changes of one app, or of the Okta user schema), stage by stage.
/// Manual changes get no step: apply never performs them.
pub fn steps(changes: &[Change], ids: &[ChangeId]) -> Vec<Step> {
    let mut ids: Vec<ChangeId> = ids
        .iter()
        .copied()
        .filter(|&i| !matches!(changes[i].op, Op::Manual { .. }))
        .collect();
    ids.sort_by_key(|&i| changes[i].stage());
    let mut out = Vec::new();
    for group in ids.chunk_by(|&a, &b| changes[a].stage() == changes[b].stage()) {
        let stage = changes[group[0]].stage();
        if !stage.batched() {
            out.extend(group.iter().map(|&i| Step {
                kind: StepKind::Single,
                changes: vec![i],
            }));
            continue;
        }
        let kind = match stage {
            Stage::Unmap | Stage::MappingsToApp | Stage::MappingsToOkta => StepKind::Mapping,
            _ => StepKind::Schema,
        };
        if kind == StepKind::Mapping {
            // One write per mapping (a stage may span several apps' mappings).
            let mut by_mapping: Vec<(Option<&MappingId>, Vec<ChangeId>)> = Vec::new();
            for &i in group {
                let id = mapping_of(&changes[i]);
                match by_mapping.iter_mut().find(|(m, _)| *m == id) {
                    Some((_, ids)) => ids.push(i),
                    None => by_mapping.push((id, vec![i])),
                }
            }
            out.extend(
                by_mapping
                    .into_iter()
                    .map(|(_, changes)| Step { kind, changes }),
            );
            continue;
        }
        let replaces: Vec<ChangeId> = group
            .iter()
            .copied()
            .filter(|&i| matches!(changes[i].op, Op::ReplaceAttribute { .. }))
            .collect();
        if !replaces.is_empty() {
            out.push(Step {
                kind: StepKind::DeleteReplaced,
                changes: replaces,
            });
        }
        out.push(Step {
            kind,
            changes: group.to_vec(),
        });
    }
    out
}
