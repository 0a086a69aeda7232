//! The Okta user schema, app user schemas and the user type: partial updates with `null`
//! deletes, what Okta drops or rewrites on the way in, the deletion-incomplete window, and
//! properties that cannot go while a mapping uses them.

use serde_json::{Map, Value, json};

use super::super::state::{Deleting, OrgState, custom_properties, now_ms, target, timestamp};
use super::{Reply, Request, malformed, not_found, validation};

/// Does any mapping read or write `name` of this schema (`None` = Okta user schema)?
fn used_by_mapping(org: &OrgState, app: Option<&str>, name: &str) -> Option<String> {
    let schema_id = app.map_or_else(
        || org.user_type["id"].as_str().unwrap_or_default().to_string(),
        str::to_string,
    );
    let root = if app.is_some() { "appuser" } else { "user" };
    for mapping in &org.mappings {
        let properties = mapping["properties"].as_object();
        // Written by the mapping.
        if mapping["target"]["id"] == schema_id.as_str()
            && properties.is_some_and(|p| p.contains_key(name))
        {
            return Some(format!(
                "{}.{name}",
                mapping["target"]["name"].as_str().unwrap_or(root)
            ));
        }
        // Read by the mapping.
        if mapping["source"]["id"] == schema_id.as_str() {
            let needle = format!("{root}.{name}");
            if let Some((key, _)) = properties.into_iter().flatten().find(|(_, p)| {
                p["expression"].as_str().is_some_and(|e| {
                    crate::config::expression::variables(e)
                        .iter()
                        .any(|v| format!("{}.{}", v.root, v.name) == needle)
                })
            }) {
                return Some(format!(
                    "{}.{key}",
                    mapping["target"]["name"].as_str().unwrap_or("user")
                ));
            }
        }
    }
    None
}

/// What Okta does to a property on the way in: defaults filled, and for app schemas
/// `master`, `permissions`, `required: false` dropped (recorded in the
/// `TestAccResourceOktaAppUserSchemas_*` cassettes); `unique: true` becomes `UNIQUE_VALIDATED`.
fn normalise(mut property: Map<String, Value>, app: bool) -> Map<String, Value> {
    property.entry("scope").or_insert(json!("NONE"));
    // Recorded for both schemas: `required: false` is not sent back
    // (TestAccResourceOktaUserSchema_enum_string, TestAccResourceOktaAppUserSchemas_enum_string).
    if property.get("required") == Some(&json!(false)) {
        property.remove("required");
    }
    if property.get("unique") == Some(&json!(true)) {
        property.insert("unique".into(), json!("UNIQUE_VALIDATED"));
    } else if property.get("unique") == Some(&json!(false)) {
        property.remove("unique");
    }
    if app {
        property.remove("master");
        property.remove("permissions");
        property.remove("mutability");
    } else {
        property.entry("mutability").or_insert(json!("READ_WRITE"));
        property
            .entry("permissions")
            .or_insert(json!([{ "principal": "SELF", "action": "READ_ONLY" }]));
        property
            .entry("master")
            .or_insert(json!({ "type": "PROFILE_MASTER" }));
    }
    if !app {
        // Recorded: the Okta user schema does not send `union: DISABLE` back, even for arrays
        // (TestAccResourceOktaUserSchema_array_enum_string__oie-00.yaml).
        if property.get("union") == Some(&json!("DISABLE")) {
            property.remove("union");
        }
    } else if property.get("type") == Some(&json!("array")) {
        property.entry("union").or_insert(json!("DISABLE"));
    } else {
        // Recorded: the app schema keeps `union` on arrays only
        // (TestAccResourceOktaAppUserSchemas_enum_string vs _array_enum_string).
        property.remove("union");
    }
    property
}

