//! App assignments: app users and app groups, listed (`expand` embeds the user or group), read,
//! assigned and unassigned — with what Okta does around them:
//!
//! - **Grants.** An app user exists while something grants the app: a direct assignment
//!   (`scope: USER`) or an assigned group the user is a member of (`scope: GROUP`; spec
//!   `AppUser.scope`: "`GROUP` … by group membership"). Assigning a group creates an app user
//!   for every member who has none; removing the group, or a member from it, removes the app
//!   users nothing else grants (Okta help "Manage app integration assignments";
//!   `../shared/design/okta-semantics.md` D3). A user whose group membership grants the app
//!   cannot be unassigned directly: `403 E0000046` (B7).
//! - **Mappings.** A new app user's mapped attributes are the outputs of the Okta user → app
//!   mapping of the user's type (Okta help "Map a user type to an application"); group values
//!   fill unmapped ones only ("Okta does not always send the updated group assignments if the
//!   attributes are already mapped": KB "Usage of Group Type Attributes for Assignments").
//!   With profile push on, a request value for a `PUSH`-mapped attribute other than the
//!   mapping's output is refused with `403 E0000075` (B1; spec `ErrorAppUserForbiddenAction`).
//!   Mapping changes alone do not touch existing app users (D5); Okta user profile updates do
//!   (`directory`).
//! - **Provisioning.** A new app user of an app that provisions is `STAGED`; with Create Users
//!   on (`PUSH_NEW_USERS`) Okta's background job makes it `PROVISIONED`, with an `externalId`,
//!   after the `provision_delay_ms` knob (spec `AppUserStatus`: "`STAGED`: … the background
//!   provisioning operation is queued"; C11). Without Create Users it stays `STAGED`: turning
//!   it on later does not provision users already assigned (D7; help "Manage app integration
//!   assignments": "Click Provision Users" — the `/__sandbox/console/apps/{id}/provision-users`
//!   knob). Unassigning with Deactivate Users on (`PUSH_USER_DEACTIVATION`) deprovisions.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::super::expression::{Context, evaluate, same};
use super::super::scim::provision as scim;
use super::super::state::{Actor, AppState, OrgState, Provisioning, now_ms, target, timestamp};
use super::{
    Is, Outcome, Reply, Request, Settings, app_index, forbidden, not_found, page, validation,
};

/// `rest`: the path after `/api/v1/apps/{id}/`, starting with `users` or `groups`.
pub(super) fn route(org: &mut OrgState, req: &Request, id: &str, rest: &[&str]) -> Option<Outcome> {
    use Kind::{Group, User};
    Some(match (req.method, rest) {
        ("GET", ["users"]) => list(org, req, id, User),
        ("POST", ["users"]) => req.with_json(
            &[
                ("id", Is::Text),
                ("scope", Is::Text),
                ("profile", Is::Object),
                ("credentials", Is::Object),
            ],
            |b| assign_user(org, req, id, None, b),
        ),
        ("GET", ["users", uid]) => get(org, id, User, uid),
        ("POST", ["users", uid]) => req.with_json(
            &[("profile", Is::Object), ("credentials", Is::Object)],
            |b| assign_user(org, req, id, Some(uid), b),
        ),
        ("DELETE", ["users", uid]) => unassign_user(org, req, id, uid),
        ("GET", ["groups"]) => list(org, req, id, Group),
        ("GET", ["groups", gid]) => get(org, id, Group, gid),
        ("PUT", ["groups", gid]) => req
            .with_json(&[("profile", Is::Object), ("priority", Is::Integer)], |b| {
                put_group(org, req, id, gid, b)
            }),
        ("DELETE", ["groups", gid]) => unassign_group(org, req, id, gid),
        _ => return None,
    })
}

/// The two kinds of assignment, which are listed and read alike.
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
}

