//! `drift`: where the live org has left the config, for a nightly job. The same read and diff
//! as a plan, turned into findings — `changed`, `missing`, or `unmanaged` (live but not in a
//! collection the config owns exclusively) — each with a stable fingerprint, whether it is
//! new since the last run ([`state`]), the System Log events that touched it
//! ([`attribution`]), and ignore rules applied ([`ignore`]). Console steps that were already
//! pending at the last clean run are reported apart and are not drift.

pub mod attribution;
pub mod ignore;
pub mod state;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::model::IgnoreRule;
use crate::ids::AppId;
use crate::okta::Snapshot;
use crate::plan::attribute::FieldChange;
use crate::plan::planfile::digest;
use crate::plan::{Action, Change, FoundApp, Op, Plan, Risk, Subject};
pub use attribution::Attribution;
pub use state::DriftState;

/// The drift report format (`--format json`, `--state`).
pub const DRIFT_FORMAT: u32 = 1;

/// How the org differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The object exists in both, with other settings or values.
    Changed,
    /// The config has it; the org does not.
    Missing,
    /// The org has it in a collection the config owns exclusively; the config does not.
    Unmanaged,
}

/// Whether the last run saw the finding too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Seen {
    New,
    Still,
}

/// One difference between the org and the config.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Digest of what differs (subject, action, settings): the same drift gives the same
    /// fingerprint on every run, whatever the order or the time.
    pub fingerprint: String,
    pub kind: FindingKind,
    pub subject: Subject,
    pub action: Action,
    pub risk: Risk,
    /// Only the Admin Console can set it back.
    pub console: bool,
    pub fields: Vec<FieldChange>,
    pub seen: Seen,
    /// System Log events that touched the object in the window, oldest first.
    pub events: Vec<Attribution>,
    /// The plan's change, for rendering.
    #[serde(skip)]
    pub change: Change,
    /// What the System Log names the object by.
    #[serde(skip)]
    pub targets: attribution::Targets,
}

/// A whole drift run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub format_version: u32,
    pub org: String,
    /// The start of the System Log window (RFC 3339).
    pub since: String,
    /// Digest of the drift findings' fingerprints: the same drift, the same report fingerprint.
    pub fingerprint: String,
    /// Whether anything counts as drift (exit 2).
    pub drift: bool,
    pub findings: Vec<Finding>,
    /// Console steps already pending at the last clean run: reported, not drift.
    pub pending: Vec<Finding>,
    /// Findings (or settings of findings) that ignore rules silenced.
    pub ignored: usize,
    /// The config's apps as found in the org.
    pub apps: BTreeMap<String, FoundApp>,
}

impl Report {
    pub fn new_count(&self) -> usize {
        self.findings.iter().filter(|f| f.seen == Seen::New).count()
    }
}

fn kind(action: Action) -> FindingKind {
    match action {
        Action::Create => FindingKind::Missing,
        Action::Delete => FindingKind::Unmanaged,
        Action::Update | Action::Reorder | Action::Replace | Action::Manual => FindingKind::Changed,
    }
}

/// The fingerprint of a finding: what differs, not when or in which order.
fn fingerprint(subject: &Subject, action: Action, fields: &[FieldChange]) -> String {
    let value = serde_json::json!({ "subject": subject, "action": action, "fields": fields });
    digest(&value)
}

/// The plan's changes as findings, with ignore rules applied; returns them and how many
/// findings or settings the rules silenced.
pub fn findings(plan: &Plan, live: &Snapshot, rules: &[IgnoreRule]) -> (Vec<Finding>, usize) {
    let mut out = Vec::new();
    let mut ignored = 0;
    for change in &plan.changes {
        let fields = change.op.fields().to_vec();
        let Some(fields) = ignore::apply(rules, &change.subject, fields, &mut ignored) else {
            continue;
        };
        let app_id = change
            .subject
            .app()
            .and_then(|a| plan.apps.get(a))
            .map(|a| AppId(a.id.clone()));
        out.push(Finding {
            fingerprint: fingerprint(&change.subject, change.action, &fields),
            kind: kind(change.action),
            subject: change.subject.clone(),
            action: change.action,
            risk: change.risk,
            console: matches!(change.op, Op::Manual { .. }),
            fields,
            seen: Seen::New,
            events: Vec::new(),
            change: change.clone(),
            targets: attribution::targets(change, app_id.as_ref(), live),
        });
    }
    (out, ignored)
}

/// Splits findings into drift and pending console steps, marks each new or still, and makes
/// the report. Without a state, console steps are pending (nothing says they are new).
pub fn report(
    plan: &Plan,
    findings: Vec<Finding>,
    ignored: usize,
    since: String,
    previous: Option<&DriftState>,
) -> Report {
    let (mut drift, mut pending) = (Vec::new(), Vec::new());
    for mut finding in findings {
        if let Some(previous) = previous
            && previous.findings.contains_key(&finding.fingerprint)
        {
            finding.seen = Seen::Still;
        }
        let already_pending = finding.console
            && previous.is_none_or(|p| p.console_baseline.contains(&finding.fingerprint));
        if already_pending {
            pending.push(finding);
        } else {
            drift.push(finding);
        }
    }
    let mut fingerprints: Vec<&str> = drift.iter().map(|f| f.fingerprint.as_str()).collect();
    fingerprints.sort_unstable();
    Report {
        format_version: DRIFT_FORMAT,
        org: plan.org.clone(),
        since,
        fingerprint: digest(&serde_json::json!(fingerprints)),
        drift: !drift.is_empty(),
        findings: drift,
        pending,
        ignored,
        apps: plan.apps.clone(),
    }
}

#[cfg(test)]
mod tests;
