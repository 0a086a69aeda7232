//! Profile mappings: the list (by `sourceId` and `targetId`, properties left out), one mapping,
//! and partial updates of its properties (`null` removes one), checked against the target
//! schema, with `pushStatus` kept or defaulted. A change reaches no existing app user: the
//! public API does not re-apply mappings (`../shared/design/okta-semantics.md` D5; the
//! console's "Apply updates now" uses a private endpoint) — profiles follow a mapping only
//! when an app user is created or its Okta user's profile changes.

use serde_json::{Map, Value, json};

use super::super::state::{OrgState, target};
use super::{Is, Outcome, Reply, Request, malformed, not_found, page, validation};

/// `rest`: the path after `/api/v1/mappings`.
pub(super) fn route(org: &mut OrgState, req: &Request, rest: &[&str]) -> Option<Outcome> {
    Some(match (req.method, rest) {
        ("GET", []) => Ok(list(org, req)),
        ("GET", [id]) => get(org, id),
        ("POST", [id]) => req.with_json(&[("properties", Is::Object)], |b| update(org, req, id, b)),
        _ => return None,
    })
}

fn mapping_index(org: &OrgState, id: &str) -> Result<usize, Reply> {
    org.mapping_index(id)
        .ok_or_else(|| not_found(id, "ProfileMapping"))
}

fn get(org: &OrgState, id: &str) -> Outcome {
    let i = mapping_index(org, id)?;
    Ok(Reply::ok(org.mappings[i].clone()))
}

fn list(org: &OrgState, req: &Request) -> Reply {
    let source = req.query("sourceId");
    let target_id = req.query("targetId");
    let items: Vec<Value> = org
        .mappings
        .iter()
        .filter(|m| source.is_none_or(|s| m["source"]["id"] == s))
        .filter(|m| target_id.is_none_or(|t| m["target"]["id"] == t))
        .map(|m| {
            // Lists leave the properties out.
            let mut summary = m.clone();
            if let Some(o) = summary.as_object_mut() {
                o.remove("properties");
            }
            summary
        })
        .collect();
    page(&items, req, 20, 200)
}

/// The schema a mapping writes to: its user type's (each type has its own) or its app's.
fn target_schema<'o>(org: &'o OrgState, mapping: &Value) -> Option<&'o Value> {
    let id = mapping["target"]["id"].as_str()?;
    org.schema_of_type(id)
        .or_else(|| org.app_index(id).map(|i| &org.apps[i].schema))
}

fn update(org: &mut OrgState, req: &Request, id: &str, body: Value) -> Outcome {
    let i = mapping_index(org, id)?;
    let Some(changes) = body.get("properties").and_then(Value::as_object).cloned() else {
        return Err(malformed());
    };
    let to_okta = org.mappings[i]["target"]["type"] == "user";
    let schema = target_schema(org, &org.mappings[i]);
    for (name, property) in &changes {
        check_change(schema, to_okta, name, property)?;
    }
    let mapping = &mut org.mappings[i];
    if !mapping["properties"].is_object() {
        mapping["properties"] = json!({});
    }
    if let Some(properties) = mapping["properties"].as_object_mut() {
        apply_changes(properties, changes, to_okta);
    }
    let answer = mapping.clone();
    org.log(
        &req.actor,
        "app.user_management.update_mapping",
        "Update profile mapping",
        vec![target(&answer["id"], "ProfileMapping", &answer["id"])],
    );
    Ok(Reply::changed(Some(answer), 200))
}

/// One property of an update: a known target attribute, and `null` (not for the Okta
/// `login`) or an expression with a valid `pushStatus`.
fn check_change(
    schema: Option<&Value>,
    to_okta: bool,
    name: &str,
    property: &Value,
) -> Result<(), Reply> {
    let invalid = |cause: String| Err(validation("updateMapping", cause));
    let known = schema.is_some_and(|s| {
        s["definitions"]["custom"]["properties"].get(name).is_some()
            || s["definitions"]["base"]["properties"].get(name).is_some()
    });
    if !known {
        // Recorded: okta-sdk-python/test_profile_mapping_it__…test_remove_property_from_profile_mapping.yaml
        return invalid(format!("Invalid target field {name}"));
    }
    match property {
        // Not recorded: Okta keeps the login mapping.
        Value::Null if to_okta && name == "login" => {
            invalid("Property login cannot be removed from the mapping.".into())
        }
        Value::Null => Ok(()),
        Value::Object(p)
            if p.get("expression")
                .and_then(Value::as_str)
                .is_some_and(|e| !e.trim().is_empty()) =>
        {
            match p.get("pushStatus") {
                Some(push) if !matches!(push.as_str(), Some("PUSH" | "DONT_PUSH")) => {
                    invalid(format!("Invalid pushStatus {push} for {name}"))
                }
                _ => Ok(()),
            }
        }
        _ => invalid(format!("Invalid expression for {name}")),
    }
}

/// Removes the `null` properties and sets the others, keeping an earlier `pushStatus` when
/// none is given (else `DONT_PUSH` into Okta, `PUSH` into an app).
fn apply_changes(properties: &mut Map<String, Value>, changes: Map<String, Value>, to_okta: bool) {
    for (name, property) in changes {
        match property {
            Value::Null => {
                properties.shift_remove(&name);
            }
            Value::Object(mut p) => {
                let old_push = properties
                    .get(&name)
                    .and_then(|o| o.get("pushStatus"))
                    .cloned();
                let default = json!(if to_okta { "DONT_PUSH" } else { "PUSH" });
                p.entry("pushStatus").or_insert(old_push.unwrap_or(default));
                properties.insert(name, Value::Object(p));
            }
            _ => {}
        }
    }
}