/// The assignments of app `id`, paged (users 50 by default and at most 500, groups 20 and 200).
/// The page is cut first, then its assignees embedded: users through the directory's index,
/// groups (a few hundred at most) in one pass over them; either way a page costs the same at
/// 30,000 users as at 30.
fn list(org: &OrgState, req: &Request, id: &str, kind: Kind) -> Outcome {
    let i = app_index(org, id)?;
    let expand = req.query("expand") == Some(kind.expand());
    let items = kind.of(&org.apps[i]);
    let mut reply = match kind {
        Kind::User => page(items, req, 50, 500),
        Kind::Group => page(items, req, 20, 200),
    };
    if expand && let Some(Value::Array(page)) = reply.body.as_mut() {
        let assignees: Vec<Option<Value>> = match kind {
            Kind::User => page
                .iter()
                .map(|a| a["id"].as_str().and_then(|aid| org.user(aid)).cloned())
                .collect(),
            Kind::Group => {
                let by_id: std::collections::HashMap<&str, &Value> = org
                    .groups
                    .iter()
                    .filter_map(|g| Some((g["id"].as_str()?, g)))
                    .collect();
                page.iter()
                    .map(|a| {
                        a["id"]
                            .as_str()
                            .and_then(|aid| by_id.get(aid))
                            .map(|g| (*g).clone())
                    })
                    .collect()
            }
        };
        for (item, assignee) in page.iter_mut().zip(assignees) {
            if let Some(assignee) = assignee {
                let mut embedded = Map::new();
                embedded.insert(kind.expand().into(), assignee);
                item["_embedded"] = Value::Object(embedded);
            }
        }
    }
    Ok(reply)
}

fn get(org: &OrgState, id: &str, kind: Kind, aid: &str) -> Outcome {
    let i = app_index(org, id)?;
    kind.of(&org.apps[i])
        .iter()
        .find(|a| a["id"] == aid)
        .map(|a| Reply::ok(a.clone()))
        .ok_or_else(|| not_found(aid, kind.resource()))
}

fn has_feature(app: &AppState, name: &str) -> bool {
    app.app["features"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == name))
}

/// "Profile push is on": Create Users or Update User Attributes (spec
/// `ErrorAppUserForbiddenAction`: "If the `PUSH_NEW_USERS` or `PUSH_PROFILE_UPDATES` feature is
/// enabled …").
fn pushes_profiles(app: &AppState) -> bool {
    has_feature(app, "PUSH_NEW_USERS") || has_feature(app, "PUSH_PROFILE_UPDATES")
}

/// Whether the app provisions users at all: a SCIM connection, or an allow-listed app's
/// provisioning (spec `AppUserStatus` `ACTIVE`: "… or if the app doesn't have provisioning
/// enabled").
fn provisions(app: &AppState) -> bool {
    app.features.is_some()
        || ["SCIM_PROVISIONING", "PUSH_NEW_USERS"]
            .iter()
            .any(|f| has_feature(app, f))
}

/// The properties of the Okta user → app `i` mapping of `user`'s type.
fn mapping_properties(org: &OrgState, i: usize, user: &Value) -> Map<String, Value> {
    let app_id = org.apps[i].app["id"].as_str().unwrap_or_default();
    org.mapping_to_app(&org.type_of(user), app_id)
        .and_then(|m| m["properties"].as_object())
        .cloned()
        .unwrap_or_default()
}

/// The outputs of `user`'s mapping to app `i` that the sandbox can evaluate (`only_push`: the
/// `PUSH` ones, which Okta applies on updates as well as on create: spec
/// `ProfileMappingPropertyPushStatus`).
pub(super) fn mapped_values(
    org: &OrgState,
    i: usize,
    user: &Value,
    only_push: bool,
) -> Vec<(String, Value)> {
    let context = Context {
        user,
        app_user: None,
        source_is_app_user: false,
    };
    mapping_properties(org, i, user)
        .into_iter()
        .filter(|(_, p)| !only_push || p["pushStatus"] == "PUSH")
        .filter_map(|(name, p)| {
            let value = evaluate(p["expression"].as_str()?, &context)?;
            Some((name, value))
        })
        .collect()
}

