//! The diff's unit tests: a Luciq org in several states (see `plan::testing`).

use indexmap::IndexMap;
use serde_json::{from_value, json};

use super::*;
use crate::okta::{Features, LiveUser};
use crate::plan::change::{Op, Subject};
use crate::plan::testing::*;
use crate::plan::{Action, Risk};

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
    // One Okta user attribute, two app attributes, one mapping, two users, one group.
    assert_eq!(count(Action::Create), 1 + 2 + 1 + 2 + 1, "{summary:#?}");
    assert_eq!(
        count(Action::Manual),
        2,
        "the To App toggles of a custom app, then Provision Users for the users it assigns: {summary:#?}"
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
            "Applications → Applications → Luciq → Provisioning → To App → Edit → enable Create Users, Update User Attributes and Deactivate Users, then Save"
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
            from_value::<IndexMap<String, crate::okta::types::SchemaProperty>>(luciq_attributes())
                .unwrap(),
        );
    app.users.as_mut().unwrap().push(LiveUser {
        login: "carol@example.com".into(),
        assignment: from_value(json!({"id": "00uCAROL", "scope": "USER", "profile": {}})).unwrap(),
    });
    app.users.as_mut().unwrap().push(LiveUser {
        login: "dave@example.com".into(),
        assignment: from_value(json!({"id": "00uDAVE", "scope": "GROUP", "profile": {}})).unwrap(),
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
        // Apply order: the mapping the config no longer has, unassignments, then attribute
        // deletions.
        vec![
            (Action::Delete, Risk::Safe),
            (Action::Delete, Risk::Deprovisions),
            (Action::Delete, Risk::DataLoss)
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
            "Applications → Applications → Luciq → Provisioning → To App → Edit → enable Update User Attributes, then Save"
        ]
    );
    assert_eq!(fields[0].before, "off");
    let Op::UpdateUser {
        profile, fields, ..
    } = &plan.changes[1].op
    else {
        panic!()
    };
    // Only what changes is sent (finding D9): Okta merges it, and the stored values the
    // config does not set (department) are neither resent nor touched.
    assert_eq!(
        serde_json::Value::Object(profile.clone()),
        json!({"instabugRole": "member"})
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
    let live = Snapshot::new(
        None,
        [("partner".to_string(), app)].into_iter().collect(),
        Default::default(),
    );
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

/// A custom app owning its users exclusively, with Deactivate Users as the config wants it.
fn exclusive_users(deactivate: bool) -> String {
    format!(
        "apps:\n  luciq:\n    find: {{ label: Luciq }}\n    manage: {{ users: exclusive }}\n    provisioning:\n      to_app: {{ deactivate_users: {deactivate} }}\n    assignments:\n      users:\n        alice@example.com:\n"
    )
}

fn with_carol(features: Vec<&str>) -> Snapshot {
    let mut app = live_app(features, json!({}), json!({}));
    app.users = Some(vec![
        LiveUser {
            login: "alice@example.com".into(),
            assignment: from_value(json!({"id": "00uALICE", "scope": "USER", "profile": {}}))
                .unwrap(),
        },
        LiveUser {
            login: "carol@example.com".into(),
            assignment: from_value(json!({"id": "00uCAROL", "scope": "USER", "profile": {}}))
                .unwrap(),
        },
    ]);
    org(json!({}), app)
}

fn unassign_risk(plan: &Changes) -> Risk {
    plan.changes
        .iter()
        .find(|c| matches!(c.op, Op::UnassignUser { .. }))
        .map(|c| c.risk)
        .unwrap_or_else(|| panic!("no unassignment: {:#?}", plan.changes))
}

#[test]
fn a_manual_deactivate_toggle_is_judged_by_the_live_org() {
    // Finding D1: the config turns Deactivate Users off, but for a custom app that is a console
    // step apply does not take; the toggle is on live, so carol's unassignment deprovisions her.
    let live = with_carol(vec!["SCIM_PROVISIONING", "PUSH_USER_DEACTIVATION"]);
    let plan = diff(&config(&exclusive_users(false)), &live).unwrap();
    assert_eq!(unassign_risk(&plan), Risk::Deprovisions);
}

#[test]
fn every_unassignment_loses_the_app_profile() {
    // Finding D2: "You can't recover the user's app profile", whatever the toggles.
    let live = with_carol(vec!["SCIM_PROVISIONING"]);
    let plan = diff(&config(&exclusive_users(false)), &live).unwrap();
    assert_eq!(unassign_risk(&plan), Risk::DataLoss);
}

#[test]
fn removing_a_mapping_that_fills_a_required_attribute_loses_data() {
    // Finding D11: `mappings: exclusive` removing Okta's default `email` mapping leaves every
    // new account without a required value.
    let text = "apps:\n  luciq:\n    find: { label: Luciq }\n    manage: { mappings: exclusive }\n    mappings:\n      to_app: { userName: user.login }\n";
    let mut app = live_app(
        vec!["SCIM_PROVISIONING"],
        json!({}),
        json!({"userName": {"expression": "user.login", "pushStatus": "PUSH"},
               "email": {"expression": "user.email", "pushStatus": "PUSH"},
               "nickName": {"expression": "user.nickName", "pushStatus": "PUSH"}}),
    );
    app.schema = from_value(
        json!({"definitions": {"base": {"required": ["userName", "email"], "properties": {
        "userName": {"title": "Username", "type": "string"},
        "email": {"title": "Email", "type": "string"},
        "nickName": {"title": "Nick name", "type": "string"}}}}}),
    )
    .unwrap();
    let plan = diff(&config(text), &org(json!({}), app)).unwrap();
    let removal = |name: &str| {
        plan.changes
            .iter()
            .find(|c| matches!(&c.op, Op::RemoveMapping { property, .. } if property == name))
            .map(|c| c.risk)
    };
    assert_eq!(removal("email"), Some(Risk::DataLoss));
    assert_eq!(removal("nickName"), Some(Risk::Safe));
    assert_eq!(removal("userName"), None);
}

#[test]
fn a_new_mapping_always_carries_a_push_status() {
    // Finding D6: Okta's default for an omitted pushStatus is undocumented.
    let text = "apps:\n  luciq:\n    find: { label: Luciq }\n    attributes:\n      tier: { title: Tier, type: string, external_name: tier }\n    mappings:\n      to_app: { tier: user.title }\n";
    let plan = diff(
        &config(text),
        &org(json!({}), live_app(vec![], json!({}), json!({}))),
    )
    .unwrap();
    let push = plan.changes.iter().find_map(|c| match &c.op {
        Op::SetMapping { push_status, .. } => Some(push_status.clone()),
        _ => None,
    });
    assert_eq!(push, Some(Some("PUSH".into())));
}

#[test]
fn removing_an_enum_value_users_may_hold_is_data_loss() {
    // Finding D8: Okta does not migrate stored values; later updates of those users fail.
    let live = org(json!({}), converged_app());
    let text = LUCIQ.replace("          viewer: Viewer\n", "");
    assert_ne!(text, LUCIQ, "the example declares the viewer role");
    let plan = diff(&config(&text), &live).unwrap();
    let change = plan
        .changes
        .iter()
        .find(|c| matches!(c.op, Op::UpdateAttribute { .. }))
        .unwrap_or_else(|| panic!("{:#?}", plan.changes));
    assert_eq!(change.risk, Risk::DataLoss);
}

#[test]
fn a_direct_assignment_of_a_group_granted_user_is_its_own_action() {
    // Finding D4: not `+ user`: the assignment turns individual, which the API cannot undo.
    let text = "apps:\n  luciq:\n    find: { label: Luciq }\n    assignments:\n      users:\n        alice@example.com:\n";
    let mut app = live_app(vec![], json!({}), json!({}));
    app.users = Some(vec![LiveUser {
        login: "alice@example.com".into(),
        assignment: from_value(json!({"id": "00uALICE", "scope": "GROUP", "profile": {}})).unwrap(),
    }]);
    let plan = diff(&config(text), &org(json!({}), app)).unwrap();
    assert_eq!(plan.changes.len(), 1);
    assert!(
        matches!(plan.changes[0].op, Op::ConvertUser { .. }),
        "{:#?}",
        plan.changes
    );
    assert_eq!(plan.changes[0].action, Action::Update);
    assert!(
        plan.changes[0].op.fields()[0]
            .after
            .contains("Convert Assignments")
    );
}

#[test]
fn a_mapping_change_says_existing_users_are_not_updated() {
    // Finding D5: the public API changes the mapping, not the users already assigned.
    let text = LUCIQ.replace(
        "instabugApplications: user.instabugApplications",
        "instabugApplications: user.instabugApplications2",
    );
    let text = text.replace(
        "    instabugApplications:\n      title: Instabug Applications\n      type: string array                      # the same",
        "    instabugApplications2:\n      title: Instabug Applications\n      type: string array                      # the same",
    );
    let plan = diff(&config(&text), &org(okta_attributes(), converged_app())).unwrap();
    let step = plan.changes.iter().find_map(|c| match &c.op {
        Op::Manual { steps, .. } if steps[0].contains("Apply updates now") => Some(&steps[0]),
        _ => None,
    });
    assert!(step.is_some(), "{:#?}", plan.changes);
}

#[test]
fn two_config_apps_that_found_one_live_app_are_refused_naming_both() {
    // `find: { id }` and `find: { label }` can name one app: only the read can tell.
    let text = format!(
        "{LUCIQ}  luciq_by_id:\n    find: {{ id: 0oa1luciq }}\n    assignments:\n      users:\n        bob@example.com: {{}}\n"
    );
    let mut live = org(
        json!({}),
        live_app(vec!["SCIM_PROVISIONING"], json!({}), json!({})),
    );
    let same = live.apps["luciq"].clone();
    live.apps.insert("luciq_by_id".into(), same);
    let errors = diff(&config(&text), &live).unwrap_err();
    let text = errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.contains("apps `luciq` and `luciq_by_id` both found the Okta app `Luciq`"),
        "{text}"
    );
}
