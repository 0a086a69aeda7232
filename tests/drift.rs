//! `oktaform drift` with the real binary against `oktaform sandbox serve`: a console edit is
//! drift (exit 2) attributed to the admin who made it from the System Log; the same drift
//! keeps its fingerprint and is `still` on the next run; ignore rules silence exactly what
//! they name; after apply, no drift (exit 0).

mod common;

use common::{SandboxProcess, Workdir, example, run_against, stderr, stdout};
use serde_json::{Value, json};

fn drift(work: &Workdir, sandbox: &SandboxProcess, extra: &[&str]) -> (Option<i32>, Value) {
    let config = example("luciq");
    let mut args = vec![
        "drift",
        "-c",
        &config,
        "--format",
        "json",
        "--state",
        "drift.json",
    ];
    args.extend(extra);
    let output = run_against(work, sandbox, &args);
    let report = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&output), stderr(&output)));
    (output.status.code(), report)
}

/// An admin edits Luciq's instabugRole title and bob's role in the Admin Console.
fn console_edits(sandbox: &SandboxProcess) {
    let app = sandbox.app_id("Luciq");
    let schema = format!("/api/v1/meta/schemas/apps/{app}/default");
    let (_, live) = sandbox.call("GET", &schema, None);
    let mut role = live["definitions"]["custom"]["properties"]["instabugRole"].clone();
    role["title"] = json!("Role in Luciq");
    let (status, body) = sandbox.call(
        "POST",
        &format!("/__sandbox/console{schema}?admin=jane@example.com"),
        Some(
            json!({"definitions": {"custom": {"id": "#custom", "type": "object", "properties": {
            "instabugRole": role}}}}),
        ),
    );
    assert_eq!(status, 200, "{body}");
    let (_, users) = sandbox.call(
        "GET",
        "/api/v1/users?search=profile.login%20eq%20%22bob%40example.com%22",
        None,
    );
    let bob = users[0]["id"].as_str().unwrap().to_string();
    let (status, body) = sandbox.call(
        "POST",
        &format!("/__sandbox/console/api/v1/apps/{app}/users/{bob}?admin=jane@example.com"),
        Some(json!({"profile": {"instabugRole": "viewer"}})),
    );
    assert_eq!(status, 200, "{body}");
}

fn finding<'a>(report: &'a Value, kind: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"]["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} finding: {report:#}"))
}

#[test]
fn a_console_edit_is_drift_named_after_its_admin_and_alerts_once() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let config = example("luciq");
    let output = run_against(&work, &sandbox, &["apply", "-c", &config, "--auto-approve"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (code, report) = drift(&work, &sandbox, &[]);
    assert_eq!(code, Some(0), "after apply: {report:#}");
    assert_eq!(report["drift"], false);

    console_edits(&sandbox);
    let (code, first) = drift(&work, &sandbox, &[]);
    assert_eq!(code, Some(2), "{first:#}");
    let attribute = finding(&first, "app_attribute");
    assert_eq!(attribute["kind"], "changed");
    assert_eq!(attribute["seen"], "new");
    // The latest event is the edit (oktaform's own apply, through the API, may be in the
    // window too: it starts at the last clean run's second).
    let last = |f: &Value| f["events"].as_array().unwrap().last().cloned().unwrap();
    let event = last(attribute);
    assert_eq!(event["actor"], "jane@example.com", "{attribute:#}");
    assert_eq!(event["via"], "admin_console");
    let bob = finding(&first, "user_assignment");
    assert_eq!(last(bob)["actor"], "jane@example.com", "{bob:#}");

    // The same drift on the next run: the same fingerprints, now `still`.
    let (code, second) = drift(&work, &sandbox, &[]);
    assert_eq!(code, Some(2));
    assert_eq!(second["fingerprint"], first["fingerprint"]);
    assert!(
        second["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["seen"] == "still")
    );

    // Text output names the admin and the console, for a cron mail.
    let output = run_against(&work, &sandbox, &["drift", "-c", &config]);
    let text = stdout(&output);
    assert!(
        text.contains("by jane@example.com at ") && text.contains("(Admin Console"),
        "{text}"
    );

    // Ignoring the title leaves bob's role; ignoring both leaves nothing.
    let title = "app=luciq,kind=app_attribute,name=instabugRole,field=title";
    let (code, ignored) = drift(&work, &sandbox, &["--ignore", title]);
    assert_eq!(code, Some(2));
    assert_eq!(
        ignored["findings"].as_array().unwrap().len(),
        1,
        "{ignored:#}"
    );
    assert_eq!(ignored["ignored"], 1);
    let role = "kind=user_assignment,name=bob@example.com,field=instabugRole";
    let (code, quiet) = drift(&work, &sandbox, &["--ignore", title, "--ignore", role]);
    assert_eq!(code, Some(0), "{quiet:#}");

    // Apply restores the org: no drift.
    let output = run_against(&work, &sandbox, &["apply", "-c", &config, "--auto-approve"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (code, after) = drift(&work, &sandbox, &[]);
    assert_eq!(code, Some(0), "{after:#}");
}

#[test]
fn a_drift_run_costs_a_plan_plus_the_system_log() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let config = example("luciq");
    let count = |sandbox: &SandboxProcess| {
        let (_, requests) = sandbox.call("GET", "/__sandbox/requests", None);
        let log = requests["log"].as_array().unwrap().clone();
        sandbox.call("DELETE", "/__sandbox/requests", None);
        log
    };
    count(&sandbox);
    run_against(&work, &sandbox, &["plan", "-c", &config]);
    let plan = count(&sandbox);
    let output = run_against(&work, &sandbox, &["drift", "-c", &config]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "a fresh org drifts from the config"
    );
    let drift = count(&sandbox);
    let logs = drift
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .unwrap_or_default()
                .starts_with("/api/v1/logs")
        })
        .count();
    assert_eq!(logs, 1, "one System Log page");
    assert_eq!(drift.len(), plan.len() + logs);
}
