//! The mistakes people make in config files, each run through the real binary: every one must
//! give exit 1 and a diagnostic with the right code, message and file:line:col.
//!
//! Positions are given as a `needle`: the diagnostic must point at the first occurrence of that
//! text in the named file (its line and 1-based column).

mod common;

use common::{Workdir, stderr, stdout};
use serde_json::Value;

macro_rules! app {
    () => {
        "apps:\n  luciq:\n    find: { label: Luciq }\n"
    };
}

macro_rules! attrs {
    () => {
        concat!(
            "    attributes:\n",
            "      instabugRole:\n",
            "        title: Instabug Role\n",
            "        type: string\n",
            "        enum: { adminstrator: Admin, member: Member }\n",
            "      instabugApplications:\n",
            "        title: Instabug Applications\n",
            "        type: string array\n",
            "      seats:\n",
            "        title: Seats\n",
            "        type: integer\n",
        )
    };
}

macro_rules! okta_user {
    () => {
        "okta_user:\n  attributes:\n    instabugRole:\n      title: Instabug Role\n      type: string\n"
    };
}

macro_rules! scim {
    ($auth:literal) => {
        concat!(
            app!(),
            "    provisioning:\n",
            "      scim:\n",
            "        base_url: https://api.luciq.ai/scim/v2\n",
            "        unique_identifier: email\n",
            "        auth: ",
            $auth,
            "\n"
        )
    };
}

struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    code: &'static str,
    /// (file, text the diagnostic points at); `None` for a diagnostic with no place.
    at: Option<(&'static str, &'static str)>,
    message: &'static str,
    label: Option<&'static str>,
}

const fn case(
    name: &'static str,
    yaml: &'static [(&'static str, &'static str)],
    code: &'static str,
    needle: &'static str,
    message: &'static str,
) -> Case {
    Case {
        name,
        files: yaml,
        args: &[],
        code,
        at: Some(("a.yaml", needle)),
        message,
        label: None,
    }
}

impl Case {
    const fn label(mut self, label: &'static str) -> Case {
        self.label = Some(label);
        self
    }
    const fn args(mut self, args: &'static [&'static str]) -> Case {
        self.args = args;
        self
    }
    const fn in_file(mut self, file: &'static str, needle: &'static str) -> Case {
        self.at = Some((file, needle));
        self
    }
    const fn unplaced(mut self) -> Case {
        self.at = None;
        self
    }
}

