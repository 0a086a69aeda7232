//! End to end: the real binary plans and applies the examples against the sandbox org served by
//! `oktaform sandbox serve` over loopback HTTP, and every safety rule holds.

mod common;

use common::{SandboxProcess, Workdir, assert_exit, example, run_against, stderr, stdout};
use serde_json::{Value, json};

fn plan_json(work: &Workdir, sandbox: &SandboxProcess, config: &str) -> Value {
    let output = run_against(work, sandbox, &["plan", "-c", config, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).unwrap()
}

/// Changes other than manual ones (which only a person in the console can make).
fn automatic(plan: &Value) -> Vec<Value> {
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] != "manual")
        .cloned()
        .collect()
}

fn apply(
    work: &Workdir,
    sandbox: &SandboxProcess,
    config: &str,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec!["apply", "-c", config, "--auto-approve"];
    args.extend(extra);
    run_against(work, sandbox, &args)
}

#[test]
fn luciq_plan_apply_replan_and_console_step() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let config = example("luciq");
    let output = run_against(&work, &sandbox, &["plan", "-c", &config]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output).replace(&sandbox.url, "http://SANDBOX"));

    let output = apply(&work, &sandbox, &config, &[]);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains("Applied 7 changes; 0 failed, 0 skipped, 2 manual steps left."),
        "{}",
        stdout(&output)
    );

    // Only the console step is left, and apply never claimed it.
    let plan = plan_json(&work, &sandbox, &config);
    assert_eq!(automatic(&plan), Vec::<Value>::new(), "{plan:#}");
    assert_eq!(plan["summary"]["manual"], 2);
    assert_eq!(
        plan["manual_steps"][0],
        "Applications → Applications → Luciq → Provisioning → To App → Edit → enable Create Users, Update User Attributes and Deactivate Users, then Save"
    );
    assert!(
        plan["manual_steps"][1]
            .as_str()
            .unwrap()
            .contains("Assignments → Provision Users"),
        "{plan:#}"
    );

    // An admin does the step in the console; the next plan is clean.
    let id = sandbox.app_id("Luciq");
    let (status, _) = sandbox.call(
        "PUT",
        &format!("/__sandbox/console/apps/{id}/provisioning"),
        Some(json!({"features": ["SCIM_PROVISIONING", "PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION"]})),
    );
    assert_eq!(status, 200);
    // The users assigned before are still staged (finding D7): Provision Users is left.
    let plan = plan_json(&work, &sandbox, &config);
    assert_eq!(plan["summary"]["manual"], 1, "{plan:#}");
    assert!(
        plan["manual_steps"][0]
            .as_str()
            .unwrap()
            .contains("Provision Users")
    );
    let (status, _) = sandbox.call(
        "POST",
        &format!("/__sandbox/console/apps/{id}/provision-users"),
        None,
    );
    assert_eq!(status, 200);
    let output = run_against(
        &work,
        &sandbox,
        &["plan", "-c", &config, "--detailed-exitcode"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("No changes: the org matches the config."));

    // Every write is in the System Log, the console step included.
    let (_, logs) = sandbox.call("GET", "/api/v1/logs?limit=1000", None);
    let events: Vec<&str> = logs
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["eventType"].as_str())
        .collect();
    assert!(
        events.contains(&"system.custom_attributes.update"),
        "{events:?}"
    );
    assert!(
        events.contains(&"application.user_membership.add"),
        "{events:?}"
    );
    assert!(
        logs.as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor"]["type"] == "User"),
        "the console edit is logged"
    );
}

