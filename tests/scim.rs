//! End to end, the vendor's side: the real binary applies the examples to the sandbox, whose
//! Okta provisions to the embedded SCIM servers (`/__sandbox/scim/{appId}/v2`), and `oktaform
//! check scim` asks those servers whether they take what Okta sends.

mod common;

use common::{SandboxProcess, Workdir, assert_exit, example, run_against, stderr, stdout};
use serde_json::{Value, json};

const SCIM_TOKEN: &str = "sandbox-scim-token";

/// The example with its SCIM base URL pointed at the app's embedded server (and, optionally,
/// one more edit), written into the workdir.
fn config_for(work: &Workdir, name: &str, base: &str, edit: impl Fn(String) -> String) -> String {
    let text = std::fs::read_to_string(example(name)).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("base_url:"))
        .unwrap();
    let indent = &line[..line.len() - line.trim_start().len()];
    let text = text.replace(line, &format!("{indent}base_url: {base}"));
    work.write(&format!("{name}.yaml"), &edit(text))
        .display()
        .to_string()
}

/// What an admin clicks for app `id`: the SCIM connection to the embedded server, and toggles.
fn console(sandbox: &SandboxProcess, id: &str, features: &[&str]) -> String {
    let base = format!("{}/__sandbox/scim/{id}/v2", sandbox.url);
    let (status, body) = sandbox.call(
        "PUT",
        &format!("/__sandbox/console/apps/{id}/provisioning"),
        Some(json!({"features": features, "scim": {"baseUrl": base, "token": SCIM_TOKEN}})),
    );
    assert_eq!(status, 200, "{body}");
    base
}

const ALL_ON: &[&str] = &[
    "SCIM_PROVISIONING",
    "PUSH_NEW_USERS",
    "PUSH_PROFILE_UPDATES",
    "PUSH_USER_DEACTIVATION",
];

fn vendor(sandbox: &SandboxProcess, id: &str) -> Value {
    let (status, body) = sandbox.call("GET", &format!("/__sandbox/scim/{id}"), None);
    assert_eq!(status, 200, "{body}");
    body
}

fn vendor_user<'v>(state: &'v Value, login: &str) -> &'v Value {
    state["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userName"] == login)
        .unwrap_or_else(|| panic!("{login} is not at the vendor: {state:#}"))
}

fn apply(work: &Workdir, sandbox: &SandboxProcess, config: &str) {
    let output = run_against(work, sandbox, &["apply", "-c", config, "--auto-approve"]);
    assert_exit(&output, 0);
}

fn check_scim(
    work: &Workdir,
    sandbox: &SandboxProcess,
    config: &str,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec!["check", "scim", "-c", config];
    args.extend(extra);
    work.command(&args)
        .env("OKTA_ORG_URL", &sandbox.url)
        .env("LUCIQ_SCIM_TOKEN", SCIM_TOKEN)
        .env("LIGHTRUN_SCIM_TOKEN", SCIM_TOKEN)
        .output()
        .unwrap()
}

fn user_id(sandbox: &SandboxProcess, login: &str) -> String {
    let (_, user) = sandbox.call("GET", &format!("/api/v1/users/{login}"), None);
    user["id"].as_str().unwrap().to_string()
}

