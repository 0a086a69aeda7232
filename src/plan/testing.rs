//! Test support: a live Luciq org in a few states, built from JSON shaped like Okta's answers.

use crate::config::Config;
use crate::config::{FileId, load::parse};
use crate::okta::{Directory, Features, LiveApp, LiveGroup, LiveUser, Snapshot};
use serde_json::from_value;
use serde_json::{Value, json};

pub const LUCIQ: &str = include_str!("../../examples/luciq.yaml");

pub fn live_app(features: Vec<&str>, custom: Value, to_app: Value) -> LiveApp {
    LiveApp {
        app: from_value(json!({"id": "0oaLUCIQ", "name": "luciq_scim", "label": "Luciq", "status": "ACTIVE", "features": features})).unwrap(),
        features: Features::NotSupported,
        connection: None,
        schema: from_value(json!({"definitions": {"base": {"properties": {"userName": {"title": "Username", "type": "string"}}}, "custom": {"properties": custom}}})).unwrap(),
        to_app: Some(from_value(json!({"id": "prmTOAPP", "source": {"id": "otyDEFAULT", "type": "user"}, "target": {"id": "0oaLUCIQ", "type": "appuser"}, "properties": to_app})).unwrap()),
        to_okta: Some(from_value(json!({"id": "prmTOOKTA", "source": {"id": "0oaLUCIQ"}, "target": {"id": "otyDEFAULT"}, "properties": {"login": {"expression": "appuser.userName", "pushStatus": "DONT_PUSH"}}})).unwrap()),
        users: Some(vec![]),
        groups: Some(vec![]),
        group_push: None,
    }
}

/// The logins and group names the Luciq example assigns, resolved.
pub fn directory() -> Directory {
    Directory {
        users: [
            ("alice@example.com", "00uALICE"),
            ("bob@example.com", "00uBOB"),
        ]
        .into_iter()
        .map(|(l, i)| (l.to_string(), i.into()))
        .collect(),
        groups: [("Engineering".to_string(), vec!["00gENG".into()])]
            .into_iter()
            .collect(),
        profiles: [(
            "alice@example.com".to_string(),
            serde_json::from_value(json!({"login": "alice@example.com", "firstName": "Alice", "lastName": "Anders", "email": "alice@example.com"})).unwrap(),
        )]
        .into_iter()
        .collect(),
    }
}

pub fn org(user_custom: Value, app: LiveApp) -> Snapshot {
    Snapshot::new(
        Some(from_value(json!({"definitions": {"custom": {"properties": user_custom}}})).unwrap()),
        [("luciq".to_string(), app)].into_iter().collect(),
        directory(),
    )
}

pub fn luciq_attributes() -> Value {
    json!({
        "instabugRole": {"title": "Instabug Role", "type": "string", "scope": "NONE", "externalName": "instabugRole",
            "externalNamespace": "urn:ietf:params:scim:schemas:extension:instabug:2.0:User",
            "enum": ["adminstrator", "member", "viewer"],
            "oneOf": [{"const": "adminstrator", "title": "Admin"}, {"const": "member", "title": "Member"}, {"const": "viewer", "title": "Viewer"}]},
        "instabugApplications": {"title": "Instabug Applications", "type": "array", "scope": "NONE", "union": "DISABLE",
            "externalName": "instabugApplications", "externalNamespace": "urn:ietf:params:scim:schemas:extension:instabug:2.0:User",
            "items": {"type": "string", "enum": ["iOS App", "Android App", "Web App"],
                "oneOf": [{"const": "iOS App", "title": "iOS App"}, {"const": "Android App", "title": "Android App"}, {"const": "Web App", "title": "Web App"}]}}
    })
}

pub fn okta_attributes() -> Value {
    let mut attributes = luciq_attributes();
    for a in attributes.as_object_mut().unwrap().values_mut() {
        let a = a.as_object_mut().unwrap();
        a.remove("externalName");
        a.remove("externalNamespace");
        a.insert("mutability".into(), json!("READ_WRITE"));
        a.insert(
            "permissions".into(),
            json!([{"principal": "SELF", "action": "READ_ONLY"}]),
        );
    }
    attributes
}

pub fn converged_app() -> LiveApp {
    let mut app = live_app(
        vec![
            "SCIM_PROVISIONING",
            "PUSH_NEW_USERS",
            "PUSH_PROFILE_UPDATES",
            "PUSH_USER_DEACTIVATION",
        ],
        luciq_attributes(),
        json!({"instabugRole": {"expression": "user.instabugRole", "pushStatus": "PUSH"},
               "instabugApplications": {"expression": "user.instabugApplications", "pushStatus": "PUSH"}}),
    );
    app.users = Some(vec![
        LiveUser { login: "alice@example.com".into(), assignment: from_value(json!({"id": "00uALICE", "scope": "USER", "profile": {"instabugRole": "adminstrator", "instabugApplications": ["iOS App", "Web App"]}})).unwrap() },
        LiveUser { login: "bob@example.com".into(), assignment: from_value(json!({"id": "00uBOB", "scope": "USER", "profile": {"instabugRole": "member", "instabugApplications": ["Android App"]}})).unwrap() },
    ]);
    app.groups = Some(vec![LiveGroup { name: "Engineering".into(), members: None, assignment: from_value(json!({"id": "00gENG", "priority": 0, "profile": {"instabugRole": "member", "instabugApplications": ["iOS App", "Android App"]}})).unwrap() }]);
    app
}

pub fn config(text: &str) -> Config {
    parse(FileId(0), text).unwrap()
}
