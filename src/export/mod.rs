//! `export`: a live [`Snapshot`] → the config that describes it, as commented YAML that reads
//! like the hand-written examples: apps found by id (label in a comment), the To App toggles
//! the API can read, custom attributes of the app and Okta user profiles, mappings that
//! differ from Okta's SCIM defaults, assignments with the profile values that are not mapped
//! from the Okta user, group priorities, group pushes with their target groups. Every collection is left `additive`, so a plan
//! against the same org proposes nothing; what the API cannot read (a custom app's SCIM
//! connection, To Okta settings) becomes commented hints; secrets become `${env:NAME}`
//! references in comments, never values.

mod yaml;

use std::collections::HashSet;
use std::fmt::Write as _;

use serde_json::Value;

use crate::config::model::{Mutability, Permission};
use crate::facts::attributes::{SCIM_DEFAULT_TO_APP, SCIM_DEFAULT_TO_OKTA};
use crate::facts::console;
use crate::facts::provisioning::{GROUP_PUSH, SCIM_PROVISIONING, ToAppToggle, USER_PROVISIONING};
use crate::okta::types::{ProfileMapping, Schema};
use crate::okta::{Features, LiveApp, Snapshot};
use crate::plan::attribute::{Profile, Shape};

/// One exported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// A file name for `-o DIR` (`okta-user.yaml`, `<app>.yaml`).
    pub name: String,
    pub text: String,
}

/// The exported config: one file for the Okta user profile (when it has custom attributes)
/// and one per app, or all of them together ([`whole`]).
pub fn files(live: &Snapshot, org: &str, when: &str) -> Vec<File> {
    let mut out = Vec::new();
    let okta_user = live.user_schema.as_ref().map(okta_user).unwrap_or_default();
    if !okta_user.is_empty() {
        out.push(File {
            name: "okta-user.yaml".into(),
            text: format!("{}{okta_user}", header(org, when)),
        });
    }
    let mut taken = HashSet::new();
    for app in live.apps.values() {
        let key = app_key(&app.app.label, &mut taken);
        out.push(File {
            name: format!("{key}.yaml"),
            text: format!("{}apps:\n{}", header(org, when), app_yaml(&key, app)),
        });
    }
    out
}

/// Everything in one file.
pub fn whole(live: &Snapshot, org: &str, when: &str) -> String {
    let mut text = header(org, when);
    if let Some(schema) = &live.user_schema {
        text.push_str(&okta_user(schema));
    }
    let mut taken = HashSet::new();
    if !live.apps.is_empty() {
        text.push_str("\napps:\n");
    }
    for (i, app) in live.apps.values().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        let key = app_key(&app.app.label, &mut taken);
        text.push_str(&app_yaml(&key, app));
    }
    text
}

fn header(org: &str, when: &str) -> String {
    format!(
        "# yaml-language-server: $schema=oktaform.schema.json\n\
         # (write the schema beside this file with `oktaform schema > oktaform.schema.json`)\n\
         #\n\
         # Exported by `oktaform export` from {org} at {when}.\n\
         # `oktaform plan` against the same org proposes no change. Every collection is\n\
         # additive (the default): what this file does not list is left alone.\n"
    )
}

/// A config app name from a label: lower case, words joined by `-`, unique in the file.
fn app_key(label: &str, taken: &mut HashSet<String>) -> String {
    let mut key = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('-') && !key.is_empty() {
            key.push('-');
        }
    }
    let key = key.trim_end_matches('-').to_string();
    let key = if key.is_empty() { "app".into() } else { key };
    let mut candidate = key.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{key}-{n}");
        n += 1;
    }
    candidate
}

fn okta_user(schema: &Schema) -> String {
    let attributes = attributes(schema, Profile::OktaUser, "    ");
    if attributes.is_empty() {
        return String::new();
    }
    format!(
        "\nokta_user:\n  attributes:                 # Directory → Profile Editor → User (default)\n{attributes}"
    )
}

