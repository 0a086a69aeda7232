//! Group push: the declared pushes against the app's push mappings. A missing push is
//! created (to a new group of the name, or linked to an existing one), a status that differs is
//! set, a push to another existing target group is re-created; with `manage: { group_push:
//! exclusive }` a mapping the config does not list is removed — `data-loss` when the config says
//! the vendor's group goes with it (`deleteTargetGroup`).

use super::DiffError;
use crate::config::model::{App, Ownership, PushTarget};
use crate::okta::{Directory, LivePush};
use crate::okta::LiveApp;
use crate::plan::attribute::FieldChange;
use crate::plan::change::{Change, Op, Risk, Subject};

pub(super) fn app(
    changes: &mut Vec<Change>,
    errors: &mut Vec<DiffError>,
    (name, app, live): (&str, &App, &LiveApp),
    directory: &Directory,
    ownership: Ownership,
) {
    let Some(config) = &app.group_push else {
        return;
    };
    let config = &config.value;
    let mappings = live.group_push.as_deref().unwrap_or_default();
    let app_id = &live.app.id;
    let subject = |group: &str| Subject::GroupPush {
        app: name.into(),
        group: group.into(),
    };
    let mut declared_ids = Vec::new();
    for (group, pushed) in &config.groups {
        let default = Default::default();
        let pushed = pushed.as_ref().unwrap_or(&default);
        let ids = directory
            .groups
            .get(&group.value)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let source = match ids {
            [one] => one.clone(),
            [] => match mappings.iter().find(|m| m.name == group.value) {
                Some(m) => m.mapping.source_group_id.clone(),
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
        declared_ids.push(source.clone());
        let status = pushed.status().okta().to_string();
        let target = pushed.target.as_ref().map(|t| &t.value);
        let current = mappings.iter().find(|m| m.mapping.source_group_id == source);
        let op = match current {
            None => {
                let (target_group_id, target_group_name) = match target {
                    Some(PushTarget::Id(id)) => (Some(id.clone()), None),
                    Some(PushTarget::Name(n)) => (None, Some(n.clone())),
                    None => (None, Some(group.value.clone())),
                };
                Op::CreatePush {
                    app_id: app_id.clone(),
                    source_group_id: source,
                    target_group_id,
                    target_group_name,
                    status,
                }
            }
            Some(current) => {
                let have_target = current.mapping.target_group_id.as_ref();
                let status_field = (current.mapping.status != status).then(|| FieldChange {
                    field: "status".into(),
                    before: current.mapping.status.to_lowercase(),
                    after: status.to_lowercase(),
                });
                match target {
                    Some(PushTarget::Id(want)) if have_target != Some(want) => Op::ReplacePush {
                        app_id: app_id.clone(),
                        mapping_id: current.mapping.id.clone(),
                        source_group_id: source,
                        target_group_id: want.clone(),
                        status,
                        fields: std::iter::once(FieldChange {
                            field: "target group".into(),
                            before: have_target.map_or("(none)".into(), |t| format!("{t} (kept at the vendor)")),
                            after: want.to_string(),
                        })
                        .chain(status_field)
                        .collect(),
                    },
                    _ => match status_field {
                        Some(field) => Op::SetPushStatus {
                            app_id: app_id.clone(),
                            mapping_id: current.mapping.id.clone(),
                            status,
                            fields: vec![field],
                        },
                        None => continue,
                    },
                }
            }
        };
        changes.push(Change::new(subject(&group.value), op, Risk::Safe));
    }
    if ownership == Ownership::Exclusive {
        let delete_target_group = config.deletes_target();
        for push in mappings
            .iter()
            .filter(|m| !declared_ids.contains(&m.mapping.source_group_id))
        {
            changes.push(Change::new(
                subject(&push_name(push)),
                Op::DeletePush {
                    app_id: app_id.clone(),
                    mapping_id: push.mapping.id.clone(),
                    delete_target_group,
                    target_group_id: push.mapping.target_group_id.clone(),
                },
                if delete_target_group {
                    Risk::DataLoss
                } else {
                    Risk::Safe
                },
            ));
        }
    }
}

/// The source group's name, or its id when it could not be read.
fn push_name(push: &LivePush) -> String {
    if push.name.is_empty() {
        push.mapping.source_group_id.to_string()
    } else {
        push.name.clone()
    }
}