const CASES: &[Case] = &[
    case("group push without the Push Groups action", &[("a.yaml", concat!(app!(),
            "    provisioning:\n      scim:\n        base_url: https://x.example/scim/v2\n        unique_identifier: userName\n        actions: [push_new_users]\n        auth: { mode: header, token: \"${env:T}\" }\n",
            "    group_push:\n      groups:\n        Engineering:\n"))],
        "group-push-action", "groups:\n        Engineering", "`luciq` pushes groups, but its SCIM connection does not support Push Groups"),
    case("group push to a vendor that supports no groups (Lightrun's preset)", &[("a.yaml",
            "apps:\n  lightrun:\n    preset: lightrun\n    find: { id: 0oa1 }\n    group_push:\n      groups:\n        Engineering:\n")],
        "vendor-no-groups", "groups:\n        Engineering", "groups are pushed for `lightrun`, but its vendor supports no groups"),
    case("typo'd key in an app", &[("a.yaml", concat!(app!(), "    atributes: {}\n"))],
        "unknown-key", "atributes", "unknown key `atributes`").label("did you mean `attributes`?"),
    case("typo'd key in an attribute", &[("a.yaml", concat!(app!(), "    attributes:\n      x:\n        titel: X\n        type: string\n"))],
        "unknown-key", "titel", "unknown key `titel`").label("did you mean `title`?"),
    case("misspelt type", &[("a.yaml", concat!(app!(), "    attributes:\n      x:\n        title: X\n        type: strng\n"))],
        "unknown-value", "strng", "unknown value `strng`").label("did you mean `string`?"),
    case("type spelt another way", &[("a.yaml", concat!(app!(), "    attributes:\n      x:\n        title: X\n        type: array of string\n"))],
        "unknown-value", "array of string", "unknown value `array of string`"),
    case("tab indentation", &[("a.yaml", "apps:\n  luciq:\n\tfind: { label: Luciq }\n")],
        "yaml-syntax", "\tfind", "tabs"),
    case("tab after spaces", &[("a.yaml", "apps:\n  luciq:\n  \tfind: { label: Luciq }\n")],
        "yaml-syntax", "\tfind", "tabs"),
    case("two apps finding one Okta app", &[("a.yaml", concat!(app!(), "  luciq_again:\n    find: {label: Luciq}\n"))],
        "same-okta-app", "{label: Luciq}", "apps `luciq` and `luciq_again` both find the Okta app with label `Luciq`"),
    case("bad indentation", &[("a.yaml", concat!(app!(), "     attributes: {}\n"))],
        "yaml-syntax", "attributes", "did not find expected key"),
    case("same app twice in a file", &[("a.yaml", concat!(app!(), "  luciq:\n    find: { label: Other }\n"))],
        "duplicate-key", "luciq:\n    find: { label: Other", "duplicate key `luciq`"),
    case("same key twice in an attribute", &[("a.yaml", concat!(app!(), "    attributes:\n      x:\n        title: X\n        title: Y\n        type: string\n"))],
        "duplicate-key", "title: Y", "duplicate key `title`"),
    case("yes is not a boolean", &[("a.yaml", concat!(app!(), "    provisioning:\n      to_app:\n        create_users: yes\n"))],
        "wrong-type", "yes", "expected `true` or `false`"),
    case("length is not a number", &[("a.yaml", concat!(app!(), "    attributes:\n      x:\n        title: X\n        type: string\n        min_length: five\n"))],
        "wrong-type", "five", "expected a whole number, 0 or more, found `five`"),
    case("negative length", &[("a.yaml", concat!(app!(), "    attributes:\n      x:\n        title: X\n        type: string\n        max_length: -1\n"))],
        "wrong-type", "-1", "found `-1`"),
    case("empty title", &[("a.yaml", concat!(app!(), "    attributes:\n      x:\n        title:\n        type: string\n"))],
        "wrong-type", ":\n        type", "expected text, found nothing"),
    case("app without find", &[("a.yaml", "apps:\n  luciq:\n    attributes: {}\n")],
        "missing-key", "attributes", "missing required key `find`"),
    case("attribute without type", &[("a.yaml", concat!(app!(), "    attributes:\n      x:\n        title: X\n"))],
        "missing-key", "title", "missing required key `type`"),
    case("find with two keys", &[("a.yaml", "apps:\n  luciq:\n    find: { label: Luciq, id: 0oa1 }\n")],
        "invalid-value", "id: 0oa1", "only one key is allowed here"),
    case("find by a misspelt key", &[("a.yaml", "apps:\n  luciq:\n    find: { lable: Luciq }\n")],
        "unknown-value", "lable", "unknown value `lable`").label("did you mean `label`?"),
    case("apps written as a list", &[("a.yaml", "apps: [luciq, lightrun]\n")],
        "wrong-type", "[luciq", "expected a mapping"),
    case("assigned role not in the enum", &[("a.yaml", concat!(app!(), attrs!(), "    assignments:\n      users:\n        alice@example.com: { instabugRole: administrator }\n"))],
        "not-in-enum", "administrator", "`administrator` is not one of the values of `instabugRole`").label("did you mean `adminstrator`?"),
    case("array attribute assigned a single text", &[("a.yaml", concat!(app!(), attrs!(), "    assignments:\n      users:\n        alice@example.com: { instabugApplications: iOS App }\n"))],
        "profile-value-type", "iOS App", "must be a list (string array), found the text `iOS App`"),
    case("integer attribute assigned text", &[("a.yaml", concat!(app!(), attrs!(), "    assignments:\n      groups:\n        Engineering: { profile: { seats: many } }\n"))],
        "profile-value-type", "many", "`seats` of group `Engineering` must be a whole number (integer), found the text `many`"),
    case("assignment sets an undeclared attribute", &[("a.yaml", concat!(app!(), attrs!(), "    assignments:\n      users:\n        alice@example.com: { instabugRol: member }\n"))],
        "unknown-attribute", "instabugRol:", "`instabugRol` is not an attribute of app `luciq`").label("did you mean `instabugRole`?"),
    case("mapping to an undeclared app attribute", &[("a.yaml", concat!(okta_user!(), app!(), attrs!(), "    mappings:\n      to_app:\n        instabugRoles: user.instabugRole\n"))],
        "unknown-attribute", "instabugRoles", "`instabugRoles` is not an attribute of app `luciq`").label("did you mean `instabugRole`?"),
    case("mapping reads an undeclared Okta attribute", &[("a.yaml", concat!(okta_user!(), app!(), attrs!(), "    mappings:\n      to_app:\n        instabugRole: user.instabugRol\n"))],
        "unknown-attribute", "user.instabugRol", "`instabugRol` is not an attribute of the Okta user profile").label("did you mean `instabugRole`?"),
    case("mapping reads the wrong profile", &[("a.yaml", concat!(okta_user!(), app!(), attrs!(), "    mappings:\n      to_app:\n        instabugRole: appuser.instabugRole\n"))],
        "unknown-expression-variable", "appuser.instabugRole", "`appuser.instabugRole` cannot be read in this direction"),
    case("reverse mapping to a misspelt Okta attribute", &[("a.yaml", concat!(app!(), "    mappings:\n      to_okta:\n        emial: appuser.userName\n"))],
        "unknown-attribute", "emial", "`emial` is not an attribute of the Okta user profile").label("did you mean `email`?"),
    case("a user's value for a mapped attribute", &[("a.yaml", concat!(okta_user!(), app!(), attrs!(), "    mappings:\n      to_app:\n        instabugRole: user.instabugRole\n    assignments:\n      users:\n        alice@example.com: { instabugRole: adminstrator }\n"))],
        "mapped-and-assigned", "adminstrator }", "`instabugRole` has two sources: `assignments.users` for `alice@example.com` sets it, and `mappings.to_app.instabugRole` maps it from the Okta user (`user.instabugRole`)")
        .label("with profile push on, Okta refuses this value (403 E0000075); otherwise the mapping overwrites it"),
    case("a group's value for a mapped attribute", &[("a.yaml", concat!(okta_user!(), app!(), attrs!(), "    mappings:\n      to_app:\n        instabugRole: { expression: user.instabugRole, apply_on: create_only }\n    assignments:\n      groups:\n        Engineering: { profile: { instabugRole: adminstrator } }\n"))],
        "mapped-and-assigned", "adminstrator }", "`instabugRole` has two sources: `assignments.groups` for `Engineering` sets it, and `mappings.to_app.instabugRole` maps it from the Okta user")
        .label("Okta does not use a group's value for a mapped attribute: the mapping decides"),
    case("a value for a mapped base attribute", &[("a.yaml", concat!(app!(), "    mappings:\n      to_app:\n        email: user.secondEmail\n    assignments:\n      users:\n        alice@example.com: { email: alice@other.example }\n"))],
        "mapped-and-assigned", "alice@other", "`email` has two sources: `assignments.users` for `alice@example.com` sets it, and `mappings.to_app.email` maps it from the Okta user (`user.secondEmail`)"),
    case("a string array mapped to a string", &[("a.yaml", concat!("okta_user:\n  attributes:\n    apps:\n      title: Apps\n      type: string array\n", app!(), attrs!(), "    mappings:\n      to_app:\n        instabugRole: user.apps\n"))],
        "mapping-type", "user.apps", "`user.apps` (`string array`) is mapped to `instabugRole` of app `luciq` (`string`): a mapping's source and target must have the same type")
        .label("`string array` value for a `string` attribute"),
    case("a string mapped to a string array", &[("a.yaml", concat!(okta_user!(), app!(), attrs!(), "    mappings:\n      to_app:\n        instabugApplications: user.instabugRole\n"))],
        "mapping-type", "user.instabugRole", "`user.instabugRole` (`string`) is mapped to `instabugApplications` of app `luciq` (`string array`)"),
    case("a base attribute mapped to an integer", &[("a.yaml", concat!(app!(), attrs!(), "    mappings:\n      to_app:\n        seats: user.employeeNumber\n"))],
        "mapping-type", "user.employeeNumber", "`user.employeeNumber` (`string`, a base attribute) is mapped to `seats` of app `luciq` (`integer`)"),
    case("a reverse mapping of another type", &[("a.yaml", concat!(okta_user!(), app!(), attrs!(), "    mappings:\n      to_okta:\n        instabugRole: appuser.seats\n"))],
        "mapping-type", "appuser.seats", "`appuser.seats` (`integer`) is mapped to `instabugRole` of the Okta user profile (`string`)"),
    case("SCIM token written inline", &[("a.yaml", scim!("{ mode: header, token: sk-live-1234567890abcdef }"))],
        "inline-secret", "sk-live", "`token` is a secret and must not be written in the file"),
    case("secret from an unset variable", &[("a.yaml", scim!("{ mode: header, token: \"${env:OKTAFORM_TEST_UNSET_TOKEN}\" }"))],
        "unresolved-reference", "\"${env", "environment variable `OKTAFORM_TEST_UNSET_TOKEN` is not set").args(&["--check-env"]),
    case("secret from a missing file", &[("a.yaml", scim!("{ mode: header, token: \"${file:no-such-token}\" }"))],
        "unresolved-reference", "\"${file", "no-such-token").args(&["--check-env"]),
    case("header auth without a token", &[("a.yaml", scim!("{ mode: header }"))],
        "auth-incomplete", "header }", "`mode: header` needs `token`"),
    case("basic auth given a token", &[("a.yaml", scim!("{ mode: basic, username: okta, password: \"${env:P}\", token: \"${env:T}\" }"))],
        "not-applicable", "\"${env:T}", "`token` does not apply here"),
    case("enum value listed twice", &[("a.yaml", concat!(app!(), "    attributes:\n      apps:\n        title: Apps\n        type: string array\n        enum: [iOS, Android, iOS]\n"))],
        "duplicate-enum-value", "iOS]", "enum value `iOS` is listed twice"),
    case("integer enum with a text value", &[("a.yaml", concat!(app!(), "    attributes:\n      tier:\n        title: Tier\n        type: integer\n        enum: { 1: Basic, two: Pro }\n"))],
        "enum-value-type", "two", "enum value `two` is not a whole number (integer)"),
    case("min_length above max_length", &[("a.yaml", concat!(app!(), "    attributes:\n      x:\n        title: X\n        type: string\n        min_length: 9\n        max_length: 3\n"))],
        "length-range", "9", "min_length 9 is greater than max_length 3"),
    case("length on an integer", &[("a.yaml", concat!(app!(), "    attributes:\n      x:\n        title: X\n        type: integer\n        max_length: 5\n"))],
        "not-applicable", "5", "`max_length` does not apply here"),
    case("union on a string", &[("a.yaml", concat!(app!(), "    attributes:\n      x:\n        title: X\n        type: string\n        union: true\n"))],
        "not-applicable", "true", "`union` does not apply here"),
    case("union with scope self", &[("a.yaml", concat!(app!(), "    attributes:\n      apps:\n        title: Apps\n        type: string array\n        scope: self\n        union: true\n"))],
        "not-applicable", "true", "`union` does not apply here").label("a `scope: self` (User personal) attribute takes no group values to combine"),
    case("unique on an app attribute", &[("a.yaml", concat!(app!(), "    attributes:\n      employeeId:\n        title: Employee id\n        type: string\n        unique: true\n"))],
        "not-applicable", "true", "`unique` does not apply here").label("uniqueness exists only for Okta user and group profiles"),
    case("unique on an integer Okta user attribute", &[("a.yaml", "okta_user:\n  attributes:\n    badge:\n      title: Badge\n      type: integer\n      unique: true\n")],
        "not-applicable", "true", "`unique` does not apply here").label("only string attributes have it; this one is `integer`"),
    case("a sixth unique Okta user attribute", &[("a.yaml", concat!(
        "okta_user:\n  attributes:\n",
        "    id1: { title: Id 1, type: string, unique: true }\n",
        "    id2: { title: Id 2, type: string, unique: true }\n",
        "    id3: { title: Id 3, type: string, unique: true }\n",
        "    id4: { title: Id 4, type: string, unique: true }\n",
        "    id5: { title: Id 5, type: string, unique: true }\n",
        "    id6:\n      title: Id 6\n      type: string\n      unique: true\n",
    ))],
        "unique-limit", "true\n", "`id6` would be the sixth unique Okta user attribute; Okta allows at most 5 per user type"),
    case("a custom Okta user attribute named like a base one but for case", &[("a.yaml", "okta_user:\n  attributes:\n    FirstName:\n      title: First name\n      type: string\n")],
        "base-attribute-case", "FirstName", "`FirstName` differs from the base attribute `firstName` only in case"),
    case("a custom app attribute named like a base one but for case", &[("a.yaml", concat!(app!(), "    attributes:\n      username:\n        title: Username\n        type: string\n"))],
        "base-attribute-case", "username", "`username` differs from the base attribute `userName` only in case"),
    case("external namespace on an Okta user attribute", &[("a.yaml", "okta_user:\n  attributes:\n    x:\n      title: X\n      type: string\n      external_namespace: urn:x\n")],
        "not-applicable", "urn:x", "`external_namespace` does not apply here"),
    case("redeclaring a base attribute", &[("a.yaml", "okta_user:\n  attributes:\n    email:\n      title: Email\n      type: string\n")],
        "base-attribute", "email", "`email` is a base attribute defined by Okta"),
    case("attribute name with a dash", &[("a.yaml", "okta_user:\n  attributes:\n    instabug-role:\n      title: Role\n      type: string\n")],
        "invalid-name", "instabug-role", "`instabug-role` is not a valid attribute variable name"),
    case("the -admin URL as org URL", &[("a.yaml", "org:\n  url: https://acme-admin.okta.com\n")],
        "invalid-org-url", "https", "use the org URL `https://acme.okta.com`"),
    case("an unknown kind of reference", &[("a.yaml", "org:\n  url: ${vault:okta/url}\n")],
        "invalid-value", "${vault", "unknown reference `${vault:okta/url}`"),
    case("custom username format without expression", &[("a.yaml", concat!(app!(), "    provisioning:\n      to_okta:\n        username_format: custom\n"))],
        "username-expression", "custom", "`username_format: custom` needs `username_expression`"),
    case("SCIM base URL over http", &[("a.yaml", concat!(app!(), "    provisioning:\n      scim:\n        base_url: http://api.luciq.ai/scim/v2\n        unique_identifier: email\n        auth: { mode: header, token: \"${env:T}\" }\n"))],
        "invalid-value", "http://", "the SCIM connector base URL must use https"),
    case("the same app in two files", &[("a.yaml", app!()), ("b.yaml", app!())],
        "declared-twice", "luciq", "app `luciq` is declared twice").in_file("b.yaml", "luciq"),
    case("org set in two files", &[("a.yaml", "org:\n  url: https://a.okta.com\n"), ("b.yaml", "org:\n  url: https://b.okta.com\n")],
        "declared-twice", "url", "`org` is declared twice").in_file("b.yaml", "url"),
    case("a config file that does not exist", &[("a.yaml", app!())],
        "file-unreadable", "", "cannot read `nope.yaml`").args(&["-c", "nope.yaml"]).unplaced(),
];