#[test]
fn every_example_converges() {
    for name in ["lightrun", "accessiq", "org"] {
        let work = Workdir::new();
        let sandbox = SandboxProcess::start(&work);
        let config = example(name);
        let output = run_against(&work, &sandbox, &["plan", "-c", &config]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        insta::assert_snapshot!(
            format!("first_plan_{name}"),
            stdout(&output).replace(&sandbox.url, "http://SANDBOX")
        );
        let output = apply(&work, &sandbox, &config, &[]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}{}",
            stdout(&output),
            stderr(&output)
        );
        let plan = plan_json(&work, &sandbox, &config);
        assert_eq!(
            automatic(&plan),
            Vec::<Value>::new(),
            "{name} did not converge: {plan:#}"
        );
    }
}

#[test]
fn allow_listed_toggles_are_applied_and_custom_ones_are_manual() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let config = example("org");
    let before = plan_json(&work, &sandbox, &config);
    let to_app: Vec<&Value> = before["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["subject"]["kind"] == "to_app")
        .collect();
    let partner = to_app
        .iter()
        .find(|c| c["subject"]["app"] == "partner-org")
        .expect("partner-org toggles");
    assert_eq!(
        (partner["op"].as_str(), partner["risk"].as_str()),
        (Some("put_feature"), Some("safe"))
    );
    let luciq = to_app
        .iter()
        .find(|c| c["subject"]["app"] == "luciq")
        .expect("luciq toggles");
    assert_eq!(
        (luciq["op"].as_str(), luciq["risk"].as_str()),
        (Some("manual"), Some("manual"))
    );

    let output = apply(&work, &sandbox, &config, &[]);
    assert_exit(&output, 0);
    let id = sandbox.app_id("Partner Org (Org2Org)");
    let (_, feature) = sandbox.call(
        "GET",
        &format!("/api/v1/apps/{id}/features/USER_PROVISIONING"),
        None,
    );
    assert_eq!(
        feature["capabilities"]["update"]["lifecycleDeactivate"]["status"],
        "DISABLED"
    );
    assert_eq!(
        feature["capabilities"]["update"]["password"]["status"],
        "ENABLED"
    );
    assert_eq!(
        feature["capabilities"]["update"]["password"]["seed"],
        "RANDOM"
    );
    // Its provisioning connection is written and activated through the API; the token is
    // sent, never stored or shown.
    let (_, connection) = sandbox.call(
        "GET",
        &format!("/api/v1/apps/{id}/connections/default"),
        None,
    );
    assert_eq!(
        (
            connection["baseUrl"].as_str(),
            connection["status"].as_str()
        ),
        (Some("https://partner.okta.com"), Some("ENABLED"))
    );
    let state = std::fs::read_to_string(work.path().join("sandbox.json")).unwrap();
    assert!(!state.contains("partner-org-token-not-a-secret"));
    assert!(!stdout(&output).contains("partner-org-token-not-a-secret"));
}

const TIERS: &str = "\
okta_user:
  attributes:
    seatTier:
      title: Seat tier
      type: integer
      enum: { 1: Basic, 2: Pro }
";

#[test]
fn data_loss_needs_its_flag() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let path = work.write("tiers.yaml", TIERS);
    let config = path.to_str().unwrap();
    assert_eq!(apply(&work, &sandbox, config, &[]).status.code(), Some(0));
    // Changing the type can only be done by deleting and re-creating: every value is lost.
    work.write(
        "tiers.yaml",
        &TIERS.replace(
            "type: integer\n      enum: { 1: Basic, 2: Pro }",
            "type: string\n      enum: { basic: Basic, pro: Pro }",
        ),
    );
    let output = apply(&work, &sandbox, config, &[]);
    assert_exit(&output, 3);
    assert!(
        stdout(&output).contains("-/+ Okta user attribute seatTier [data-loss]"),
        "{}",
        stdout(&output)
    );
    assert!(
        stderr(&output).contains("--allow-data-loss"),
        "{}",
        stderr(&output)
    );
    let (_, schema) = sandbox.call("GET", "/api/v1/meta/schemas/user/default", None);
    assert_eq!(
        schema["definitions"]["custom"]["properties"]["seatTier"]["type"], "integer",
        "nothing changed"
    );

    let output = apply(&work, &sandbox, config, &["--allow-data-loss"]);
    assert_exit(&output, 0);
    let plan = plan_json(&work, &sandbox, config);
    assert_eq!(automatic(&plan), Vec::<Value>::new(), "{plan:#}");
}