#[test]
fn luciq_receives_alice_with_her_role_and_applications_and_check_scim_passes() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let id = sandbox.app_id("Luciq");
    let base = console(&sandbox, &id, ALL_ON);
    let config = config_for(&work, "luciq", &base, |t| t);
    apply(&work, &sandbox, &config);
    // Alice's app access is mapped from her Okta profile: an admin sets it.
    let alice = user_id(&sandbox, "alice@example.com");
    let (status, body) = sandbox.call(
        "POST",
        &format!("/__sandbox/console/api/v1/users/{alice}"),
        Some(json!({"profile": {"instabugApplications": ["iOS App", "Web App"]}})),
    );
    assert_eq!(status, 200, "{body}");

    let state = vendor(&sandbox, &id);
    let at_luciq = vendor_user(&state, "alice@example.com");
    let instabug = &at_luciq["urn:ietf:params:scim:schemas:extension:instabug:2.0:User"];
    assert_eq!(instabug["instabugRole"], "adminstrator", "{at_luciq:#}");
    assert_eq!(
        instabug["instabugApplications"],
        json!(["iOS App", "Web App"]),
        "{at_luciq:#}"
    );
    assert_eq!(at_luciq["emails"][0]["value"], "alice@example.com");
    assert_eq!(at_luciq["active"], true);
    // Created with POST, the app access then pushed with PUT; Okta's externalId is the vendor's id.
    let methods: Vec<(&str, &str)> = state["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["method"].as_str().unwrap(), r["path"].as_str().unwrap()))
        .collect();
    assert!(methods.contains(&("POST", "/Users")), "{methods:?}");
    assert!(
        methods
            .iter()
            .any(|(m, p)| *m == "PUT" && p.starts_with("/Users/")),
        "{methods:?}"
    );
    let (_, app_user) = sandbox.call("GET", &format!("/api/v1/apps/{id}/users/{alice}"), None);
    assert_eq!(app_user["externalId"], at_luciq["id"]);
    assert_eq!(app_user["status"], "PROVISIONED");

    // The same state through the vendor's SCIM API, with its token.
    let output = check_scim(&work, &sandbox, &config, &[]);
    assert_exit(&output, 0);
    let text = stdout(&output);
    insta::assert_snapshot!(text.replace(&sandbox.url, "http://127.0.0.1:PORT"));
    assert!(text.contains("✔ attribute instabugRole"), "{text}");
    assert!(text.contains("All "), "{text}");
    assert!(!text.contains(SCIM_TOKEN) && !stderr(&output).contains(SCIM_TOKEN));
}

#[test]
fn an_attribute_without_external_name_is_caught_and_not_sent() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let id = sandbox.app_id("Luciq");
    let base = console(&sandbox, &id, ALL_ON);
    let config = config_for(&work, "luciq", &base, |t| {
        t.replace("        external_name: instabugRole\n", "")
    });
    let output = check_scim(&work, &sandbox, &config, &["--format", "json"]);
    assert_exit(&output, 2);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let failed: Vec<&Value> = report["apps"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .collect();
    assert_eq!(failed.len(), 1, "{report:#}");
    assert_eq!(failed[0]["check"], "attribute instabugRole");
    assert_eq!(
        failed[0]["fix"],
        "set external_name: instabugRole on attribute instabugRole"
    );

    // As on Okta, the sandbox does not send an attribute without an external name.
    apply(&work, &sandbox, &config);
    let state = vendor(&sandbox, &id);
    let at_luciq = vendor_user(&state, "alice@example.com");
    assert!(
        at_luciq["urn:ietf:params:scim:schemas:extension:instabug:2.0:User"]["instabugRole"]
            .is_null(),
        "{at_luciq:#}"
    );
}

