//! The SCIM payload preview (`plan --show-scim`): for each assignment change, the request the
//! vendor's SCIM server will receive from Okta — `POST /Users` on an assignment, `PUT
//! /Users/{id}` on a profile update, `PATCH` with `active: false` on an unassignment with
//! Deactivate Users on. Bodies are built from the app's attributes: each value goes under its
//! external name, in its external namespace's object (core SCIM attributes at the top level); an
//! attribute without an external name is not sent (finding D10) and is listed with why. Values
//! come from the assignment profile, or from a `to_app` mapping evaluated on the Okta user where
//! it reads one attribute (`user.x`); other expressions are shown, not evaluated. The preview
//! holds profile values only: no credential is ever part of it.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::Plan;
use super::change::{Op, Subject};
use crate::config::model::{App, Config};
use crate::facts::attributes::SCIM_DEFAULT_TO_APP;
use crate::facts::provisioning::ToAppToggle;
use crate::okta::Snapshot;

/// SCIM's core user schema: attributes of no namespace (or this one) go at the top level.
const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// One request the vendor will receive, or why none is sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Payload {
    pub app: String,
    pub login: String,
    /// `POST /Users`, `PUT /Users/{id}`, `PATCH /Users/{id}`; `None` when nothing is sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// Why nothing is sent (a To App toggle is off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_sent_because: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Where each value comes from: `(SCIM path, source)`.
    pub sources: Vec<(String, String)>,
    /// App attributes left out of the body: `(attribute, why)`.
    pub not_sent: Vec<(String, String)>,
}

/// The payloads of every assignment change of `plan`.
pub fn preview(config: &Config, plan: &Plan, live: &Snapshot) -> Vec<Payload> {
    let mut out = Vec::new();
    for change in &plan.changes {
        let Subject::UserAssignment { app: name, login } = &change.subject else {
            continue;
        };
        let (Some(app), Some(live_app)) = (config.apps.get(name.as_str()), live.apps.get(name))
        else {
            continue;
        };
        let on = |toggle: ToAppToggle| {
            let declared = app
                .provisioning
                .as_ref()
                .and_then(|p| p.to_app.as_ref())
                .and_then(|t| {
                    t.value
                        .toggles()
                        .into_iter()
                        .find(|(t, _)| *t == toggle)
                        .map(|(_, on)| on.value)
                });
            declared.unwrap_or_else(|| live_app.toggle_on(toggle))
        };
        let user = live.directory.profiles.get(&login.to_lowercase());
        let scim_id = "{id}";
        let merged;
        let (request, toggle, profile) = match &change.op {
            Op::AssignUser { profile, .. } | Op::ConvertUser { profile, .. } => (
                "POST /Users".to_string(),
                ToAppToggle::CreateUsers,
                Some(profile),
            ),
            // A PUT carries the whole user: the stored app profile with the changes.
            Op::UpdateUser {
                profile, user_id, ..
            } => {
                let mut whole = live_app
                    .users
                    .iter()
                    .flatten()
                    .find(|u| &u.assignment.id == user_id)
                    .map(|u| u.assignment.profile.clone())
                    .unwrap_or_default();
                whole.extend(profile.clone());
                merged = whole;
                (
                    format!("PUT /Users/{scim_id}"),
                    ToAppToggle::UpdateUserAttributes,
                    Some(&merged),
                )
            }
            Op::UnassignUser { .. } => (
                format!("PATCH /Users/{scim_id}"),
                ToAppToggle::DeactivateUsers,
                None,
            ),
            _ => continue,
        };
        let mut payload = Payload {
            app: name.clone(),
            login: login.clone(),
            request: None,
            not_sent_because: None,
            body: None,
            sources: Vec::new(),
            not_sent: Vec::new(),
        };
        if !on(toggle) {
            payload.not_sent_because = Some(format!(
                "{} is off: Okta sends the vendor nothing for this change",
                toggle.console_label()
            ));
            out.push(payload);
            continue;
        }
        payload.request = Some(request);
        payload.body = Some(match profile {
            None => json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "value": {"active": false}}]
            }),
            Some(assigned) => body(app, assigned, user, login, &mut payload),
        });
        out.push(payload);
    }
    out
}