#[test]
fn deprovisioning_needs_its_flag() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let config = example("accessiq");
    assert_eq!(apply(&work, &sandbox, &config, &[]).status.code(), Some(0));
    // Someone assigns Sales in the console; AccessIQ's groups are owned exclusively.
    let app = sandbox.app_id("AccessIQ");
    let (_, groups) = sandbox.call(
        "GET",
        "/api/v1/groups?search=profile.name%20eq%20%22Sales%22",
        None,
    );
    let sales = groups[0]["id"].as_str().unwrap().to_string();
    let (status, _) = sandbox.call(
        "PUT",
        &format!("/api/v1/apps/{app}/groups/{sales}"),
        Some(json!({})),
    );
    assert_eq!(status, 200);
    // Deactivate Users is still a console step (off live): removing Sales deprovisions no one,
    // but its members' app profiles are lost (finding D2).
    let output = apply(&work, &sandbox, &config, &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("- group Sales [data-loss]"),
        "{}",
        stdout(&output)
    );
    assert!(
        stderr(&output).contains("--allow-data-loss"),
        "{}",
        stderr(&output)
    );
    // Once an admin turns the toggles on in the console, the same removal deprovisions, judged
    // by the live toggle (finding D1), and needs both flags.
    let (status, _) = sandbox.call(
        "PUT",
        &format!("/__sandbox/console/apps/{app}/provisioning"),
        Some(json!({"features": ["SCIM_PROVISIONING", "PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION", "GROUP_PUSH"]})),
    );
    assert_eq!(status, 200);
    let output = apply(&work, &sandbox, &config, &["--allow-data-loss"]);
    assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("- group Sales [deprovisions]"),
        "{}",
        stdout(&output)
    );
    assert!(
        stderr(&output).contains("--allow-deprovision"),
        "{}",
        stderr(&output)
    );
    let output = apply(&work, &sandbox, &config, &["--allow-deprovision"]);
    assert_eq!(
        output.status.code(),
        Some(3),
        "both flags: {}",
        stderr(&output)
    );
    let output = apply(
        &work,
        &sandbox,
        &config,
        &["--allow-deprovision", "--allow-data-loss"],
    );
    assert_exit(&output, 0);
    let (_, assigned) = sandbox.call("GET", &format!("/api/v1/apps/{app}/groups"), None);
    assert_eq!(assigned.as_array().unwrap().len(), 2);
}

