//! `apply`: a plan's changes → API writes, in the plan's one order, each verified.
//!
//! Before anything is sent every secret the plan needs is resolved ([`secrets`]). Then: the
//! Okta user schema's additions and changes; each app in parallel through its stages (schema,
//! mappings, toggles and connection, assignments, unassignments, attribute deletions); the
//! Okta user attribute deletions last ([`crate::plan::order`] defines it, [`steps`] turns it
//! into requests, [`write`] sends them). Within an app, the user assignment writes of a stage
//! run side by side ([`ApplyOptions::write_concurrency`] at once), after the schema and mapping
//! writes they depend on; every other write runs one at a time, so never two writes at once to
//! one schema or mapping (and group priorities are set in order). The client keeps every app's
//! writes together within the share of each rate-limit bucket. On failure an app starts no new
//! write, lets those in flight finish, and the others go on; the report says what was applied
//! and what was not; a re-run converges. A [`Stop`] (SIGINT/SIGTERM at the CLI) starts no new
//! write anywhere, gives those in flight [`ApplyOptions::stop_grace`] to finish, and reports the
//! rest as not applied, `interrupted`. Manual changes are never performed, only listed.

pub mod concurrent;
pub mod guard;
pub mod secrets;
pub mod steps;
pub mod write;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::future::join_all;
use indexmap::IndexMap;
use serde::Serialize;
use tokio::sync::{Semaphore, watch};

use crate::okta::Client;
use crate::okta::progress::Event;
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
    /// Not attempted, or given up in flight, for `reason` (`interrupted`).
    NotApplied {
        reason: String,
    },
}

/// The reason of a change not applied because apply was told to stop.
pub const INTERRUPTED: &str = "interrupted";

/// Tells a running apply to stop: no new writes, in-flight ones get a bounded wait.
#[derive(Debug, Clone)]
pub struct Stop(watch::Receiver<bool>);

/// The side that triggers a [`Stop`].
#[derive(Debug)]
pub struct StopHandle(watch::Sender<bool>);

impl Stop {
    /// A stop and the handle that triggers it.
    pub fn new() -> (StopHandle, Stop) {
        let (tx, rx) = watch::channel(false);
        (StopHandle(tx), Stop(rx))
    }

    /// A stop nobody can trigger.
    pub fn never() -> Stop {
        let (tx, rx) = watch::channel(false);
        // Its receiver still reads `false` once the sender is gone.
        drop(tx);
        Stop(rx)
    }