#[test]
fn lightrun_unassigned_with_deactivate_users_is_deactivated_not_deleted() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let id = sandbox.app_id("Lightrun");
    let base = console(&sandbox, &id, ALL_ON);
    let config = config_for(&work, "lightrun", &base, |t| t);
    apply(&work, &sandbox, &config);
    assert_eq!(
        vendor_user(&vendor(&sandbox, &id), "carol@example.com")["active"],
        true
    );

    let carol = user_id(&sandbox, "carol@example.com");
    let (status, _) = sandbox.call("DELETE", &format!("/api/v1/apps/{id}/users/{carol}"), None);
    assert_eq!(status, 204);
    let state = vendor(&sandbox, &id);
    assert_eq!(
        vendor_user(&state, "carol@example.com")["active"],
        false,
        "{state:#}"
    );
    let log = state["log"].as_array().unwrap();
    assert!(log.iter().all(|r| r["method"] != "DELETE"), "{log:#?}");
    let last = log.last().unwrap();
    assert_eq!(last["method"], "PATCH");
    assert_eq!(last["body"]["Operations"][0]["value"]["active"], false);

    let output = check_scim(&work, &sandbox, &config, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    // Lightrun takes no groups: pushing them is caught.
    let pushing = config_for(&work, "lightrun", &base, |t| {
        t.replace(
            "[push_new_users, push_profile_updates]",
            "[push_new_users, push_profile_updates, push_groups]",
        )
    });
    let output = check_scim(&work, &sandbox, &pushing, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(stdout(&output).contains("✘ groups"), "{}", stdout(&output));
}

#[test]
fn accessiq_pushed_group_arrives_with_its_members_as_an_organization() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let id = sandbox.app_id("AccessIQ");
    let mut features = ALL_ON.to_vec();
    features.push("GROUP_PUSH");
    let base = console(&sandbox, &id, &features);
    work.write("secrets/accessiq-scim-token", SCIM_TOKEN);
    let config = config_for(&work, "accessiq", &base, |t| t);
    apply(&work, &sandbox, &config);

    // The example pushes Engineering, and Support as "Customer Support" (group_push:).
    let (_, groups) = sandbox.call("GET", "/api/v1/groups?q=Engineering", None);
    let engineering = groups[0]["id"].as_str().unwrap().to_string();
    let (_, mappings) = sandbox.call(
        "GET",
        &format!("/api/v1/apps/{id}/group-push/mappings"),
        None,
    );
    let mapping = mappings
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["sourceGroupId"] == engineering.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("Engineering is pushed: {mappings:#}"));
    let state = vendor(&sandbox, &id);
    let names: Vec<&Value> = state["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["displayName"])
        .collect();
    assert_eq!(names, vec!["Engineering", "Customer Support"], "{state:#}");
    let group = &state["groups"][0];
    let alice = vendor_user(&state, "alice@example.com")["id"].clone();
    let bob = vendor_user(&state, "bob@example.com")["id"].clone();
    let members: Vec<&Value> = group["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["value"])
        .collect();
    assert_eq!(members, vec![&alice, &bob], "{state:#}");
    let organization = state["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "Engineering")
        .unwrap();
    assert_eq!(
        organization["members"],
        json!(["alice@example.com", "bob@example.com"])
    );

    // Deleting the mapping with deleteTargetGroup deletes the group at the vendor.
    let mid = mapping["id"].as_str().unwrap();
    sandbox.call(
        "PATCH",
        &format!("/api/v1/apps/{id}/group-push/mappings/{mid}"),
        Some(json!({"status": "INACTIVE"})),
    );
    let (status, _) = sandbox.call(
        "DELETE",
        &format!("/api/v1/apps/{id}/group-push/mappings/{mid}?deleteTargetGroup=true"),
        None,
    );
    assert_eq!(status, 200);
    let names: Vec<Value> = vendor(&sandbox, &id)["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["displayName"].clone())
        .collect();
    assert_eq!(
        names,
        vec![json!("Customer Support")],
        "only Engineering was deleted"
    );

    let output = check_scim(&work, &sandbox, &config, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("✔ groups"), "{}", stdout(&output));
}

#[test]
fn check_scim_refuses_http_off_loopback_and_a_wrong_token() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let id = sandbox.app_id("Lightrun");
    let base = console(&sandbox, &id, ALL_ON);
    let config = config_for(&work, "lightrun", "http://scim.example.com/v2", |t| t);
    // Refused before any request: validation wants https off loopback.
    let output = check_scim(&work, &sandbox, &config, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("must use https"),
        "{}",
        stderr(&output)
    );

    let config = config_for(&work, "lightrun", &base, |t| t);
    let output = work
        .command(&["check", "scim", "-c", &config])
        .env("LIGHTRUN_SCIM_TOKEN", "not-the-token")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stdout(&output).contains("✘ authentication: the token was refused (401)"),
        "{}",
        stdout(&output)
    );
    assert!(!stdout(&output).contains("not-the-token"));
    let output = check_scim(&work, &sandbox, &config, &["--app", "nope"]);
    assert_eq!(output.status.code(), Some(1));

    // Basic Auth is sent as Basic (the embedded server takes bearer tokens only, so it is
    // refused there) and the password never shows; OAuth 2 says why it cannot be checked.
    let config = config_for(&work, "lightrun", &base, |t| {
        t.replace(
            "          mode: header                                   # Authentication Mode: HTTP Header\n          token: ${env:LIGHTRUN_SCIM_TOKEN}",
            "          mode: basic\n          username: okta\n          password: ${env:LIGHTRUN_SCIM_PASSWORD}",
        )
    });
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("mode: basic")
    );
    let output = work
        .command(&["check", "scim", "-c", &config])
        .env("LIGHTRUN_SCIM_PASSWORD", "hunter2-password")
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("✘ authentication: the token was refused (401)"),
        "{text}"
    );
    assert!(
        !text.contains("hunter2") && !text.contains("b2t0YTpodW50ZXIy"),
        "{text}"
    );
    let (_, log) = sandbox.call("GET", &format!("/__sandbox/scim/{id}"), None);
    assert!(
        !log.to_string().contains("hunter2"),
        "the vendor's log holds no credential"
    );
}
