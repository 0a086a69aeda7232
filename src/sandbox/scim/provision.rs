//! What the sandbox's Okta sends an app's SCIM server, as Okta's SCIM 2.0 connector does:
//!
//! - **Create Users** (`PUSH_NEW_USERS`), when the provisioning job runs: `GET
//!   /Users?filter=userName eq "…"`, then `POST /Users` (or `PUT /Users/{id}` to the user the
//!   vendor already has), the vendor's id becoming the app user's `externalId`.
//! - **Update User Attributes** (`PUSH_PROFILE_UPDATES`), on an app profile change: `PUT
//!   /Users/{id}` with the whole profile.
//! - **Deactivate Users** (`PUSH_USER_DEACTIVATION`), on unassignment: `PATCH /Users/{id}` with
//!   `active: false` — never `DELETE` (Okta help "Deprovision users"; AccessIQ: "User is
//!   deactivated (not deleted)").
//! - **Push Groups** (`GROUP_PUSH`), for each active group push mapping: `POST /Groups` with the
//!   members that are provisioned app users, then `PATCH /Groups/{id}` with the members who
//!   joined or left; deleting a mapping with `deleteTargetGroup=true` sends `DELETE
//!   /Groups/{id}`.
//!
//! The payload is the app user profile under each attribute's `externalName`, in the schema its
//! `externalNamespace` names (the core User schema when it names none). An attribute without an
//! `externalName` is not sent (`../shared/design/okta-semantics.md` D10). Okta's template names
//! of the core attributes (`givenName`, `email`, …) go where RFC 7643 puts them (`name.givenName`,
//! `emails[type=work]`).
//!
//! Delivery needs the app's SCIM connection (the console knob's `scim.baseUrl`) to point at the
//! embedded server (`…/__sandbox/scim/{appId}/v2`) and sends its `scim.token` as `Bearer`; a
//! connection elsewhere is the real vendor, which the sandbox never calls.

use serde_json::{Map, Value, json};

use super::super::state::OrgState;
use super::{CORE_GROUP, CORE_USER, Call, PATCH_OP, vendor_for};

/// The path of app `id`'s embedded server, after the sandbox's base URL.
pub fn server_path(id: &str) -> String {
    format!("/__sandbox/scim/{id}/v2")
}

fn has_feature(org: &OrgState, i: usize, name: &str) -> bool {
    org.apps[i].app["features"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == name))
}

/// Whether app `i` is a SCIM app (and so has an embedded server).
pub fn is_scim_app(org: &OrgState, i: usize) -> bool {
    has_feature(org, i, "SCIM_PROVISIONING")
}