/// With profile push on, a value for a `PUSH`-mapped attribute must be the mapping's output:
/// else `403 E0000075`, worded as the spec's `ErrorAppUserForbiddenAction` example. An
/// expression the sandbox cannot evaluate is not checked.
fn check_mapped(
    org: &OrgState,
    i: usize,
    user: &Value,
    profile: &Map<String, Value>,
) -> Result<(), Reply> {
    if !pushes_profiles(&org.apps[i]) {
        return Ok(());
    }
    let outputs = mapped_values(org, i, user, true);
    for (name, value) in profile {
        if let Some((_, output)) = outputs.iter().find(|(n, _)| n == name)
            && !same(output, value)
        {
            return Err(forbidden(
                "E0000075",
                &format!(
                    "Cannot modify the {name} attribute because it has a field mapping and profile push is enabled."
                ),
                &[],
            ));
        }
    }
    Ok(())
}

/// Checks an app profile against the app schema: known attributes, enum members. Unknown
/// ones are refused as recorded in oktadeveloper/okta-blog-archive issue #2167: `Api
/// validation failed: assignment`, one cause `Property 'x' not found` each.
fn check_profile(schema: &Value, profile: &Map<String, Value>) -> Result<(), Reply> {
    let property = |key: &str| super::schema_property(schema, key);
    super::only_known_properties("assignment", profile.keys(), |k| property(k).is_some())?;
    for (key, value) in profile {
        let Some(property) = property(key) else {
            continue;
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
                // Not recorded; Okta's schema validation names the property and the value.
                return Err(validation(
                    "assignment",
                    format!("{key}: Does not match allowed values: {bad}"),
                ));
            }
        }
    }
    Ok(())
}

/// The body's `profile` (empty when absent), checked against app `i`'s schema.
fn checked_profile(org: &OrgState, i: usize, body: &Value) -> Result<Map<String, Value>, Reply> {
    let profile = body["profile"].as_object().cloned().unwrap_or_default();
    check_profile(&org.apps[i].schema, &profile)?;
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
            "assignment",
            "id: The field cannot be left blank".into(),
        ));
    };
    let user = Kind::User
        .assignee(org, &user_id)
        .ok_or_else(|| not_found(&user_id, "User"))?;
    let profile = checked_profile(org, i, &body)?;
    check_mapped(org, i, &user, &profile)?;
    let now = timestamp();
    let existing = org.apps[i]
        .users
        .iter()
        .position(|u| u["id"] == user_id.as_str());
    let answer = match existing {
        Some(p) => {
            let current = &mut org.apps[i].users[p];
            if uid.is_none() {
                current["scope"] = json!("USER");
            }
            if let Some(merged) = current["profile"].as_object_mut() {
                merged.extend(profile);
            }
            current["lastUpdated"] = json!(now);
            current.clone()
        }
        None if uid.is_some() => return Err(not_found(&user_id, "AppUser")),
        None => new_app_user(org, i, &user, "USER", profile, req.settings),
    };
    if existing.is_some() {
        scim::update_user(org, i, &user_id);
    }
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
        vec![user_target(&user)],
    );
    Ok(Reply::changed(Some(answer), 200))
}

fn user_target(user: &Value) -> Value {
    let mut t = target(&user["id"], "User", &user["profile"]["login"]);
    t["alternateId"] = user["profile"]["login"].clone();
    t
}

