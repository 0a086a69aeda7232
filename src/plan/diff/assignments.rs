//! User and group assignments: profiles compare only the attributes the config sets; group
//! priorities are planned together (a move shifts the others); removals of what the config
//! does not name, for collections it owns exclusively, carry the risk of deprovisioning.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::DiffError;
use crate::config::Loc;
use crate::config::model::{App, AppManage, Assignments, GroupAssignment, Ownership};
use crate::facts::provisioning::{ToAppToggle, USER_PROVISIONING};
use crate::ids::{GroupId, UserId};
use crate::okta::{Directory, LiveApp, LiveGroup, LiveUser};
use crate::plan::attribute::FieldChange;
use crate::plan::change::{Change, Note, Op, Risk, Subject};

/// What every assignment diff of one app reads.
struct Context<'a> {
    name: &'a str,
    live: &'a LiveApp,
    directory: &'a Directory,
    /// The risk of an unassignment.
    unassign_risk: Risk,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn app(
    changes: &mut Vec<Change>,
    notes: &mut Vec<Note>,
    errors: &mut Vec<DiffError>,
    name: &str,
    app: &App,
    live: &LiveApp,
    directory: &Directory,
    manage: &AppManage,
) {
    let Some(assignments) = &app.assignments else {
        return;
    };
    let cx = Context {
        name,
        live,
        directory,
        unassign_risk: if deactivates(app, live) {
            Risk::Deprovisions
        } else {
            Risk::DataLoss
        },
    };
    users(changes, errors, &cx, &assignments.value);
    if manage.users == Ownership::Exclusive {
        unassign_users(changes, notes, &cx, &assignments.value);
    }
    let declared = resolve_groups(errors, &cx, &assignments.value);
    groups(changes, &cx, declared);
    if manage.groups == Ownership::Exclusive {
        unassign_groups(changes, &cx, &assignments.value);
    }
}

/// Deactivate Users will be on when the unassignments run, so they deactivate app accounts.
/// Apply writes the toggle before the unassignments only through the Features API; a toggle
/// that is a console step stays as it is live until someone clicks (finding D1), so then the
/// live state decides. Either way, on now or on after: deprovisions.
fn deactivates(app: &App, live: &LiveApp) -> bool {
    let desired = app
        .provisioning
        .as_ref()
        .and_then(|p| p.to_app.as_ref())
        .and_then(|t| t.value.deactivate_users.as_ref())
        .map(|d| d.value);
    let now = live.toggle_on(ToAppToggle::DeactivateUsers);
    let written_by_api = live.features.get(USER_PROVISIONING).is_some();
    match (desired, written_by_api) {
        (Some(want), true) => want,
        _ => now,
    }
}

fn to_map(profile: &IndexMap<Loc<String>, Loc<Value>>) -> Map<String, Value> {
    profile
        .iter()
        .map(|(k, v)| (k.value.clone(), v.value.clone()))
        .collect()
}