/// Line and 1-based column of the first occurrence of `needle` in `text`.
fn position(text: &str, needle: &str) -> (u64, u64) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("needle {needle:?} not in {text:?}"));
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count() as u64
        + 1;
    (line, column)
}

fn run_case(case: &Case) -> Result<(), String> {
    let work = Workdir::new();
    let mut args: Vec<&str> = vec!["validate", "--format", "json"];
    if case.args.contains(&"-c") {
        args.extend(case.args);
    } else {
        for (name, text) in case.files {
            work.write(name, text);
            args.extend(["-c", name]);
        }
        args.extend(case.args);
    }
    let output = work.run(&args);
    let report: Value = serde_json::from_str(&stdout(&output)).map_err(|e| {
        format!(
            "output is not JSON ({e}): {}{}",
            stdout(&output),
            stderr(&output)
        )
    })?;
    if output.status.code() != Some(1) {
        return Err(format!(
            "exit {:?}, expected 1; report: {report:#}",
            output.status.code()
        ));
    }
    if report["valid"] != Value::Bool(false) {
        return Err(format!("report says valid: {report:#}"));
    }
    let diagnostics = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let expected_at = case.at.map(|(file, needle)| {
        let text = case
            .files
            .iter()
            .find(|(n, _)| *n == file)
            .map(|(_, t)| *t)
            .unwrap_or_default();
        let (line, column) = position(text, needle);
        (file, line, column)
    });
    let found = diagnostics.iter().find(|d| {
        d["code"] == case.code
            && match expected_at {
                Some((file, line, column)) => {
                    d["location"]["file"] == file
                        && d["location"]["line"] == line
                        && d["location"]["column"] == column
                }
                None => d.get("location").is_none(),
            }
    });
    let Some(found) = found else {
        return Err(format!(
            "no `{}` diagnostic at {expected_at:?}; got:\n{:#}",
            case.code, report["diagnostics"]
        ));
    };
    let message = found["message"].as_str().unwrap_or_default();
    if !message.contains(case.message) {
        return Err(format!(
            "message {message:?} does not contain {:?}",
            case.message
        ));
    }
    if let Some(label) = case.label
        && found["label"] != label
    {
        return Err(format!("label {} is not {label:?}", found["label"]));
    }
    Ok(())
}

