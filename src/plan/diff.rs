//! The diff: config × live state → changes, each with its risk, plus notes on what the API
//! cannot show. Okta-aware: see [`super::attribute`] for attributes; mappings compare
//! expressions (and push status only when the config sets it); assignment profiles compare only
//! the attributes the config sets; toggles compare only the toggles the config sets.

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::attribute::{Difference, FieldChange, Profile, Shape};
use super::change::{Change, Direction, Note, Op, Risk, Subject};
use super::live::{Features, LiveApp, LiveOrg};
use crate::config::Loc;
use crate::config::model::{
    App, ApplyOn, Attribute, Config, Mapping, Ownership, PasswordChange, PasswordSeed, ScimAction,
};
use crate::ids::AppId;
use crate::okta::types::{ProfileMapping, Schema};

/// A plan before it is bound to an org: the changes and the notes.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Changes {
    pub changes: Vec<Change>,
    pub notes: Vec<Note>,
}

/// Why no plan can be made: the config names something the org does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    #[error(
        "app `{app}`: no Okta user has the login `{login}` (check the spelling, or create the user first)"
    )]
    NoSuchUser { app: String, login: String },
    #[error("app `{app}`: no Okta group is named `{group}`")]
    NoSuchGroup { app: String, group: String },
    #[error(
        "app `{app}`: {count} Okta groups are named `{group}`; rename one so the config names one group"
    )]
    AmbiguousGroup {
        app: String,
        group: String,
        count: usize,
    },
    #[error(
        "app `{app}`: Okta has no {direction} profile mapping for this app, so its mappings cannot be set"
    )]
    NoMapping {
        app: String,
        direction: &'static str,
    },
}

/// Computes the changes that make the org match the config.
pub fn diff(config: &Config, live: &LiveOrg) -> Result<Changes, Vec<DiffError>> {
    let mut out = Changes::default();
    let mut errors = Vec::new();
    if let (Some(okta_user), Some(schema)) = (&config.okta_user, &live.user_schema) {
        let ownership = okta_user
            .value
            .manage
            .as_ref()
            .map_or(Ownership::Additive, |m| m.value.attributes);
        attributes(
            &mut out.changes,
            Profile::OktaUser,
            None,
            &okta_user.value.attributes,
            schema,
            ownership,
            |name| Subject::OktaUserAttribute { name },
        );
    }
    for (name, app) in &config.apps {
        let Some(live_app) = live.apps.get(name.as_str()) else {
            continue;
        };
        if let Err(mut e) = app_changes(&mut out, name, app, live_app) {
            errors.append(&mut e);
        }
    }
    if errors.is_empty() {
        out.changes
            .sort_by_key(|c| (c.subject.stage(), c.subject.app().map(str::to_string)));
        Ok(out)
    } else {
        Err(errors)
    }
}

