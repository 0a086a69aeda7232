//! `plan`: the desired state (config) against the live state (an `okta::Snapshot`) → typed
//! changes, in one order, savable as a plan file.
//!
//! Nothing here talks HTTP: [`scope`] says what to read, the snapshot comes in as data, so the
//! diff is tested without a network and the same engine serves plan, apply and drift.

pub mod attribute;
pub mod change;
pub mod diff;
pub mod order;
pub mod planfile;
pub mod scim;
pub mod scope;
#[cfg(test)]
pub(crate) mod testing;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use change::{Action, Change, Direction, Note, Op, Risk, Subject};
pub use diff::{Changes, DiffError, diff};
pub use order::Stage;
pub use planfile::{PLAN_FORMAT, Refusal, SavedPlan};
pub use scope::scope;

use crate::okta::Snapshot;

/// The plan as computed: bound to an org, with the apps the config names as found there.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub format_version: u32,
    pub org: String,
    /// The apps the config names, as found in the org.
    pub apps: BTreeMap<String, FoundApp>,
    pub changes: Vec<Change>,
    pub notes: Vec<Note>,
}

/// An app as found: its label and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundApp {
    pub label: String,
    pub id: String,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub manual: usize,
    /// The highest risk among the changes (safe when there are none).
    pub risk: Risk,
}

impl Plan {
    pub fn new(org: String, live: &Snapshot, changes: Changes) -> Plan {
        let apps = live
            .apps
            .iter()
            .map(|(name, app)| {
                let found = FoundApp {
                    label: app.app.label.clone(),
                    id: app.app.id.0.clone(),
                };
                (name.clone(), found)
            })
            .collect();
        Plan {
            format_version: PLAN_FORMAT,
            org,
            apps,
            changes: changes.changes,
            notes: changes.notes,
        }
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            match c.action {
                Action::Create => s.create += 1,
                Action::Update | Action::Reorder => s.update += 1,
                Action::Replace => {
                    s.create += 1;
                    s.delete += 1;
                }
                Action::Delete => s.delete += 1,
                Action::Manual => s.manual += 1,
            }
            s.risk = s.risk.max(c.risk);
        }
        s
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}