fn app_id(org: &OrgState, i: usize) -> String {
    org.apps[i].app["id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Sends one request to app `i`'s embedded server, if its connection points there. The answer,
/// or `None` when nothing was sent.
fn send(
    org: &mut OrgState,
    i: usize,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Option<(u16, Option<Value>)> {
    send_query(org, i, method, path, &[], body)
}

fn send_query(
    org: &mut OrgState,
    i: usize,
    method: &str,
    path: &str,
    query: &[(String, String)],
    body: Option<Value>,
) -> Option<(u16, Option<Value>)> {
    if !is_scim_app(org, i) {
        return None;
    }
    let id = app_id(org, i);
    let console = &org.apps[i].console;
    let base = console["baseUrl"]
        .as_str()?
        .trim_end_matches('/')
        .to_string();
    if !base.ends_with(&server_path(&id)) {
        return None;
    }
    let auth = console["token"].as_str().map(|t| format!("Bearer {t}"));
    let label = org.apps[i].app["label"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let vendor = vendor_for(&label);
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let app = org.scim.entry(id).or_default();
    Some(app.server.handle(
        vendor,
        &base,
        Call {
            method,
            path,
            query,
            auth: auth.as_deref(),
            body: &bytes,
        },
    ))
}

/// Where Okta's SCIM template puts a core attribute it names `name`.
fn core_path(name: &str) -> Vec<&str> {
    match name {
        "givenName" | "familyName" | "middleName" | "honorificPrefix" | "honorificSuffix" => {
            vec!["name", name]
        }
        other => other.split('.').collect(),
    }
}

/// The SCIM User of app `i`'s app user `user_id`: every profile value whose attribute has an
/// external name, placed by its namespace.
pub fn payload(org: &OrgState, i: usize, app_user: &Value) -> Value {
    let schema = &org.apps[i].schema;
    let profile = app_user["profile"].as_object().cloned().unwrap_or_default();
    let mut user = Map::new();
    let mut schemas = vec![json!(CORE_USER)];
    for section in ["base", "custom"] {
        let Some(properties) = schema["definitions"][section]["properties"].as_object() else {
            continue;
        };
        for (name, property) in properties {
            let Some(value) = profile.get(name).filter(|v| !v.is_null()) else {
                continue;
            };
            let Some(external) = property["externalName"].as_str().filter(|e| !e.is_empty()) else {
                continue;
            };
            let namespace = property["externalNamespace"]
                .as_str()
                .filter(|n| !n.is_empty())
                .unwrap_or(CORE_USER);
            if namespace != CORE_USER {
                if !schemas.contains(&json!(namespace)) {
                    schemas.push(json!(namespace));
                }
                let ext = user
                    .entry(namespace.to_string())
                    .or_insert_with(|| json!({}));
                ext[external] = value.clone();
                continue;
            }
            match external {
                "email" => push_typed(&mut user, "emails", "value", value, "work"),
                "primaryPhone" => push_typed(&mut user, "phoneNumbers", "value", value, "work"),
                "mobilePhone" => push_typed(&mut user, "phoneNumbers", "value", value, "mobile"),
                "streetAddress" | "locality" | "region" | "postalCode" | "countryCode" => {
                    let field = if external == "countryCode" {
                        "country"
                    } else {
                        external
                    };
                    let addresses = user
                        .entry("addresses")
                        .or_insert_with(|| json!([{"type": "work", "primary": true}]));
                    addresses[0][field] = value.clone();
                }
                _ => {
                    let path = core_path(external);
                    let mut at = user.entry(path[0].to_string()).or_insert(Value::Null);
                    for part in &path[1..] {
                        at = &mut at[*part];
                    }
                    *at = value.clone();
                }
            }
        }
    }
    user.insert("schemas".into(), Value::Array(schemas));
    Value::Object(user)
}

fn push_typed(user: &mut Map<String, Value>, list: &str, field: &str, value: &Value, kind: &str) {
    let entries = user.entry(list.to_string()).or_insert_with(|| json!([]));
    if let Some(entries) = entries.as_array_mut() {
        let primary = entries.is_empty();
        entries.push(json!({ field: value, "type": kind, "primary": primary }));
    }
}

fn app_user(org: &OrgState, i: usize, user_id: &str) -> Option<Value> {
    org.apps[i]
        .users
        .iter()
        .find(|u| u["id"] == user_id)
        .cloned()
}

/// Create Users: the provisioning job for `user_id` ran. The vendor's id for the user, when it
/// took it.
pub fn create_user(org: &mut OrgState, i: usize, user_id: &str) -> Option<String> {
    if !has_feature(org, i, "PUSH_NEW_USERS") {
        return None;
    }
    let app_user = app_user(org, i, user_id)?;
    let mut body = payload(org, i, &app_user);
    body["active"] = json!(true);
    let user_name = body["userName"].as_str().unwrap_or_default().to_string();
    let filter = vec![("filter".to_string(), format!("userName eq \"{user_name}\""))];
    let (status, found) = send_query(org, i, "GET", "Users", &filter, None)?;
    let existing = (status == 200)
        .then(|| found?["Resources"][0]["id"].as_str().map(str::to_string))
        .flatten();
    let (status, answer) = match &existing {
        Some(id) => send(org, i, "PUT", &format!("Users/{id}"), Some(body))?,
        None => send(org, i, "POST", "Users", Some(body))?,
    };
    let id = (status < 300)
        .then(|| answer.and_then(|a| a["id"].as_str().map(str::to_string)))
        .flatten()?;
    Some(id)
}

/// Update User Attributes: app user `user_id`'s profile changed.
pub fn update_user(org: &mut OrgState, i: usize, user_id: &str) {
    if !has_feature(org, i, "PUSH_PROFILE_UPDATES") {
        return;
    }
    let Some(app_user) = app_user(org, i, user_id) else {
        return;
    };
    let Some(external) = app_user["externalId"]
        .as_str()
        .filter(|_| app_user["status"] == "PROVISIONED")
    else {
        return;
    };
    let mut body = payload(org, i, &app_user);
    body["active"] = json!(true);
    send(org, i, "PUT", &format!("Users/{external}"), Some(body));
}

/// Deactivate Users: `app_user` is being removed from app `i`.
pub fn deactivate_user(org: &mut OrgState, i: usize, app_user: &Value) {
    if !has_feature(org, i, "PUSH_USER_DEACTIVATION") {
        return;
    }
    let Some(external) = app_user["externalId"]
        .as_str()
        .filter(|_| app_user["status"] == "PROVISIONED")
    else {
        return;
    };
    let body = json!({
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "value": {"active": false}}]
    });
    send(org, i, "PATCH", &format!("Users/{external}"), Some(body));
}

/// Push Groups: brings each active push mapping's group at the vendor in line with the source
/// group's members that are provisioned app users.
pub fn sync_pushed_groups(org: &mut OrgState, i: usize) {
    if !has_feature(org, i, "GROUP_PUSH") {
        return;
    }
    let id = app_id(org, i);
    let mappings: Vec<Value> = org.apps[i]
        .group_push
        .iter()
        .filter(|m| m["status"] == "ACTIVE")
        .cloned()
        .collect();
    for mapping in mappings {
        let (Some(mid), Some(source)) = (mapping["id"].as_str(), mapping["sourceGroupId"].as_str())
        else {
            continue;
        };
        let Some(group) = org.group(source).cloned() else {
            continue;
        };
        let members: Vec<(String, Value)> = org
            .members_of(source)
            .iter()
            .filter_map(|uid| {
                let u = org.apps[i].users.iter().find(|u| u["id"] == uid.as_str())?;
                let ext = u["externalId"]
                    .as_str()
                    .filter(|_| u["status"] == "PROVISIONED")?;
                Some((ext.to_string(), u["credentials"]["userName"].clone()))
            })
            .collect();
        let pushed = org.scim.get(&id).and_then(|a| a.pushed.get(mid)).cloned();
        match pushed {
            None => {
                let body = json!({
                    "schemas": [CORE_GROUP],
                    // A new group at the vendor is named as the mapping said, else as the source.
                    "displayName": org.apps[i].push_target_names.get(mid).map_or_else(|| group["profile"]["name"].clone(), |n| json!(n)),
                    "members": members.iter().map(|(v, d)| json!({"value": v, "display": d})).collect::<Vec<_>>()
                });
                let Some((status, Some(answer))) = send(org, i, "POST", "Groups", Some(body))
                else {
                    continue;
                };
                if status >= 300 {
                    continue;
                }
                if let Some(scim_id) = answer["id"].as_str() {
                    let record = super::Pushed {
                        scim_id: scim_id.to_string(),
                        members: members.iter().map(|(v, _)| v.clone()).collect(),
                    };
                    org.scim
                        .entry(id.clone())
                        .or_default()
                        .pushed
                        .insert(mid.to_string(), record);
                }
            }
            Some(before) => {
                let added: Vec<Value> = members
                    .iter()
                    .filter(|(v, _)| !before.members.contains(v))
                    .map(|(v, d)| json!({"value": v, "display": d}))
                    .collect();
                let removed: Vec<&String> = before
                    .members
                    .iter()
                    .filter(|v| !members.iter().any(|(m, _)| m == *v))
                    .collect();
                let mut operations = Vec::new();
                if !added.is_empty() {
                    operations.push(json!({"op": "add", "path": "members", "value": added}));
                }
                for v in &removed {
                    operations.push(
                        json!({"op": "remove", "path": format!("members[value eq \"{v}\"]")}),
                    );
                }
                if operations.is_empty() {
                    continue;
                }
                let body = json!({"schemas": [PATCH_OP], "Operations": operations});
                let sent = send(
                    org,
                    i,
                    "PATCH",
                    &format!("Groups/{}", before.scim_id),
                    Some(body),
                );
                if sent.is_some_and(|(s, _)| s < 300)
                    && let Some(record) = org.scim.get_mut(&id).and_then(|a| a.pushed.get_mut(mid))
                {
                    record.members = members.iter().map(|(v, _)| v.clone()).collect();
                }
            }
        }
    }
}

/// A push mapping `mid` is deleted: with `delete_target`, the group goes at the vendor too.
pub fn unpush_group(org: &mut OrgState, i: usize, mid: &str, delete_target: bool) {
    let id = app_id(org, i);
    let Some(pushed) = org.scim.get_mut(&id).and_then(|a| a.pushed.remove(mid)) else {
        return;
    };
    if delete_target {
        send(
            org,
            i,
            "DELETE",
            &format!("Groups/{}", pushed.scim_id),
            None,
        );
    }
}
