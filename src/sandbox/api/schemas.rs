//! The Okta user schema, app user schemas and the user type: reads, and partial updates of
//! custom properties with `null` deletes — what Okta refuses (base properties, type changes,
//! names still in the deletion window, properties a mapping uses), what it drops or rewrites on
//! the way in, and the values that go with a deleted property.

use serde_json::{Map, Value, json};

use super::super::expression::{Reference, Root, references};
use super::super::state::{Deleting, OrgState, custom_properties, now_ms, target, timestamp};
use super::{Outcome, Reply, Request, app_index, malformed, not_found, validation};

/// `rest`: the path after `/api/v1/meta/`.
pub(super) fn route(org: &mut OrgState, req: &Request, rest: &[&str]) -> Option<Outcome> {
    Some(match (req.method, rest) {
        ("GET", ["schemas", "user", "default"]) => Ok(Reply::ok(org.user_schema.clone())),
        ("POST", ["schemas", "user", "default"]) => {
            req.with_json(|b| update(org, req, Owner::User, b))
        }
        ("GET", ["schemas", "apps", id, "default"]) => {
            app_index(org, id).map(|index| Reply::ok(org.apps[index].schema.clone()))
        }
        ("POST", ["schemas", "apps", id, "default"]) => req.with_json(|b| {
            let index = app_index(org, id)?;
            update(org, req, Owner::App { id, index }, b)
        }),
        ("GET", ["types", "user"]) => Ok(Reply::ok(json!([org.user_type]))),
        ("GET", ["types", "user", id]) if org.user_type["id"] == *id || *id == "default" => {
            Ok(Reply::ok(org.user_type.clone()))
        }
        ("GET", ["types", "user", id]) => Err(not_found(id, "UserType")),
        _ => return None,
    })
}

/// Whose schema a request is about.
#[derive(Clone, Copy)]
enum Owner<'a> {
    /// The Okta user schema (of the default user type).
    User,
    /// App `id`'s user schema, at `index` in the org's apps.
    App { id: &'a str, index: usize },
}

impl<'a> Owner<'a> {
    fn operation(self) -> &'static str {
        match self {
            Owner::User => "updateUserSchemas",
            Owner::App { .. } => "updateAppUserSchemas",
        }
    }

    /// The app's id as requested; `None` for the Okta user schema.
    fn app_id(self) -> Option<&'a str> {
        match self {
            Owner::User => None,
            Owner::App { id, .. } => Some(id),
        }
    }

    /// How the deletion window names this schema: `user` or the app id.
    fn key(self) -> &'a str {
        self.app_id().unwrap_or("user")
    }

    fn schema(self, org: &OrgState) -> &Value {
        match self {
            Owner::User => &org.user_schema,
            Owner::App { index, .. } => &org.apps[index].schema,
        }
    }

    fn schema_mut(self, org: &mut OrgState) -> &mut Value {
        match self {
            Owner::User => &mut org.user_schema,
            Owner::App { index, .. } => &mut org.apps[index].schema,
        }
    }

    /// The profiles holding this schema's values: Okta users, or the app's users.
    fn profiles(self, org: &mut OrgState) -> impl Iterator<Item = &mut Map<String, Value>> {
        let users = match self {
            Owner::User => &mut org.users,
            Owner::App { index, .. } => &mut org.apps[index].users,
        };
        users
            .iter_mut()
            .filter_map(|u| u["profile"].as_object_mut())
    }
}