pub(super) fn update_schema(
    org: &mut OrgState,
    req: &Request,
    app: Option<&str>,
    body: Value,
) -> Reply {
    let index = match app {
        Some(id) => match org.app_index(id) {
            Some(i) => Some(i),
            None => return not_found(id, "AppInstance"),
        },
        None => None,
    };
    let operation = if app.is_some() {
        "updateAppUserSchemas"
    } else {
        "updateUserSchemas"
    };
    let Some(changes) = body
        .pointer("/definitions/custom/properties")
        .and_then(Value::as_object)
        .cloned()
    else {
        return malformed();
    };
    let schema_key = app.unwrap_or("user").to_string();
    let now = now_ms();
    org.deleting.retain(|d| d.until_ms > now);
    // Check everything first: a refused request changes nothing.
    {
        let schema = match index {
            Some(i) => &org.apps[i].schema,
            None => &org.user_schema,
        };
        for (name, property) in &changes {
            let exists = schema["definitions"]["custom"]["properties"]
                .get(name)
                .is_some();
            let base = schema["definitions"]["base"]["properties"]
                .get(name)
                .is_some();
            if base {
                return validation(
                    operation,
                    format!("Property {name} is a base property and cannot be changed here."),
                );
            }
            match property {
                Value::Null if exists => {
                    if let Some(used) = used_by_mapping(org, app, name) {
                        // Wording as reported in terraform-provider-okta issue #954.
                        return validation(
                            operation,
                            format!(
                                "Property {name} cannot be deleted. It is used to populate {used}."
                            ),
                        );
                    }
                }
                Value::Null => {}
                Value::Object(p) => {
                    if org
                        .deleting
                        .iter()
                        .any(|d| d.schema == schema_key && &d.name == name)
                    {
                        // Wording as reported in terraform-provider-okta issues #587 and #1974.
                        return validation(
                            operation,
                            format!(
                                "You cannot add the attribute with the variable name '{name}' because the deletion process for an attribute with the same variable name is incomplete. Wait until the data clean up process finishes and then try again."
                            ),
                        );
                    }
                    let Some(kind) = p.get("type").and_then(Value::as_str) else {
                        return validation(
                            operation,
                            format!("Property {name}: type is required."),
                        );
                    };
                    if !matches!(kind, "string" | "boolean" | "integer" | "number" | "array") {
                        return validation(
                            operation,
                            format!("Property {name}: unsupported type {kind}."),
                        );
                    }
                    if let Some(old) = schema["definitions"]["custom"]["properties"].get(name)
                        && (Some(&old["type"]) != p.get("type")
                            || old["items"]["type"]
                                != p.get("items").map_or(Value::Null, |i| i["type"].clone()))
                    {
                        // Not recorded; Okta refuses type changes of an existing property.
                        return validation(
                            operation,
                            format!(
                                "Property {name}: the data type of an existing attribute cannot be changed."
                            ),
                        );
                    }
                    if p.get("title")
                        .and_then(Value::as_str)
                        .is_none_or(str::is_empty)
                    {
                        return validation(
                            operation,
                            format!("Property {name}: title is required."),
                        );
                    }
                }
                _ => return malformed(),
            }
        }
    }
    let window = req.deletion_window_ms;
    let mut deleted = Vec::new();
    let schema = match index {
        Some(i) => &mut org.apps[i].schema,
        None => &mut org.user_schema,
    };
    let properties = custom_properties(schema);
    for (name, property) in changes {
        match property {
            Value::Null if properties.shift_remove(&name).is_some() => deleted.push(name),
            Value::Object(p) => {
                let mut merged = properties
                    .get(&name)
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                // A partial update replaces the settings it names.
                for (k, v) in p {
                    if v.is_null() {
                        merged.remove(&k);
                    } else {
                        merged.insert(k, v);
                    }
                }
                properties.insert(name, Value::Object(normalise(merged, app.is_some())));
            }
            _ => {}
        }
    }
    schema["lastUpdated"] = json!(timestamp());
    let answer = schema.clone();
    for name in &deleted {
        org.deleting.push(Deleting {
            schema: schema_key.clone(),
            name: name.clone(),
            until_ms: now + window,
        });
        // The values of a deleted property go with it.
        match index {
            Some(i) => {
                for user in &mut org.apps[i].users {
                    if let Some(p) = user["profile"].as_object_mut() {
                        p.remove(name);
                    }
                }
            }
            None => {
                for user in &mut org.users {
                    if let Some(p) = user["profile"].as_object_mut() {
                        p.remove(name);
                    }
                }
            }
        }
    }
    let (target_id, label) = match index {
        Some(i) => (
            org.apps[i].app["id"].clone(),
            org.apps[i].app["label"].clone(),
        ),
        None => (org.user_type["id"].clone(), json!("User")),
    };
    org.log(
        &req.actor,
        "system.custom_attributes.update",
        "Update user schema",
        vec![target(&target_id, "UserSchema", &label)],
    );
    Reply::changed(Some(answer), 200)
}