#[test]
fn a_saved_plan_is_refused_after_a_console_edit() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let config = example("luciq");
    let output = run_against(
        &work,
        &sandbox,
        &["plan", "-c", &config, "--out", "plan.json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let saved = std::fs::read_to_string(work.path().join("plan.json")).unwrap();
    assert!(
        !saved.contains("sandbox-token"),
        "no credential in the plan file"
    );
    // Another admin adds the Okta user attribute first, differently.
    let (status, _) = sandbox.call(
        "POST",
        "/api/v1/meta/schemas/user/default",
        Some(json!({"definitions": {"custom": {"properties": {"instabugRole": {"title": "Role (console)", "type": "string"}}}}})),
    );
    assert_eq!(status, 200);
    let output = run_against(&work, &sandbox, &["apply", "plan.json"]);
    assert_exit(&output, 3);
    assert!(
        stderr(&output).contains("okta user schema"),
        "{}",
        stderr(&output)
    );
    let (_, schema) = sandbox.call("GET", "/api/v1/meta/schemas/user/default", None);
    assert_eq!(
        schema["definitions"]["custom"]["properties"]["instabugRole"]["title"], "Role (console)",
        "not overwritten"
    );

    // A fresh plan of the same org applies.
    let output = run_against(
        &work,
        &sandbox,
        &["plan", "-c", &config, "--out", "plan.json"],
    );
    assert_eq!(output.status.code(), Some(0));
    let output = run_against(&work, &sandbox, &["apply", "plan.json"]);
    assert_exit(&output, 0);
}

#[test]
fn a_fault_mid_apply_is_reported_and_a_rerun_converges() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let config = example("luciq");
    // The read takes 12 requests, the System Log check for another oktaform run one, and the
    // two schema POSTs the next two (each read back in its answer); from the 16th request on,
    // every POST fails with a 500.
    let (status, _) = sandbox.call("PUT", "/__sandbox/config", Some(json!({"faults": {"method": "POST", "on_requests": (16..400).collect::<Vec<u64>>(), "kind": "500"}})));
    assert_eq!(status, 200);
    let output = apply(&work, &sandbox, &config, &[]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}{}", stderr(&output));
    assert!(
        text.contains("applied ") && text.contains("FAILED"),
        "a partial report: {text}"
    );
    assert!(text.contains("run apply again"), "{text}");
    // What is known, said once: Okta answered 500, a re-read showed nothing changed, so the
    // change is "not applied" with Okta's error id — and no console check is asked for.
    assert!(text.contains(": not applied\n"), "{text}");
    assert!(
        text.contains("re-reading shows it did not take effect"),
        "{text}"
    );
    assert!(
        text.contains("E0000009") && text.contains("error id: oae"),
        "{text}"
    );
    assert!(!text.contains("Admin Console before"), "{text}");
    assert!(!text.contains("UNKNOWN"), "{text}");

    let (status, _) = sandbox.call("PUT", "/__sandbox/config", Some(json!({})));
    assert_eq!(status, 200);
    let output = apply(&work, &sandbox, &config, &[]);
    assert_exit(&output, 0);
    let plan = plan_json(&work, &sandbox, &config);
    assert_eq!(automatic(&plan), Vec::<Value>::new(), "{plan:#}");
}

#[test]
fn apply_without_a_terminal_or_approval_refuses() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let output = run_against(&work, &sandbox, &["apply", "-c", &example("luciq")]);
    assert_eq!(output.status.code(), Some(3), "refused by a safety rule");
    assert!(
        stderr(&output).contains("--auto-approve"),
        "{}",
        stderr(&output)
    );
    let (_, schema) = sandbox.call("GET", "/api/v1/meta/schemas/user/default", None);
    assert!(
        schema["definitions"]["custom"]["properties"]
            .as_object()
            .unwrap()
            .is_empty(),
        "nothing written"
    );
}

#[test]
fn plan_reaches_the_sandbox_with_an_oauth_service_app() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let jwk: Value = serde_json::from_str(include_str!("fixtures/test-rsa.jwk.json")).unwrap();
    let public = json!({"kty": "RSA", "n": jwk["n"], "e": jwk["e"], "kid": jwk["kid"]});
    let (status, _) = sandbox.call("PUT", "/__sandbox/oauth/clients/0oaoktaform", Some(public));
    assert_eq!(status, 200);
    let key = work.write("key.pem", include_str!("fixtures/test-rsa.pkcs8.pem"));
    let output = work
        .command(&[
            "plan",
            "-c",
            &example("lightrun"),
            "--org",
            &sandbox.url,
            "--detailed-exitcode",
        ])
        .env("OKTA_CLIENT_ID", "0oaoktaform")
        .env("OKTA_PRIVATE_KEY_FILE", &key)
        .env("OKTAFORM_LOG", "trace")
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert!(
        stdout(&output).contains("app lightrun (Lightrun,"),
        "{}",
        stdout(&output)
    );
    // Trace logs on, and still no token, proof or key in them.
    let log = stderr(&output);
    assert!(log.contains("okta answered"), "{log}");
    assert!(
        !log.contains("sandbox-at-") && !log.contains("eyJ"),
        "a credential leaked: {log}"
    );
    let (_, requests) = sandbox.call("GET", "/__sandbox/requests", None);
    assert!(requests["count"].as_u64().unwrap() > 0);
}

