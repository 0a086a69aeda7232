//! App assignments: app users (assigned directly, with their app profile) and app groups
//! (with profile and priority), listed, read, assigned and unassigned.

use serde_json::{Map, Value, json};

use super::super::state::{OrgState, target, timestamp};
use super::{Reply, Request, not_found, page, validation};

fn expand_user(org: &OrgState, mut app_user: Value) -> Value {
    if let Some(user) = app_user["id"].as_str().and_then(|id| org.user(id)) {
        app_user["_embedded"] = json!({ "user": user });
    }
    app_user
}

pub(super) fn list_app_users(org: &OrgState, req: &Request, id: &str) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    let expand = req.query("expand") == Some("user");
    let users: Vec<Value> = org.apps[i]
        .users
        .iter()
        .map(|u| {
            if expand {
                expand_user(org, u.clone())
            } else {
                u.clone()
            }
        })
        .collect();
    page(users, req, 50, 500)
}

pub(super) fn app_user(org: &OrgState, id: &str, uid: &str) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    match org.apps[i].users.iter().find(|u| u["id"] == uid) {
        Some(u) => Reply::ok(u.clone()),
        None => not_found(uid, "AppUser"),
    }
}

/// Checks an app profile against the app schema: known attributes, enum members.
fn check_profile(schema: &Value, profile: &Map<String, Value>) -> Result<(), String> {
    for (key, value) in profile {
        let property = schema["definitions"]["custom"]["properties"]
            .get(key)
            .or_else(|| schema["definitions"]["base"]["properties"].get(key));
        let Some(property) = property else {
            return Err(format!(
                "Property name '{key}' is not defined in the app user profile"
            ));
        };
        if value.is_null() {
            continue;
        }
        let allowed = if property["type"] == "array" {
            &property["items"]["enum"]
        } else {
            &property["enum"]
        };
        if let Some(allowed) = allowed.as_array() {
            let values: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                one => vec![one],
            };
            if let Some(bad) = values.iter().find(|v| !allowed.contains(v)) {
                return Err(format!("{key}: Does not match allowed values: {bad}"));
            }
        }
    }
    Ok(())
}

pub(super) fn assign_user(
    org: &mut OrgState,
    req: &Request,
    id: &str,
    uid: Option<&str>,
    body: Value,
) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    let user_id = match uid.or_else(|| body["id"].as_str()) {
        Some(u) => u.to_string(),
        None => {
            return validation(
                "assignUserToApp",
                "id: The field cannot be left blank".into(),
            );
        }
    };
    let Some(user) = org.user(&user_id).cloned() else {
        return not_found(&user_id, "User");
    };
    let profile = body["profile"].as_object().cloned().unwrap_or_default();
    if let Err(cause) = check_profile(&org.apps[i].schema, &profile) {
        return validation("assignUserToApp", cause);
    }
    let now = timestamp();
    let app = &mut org.apps[i];
    let existing = app.users.iter().position(|u| u["id"] == user_id.as_str());
    let answer = match existing {
        Some(p) => {
            let current = &mut app.users[p];
            if uid.is_none() {
                current["scope"] = json!("USER");
            }
            let merged = current["profile"].as_object_mut();
            if let Some(merged) = merged {
                for (k, v) in profile {
                    merged.insert(k, v);
                }
            }
            current["lastUpdated"] = json!(now);
            current.clone()
        }
        None if uid.is_some() => return not_found(&user_id, "AppUser"),
        None => {
            let mut full = Map::new();
            full.insert("userName".into(), user["profile"]["login"].clone());
            full.insert("email".into(), user["profile"]["email"].clone());
            full.insert("givenName".into(), user["profile"]["firstName"].clone());
            full.insert("familyName".into(), user["profile"]["lastName"].clone());
            full.extend(profile);
            let created = json!({
                "id": user_id, "externalId": null, "created": now, "lastUpdated": now, "scope": "USER",
                "status": "PROVISIONED", "statusChanged": now, "passwordChanged": null, "syncState": "DISABLED",
                "credentials": {"userName": user["profile"]["login"]}, "profile": full
            });
            app.users.push(created.clone());
            created
        }
    };
    let event = if uid.is_some() {
        "application.user_membership.change_profile"
    } else {
        "application.user_membership.add"
    };
    org.log_app(
        i,
        &req.actor,
        event,
        "Assign user to app",
        vec![target(&user["id"], "User", &user["profile"]["login"])],
    );
    Reply::changed(Some(answer), 200)
}

