//! Export's unit tests: the converged Luciq org exports to a config that loads, validates,
//! and plans to nothing against the same snapshot.

use serde_json::json;

use super::*;
use crate::config::validate::References;
use crate::config::{FileId, load::parse};
use crate::plan::diff;
use crate::plan::testing::*;

fn export_and_plan(live: &Snapshot) -> (String, crate::plan::Changes) {
    let text = whole(live, "https://acme.okta.com", "2026-12-01T00:00:00Z");
    let config = parse(FileId(0), &text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    let errors: Vec<_> = crate::config::validate(&config, References::Syntax)
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{text}");
    // The exported apps are keyed by their label; the snapshot by the original keys.
    let mut rekeyed = live.clone();
    rekeyed.apps = live
        .apps
        .values()
        .map(|a| (app_key(&a.app.label, &mut HashSet::new()), a.clone()))
        .collect();
    let changes = diff(&config, &rekeyed).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    (text, changes)
}

#[test]
fn a_converged_luciq_org_exports_to_a_config_that_plans_nothing() {
    let live = org(okta_attributes(), converged_app());
    let (text, changes) = export_and_plan(&live);
    assert_eq!(changes.changes, vec![], "{text}");
    assert!(
        text.starts_with("# yaml-language-server: $schema="),
        "{text}"
    );
    assert!(text.contains("find: { id: 0oaLUCIQ }   # Luciq"), "{text}");
    assert!(
        text.contains("enum: { adminstrator: Admin, member: Member, viewer: Viewer }"),
        "{text}"
    );
    assert!(
        text.contains("# scim:"),
        "the SCIM connection is a hint: {text}"
    );
    // Mapped from the Okta user, so not a per-user value (Okta would refuse both at once).
    assert!(
        !text.contains("alice@example.com: { instabugRole"),
        "{text}"
    );
}

#[test]
fn unmapped_profile_values_and_non_default_mappings_are_exported() {
    let mut app = converged_app();
    app.to_app = Some(
        serde_json::from_value(json!({"id": "prmTOAPP", "source": {"id": "otyDEFAULT", "type": "user"},
            "target": {"id": "0oaLUCIQ", "type": "appuser"},
            "properties": {"email": {"expression": "user.email", "pushStatus": "PUSH"},
                           "displayName": {"expression": "user.firstName + \" \" + user.lastName", "pushStatus": "DONT_PUSH"}}}))
        .unwrap(),
    );
    let live = org(okta_attributes(), app);
    let (text, changes) = export_and_plan(&live);
    assert_eq!(changes.changes, vec![], "{text}");
    assert!(
        !text.contains("email: user.email"),
        "a default mapping is left out: {text}"
    );
    assert!(
        text.contains(r#"displayName: { expression: "user.firstName + \" \" + user.lastName", apply_on: create_only }"#),
        "{text}"
    );
    assert!(
        text.contains("alice@example.com: { instabugRole: adminstrator, instabugApplications: [iOS App, Web App] }"),
        "{text}"
    );
    assert!(
        text.contains("Engineering: { priority: 0, profile: {"),
        "{text}"
    );
}
