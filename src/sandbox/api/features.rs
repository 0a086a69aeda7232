//! An app's provisioning settings: the Features API (`USER_PROVISIONING`, `INBOUND_PROVISIONING`,
//! mirrored into the app's `features` array) and the default provisioning connection with its
//! lifecycle. Only allow-listed apps have them; others answer as recorded.

use serde_json::{Value, json};

use super::super::state::{OrgState, timestamp};
use super::{Reply, Request, error, malformed, not_found, validation};

fn not_supported() -> Reply {
    // Recorded: okta-sdk-python/test_application_features_it__…without_provisioning.yaml
    validation("feature", "Provisioning is not supported.".into())
}

pub(super) fn features(org: &OrgState, id: &str, name: Option<&str>) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    let Some(features) = &org.apps[i].features else {
        return not_supported();
    };
    match name {
        None => Reply::ok(Value::Array(features.clone())),
        Some(name) => match features.iter().find(|f| f["name"] == name) {
            Some(f) => Reply::ok(f.clone()),
            None => not_found(name, "AppFeature"),
        },
    }
}

/// The `features` array entries a USER_PROVISIONING capabilities object stands for.
fn features_array(capabilities: &Value) -> Vec<&'static str> {
    let on = |p: &str| capabilities.pointer(p).and_then(Value::as_str) == Some("ENABLED");
    let mut out = Vec::new();
    if on("/create/lifecycleCreate/status") {
        out.push("PUSH_NEW_USERS");
    }
    if on("/update/profile/status") {
        out.push("PUSH_PROFILE_UPDATES");
    }
    if on("/update/lifecycleDeactivate/status") {
        out.push("PUSH_USER_DEACTIVATION");
    }
    if on("/update/password/status") {
        out.push("PUSH_PASSWORD_UPDATES");
    }
    out
}

pub(super) fn put_feature(
    org: &mut OrgState,
    req: &Request,
    id: &str,
    name: &str,
    body: Value,
) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    let Some(features) = org.apps[i].features.as_mut() else {
        return not_supported();
    };
    let Some(feature) = features.iter_mut().find(|f| f["name"] == name) else {
        return not_found(name, "AppFeature");
    };
    if !body.is_object() {
        // Recorded: E0000003 for a malformed PUT (…test_application_features_lifecycle.yaml).
        return malformed();
    }
    feature["capabilities"] = body;
    let feature = feature.clone();
    if name == "USER_PROVISIONING" {
        let app = &mut org.apps[i].app;
        let kept: Vec<Value> = app["features"]
            .as_array()
            .map(|fs| {
                fs.iter()
                    .filter(|f| {
                        !matches!(
                            f.as_str(),
                            Some(
                                "PUSH_NEW_USERS"
                                    | "PUSH_PROFILE_UPDATES"
                                    | "PUSH_USER_DEACTIVATION"
                                    | "PUSH_PASSWORD_UPDATES"
                            )
                        )
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let mut all = kept;
        all.extend(
            features_array(&feature["capabilities"])
                .into_iter()
                .map(Value::from),
        );
        app["features"] = Value::Array(all);
        app["lastUpdated"] = json!(timestamp());
    }
    org.log_app(
        i,
        &req.actor,
        "application.provision.feature.update",
        &format!("Update {name}"),
        Vec::new(),
    );
    Reply::changed(Some(feature), 200)
}

pub(super) fn connection(
    org: &mut OrgState,
    id: &str,
    body: Option<Value>,
    req: &Request,
) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    let allow_listed = org.apps[i].features.is_some();
    match body {
        // Recorded: unsupported apps answer UNKNOWN to GET and POST alike.
        _ if !allow_listed => Reply::ok(org.apps[i].connection.clone()),
        None => Reply::ok(org.apps[i].connection.clone()),
        Some(body) => {
            let connection = &mut org.apps[i].connection;
            if let Some(url) = body.get("baseUrl") {
                connection["baseUrl"] = url.clone();
            }
            // The token is write-only: accepted, never stored or echoed.
            connection["status"] = json!("DISABLED");
            let answer = connection.clone();
            org.log_app(
                i,
                &req.actor,
                "application.provision.connection.update",
                "Update provisioning connection",
                Vec::new(),
            );
            Reply::changed(Some(answer), 200)
        }
    }
}

pub(super) fn connection_lifecycle(
    org: &mut OrgState,
    req: &Request,
    id: &str,
    action: &str,
) -> Reply {
    let Some(i) = org.app_index(id) else {
        return not_found(id, "AppInstance");
    };
    let status = match action {
        "activate" => "ENABLED",
        "deactivate" => "DISABLED",
        _ => {
            return error(
                404,
                "E0000022",
                "The endpoint does not support the provided HTTP method",
                &[],
            );
        }
    };
    if org.apps[i].features.is_some() {
        org.apps[i].connection["status"] = json!(status);
        org.log_app(
            i,
            &req.actor,
            "application.provision.connection.lifecycle",
            &format!("Connection {action}"),
            Vec::new(),
        );
    }
    Reply::changed(None, 204)
}
