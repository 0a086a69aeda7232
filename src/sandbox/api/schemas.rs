//! The Okta user schemas (one per user type), app user schemas and the user types: reads, and
//! partial updates of custom properties with `null` deletes — what Okta refuses (base
//! properties and names that differ from one only in case, type changes, names still in the
//! deletion window, properties a mapping uses), what it keeps as created (`externalName`,
//! `externalNamespace`, `scope`; `unique` on app schemas), what it validates later (`unique`
//! made on an existing Okta user property), what it drops or rewrites on the way in, and the
//! values that go with a deleted property.

use serde_json::{Map, Value, json};

use super::super::expression::{Reference, Root, references};
use super::super::seed::schema_id;
use super::super::state::{Deleting, OrgState, custom_properties, now_ms, target, timestamp};
use super::{Is, Outcome, Reply, Request, app_index, malformed, not_found, validation};

/// `rest`: the path after `/api/v1/meta/`.
pub(super) fn route(org: &mut OrgState, req: &Request, rest: &[&str]) -> Option<Outcome> {
    Some(match (req.method, rest) {
        ("GET", ["schemas", "user", sid]) => {
            user_owner(org, sid).map(|owner| Reply::ok(owner.schema(org).clone()))
        }
        ("POST", ["schemas", "user", sid]) => req.with_json(&[("definitions", Is::Object)], |b| {
            let owner = user_owner(org, sid)?;
            update(org, req, owner, b)
        }),
        ("GET", ["schemas", "apps", id, "default"]) => {
            app_index(org, id).map(|index| Reply::ok(org.apps[index].schema.clone()))
        }
        ("POST", ["schemas", "apps", id, "default"]) => {
            req.with_json(&[("definitions", Is::Object)], |b| {
                let index = app_index(org, id)?;
                update(org, req, Owner::App { id, index }, b)
            })
        }
        ("GET", ["types", "user"]) => Ok(Reply::ok(Value::Array(
            user_types(org)
                .into_iter()
                .map(|t| with_links(t, req.base_url))
                .collect(),
        ))),
        ("GET", ["types", "user", id]) => user_types(org)
            .into_iter()
            .find(|t| t["id"] == *id || (*id == "default" && t["default"] == true))
            .map(|t| Reply::ok(with_links(t, req.base_url)))
            .ok_or_else(|| not_found(id, "UserType")),
        _ => return None,
    })
}

/// Every user type, the default one first.
fn user_types(org: &OrgState) -> Vec<&Value> {
    std::iter::once(&org.user_type)
        .chain(org.user_types.iter().map(|t| &t.user_type))
        .collect()
}

/// A user type as Okta answers it, with the links to itself and its schema (recorded in
/// `okta-sdk-python/test_user_types_it__…test_list_user_types.yaml`; the schema's id is how a
/// client finds a type's schema).
fn with_links(user_type: &Value, base: &str) -> Value {
    let id = user_type["id"].as_str().unwrap_or_default();
    let mut answer = user_type.clone();
    answer["_links"] = json!({
        "schema": {"rel": "schema", "href": format!("{base}/api/v1/meta/schemas/user/{}", schema_id(id)), "method": "GET"},
        "self": {"rel": "self", "href": format!("{base}/api/v1/meta/types/user/{id}"), "method": "GET"}
    });
    answer
}

/// The owner of user schema `sid`: `default` or the default type's schema id, or another
/// type's schema id.
fn user_owner<'a>(org: &OrgState, sid: &str) -> Result<Owner<'a>, Reply> {
    let default_id = org.user_type["id"].as_str().unwrap_or_default();
    if sid == "default" || sid == schema_id(default_id) {
        return Ok(Owner::User { index: None });
    }
    org.user_types
        .iter()
        .position(|t| schema_id(t.user_type["id"].as_str().unwrap_or_default()) == sid)
        .map(|index| Owner::User { index: Some(index) })
        .ok_or_else(|| not_found(sid, "UserSchema"))
}

/// Whose schema a request is about.
#[derive(Clone, Copy)]
enum Owner<'a> {
    /// An Okta user schema: of the default user type (`None`), or of `org.user_types[i]`.
    User { index: Option<usize> },
    /// App `id`'s user schema, at `index` in the org's apps.
    App { id: &'a str, index: usize },
}

