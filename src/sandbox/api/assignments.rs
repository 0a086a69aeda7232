//! App assignments: app users (assigned directly, with their app profile checked against the
//! app schema) and app groups (with profile and priority, collisions pushed down), listed
//! (`expand` embeds the user or group), read, assigned and unassigned.

use serde_json::{Map, Value, json};

use super::super::state::{AppState, OrgState, target, timestamp};
use super::{Outcome, Reply, Request, app_index, not_found, page, validation};

/// `rest`: the path after `/api/v1/apps/{id}/`, starting with `users` or `groups`.
pub(super) fn route(org: &mut OrgState, req: &Request, id: &str, rest: &[&str]) -> Option<Outcome> {
    use Kind::{Group, User};
    Some(match (req.method, rest) {
        ("GET", ["users"]) => list(org, req, id, User),
        ("POST", ["users"]) => req.with_json(|b| assign_user(org, req, id, None, b)),
        ("GET", ["users", uid]) => get(org, id, User, uid),
        ("POST", ["users", uid]) => req.with_json(|b| assign_user(org, req, id, Some(uid), b)),
        ("DELETE", ["users", uid]) => unassign(org, req, id, User, uid),
        ("GET", ["groups"]) => list(org, req, id, Group),
        ("GET", ["groups", gid]) => get(org, id, Group, gid),
        ("PUT", ["groups", gid]) => req.with_json(|b| put_group(org, req, id, gid, b)),
        ("DELETE", ["groups", gid]) => unassign(org, req, id, Group, gid),
        _ => return None,
    })
}

/// The two kinds of assignment, which are listed, read and removed alike.
#[derive(Clone, Copy)]
enum Kind {
    User,
    Group,
}

impl Kind {
    fn of(self, app: &AppState) -> &[Value] {
        match self {
            Kind::User => &app.users,
            Kind::Group => &app.groups,
        }
    }

    fn of_mut(self, app: &mut AppState) -> &mut Vec<Value> {
        match self {
            Kind::User => &mut app.users,
            Kind::Group => &mut app.groups,
        }
    }

    /// The user or group an assignment is for.
    fn assignee(self, org: &OrgState, id: &str) -> Option<Value> {
        match self {
            Kind::User => org.user(id).cloned(),
            Kind::Group => org.group(id).cloned(),
        }
    }

    /// The `expand` value that embeds the assignee, and its key under `_embedded`.
    fn expand(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
        }
    }

    /// What a missing assignment is called in the 404.
    fn resource(self) -> &'static str {
        match self {
            Kind::User => "AppUser",
            Kind::Group => "AppGroup",
        }
    }

    /// The System Log event of a removal: type, message, target type.
    fn removal(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::User => (
                "application.user_membership.remove",
                "Remove user from app",
                "User",
            ),
            Kind::Group => (
                "application.group_membership.remove",
                "Remove group from app",
                "UserGroup",
            ),
        }
    }
}

/// The assignments of app `id`, paged (users 50 by default and at most 500, groups 20 and 200).
fn list(org: &OrgState, req: &Request, id: &str, kind: Kind) -> Outcome {
    let i = app_index(org, id)?;
    let expand = req.query("expand") == Some(kind.expand());
    let items: Vec<Value> = kind
        .of(&org.apps[i])
        .iter()
        .map(|a| {
            let mut a = a.clone();
            if expand
                && let Some(assignee) = a["id"].as_str().and_then(|aid| kind.assignee(org, aid))
            {
                let mut embedded = Map::new();
                embedded.insert(kind.expand().into(), assignee);
                a["_embedded"] = Value::Object(embedded);
            }
            a
        })
        .collect();
    Ok(match kind {
        Kind::User => page(items, req, 50, 500),
        Kind::Group => page(items, req, 20, 200),
    })
}

fn get(org: &OrgState, id: &str, kind: Kind, aid: &str) -> Outcome {
    let i = app_index(org, id)?;
    kind.of(&org.apps[i])
        .iter()
        .find(|a| a["id"] == aid)
        .map(|a| Reply::ok(a.clone()))
        .ok_or_else(|| not_found(aid, kind.resource()))
}