fn value_text(value: &Value) -> String {
    match value {
        Value::Null => "(none)".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// How a live profile differs from the declared values.
struct ProfileUpdate {
    fields: Vec<FieldChange>,
    /// Only the declared keys whose value differs (what a user update sends: finding D9 —
    /// resending every stored value can hit a mapped or read-only attribute).
    changed: Map<String, Value>,
    /// The live profile with them applied (what a group PUT, which replaces, sends).
    merged: Map<String, Value>,
}

fn profile_update(live: &Map<String, Value>, want: &Map<String, Value>) -> ProfileUpdate {
    let mut update = ProfileUpdate {
        fields: Vec::new(),
        changed: Map::new(),
        merged: live.clone(),
    };
    for (key, value) in want {
        let before = live.get(key).cloned().unwrap_or(Value::Null);
        if &before != value {
            update.fields.push(FieldChange {
                field: key.clone(),
                before: value_text(&before),
                after: value_text(value),
            });
            update.changed.insert(key.clone(), value.clone());
            update.merged.insert(key.clone(), value.clone());
        }
    }
    update
}

fn is_group_scope(scope: Option<&str>) -> bool {
    scope == Some("GROUP")
}

/// Declared users: assign, or update the profile values the config sets.
fn users(
    changes: &mut Vec<Change>,
    errors: &mut Vec<DiffError>,
    cx: &Context<'_>,
    assignments: &Assignments,
) {
    let app_id = &cx.live.app.id;
    // Logins compare without case; the first of two spellings Okta lists wins.
    let mut live_users: HashMap<String, &LiveUser> = HashMap::new();
    for user in cx.live.users.iter().flatten() {
        live_users
            .entry(user.login.to_ascii_lowercase())
            .or_insert(user);
    }
    for (login, profile) in &assignments.users {
        let want = profile.as_ref().map(to_map).unwrap_or_default();
        let subject = Subject::UserAssignment {
            app: cx.name.into(),
            login: login.value.clone(),
        };
        let found = live_users.get(&login.value.to_ascii_lowercase());
        let op = match found {
            Some(user) if !is_group_scope(user.assignment.scope.as_deref()) => {
                let update = profile_update(&user.assignment.profile, &want);
                if update.fields.is_empty() {
                    continue;
                }
                Op::UpdateUser {
                    app_id: app_id.clone(),
                    user_id: user.assignment.id.clone(),
                    profile: update.changed,
                    fields: update.fields,
                }
            }
            Some(user) => Op::ConvertUser {
                app_id: app_id.clone(),
                user_id: user.assignment.id.clone(),
                profile: want,
                fields: vec![FieldChange {
                    field: "assignment".into(),
                    before: "through a group".into(),
                    after: "individual: stays when the group goes (only the Admin Console's Convert Assignments turns it back)".into(),
                }],
            },
            None => {
                let Some(user_id) = cx.directory.user(login).cloned() else {
                    errors.push(DiffError::NoSuchUser {
                        app: cx.name.into(),
                        login: login.value.clone(),
                    });
                    continue;
                };
                Op::AssignUser {
                    app_id: app_id.clone(),
                    user_id,
                    profile: want,
                }
            }
        };
        changes.push(Change::new(subject, op, Risk::Safe));
    }
}

/// Directly assigned users the config does not name — but not those an assigned group also
/// grants the app: Okta refuses to unassign them (403 E0000046, finding B7), so they are kept
/// and the plan says why.
fn unassign_users(
    changes: &mut Vec<Change>,
    notes: &mut Vec<Note>,
    cx: &Context<'_>,
    assignments: &Assignments,
) {
    let declared: HashSet<String> = assignments
        .users
        .keys()
        .map(|l| l.value.to_ascii_lowercase())
        .collect();
    // Who each assigned group grants the app, in the groups' order.
    let mut grants: HashMap<&UserId, Vec<(usize, &str)>> = HashMap::new();
    for (i, group) in cx.live.groups.iter().flatten().enumerate() {
        for member in group.members.iter().flatten() {
            let by = grants.entry(member).or_default();
            if by.last().is_none_or(|(last, _)| *last != i) {
                by.push((i, group.name.as_str()));
            }
        }
    }
    for user in cx.live.users.iter().flatten() {
        let declared = declared.contains(&user.login.to_ascii_lowercase());
        let granted_by: Vec<&str> = grants
            .get(&user.assignment.id)
            .map(|by| by.iter().map(|(_, name)| *name).collect())
            .unwrap_or_default();
        if !declared && !is_group_scope(user.assignment.scope.as_deref()) && !granted_by.is_empty()
        {
            notes.push(Note {
                app: cx.name.into(),
                text: format!(
                    "{} is not in assignments.users but keeps the app: the group{} {} grant{} it too, and Okta refuses to unassign a user a group grants the app; remove the user from the group, or list them",
                    user.login,
                    if granted_by.len() == 1 { "" } else { "s" },
                    granted_by.join(", "),
                    if granted_by.len() == 1 { "s" } else { "" },
                ),
            });
            continue;
        }
        if !declared && !is_group_scope(user.assignment.scope.as_deref()) {
            changes.push(Change::new(
                Subject::UserAssignment {
                    app: cx.name.into(),
                    login: user.login.clone(),
                },
                Op::UnassignUser {
                    app_id: cx.live.app.id.clone(),
                    user_id: user.assignment.id.clone(),
                },
                cx.unassign_risk,
            ));
        }
    }
}

/// A declared group with its id and its live assignment, if any.
struct DeclaredGroup<'a> {
    name: &'a str,
    assignment: &'a GroupAssignment,
    id: GroupId,
    current: Option<&'a LiveGroup>,
}

/// Every declared group resolved to one id; unknown and ambiguous names are errors.
fn resolve_groups<'a>(
    errors: &mut Vec<DiffError>,
    cx: &Context<'a>,
    assignments: &'a Assignments,
) -> Vec<DeclaredGroup<'a>> {
    let live_groups = cx.live.groups.as_deref().unwrap_or_default();
    let mut declared = Vec::new();
    for (group, assignment) in &assignments.groups {
        let ids = cx
            .directory
            .groups
            .get(&group.value)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let id = match ids {
            [one] => one.clone(),
            [] => match live_groups.iter().find(|g| g.name == group.value) {
                Some(g) => g.assignment.id.clone(),
                None => {
                    errors.push(DiffError::NoSuchGroup {
                        app: cx.name.into(),
                        group: group.value.clone(),
                    });
                    continue;
                }
            },
            many => {
                errors.push(DiffError::AmbiguousGroup {
                    app: cx.name.into(),
                    group: group.value.clone(),
                    count: many.len(),
                });
                continue;
            }
        };
        let current = live_groups.iter().find(|g| g.assignment.id == id);
        declared.push(DeclaredGroup {
            name: &group.value,
            assignment,
            id,
            current,
        });
    }
    declared
}

