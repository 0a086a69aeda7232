//! Provisioning: the To App toggles (written through the Features API for allow-listed apps,
//! Admin Console steps for the others), Sync Password's details, the SCIM connection (written
//! for allow-listed apps; for custom apps only checked by what the `features` array shows, and
//! noted), and the To Okta settings.

use serde_json::{Value, json};

use super::Changes;
use crate::config::interpolate::{Secret, Text};
use crate::config::model::{
    App, AuthMode, PasswordChange, PasswordSeed, Provisioning, Scim, ScimAction, SyncPassword,
    ToApp, ToOkta,
};
use crate::facts::console::{self, ScimSettings};
use crate::facts::provisioning::{
    self as okta_provisioning, GROUP_PUSH, INBOUND_PROVISIONING, PASSWORD_CAPABILITY,
    PASSWORD_CHANGE_POINTER, PASSWORD_SEED_POINTER, SCIM_PROVISIONING, TOKEN_CONNECTION_APPS,
    ToAppToggle, USER_PROVISIONING,
};
use crate::okta::types::AppFeature;
use crate::okta::{Features, LiveApp};
use crate::plan::attribute::FieldChange;
use crate::plan::change::{Change, Note, Op, Risk, Subject};

pub(super) fn app(out: &mut Changes, name: &str, app: &App, live: &LiveApp) {
    let Some(provisioning) = &app.provisioning else {
        return;
    };
    if live.features == Features::NotEnabled {
        return not_enabled(out, name, provisioning, live);
    }
    if let Some(to_app) = &provisioning.to_app {
        match live.features.get(USER_PROVISIONING) {
            Some(feature) => to_app_api(out, name, &to_app.value, live, feature),
            None => to_app_manual(out, name, &to_app.value, live),
        }
    }
    if let Some(scim) = &provisioning.scim {
        match live.features {
            Features::NotSupported => scim_custom(out, name, &scim.value, live),
            Features::Api { .. } | Features::NotEnabled => connection(out, name, live, &scim.value),
        }
    }
    if let Some(to_app) = &provisioning.to_app {
        provision_users(out, name, app, &to_app.value, live);
    }
    if let (Some(to_okta), Some(feature)) = (
        &provisioning.to_okta,
        live.features.get(INBOUND_PROVISIONING),
    ) {
        to_okta_api(out, name, &to_okta.value, live, feature);
    }
    if provisioning.to_okta.is_some() && live.features.get(INBOUND_PROVISIONING).is_none() {
        out.notes.push(Note {
            app: name.into(),
            text: console::check_to_okta(&live.app.label),
        });
    }
}

