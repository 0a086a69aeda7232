//! The saved plan (`plan --out plan.json`, `apply plan.json`): the typed changes, the format
//! and oktaform versions (checked on read, each with its own message), the digest of the config
//! files, and a fingerprint of every live object the changes touch. `apply plan.json` re-reads
//! those objects and re-plans; [`SavedPlan::check`] refuses, naming the cause, when the org, the
//! config, the objects or the changes differ — a console edit in between is never overwritten.
//! Plan files hold no secret: payloads are schema properties, mappings, toggles, profile
//! values, and references (`${env:…}`), never what they name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Plan;
use super::change::{Change, Direction, Op, Subject};
use crate::config::Sources;
use crate::okta::types::Schema;
use crate::okta::{Features, LiveApp, Snapshot};

/// The plan file format version (also of `--format json`).
pub const PLAN_FORMAT: u32 = 1;

/// This oktaform's version: a plan made by another one is refused (its diff may differ).
pub const OKTAFORM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What a plan file holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
    pub oktaform_version: String,
    pub org: String,
    /// The config paths the plan was made from, as given.
    pub config_paths: Vec<String>,
    /// Digest of the config files the plan was made from.
    pub config_digest: String,
    pub changes: Vec<Change>,
    /// Live object → digest of its state when planned.
    pub fingerprints: BTreeMap<String, String>,
    /// Digest of everything above, written by `save`: a file whose content no longer gives it
    /// was edited after it was saved, and is refused as such (not as a changed org). It detects
    /// edits, not an adversary: whoever can write the file can recompute it.
    #[serde(default)]
    pub content_digest: String,
}

/// Why a plan file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("cannot read the plan {path}: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not an oktaform plan file: {reason}")]
    NotAPlan { path: PathBuf, reason: String },
    #[error(
        "{path} has plan format {found}; this oktaform ({OKTAFORM_VERSION}) reads format {PLAN_FORMAT}: plan again with this version"
    )]
    OtherFormat { path: PathBuf, found: u64 },
    #[error(
        "{path} was made by oktaform {found}, this is oktaform {OKTAFORM_VERSION}: plan again with this version (a plan is applied by the version that made it)"
    )]
    OtherVersion { path: PathBuf, found: String },
    #[error(
        "{path}: change {index} says `{action}` but its operation is `{op}`: the file was edited; plan again"
    )]
    Inconsistent {
        path: PathBuf,
        index: usize,
        action: String,
        op: String,
    },
    #[error(
        "{path} was edited after it was saved: its content no longer matches its `content_digest`. \
         A reviewed plan is applied as it was saved; plan again (`plan --out`) instead of editing the file"
    )]
    Edited { path: PathBuf },
    #[error("cannot save the plan to {path}: {source}")]
    Unwritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Why a saved plan may not be applied to the org as it is now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the plan was made for {planned}, not {now}")]
    OtherOrg { planned: String, now: String },
    #[error("the config files changed since the plan was made: plan again")]
    ConfigChanged,
    #[error(
        "the org changed since the plan was made (someone edited it?): {}; plan again and review",
        .0.join(", ")
    )]
    OrgChanged(Vec<String>),
    #[error(
        "the org now needs changes the plan does not hold: {}; plan again and review",
        .0.join(", ")
    )]
    NewChanges(Vec<String>),
    #[error(
        "the plan file holds changes this config and org do not give, though neither changed: {}; was the file edited? Plan again",
        .0.join(", ")
    )]
    ChangesEdited(Vec<String>),
}

impl SavedPlan {
    /// The plan to save, with the fingerprints of what it touches in `live`.
    pub fn new(plan: &Plan, live: &Snapshot, sources: &Sources, paths: &[PathBuf]) -> SavedPlan {
        SavedPlan {
            format_version: PLAN_FORMAT,
            oktaform_version: OKTAFORM_VERSION.into(),
            org: plan.org.clone(),
            config_paths: paths.iter().map(|p| p.display().to_string()).collect(),
            config_digest: config_digest(sources),
            changes: plan.changes.clone(),
            fingerprints: fingerprints(&plan.changes, live),
            content_digest: String::new(),
        }
        .sealed()
    }