/// Adds an app user for `user` to app `i`: its mapped attributes from the mapping of the
/// user's type, group values for unmapped ones (`GROUP` scope), then `overlay`. `STAGED` when
/// the app provisions (and queued for provisioning when Create Users is on), else `ACTIVE`.
fn new_app_user(
    org: &mut OrgState,
    i: usize,
    user: &Value,
    scope: &str,
    overlay: Map<String, Value>,
    settings: Settings,
) -> Value {
    let user_id = user["id"].as_str().unwrap_or_default().to_string();
    let mut profile: Map<String, Value> = mapped_values(org, i, user, false).into_iter().collect();
    if scope == "GROUP" {
        profile.extend(group_values(org, i, user));
    }
    profile.extend(overlay);
    let app = &org.apps[i];
    let status = if provisions(app) { "STAGED" } else { "ACTIVE" };
    if status == "STAGED" && has_feature(app, "PUSH_NEW_USERS") {
        let app_id = app.app["id"].as_str().unwrap_or_default().to_string();
        org.provisioning.push(Provisioning {
            app: app_id,
            user: user_id.clone(),
            at_ms: now_ms() + settings.provision_delay_ms,
        });
    }
    let now = timestamp();
    let created = json!({
        "id": user_id, "externalId": null, "created": now, "lastUpdated": now, "scope": scope,
        "status": status, "statusChanged": now, "passwordChanged": null, "syncState": "DISABLED",
        "credentials": {"userName": user["profile"]["login"]}, "profile": profile
    });
    org.apps[i].users.push(created.clone());
    created
}

/// Okta's provisioning jobs that are due: their `STAGED` app users become `PROVISIONED` with an
/// `externalId` (the id the app gave the user; the sandbox makes one up), logged as Okta's
/// (`application.provision.user.push`, Okta's event type catalogue). Whether anything changed.
pub fn finish_provisioning(org: &mut OrgState, now: u64) -> bool {
    let (due, later): (Vec<Provisioning>, Vec<Provisioning>) =
        std::mem::take(&mut org.provisioning)
            .into_iter()
            .partition(|p| p.at_ms <= now);
    org.provisioning = later;
    let mut changed = !due.is_empty();
    for job in due {
        let Some(i) = org.app_index(&job.app) else {
            continue;
        };
        let Some(p) = org.apps[i].users.iter().position(|u| u["id"] == job.user) else {
            continue;
        };
        if org.apps[i].users[p]["status"] != "STAGED" {
            continue;
        }
        // Create Users: Okta sends the user to the app's SCIM server; its id is the externalId.
        let external = match scim::create_user(org, i, &job.user) {
            Some(id) => id,
            None => org.new_id("ext"),
        };
        let now = timestamp();
        let app_user = &mut org.apps[i].users[p];
        app_user["status"] = json!("PROVISIONED");
        app_user["externalId"] = json!(external);
        app_user["statusChanged"] = json!(now);
        app_user["lastUpdated"] = json!(now);
        if let Some(user) = org.user(&job.user).cloned() {
            org.log_app(
                i,
                &Actor::system(),
                "application.provision.user.push",
                "Push user to app",
                vec![user_target(&user)],
            );
        }
        scim::sync_pushed_groups(org, i);
        changed = true;
    }
    changed
}

/// Queues provisioning for app `i`'s `STAGED` users, as the console's "Provision Users" does.
/// How many.
pub fn provision_staged(org: &mut OrgState, i: usize, delay_ms: u64) -> usize {
    let app_id = org.apps[i].app["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let staged: Vec<String> = org.apps[i]
        .users
        .iter()
        .filter(|u| u["status"] == "STAGED")
        .filter_map(|u| u["id"].as_str().map(str::to_string))
        .filter(|u| {
            !org.provisioning
                .iter()
                .any(|p| p.app == app_id && p.user == *u)
        })
        .collect();
    for user in &staged {
        org.provisioning.push(Provisioning {
            app: app_id.clone(),
            user: user.clone(),
            at_ms: now_ms() + delay_ms,
        });
    }
    staged.len()
}

/// The assignments of groups of app `i` that have `user_id` as a member, highest priority
/// (lowest number) first.
fn granting<'o>(org: &'o OrgState, i: usize, user_id: &str) -> Vec<&'o Value> {
    let mut groups: Vec<&Value> = org.apps[i]
        .groups
        .iter()
        .filter(|g| {
            g["id"]
                .as_str()
                .is_some_and(|gid| org.members_of(gid).iter().any(|m| m == user_id))
        })
        .collect();
    groups.sort_by_key(|g| g["priority"].as_i64().unwrap_or(i64::MAX));
    groups
}

