//! Group push mappings of an app: listed, read, created to a new or an existing target group,
//! activated and deactivated, deleted once inactive (saying whether the target group goes too) —
//! with the status codes recorded (200 where the spec says 201 or 204).

use serde_json::{Value, json};

use super::super::state::{OrgState, timestamp};
use super::{Is, Outcome, Reply, Request, app_index, not_found, validation};

/// `rest`: the path after `/api/v1/apps/{id}/group-push/mappings`.
pub(super) fn route(org: &mut OrgState, req: &Request, id: &str, rest: &[&str]) -> Option<Outcome> {
    Some(match (req.method, rest) {
        ("GET", []) => list(org, id),
        ("POST", []) => req.with_json(
            &[
                ("sourceGroupId", Is::Text),
                ("targetGroupId", Is::Text),
                ("targetGroupName", Is::Text),
                ("status", Is::Text),
            ],
            |b| create(org, req, id, b),
        ),
        ("GET", [mid]) => get(org, id, mid),
        ("PATCH", [mid]) => req.with_json(&[("status", Is::Text)], |b| patch(org, req, id, mid, b)),
        ("DELETE", [mid]) => delete(org, req, id, mid),
        _ => return None,
    })
}

fn invalid(cause: &str) -> Reply {
    validation("groupPushMapping", cause.into())
}

/// App `id`'s index and the position of its mapping `mid`, or the 404 for the missing one.
fn find(org: &OrgState, id: &str, mid: &str) -> Result<(usize, usize), Reply> {
    let i = app_index(org, id)?;
    let p = org.apps[i]
        .group_push
        .iter()
        .position(|m| m["id"] == mid)
        .ok_or_else(|| not_found(mid, "GroupPushMapping"))?;
    Ok((i, p))
}

fn list(org: &OrgState, id: &str) -> Outcome {
    let i = app_index(org, id)?;
    Ok(Reply::ok(Value::Array(org.apps[i].group_push.clone())))
}

fn get(org: &OrgState, id: &str, mid: &str) -> Outcome {
    let (i, p) = find(org, id, mid)?;
    Ok(Reply::ok(org.apps[i].group_push[p].clone()))
}

/// `POST …/group-push/mappings`: push a source group to a new target group (by name) or an
/// existing one (by id). Answers 200 where the spec says 201, as recorded in
/// `TestAccResourceOktaPushGroup_crud__classic-00.yaml`.
fn create(org: &mut OrgState, req: &Request, id: &str, body: Value) -> Outcome {
    // Recorded: the app's `features` was `[]`, and Okta created the mapping all the same.
    let i = app_index(org, id)?;
    let Some(source) = body["sourceGroupId"].as_str().map(str::to_string) else {
        return Err(invalid("sourceGroupId: The field cannot be left blank"));
    };
    if org.group(&source).is_none() {
        return Err(not_found(&source, "UserGroup"));
    }
    let target = match (
        body["targetGroupId"].as_str(),
        body["targetGroupName"].as_str(),
    ) {
        // The spec: "Either `targetGroupId` or `targetGroupName` must be provided, but not both."
        (Some(_), Some(_)) => {
            return Err(invalid(
                "Provide either targetGroupId or targetGroupName, not both",
            ));
        }
        (Some(target), None) => target.to_string(),
        // A new group of that name in the target: the sandbox has no target org, so only its
        // id — the same for the same app and name however many requests came before (a run
        // retried under faults leaves the org as a fault-free one).
        (None, Some(name)) => target_id(id, name),
        (None, None) => {
            return Err(invalid("targetGroupId or targetGroupName is required"));
        }
    };
    let now = timestamp();
    let mid = org.new_id("gPm");
    let mapping = json!({
        "created": now, "id": mid, "lastUpdated": now, "sourceGroupId": source,
        "status": body["status"].as_str().unwrap_or("ACTIVE"), "targetGroupId": target
    });
    if let (None, Some(name)) = (
        body["targetGroupId"].as_str(),
        body["targetGroupName"].as_str(),
    ) {
        org.apps[i]
            .push_target_names
            .insert(mid.clone(), name.to_string());
    }
    org.apps[i].group_push.push(mapping.clone());
    // Push Groups: an active mapping sends the group and its members to the app's SCIM server.
    super::super::scim::provision::sync_pushed_groups(org, i);
    org.log_app(
        i,
        &req.actor,
        "group.application_assignment.push",
        "Create group push mapping",
        Vec::new(),
    );
    Ok(Reply::changed(Some(mapping), 200))
}

/// The id of the vendor's group called `name` for app `app`: `00g` and 17 characters of a
/// digest, the first a digit (as every sandbox id has).
fn target_id(app: &str, name: &str) -> String {
    let digest = crate::sandbox::jws::sha256_base64url(&format!("{app}\n{name}"));
    let mut tail: Vec<char> = digest
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(17)
        .collect();
    if let Some(first) = tail.first_mut() {
        *first = char::from(b'0' + (*first as u8) % 10);
    }
    format!("00g{}", tail.into_iter().collect::<String>())
}

/// Activates or deactivates a mapping (`status` only).
fn patch(org: &mut OrgState, req: &Request, id: &str, mid: &str, body: Value) -> Outcome {
    let (i, p) = find(org, id, mid)?;
    let Some(status @ ("ACTIVE" | "INACTIVE")) = body["status"].as_str() else {
        return Err(invalid("status: must be ACTIVE or INACTIVE"));
    };
    let m = &mut org.apps[i].group_push[p];
    m["status"] = json!(status);
    m["lastUpdated"] = json!(timestamp());
    let answer = m.clone();
    super::super::scim::provision::sync_pushed_groups(org, i);
    org.log_app(
        i,
        &req.actor,
        "group.application_assignment.update",
        "Update group push mapping",
        Vec::new(),
    );
    Ok(Reply::changed(Some(answer), 200))
}

/// Only an inactive mapping can be deleted, and `deleteTargetGroup` is required (spec); answers
/// 200 with no body, as recorded.
fn delete(org: &mut OrgState, req: &Request, id: &str, mid: &str) -> Outcome {
    let (i, p) = find(org, id, mid)?;
    if !matches!(req.query("deleteTargetGroup"), Some("true" | "false")) {
        return Err(invalid("deleteTargetGroup: must be true or false"));
    }
    if org.apps[i].group_push[p]["status"] == "ACTIVE" {
        // Not recorded; Okta requires deactivating a push mapping before deleting it.
        return Err(invalid(
            "Deactivate the group push mapping before deleting it.",
        ));
    }
    org.apps[i].group_push.remove(p);
    // `deleteTargetGroup=true` deletes the pushed group in the app as well.
    let delete_target = req
        .query
        .iter()
        .any(|(k, v)| k == "deleteTargetGroup" && v == "true");
    super::super::scim::provision::unpush_group(org, i, mid, delete_target);
    org.log_app(
        i,
        &req.actor,
        "group.application_assignment.remove",
        "Delete group push mapping",
        Vec::new(),
    );
    Ok(Reply::changed(None, 200))
}