/// An allow-listed app whose connection is not enabled yet (finding B2): its features cannot
/// be read until it is. The connection is written and activated first (same stage, listed
/// first, so applied first); then the toggles the config sets are PUT on a capabilities
/// object holding only them. Without a connection the API can write, both are console steps.
fn not_enabled(out: &mut Changes, name: &str, provisioning: &Provisioning, live: &LiveApp) {
    let label = &live.app.label;
    let token_app = TOKEN_CONNECTION_APPS.contains(&live.app.name.as_str());
    let connected = match &provisioning.scim {
        Some(scim) if token_app => {
            let before = out.changes.len();
            connection(out, name, live, &scim.value);
            out.changes[before..]
                .iter()
                .any(|c| matches!(c.op, Op::SetConnection { .. }))
        }
        _ => false,
    };
    if !connected {
        out.changes.push(Change::new(
            Subject::Scim { app: name.into() },
            Op::Manual {
                steps: vec![console::enable_api_integration(label)],
                fields: vec![FieldChange {
                    field: "API integration".into(),
                    before: "not enabled".into(),
                    after: "enabled".into(),
                }],
            },
            Risk::Manual,
        ));
    }
    let unknown = "(unreadable until the connection is enabled)";
    if let Some(to_okta) = provisioning.to_okta.as_ref().filter(|_| connected) {
        let empty = AppFeature {
            name: INBOUND_PROVISIONING.into(),
            status: None,
            capabilities: None,
            extra: Default::default(),
        };
        let before = out.changes.len();
        to_okta_api(out, name, &to_okta.value, live, &empty);
        for change in &mut out.changes[before..] {
            if let Op::PutFeature { fields, .. } = &mut change.op {
                fields.iter_mut().for_each(|f| f.before = unknown.into());
            }
        }
    }
    let Some(to_app) = &provisioning.to_app else {
        return;
    };
    let toggles = to_app.value.toggles();
    let fields: Vec<FieldChange> = toggles
        .iter()
        .map(|(t, want)| FieldChange {
            field: t.console_label().into(),
            before: unknown.into(),
            after: on_off(want.value),
        })
        .collect();
    if !connected {
        let (enable, disable): (Vec<_>, Vec<_>) = toggles.iter().partition(|(_, w)| w.value);
        let step = console::to_app_edit(
            label,
            &enable.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
            &disable.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
        );
        out.changes.push(Change::new(
            Subject::ToApp { app: name.into() },
            Op::Manual {
                steps: vec![step],
                fields,
            },
            Risk::Manual,
        ));
        return;
    }
    let mut capabilities = json!({});
    for (toggle, want) in &toggles {
        AppFeature::set_capability(
            &mut capabilities,
            toggle.capability_pointer(),
            json!(okta_provisioning::status(want.value)),
        );
    }
    let mut fields = fields;
    if let Some(sync) = &to_app.value.sync_password {
        let mut details = Vec::new();
        password_details(&mut capabilities, &mut details, None, &sync.value);
        fields.extend(details.into_iter().map(|f| FieldChange {
            before: unknown.into(),
            ..f
        }));
    }
    out.changes
        .push(put_to_app(name, live, capabilities, fields));
}

/// The To Okta import settings of an app the Features API allows it for (finding B3): one PUT
/// of `INBOUND_PROVISIONING`'s capabilities with the settings the config sets changed.
fn to_okta_api(
    out: &mut Changes,
    name: &str,
    to_okta: &ToOkta,
    live: &LiveApp,
    feature: &AppFeature,
) {
    let mut capabilities = feature.capabilities.clone().unwrap_or_else(|| json!({}));
    let mut fields = Vec::new();
    for (setting, want) in to_okta.settings() {
        let have = feature.capability(setting.capability_pointer());
        if have != Some(&want) {
            fields.push(FieldChange {
                field: setting.console_label().into(),
                before: have.map_or("(none)".into(), value_text),
                after: value_text(&want),
            });
            AppFeature::set_capability(&mut capabilities, setting.capability_pointer(), want);
        }
    }
    if fields.is_empty() {
        return;
    }
    out.changes.push(Change::new(
        Subject::ToOkta { app: name.into() },
        Op::PutFeature {
            app_id: live.app.id.clone(),
            feature: INBOUND_PROVISIONING.into(),
            capabilities,
            fields,
        },
        Risk::Safe,
    ));
}

