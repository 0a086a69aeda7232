//! Drift's unit tests: findings from a Luciq org in several states (see `plan::testing`).

use serde_json::{from_value, json};

use super::*;
use crate::config::model::ObjectKind;
use crate::okta::types::LogEvent;
use crate::plan::diff;
use crate::plan::testing::*;

fn luciq_plan(app: crate::okta::LiveApp) -> (Plan, Snapshot) {
    let live = org(okta_attributes(), app);
    let changes = diff(&config(LUCIQ), &live).unwrap();
    (
        Plan::new("https://acme.okta.com".into(), &live, changes),
        live,
    )
}

/// Bob's role changed by hand; Update User Attributes turned off in the console.
fn drifted() -> crate::okta::LiveApp {
    let mut app = converged_app();
    app.users.as_mut().unwrap()[1]
        .assignment
        .profile
        .insert("instabugRole".into(), json!("viewer"));
    app.app
        .features
        .as_mut()
        .unwrap()
        .retain(|f| f != "PUSH_PROFILE_UPDATES");
    app
}

#[test]
fn the_same_drift_has_the_same_fingerprint_whatever_the_order() {
    let (plan, live) = luciq_plan(drifted());
    let (a, _) = findings(&plan, &live, &[]);
    let mut reversed = plan.clone();
    reversed.changes.reverse();
    let (b, _) = findings(&reversed, &live, &[]);
    let report_a = report(&plan, a, 0, "t0".into(), None);
    let report_b = report(&reversed, b, 0, "t1".into(), None);
    assert_eq!(report_a.fingerprint, report_b.fingerprint);
    assert_eq!(report_a.findings.len(), 1, "{:#?}", report_a.findings);
    assert_eq!(report_a.findings[0].kind, FindingKind::Changed);
    assert_eq!(
        report_a.pending.len(),
        1,
        "without a state, console steps are pending"
    );
    // Another value is another drift.
    let mut other = drifted();
    other.users.as_mut().unwrap()[1]
        .assignment
        .profile
        .insert("instabugRole".into(), json!("adminstrator"));
    let (plan_c, live_c) = luciq_plan(other);
    let (c, _) = findings(&plan_c, &live_c, &[]);
    assert_ne!(
        report(&plan_c, c, 0, "t".into(), None).fingerprint,
        report_a.fingerprint
    );
}

#[test]
fn a_console_step_after_a_clean_run_is_drift_and_is_still_on_the_next_run() {
    let (clean_plan, clean_live) = luciq_plan(converged_app());
    let (f, _) = findings(&clean_plan, &clean_live, &[]);
    let clean = report(&clean_plan, f, 0, "t0".into(), None);
    assert!(!clean.drift);
    let state = DriftState::after(None, &clean, "t0");

    let mut app = converged_app();
    app.app
        .features
        .as_mut()
        .unwrap()
        .retain(|f| f != "PUSH_PROFILE_UPDATES");
    let (plan, live) = luciq_plan(app);
    let (f, _) = findings(&plan, &live, &[]);
    let first = report(&plan, f, 0, "t1".into(), Some(&state));
    assert!(first.drift);
    assert_eq!(first.findings[0].seen, Seen::New);
    assert!(first.findings[0].console);
    let state = DriftState::after(Some(&state), &first, "t1");
    assert_eq!(state.last_clean.as_deref(), Some("t0"));
    let (f, _) = findings(&plan, &live, &[]);
    let second = report(&plan, f, 0, "t2".into(), Some(&state));
    assert_eq!(second.findings[0].seen, Seen::Still);
    assert_eq!(second.fingerprint, first.fingerprint);
}

#[test]
fn ignore_rules_silence_exactly_what_they_name() {
    let (plan, live) = luciq_plan(drifted());
    let field_rule = IgnoreRule {
        app: Some("luciq".into()),
        kind: Some(ObjectKind::UserAssignment),
        name: Some("bob@example.com".into()),
        field: Some("instabugRole".into()),
    };
    let (f, ignored) = findings(&plan, &live, std::slice::from_ref(&field_rule));
    assert_eq!(ignored, 1);
    assert!(
        f.iter()
            .all(|f| f.subject.kind() != ObjectKind::UserAssignment)
    );
    assert!(f.iter().any(|f| f.subject.kind() == ObjectKind::ToApp));
    let other_field = IgnoreRule {
        field: Some("instabugApplications".into()),
        ..field_rule
    };
    let (f, ignored) = findings(&plan, &live, &[other_field]);
    assert_eq!(ignored, 0);
    assert_eq!(f.len(), 2);
    let kind_rule: IgnoreRule = "kind=to_app".parse().unwrap();
    let (f, _) = findings(&plan, &live, &[kind_rule]);
    assert!(f.iter().all(|f| f.subject.kind() != ObjectKind::ToApp));
}

#[test]
fn events_are_matched_by_the_objects_they_name_and_their_kind() {
    let (plan, live) = luciq_plan(drifted());
    let (mut f, _) = findings(&plan, &live, &[]);
    let event = |kind: &str, targets: serde_json::Value| -> LogEvent {
        from_value(json!({
            "uuid": "e", "published": "2026-11-30T14:02:11.000Z", "eventType": kind,
            "actor": {"id": "00uJANE", "type": "User", "alternateId": "jane@example.com"},
            "client": {"ipAddress": "10.1.2.3", "userAgent": {"rawUserAgent": "Mozilla/5.0 (Macintosh)"}},
            "target": targets
        }))
        .unwrap()
    };
    let events = vec![
        event(
            "application.user_membership.change_profile",
            json!([{"id": "0oaLUCIQ", "type": "AppInstance"}, {"id": "00uBOB", "type": "User"}]),
        ),
        // Another user of the same app: not bob's finding.
        event(
            "application.user_membership.change_profile",
            json!([{"id": "0oaLUCIQ", "type": "AppInstance"}, {"id": "00uALICE", "type": "User"}]),
        ),
        event(
            "application.lifecycle.update",
            json!([{"id": "0oaLUCIQ", "type": "AppInstance"}]),
        ),
    ];
    attribution::attribute(&mut f, &events);
    let bob = f
        .iter()
        .find(|f| f.subject.kind() == ObjectKind::UserAssignment)
        .unwrap();
    assert_eq!(bob.events.len(), 1);
    assert_eq!(bob.events[0].actor, "jane@example.com");
    assert_eq!(bob.events[0].via, attribution::Via::AdminConsole);
    let toggles = f
        .iter()
        .find(|f| f.subject.kind() == ObjectKind::ToApp)
        .unwrap();
    assert_eq!(toggles.events.len(), 1);
    assert_eq!(toggles.events[0].event_type, "application.lifecycle.update");
}
