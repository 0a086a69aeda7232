//! An app's provisioning settings: the Features API (`USER_PROVISIONING`, `INBOUND_PROVISIONING`;
//! `USER_PROVISIONING`'s toggles mirrored into the app's `features` array) and the default
//! provisioning connection with its lifecycle. Only allow-listed apps have them; the others
//! answer as recorded (`Provisioning is not supported.`, a connection in status `UNKNOWN`).

use serde_json::{Value, json};

use super::super::state::{OrgState, timestamp};
use super::{
    Is, Outcome, Reply, Request, app_index, malformed, no_such_resource, not_found, validation,
};

/// `rest`: the path after `/api/v1/apps/{id}/`, starting with `features` or `connections`.
pub(super) fn route(org: &mut OrgState, req: &Request, id: &str, rest: &[&str]) -> Option<Outcome> {
    Some(match (req.method, rest) {
        ("GET", ["features"]) => list(org, req, id),
        ("GET", ["features", name]) => get(org, req, id, name),
        ("PUT", ["features", name]) => req.with_json(
            &[
                ("create", Is::Object),
                ("update", Is::Object),
                ("importSettings", Is::Object),
                ("importRules", Is::Object),
            ],
            |b| put(org, req, id, name, b),
        ),
        ("GET", ["connections", "default"]) => connection(org, req, id, None),
        ("POST", ["connections", "default"]) => req
            .with_json(&[("baseUrl", Is::Text), ("profile", Is::Object)], |b| {
                connection(org, req, id, Some(b))
            }),
        ("POST", ["connections", "default", "lifecycle", action]) => {
            connection_lifecycle(org, req, id, action)
        }
        _ => return None,
    })
}

fn not_supported() -> Reply {
    // Recorded: okta-sdk-python/test_application_features_it__…without_provisioning.yaml
    validation("feature", "Provisioning is not supported.".into())
}

/// An allow-listed app whose provisioning connection is not `ENABLED` yet: the spec's
/// `ErrorAppFeatureAPIValidationFailed` example (`listFeaturesForApplication`: "returns an
/// error if provisioning isn't enabled for the app"; `../shared/design/okta-semantics.md` B2).
fn not_enabled() -> Reply {
    validation(
        "feature",
        "Provisioning is not enabled for the app instance.".into(),
    )
}

/// App `id`'s index and its features, or why there are none.
fn features_of<'o>(
    org: &'o OrgState,
    req: &Request,
    id: &str,
) -> Result<(usize, &'o [Value]), Reply> {
    let i = app_index(org, id)?;
    let features = org.apps[i].features.as_deref().ok_or_else(not_supported)?;
    if req.settings.features_need_enabled_connection
        && org.apps[i].connection["status"] != "ENABLED"
    {
        return Err(not_enabled());
    }
    Ok((i, features))
}

fn list(org: &OrgState, req: &Request, id: &str) -> Outcome {
    let (_, features) = features_of(org, req, id)?;
    Ok(Reply::ok(Value::Array(features.to_vec())))
}

fn get(org: &OrgState, req: &Request, id: &str, name: &str) -> Outcome {
    let (_, features) = features_of(org, req, id)?;
    features
        .iter()
        .find(|f| f["name"] == name)
        .map(|f| Reply::ok(f.clone()))
        .ok_or_else(|| not_found(name, "AppFeature"))
}

/// The `features` array entries of the app that USER_PROVISIONING's capabilities stand for:
/// each is there when the capability at its pointer is `ENABLED`.
const PUSH_FEATURES: [(&str, &str); 4] = [
    ("/create/lifecycleCreate/status", "PUSH_NEW_USERS"),
    ("/update/profile/status", "PUSH_PROFILE_UPDATES"),
    (
        "/update/lifecycleDeactivate/status",
        "PUSH_USER_DEACTIVATION",
    ),
    ("/update/password/status", "PUSH_PASSWORD_UPDATES"),
];

/// Rewrites the `PUSH_*` entries of the app's `features` array after the capabilities, keeping
/// the other entries (`GROUP_PUSH`, `SCIM_PROVISIONING`, …) in their order.
fn mirror_push_features(app: &mut Value, capabilities: &Value) {
    let is_push = |f: &Value| PUSH_FEATURES.iter().any(|(_, name)| f == *name);
    let mut all: Vec<Value> = app["features"]
        .as_array()
        .map(|fs| fs.iter().filter(|f| !is_push(f)).cloned().collect())
        .unwrap_or_default();
    all.extend(
        PUSH_FEATURES
            .iter()
            .filter(|(pointer, _)| {
                capabilities.pointer(pointer).and_then(Value::as_str) == Some("ENABLED")
            })
            .map(|(_, name)| Value::from(*name)),
    );
    app["features"] = Value::Array(all);
    app["lastUpdated"] = json!(timestamp());
}

fn put(org: &mut OrgState, req: &Request, id: &str, name: &str, body: Value) -> Outcome {
    let (i, _) = features_of(org, req, id)?;
    let features = org.apps[i].features.as_mut().ok_or_else(not_supported)?;
    let Some(feature) = features.iter_mut().find(|f| f["name"] == name) else {
        return Err(not_found(name, "AppFeature"));
    };
    if !body.is_object() {
        // Recorded: E0000003 for a malformed PUT (…test_application_features_lifecycle.yaml).
        return Err(malformed());
    }
    feature["capabilities"] = body;
    let feature = feature.clone();
    if name == "USER_PROVISIONING" {
        mirror_push_features(&mut org.apps[i].app, &feature["capabilities"]);
    }
    org.log_app(
        i,
        &req.actor,
        "application.provision.feature.update",
        &format!("Update {name}"),
        Vec::new(),
    );
    Ok(Reply::changed(Some(feature), 200))
}

/// `GET` (no body) or `POST` (a body) of the default connection.
fn connection(org: &mut OrgState, req: &Request, id: &str, body: Option<Value>) -> Outcome {
    let i = app_index(org, id)?;
    let allow_listed = org.apps[i].features.is_some();
    let Some(body) = body.filter(|_| allow_listed) else {
        // Recorded: unsupported apps answer UNKNOWN to GET and POST alike.
        return Ok(Reply::ok(org.apps[i].connection.clone()));
    };
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
    Ok(Reply::changed(Some(answer), 200))
}

/// `activate` / `deactivate`: 204, and a change only for allow-listed apps.
fn connection_lifecycle(org: &mut OrgState, req: &Request, id: &str, action: &str) -> Outcome {
    let i = app_index(org, id)?;
    let status = match action {
        "activate" => "ENABLED",
        "deactivate" => "DISABLED",
        _ => return Err(no_such_resource(req.path)),
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
    Ok(Reply::changed(None, 204))
}