/// `POST …/default`: checks every change first (a refused request changes nothing), then
/// applies them, starts the deletion window of deleted properties and drops their values.
fn update(org: &mut OrgState, req: &Request, owner: Owner, body: Value) -> Outcome {
    let Some(changes) = body
        .pointer("/definitions/custom/properties")
        .and_then(Value::as_object)
        .cloned()
    else {
        return Err(malformed());
    };
    let now = now_ms();
    org.deleting.retain(|d| d.until_ms > now);
    for (name, property) in &changes {
        check_change(org, owner, name, property)?;
    }
    let schema = owner.schema_mut(org);
    let deleted = apply_changes(custom_properties(schema), changes, owner);
    schema["lastUpdated"] = json!(timestamp());
    let answer = schema.clone();
    forget_deleted(org, owner, &deleted, now + req.deletion_window_ms);
    let (target_id, label) = match owner {
        Owner::App { index, .. } => (
            org.apps[index].app["id"].clone(),
            org.apps[index].app["label"].clone(),
        ),
        Owner::User => (org.user_type["id"].clone(), json!("User")),
    };
    org.log(
        &req.actor,
        "system.custom_attributes.update",
        "Update user schema",
        vec![target(&target_id, "UserSchema", &label)],
    );
    Ok(Reply::changed(Some(answer), 200))
}

/// One change of an update: `null` (a delete, refused while a mapping uses the property) or a
/// property object; never a base property.
fn check_change(org: &OrgState, owner: Owner, name: &str, property: &Value) -> Result<(), Reply> {
    let schema = owner.schema(org);
    let old = schema["definitions"]["custom"]["properties"].get(name);
    let refuse = |cause: String| Err(validation(owner.operation(), cause));
    if schema["definitions"]["base"]["properties"]
        .get(name)
        .is_some()
    {
        return refuse(format!(
            "Property {name} is a base property and cannot be changed here."
        ));
    }
    match property {
        Value::Null => match old.and_then(|_| used_by_mapping(org, owner.app_id(), name)) {
            // Wording as reported in terraform-provider-okta issue #954.
            Some(used) => refuse(format!(
                "Property {name} cannot be deleted. It is used to populate {used}."
            )),
            None => Ok(()),
        },
        Value::Object(p) => check_property(org, owner, name, old, p).or_else(refuse),
        _ => Err(malformed()),
    }
}

/// A property object: not a name still being deleted, a supported type that is the old one's,
/// and a title.
fn check_property(
    org: &OrgState,
    owner: Owner,
    name: &str,
    old: Option<&Value>,
    p: &Map<String, Value>,
) -> Result<(), String> {
    if org
        .deleting
        .iter()
        .any(|d| d.schema == owner.key() && d.name == name)
    {
        // Wording as reported in terraform-provider-okta issues #587 and #1974.
        return Err(format!(
            "You cannot add the attribute with the variable name '{name}' because the deletion process for an attribute with the same variable name is incomplete. Wait until the data clean up process finishes and then try again."
        ));
    }
    let Some(kind) = p.get("type").and_then(Value::as_str) else {
        return Err(format!("Property {name}: type is required."));
    };
    if !matches!(kind, "string" | "boolean" | "integer" | "number" | "array") {
        return Err(format!("Property {name}: unsupported type {kind}."));
    }
    if let Some(old) = old
        && (Some(&old["type"]) != p.get("type")
            || old["items"]["type"] != p.get("items").map_or(Value::Null, |i| i["type"].clone()))
    {
        // Not recorded; Okta refuses type changes of an existing property.
        return Err(format!(
            "Property {name}: the data type of an existing attribute cannot be changed."
        ));
    }
    if p.get("title")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(format!("Property {name}: title is required."));
    }
    Ok(())
}

/// Applies checked changes to the custom properties; the names deleted.
fn apply_changes(
    properties: &mut Map<String, Value>,
    changes: Map<String, Value>,
    owner: Owner,
) -> Vec<String> {
    let mut deleted = Vec::new();
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
                let app = matches!(owner, Owner::App { .. });
                properties.insert(name, Value::Object(normalise(merged, app)));
            }
            _ => {}
        }
    }
    deleted
}

/// Blocks the deleted names until `until_ms`, and drops their values from every profile.
fn forget_deleted(org: &mut OrgState, owner: Owner, deleted: &[String], until_ms: u64) {
    for name in deleted {
        org.deleting.push(Deleting {
            schema: owner.key().to_string(),
            name: name.clone(),
            until_ms,
        });
        // The values of a deleted property go with it.
        for profile in owner.profiles(org) {
            profile.remove(name);
        }
    }
}