#[test]
fn every_mistake_gets_a_located_error_and_exit_1() {
    assert!(CASES.len() >= 30, "the corpus has {} mistakes", CASES.len());
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|case| {
            run_case(case)
                .err()
                .map(|e| format!("## {}\n{e}", case.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n\n")
    );
}

#[test]
fn inline_secret_is_never_echoed() {
    let work = Workdir::new();
    work.write(
        "a.yaml",
        scim!("{ mode: header, token: sk-live-1234567890abcdef }"),
    );
    for format in ["text", "json"] {
        let output = work.run(&["validate", "-c", "a.yaml", "--format", format]);
        assert_eq!(output.status.code(), Some(1));
        let all = format!("{}{}", stdout(&output), stderr(&output));
        assert!(all.contains("inline-secret"), "{all}");
        assert!(
            !all.contains("sk-live") && !all.contains("1234567890"),
            "secret echoed:\n{all}"
        );
    }
}

#[test]
fn warnings_are_printed_and_pass() {
    let work = Workdir::new();
    work.write(
        "a.yaml",
        concat!(
            "okta_user:\n  attributes:\n    role:\n      title: Role\n      type: string\n",
            scim!("{ mode: header, token: \"${env:T}\" }"),
            "        \n",
            "      to_app: { create_users: true, update_user_attributes: true }\n",
            "    attributes:\n      role:\n        title: Role\n        type: string\n",
            "    mappings:\n      to_app:\n        role: user.role\n",
        ),
    );
    let output = work.run(&["validate", "-c", "a.yaml", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(report["warnings"], 4, "{report:#}");
    assert!(
        codes.iter().filter(|c| **c == "toggle-conflict").count() == 2,
        "{codes:?}"
    );
    assert!(codes.contains(&"missing-namespace"), "{codes:?}");
    // Finding D10: no external name, so the SCIM server may never receive it.
    assert!(codes.contains(&"missing-external-name"), "{codes:?}");
}

#[test]
fn master_on_an_app_attribute_is_a_warning() {
    let work = Workdir::new();
    work.write("a.yaml", concat!(app!(), "    attributes:\n      x:\n        title: X\n        type: string\n        master: okta\n"));
    let output = work.run(&["validate", "-c", "a.yaml", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    assert_eq!(report["diagnostics"][0]["code"], "not-applicable");
    assert_eq!(report["diagnostics"][0]["severity"], "warning");
    assert_eq!(report["diagnostics"][0]["location"]["line"], 8);
}

#[test]
fn mapped_and_assigned_names_both_places_and_the_fix() {
    let work = Workdir::new();
    let text = concat!(
        okta_user!(),
        app!(),
        attrs!(),
        "    mappings:\n      to_app:\n        instabugRole: user.instabugRole\n",
        "    assignments:\n      users:\n        alice@example.com: { instabugRole: member }\n",
    );
    work.write("a.yaml", text);
    let output = work.run(&["validate", "-c", "a.yaml", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(output.status.code(), Some(1), "{report:#}");
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "mapped-and-assigned", "{report:#}");
    assert_eq!(report["errors"], 1, "{report:#}");
    // The value, and the mapping as the related place.
    let (line, column) = position(text, "member }");
    assert_eq!(d["location"]["line"], line, "{d:#}");
    assert_eq!(d["location"]["column"], column, "{d:#}");
    let (line, column) = position(text, "instabugRole: user");
    assert_eq!(d["related"][0]["line"], line, "{d:#}");
    assert_eq!(d["related"][0]["column"], column, "{d:#}");
    assert_eq!(d["related"][0]["note"], "mapped from the Okta user here");
    assert_eq!(
        d["help"],
        "drop one source: either map it from the Okta user (and set the value on the Okta user), or set it per assignment (and remove the mapping)"
    );
}

#[test]
fn one_source_per_attribute_and_agreeing_or_computed_mappings_pass() {
    let work = Workdir::new();
    work.write(
        "a.yaml",
        concat!(
            "okta_user:\n  attributes:\n    apps:\n      title: Apps\n      type: string array\n",
            "    seatCount:\n      title: Seats\n      type: integer\n",
            app!(),
            attrs!(),
            "    mappings:\n      to_app:\n",
            "        instabugApplications: user.apps\n",
            "        seats: user.seatCount\n",
            "        instabugRole: Arrays.toCsvString(user.apps)\n",
            "        title: user.title\n",
            "    assignments:\n      users:\n        alice@example.com: { displayName: Alice }\n",
            "      groups:\n        Engineering: { profile: { title: Engineer } }\n",
        ),
    );
    // `title` is mapped, but Engineering sets it: the one error; nothing else.
    let output = work.run(&["validate", "-c", "a.yaml", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["mapped-and-assigned"], "{report:#}");
}

#[test]
fn a_file_that_is_not_utf8_is_pointed_at_its_first_bad_byte() {
    let work = Workdir::new();
    let path = work.path().join("a.yaml");
    std::fs::write(&path, b"apps:\n  luciq:\n    find: { label: Lu\xe9ciq }\n").unwrap();
    let output = work.run(&["validate", "-c", "a.yaml", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "not-utf8", "{d:#}");
    assert_eq!(d["location"]["line"], 3, "{d:#}");
    assert_eq!(d["location"]["column"], 22, "{d:#}");
    assert!(
        d["message"].as_str().unwrap().contains("byte 0xe9"),
        "{d:#}"
    );
    let output = work.run(&["validate", "-c", "a.yaml"]);
    let text = stderr(&output);
    assert!(text.contains("a.yaml:3:22"), "{text}");
}