impl<'a> Owner<'a> {
    fn operation(self) -> &'static str {
        match self {
            Owner::User { .. } => "updateUserSchemas",
            Owner::App { .. } => "updateAppUserSchemas",
        }
    }

    fn is_app(self) -> bool {
        matches!(self, Owner::App { .. })
    }

    /// The id mappings name this schema's side by: the user type's or the app's.
    fn mapping_id(self, org: &OrgState) -> String {
        match self {
            Owner::User { index: None } => org.user_type["id"].as_str().unwrap_or_default().into(),
            Owner::User { index: Some(i) } => org.user_types[i].user_type["id"]
                .as_str()
                .unwrap_or_default()
                .into(),
            Owner::App { id, .. } => id.to_string(),
        }
    }

    /// How the deletion window names this schema: `user` (the default type), the other
    /// type's id, or the app id.
    fn key(self, org: &OrgState) -> String {
        match self {
            Owner::User { index: None } => "user".into(),
            _ => self.mapping_id(org),
        }
    }

    fn schema(self, org: &OrgState) -> &Value {
        match self {
            Owner::User { index: None } => &org.user_schema,
            Owner::User { index: Some(i) } => &org.user_types[i].schema,
            Owner::App { index, .. } => &org.apps[index].schema,
        }
    }

    fn schema_mut(self, org: &mut OrgState) -> &mut Value {
        match self {
            Owner::User { index: None } => &mut org.user_schema,
            Owner::User { index: Some(i) } => &mut org.user_types[i].schema,
            Owner::App { index, .. } => &mut org.apps[index].schema,
        }
    }

    /// The profiles holding this schema's values: the Okta users of the type, or the app's
    /// users.
    fn profiles(self, org: &mut OrgState) -> Vec<&mut Map<String, Value>> {
        let type_id = self.mapping_id(org);
        let default = org.user_type["id"] == type_id.as_str();
        let users: Vec<&mut Value> = match self {
            Owner::User { .. } => org
                .users
                .iter_mut()
                .filter(|u| match u["type"]["id"].as_str() {
                    Some(t) => t == type_id,
                    None => default,
                })
                .collect(),
            Owner::App { index, .. } => org.apps[index].users.iter_mut().collect(),
        };
        users
            .into_iter()
            .filter_map(|u| u["profile"].as_object_mut())
            .collect()
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
    let duplicated: Vec<String> = changes
        .keys()
        .filter(|name| has_duplicates(org, owner, name))
        .cloned()
        .collect();
    let schema = owner.schema_mut(org);
    let applied = apply_changes(
        custom_properties(schema),
        changes,
        owner.is_app(),
        &duplicated,
    );
    schema["lastUpdated"] = json!(timestamp());
    let mut answer = schema.clone();
    for name in &applied.pending {
        // Spec tag `Schema`, "Update existing custom property to be unique": the answer says
        // `PENDING_UNIQUENESS` while Okta checks the existing values; afterwards the property
        // is `UNIQUE_VALIDATED`, or — with duplicates — shows no `unique` at all.
        answer["definitions"]["custom"]["properties"][name]["unique"] = json!("PENDING_UNIQUENESS");
    }
    forget_deleted(
        org,
        owner,
        &applied.deleted,
        now + req.settings.deletion_window_ms,
    );
    let (target_id, label) = match owner {
        Owner::App { index, .. } => (
            org.apps[index].app["id"].clone(),
            org.apps[index].app["label"].clone(),
        ),
        Owner::User { .. } => (json!(owner.mapping_id(org)), json!("User")),
    };
    org.log(
        &req.actor,
        "system.custom_attributes.update",
        "Update user schema",
        vec![target(&target_id, "UserSchema", &label)],
    );
    Ok(Reply::changed(Some(answer), 200))
}

/// Whether two of the schema's profiles hold the same (non-null) value of `name`.
fn has_duplicates(org: &mut OrgState, owner: Owner, name: &str) -> bool {
    let mut seen: Vec<Value> = Vec::new();
    for profile in owner.profiles(org) {
        match profile.get(name) {
            Some(v) if !v.is_null() => {
                if seen.contains(v) {
                    return true;
                }
                seen.push(v.clone());
            }
            _ => {}
        }
    }
    false
}

