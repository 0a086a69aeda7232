//! Group push: the declared pushes against the app's push mappings. A missing push is
//! created (to a new group of the name, or linked to an existing one), a status that differs is
//! set, a push to another existing target group is re-created; with `manage: { group_push:
//! exclusive }` a mapping the config does not list is removed — `data-loss` when the config says
//! the vendor's group goes with it (`deleteTargetGroup`).

use super::DiffError;
use crate::config::model::{App, Ownership, PushTarget};
use crate::okta::LiveApp;
use crate::okta::{Directory, LivePush};
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
        let current = mappings
            .iter()
            .find(|m| m.mapping.source_group_id == source);
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
                            before: have_target
                                .map_or("(none)".into(), |t| format!("{t} (kept at the vendor)")),
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

#[cfg(test)]
mod tests {
    use serde_json::{from_value, json};

    use crate::okta::LivePush;
    use crate::plan::change::{Op, Risk, Subject};
    use crate::plan::diff::diff;
    use crate::plan::testing::{config, converged_app, okta_attributes, org};
    use crate::plan::{Action, Change};

    const APP: &str = "apps:\n  luciq:\n    find: { label: Luciq }\n";

    fn push(id: &str, source: &str, name: &str, target: &str, status: &str) -> LivePush {
        LivePush {
            name: name.into(),
            mapping: from_value(json!({"id": id, "sourceGroupId": source, "targetGroupId": target, "status": status})).unwrap(),
        }
    }

    fn plan(yaml: &str, pushes: Vec<LivePush>) -> Vec<Change> {
        let mut app = converged_app();
        app.group_push = Some(pushes);
        let mut live = org(okta_attributes(), app);
        live.directory
            .groups
            .insert("Support".into(), vec!["00gSUP".into()]);
        diff(&config(&format!("{APP}{yaml}")), &live)
            .unwrap()
            .changes
            .into_iter()
            .filter(|c| matches!(c.subject, Subject::GroupPush { .. }))
            .collect()
    }

    #[test]
    fn a_group_not_pushed_yet_is_pushed_to_a_new_group_of_its_name_or_the_one_named() {
        let changes = plan(
            "    group_push:\n      groups:\n        Engineering:\n        Support: { target: { name: Customer Support }, status: inactive }\n",
            vec![],
        );
        assert_eq!(changes.len(), 2, "{changes:#?}");
        assert_eq!(changes[0].action, Action::Create);
        assert_eq!(changes[0].risk, Risk::Safe);
        assert_eq!(
            changes[0].op,
            Op::CreatePush {
                app_id: "0oaLUCIQ".into(),
                source_group_id: "00gENG".into(),
                target_group_id: None,
                target_group_name: Some("Engineering".into()),
                status: "ACTIVE".into(),
            }
        );
        let Op::CreatePush {
            target_group_name,
            status,
            ..
        } = &changes[1].op
        else {
            panic!("{changes:#?}")
        };
        assert_eq!(target_group_name.as_deref(), Some("Customer Support"));
        assert_eq!(status, "INACTIVE");
    }

    #[test]
    fn a_pushed_group_as_declared_plans_nothing_and_a_status_that_differs_is_set() {
        let live = vec![push("gPm1", "00gENG", "Engineering", "00gT1", "ACTIVE")];
        assert!(
            plan(
                "    group_push:\n      groups:\n        Engineering:\n",
                live.clone()
            )
            .is_empty()
        );
        // Linked to the target it has: nothing either.
        assert!(
            plan(
                "    group_push:\n      groups:\n        Engineering: { target: { id: 00gT1 } }\n",
                live.clone()
            )
            .is_empty()
        );
        let changes = plan(
            "    group_push:\n      groups:\n        Engineering: { status: inactive }\n",
            live,
        );
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].action, Action::Update);
        let Op::SetPushStatus {
            mapping_id, status, ..
        } = &changes[0].op
        else {
            panic!("{changes:#?}")
        };
        assert_eq!((mapping_id.as_str(), status.as_str()), ("gPm1", "INACTIVE"));
    }

    #[test]
    fn another_existing_target_group_re_creates_the_push_and_keeps_the_old_group() {
        let changes = plan(
            "    group_push:\n      groups:\n        Engineering: { target: { id: 00gT2 } }\n",
            vec![push("gPm1", "00gENG", "Engineering", "00gT1", "ACTIVE")],
        );
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].action, Action::Replace);
        assert_eq!(changes[0].risk, Risk::Safe);
        let fields = changes[0].op.fields();
        assert_eq!(fields[0].before, "00gT1 (kept at the vendor)");
        assert_eq!(fields[0].after, "00gT2");
    }

    #[test]
    fn an_exclusive_owner_removes_undeclared_pushes_and_deleting_the_vendor_group_is_data_loss() {
        let live = vec![
            push("gPm1", "00gENG", "Engineering", "00gT1", "ACTIVE"),
            push("gPm2", "00gSUP", "Support", "00gT2", "ACTIVE"),
        ];
        // Additive (the default): Support's push is left alone.
        assert!(
            plan(
                "    group_push:\n      groups:\n        Engineering:\n",
                live.clone()
            )
            .is_empty()
        );
        let exclusive = "    manage: { group_push: exclusive }\n    group_push:\n      groups:\n        Engineering:\n";
        let kept = plan(exclusive, live.clone());
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].action, Action::Delete);
        assert_eq!(kept[0].risk, Risk::Safe, "the vendor's group stays");
        assert_eq!(
            kept[0].subject,
            Subject::GroupPush {
                app: "luciq".into(),
                group: "Support".into()
            }
        );
        let deleted = plan(
            &format!("{exclusive}      on_removal: delete_target_group\n"),
            live,
        );
        assert_eq!(deleted[0].risk, Risk::DataLoss);
        assert!(matches!(
            deleted[0].op,
            Op::DeletePush {
                delete_target_group: true,
                ..
            }
        ));
    }

    #[test]
    fn a_pushed_group_the_org_does_not_have_is_an_error() {
        let mut app = converged_app();
        app.group_push = Some(vec![]);
        let errors = diff(
            &config(&format!(
                "{APP}    group_push:\n      groups:\n        Nobody:\n"
            )),
            &org(okta_attributes(), app),
        )
        .unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "app `luciq`: no Okta group is named `Nobody`"
        );
    }
}
