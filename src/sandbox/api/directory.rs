//! The directory: users and groups, read by id (users also by login), searched (`search` or
//! `filter` with `eq` clauses, `q` prefix) and paged; group members listed, added and removed
//! (spec `listGroupUsers`, `assignUserToGroup`, `unassignUserFromGroup`); a user's profile
//! updated (spec `updateUser`, `POST`: a partial update). The API cannot create users or groups
//! here; the seed has them. What follows a change reaches the apps: a new member of an assigned
//! group gets an app user, a removed one loses it (`assignments::sync_groups`); a profile update
//! flows through the `PUSH` mappings into the user's app users (`../shared/design/
//! okta-semantics.md` B1: "the mapping overwrites the value on the next profile change").

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value, json};

use super::super::state::{Actor, OrgState, target, timestamp};
use super::assignments::{mapped_values, sync_groups};
use super::{
    Is, Outcome, Reply, Request, bad_search, field, forbidden, not_found, page, starts_with,
    validation,
};
use crate::sandbox::filter;

/// `rest`: the path after `/api/v1/`, starting with `users` or `groups`.
pub(super) fn route(org: &mut OrgState, req: &Request, rest: &[&str]) -> Option<Outcome> {
    Some(match (req.method, rest) {
        ("GET", ["users"]) => Ok(list_users(org, req)),
        ("GET", ["users", id]) => get_user(org, id),
        ("POST", ["users", id]) => {
            req.with_json(&[("profile", Is::Object)], |b| update_user(org, req, id, b))
        }
        ("GET", ["groups"]) => Ok(list_groups(org, req)),
        ("GET", ["groups", id]) => get_group(org, id),
        ("GET", ["groups", id, "users"]) => list_members(org, req, id),
        ("PUT", ["groups", id, "users", uid]) => change_membership(org, req, id, uid, true),
        ("DELETE", ["groups", id, "users", uid]) => change_membership(org, req, id, uid, false),
        _ => return None,
    })
}

fn find_user<'o>(org: &'o OrgState, id: &str) -> Result<&'o Value, Reply> {
    org.users
        .iter()
        .find(|u| u["id"] == id || u["profile"]["login"] == id)
        .ok_or_else(|| not_found(id, "User"))
}

fn get_user(org: &OrgState, id: &str) -> Outcome {
    find_user(org, id).map(|user| Reply::ok(user.clone()))
}

fn get_group(org: &OrgState, id: &str) -> Outcome {
    org.group(id)
        .map(|group| Reply::ok(group.clone()))
        .ok_or_else(|| not_found(id, "UserGroup"))
}

/// The `eq` clauses of `search` (or, without it, `filter`). An expression that does not parse
/// is refused with `400 E0000031`; one that parses but is not `eq` clauses joined by `or`
/// (the forms oktaform sends) is refused too, rather than answered with every object.
fn search_clauses(req: &Request) -> Result<Vec<(String, String)>, Reply> {
    let Some(text) = req.query("search").or(req.query("filter")) else {
        return Ok(Vec::new());
    };
    let parsed = filter::parse(text).map_err(|invalid| bad_search(&invalid.message(text)))?;
    let mut clauses = Vec::new();
    let mut pending = vec![&parsed];
    while let Some(node) = pending.pop() {
        match node {
            filter::Filter::Or(a, b) => pending.extend([b.as_ref(), a.as_ref()]),
            filter::Filter::Compare {
                path,
                op: filter::Op::Eq,
                value: filter::Literal::Text(value),
            } => clauses.push((path.join("."), value.clone())),
            _ => {
                return Err(bad_search(
                    "the sandbox answers `field eq \"value\"` clauses joined by `or` only",
                ));
            }
        }
    }
    Ok(clauses)
}

/// Users matching any clause (values compared ignoring case) and the `q` prefix of login,
/// email, first or last name.
fn list_users(org: &OrgState, req: &Request) -> Reply {
    let clauses = match search_clauses(req) {
        Ok(clauses) => clauses,
        Err(refused) => return refused,
    };
    // Each field once a user, against the set of its values: a search of 50 logins over
    // 30,000 users is 30,000 lookups, not 1.5 million comparisons.
    let mut wanted: BTreeMap<&str, HashSet<String>> = BTreeMap::new();
    for (f, v) in &clauses {
        wanted
            .entry(f.as_str())
            .or_default()
            .insert(v.to_ascii_lowercase());
    }
    let q = req.query("q").map(str::to_lowercase);
    let users: Vec<&Value> = org
        .users
        .iter()
        .filter(|u| {
            wanted.is_empty()
                || wanted.iter().any(|(f, values)| {
                    field(u, f)
                        .as_str()
                        .is_some_and(|x| values.contains(&x.to_ascii_lowercase()))
                })
        })
        .filter(|u| {
            q.as_ref().is_none_or(|q| {
                ["login", "email", "firstName", "lastName"]
                    .iter()
                    .any(|f| starts_with(&u["profile"][*f], q))
            })
        })
        .collect();
    page(&users, req, 200, 200)
}

/// Groups matching any clause (values compared exactly) and the `q` prefix of their name.
fn list_groups(org: &OrgState, req: &Request) -> Reply {
    let clauses = match search_clauses(req) {
        Ok(clauses) => clauses,
        Err(refused) => return refused,
    };
    let q = req.query("q").map(str::to_lowercase);
    let groups: Vec<&Value> = org
        .groups
        .iter()
        .filter(|g| clauses.is_empty() || clauses.iter().any(|(f, v)| field(g, f) == v.as_str()))
        .filter(|g| {
            q.as_ref()
                .is_none_or(|q| starts_with(&g["profile"]["name"], q))
        })
        .collect();
    page(&groups, req, 200, 10000)
}

