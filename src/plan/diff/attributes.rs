//! Custom attributes of the Okta user schema and of each app user schema: create, change in
//! place, reorder an enum, replace (what Okta can only do by delete and re-create), delete.

use indexmap::IndexMap;

use crate::config::Loc;
use crate::config::model::{App, Attribute, Ownership};
use crate::ids::AppId;
use crate::okta::LiveApp;
use crate::okta::types::{Schema, SchemaProperty};
use crate::plan::attribute::{Difference, FieldChange, Profile, Shape};
use crate::plan::change::{Change, Op, Risk, Subject};

/// The Okta user schema's custom attributes.
pub(super) fn okta_user(
    changes: &mut Vec<Change>,
    desired: &IndexMap<Loc<String>, Attribute>,
    live: &Schema,
    ownership: Ownership,
) {
    let target = Target {
        profile: Profile::OktaUser,
        app_id: None,
    };
    diff(changes, &target, desired, live, ownership, |name| {
        Subject::OktaUserAttribute { name }
    });
}

/// An app user schema's custom attributes.
pub(super) fn app(
    changes: &mut Vec<Change>,
    name: &str,
    app: &App,
    live: &LiveApp,
    ownership: Ownership,
) {
    let target = Target {
        profile: Profile::App,
        app_id: Some(live.app.id.clone()),
    };
    diff(
        changes,
        &target,
        &app.attributes,
        &live.schema,
        ownership,
        |attribute| Subject::AppAttribute {
            app: name.to_string(),
            name: attribute,
        },
    );
}

/// Which schema the changes go to.
struct Target {
    profile: Profile,
    app_id: Option<AppId>,
}

fn diff(
    changes: &mut Vec<Change>,
    target: &Target,
    desired: &IndexMap<Loc<String>, Attribute>,
    live: &Schema,
    ownership: Ownership,
    subject: impl Fn(String) -> Subject,
) {
    let live_custom: IndexMap<&String, &SchemaProperty> = live.custom().collect();
    for (name, attribute) in desired {
        let name = name.value.clone();
        let live_property = live_custom.get(&name).copied();
        if let Some(op) = change(target, &name, attribute, live_property) {
            let risk = match op {
                Op::ReplaceAttribute { .. } => Risk::DataLoss,
                _ if drops_enum_values(attribute, live_property) => Risk::DataLoss,
                _ => Risk::Safe,
            };
            changes.push(Change::new(subject(name), op, risk));
        }
    }
    if ownership == Ownership::Exclusive {
        for name in live_custom.keys() {
            if !desired.contains_key(name.as_str()) {
                changes.push(Change::new(
                    subject((*name).clone()),
                    Op::DeleteAttribute {
                        profile: target.profile,
                        app_id: target.app_id.clone(),
                        name: (*name).clone(),
                    },
                    Risk::DataLoss,
                ));
            }
        }
    }
}

/// An enum loses values: Okta does not migrate what users hold, and validates the whole
/// profile on later updates, so those users' updates fail (finding D8).
fn drops_enum_values(attribute: &Attribute, live: Option<&SchemaProperty>) -> bool {
    let want = Shape::from_config(attribute);
    let (Some(want), Some(have)) = (
        want.choices,
        live.and_then(Shape::from_okta).and_then(|s| s.choices),
    ) else {
        return false;
    };
    have.iter()
        .any(|h| !want.iter().any(|w| w.value == h.value))
}

/// The operation that makes one live property (or its absence) what the config declares.
fn change(
    target: &Target,
    name: &str,
    attribute: &Attribute,
    live: Option<&SchemaProperty>,
) -> Option<Op> {
    let want = Shape::from_config(attribute);
    let property = want.to_okta(target.profile);
    let (profile, app_id, name) = (target.profile, target.app_id.clone(), name.to_string());
    let op = match live.map(Shape::from_okta) {
        None => Op::CreateAttribute {
            profile,
            app_id,
            name,
            property: Box::new(property),
        },
        // Okta has it with a type oktaform does not model: only a replace makes it ours.
        Some(None) => Op::ReplaceAttribute {
            profile,
            app_id,
            name,
            property: Box::new(property),
            fields: vec![FieldChange {
                field: "type".into(),
                before: "(unsupported)".into(),
                after: want.kind.label().into(),
            }],
        },
        Some(Some(have)) => match want.compare(&have, profile)? {
            Difference::Reorder => Op::ReorderEnum {
                profile,
                app_id,
                name,
                property: Box::new(property),
            },
            Difference::Update { fields } => Op::UpdateAttribute {
                profile,
                app_id,
                name,
                property: Box::new(property),
                fields,
            },
            Difference::Replace { fields } => Op::ReplaceAttribute {
                profile,
                app_id,
                name,
                property: Box::new(property),
                fields,
            },
        },
    };
    Some(op)
}