/// One change of an update: `null` (a delete, refused while a mapping uses the property) or a
/// property object; never a base property, nor a new one whose name differs from a base one
/// only in case.
fn check_change(org: &OrgState, owner: Owner, name: &str, property: &Value) -> Result<(), Reply> {
    let schema = owner.schema(org);
    let old = schema["definitions"]["custom"]["properties"].get(name);
    let refuse = |cause: String| Err(validation(owner.operation(), cause));
    let base = schema["definitions"]["base"]["properties"].as_object();
    if base.is_some_and(|b| b.contains_key(name)) {
        return refuse(format!(
            "Property {name} is a base property and cannot be changed here."
        ));
    }
    if old.is_none()
        && let Some(clash) = base.and_then(|b| b.keys().find(|k| k.eq_ignore_ascii_case(name)))
    {
        // `../shared/design/okta-api-notes.md` §5.3: "Custom names collide case-insensitively
        // with base names (`firstName` and `FirstName`)" (spec `UserSchemaPublic`); the wording
        // is unverified.
        return refuse(format!(
            "Property {name} conflicts with the base property {clash}: property names must be unique, ignoring case."
        ));
    }
    match property {
        Value::Null => match old.and_then(|_| used_by_mapping(org, owner, name)) {
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
    let key = owner.key(org);
    if org
        .deleting
        .iter()
        .any(|d| d.schema == key && d.name == name)
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

/// What [`apply_changes`] did: the names deleted, and those now waiting for Okta's uniqueness
/// check.
struct Applied {
    deleted: Vec<String>,
    pending: Vec<String>,
}

/// Settings Okta keeps as they were created: a change of them in a partial update is ignored
/// (the property keeps its old value), not refused. Evidence
/// (`../shared/design/okta-semantics.md` B4): terraform-provider-okta marks `external_name`,
/// `external_namespace`, `unique` and the app attribute's `scope` ForceNew — "since the
/// `scope` is read-only attribute, the resource should be recreated"
/// (`resource_okta_app_user_custom_schema_property.go`), articulate/terraform-provider-okta
/// PR #275 "Once it is created it is readonly", and the Profile Editor shows External name
/// read-only after creation. A provider recreates what an update cannot change; had Okta
/// answered an error, its issues would quote one, and none does — so the sandbox ignores the
/// change, and a client that reads back sees the old value (unverified which of the two Okta
/// does; ignoring is what the evidence points to).
const KEPT_AS_CREATED: &[&str] = &["externalName", "externalNamespace", "scope"];

/// Applies checked changes to the custom properties. `duplicated`: the names whose existing
/// values repeat (a `unique` made on them does not hold).
fn apply_changes(
    properties: &mut Map<String, Value>,
    changes: Map<String, Value>,
    app: bool,
    duplicated: &[String],
) -> Applied {
    let mut applied = Applied {
        deleted: Vec::new(),
        pending: Vec::new(),
    };
    for (name, property) in changes {
        match property {
            Value::Null if properties.shift_remove(&name).is_some() => applied.deleted.push(name),
            Value::Object(mut p) => {
                let old = properties.get(&name).and_then(Value::as_object).cloned();
                let mut merged = old.clone().unwrap_or_default();
                let mut pending = false;
                if let Some(old) = &old {
                    for key in KEPT_AS_CREATED {
                        p.remove(*key);
                    }
                    if app {
                        // D12: uniqueness is for Okta user (and group) profiles only (spec tag
                        // `Schema`, "Unique Attributes"); on an existing app property the
                        // setting is kept as created.
                        p.remove("unique");
                    } else if p.get("unique") == Some(&json!(true)) && old.get("unique").is_none() {
                        // Spec tag `Schema`: "an asynchronous validation check is performed …
                        // if duplicate records are found, the `unique` attribute of the schema
                        // property isn't shown … and uniqueness isn't enforced".
                        pending = true;
                        if duplicated.contains(&name) {
                            p.remove("unique");
                        }
                    } else if p.get("unique") == Some(&json!(true)) {
                        // Already unique: stays as it is.
                        p.remove("unique");
                    }
                }
                // A partial update replaces the settings it names.
                for (k, v) in p {
                    if v.is_null() {
                        merged.remove(&k);
                    } else {
                        merged.insert(k, v);
                    }
                }
                if pending {
                    applied.pending.push(name.clone());
                }
                properties.insert(name, Value::Object(normalise(merged, app)));
            }
            _ => {}
        }
    }
    applied
}

/// Blocks the deleted names until `until_ms`, and drops their values from every profile.
fn forget_deleted(org: &mut OrgState, owner: Owner, deleted: &[String], until_ms: u64) {
    for name in deleted {
        org.deleting.push(Deleting {
            schema: owner.key(org),
            name: name.clone(),
            until_ms,
        });
        // The values of a deleted property go with it.
        for profile in owner.profiles(org) {
            profile.remove(name);
        }
    }
}

/// Does any mapping read or write `name` of this schema? The mapped property that uses it, as
/// Okta names it in the refusal (`luciq.role`, `user.title`).
fn used_by_mapping(org: &OrgState, owner: Owner, name: &str) -> Option<String> {
    let schema_id = owner.mapping_id(org);
    let (root, own) = if owner.is_app() {
        ("appuser", Root::AppUser)
    } else {
        ("user", Root::User)
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
            settings: super::super::Settings {
                deletion_window_ms: 1000,
                ..Default::default()
            },
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
        // The default user type's mappings (each type has its own).
        let default_type = org.user_type["id"].clone();
        let to_app = org.mappings.iter().position(|m| {
            m["target"]["id"] == app_id.as_str() && m["source"]["id"] == default_type
        });
        let to_okta = org.mappings.iter().position(|m| {
            m["source"]["id"] == app_id.as_str() && m["target"]["id"] == default_type
        });
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