/// A user's SCIM body: base attributes from Okta's SCIM default mappings, then the app's
/// attributes under their external names and namespaces.
fn body(
    app: &App,
    assigned: &Map<String, Value>,
    user: Option<&Map<String, Value>>,
    login: &str,
    payload: &mut Payload,
) -> Value {
    let mut root = Map::new();
    let mut schemas = vec![CORE.to_string()];
    // The value of an expression over the Okta user, and how to say where it came from.
    let evaluate = |expression: &str| -> (Value, String) {
        match expression.strip_prefix("user.") {
            Some(attr) if attr.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                let value = match (attr, user) {
                    ("login", None) => Value::String(login.to_string()),
                    (_, Some(u)) => u.get(attr).cloned().unwrap_or(Value::Null),
                    (_, None) => Value::String(format!("(the Okta user's {attr})")),
                };
                (value, format!("the Okta user's {attr} ({expression})"))
            }
            _ => (
                Value::String(format!("(computed by Okta: {expression})")),
                format!("computed by Okta from the Okta user: {expression}"),
            ),
        }
    };
    for (target, expression) in SCIM_DEFAULT_TO_APP
        .iter()
        .filter(|(t, _)| matches!(*t, "userName" | "givenName" | "familyName" | "email"))
    {
        let expression = app
            .mappings
            .to_app
            .get(*target)
            .map_or(expression.to_string(), |m| m.value.expression.clone());
        let (value, source) = evaluate(&expression);
        let path = match *target {
            "givenName" | "familyName" => {
                let name = root
                    .entry("name")
                    .or_insert_with(|| Value::Object(Map::new()));
                name[*target] = value;
                format!("name.{target}")
            }
            "email" => {
                root.insert(
                    "emails".into(),
                    json!([{"value": value, "type": "work", "primary": true}]),
                );
                "emails[type eq \"work\"].value".to_string()
            }
            _ => {
                root.insert((*target).to_string(), value);
                (*target).to_string()
            }
        };
        payload.sources.push((path, source));
    }
    for (name, attribute) in &app.attributes {
        let (value, source) = match (
            assigned.get(name.as_str()),
            app.mappings.to_app.get(name.as_str()),
        ) {
            (Some(v), _) => (v.clone(), "the assignment profile".to_string()),
            (None, Some(mapping)) => evaluate(&mapping.value.expression),
            (None, None) => continue,
        };
        if value.is_null() {
            payload.not_sent.push((
                name.value.clone(),
                format!("no value yet ({source}): Okta leaves it out"),
            ));
            continue;
        }
        let Some(external) = &attribute.external_name else {
            payload.not_sent.push((
                name.value.clone(),
                "no external name: Okta sends an attribute only under its external name, so the vendor never receives it (set `external_name`)".into(),
            ));
            continue;
        };
        let namespace = attribute
            .external_namespace
            .as_ref()
            .map_or(CORE, |n| n.value.as_str());
        let path = if namespace == CORE {
            root.insert(external.value.clone(), value);
            external.value.clone()
        } else {
            if !schemas.iter().any(|s| s == namespace) {
                schemas.push(namespace.to_string());
            }
            let object = root
                .entry(namespace.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            object[external.value.as_str()] = value;
            format!("{namespace}:{}", external.value)
        };
        payload.sources.push((path, source));
    }
    root.insert("active".into(), Value::Bool(true));
    let mut out = Map::new();
    out.insert("schemas".into(), json!(schemas));
    out.extend(root);
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plan::diff::diff;
    use crate::plan::testing::{LUCIQ, config, live_app, org};

    fn payloads(yaml: &str) -> Vec<Payload> {
        let config = config(yaml);
        let live = org(
            json!({}),
            live_app(vec!["SCIM_PROVISIONING"], json!({}), json!({})),
        );
        let changes = diff(&config, &live).unwrap();
        let plan = Plan {
            format_version: 1,
            org: "test".into(),
            apps: Default::default(),
            changes: changes.changes,
            notes: changes.notes,
        };
        preview(&config, &plan, &live)
    }

    #[test]
    fn an_assignment_is_a_post_with_values_under_their_external_names_and_namespaces() {
        let all = payloads(LUCIQ);
        let alice = all.iter().find(|p| p.login == "alice@example.com").unwrap();
        assert_eq!(alice.request.as_deref(), Some("POST /Users"));
        let body = alice.body.as_ref().unwrap();
        let ns = "urn:ietf:params:scim:schemas:extension:instabug:2.0:User";
        assert_eq!(body[ns]["instabugRole"], "adminstrator", "{body:#}");
        assert!(
            body["instabugRole"].is_null(),
            "not at the top level: {body:#}"
        );
        assert_eq!(body["name"]["givenName"], "Alice", "from the Okta user");
        assert_eq!(body["schemas"][1], ns);
        assert!(
            alice.sources.contains(&(
                format!("{ns}:instabugRole"),
                "the assignment profile".into()
            )),
            "{:?}",
            alice.sources
        );
    }

    #[test]
    fn an_attribute_without_an_external_name_is_shown_as_not_sent() {
        let yaml = "apps:\n  luciq:\n    find: { label: Luciq }\n    provisioning:\n      to_app: { create_users: true }\n    attributes:\n      role: { title: Role, type: string }\n    assignments:\n      users:\n        alice@example.com: { role: admin }\n";
        let all = payloads(yaml);
        let body = all[0].body.as_ref().unwrap();
        assert!(body.get("role").is_none(), "{body:#}");
        assert_eq!(all[0].not_sent[0].0, "role");
        assert!(all[0].not_sent[0].1.starts_with("no external name"));
    }

    #[test]
    fn nothing_is_sent_while_create_users_is_off() {
        let yaml = "apps:\n  luciq:\n    find: { label: Luciq }\n    provisioning:\n      to_app: { create_users: false }\n    assignments:\n      users:\n        alice@example.com:\n";
        let all = payloads(yaml);
        assert_eq!(all[0].request, None);
        assert!(
            all[0]
                .not_sent_because
                .as_ref()
                .unwrap()
                .starts_with("Create Users is off")
        );
    }
}