fn value_text(value: &Value) -> String {
    match value {
        Value::Bool(true) => "on".into(),
        Value::Bool(false) => "off".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The Features-API write of the To App toggles.
fn put_to_app(name: &str, live: &LiveApp, capabilities: Value, fields: Vec<FieldChange>) -> Change {
    Change::new(
        Subject::ToApp { app: name.into() },
        Op::PutFeature {
            app_id: live.app.id.clone(),
            feature: USER_PROVISIONING.into(),
            capabilities,
            fields,
        },
        Risk::Safe,
    )
}

/// Users assigned while Create Users is off stay `STAGED`: turning it on does not create their
/// accounts. A console step when it is about to be turned on over assignments, or is on while
/// assigned users are still staged.
fn provision_users(out: &mut Changes, name: &str, app: &App, to_app: &ToApp, live: &LiveApp) {
    let on_now = live.toggle_on(ToAppToggle::CreateUsers);
    let turns_on = !on_now && to_app.create_users.as_ref().is_some_and(|c| c.value);
    let staged = live
        .users
        .iter()
        .flatten()
        .filter(|u| u.assignment.status.as_deref() == Some("STAGED"))
        .count();
    let assigns = app.assignments.is_some() || staged > 0;
    if !((turns_on && assigns) || (on_now && staged > 0)) {
        return;
    }
    out.changes.push(Change::new(
        Subject::ToApp { app: name.into() },
        Op::Manual {
            steps: vec![console::provision_users(&live.app.label)],
            fields: vec![FieldChange {
                field: "staged users".into(),
                before: match staged {
                    0 => "assigned before Create Users is on".into(),
                    n => format!("{n} not provisioned"),
                },
                after: "provisioned".into(),
            }],
        },
        Risk::Manual,
    ));
}

fn on_off(on: bool) -> String {
    if on { "on".into() } else { "off".into() }
}

/// The toggles of an allow-listed app: one PUT of the whole capabilities object, with only
/// the toggles the config sets changed (read–modify–write keeps the rest).
fn to_app_api(out: &mut Changes, name: &str, to_app: &ToApp, live: &LiveApp, feature: &AppFeature) {
    let mut capabilities = feature.capabilities.clone().unwrap_or_else(|| json!({}));
    let mut fields = Vec::new();
    for (toggle, want) in to_app.toggles() {
        let have = live.toggle_on(toggle);
        if have != want.value {
            fields.push(toggle_change(toggle, have, want.value));
            AppFeature::set_capability(
                &mut capabilities,
                toggle.capability_pointer(),
                json!(okta_provisioning::status(want.value)),
            );
        }
    }
    if let Some(sync) = &to_app.sync_password {
        password_details(
            &mut capabilities,
            &mut fields,
            feature.capability(PASSWORD_CAPABILITY),
            &sync.value,
        );
    }
    if !fields.is_empty() {
        out.changes
            .push(put_to_app(name, live, capabilities, fields));
    }
}

fn toggle_change(toggle: ToAppToggle, have: bool, want: bool) -> FieldChange {
    FieldChange {
        field: toggle.console_label().into(),
        before: on_off(have),
        after: on_off(want),
    }
}

/// The toggles of an app off the allow-list: read from its `features` array, changed by hand.
fn to_app_manual(out: &mut Changes, name: &str, to_app: &ToApp, live: &LiveApp) {
    let mut fields = Vec::new();
    let (mut enable, mut disable) = (Vec::new(), Vec::new());
    for (toggle, want) in to_app.toggles() {
        let have = live.toggle_on(toggle);
        if have != want.value {
            fields.push(toggle_change(toggle, have, want.value));
            match want.value {
                true => enable.push(toggle),
                false => disable.push(toggle),
            }
        }
    }
    if let Some(sync) = &to_app.sync_password
        && (sync.value.seed.is_some() || sync.value.change.is_some())
    {
        out.notes.push(Note {
            app: name.into(),
            text: console::CHECK_SYNC_PASSWORD.into(),
        });
    }
    if !fields.is_empty() {
        out.changes.push(Change::new(
            Subject::ToApp { app: name.into() },
            Op::Manual {
                steps: vec![console::to_app_edit(&live.app.label, &enable, &disable)],
                fields,
            },
            Risk::Manual,
        ));
    }
}

fn password_details(
    capabilities: &mut Value,
    fields: &mut Vec<FieldChange>,
    live: Option<&Value>,
    sync: &SyncPassword,
) {
    let current = |key: &str| {
        live.and_then(|p| p.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let seed = sync.seed.as_ref().map(|seed| match seed.value {
        PasswordSeed::OktaPassword => "OKTA",
        PasswordSeed::Random => "RANDOM",
    });
    let change = sync.change.as_ref().map(|change| match change.value {
        PasswordChange::Push => "CHANGE",
        PasswordChange::KeepExisting => "KEEP_EXISTING",
    });
    for (want, key, pointer, field) in [
        (
            seed,
            "seed",
            PASSWORD_SEED_POINTER,
            "Sync Password: password",
        ),
        (
            change,
            "change",
            PASSWORD_CHANGE_POINTER,
            "Sync Password: password cycle",
        ),
    ] {
        if let Some(want) = want
            && current(key) != want
        {
            fields.push(FieldChange {
                field: field.into(),
                before: current(key),
                after: want.into(),
            });
            AppFeature::set_capability(capabilities, pointer, json!(want));
        }
    }
}

/// A custom app's SCIM connection: the API cannot read or write it. What the `features`
/// array shows (SCIM on, Push Groups) becomes console steps; the rest a note to check once.
fn scim_custom(out: &mut Changes, name: &str, scim: &Scim, live: &LiveApp) {
    let label = &live.app.label;
    let scim_on = live.has_app_feature(SCIM_PROVISIONING);
    let manual = |steps: String, field: &str, before: bool, after: bool| {
        Change::new(
            Subject::Scim { app: name.into() },
            Op::Manual {
                steps: vec![steps],
                fields: vec![FieldChange {
                    field: field.into(),
                    before: on_off(before),
                    after: on_off(after),
                }],
            },
            Risk::Manual,
        )
    };
    if !scim_on {
        out.changes.push(manual(
            console::enable_scim(label),
            "SCIM provisioning",
            false,
            true,
        ));
    }
    let groups_pushed = scim
        .actions
        .iter()
        .any(|a| a.value == ScimAction::PushGroups);
    if scim_on && groups_pushed != live.has_app_feature(GROUP_PUSH) {
        out.changes.push(manual(
            console::push_groups(label, groups_pushed),
            "Push Groups",
            !groups_pushed,
            groups_pushed,
        ));
    }
    let actions: Vec<&str> = scim
        .actions
        .iter()
        .map(|a| a.value.console_label())
        .collect();
    let base_url = match &scim.base_url.value {
        Text::Literal(s) => s.clone(),
        Text::Ref(r) => r.to_string(),
    };
    out.notes.push(Note {
        app: name.into(),
        text: console::check_scim_connection(
            label,
            &ScimSettings {
                base_url: &base_url,
                unique_identifier: &scim.unique_identifier.value,
                actions: &actions,
                auth_mode: scim.auth.value.mode.value.console_label(),
            },
        ),
    });
}

/// The provisioning connection of an allow-listed app: base URL and status are read and
/// written through the API; the token is write-only, so it is sent whenever the connection is
/// written and otherwise only noted.
fn connection(out: &mut Changes, name: &str, live: &LiveApp, scim: &Scim) {
    let label = &live.app.label;
    let token = match (
        &scim.auth.value.mode.value,
        scim.auth.value.token.as_ref().map(|t| &t.value),
    ) {
        (AuthMode::Header, Some(Secret::Ref(reference))) => reference.clone(),
        _ => {
            out.changes.push(Change::new(
                Subject::Scim { app: name.into() },
                Op::Manual {
                    steps: vec![console::set_authentication(label)],
                    fields: vec![FieldChange {
                        field: "authentication".into(),
                        before: "(unknown)".into(),
                        after: "basic or OAuth".into(),
                    }],
                },
                Risk::Manual,
            ));
            return;
        }
    };
    // Resolved now: the plan must compare it (a missing variable is noted, naming it).
    let base_url = match scim.base_url.value.resolve() {
        Ok(url) => url,
        Err(e) => {
            out.notes.push(Note {
                app: name.into(),
                text: format!("the SCIM base URL cannot be compared: {e}"),
            });
            return;
        }
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
    let enabled = okta_provisioning::status(true);
    if have_status != enabled {
        fields.push(FieldChange {
            field: "status".into(),
            before: have_status,
            after: enabled.into(),
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