/// Does any mapping read or write `name` of this schema (`None` = Okta user schema)? The
/// mapped property that uses it, as Okta names it in the refusal (`luciq.role`, `user.title`).
fn used_by_mapping(org: &OrgState, app: Option<&str>, name: &str) -> Option<String> {
    let schema_id = app.map_or_else(
        || org.user_type["id"].as_str().unwrap_or_default().to_string(),
        str::to_string,
    );
    let (root, own) = match app {
        Some(_) => ("appuser", Root::AppUser),
        None => ("user", Root::User),
    };
    // `source.x` reads the mapping's source, which is this schema.
    let reads = |expression: &str| {
        references(expression).iter().any(|r| {
            matches!(r, Reference::Attribute { root, name: n }
                if n == name && (*root == own || *root == Root::Source))
        })
    };
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
        if mapping["source"]["id"] == schema_id.as_str()
            && let Some((key, _)) = properties
                .into_iter()
                .flatten()
                .find(|(_, p)| p["expression"].as_str().is_some_and(reads))
        {
            return Some(format!(
                "{}.{key}",
                mapping["target"]["name"].as_str().unwrap_or("user")
            ));
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{Request, handle};
    use super::*;
    use crate::sandbox::state::Actor;
    use crate::sandbox::{Seed, seed};

    fn delete(org: &mut OrgState, path: &str, name: &str) -> Reply {
        let body = json!({ "definitions": { "custom": { "properties": { name: null } } } });
        let body = body.to_string();
        let req = Request {
            method: "POST",
            path,
            query: Vec::new(),
            body: body.as_bytes(),
            base_url: "http://127.0.0.1:1",
            actor: Actor::api("test"),
            deletion_window_ms: 1000,
        };
        handle(org, &req)
    }

    fn cause(reply: &Reply) -> &str {
        reply.body.as_ref().unwrap()["errorCauses"][0]["errorSummary"]
            .as_str()
            .unwrap_or_default()
    }

    /// A mapping reading a property through `user.`, `appuser.` or `source.` keeps it; the
    /// same text in a string literal does not.
    #[test]
    fn properties_read_by_a_mapping_cannot_be_deleted() {
        let mut org = seed::org(Seed::Demo);
        let luciq = org
            .apps
            .iter()
            .position(|a| a.app["label"] == "Luciq")
            .unwrap();
        let app_id = org.apps[luciq].app["id"].as_str().unwrap().to_string();
        let title = json!({ "type": "string", "title": "T" });
        for name in ["viaUser", "viaSource", "inText"] {
            custom_properties(&mut org.user_schema).insert(name.into(), title.clone());
        }
        for name in ["viaAppUser", "free"] {
            custom_properties(&mut org.apps[luciq].schema).insert(name.into(), title.clone());
        }
        let to_app = org
            .mappings
            .iter()
            .position(|m| m["target"]["id"] == app_id.as_str());
        let to_okta = org
            .mappings
            .iter()
            .position(|m| m["source"]["id"] == app_id.as_str());
        org.mappings[to_app.unwrap()]["properties"]["a"] = json!({
            "expression": "user.viaUser != null ? String.join(\",\", source.viaSource) : \"user.inText\""
        });
        org.mappings[to_okta.unwrap()]["properties"]["nickName"] =
            json!({ "expression": "appUser.viaAppUser" });

        let user_schema = "/api/v1/meta/schemas/user/default";
        for name in ["viaUser", "viaSource"] {
            let reply = delete(&mut org, user_schema, name);
            assert_eq!(reply.status, 400, "{name}");
            assert_eq!(
                cause(&reply),
                format!("Property {name} cannot be deleted. It is used to populate luciq_scim.a.")
            );
        }
        assert_eq!(delete(&mut org, user_schema, "inText").status, 200);
        let app_schema = format!("/api/v1/meta/schemas/apps/{app_id}/default");
        let reply = delete(&mut org, &app_schema, "viaAppUser");
        assert_eq!(
            cause(&reply),
            "Property viaAppUser cannot be deleted. It is used to populate user.nickName."
        );
        assert_eq!(delete(&mut org, &app_schema, "free").status, 200);
    }
}