/// The group values of `user` in app `i`: for each custom attribute the mapping does not
/// write, the value of the highest-priority granting group that sets it — or, for an array
/// with `union: ENABLE` ("combine values across groups"), all their values. Personal (`SELF`)
/// attributes have no group values.
fn group_values(org: &OrgState, i: usize, user: &Value) -> Map<String, Value> {
    let user_id = user["id"].as_str().unwrap_or_default();
    let mapped = mapping_properties(org, i, user);
    let groups = granting(org, i, user_id);
    let mut values = Map::new();
    let Some(custom) = org.apps[i].schema["definitions"]["custom"]["properties"].as_object() else {
        return values;
    };
    for (name, property) in custom {
        if mapped.contains_key(name) || property["scope"] == "SELF" {
            continue;
        }
        let set: Vec<&Value> = groups
            .iter()
            .filter_map(|g| g["profile"].get(name))
            .filter(|v| !v.is_null())
            .collect();
        if property["union"] == "ENABLE" {
            let mut all: Vec<Value> = Vec::new();
            for value in set
                .iter()
                .flat_map(|v| v.as_array().cloned().unwrap_or_default())
            {
                if !all.contains(&value) {
                    all.push(value);
                }
            }
            if !all.is_empty() {
                values.insert(name.clone(), Value::Array(all));
            }
        } else if let Some(first) = set.first() {
            values.insert(name.clone(), (*first).clone());
        }
    }
    values
}

/// Brings app `i`'s `GROUP`-scope app users in line with its group assignments and the groups'
/// members: members without an app user get one; `GROUP` users whom no assigned group grants
/// any more are removed (deprovisioned when Deactivate Users is on); the others get their
/// group values again. `actor` made the change that calls for it.
pub(super) fn sync_groups(org: &mut OrgState, i: usize, actor: &Actor, settings: Settings) {
    let group_users: Vec<String> = org.apps[i]
        .users
        .iter()
        .filter(|u| u["scope"] == "GROUP")
        .filter_map(|u| u["id"].as_str().map(str::to_string))
        .collect();
    for user_id in group_users {
        let Some(user) = org.user(&user_id).cloned() else {
            continue;
        };
        if granting(org, i, &user_id).is_empty() {
            remove_app_user(org, i, &user, actor);
        } else {
            let values = group_values(org, i, &user);
            let mut updated = false;
            if let Some(app_user) = org.apps[i].users.iter_mut().find(|u| u["id"] == user_id)
                && let Some(profile) = app_user["profile"].as_object_mut()
            {
                let before = profile.clone();
                profile.extend(values);
                if *profile != before {
                    app_user["lastUpdated"] = json!(timestamp());
                    updated = true;
                }
            }
            if updated {
                scim::update_user(org, i, &user_id);
            }
        }
    }
    let members: BTreeSet<String> = org.apps[i]
        .groups
        .iter()
        .filter_map(|g| g["id"].as_str())
        .flat_map(|gid| org.members_of(gid).iter().cloned())
        .collect();
    for user_id in members {
        if org.apps[i]
            .users
            .iter()
            .any(|u| u["id"] == user_id.as_str())
        {
            continue;
        }
        let Some(user) = org.user(&user_id).cloned() else {
            continue;
        };
        new_app_user(org, i, &user, "GROUP", Map::new(), settings);
        org.log_app(
            i,
            actor,
            "application.user_membership.add",
            "Assign user to app",
            vec![user_target(&user)],
        );
    }
    scim::sync_pushed_groups(org, i);
}