    /// This plan with its `content_digest` set.
    fn sealed(mut self) -> SavedPlan {
        self.content_digest = self.content();
        self
    }

    /// The digest of the plan's content: every field but the digest itself.
    fn content(&self) -> String {
        let mut value = json(self);
        if let Some(map) = value.as_object_mut() {
            map.remove("content_digest");
        }
        digest(&value)
    }

    /// Writes the plan through a temporary file and a rename: never half a file.
    pub fn save(&self, path: &Path) -> Result<(), PlanFileError> {
        let unwritable = |source| PlanFileError::Unwritable {
            path: path.to_path_buf(),
            source,
        };
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| unwritable(e.into()))?;
        write_atomically(path, &bytes).map_err(unwritable)
    }

    /// Reads a plan file: its versions first (so another format is named, not misparsed),
    /// then the typed changes, each checked to say the action its operation has.
    pub fn load(path: &Path) -> Result<SavedPlan, PlanFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| PlanFileError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
        let not_a_plan = |reason: String| PlanFileError::NotAPlan {
            path: path.to_path_buf(),
            reason,
        };
        let value: Value = serde_json::from_str(&text).map_err(|e| not_a_plan(e.to_string()))?;
        match value.get("format_version").and_then(Value::as_u64) {
            Some(found) if found == u64::from(PLAN_FORMAT) => {}
            Some(found) => {
                return Err(PlanFileError::OtherFormat {
                    path: path.to_path_buf(),
                    found,
                });
            }
            None => return Err(not_a_plan("it has no `format_version`".into())),
        }
        match value.get("oktaform_version").and_then(Value::as_str) {
            Some(OKTAFORM_VERSION) => {}
            Some(found) => {
                return Err(PlanFileError::OtherVersion {
                    path: path.to_path_buf(),
                    found: found.into(),
                });
            }
            None => return Err(not_a_plan("it has no `oktaform_version`".into())),
        }
        let saved: SavedPlan =
            serde_json::from_value(value).map_err(|e| not_a_plan(e.to_string()))?;
        if saved.content_digest.is_empty() {
            return Err(not_a_plan("it has no `content_digest`".into()));
        }
        for (index, change) in saved.changes.iter().enumerate() {
            if change.action != change.op.action() {
                return Err(PlanFileError::Inconsistent {
                    path: path.to_path_buf(),
                    index: index + 1,
                    action: label(&change.action),
                    op: label(&change.op.action()),
                });
            }
        }
        if saved.content() != saved.content_digest {
            return Err(PlanFileError::Edited {
                path: path.to_path_buf(),
            });
        }
        Ok(saved)
    }

    /// Whether this saved plan still describes the org: same org, same config, same objects,
    /// and the same changes as a fresh plan (`plan`, made from `live`).
    pub fn check(&self, plan: &Plan, live: &Snapshot, sources: &Sources) -> Result<(), Refusal> {
        if self.org != plan.org {
            return Err(Refusal::OtherOrg {
                planned: self.org.clone(),
                now: plan.org.clone(),
            });
        }
        if self.config_digest != config_digest(sources) {
            return Err(Refusal::ConfigChanged);
        }
        let now = fingerprints(&plan.changes, live);
        let changed: Vec<String> = self
            .fingerprints
            .iter()
            .filter(|(key, digest)| now.get(*key) != Some(*digest))
            .map(|(key, _)| key.clone())
            .collect();
        if !changed.is_empty() {
            return Err(Refusal::OrgChanged(changed));
        }
        let not_in = |a: &[Change], b: &[Change]| -> Vec<String> {
            a.iter()
                .filter(|c| !b.contains(c))
                .map(|c| c.subject.to_string())
                .collect()
        };
        let edited = not_in(&self.changes, &plan.changes);
        if !edited.is_empty() {
            return Err(Refusal::ChangesEdited(edited));
        }
        let new = not_in(&plan.changes, &self.changes);
        if !new.is_empty() {
            return Err(Refusal::NewChanges(new));
        }
        Ok(())
    }
}

fn label<T: Serialize>(value: &T) -> String {
    json(value).as_str().unwrap_or_default().to_string()
}

