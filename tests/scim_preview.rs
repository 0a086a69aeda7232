//! `plan --show-scim` through the real binary against the sandbox: the payloads Luciq's SCIM
//! server will receive, for people (a snapshot) and machines (`scim_preview`), never a secret.

mod common;

use common::{SandboxProcess, Workdir, example, run_against, stderr, stdout};
use serde_json::Value;

#[test]
fn the_luciq_plan_previews_what_luciq_receives() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let config = example("luciq");
    let output = run_against(&work, &sandbox, &["plan", "-c", &config, "--show-scim"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let preview = &text[text.find("\nSCIM payloads").expect("a preview section")..];
    insta::assert_snapshot!("luciq_scim_preview", preview);

    let output = run_against(
        &work,
        &sandbox,
        &["plan", "-c", &config, "--show-scim", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let plan: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let alice = plan["scim_preview"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["login"] == "alice@example.com")
        .unwrap();
    assert_eq!(alice["request"], "POST /Users");
    assert_eq!(
        alice["body"]["urn:ietf:params:scim:schemas:extension:instabug:2.0:User"]["instabugRole"],
        "adminstrator"
    );
    assert!(!stdout(&output).contains("sandbox-token"));
}

#[test]
fn an_attribute_without_an_external_name_is_caught_by_the_preview() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let config = work.write(
        "a.yaml",
        "apps:\n  luciq:\n    find: { label: Luciq }\n    provisioning:\n      to_app: { create_users: true }\n    attributes:\n      instabugRole: { title: Role, type: string, external_namespace: urn:ietf:params:scim:schemas:extension:instabug:2.0:User }\n    assignments:\n      users:\n        alice@example.com: { instabugRole: adminstrator }\n",
    );
    let output = run_against(
        &work,
        &sandbox,
        &["plan", "-c", config.to_str().unwrap(), "--show-scim"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("not sent: instabugRole: no external name"),
        "{text}"
    );
    assert!(
        !text.contains("\"instabugRole\": \"adminstrator\""),
        "{text}"
    );
}