/// Declared groups: assign, or update profile and priority. Okta stores priorities as given,
/// gaps included (recorded in `TestAccResourceOktaAppGroupAssignment_crud__oie-00.yaml`); a
/// move shifts the others, so when any priority changes every declared priority is set again,
/// in ascending order, so each lands where the config puts it.
fn groups(changes: &mut Vec<Change>, cx: &Context<'_>, mut declared: Vec<DeclaredGroup<'_>>) {
    let priority_of = |g: &DeclaredGroup<'_>| g.assignment.priority.as_ref().map(|p| p.value);
    let moves = declared.iter().any(|g| {
        let want = priority_of(g);
        want.is_some()
            && g.current
                .is_none_or(|c| c.assignment.priority != want.map(i64::from))
    });
    declared.sort_by_key(|g| priority_of(g).unwrap_or(u32::MAX));
    for group in declared {
        let want = to_map(&group.assignment.profile);
        let priority = priority_of(&group);
        let (fields, profile, assigned) = match group.current {
            Some(current) => {
                let update = profile_update(&current.assignment.profile, &want);
                let mut fields = update.fields;
                fields.extend(priority_fields(current, priority, moves));
                if fields.is_empty() {
                    continue;
                }
                (fields, update.merged, true)
            }
            None => (Vec::new(), want, false),
        };
        changes.push(Change::new(
            Subject::GroupAssignment {
                app: cx.name.into(),
                group: group.name.into(),
            },
            Op::PutGroup {
                app_id: cx.live.app.id.clone(),
                group_id: group.id,
                priority,
                profile,
                fields,
                assigned,
            },
            Risk::Safe,
        ));
    }
}

/// How an assigned group's priority changes: moved, or set again because another one moves.
fn priority_fields(current: &LiveGroup, priority: Option<u32>, moves: bool) -> Option<FieldChange> {
    let p = priority?;
    let have = current.assignment.priority;
    if have != Some(i64::from(p)) {
        return Some(FieldChange {
            field: "priority".into(),
            before: have.map_or("(none)".into(), |p| p.to_string()),
            after: p.to_string(),
        });
    }
    moves.then(|| FieldChange {
        field: "priority".into(),
        before: p.to_string(),
        after: format!("{p} (set again: another group moves)"),
    })
}

/// Assigned groups the config does not name.
fn unassign_groups(changes: &mut Vec<Change>, cx: &Context<'_>, assignments: &Assignments) {
    for group in cx.live.groups.iter().flatten() {
        if !assignments.groups.contains_key(group.name.as_str()) {
            changes.push(Change::new(
                Subject::GroupAssignment {
                    app: cx.name.into(),
                    group: group.name.clone(),
                },
                Op::UnassignGroup {
                    app_id: cx.live.app.id.clone(),
                    group_id: group.assignment.id.clone(),
                    members: group.members.as_ref().map(Vec::len),
                },
                cx.unassign_risk,
            ));
        }
    }
}