/// A digest of the config files' paths and texts.
pub fn config_digest(sources: &Sources) -> String {
    let files: Vec<Value> = sources
        .files()
        .map(|f| serde_json::json!([f.path.display().to_string(), f.text]))
        .collect();
    digest(&Value::Array(files))
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("plan"),
        std::process::id()
    ));
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

/// A stable digest of a JSON value (object keys sorted).
pub fn digest(value: &Value) -> String {
    let mut text = String::new();
    canonical(value, &mut text);
    let hash = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    hash.as_ref()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for key in keys {
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&map[key], out);
                out.push(',');
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for item in items {
                canonical(item, out);
                out.push(',');
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The live objects a change touches, each with the digest of its current state. The same keys
/// computed from a fresh read must give the same digests for a saved plan to be applied.
pub fn fingerprints(changes: &[Change], live: &Snapshot) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for change in changes {
        let app = change.subject.app().and_then(|a| live.apps.get(a));
        for (key, value) in touched(change, live, app) {
            out.insert(key, digest(&value));
        }
    }
    out
}

fn touched(change: &Change, live: &Snapshot, app: Option<&LiveApp>) -> Vec<(String, Value)> {
    let custom = |schema: &Schema| json(&schema.definitions.custom);
    match (&change.subject, app) {
        (Subject::OktaUserAttribute { .. }, _) => {
            vec![(
                "okta user schema".into(),
                live.user_schema.as_ref().map(custom).unwrap_or(Value::Null),
            )]
        }
        (Subject::AppAttribute { app: name, .. }, Some(app)) => {
            vec![(format!("app {name}: user schema"), custom(&app.schema))]
        }
        (
            Subject::Mapping {
                app: name,
                direction,
                ..
            },
            Some(app),
        ) => {
            let mapping = match direction {
                Direction::ToApp => &app.to_app,
                Direction::ToOkta => &app.to_okta,
            };
            let properties = mapping
                .as_ref()
                .map(|m| json(&m.properties))
                .unwrap_or(Value::Null);
            vec![(
                format!(
                    "app {name}: mapping {}",
                    json(direction).as_str().unwrap_or("")
                ),
                properties,
            )]
        }
        (
            Subject::ToApp { app: name }
            | Subject::ToOkta { app: name }
            | Subject::Scim { app: name },
            Some(app),
        ) => {
            let state = match &app.features {
                Features::Api { features } => json(features),
                Features::NotSupported | Features::NotEnabled => json(&app.app.features),
            };
            vec![(format!("app {name}: provisioning"), state)]
        }
        // The assignment's scope and the values the change writes: a read keeps only the
        // profile attributes its config sets (`ProfileKeys`), and the others are not written.
        (Subject::UserAssignment { app: name, login }, Some(app)) => {
            let (user_id, writes) = match &change.op {
                Op::AssignUser {
                    user_id, profile, ..
                }
                | Op::ConvertUser {
                    user_id, profile, ..
                }
                | Op::UpdateUser {
                    user_id, profile, ..
                } => (Some(user_id), Some(profile)),
                Op::UnassignUser { user_id, .. } => (Some(user_id), None),
                _ => (None, None),
            };
            let current = app
                .users
                .iter()
                .flatten()
                .find(|u| Some(&u.assignment.id) == user_id)
                .map(|u| {
                    let values: serde_json::Map<String, Value> = writes
                        .iter()
                        .flat_map(|w| w.keys())
                        .filter_map(|k| Some((k.clone(), u.assignment.profile.get(k)?.clone())))
                        .collect();
                    json(&(&u.assignment.scope, values))
                })
                .unwrap_or(Value::Null);
            vec![(format!("app {name}: user {login}"), current)]
        }
        (Subject::GroupAssignment { app: name, group }, Some(app)) => {
            let group_id = match &change.op {
                Op::PutGroup { group_id, .. } | Op::UnassignGroup { group_id, .. } => {
                    Some(group_id)
                }
                _ => None,
            };
            let current = app
                .groups
                .iter()
                .flatten()
                .find(|g| Some(&g.assignment.id) == group_id)
                .map(|g| json(&(&g.assignment.priority, &g.assignment.profile)))
                .unwrap_or(Value::Null);
            vec![(format!("app {name}: group {group}"), current)]
        }
        (Subject::GroupPush { app: name, group }, Some(app)) => {
            let found = |p: &&crate::okta::LivePush| match &change.op {
                Op::CreatePush {
                    source_group_id, ..
                } => &p.mapping.source_group_id == source_group_id,
                Op::SetPushStatus { mapping_id, .. }
                | Op::ReplacePush { mapping_id, .. }
                | Op::DeletePush { mapping_id, .. } => &p.mapping.id == mapping_id,
                _ => false,
            };
            let current = app
                .group_push
                .iter()
                .flatten()
                .find(found)
                .map(|p| json(&(&p.mapping.status, &p.mapping.target_group_id)))
                .unwrap_or(Value::Null);
            vec![(format!("app {name}: pushed group {group}"), current)]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::diff;
    use crate::plan::testing::*;
    use serde_json::json;

    #[test]
    fn digest_ignores_key_order_but_not_values() {
        assert_eq!(
            digest(&json!({"a": 1, "b": [1, 2]})),
            digest(&json!({"b": [1, 2], "a": 1}))
        );
        assert_ne!(digest(&json!({"a": 1})), digest(&json!({"a": 2})));
        assert_ne!(digest(&json!([1, 2])), digest(&json!([2, 1])));
    }

    fn saved_luciq_plan(dir: &Path) -> (PathBuf, SavedPlan) {
        let live = org(
            json!({}),
            live_app(vec!["SCIM_PROVISIONING"], json!({}), json!({})),
        );
        let changes = diff(&config(LUCIQ), &live).unwrap();
        let plan = Plan::new("https://acme.okta.com".into(), &live, changes);
        let mut sources = Sources::default();
        sources.add("luciq.yaml".into(), LUCIQ.into());
        let saved = SavedPlan::new(&plan, &live, &sources, &["luciq.yaml".into()]);
        let path = dir.join("plan.json");
        saved.save(&path).unwrap();
        (path, saved)
    }

    #[test]
    fn a_saved_plan_round_trips_through_its_typed_reader() {
        let dir = tempfile::tempdir().unwrap();
        let (path, saved) = saved_luciq_plan(dir.path());
        assert!(saved.changes.len() > 5);
        assert_eq!(SavedPlan::load(&path).unwrap(), saved);
    }

    #[test]
    fn another_format_or_version_or_an_edited_action_is_refused_saying_which() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = saved_luciq_plan(dir.path());
        let original: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let rewrite = |edit: &dyn Fn(&mut Value)| {
            let mut v = original.clone();
            edit(&mut v);
            std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
            SavedPlan::load(&path).unwrap_err().to_string()
        };
        let text = rewrite(&|v| v["format_version"] = json!(2));
        assert!(
            text.contains("plan format 2") && text.contains("reads format 1"),
            "{text}"
        );
        let text = rewrite(&|v| v["oktaform_version"] = json!("0.0.9"));
        assert!(text.contains("made by oktaform 0.0.9"), "{text}");
        let text = rewrite(&|v| v["changes"][0]["action"] = json!("delete"));
        assert!(text.contains("change 1 says `delete`"), "{text}");
        // Content edits: each named as an edit of the file, never as a changed org or config.
        for edit in [
            // Lowering a change's risk would slip it past the apply guard.
            &(|v: &mut Value| {
                let risk = if v["changes"][0]["risk"] == "safe" {
                    "data-loss"
                } else {
                    "safe"
                };
                v["changes"][0]["risk"] = json!(risk);
            }) as &dyn Fn(&mut Value),
            &|v| v["changes"].as_array_mut().unwrap().truncate(1),
            &|v| {
                let first = v["fingerprints"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .next()
                    .unwrap()
                    .clone();
                v["fingerprints"][first] = json!("0000");
            },
            &|v| v["config_digest"] = json!("0000"),
            &|v| v["org"] = json!("https://other.okta.com"),
        ] {
            let text = rewrite(edit);
            assert!(text.contains("was edited after it was saved"), "{text}");
        }
        let text = rewrite(&|v| {
            v.as_object_mut().unwrap().remove("content_digest");
        });
        assert!(text.contains("no `content_digest`"), "{text}");
        std::fs::write(&path, "{").unwrap();
        assert!(matches!(
            SavedPlan::load(&path),
            Err(PlanFileError::NotAPlan { .. })
        ));
    }
}
