//! Group push mappings of an app: created to a new or existing target group, activated and
//! deactivated, deleted once inactive — with the status codes recorded.

use serde_json::{Value, json};

use super::super::state::{OrgState, timestamp};
use super::{Reply, Request, not_found, validation};

/// `POST …/group-push/mappings`: push a source group to a new target group (by name) or an
/// existing one (by id). Answers 200 where the spec says 201, as recorded in
/// `TestAccResourceOktaPushGroup_crud__classic-00.yaml`.
pub(super) fn create_push(org: &mut OrgState, req: &Request, id: &str, body: Value) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    let pushes = org.apps[i].app["features"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == "GROUP_PUSH"));
    if !pushes {
        // Not recorded; Okta refuses group push for apps without it.
        return validation(
            "groupPushMapping",
            "Group Push is not enabled for this app.".into(),
        );
    }
    let Some(source) = body["sourceGroupId"].as_str().map(str::to_string) else {
        return validation(
            "groupPushMapping",
            "sourceGroupId: The field cannot be left blank".into(),
        );
    };
    if org.group(&source).is_none() {
        return not_found(&source, "UserGroup");
    }
    let target = match (
        body["targetGroupId"].as_str(),
        body["targetGroupName"].as_str(),
    ) {
        (Some(target), _) => target.to_string(),
        // A new group of that name in the target: the sandbox has no target org, so only its id.
        (None, Some(_)) => org.new_id("00g"),
        (None, None) => {
            return validation(
                "groupPushMapping",
                "targetGroupId or targetGroupName is required".into(),
            );
        }
    };
    let now = timestamp();
    let mid = org.new_id("gPm");
    let mapping = json!({
        "created": now, "id": mid, "lastUpdated": now, "sourceGroupId": source,
        "status": body["status"].as_str().unwrap_or("ACTIVE"), "targetGroupId": target
    });
    org.apps[i].group_push.push(mapping.clone());
    org.log_app(
        i,
        &req.actor,
        "group.application_assignment.push",
        "Create group push mapping",
        Vec::new(),
    );
    Reply::changed(Some(mapping), 200)
}

pub(super) fn patch_push(
    org: &mut OrgState,
    req: &Request,
    id: &str,
    mid: &str,
    body: Value,
) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    let Some(m) = org.apps[i].group_push.iter_mut().find(|m| m["id"] == mid) else {
        return not_found(mid, "GroupPushMapping");
    };
    match body["status"].as_str() {
        Some(status @ ("ACTIVE" | "INACTIVE")) => m["status"] = json!(status),
        _ => {
            return validation(
                "groupPushMapping",
                "status: must be ACTIVE or INACTIVE".into(),
            );
        }
    }
    m["lastUpdated"] = json!(timestamp());
    let answer = m.clone();
    org.log_app(
        i,
        &req.actor,
        "group.application_assignment.update",
        "Update group push mapping",
        Vec::new(),
    );
    Reply::changed(Some(answer), 200)
}

/// Only an inactive mapping can be deleted; answers 200 with no body, as recorded.
pub(super) fn delete_push(org: &mut OrgState, req: &Request, id: &str, mid: &str) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    let Some(p) = org.apps[i].group_push.iter().position(|m| m["id"] == mid) else {
        return not_found(mid, "GroupPushMapping");
    };
    if org.apps[i].group_push[p]["status"] == "ACTIVE" {
        // Not recorded; Okta requires deactivating a push mapping before deleting it.
        return validation(
            "groupPushMapping",
            "Deactivate the group push mapping before deleting it.".into(),
        );
    }
    org.apps[i].group_push.remove(p);
    org.log_app(
        i,
        &req.actor,
        "group.application_assignment.remove",
        "Delete group push mapping",
        Vec::new(),
    );
    Reply::changed(None, 200)
}