fn app_changes(
    out: &mut Changes,
    name: &str,
    app: &App,
    live: &LiveApp,
) -> Result<(), Vec<DiffError>> {
    let manage = app
        .manage
        .as_ref()
        .map(|m| m.value.clone())
        .unwrap_or_default();
    let app_id = live.app.id.clone();
    let owned = name.to_string();
    attributes(
        &mut out.changes,
        Profile::App,
        Some(&app_id),
        &app.attributes,
        &live.schema,
        manage.attributes,
        |attribute| Subject::AppAttribute {
            app: owned.clone(),
            name: attribute,
        },
    );
    let mut errors = Vec::new();
    for (direction, desired, mapping) in [
        (Direction::ToApp, &app.mappings.to_app, live.to_app.as_ref()),
        (
            Direction::ToOkta,
            &app.mappings.to_okta,
            live.to_okta.as_ref(),
        ),
    ] {
        if desired.is_empty() && manage.mappings == Ownership::Additive {
            continue;
        }
        match mapping {
            Some(mapping) => mappings(
                &mut out.changes,
                name,
                direction,
                desired,
                mapping,
                manage.mappings,
            ),
            None if desired.is_empty() => {}
            None => errors.push(DiffError::NoMapping {
                app: name.into(),
                direction: match direction {
                    Direction::ToApp => "Okta User → app",
                    Direction::ToOkta => "app → Okta User",
                },
            }),
        }
    }
    provisioning(out, name, app, live);
    if let Err(mut e) = assignments(&mut out.changes, name, app, live, &manage) {
        errors.append(&mut e);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn attributes(
    changes: &mut Vec<Change>,
    profile: Profile,
    app_id: Option<&AppId>,
    desired: &IndexMap<Loc<String>, Attribute>,
    live: &Schema,
    ownership: Ownership,
    subject: impl Fn(String) -> Subject,
) {
    let live_custom: IndexMap<&String, _> = live.custom().collect();
    for (name, attribute) in desired {
        let want = Shape::from_config(attribute);
        let property = want.to_okta(profile);
        let name = name.value.clone();
        let app_id = app_id.cloned();
        let op = match live_custom.get(&name).and_then(|p| Shape::from_okta(p)) {
            None if live_custom.contains_key(&name) => Op::ReplaceAttribute {
                profile,
                app_id,
                name: name.clone(),
                property,
                fields: vec![FieldChange {
                    field: "type".into(),
                    before: "(unsupported)".into(),
                    after: want.kind.label().into(),
                }],
            },
            None => Op::CreateAttribute {
                profile,
                app_id,
                name: name.clone(),
                property,
            },
            Some(have) => match want.compare(&have, profile) {
                None => continue,
                Some(Difference::Reorder) => Op::ReorderEnum {
                    profile,
                    app_id,
                    name: name.clone(),
                    property,
                },
                Some(Difference::Update { fields }) => Op::UpdateAttribute {
                    profile,
                    app_id,
                    name: name.clone(),
                    property,
                    fields,
                },
                Some(Difference::Replace { fields }) => Op::ReplaceAttribute {
                    profile,
                    app_id,
                    name: name.clone(),
                    property,
                    fields,
                },
            },
        };
        let risk = if matches!(op, Op::ReplaceAttribute { .. }) {
            Risk::DataLoss
        } else {
            Risk::Safe
        };
        changes.push(Change::new(subject(name), op, risk));
    }
    if ownership == Ownership::Exclusive {
        for name in live_custom.keys() {
            if !desired.contains_key(name.as_str()) {
                changes.push(Change::new(
                    subject((*name).clone()),
                    Op::DeleteAttribute {
                        profile,
                        app_id: app_id.cloned(),
                        name: (*name).clone(),
                    },
                    Risk::DataLoss,
                ));
            }
        }
    }
}

fn push_status(apply_on: ApplyOn) -> &'static str {
    match apply_on {
        ApplyOn::CreateAndUpdate => "PUSH",
        ApplyOn::CreateOnly => "DONT_PUSH",
    }
}

/// Properties Okta will not let a mapping lose.
fn unremovable(direction: Direction, property: &str) -> bool {
    matches!(
        (direction, property),
        (Direction::ToOkta, "login") | (Direction::ToApp, "userName")
    )
}

fn mappings(
    changes: &mut Vec<Change>,
    app: &str,
    direction: Direction,
    desired: &IndexMap<Loc<String>, Loc<Mapping>>,
    live: &ProfileMapping,
    ownership: Ownership,
) {
    let empty = IndexMap::new();
    let properties = live.properties.as_ref().unwrap_or(&empty);
    let subject = |property: &str| Subject::Mapping {
        app: app.into(),
        direction,
        property: property.into(),
    };
    for (target, mapping) in desired {
        let want_push = mapping.value.apply_on.map(push_status);
        let current = properties.get(target.as_str());
        let same = current.is_some_and(|c| {
            same_expression(&c.expression, &mapping.value.expression)
                && want_push.is_none_or(|p| c.push_status.as_deref() == Some(p))
        });
        if same {
            continue;
        }
        changes.push(Change::new(
            subject(target),
            Op::SetMapping {
                mapping_id: live.id.clone(),
                property: target.value.clone(),
                expression: mapping.value.expression.clone(),
                push_status: want_push
                    .map(str::to_string)
                    .or_else(|| current.and_then(|c| c.push_status.clone())),
                before: current.map(|c| (c.expression.clone(), c.push_status.clone())),
            },
            Risk::Safe,
        ));
    }
    if ownership == Ownership::Exclusive {
        for (property, current) in properties {
            if !desired.contains_key(property.as_str()) && !unremovable(direction, property) {
                changes.push(Change::new(
                    subject(property),
                    Op::RemoveMapping {
                        mapping_id: live.id.clone(),
                        property: property.clone(),
                        before: current.expression.clone(),
                    },
                    Risk::Safe,
                ));
            }
        }
    }
}

/// Expressions compare without insignificant white space.
fn same_expression(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// The To App toggles oktaform manages: config key, console label, `features`-array name,
/// capability pointer in `USER_PROVISIONING`.
const TOGGLES: &[(&str, &str, &str, &str)] = &[
    (
        "create_users",
        "Create Users",
        "PUSH_NEW_USERS",
        "/create/lifecycleCreate/status",
    ),
    (
        "update_user_attributes",
        "Update User Attributes",
        "PUSH_PROFILE_UPDATES",
        "/update/profile/status",
    ),
    (
        "deactivate_users",
        "Deactivate Users",
        "PUSH_USER_DEACTIVATION",
        "/update/lifecycleDeactivate/status",
    ),
    (
        "sync_password",
        "Sync Password",
        "PUSH_PASSWORD_UPDATES",
        "/update/password/status",
    ),
];

/// `a`, `a and b`, `a, b and c`.
fn words(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn enabled(on: bool) -> &'static str {
    if on { "ENABLED" } else { "DISABLED" }
}

fn on_off(on: bool) -> String {
    if on { "on".into() } else { "off".into() }
}

fn provisioning(out: &mut Changes, name: &str, app: &App, live: &LiveApp) {
    let Some(provisioning) = &app.provisioning else {
        return;
    };
    let label = &live.app.label;
    let has_feature = |f: &str| {
        live.app
            .features
            .as_ref()
            .is_some_and(|fs| fs.iter().any(|x| x == f))
    };
    if let Some(to_app) = &provisioning.to_app {
        let t = &to_app.value;
        let desired: Vec<(usize, bool)> = [
            t.create_users.as_ref().map(|l| l.value),
            t.update_user_attributes.as_ref().map(|l| l.value),
            t.deactivate_users.as_ref().map(|l| l.value),
            t.sync_password.as_ref().map(|s| s.value.enabled.value),
        ]
        .into_iter()
        .enumerate()
        .filter_map(|(i, want)| want.map(|w| (i, w)))
        .collect();
        match live.features.get("USER_PROVISIONING") {
            Some(feature) => {
                let mut capabilities = feature.capabilities.clone().unwrap_or_else(|| json!({}));
                let mut fields = Vec::new();
                for (i, want) in &desired {
                    let (_, console, _, pointer) = TOGGLES[*i];
                    let have =
                        feature.capability(pointer).and_then(Value::as_str) == Some("ENABLED");
                    if have != *want {
                        fields.push(FieldChange {
                            field: console.into(),
                            before: on_off(have),
                            after: on_off(*want),
                        });
                        set_pointer(&mut capabilities, pointer, json!(enabled(*want)));
                    }
                }
                if let Some(sync) = &t.sync_password {
                    password_details(
                        &mut capabilities,
                        &mut fields,
                        feature.capability("/update/password"),
                        &sync.value,
                    );
                }
                if !fields.is_empty() {
                    out.changes.push(Change::new(
                        Subject::ToApp { app: name.into() },
                        Op::PutFeature {
                            app_id: live.app.id.clone(),
                            feature: "USER_PROVISIONING".into(),
                            capabilities,
                            fields,
                        },
                        Risk::Safe,
                    ));
                }
            }
            None => {
                let mut fields = Vec::new();
                let (mut enable, mut disable) = (Vec::new(), Vec::new());
                for (i, want) in &desired {
                    let (_, console, feature, _) = TOGGLES[*i];
                    let have = has_feature(feature);
                    if have != *want {
                        fields.push(FieldChange {
                            field: console.into(),
                            before: on_off(have),
                            after: on_off(*want),
                        });
                        if *want {
                            enable.push(console)
                        } else {
                            disable.push(console)
                        }
                    }
                }
                let mut actions = Vec::new();
                if !enable.is_empty() {
                    actions.push(format!("enable {}", words(&enable)));
                }
                if !disable.is_empty() {
                    actions.push(format!("disable {}", words(&disable)));
                }
                let steps: Vec<String> = if actions.is_empty() {
                    Vec::new()
                } else {
                    vec![format!(
                        "Applications → {label} → Provisioning → To App → Edit → {}, then Save",
                        actions.join("; ")
                    )]
                };
                if let Some(sync) = &t.sync_password
                    && (sync.value.seed.is_some() || sync.value.change.is_some())
                {
                    out.notes.push(Note {
                        app: name.into(),
                        text: "Sync Password's password choice and password cycle cannot be read for this app; check them once in the Admin Console".into(),
                    });
                }
                if !fields.is_empty() {
                    out.changes.push(Change::new(
                        Subject::ToApp { app: name.into() },
                        Op::Manual { steps, fields },
                        Risk::Manual,
                    ));
                }
            }
        }
    }
    if let Some(scim) = &provisioning.scim {
        let s = &scim.value;
        if matches!(live.features, Features::NotSupported) {
            if !has_feature("SCIM_PROVISIONING") {
                out.changes.push(Change::new(
                    Subject::Scim { app: name.into() },
                    Op::Manual {
                        steps: vec![format!(
                            "Applications → {label} → General → App Settings → Edit → Provisioning: SCIM, then Save"
                        )],
                        fields: vec![FieldChange { field: "SCIM provisioning".into(), before: "off".into(), after: "on".into() }],
                    },
                    Risk::Manual,
                ));
            }
            let actions: Vec<&str> = s.actions.iter().map(|a| a.value.console_label()).collect();
            let groups_pushed = s.actions.iter().any(|a| a.value == ScimAction::PushGroups);
            if groups_pushed != has_feature("GROUP_PUSH") && has_feature("SCIM_PROVISIONING") {
                out.changes.push(Change::new(
                    Subject::Scim { app: name.into() },
                    Op::Manual {
                        steps: vec![format!(
                            "Applications → {label} → Provisioning → Integration → Edit → {} Push Groups, then Save",
                            if groups_pushed { "tick" } else { "untick" }
                        )],
                        fields: vec![FieldChange { field: "Push Groups".into(), before: on_off(!groups_pushed), after: on_off(groups_pushed) }],
                    },
                    Risk::Manual,
                ));
            }
            out.notes.push(Note {
                app: name.into(),
                text: format!(
                    "the SCIM connection of a custom app cannot be read through Okta's API; check once in Applications → {label} → Provisioning → Integration: SCIM connector base URL {}, unique identifier field {}, supported actions {}, authentication mode {}",
                    describe_text(&s.base_url.value),
                    s.unique_identifier.value,
                    if actions.is_empty() { "none".to_string() } else { actions.join(", ") },
                    match s.auth.value.mode.value {
                        crate::config::model::AuthMode::Header => "HTTP Header",
                        crate::config::model::AuthMode::Basic => "Basic Auth",
                        crate::config::model::AuthMode::Oauth => "OAuth 2",
                    }
                ),
            });
        } else {
            connection(out, name, live, s);
        }
    }
    if provisioning.to_okta.is_some() && live.features.get("INBOUND_PROVISIONING").is_none() {
        out.notes.push(Note {
            app: name.into(),
            text: format!("To Okta import settings of this app cannot be read through Okta's API; check them once in Applications → {label} → Provisioning → To Okta"),
        });
    }
}

/// The provisioning connection of an allow-listed app: base URL and status are read and
/// written through the API; the token is write-only, so it is sent whenever the connection is
/// written and otherwise only noted.
fn connection(out: &mut Changes, name: &str, live: &LiveApp, scim: &crate::config::model::Scim) {
    use crate::config::interpolate::{Secret, Text};
    let label = &live.app.label;
    let token = match (
        &scim.auth.value.mode.value,
        scim.auth.value.token.as_ref().map(|t| &t.value),
    ) {
        (crate::config::model::AuthMode::Header, Some(Secret::Ref(reference))) => {
            reference.to_string()
        }
        _ => {
            out.changes.push(Change::new(
                Subject::Scim { app: name.into() },
                Op::Manual {
                    steps: vec![format!(
                        "Applications → {label} → Provisioning → Integration → Edit → set the authentication as the config says, then Save"
                    )],
                    fields: vec![FieldChange { field: "authentication".into(), before: "(unknown)".into(), after: "basic or OAuth".into() }],
                },
                Risk::Manual,
            ));
            return;
        }
    };
    let base_url = match &scim.base_url.value {
        Text::Literal(url) => url.clone(),
        // Resolved now: the plan must compare it (a missing variable is an error naming it).
        Text::Ref(reference) => match reference.resolve(std::path::Path::new(".")) {
            Ok(url) => url,
            Err(e) => {
                out.notes.push(Note {
                    app: name.into(),
                    text: format!("the SCIM base URL cannot be compared: {e}"),
                });
                return;
            }
        },
    };
    let current = live.connection.as_ref();
    let have_url = current.and_then(|c| c.base_url.clone()).unwrap_or_default();
    let have_status = current.map(|c| c.status.clone()).unwrap_or_default();
    let mut fields = Vec::new();
    if have_url != base_url {
        fields.push(FieldChange {
            field: "base URL".into(),
            before: if have_url.is_empty() {
                "(none)".into()
            } else {
                have_url
            },
            after: base_url.clone(),
        });
    }
    if have_status != "ENABLED" {
        fields.push(FieldChange {
            field: "status".into(),
            before: have_status,
            after: "ENABLED".into(),
        });
    }
    if fields.is_empty() {
        out.notes.push(Note {
            app: name.into(),
            text: format!("the provisioning token cannot be read back; oktaform sends it from {token} whenever it writes the connection"),
        });
        return;
    }
    fields.push(FieldChange {
        field: "token".into(),
        before: "(write-only)".into(),
        after: format!("from {token}"),
    });
    out.changes.push(Change::new(
        Subject::Scim { app: name.into() },
        Op::SetConnection {
            app_id: live.app.id.clone(),
            base_url,
            token,
            fields,
        },
        Risk::Safe,
    ));
}

fn describe_text(text: &crate::config::interpolate::Text) -> String {
    match text {
        crate::config::interpolate::Text::Literal(s) => s.clone(),
        crate::config::interpolate::Text::Ref(r) => r.to_string(),
    }
}

fn password_details(
    capabilities: &mut Value,
    fields: &mut Vec<FieldChange>,
    live: Option<&Value>,
    sync: &crate::config::model::SyncPassword,
) {
    let current = |key: &str| {
        live.and_then(|p| p.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    if let Some(seed) = &sync.seed {
        let want = match seed.value {
            PasswordSeed::OktaPassword => "OKTA",
            PasswordSeed::Random => "RANDOM",
        };
        if current("seed") != want {
            fields.push(FieldChange {
                field: "Sync Password: password".into(),
                before: current("seed"),
                after: want.into(),
            });
            set_pointer(capabilities, "/update/password/seed", json!(want));
        }
    }
    if let Some(change) = &sync.change {
        let want = match change.value {
            PasswordChange::Push => "CHANGE",
            PasswordChange::KeepExisting => "KEEP_EXISTING",
        };
        if current("change") != want {
            fields.push(FieldChange {
                field: "Sync Password: password cycle".into(),
                before: current("change"),
                after: want.into(),
            });
            set_pointer(capabilities, "/update/password/change", json!(want));
        }
    }
}

/// Sets `value` at a JSON pointer, creating objects on the way.
fn set_pointer(root: &mut Value, pointer: &str, value: Value) {
    let mut node = root;
    let keys: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, key) in keys.iter().enumerate() {
        if !node.is_object() {
            *node = json!({});
        }
        let Some(map) = node.as_object_mut() else {
            return;
        };
        if i == keys.len() - 1 {
            map.insert((*key).to_string(), value);
            return;
        }
        node = map.entry((*key).to_string()).or_insert_with(|| json!({}));
    }
}

/// Deactivate Users is (or will be) on: unassigning deactivates app accounts.
fn deactivates(app: &App, live: &LiveApp) -> bool {
    let desired = app
        .provisioning
        .as_ref()
        .and_then(|p| p.to_app.as_ref())
        .and_then(|t| t.value.deactivate_users.as_ref())
        .map(|d| d.value);
    desired.unwrap_or_else(|| match live.features.get("USER_PROVISIONING") {
        Some(f) => {
            f.capability("/update/lifecycleDeactivate/status")
                .and_then(Value::as_str)
                == Some("ENABLED")
        }
        None => live
            .app
            .features
            .as_ref()
            .is_some_and(|fs| fs.iter().any(|f| f == "PUSH_USER_DEACTIVATION")),
    })
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

/// The declared keys whose live value differs, and the live profile with them applied.
fn profile_update(
    live: &Map<String, Value>,
    want: &Map<String, Value>,
) -> (Vec<FieldChange>, Map<String, Value>) {
    let mut merged = live.clone();
    let mut fields = Vec::new();
    for (key, value) in want {
        let before = live.get(key).cloned().unwrap_or(Value::Null);
        if &before != value {
            fields.push(FieldChange {
                field: key.clone(),
                before: value_text(&before),
                after: value_text(value),
            });
            merged.insert(key.clone(), value.clone());
        }
    }
    (fields, merged)
}

fn assignments(
    changes: &mut Vec<Change>,
    name: &str,
    app: &App,
    live: &LiveApp,
    manage: &crate::config::model::AppManage,
) -> Result<(), Vec<DiffError>> {
    let Some(assignments) = &app.assignments else {
        return Ok(());
    };
    let mut errors = Vec::new();
    let app_id = &live.app.id;
    let unassign_risk = if deactivates(app, live) {
        Risk::Deprovisions
    } else {
        Risk::Safe
    };
    let live_users = live.users.as_deref().unwrap_or_default();
    for (login, profile) in &assignments.value.users {
        let want = profile.as_ref().map(to_map).unwrap_or_default();
        let subject = Subject::UserAssignment {
            app: name.into(),
            login: login.value.clone(),
        };
        match live_users
            .iter()
            .find(|u| u.login.eq_ignore_ascii_case(login))
        {
            Some(user) if user.assignment.scope.as_deref() != Some("GROUP") => {
                let (fields, merged) = profile_update(&user.assignment.profile, &want);
                if !fields.is_empty() {
                    changes.push(Change::new(
                        subject,
                        Op::UpdateUser {
                            app_id: app_id.clone(),
                            user_id: user.assignment.id.clone(),
                            profile: merged,
                            fields,
                        },
                        Risk::Safe,
                    ));
                }
            }
            found => {
                let Some(user_id) = found.map(|u| u.assignment.id.clone()).or_else(|| {
                    live.directory
                        .users
                        .get(&login.value.to_lowercase())
                        .cloned()
                }) else {
                    errors.push(DiffError::NoSuchUser {
                        app: name.into(),
                        login: login.value.clone(),
                    });
                    continue;
                };
                changes.push(Change::new(
                    subject,
                    Op::AssignUser {
                        app_id: app_id.clone(),
                        user_id,
                        profile: want,
                    },
                    Risk::Safe,
                ));
            }
        }
    }
    if manage.users == Ownership::Exclusive {
        for user in live_users {
            let declared = assignments
                .value
                .users
                .keys()
                .any(|l| l.eq_ignore_ascii_case(&user.login));
            if !declared && user.assignment.scope.as_deref() != Some("GROUP") {
                changes.push(Change::new(
                    Subject::UserAssignment {
                        app: name.into(),
                        login: user.login.clone(),
                    },
                    Op::UnassignUser {
                        app_id: app_id.clone(),
                        user_id: user.assignment.id.clone(),
                    },
                    unassign_risk,
                ));
            }
        }
    }
    let live_groups = live.groups.as_deref().unwrap_or_default();
    // Resolve every declared group first: priorities interact, so they are planned together.
    let mut declared = Vec::new();
    for (group, assignment) in &assignments.value.groups {
        let ids = live
            .directory
            .groups
            .get(&group.value)
            .cloned()
            .unwrap_or_default();
        let group_id = match ids.as_slice() {
            [one] => one.clone(),
            [] => match live_groups.iter().find(|g| g.name == group.value) {
                Some(g) => g.assignment.id.clone(),
                None => {
                    errors.push(DiffError::NoSuchGroup {
                        app: name.into(),
                        group: group.value.clone(),
                    });
                    continue;
                }
            },
            many => {
                errors.push(DiffError::AmbiguousGroup {
                    app: name.into(),
                    group: group.value.clone(),
                    count: many.len(),
                });
                continue;
            }
        };
        let current = live_groups.iter().find(|g| g.assignment.id == group_id);
        declared.push((group, assignment, group_id, current));
    }
    // Okta stores priorities as given, gaps included (recorded in
    // TestAccResourceOktaAppGroupAssignment_crud__oie-00.yaml).
    let effective = |p: Option<u32>| p;
    // A move shifts the others: when any priority changes, every declared priority is set again,
    // in ascending order, so each lands where the config puts it.
    let moves = declared.iter().any(|(_, a, _, current)| {
        let want = effective(a.priority.as_ref().map(|p| p.value));
        want.is_some() && current.is_none_or(|c| c.assignment.priority != want.map(i64::from))
    });
    declared.sort_by_key(|(_, a, _, _)| a.priority.as_ref().map_or(u32::MAX, |p| p.value));
    for (group, assignment, group_id, current) in declared {
        let want = to_map(&assignment.profile);
        let priority = effective(assignment.priority.as_ref().map(|p| p.value));
        let subject = Subject::GroupAssignment {
            app: name.into(),
            group: group.value.clone(),
        };
        match current {
            Some(current) => {
                let (mut fields, merged) = profile_update(&current.assignment.profile, &want);
                let moved =
                    priority.is_some_and(|p| current.assignment.priority != Some(i64::from(p)));
                if let Some(p) = priority.filter(|_| moved) {
                    fields.push(FieldChange {
                        field: "priority".into(),
                        before: current
                            .assignment
                            .priority
                            .map_or("(none)".into(), |p| p.to_string()),
                        after: p.to_string(),
                    });
                }
                if let (Some(p), false, true) = (priority, moved, moves) {
                    fields.push(FieldChange {
                        field: "priority".into(),
                        before: p.to_string(),
                        after: format!("{p} (set again: another group moves)"),
                    });
                }
                if !fields.is_empty() {
                    changes.push(Change::new(
                        subject,
                        Op::PutGroup {
                            app_id: app_id.clone(),
                            group_id,
                            priority,
                            profile: merged,
                            fields,
                            assigned: true,
                        },
                        Risk::Safe,
                    ));
                }
            }
            None => changes.push(Change::new(
                subject,
                Op::PutGroup {
                    app_id: app_id.clone(),
                    group_id,
                    priority,
                    profile: want,
                    fields: Vec::new(),
                    assigned: false,
                },
                Risk::Safe,
            )),
        }
    }
    if manage.groups == Ownership::Exclusive {
        for group in live_groups {
            if !assignments.value.groups.contains_key(group.name.as_str()) {
                changes.push(Change::new(
                    Subject::GroupAssignment {
                        app: name.into(),
                        group: group.name.clone(),
                    },
                    Op::UnassignGroup {
                        app_id: app_id.clone(),
                        group_id: group.assignment.id.clone(),
                    },
                    unassign_risk,
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::live::LiveUser;
    use crate::plan::testing::*;
    use crate::plan::{Action, Risk};
    use serde_json::from_value;

    #[test]
    fn a_fresh_org_gets_everything_the_luciq_guide_clicks() {
        let plan = diff(
            &config(LUCIQ),
            &org(
                json!({}),
                live_app(vec!["SCIM_PROVISIONING"], json!({}), json!({})),
            ),
        )
        .unwrap();
        let summary: Vec<(String, Action, Risk)> = plan
            .changes
            .iter()
            .map(|c| {
                (
                    serde_json::to_value(&c.subject).unwrap().to_string(),
                    c.action,
                    c.risk,
                )
            })
            .collect();
        let count = |a: Action| summary.iter().filter(|s| s.1 == a).count();
        assert_eq!(count(Action::Create), 2 + 2 + 2 + 2 + 1, "{summary:#?}");
        assert_eq!(
            count(Action::Manual),
            1,
            "the To App toggles of a custom app: {summary:#?}"
        );
        let manual = plan
            .changes
            .iter()
            .find(|c| c.action == Action::Manual)
            .unwrap();
        let Op::Manual { steps, .. } = &manual.op else {
            panic!()
        };
        assert_eq!(
            steps,
            &[
                "Applications → Luciq → Provisioning → To App → Edit → enable Create Users, Update User Attributes and Deactivate Users, then Save"
            ]
        );
        // Okta user schema first, assignments last.
        assert!(matches!(
            plan.changes[0].subject,
            Subject::OktaUserAttribute { .. }
        ));
        assert!(matches!(
            plan.changes.last().unwrap().subject,
            Subject::UserAssignment { .. } | Subject::GroupAssignment { .. }
        ));
        assert!(
            plan.notes
                .iter()
                .any(|n| n.text.contains("https://api.luciq.ai/scim/v2"))
        );
    }

    #[test]
    fn a_converged_org_plans_nothing() {
        let plan = diff(&config(LUCIQ), &org(okta_attributes(), converged_app())).unwrap();
        assert_eq!(plan.changes, vec![], "{:#?}", plan.changes);
    }

    #[test]
    fn exclusive_ownership_proposes_removals_with_their_risk() {
        let text = LUCIQ.replace("    find: { label: Luciq }", "    find: { label: Luciq }\n    manage: { attributes: exclusive, users: exclusive, mappings: exclusive }");
        let mut app = converged_app();
        app.schema = from_value(json!({"definitions": {"custom": {"properties": {
            "legacyRole": {"title": "Legacy", "type": "string"}
        }}}}))
        .unwrap();
        app.schema
            .definitions
            .custom
            .as_mut()
            .unwrap()
            .properties
            .extend(
                from_value::<IndexMap<String, crate::okta::types::SchemaProperty>>(
                    luciq_attributes(),
                )
                .unwrap(),
            );
        app.users.as_mut().unwrap().push(LiveUser {
            login: "carol@example.com".into(),
            assignment: from_value(json!({"id": "00uCAROL", "scope": "USER", "profile": {}}))
                .unwrap(),
        });
        app.users.as_mut().unwrap().push(LiveUser {
            login: "dave@example.com".into(),
            assignment: from_value(json!({"id": "00uDAVE", "scope": "GROUP", "profile": {}}))
                .unwrap(),
        });
        app.to_app
            .as_mut()
            .unwrap()
            .properties
            .as_mut()
            .unwrap()
            .insert(
                "userName".into(),
                from_value(json!({"expression": "user.login"})).unwrap(),
            );
        let plan = diff(&config(&text), &org(okta_attributes(), app)).unwrap();
        let risks: Vec<(Action, Risk)> = plan.changes.iter().map(|c| (c.action, c.risk)).collect();
        assert_eq!(
            risks,
            vec![
                (Action::Delete, Risk::DataLoss),
                (Action::Delete, Risk::Deprovisions)
            ],
            "{:#?}",
            plan.changes
        );
    }

    #[test]
    fn drift_in_a_profile_value_and_a_toggle_is_reported_precisely() {
        let mut app = converged_app();
        app.users.as_mut().unwrap()[1]
            .assignment
            .profile
            .insert("instabugRole".into(), json!("viewer"));
        app.users.as_mut().unwrap()[1]
            .assignment
            .profile
            .insert("department".into(), json!("R&D"));
        app.app
            .features
            .as_mut()
            .unwrap()
            .retain(|f| f != "PUSH_PROFILE_UPDATES");
        let plan = diff(&config(LUCIQ), &org(okta_attributes(), app)).unwrap();
        assert_eq!(plan.changes.len(), 2, "{:#?}", plan.changes);
        let Op::Manual { steps, fields } = &plan.changes[0].op else {
            panic!("{:#?}", plan.changes)
        };
        assert_eq!(
            steps,
            &[
                "Applications → Luciq → Provisioning → To App → Edit → enable Update User Attributes, then Save"
            ]
        );
        assert_eq!(fields[0].before, "off");
        let Op::UpdateUser {
            profile, fields, ..
        } = &plan.changes[1].op
        else {
            panic!()
        };
        assert_eq!(profile["instabugRole"], "member");
        assert_eq!(
            profile["department"], "R&D",
            "attributes the config does not set are kept"
        );
        assert_eq!(fields.len(), 1);
    }

    #[test]
    fn unknown_logins_and_groups_are_errors_naming_them() {
        let text = LUCIQ
            .replace("bob@example.com", "bobby@example.com")
            .replace("Engineering:", "Engineers:");
        let errors = diff(
            &config(&text),
            &org(json!({}), live_app(vec![], json!({}), json!({}))),
        )
        .unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|e| e.contains("`bobby@example.com`")),
            "{text:?}"
        );
        assert!(text.iter().any(|e| e.contains("`Engineers`")), "{text:?}");
    }

    #[test]
    fn allow_listed_apps_get_a_feature_put_that_keeps_other_settings() {
        let text = "apps:\n  partner:\n    find: { name: okta_org2org }\n    provisioning:\n      to_app: { create_users: true, deactivate_users: false }\n";
        let mut app = live_app(vec![], json!({}), json!({}));
        app.features = Features::Api { features: vec![from_value(json!({
            "name": "USER_PROVISIONING", "status": "ENABLED",
            "capabilities": {"create": {"lifecycleCreate": {"status": "DISABLED"}},
                "update": {"profile": {"status": "ENABLED"}, "lifecycleDeactivate": {"status": "ENABLED"},
                           "password": {"status": "DISABLED", "seed": "RANDOM", "change": "KEEP_EXISTING"}}}
        })).unwrap()] };
        let live = LiveOrg {
            user_schema: None,
            apps: [("partner".to_string(), app)].into_iter().collect(),
        };
        let plan = diff(&config(text), &live).unwrap();
        assert_eq!(plan.changes.len(), 1);
        let Op::PutFeature {
            capabilities,
            fields,
            ..
        } = &plan.changes[0].op
        else {
            panic!()
        };
        assert_eq!(
            capabilities["create"]["lifecycleCreate"]["status"],
            "ENABLED"
        );
        assert_eq!(
            capabilities["update"]["lifecycleDeactivate"]["status"],
            "DISABLED"
        );
        assert_eq!(
            capabilities["update"]["profile"]["status"], "ENABLED",
            "unmanaged toggle kept"
        );
        assert_eq!(capabilities["update"]["password"]["seed"], "RANDOM");
        assert_eq!(fields.len(), 2);
    }
}