pub(super) fn unassign_user(org: &mut OrgState, req: &Request, id: &str, uid: &str) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    let Some(p) = org.apps[i].users.iter().position(|u| u["id"] == uid) else {
        return not_found(uid, "AppUser");
    };
    org.apps[i].users.remove(p);
    org.log_app(
        i,
        &req.actor,
        "application.user_membership.remove",
        "Remove user from app",
        vec![target(&json!(uid), "User", &json!(uid))],
    );
    Reply::changed(None, 204)
}

pub(super) fn list_app_groups(org: &OrgState, req: &Request, id: &str) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    let expand = req.query("expand") == Some("group");
    let groups: Vec<Value> = org.apps[i]
        .groups
        .iter()
        .map(|g| {
            let mut g = g.clone();
            if expand && let Some(group) = g["id"].as_str().and_then(|gid| org.group(gid)) {
                g["_embedded"] = json!({ "group": group });
            }
            g
        })
        .collect();
    page(groups, req, 20, 200)
}

pub(super) fn app_group(org: &OrgState, id: &str, gid: &str) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    match org.apps[i].groups.iter().find(|g| g["id"] == gid) {
        Some(g) => Reply::ok(g.clone()),
        None => not_found(gid, "AppGroup"),
    }
}

/// Puts `gid` at `priority`, pushing a group already there (and any it then meets) one place
/// down. Okta keeps priorities as given, gaps included: recorded in
/// `TestAccResourceOktaAppGroupAssignment_crud__oie-00.yaml`, where three groups sit at 0, 1
/// and 3, then 4, then 3 again.
fn place(groups: &mut [Value], gid: &str, priority: i64) {
    let mut taken = priority;
    let mut moving = gid.to_string();
    while let Some(other) = groups.iter().position(|g| {
        g["id"] != moving.as_str() && g["id"] != gid && g["priority"].as_i64() == Some(taken)
    }) {
        groups[other]["priority"] = json!(taken + 1);
        moving = groups[other]["id"].as_str().unwrap_or_default().to_string();
        taken += 1;
    }
    if let Some(g) = groups.iter_mut().find(|g| g["id"] == gid) {
        g["priority"] = json!(priority);
    }
    groups.sort_by_key(|g| g["priority"].as_i64().unwrap_or(i64::MAX));
}

pub(super) fn put_app_group(
    org: &mut OrgState,
    req: &Request,
    id: &str,
    gid: &str,
    body: Value,
) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    let Some(group) = org.group(gid).cloned() else {
        return not_found(gid, "UserGroup");
    };
    let profile = body["profile"].as_object().cloned().unwrap_or_default();
    if let Err(cause) = check_profile(&org.apps[i].schema, &profile) {
        return validation("assignGroupToApp", cause);
    }
    let now = timestamp();
    let app = &mut org.apps[i];
    let existing = app.groups.iter().position(|g| g["id"] == gid);
    let wanted = body["priority"].as_i64();
    match existing {
        Some(p) => {
            let g = &mut app.groups[p];
            g["profile"] = Value::Object(profile);
            g["lastUpdated"] = json!(now);
        }
        None => {
            app.groups.push(json!({ "id": gid, "lastUpdated": now, "priority": Value::Null, "profile": profile }));
        }
    }
    // Without a priority a new assignment goes last; an existing one keeps its place.
    let next = app
        .groups
        .iter()
        .filter_map(|g| g["priority"].as_i64())
        .max()
        .map_or(0, |m| m + 1);
    let current = app
        .groups
        .iter()
        .find(|g| g["id"] == gid)
        .and_then(|g| g["priority"].as_i64());
    place(&mut app.groups, gid, wanted.or(current).unwrap_or(next));
    let answer = app
        .groups
        .iter()
        .find(|g| g["id"] == gid)
        .cloned()
        .unwrap_or(Value::Null);
    org.log_app(
        i,
        &req.actor,
        "application.group_membership.add",
        "Assign group to app",
        vec![target(&group["id"], "UserGroup", &group["profile"]["name"])],
    );
    Reply::changed(Some(answer), 200)
}

pub(super) fn unassign_group(org: &mut OrgState, req: &Request, id: &str, gid: &str) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    let Some(p) = org.apps[i].groups.iter().position(|g| g["id"] == gid) else {
        return not_found(gid, "AppGroup");
    };
    // Gaps stay: Okta does not renumber the others.
    org.apps[i].groups.remove(p);
    org.log_app(
        i,
        &req.actor,
        "application.group_membership.remove",
        "Remove group from app",
        vec![target(&json!(gid), "UserGroup", &json!(gid))],
    );
    Reply::changed(None, 204)
}