/// The custom attributes of a schema, at `indent`.
fn attributes(schema: &Schema, profile: Profile, indent: &str) -> String {
    let mut out = String::new();
    for (name, property) in schema.custom() {
        let Some(shape) = Shape::from_okta(property) else {
            let _ = writeln!(
                out,
                "{indent}# {name}: a type oktaform does not model ({}); left out",
                property.kind.as_deref().unwrap_or("none")
            );
            continue;
        };
        let _ = writeln!(out, "{indent}{}:", yaml::string(name));
        for (key, value) in attribute_lines(&shape, profile) {
            let _ = writeln!(out, "{indent}  {key}: {value}");
        }
    }
    out
}

/// The settings a plan compares, and those Okta keeps that differ from their defaults.
fn attribute_lines(shape: &Shape, profile: Profile) -> Vec<(&'static str, String)> {
    let mut lines = vec![
        ("title", yaml::string(&shape.title)),
        ("type", shape.kind.label().to_string()),
    ];
    if let Some(description) = &shape.description {
        lines.push(("description", yaml::string(description)));
    }
    if let Some(choices) = &shape.choices {
        let titled = choices.iter().any(|c| display(&c.value) != c.title);
        let text = match titled {
            true => yaml::map_of(
                choices
                    .iter()
                    .map(|c| (yaml::value(&c.value), yaml::string(&c.title))),
            ),
            false => yaml::list(choices.iter().map(|c| yaml::value(&c.value))),
        };
        lines.push(("enum", text));
    }
    if let Some(name) = &shape.external_name {
        lines.push(("external_name", yaml::string(name)));
    }
    if let Some(namespace) = &shape.external_namespace {
        lines.push(("external_namespace", yaml::string(namespace)));
    }
    let flags = [
        ("required", shape.required),
        ("unique", shape.unique),
        ("union", shape.union && shape.kind.is_array()),
    ];
    for (key, on) in flags {
        if on {
            lines.push((key, "true".into()));
        }
    }
    if shape.scope_self {
        lines.push(("scope", "self".into()));
    }
    for (key, length) in [
        ("min_length", shape.min_length),
        ("max_length", shape.max_length),
    ] {
        if let Some(n) = length {
            lines.push((key, n.to_string()));
        }
    }
    if profile == Profile::OktaUser {
        if let Some(p) = shape.permission.filter(|p| *p != Permission::ReadOnly) {
            lines.push(("permissions", key_of(&p)));
        }
        if let Some(m) = shape.mutability.filter(|m| *m != Mutability::ReadWrite) {
            lines.push(("mutability", key_of(&m)));
        }
    }
    lines
}

/// A config enum's name as YAML writes it.
fn key_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn app_yaml(key: &str, app: &LiveApp) -> String {
    let mut out = String::new();
    let label = &app.app.label;
    let _ = writeln!(out, "  {key}:");
    let _ = writeln!(
        out,
        "    find: {{ id: {} }}   # {} ({})",
        yaml::string(&app.app.id.0),
        yaml::string(label),
        app.app.name
    );
    out.push_str(&provisioning(app));
    let attributes = attributes(&app.schema, Profile::App, "      ");
    if !attributes.is_empty() {
        let _ = writeln!(
            out,
            "    attributes:               # Directory → Profile Editor → {label} User"
        );
        out.push_str(&attributes);
    }
    out.push_str(&mappings(app));
    out.push_str(&assignments(app));
    out.push_str(&group_push(app));
    out
}