    pub fn is_stopped(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once triggered (never, for [`Stop::never`]).
    pub async fn stopped(&self) {
        let mut rx = self.0.clone();
        if rx.wait_for(|s| *s).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl StopHandle {
    pub fn stop(&self) {
        let _ = self.0.send(true);
    }
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
    /// User assignment writes of one app in flight at once.
    pub write_concurrency: usize,
    /// After a stop, how long writes in flight may take to finish before they are given up.
    pub stop_grace: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            read_back_attempts: 5,
            deletion_window_wait: Duration::from_secs(600),
            backoff: Duration::from_millis(500),
            write_concurrency: 32,
            stop_grace: Duration::from_secs(10),
        }
    }
}

/// Outcomes by change id.
type Outcomes = Vec<Option<Outcome>>;

/// Applies every change of `plan` until `stop`. Safety rules are checked before (see
/// [`guard`]); secrets are resolved first, and if one cannot be, nothing is written.
pub async fn apply(
    client: &Client,
    plan: &Plan,
    options: &ApplyOptions,
    stop: &Stop,
) -> Result<Report, SecretError> {
    let secrets = Secrets::resolve(plan)?;
    let changes = &plan.changes;
    let mut outcomes: Outcomes = changes
        .iter()
        .map(|c| matches!(c.op, Op::Manual { .. }).then_some(Outcome::Manual))
        .collect();
    let total = changes
        .iter()
        .filter(|c| !matches!(c.op, Op::Manual { .. }))
        .count();
    let run = Run {
        client,
        options,
        secrets: &secrets,
        changes,
        stop,
        done: AtomicUsize::new(0),
        total,
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
    client.progress().event(Event::WritesDone);
    let stopped = stop.is_stopped();
    Ok(Report {
        results: changes
            .iter()
            .cloned()
            .zip(outcomes.into_iter().map(|o| match o {
                Some(o) => o,
                None if stopped => Outcome::NotApplied {
                    reason: INTERRUPTED.into(),
                },
                None => Outcome::Skipped,
            }))
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
    stop: &'a Stop,
    /// Changes written (or failed) so far, of `total`, for the progress line.
    done: AtomicUsize,
    total: usize,
}

/// Whether a step may run beside the others of its stage: one user's assignment (groups keep
/// their order: a group's priority moves the others').
fn parallel(changes: &[Change], step: &steps::Step) -> bool {
    step.kind == StepKind::Single
        && matches!(
            changes[step.changes[0]].op,
            Op::AssignUser { .. }
                | Op::ConvertUser { .. }
                | Op::UpdateUser { .. }
                | Op::UnassignUser { .. }
        )
}

impl Run<'_> {
    /// Runs the steps of `ids` in order, runs of user assignments side by side; the first
    /// failure starts no further step and leaves the rest skipped. True when every step
    /// succeeded.
    async fn steps(&self, ids: &[ChangeId], outcomes: &mut Outcomes) -> bool {
        let all = steps::steps(self.changes, ids);
        let mut rest = all.as_slice();
        while let Some(first) = rest.first() {
            let n = if parallel(self.changes, first) {
                rest.iter()
                    .take_while(|s| {
                        parallel(self.changes, s)
                            && self.changes[s.changes[0]].stage()
                                == self.changes[first.changes[0]].stage()
                    })
                    .count()
            } else {
                1
            };
            let (batch, tail) = rest.split_at(n);
            rest = tail;
            let ok = if n == 1 {
                self.step(&batch[0], outcomes).await
            } else {
                self.side_by_side(batch, outcomes).await
            };
            if !ok {
                return false;
            }
        }
        true
    }

    /// Steps at most `write_concurrency` at a time; after a failure (or a stop) none starts.
    async fn side_by_side(&self, batch: &[steps::Step], outcomes: &mut Outcomes) -> bool {
        let slots = Semaphore::new(self.options.write_concurrency.max(1));
        let failed = AtomicBool::new(false);
        let (slots, failed) = (&slots, &failed);
        let runs = batch.iter().map(|step| async move {
            let Ok(_slot) = slots.acquire().await else {
                return None;
            };
            if failed.load(Ordering::Relaxed) || self.stop.is_stopped() {
                return None;
            }
            let outcome = self.write(step).await;
            if matches!(outcome, Outcome::Failed { .. }) {
                failed.store(true, Ordering::Relaxed);
            }
            Some((step, outcome))
        });
        for (step, outcome) in join_all(runs).await.into_iter().flatten() {
            for &i in &step.changes {
                outcomes[i] = Some(outcome.clone());
            }
        }
        !failed.load(Ordering::Relaxed) && !self.stop.is_stopped()
    }

    /// One step; false when it failed or apply was stopped before it.
    async fn step(&self, step: &steps::Step, outcomes: &mut Outcomes) -> bool {
        if self.stop.is_stopped() {
            return false;
        }
        let outcome = self.write(step).await;
        let ok = outcome.is_applied();
        // The delete half of a replacement is applied when its create half is.
        if !(ok && step.kind == StepKind::DeleteReplaced) {
            for &i in &step.changes {
                outcomes[i] = Some(outcome.clone());
            }
        }
        ok
    }

    /// Sends one step, unless a stop comes and it does not finish within the grace period.
    async fn write(&self, step: &steps::Step) -> Outcome {
        let changes: Vec<&Change> = step.changes.iter().map(|&i| &self.changes[i]).collect();
        let send = write::step(self.client, self.options, self.secrets, step.kind, &changes);
        let given_up = async {
            self.stop.stopped().await;
            tokio::time::sleep(self.options.stop_grace).await;
        };
        let outcome = tokio::select! {
            result = send => match result {
                Ok(write::Written::Answered) => Outcome::Applied,
                Ok(write::Written::Reread) => Outcome::AppliedConfirmedByReread,
                Err(e) => {
                    let error = e.to_string();
                    tracing::warn!(%error, "apply step failed");
                    Outcome::Failed { error, known: e.known() }
                }
            },
            () = given_up => Outcome::NotApplied {
                reason: format!(
                    "{INTERRUPTED}: still in flight {}s after the stop, given up; it may or may not have taken effect — run plan to see",
                    self.options.stop_grace.as_secs()
                ),
            },
        };
        let done = self.done.fetch_add(step.changes.len(), Ordering::Relaxed) + step.changes.len();
        self.client.progress().event(Event::Writes {
            done,
            total: self.total,
        });
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stop_is_seen_by_every_copy_once_triggered() {
        let (handle, stop) = Stop::new();
        let copy = stop.clone();
        assert!(!stop.is_stopped());
        handle.stop();
        assert!(stop.is_stopped() && copy.is_stopped());
        tokio::time::timeout(Duration::from_secs(1), copy.stopped())
            .await
            .expect("resolves once triggered");
    }

    #[tokio::test]
    async fn a_never_stop_never_resolves() {
        let stop = Stop::never();
        assert!(!stop.is_stopped());
        let waited = tokio::time::timeout(Duration::from_millis(50), stop.stopped()).await;
        assert!(waited.is_err());
    }
}