/// The Org2Org app's connection, with its token from `token` (a reference).
fn partner_config(token: &str) -> String {
    format!(
        "\
okta_user:
  attributes:
    costCenterCode: {{ title: Cost center code, type: string }}
apps:
  partner-org:
    find: {{ name: okta_org2org }}
    provisioning:
      scim:
        base_url: https://partner.okta.com
        unique_identifier: userName
        actions: [push_new_users]
        auth: {{ mode: header, token: \"{token}\" }}
      to_app: {{ create_users: true }}
"
    )
}

fn connection_status(sandbox: &SandboxProcess) -> String {
    let id = sandbox.app_id("Partner Org (Org2Org)");
    let (_, connection) = sandbox.call(
        "GET",
        &format!("/api/v1/apps/{id}/connections/default"),
        None,
    );
    connection["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_file_reference_resolves_beside_its_config_from_any_directory() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    work.write("conf/partner.yaml", &partner_config("${file:token.txt}"));
    work.write("conf/token.txt", "partner-token-from-a-file\n");
    std::fs::create_dir_all(work.path().join("elsewhere")).unwrap();
    // Applied from another directory: the token file is found beside the config.
    let output = work
        .command(&["apply", "-c", "../conf/partner.yaml", "--auto-approve"])
        .current_dir(work.path().join("elsewhere"))
        .env("OKTA_ORG_URL", &sandbox.url)
        .env("OKTA_API_TOKEN", "sandbox-token")
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(connection_status(&sandbox), "ENABLED");
    assert!(!stdout(&output).contains("partner-token-from-a-file"));
}

#[test]
fn an_unset_secret_fails_the_apply_before_any_write() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let config = work.write(
        "partner.yaml",
        &partner_config("${env:OKTAFORM_TEST_UNSET_TOKEN}"),
    );
    sandbox.call("DELETE", "/__sandbox/requests", None);
    let output = apply(&work, &sandbox, config.to_str().unwrap(), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let err = stderr(&output);
    assert!(
        err.contains("OKTAFORM_TEST_UNSET_TOKEN") && err.contains("nothing was written"),
        "{err}"
    );
    let (_, requests) = sandbox.call("GET", "/__sandbox/requests", None);
    let writes: Vec<&Value> = requests["log"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] != "GET")
        .collect();
    assert!(writes.is_empty(), "{writes:#?}");
    assert_ne!(connection_status(&sandbox), "ENABLED");
}

/// An Okta user attribute mapped to a Luciq attribute, both of `kind`.
fn tier_config(kind: &str) -> String {
    format!(
        "\
okta_user:
  attributes:
    tier: {{ title: Tier, type: {kind} }}
apps:
  luciq:
    find: {{ label: Luciq }}
    attributes:
      tier: {{ title: Tier, type: {kind}, external_name: tier, external_namespace: 'urn:ietf:params:scim:schemas:extension:instabug:2.0:User' }}
    mappings:
      to_app: {{ tier: user.tier }}
"
    )
}

#[test]
fn a_type_change_of_mapped_attributes_unmaps_recreates_and_maps_again() {
    // Finding B5: Okta refuses to delete a property a mapping uses ("… cannot be deleted. It is
    // used to populate …"); the plan lifts the mapping first and sets it again after.
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let config = work.write("tier.yaml", &tier_config("string"));
    let config = config.to_str().unwrap();
    assert_eq!(apply(&work, &sandbox, config, &[]).status.code(), Some(0));
    work.write("tier.yaml", &tier_config("integer"));
    let plan = plan_json(&work, &sandbox, config);
    let ops: Vec<(&str, &str)> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["op"].as_str().unwrap(),
                c["subject"]["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        &ops[..3],
        [
            ("remove_mapping", "mapping"),
            ("replace_attribute", "okta_user_attribute"),
            ("replace_attribute", "app_attribute"),
        ],
        "{plan:#}"
    );
    let output = apply(&work, &sandbox, config, &["--allow-data-loss"]);
    assert_exit(&output, 0);
    assert_eq!(
        automatic(&plan_json(&work, &sandbox, config)),
        Vec::<Value>::new()
    );
}

#[test]
fn a_type_change_lifts_a_mapping_the_config_no_longer_declares() {
    // The first read skips a mapping direction the config says nothing of; a plan that
    // re-creates an attribute reads it after all, since Okta refuses to delete a property a
    // mapping still uses (finding B5).
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let with_to_okta = |kind: &str| {
        tier_config(kind).replace(
            "      to_app: { tier: user.tier }\n",
            "      to_okta: { tier: appuser.tier }\n",
        )
    };
    let config = work.write("tier.yaml", &with_to_okta("string"));
    let config = config.to_str().unwrap();
    assert_eq!(apply(&work, &sandbox, config, &[]).status.code(), Some(0));
    // The mapping stays in Okta (mappings are additive); the config now speaks only of types.
    let without_mappings = with_to_okta("integer")
        .replace("    mappings:\n      to_okta: { tier: appuser.tier }\n", "");
    assert!(!without_mappings.contains("mappings"), "{without_mappings}");
    work.write("tier.yaml", &without_mappings);
    let plan = plan_json(&work, &sandbox, config);
    let lifted = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["op"] == "remove_mapping" && c["subject"]["direction"] == "to_okta");
    assert!(lifted, "{plan:#}");
    let output = apply(&work, &sandbox, config, &["--allow-data-loss"]);
    assert_exit(&output, 0);
}

#[test]
fn exclusive_users_keep_whom_a_group_grants_and_group_removals_count_their_members() {
    // Finding B7: bob is assigned directly and through Engineering; owning users exclusively
    // must not unassign him (Okta: 403 E0000046 on every run). Finding D3: removing a group
    // is weighed by its members.
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let app = sandbox.app_id("Lightrun");
    let (_, groups) = sandbox.call(
        "GET",
        "/api/v1/groups?search=profile.name%20eq%20%22Engineering%22",
        None,
    );
    let engineering = groups[0]["id"].as_str().unwrap().to_string();
    let (_, users) = sandbox.call(
        "GET",
        "/api/v1/users?search=profile.login%20eq%20%22bob%40example.com%22",
        None,
    );
    let bob = users[0]["id"].as_str().unwrap().to_string();
    let (status, _) = sandbox.call(
        "PUT",
        &format!("/api/v1/apps/{app}/groups/{engineering}"),
        Some(json!({})),
    );
    assert_eq!(status, 200);
    let (status, _) = sandbox.call(
        "POST",
        &format!("/api/v1/apps/{app}/users"),
        Some(json!({"id": bob, "scope": "USER"})),
    );
    assert_eq!(status, 200);
    let config = work.write(
        "lightrun.yaml",
        "apps:\n  lightrun:\n    find: { label: Lightrun }\n    manage: { users: exclusive, groups: exclusive }\n    assignments:\n      users:\n        alice@example.com:\n",
    );
    let config = config.to_str().unwrap();
    let output = run_against(&work, &sandbox, &["plan", "-c", config]);
    let text = stdout(&output);
    assert!(!text.contains("- user bob@example.com"), "{text}");
    assert!(
        text.contains("bob@example.com is not in assignments.users but keeps the app"),
        "{text}"
    );
    assert!(text.contains("- group Engineering [data-loss]"), "{text}");
    assert!(text.contains("2 members lose the app"), "{text}");
    let output = apply(&work, &sandbox, config, &["--allow-data-loss"]);
    assert_exit(&output, 0);
}

#[test]
fn every_example_converges_with_profile_push_and_every_toggle_on() {
    // With Create Users and profile push on, Okta refuses a value for a mapped attribute
    // (403 E0000075, finding B1): each example gives every attribute one source, so each
    // applies and re-plans to nothing but console steps.
    for name in ["luciq", "lightrun", "accessiq", "org"] {
        let work = Workdir::new();
        let sandbox = SandboxProcess::start(&work);
        for label in ["Luciq", "Lightrun", "AccessIQ"] {
            let id = sandbox.app_id(label);
            let (status, _) = sandbox.call(
                "PUT",
                &format!("/__sandbox/console/apps/{id}/provisioning"),
                Some(json!({"features": ["SCIM_PROVISIONING", "PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION", "GROUP_PUSH"]})),
            );
            assert_eq!(status, 200);
        }
        let config = example(name);
        let output = apply(&work, &sandbox, &config, &[]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}{}",
            stdout(&output),
            stderr(&output)
        );
        let plan = plan_json(&work, &sandbox, &config);
        assert_eq!(automatic(&plan), Vec::<Value>::new(), "{name}: {plan:#}");
    }
}

