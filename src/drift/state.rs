//! `--state FILE`: what the last drift run saw, so a cron job alerts once — findings seen
//! before are `still`, the System Log window starts at the last clean run, and console steps
//! already pending then are not drift.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{DRIFT_FORMAT, Report};
use crate::plan::planfile::write_atomically;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftState {
    pub format: u32,
    pub org: String,
    /// When the last run ended (RFC 3339).
    pub last_run: String,
    /// When a run last found no drift.
    pub last_clean: Option<String>,
    /// Fingerprint → when it was first seen.
    pub findings: BTreeMap<String, String>,
    /// Console steps pending at the last clean run.
    pub console_baseline: BTreeSet<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read the drift state {path}: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error(
        "the drift state {path} is of org {found}, not {now}: give each org its own --state file"
    )]
    OtherOrg {
        path: PathBuf,
        found: String,
        now: String,
    },
    #[error("cannot save the drift state to {path}: {source}")]
    Unwritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl DriftState {
    /// The state at `path`; `None` when the file does not exist yet (the first run).
    pub fn load(path: &Path, org: &str) -> Result<Option<DriftState>, StateError> {
        let unreadable = |reason: String| StateError::Unreadable {
            path: path.to_path_buf(),
            reason,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(unreadable(e.to_string())),
        };
        let state: DriftState = serde_json::from_str(&text).map_err(|e| {
            unreadable(format!(
                "{e}; delete it to start over (the next run re-alerts)"
            ))
        })?;
        if state.format != DRIFT_FORMAT {
            return Err(unreadable(format!(
                "it has format {}, this oktaform writes {DRIFT_FORMAT}; delete it to start over",
                state.format
            )));
        }
        if state.org != org {
            return Err(StateError::OtherOrg {
                path: path.to_path_buf(),
                found: state.org,
                now: org.into(),
            });
        }
        Ok(Some(state))
    }

    /// The state after `report`, made at `now`.
    pub fn after(previous: Option<&DriftState>, report: &Report, now: &str) -> DriftState {
        let first_seen = |fingerprint: &str| {
            previous
                .and_then(|p| p.findings.get(fingerprint).cloned())
                .unwrap_or_else(|| now.to_string())
        };
        let findings = report
            .findings
            .iter()
            .chain(&report.pending)
            .map(|f| (f.fingerprint.clone(), first_seen(&f.fingerprint)))
            .collect();
        let clean = !report.drift;
        DriftState {
            format: DRIFT_FORMAT,
            org: report.org.clone(),
            last_run: now.into(),
            last_clean: match clean {
                true => Some(now.into()),
                false => previous.and_then(|p| p.last_clean.clone()),
            },
            findings,
            console_baseline: match clean {
                true => report
                    .pending
                    .iter()
                    .map(|f| f.fingerprint.clone())
                    .collect(),
                false => previous
                    .map(|p| p.console_baseline.clone())
                    .unwrap_or_else(|| {
                        report
                            .pending
                            .iter()
                            .map(|f| f.fingerprint.clone())
                            .collect()
                    }),
            },
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let unwritable = |source| StateError::Unwritable {
            path: path.to_path_buf(),
            source,
        };
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| unwritable(e.into()))?;
        write_atomically(path, &bytes).map_err(unwritable)
    }
}
