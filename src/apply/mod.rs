//! `apply`: a plan's changes → API writes, in the plan's one order, each verified.
//!
//! Before anything is sent every secret the plan needs is resolved ([`secrets`]). Then: the
//! Okta user schema's additions and changes; each app in parallel through its stages (schema,
//! mappings, toggles and connection, assignments, unassignments, attribute deletions); the
//! Okta user attribute deletions last ([`crate::plan::order`] defines it, [`steps`] turns it
//! into requests, [`write`] sends them). Never two writes at once to one schema or mapping. On
//! failure an app stops, the others go on, and the report says what was applied and what was
//! not; a re-run converges. Manual changes are never performed, only listed.

pub mod concurrent;
pub mod guard;
pub mod secrets;
pub mod steps;
pub mod write;

use std::time::Duration;

use futures_util::future::join_all;
use indexmap::IndexMap;
use serde::Serialize;

use crate::okta::Client;
use crate::plan::{Change, Op, Plan};
pub use secrets::{SecretError, Secrets};
use steps::{ChangeId, StepKind};

/// What happened to one change.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Outcome {
    Applied,
    /// Applied: the answer broke off, and re-reading showed the change in the org.
    AppliedConfirmedByReread,
    /// Not attempted: an earlier change of the same app failed.
    Skipped,
    /// Okta's API cannot make it; it stays on the manual checklist.
    Manual,
    Failed {
        error: String,
        /// Whether the org holds it: not applied, not confirmed, or unknown.
        known: write::Known,
    },
}

impl Outcome {
    /// Applied, from the answer or a re-read.
    pub fn is_applied(&self) -> bool {
        matches!(self, Outcome::Applied | Outcome::AppliedConfirmedByReread)
    }
}

/// The result of an apply, change by change, in plan order.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub results: Vec<(Change, Outcome)>,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.results
            .iter()
            .any(|(_, o)| matches!(o, Outcome::Failed { .. }))
    }
    pub fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|(_, o)| f(o)).count()
    }
}

/// Tuning for the read-back and the deletion window.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Read-backs until Okta shows a schema change.
    pub read_back_attempts: u32,
    /// How long to keep retrying a POST refused because Okta is still deleting a property of
    /// the same name (Okta's window lasts minutes, finding B6).
    pub deletion_window_wait: Duration,
    /// First wait of both; doubled each time.
    pub backoff: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            read_back_attempts: 5,
            deletion_window_wait: Duration::from_secs(600),
            backoff: Duration::from_millis(500),
        }
    }
}

/// Outcomes by change id.
type Outcomes = Vec<Option<Outcome>>;

/// Applies every change of `plan`. Safety rules are checked before (see [`guard`]); secrets
/// are resolved first, and if one cannot be, nothing is written.
pub async fn apply(
    client: &Client,
    plan: &Plan,
    options: &ApplyOptions,
) -> Result<Report, SecretError> {
    let secrets = Secrets::resolve(plan)?;
    let changes = &plan.changes;
    let mut outcomes: Outcomes = changes
        .iter()
        .map(|c| matches!(c.op, Op::Manual { .. }).then_some(Outcome::Manual))
        .collect();
    let run = Run {
        client,
        options,
        secrets: &secrets,
        changes,
    };
    let (okta_user, deletions, apps) = phases(changes);
    let first_ok = run.steps(&okta_user, &mut outcomes).await;
    if first_ok {
        let app_runs = apps.values().map(|ids| async {
            let mut local: Outcomes = vec![None; changes.len()];
            run.steps(ids, &mut local).await;
            local
        });
        for local in join_all(app_runs).await {
            for (i, o) in local.into_iter().enumerate() {
                if o.is_some() {
                    outcomes[i] = o;
                }
            }
        }
        let apps_ok = !outcomes
            .iter()
            .any(|o| matches!(o, Some(Outcome::Failed { .. })));
        if apps_ok {
            run.steps(&deletions, &mut outcomes).await;
        }
    }
    Ok(Report {
        results: changes
            .iter()
            .cloned()
            .zip(outcomes.into_iter().map(|o| o.unwrap_or(Outcome::Skipped)))
            .collect(),
    })
}

/// The change ids of the three phases: Okta user schema first, then the apps (each its own
/// sequence, run in parallel), then the Okta user attribute deletions.
fn phases(changes: &[Change]) -> (Vec<ChangeId>, Vec<ChangeId>, IndexMap<&str, Vec<ChangeId>>) {
    let (mut first, mut last) = (Vec::new(), Vec::new());
    let mut apps: IndexMap<&str, Vec<ChangeId>> = IndexMap::new();
    for (i, change) in changes.iter().enumerate() {
        let stage = change.stage();
        match (change.subject.app(), stage.phase()) {
            (Some(app), _) if stage.per_app() => apps.entry(app).or_default().push(i),
            (_, 0) => first.push(i),
            _ => last.push(i),
        }
    }
    (first, last, apps)
}

/// What every step of one apply needs.
struct Run<'a> {
    client: &'a Client,
    options: &'a ApplyOptions,
    secrets: &'a Secrets,
    changes: &'a [Change],
}

impl Run<'_> {
    /// Runs the steps of `ids` in order; the first failure leaves the rest skipped. True when
    /// every step succeeded.
    async fn steps(&self, ids: &[ChangeId], outcomes: &mut Outcomes) -> bool {
        for step in steps::steps(self.changes, ids) {
            let changes: Vec<&Change> = step.changes.iter().map(|&i| &self.changes[i]).collect();
            let result =
                write::step(self.client, self.options, self.secrets, step.kind, &changes).await;
            match result {
                // The delete half of a replacement is applied when its create half is.
                Ok(_) if step.kind == StepKind::DeleteReplaced => {}
                Ok(how) => {
                    let outcome = match how {
                        write::Written::Answered => Outcome::Applied,
                        write::Written::Reread => Outcome::AppliedConfirmedByReread,
                    };
                    for &i in &step.changes {
                        outcomes[i] = Some(outcome.clone());
                    }
                }
                Err(e) => {
                    let error = e.to_string();
                    let known = e.known();
                    tracing::warn!(%error, "apply step failed");
                    for &i in &step.changes {
                        outcomes[i] = Some(Outcome::Failed {
                            error: error.clone(),
                            known,
                        });
                    }
                    return false;
                }
            }
        }
        true
    }
}
