//! The diff: config × [`Snapshot`] → changes, each with its risk, plus notes on what the API
//! cannot show. Okta-aware, one file per concern: [`attributes`] (schemas, through
//! [`super::attribute`]'s shapes), [`mappings`] (expressions, push status when set),
//! [`provisioning`] (toggles and the connection), [`assignments`] (profiles compare only the
//! attributes the config sets), [`group_push`] (push mappings by source group). No HTTP here: the snapshot is data.

mod assignments;
mod attributes;
mod group_push;
mod mappings;
mod provisioning;

use indexmap::IndexMap;

use super::change::{Change, Note, Op};
use crate::config::model::{App, Config, Ownership};
use crate::okta::{Directory, LiveApp, Snapshot};

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
    #[error(
        "apps `{first}` and `{second}` both found the Okta app `{label}` ({id}): one config app per Okta app — merge them, or point `find` at different apps (two views of one app undo each other on every apply)"
    )]
    SameLiveApp {
        first: String,
        second: String,
        label: String,
        id: String,
    },
}

/// Config apps whose `find`s resolved to one live app (by id and label, or label and name —
/// what validation cannot see offline).
fn same_live_app(config: &Config, live: &Snapshot) -> Vec<DiffError> {
    let mut first_by_id: IndexMap<&str, &str> = IndexMap::new();
    let mut errors = Vec::new();
    for name in config.apps.keys() {
        let Some(app) = live.apps.get(name.as_str()) else {
            continue;
        };
        match first_by_id.get(app.app.id.0.as_str()) {
            Some(first) => errors.push(DiffError::SameLiveApp {
                first: (*first).to_string(),
                second: name.to_string(),
                label: app.app.label.clone(),
                id: app.app.id.0.clone(),
            }),
            None => {
                first_by_id.insert(&app.app.id.0, name);
            }
        }
    }
    errors
}

/// Computes the changes that make the org match the config, in the plan's one order
/// ([`super::order`]).
pub fn diff(config: &Config, live: &Snapshot) -> Result<Changes, Vec<DiffError>> {
    let mut out = Changes::default();
    let mut errors = Vec::new();
    if let (Some(okta_user), Some(schema)) = (&config.okta_user, &live.user_schema) {
        let ownership = okta_user
            .value
            .manage
            .as_ref()
            .map_or(Ownership::Additive, |m| m.value.attributes);
        attributes::okta_user(
            &mut out.changes,
            &okta_user.value.attributes,
            schema,
            ownership,
        );
    }
    let okta_user_replaced = replaced(&out.changes);
    errors.extend(same_live_app(config, live));
    for (name, app) in &config.apps {
        let Some(live_app) = live.apps.get(name.as_str()) else {
            continue;
        };
        app_changes(
            &mut out,
            &mut errors,
            (name, app, live_app),
            &live.directory,
            &okta_user_replaced,
        );
    }
    if errors.is_empty() {
        super::order::sort(&mut out.changes);
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The names of the attributes `changes` re-create.
fn replaced(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .filter_map(|c| match &c.op {
            Op::ReplaceAttribute { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect()
}

fn app_changes(
    out: &mut Changes,
    errors: &mut Vec<DiffError>,
    (name, app, live): (&str, &App, &LiveApp),
    directory: &Directory,
    okta_user_replaced: &[String],
) {
    let manage = app
        .manage
        .as_ref()
        .map(|m| m.value.clone())
        .unwrap_or_default();
    let before = out.changes.len();
    attributes::app(&mut out.changes, name, app, live, manage.attributes);
    let replaced = mappings::Replaced {
        okta_user: okta_user_replaced.to_vec(),
        app: replaced(&out.changes[before..]),
    };
    mappings::app(
        &mut out.changes,
        &mut out.notes,
        errors,
        name,
        app,
        live,
        manage.mappings,
        &replaced,
    );
    provisioning::app(out, name, app, live);
    assignments::app(
        &mut out.changes,
        &mut out.notes,
        errors,
        name,
        app,
        live,
        directory,
        &manage,
    );
    group_push::app(
        &mut out.changes,
        errors,
        (name, app, live),
        directory,
        manage.group_push,
    );
}

#[cfg(test)]
mod tests;