/// The push mappings, each linked to the target group it has (so a plan proposes nothing),
/// `status: inactive` where paused. A mapping whose group could not be read is a comment.
fn group_push(app: &LiveApp) -> String {
    let pushes = app.group_push.as_deref().unwrap_or_default();
    if pushes.is_empty() {
        return String::new();
    }
    let mut out = String::from("    group_push:               # Push Groups tab\n      groups:\n");
    for push in pushes {
        let m = &push.mapping;
        let mut parts = Vec::new();
        if let Some(target) = &m.target_group_id {
            parts.push((
                "target".to_string(),
                yaml::map_of(std::iter::once(("id".to_string(), yaml::string(&target.0)))),
            ));
        }
        if m.status == "INACTIVE" {
            parts.push(("status".to_string(), "inactive".to_string()));
        }
        let entry = format!(
            "{}: {}",
            yaml::string(&push.name),
            yaml::map_of(parts.into_iter())
        );
        match push.name.is_empty() {
            true => {
                let _ = writeln!(
                    out,
                    "        # source group {} could not be read: {}",
                    m.source_group_id, m.id
                );
            }
            false => {
                let _ = writeln!(out, "        {entry}");
            }
        }
    }
    out
}

/// The To App toggles the API can read, and hints for what it cannot.
fn provisioning(app: &LiveApp) -> String {
    let readable =
        !matches!(app.features, Features::NotSupported) || app.has_app_feature(SCIM_PROVISIONING);
    if !readable {
        return String::new();
    }
    let mut out = String::from("    provisioning:\n");
    if app.features.get(USER_PROVISIONING).is_some() || app.has_app_feature(SCIM_PROVISIONING) {
        let toggles: Vec<(String, String)> = [
            (ToAppToggle::CreateUsers, "create_users"),
            (ToAppToggle::UpdateUserAttributes, "update_user_attributes"),
            (ToAppToggle::DeactivateUsers, "deactivate_users"),
        ]
        .into_iter()
        .map(|(t, key)| (key.to_string(), app.toggle_on(t).to_string()))
        .collect();
        let _ = writeln!(
            out,
            "      to_app: {}   # Provisioning → To App",
            yaml::map_of(toggles.into_iter())
        );
    }
    out.push_str(&scim_hint(app));
    out
}

/// The SCIM connection as commented YAML to fill in: a custom app's cannot be read at all;
/// an allow-listed app's base URL and status can, its token never.
fn scim_hint(app: &LiveApp) -> String {
    let label = &app.app.label;
    let base_url = app
        .connection
        .as_ref()
        .and_then(|c| c.base_url.clone())
        .unwrap_or_else(|| "https://…   # SCIM connector base URL".into());
    let mut actions = vec!["push_new_users", "push_profile_updates"];
    if app.has_app_feature(GROUP_PUSH) {
        actions.push("push_groups");
    }
    let env = format!(
        "{}_SCIM_TOKEN",
        app_key(label, &mut HashSet::new())
            .replace('-', "_")
            .to_uppercase()
    );
    let why = match app.features {
        Features::Api { .. } | Features::NotEnabled => {
            "the API reads its base URL but never its token"
        }
        Features::NotSupported => "the API cannot read a custom app's SCIM connection",
    };
    let place = console::integration_tab(label);
    format!(
        "      # SCIM connection: {why}. Check it in\n\
         # {place}, and describe it here to have\n\
         # oktaform check it too. The token is never exported: set {env} where oktaform runs.\n\
         # scim:\n\
         #   base_url: {base_url}\n\
         #   unique_identifier: userName   # Unique identifier field for users\n\
         #   actions: [{}]\n\
         #   auth: {{ mode: header, token: \"${{env:{env}}}\" }}\n",
        actions.join(", ")
    )
    .replace("\n#", "\n      #")
}

