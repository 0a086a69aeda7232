//! Safety rules checked before any write: data loss and deprovisioning need explicit permission,
//! and — like octoDNS's update threshold — a plan that unassigns more than a set share of an
//! app's assignments is refused outright unless the share is raised.

use serde::Serialize;

use crate::okta::Snapshot;
use crate::plan::{Op, Plan, Risk};

/// What the person running apply allowed.
#[derive(Debug, Clone, Copy)]
pub struct Permissions {
    pub allow_data_loss: bool,
    pub allow_deprovision: bool,
    /// Largest share (0–1) of an app's current assignments one apply may remove.
    pub max_unassign_share: f64,
}

/// Apps with fewer assignments than this are not subject to the share rule.
pub const THRESHOLD_MIN_ASSIGNMENTS: usize = 10;

/// Why a plan is refused.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Refusal {
    #[error(
        "{count} change(s) lose data — attribute values, or the app profiles of unassigned users ({examples}); pass --allow-data-loss if that is intended"
    )]
    DataLoss { count: usize, examples: String },
    #[error(
        "{count} change(s) unassign users or groups while Deactivate Users is on, deactivating their app accounts ({examples}); pass --allow-deprovision if that is intended"
    )]
    Deprovision { count: usize, examples: String },
    #[error(
        "app `{app}`: the plan unassigns {unassign} of its {total} assignments, more than the allowed {percent}%; check the config, or raise --max-unassign-share"
    )]
    Threshold {
        app: String,
        unassign: usize,
        total: usize,
        percent: u32,
    },
}

fn examples(plan: &Plan, risk: impl Fn(Risk) -> bool) -> (usize, String) {
    let matching: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| risk(c.risk))
        .map(|c| c.subject.to_string())
        .collect();
    let mut text = matching
        .iter()
        .take(3)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if matching.len() > 3 {
        text.push_str(&format!(" and {} more", matching.len() - 3));
    }
    (matching.len(), text)
}

/// Checks the rules; every refusal is returned, not just the first.
pub fn check(plan: &Plan, live: &Snapshot, permissions: Permissions) -> Result<(), Vec<Refusal>> {
    let mut refusals = Vec::new();
    let summary = plan.summary();
    if summary.risk >= Risk::DataLoss && !permissions.allow_data_loss {
        let (count, examples) = examples(plan, |r| r >= Risk::DataLoss);
        refusals.push(Refusal::DataLoss { count, examples });
    }
    if plan.changes.iter().any(|c| c.risk == Risk::Deprovisions) && !permissions.allow_deprovision {
        let (count, examples) = examples(plan, |r| r == Risk::Deprovisions);
        refusals.push(Refusal::Deprovision { count, examples });
    }
    for (name, app) in &live.apps {
        let total =
            app.users.as_ref().map_or(0, Vec::len) + app.groups.as_ref().map_or(0, Vec::len);
        // A group weighs as many as its members (finding D3): removing Everyone is not one
        // assignment.
        let unassign: usize = plan
            .changes
            .iter()
            .filter(|c| c.subject.app() == Some(name))
            .map(|c| match &c.op {
                Op::UnassignUser { .. } => 1,
                Op::UnassignGroup { members, .. } => members.unwrap_or(1).max(1),
                _ => 0,
            })
            .sum();
        if total >= THRESHOLD_MIN_ASSIGNMENTS
            && unassign as f64 > permissions.max_unassign_share * total as f64
        {
            refusals.push(Refusal::Threshold {
                app: name.clone(),
                unassign,
                total,
                percent: (permissions.max_unassign_share * 100.0).round() as u32,
            });
        }
    }
    if refusals.is_empty() {
        Ok(())
    } else {
        Err(refusals)
    }
}
