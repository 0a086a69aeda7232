//! A plan bound to an org: the changes, plus a fingerprint of every live object they touch, so
//! `apply plan.json` can re-read those objects and refuse when any changed since the plan (a
//! console edit in between must never be overwritten). Plan files hold no secret: payloads are
//! schema properties, mappings, toggles and profile values, never credentials.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::change::{Change, Note, Op, PLAN_FORMAT, Risk, Subject};
use super::live::{Features, LiveApp, LiveOrg};

/// What a plan file holds. Changes are stored as the JSON the plan printed, and re-planned on
/// apply; the fingerprints decide whether the org is still the one the plan was made against.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
    pub oktaform_version: String,
    pub org: String,
    /// The config paths the plan was made from, as given.
    pub config_paths: Vec<String>,
    /// Digest of the config files the plan was made from.
    pub config_digest: String,
    pub changes: Vec<Value>,
    /// Live object → digest of its state when planned.
    pub fingerprints: BTreeMap<String, String>,
}

/// The plan as computed.
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
    pub fn new(org: String, live: &LiveOrg, changes: super::diff::Changes) -> Plan {
        let apps = live
            .apps
            .iter()
            .map(|(name, app)| {
                (
                    name.clone(),
                    FoundApp {
                        label: app.app.label.clone(),
                        id: app.app.id.0.clone(),
                    },
                )
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
        use super::change::Action;
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
pub fn fingerprints(changes: &[Change], live: &LiveOrg) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for change in changes {
        let app = change.subject.app().and_then(|a| live.apps.get(a));
        for (key, value) in touched(change, live, app) {
            out.insert(key, digest(&value));
        }
    }
    out
}

fn touched(change: &Change, live: &LiveOrg, app: Option<&LiveApp>) -> Vec<(String, Value)> {
    let custom = |schema: &crate::okta::types::Schema| json(&schema.definitions.custom);
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
                super::Direction::ToApp => &app.to_app,
                super::Direction::ToOkta => &app.to_okta,
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
                Features::NotSupported => json(&app.app.features),
            };
            vec![(format!("app {name}: provisioning"), state)]
        }
        (Subject::UserAssignment { app: name, login }, Some(app)) => {
            let user_id = match &change.op {
                Op::AssignUser { user_id, .. }
                | Op::UpdateUser { user_id, .. }
                | Op::UnassignUser { user_id, .. } => Some(user_id),
                _ => None,
            };
            let current = app
                .users
                .iter()
                .flatten()
                .find(|u| Some(&u.assignment.id) == user_id)
                .map(|u| json(&(&u.assignment.scope, &u.assignment.profile)))
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
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