/// Removes an assignment: 204. Gaps in group priorities stay (Okta does not renumber).
fn unassign(org: &mut OrgState, req: &Request, id: &str, kind: Kind, aid: &str) -> Outcome {
    let i = app_index(org, id)?;
    let assignments = kind.of_mut(&mut org.apps[i]);
    let Some(p) = assignments.iter().position(|a| a["id"] == aid) else {
        return Err(not_found(aid, kind.resource()));
    };
    assignments.remove(p);
    let (event, message, target_type) = kind.removal();
    org.log_app(
        i,
        &req.actor,
        event,
        message,
        vec![target(&json!(aid), target_type, &json!(aid))],
    );
    Ok(Reply::changed(None, 204))
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

/// The body's `profile` (empty when absent), checked against app `i`'s schema.
fn checked_profile(
    org: &OrgState,
    i: usize,
    body: &Value,
    operation: &str,
) -> Result<Map<String, Value>, Reply> {
    let profile = body["profile"].as_object().cloned().unwrap_or_default();
    check_profile(&org.apps[i].schema, &profile).map_err(|cause| validation(operation, cause))?;
    Ok(profile)
}

/// `POST …/users` assigns the user named in the body (or updates an existing assignment,
/// which then becomes a direct one); `POST …/users/{uid}` updates an existing one's profile.
fn assign_user(
    org: &mut OrgState,
    req: &Request,
    id: &str,
    uid: Option<&str>,
    body: Value,
) -> Outcome {
    let i = app_index(org, id)?;
    let Some(user_id) = uid.or_else(|| body["id"].as_str()).map(str::to_string) else {
        return Err(validation(
            "assignUserToApp",
            "id: The field cannot be left blank".into(),
        ));
    };
    let user = Kind::User
        .assignee(org, &user_id)
        .ok_or_else(|| not_found(&user_id, "User"))?;
    let profile = checked_profile(org, i, &body, "assignUserToApp")?;
    let now = timestamp();
    let users = &mut org.apps[i].users;
    let answer = match users.iter().position(|u| u["id"] == user_id.as_str()) {
        Some(p) => {
            update_app_user(&mut users[p], profile, uid.is_none(), &now);
            users[p].clone()
        }
        None if uid.is_some() => return Err(not_found(&user_id, "AppUser")),
        None => {
            let created = new_app_user(&user, &user_id, profile, &now);
            users.push(created.clone());
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
    Ok(Reply::changed(Some(answer), 200))
}

/// Merges `profile` into an existing app user; an assignment through `POST …/users` is direct.
fn update_app_user(current: &mut Value, profile: Map<String, Value>, direct: bool, now: &str) {
    if direct {
        current["scope"] = json!("USER");
    }
    if let Some(merged) = current["profile"].as_object_mut() {
        merged.extend(profile);
    }
    current["lastUpdated"] = json!(now);
}

/// A new, directly assigned app user: its profile starts from the user's names and email.
fn new_app_user(user: &Value, user_id: &str, profile: Map<String, Value>, now: &str) -> Value {
    let mut full = Map::new();
    full.insert("userName".into(), user["profile"]["login"].clone());
    full.insert("email".into(), user["profile"]["email"].clone());
    full.insert("givenName".into(), user["profile"]["firstName"].clone());
    full.insert("familyName".into(), user["profile"]["lastName"].clone());
    full.extend(profile);
    json!({
        "id": user_id, "externalId": null, "created": now, "lastUpdated": now, "scope": "USER",
        "status": "PROVISIONED", "statusChanged": now, "passwordChanged": null, "syncState": "DISABLED",
        "credentials": {"userName": user["profile"]["login"]}, "profile": full
    })
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

/// `PUT …/groups/{gid}`: assigns the group or replaces its assignment's profile, at the given
/// priority, or else where it was, or else last.
fn put_group(org: &mut OrgState, req: &Request, id: &str, gid: &str, body: Value) -> Outcome {
    let i = app_index(org, id)?;
    let group = Kind::Group
        .assignee(org, gid)
        .ok_or_else(|| not_found(gid, "UserGroup"))?;
    let profile = checked_profile(org, i, &body, "assignGroupToApp")?;
    let now = timestamp();
    let groups = &mut org.apps[i].groups;
    match groups.iter().position(|g| g["id"] == gid) {
        Some(p) => {
            groups[p]["profile"] = Value::Object(profile);
            groups[p]["lastUpdated"] = json!(now);
        }
        None => groups.push(
            json!({ "id": gid, "lastUpdated": now, "priority": Value::Null, "profile": profile }),
        ),
    }
    let priority = |g: &Value| g["priority"].as_i64();
    // Without a priority a new assignment goes last; an existing one keeps its place.
    let next = groups
        .iter()
        .filter_map(priority)
        .max()
        .map_or(0, |m| m + 1);
    let current = groups.iter().find(|g| g["id"] == gid).and_then(priority);
    place(
        groups,
        gid,
        body["priority"].as_i64().or(current).unwrap_or(next),
    );
    let answer = groups
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
    Ok(Reply::changed(Some(answer), 200))
}
