//! `oktaform export` with the real binary against `oktaform sandbox serve`: the demo org and
//! the org each example leaves after apply export to configs that validate and plan to no
//! change at all.

mod common;

use common::{SandboxProcess, Workdir, example, run_against, stderr, stdout};
use serde_json::Value;

fn plan_changes(work: &Workdir, sandbox: &SandboxProcess, config: &str) -> Vec<Value> {
    let output = run_against(work, sandbox, &["plan", "-c", config, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let plan: Value = serde_json::from_str(&stdout(&output)).unwrap();
    plan["changes"].as_array().unwrap().clone()
}

fn export(work: &Workdir, sandbox: &SandboxProcess, args: &[&str]) {
    let mut all = vec!["export"];
    all.extend(args);
    let output = run_against(work, sandbox, &all);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn the_demo_org_exports_to_a_config_that_plans_no_change() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    export(&work, &sandbox, &["--all", "-o", "org.yaml"]);
    let text = std::fs::read_to_string(work.path().join("org.yaml")).unwrap();
    assert!(
        text.starts_with("# yaml-language-server: $schema="),
        "{text}"
    );
    assert!(!text.contains("partner-org-token"), "no secret is exported");
    let output = work.run(&["validate", "-c", "org.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}{text}", stderr(&output));
    assert_eq!(
        plan_changes(&work, &sandbox, "org.yaml"),
        Vec::<Value>::new(),
        "{text}"
    );
}

#[test]
fn every_example_after_apply_exports_to_a_config_that_plans_no_change() {
    for (name, labels) in [
        ("luciq", &["Luciq"][..]),
        ("lightrun", &["Lightrun"]),
        ("accessiq", &["AccessIQ"]),
        ("org", &["Luciq", "Lightrun", "Partner Org (Org2Org)"]),
    ] {
        let work = Workdir::new();
        let sandbox = SandboxProcess::start(&work);
        let output = run_against(
            &work,
            &sandbox,
            &["apply", "-c", &example(name), "--auto-approve"],
        );
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        let mut args = vec!["-o", "exported/"];
        for label in labels {
            args.extend(["--app", label]);
        }
        export(&work, &sandbox, &args);
        let output = work.run(&["validate", "-c", "exported"]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        let changes = plan_changes(&work, &sandbox, "exported");
        assert_eq!(changes, Vec::<Value>::new(), "{name}");
    }
}

#[test]
fn export_without_apps_says_how_to_name_them() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let output = run_against(&work, &sandbox, &["export"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("--app LABEL"),
        "{}",
        stderr(&output)
    );
}