#[test]
fn mappings_are_written_to_the_default_user_types_mapping() {
    // Finding B8: every user type has its own mapping to each app (the sandbox lists the
    // Contractor type's first); the config's mappings are the default type's.
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let output = apply(&work, &sandbox, &example("luciq"), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let app = sandbox.app_id("Luciq");
    let (_, list) = sandbox.call("GET", &format!("/api/v1/mappings?targetId={app}"), None);
    let list = list.as_array().unwrap();
    assert!(list.len() >= 2, "one mapping per user type: {list:#?}");
    for summary in list {
        let (_, mapping) = sandbox.call(
            "GET",
            &format!("/api/v1/mappings/{}", summary["id"].as_str().unwrap()),
            None,
        );
        let mapped = mapping["properties"]
            .as_object()
            .unwrap()
            .contains_key("instabugApplications");
        let default = summary["source"]["name"] == "user";
        assert_eq!(mapped, default, "{summary:#}");
    }
}

#[test]
fn to_okta_import_settings_of_an_allow_listed_app_are_written() {
    // Finding B3: `to_okta` was only noted, never compared or written, even for Org2Org.
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let config = work.write(
        "partner.yaml",
        "apps:\n  partner:\n    find: { name: okta_org2org }\n    provisioning:\n      scim:\n        base_url: https://partner.okta.com\n        unique_identifier: userName\n        actions: [push_new_users]\n        auth: { mode: header, token: \"${env:PARTNER_ORG_API_TOKEN}\" }\n      to_okta: { confirm_new_users: true, activate_new_users: true, match_by: email }\n",
    );
    let config = config.to_str().unwrap();
    let plan = plan_json(&work, &sandbox, config);
    assert!(
        plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["subject"]["kind"] == "to_okta" && c["feature"] == "INBOUND_PROVISIONING"),
        "{plan:#}"
    );
    let output = apply(&work, &sandbox, config, &[]);
    assert_exit(&output, 0);
    let id = sandbox.app_id("Partner Org (Org2Org)");
    let (_, feature) = sandbox.call(
        "GET",
        &format!("/api/v1/apps/{id}/features/INBOUND_PROVISIONING"),
        None,
    );
    let rules = &feature["capabilities"]["importRules"]["userCreateAndMatch"];
    assert_eq!(
        (
            &rules["autoConfirmNewUsers"],
            &rules["autoActivateNewUsers"],
            &rules["exactMatchCriteria"]
        ),
        (&json!(true), &json!(true), &json!("EMAIL")),
        "{feature:#}"
    );
    assert_eq!(
        automatic(&plan_json(&work, &sandbox, config)),
        Vec::<Value>::new()
    );
}
