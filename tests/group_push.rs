//! Group push end to end: the real binary applies `examples/accessiq.yaml` (its groups pushed as
//! AccessIQ organizations) to the sandbox org, a push made by hand is found by `plan` and
//! `drift` and removed, and removing one with `delete_target_group` is `data-loss`.

mod common;

use common::{SandboxProcess, Workdir, assert_exit, example, run_against, stderr, stdout};
use serde_json::{Value, json};

fn mappings(sandbox: &SandboxProcess) -> Vec<Value> {
    let app = sandbox.app_id("AccessIQ");
    let (status, list) = sandbox.call(
        "GET",
        &format!("/api/v1/apps/{app}/group-push/mappings"),
        None,
    );
    assert_eq!(status, 200, "{list:#}");
    list.as_array().unwrap().clone()
}

fn group_id(sandbox: &SandboxProcess, name: &str) -> String {
    let (_, groups) = sandbox.call("GET", "/api/v1/groups?limit=200", None);
    groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["profile"]["name"] == name)
        .and_then(|g| g["id"].as_str())
        .unwrap_or_else(|| panic!("no group {name}"))
        .to_string()
}

fn plan_json(work: &Workdir, sandbox: &SandboxProcess, config: &str) -> Value {
    let output = run_against(work, sandbox, &["plan", "-c", config, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).unwrap()
}

fn pushes(plan: &Value) -> Vec<(String, String, String)> {
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["subject"]["kind"] == "group_push")
        .map(|c| {
            (
                c["subject"]["group"].as_str().unwrap().to_string(),
                c["action"].as_str().unwrap().to_string(),
                c["risk"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_accessiq_example_pushes_its_groups_and_removes_a_push_made_by_hand() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let config = example("accessiq");
    let output = run_against(&work, &sandbox, &["apply", "-c", &config, "--auto-approve"]);
    assert_exit(&output, 0);
    let live = mappings(&sandbox);
    let sources: Vec<&str> = live
        .iter()
        .map(|m| m["sourceGroupId"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            group_id(&sandbox, "Engineering"),
            group_id(&sandbox, "Support")
        ],
        "{live:#?}"
    );
    assert!(live.iter().all(|m| m["status"] == "ACTIVE"), "{live:#?}");
    assert_eq!(
        pushes(&plan_json(&work, &sandbox, &config)),
        vec![],
        "converged"
    );

    // Another admin pushes Everyone by hand: the config owns the pushes exclusively.
    let app = sandbox.app_id("AccessIQ");
    let (status, made) = sandbox.call(
        "POST",
        &format!("/api/v1/apps/{app}/group-push/mappings"),
        Some(json!({"sourceGroupId": group_id(&sandbox, "Everyone"), "status": "ACTIVE", "targetGroupName": "Everyone"})),
    );
    assert_eq!(status, 200, "{made:#}");
    let plan = plan_json(&work, &sandbox, &config);
    assert_eq!(
        pushes(&plan),
        [(
            "Everyone".to_string(),
            "delete".to_string(),
            "safe".to_string()
        )],
        "the organization is kept at AccessIQ (on_removal: keep_target_group): {plan:#}"
    );
    let output = run_against(&work, &sandbox, &["plan", "-c", &config]);
    let text = stdout(&output);
    assert!(
        text.contains("  - pushed group Everyone\n      the vendor's group (")
            && text.contains("stays (deleteTargetGroup=false); Okta stops updating it"),
        "{text}"
    );
    let output = run_against(
        &work,
        &sandbox,
        &["drift", "-c", &config, "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        report.contains("\"unmanaged\"") && report.contains("Everyone"),
        "{report}"
    );

    let output = run_against(&work, &sandbox, &["apply", "-c", &config, "--auto-approve"]);
    assert_exit(&output, 0);
    assert_eq!(mappings(&sandbox).len(), 2);
    assert!(
        !mappings(&sandbox).iter().any(|m| m["id"] == made["id"]),
        "the hand-made push is gone"
    );
}

#[test]
fn deleting_the_vendors_group_with_a_push_is_data_loss_and_needs_its_flag() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let text = std::fs::read_to_string(example("accessiq")).unwrap();
    // The example, with Support's push dropped, paused Engineering's, and the vendor's group
    // deleted on removal. The token file lives beside the example.
    let edited = text
        .replace(
            "        Support: { target: { name: Customer Support } }",
            "        # Support dropped",
        )
        .replace(
            "        Engineering:                              # a new",
            "        Engineering: { status: inactive }        # a new",
        )
        .replace(
            "on_removal: keep_target_group",
            "on_removal: delete_target_group",
        )
        .replace(
            "${file:secrets/accessiq-scim-token}",
            "${env:ACCESSIQ_SCIM_TOKEN}",
        );
    assert_ne!(edited, text);
    let config = work.write("accessiq.yaml", &edited);
    let config = config.to_str().unwrap();
    let output = run_against(
        &work,
        &sandbox,
        &["apply", "-c", &example("accessiq"), "--auto-approve"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let plan = plan_json(&work, &sandbox, config);
    assert_eq!(
        pushes(&plan),
        [
            (
                "Engineering".to_string(),
                "update".to_string(),
                "safe".to_string()
            ),
            (
                "Support".to_string(),
                "delete".to_string(),
                "data-loss".to_string()
            ),
        ],
        "{plan:#}"
    );
    let output = run_against(&work, &sandbox, &["apply", "-c", config, "--auto-approve"]);
    assert_exit(&output, 3);
    assert_eq!(mappings(&sandbox).len(), 2, "nothing was sent");
    let output = run_against(
        &work,
        &sandbox,
        &["apply", "-c", config, "--auto-approve", "--allow-data-loss"],
    );
    assert_exit(&output, 0);
    let live = mappings(&sandbox);
    assert_eq!(live.len(), 1, "{live:#?}");
    assert_eq!(live[0]["status"], "INACTIVE");
    assert_eq!(pushes(&plan_json(&work, &sandbox, config)), vec![]);
}