/// `GET /groups/{id}/users`: the members, paged (spec: `limit` default 1000).
fn list_members(org: &OrgState, req: &Request, id: &str) -> Outcome {
    org.group(id).ok_or_else(|| not_found(id, "UserGroup"))?;
    let users: Vec<&Value> = org
        .members_of(id)
        .iter()
        .filter_map(|m| org.user(m))
        .collect();
    Ok(page(&users, req, 1000, 10000))
}

/// `PUT` (add) or `DELETE` (remove) `/groups/{id}/users/{uid}`: 204, also when nothing changes
/// (unverified). Only `OKTA_GROUP` memberships can change (spec `assignUserToGroup`: "You only
/// can modify memberships for groups of the `OKTA_GROUP` type"; `GroupType` `BUILT_IN`:
/// "memberships are managed by Okta and can't be modified") — else the operation's `403`
/// (`ErrorAccessDenied403`, E0000006). Every app the group is assigned to follows.
fn change_membership(org: &mut OrgState, req: &Request, id: &str, uid: &str, add: bool) -> Outcome {
    let group = org
        .group(id)
        .cloned()
        .ok_or_else(|| not_found(id, "UserGroup"))?;
    let user = find_user(org, uid)?.clone();
    if group["type"] != "OKTA_GROUP" {
        return Err(forbidden(
            "E0000006",
            "You do not have permission to perform the requested action",
            &[],
        ));
    }
    let user_id = user["id"].as_str().unwrap_or_default().to_string();
    let members = org.members.entry(id.to_string()).or_default();
    let was = members.contains(&user_id);
    if add && !was {
        members.push(user_id.clone());
    } else if !add && was {
        members.retain(|m| *m != user_id);
    } else {
        return Ok(Reply::changed(None, 204));
    }
    if let Some(g) = org.groups.iter_mut().find(|g| g["id"] == id) {
        g["lastMembershipUpdated"] = json!(timestamp());
    }
    let (event, message) = if add {
        ("group.user_membership.add", "Add user to group membership")
    } else {
        (
            "group.user_membership.remove",
            "Remove user from group membership",
        )
    };
    org.log(
        &req.actor,
        event,
        message,
        vec![
            target(&user["id"], "User", &user["profile"]["login"]),
            target(&group["id"], "UserGroup", &group["profile"]["name"]),
        ],
    );
    let apps: Vec<usize> = (0..org.apps.len())
        .filter(|&i| org.apps[i].groups.iter().any(|g| g["id"] == id))
        .collect();
    for i in apps {
        sync_groups(org, i, &req.actor, req.settings);
    }
    Ok(Reply::changed(None, 204))
}

/// `POST /users/{id}` with `{"profile": {…}}`: a partial update of the profile (spec
/// `updateUser`), checked against the user's type's schema. Then every app user of the user
/// takes the new outputs of its `PUSH` mappings ("`PUSH`: the target is updated on create and
/// update", spec `ProfileMappingPropertyPushStatus`); with Update User Attributes on
/// (`PUSH_PROFILE_UPDATES`) Okta then pushes the profile to the app
/// (`application.provision.user.push_profile`, Okta's event type catalogue).
fn update_user(org: &mut OrgState, req: &Request, id: &str, body: Value) -> Outcome {
    let user = find_user(org, id)?.clone();
    let user_id = user["id"].as_str().unwrap_or_default().to_string();
    let Some(changes) = body["profile"].as_object().cloned() else {
        // Not recorded: a body without a profile.
        return Err(validation(
            "user",
            "profile: The field cannot be left blank".into(),
        ));
    };
    let schema = org.schema_of_type(&org.type_of(&user)).cloned();
    super::only_known_properties("user", changes.keys(), |name| {
        schema
            .as_ref()
            .is_some_and(|s| super::schema_property(s, name).is_some())
    })?;
    let now = timestamp();
    let Some(p) = org.users.iter().position(|u| u["id"] == user_id.as_str()) else {
        return Err(not_found(id, "User"));
    };
    if let Some(profile) = org.users[p]["profile"].as_object_mut() {
        profile.extend(changes);
    }
    org.users[p]["lastUpdated"] = json!(now);
    let updated = org.users[p].clone();
    org.log(
        &req.actor,
        "user.account.update_profile",
        "Update user profile for Okta",
        vec![target(&updated["id"], "User", &updated["profile"]["login"])],
    );
    for i in 0..org.apps.len() {
        if !org.apps[i]
            .users
            .iter()
            .any(|u| u["id"] == user_id.as_str())
        {
            continue;
        }
        let values: Map<String, Value> =
            mapped_values(org, i, &updated, true).into_iter().collect();
        let pushes = org.apps[i].app["features"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "PUSH_PROFILE_UPDATES"));
        let Some(app_user) = org.apps[i]
            .users
            .iter_mut()
            .find(|u| u["id"] == user_id.as_str())
        else {
            continue;
        };
        let Some(profile) = app_user["profile"].as_object_mut() else {
            continue;
        };
        let before = profile.clone();
        profile.extend(values);
        if *profile == before {
            continue;
        }
        app_user["lastUpdated"] = json!(now);
        if pushes {
            // Update User Attributes: the new profile goes to the app's SCIM server.
            super::super::scim::provision::update_user(org, i, &user_id);
            org.log_app(
                i,
                &Actor::system(),
                "application.provision.user.push_profile",
                "Push user profile to app",
                vec![target(&updated["id"], "User", &updated["profile"]["login"])],
            );
        }
    }
    Ok(Reply::changed(Some(updated), 200))
}