/// Mapped properties that differ from the SCIM template's defaults.
fn mappings(app: &LiveApp) -> String {
    let section = |mapping: Option<&ProfileMapping>, defaults: &[(&str, &str)]| {
        let mut lines = Vec::new();
        for (target, property) in mapping
            .and_then(|m| m.properties.as_ref())
            .into_iter()
            .flatten()
        {
            let default = defaults
                .iter()
                .any(|(t, e)| t == target && *e == property.expression.trim());
            if default {
                continue;
            }
            let value = match property.push_status.as_deref() {
                Some("DONT_PUSH") => format!(
                    "{{ expression: {}, apply_on: create_only }}",
                    yaml::string(&property.expression)
                ),
                _ => yaml::string(&property.expression),
            };
            lines.push(format!("        {}: {value}", yaml::string(target)));
        }
        lines
    };
    let to_app = section(app.to_app.as_ref(), SCIM_DEFAULT_TO_APP);
    let to_okta = section(app.to_okta.as_ref(), SCIM_DEFAULT_TO_OKTA);
    if to_app.is_empty() && to_okta.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "    mappings:                 # only those that differ from Okta's defaults\n",
    );
    for (key, lines, comment) in [
        ("to_app", to_app, "Okta User → app"),
        ("to_okta", to_okta, "app → Okta User"),
    ] {
        if !lines.is_empty() {
            let _ = writeln!(out, "      {key}:                 # {comment}");
            for line in lines {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}

/// The custom attributes an assignment may carry: not mapped from the Okta user (their
/// values come from the mapping).
fn assignable(app: &LiveApp) -> HashSet<String> {
    let mapped: HashSet<&String> = app
        .to_app
        .as_ref()
        .and_then(|m| m.properties.as_ref())
        .map(|p| p.keys().collect())
        .unwrap_or_default();
    app.schema
        .custom()
        .filter(|(name, p)| !mapped.contains(name) && Shape::from_okta(p).is_some())
        .map(|(name, _)| name.clone())
        .collect()
}

fn profile_text(
    profile: &serde_json::Map<String, Value>,
    keys: &HashSet<String>,
) -> Option<String> {
    let values: Vec<(String, String)> = profile
        .iter()
        .filter(|(k, v)| keys.contains(*k) && !v.is_null())
        .map(|(k, v)| (yaml::string(k), yaml::value(v)))
        .collect();
    (!values.is_empty()).then(|| yaml::map_of(values.into_iter()))
}

fn assignments(app: &LiveApp) -> String {
    let keys = assignable(app);
    // By login: the org lists users in the order they were assigned, which parallel applies
    // do not keep, and an export in git should not churn with it.
    let mut direct: Vec<&crate::okta::LiveUser> = app
        .users
        .iter()
        .flatten()
        .filter(|u| u.assignment.scope.as_deref() != Some("GROUP") && !u.login.is_empty())
        .collect();
    direct.sort_by_key(|u| u.login.to_lowercase());
    let users: Vec<String> = direct
        .into_iter()
        .map(|u| {
            let profile = profile_text(&u.assignment.profile, &keys);
            format!(
                "        {}:{}",
                yaml::string(&u.login),
                profile.map(|p| format!(" {p}")).unwrap_or_default()
            )
        })
        .collect();
    let mut groups: Vec<&crate::okta::LiveGroup> = app.groups.iter().flatten().collect();
    groups.sort_by_key(|g| g.assignment.priority.unwrap_or(i64::MAX));
    let groups: Vec<String> = groups
        .iter()
        .filter(|g| !g.name.is_empty())
        .map(|g| {
            let mut parts = Vec::new();
            if let Some(p) = g.assignment.priority {
                parts.push(("priority".to_string(), p.to_string()));
            }
            if let Some(profile) = profile_text(&g.assignment.profile, &keys) {
                parts.push(("profile".to_string(), profile));
            }
            format!(
                "        {}: {}",
                yaml::string(&g.name),
                yaml::map_of(parts.into_iter())
            )
        })
        .collect();
    if users.is_empty() && groups.is_empty() {
        return String::new();
    }
    let mut out = String::from("    assignments:              # Assignments tab\n");
    for (key, lines) in [("users", users), ("groups", groups)] {
        if !lines.is_empty() {
            let _ = writeln!(out, "      {key}:");
            for line in lines {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