/// Removes `user`'s app user from app `i`. "You can't recover the user's app profile. If the
/// app is enabled for provisioning and configured to deactivate users, the user is also
/// deactivated in the target app" (spec `unassignUserFromApplication`). Okta's answer is the
/// same either way — `204 No Content`, and the app user is gone (`GET` → 404) — so the
/// deprovisioning shows only as Okta's own System Log event
/// (`application.provision.user.deactivate`, Okta's event type catalogue).
fn remove_app_user(org: &mut OrgState, i: usize, user: &Value, actor: &Actor) {
    let user_id = user["id"].as_str().unwrap_or_default().to_string();
    if let Some(app_user) = org.apps[i]
        .users
        .iter()
        .find(|u| u["id"] == user_id.as_str())
        .cloned()
    {
        // Deactivate Users: `active: false` at the vendor, never a DELETE.
        scim::deactivate_user(org, i, &app_user);
    }
    org.apps[i].users.retain(|u| u["id"] != user_id.as_str());
    let app_id = org.apps[i].app["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    org.provisioning
        .retain(|p| !(p.app == app_id && p.user == user_id));
    org.log_app(
        i,
        actor,
        "application.user_membership.remove",
        "Remove user from app",
        vec![user_target(user)],
    );
    if has_feature(&org.apps[i], "PUSH_USER_DEACTIVATION") {
        org.log_app(
            i,
            &Actor::system(),
            "application.provision.user.deactivate",
            "Deactivate user in app",
            vec![user_target(user)],
        );
    }
}

/// `DELETE …/users/{uid}`: 204; refused while a group membership grants the app.
fn unassign_user(org: &mut OrgState, req: &Request, id: &str, uid: &str) -> Outcome {
    let i = app_index(org, id)?;
    if !org.apps[i].users.iter().any(|u| u["id"] == uid) {
        return Err(not_found(uid, "AppUser"));
    }
    if !granting(org, i, uid).is_empty() {
        // articulate/terraform-provider-okta #120; gravitational/teleport #53947
        // (`../shared/design/okta-semantics.md` B7, `okta-api-notes.md` §7.1).
        return Err(forbidden(
            "E0000046",
            "Deactivate application for user forbidden.",
            &["The application cannot be unassigned from the user while their group memberships grant them access".into()],
        ));
    }
    let user = org
        .user(uid)
        .cloned()
        .unwrap_or_else(|| json!({ "id": uid, "profile": {} }));
    remove_app_user(org, i, &user, &req.actor);
    scim::sync_pushed_groups(org, i);
    Ok(Reply::changed(None, 204))
}

/// `DELETE …/groups/{gid}`: 204, and the app users only this group granted go with it. Gaps in
/// group priorities stay (Okta does not renumber).
fn unassign_group(org: &mut OrgState, req: &Request, id: &str, gid: &str) -> Outcome {
    let i = app_index(org, id)?;
    let Some(p) = org.apps[i].groups.iter().position(|g| g["id"] == gid) else {
        return Err(not_found(gid, "AppGroup"));
    };
    org.apps[i].groups.remove(p);
    let name = org
        .group(gid)
        .map_or_else(|| json!(gid), |g| g["profile"]["name"].clone());
    org.log_app(
        i,
        &req.actor,
        "application.group_membership.remove",
        "Remove group from app",
        vec![target(&json!(gid), "UserGroup", &name)],
    );
    sync_groups(org, i, &req.actor, req.settings);
    Ok(Reply::changed(None, 204))
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
/// priority, or else where it was, or else last; then its members' app users follow.
fn put_group(org: &mut OrgState, req: &Request, id: &str, gid: &str, body: Value) -> Outcome {
    let i = app_index(org, id)?;
    let group = Kind::Group
        .assignee(org, gid)
        .ok_or_else(|| not_found(gid, "UserGroup"))?;
    if body["priority"].as_i64().is_some_and(|p| p < 0) {
        return Err(validation("group", "priority: must be 0 or more".into()));
    }
    let profile = checked_profile(org, i, &body)?;
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
    sync_groups(org, i, &req.actor, req.settings);
    Ok(Reply::changed(Some(answer), 200))
}
