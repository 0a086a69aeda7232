//! The first hour of a new user: presets that validate as written, README's commands from
//! `init --preset luciq` to a converged sandbox org, help, completions, the man page, and the
//! sandbox's state file said and reset.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Workdir, stderr, stdout};

const PRESETS: [&str; 4] = ["luciq", "luciq-advanced", "lightrun", "accessiq"];

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The lines of the first ```sh block after `heading`, without comments.
fn readme_commands(heading: &str) -> Vec<String> {
    let text = readme();
    let from = text.find(heading).expect("README has the section");
    let block = text[from..].split("```sh\n").nth(1).expect("a sh block");
    let block = block.split("```").next().unwrap();
    block
        .lines()
        .map(|l| l.split(" #").next().unwrap().trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// A shell in `work` with the built binary first on PATH, as after `cargo install`.
fn shell(work: &Workdir, line: &str) -> std::process::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_oktaform")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .args(["-c", line])
        .current_dir(work.path())
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env_remove("OKTA_ORG_URL")
        .env_remove("OKTA_API_TOKEN")
        .output()
        .unwrap()
}

#[test]
fn every_preset_is_listed_and_validates_as_written() {
    let work = Workdir::new();
    let list = work.run(&["init", "--list"]);
    assert_eq!(list.status.code(), Some(0));
    for preset in PRESETS {
        assert!(
            stdout(&list)
                .lines()
                .any(|l| l.starts_with(&format!("{preset} "))),
            "{}",
            stdout(&list)
        );
        let file = format!("{preset}.yaml");
        let output = work.run(&["init", "--preset", preset, "-o", &file]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let output = work.run(&["validate", "-c", &file]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{preset}: {}",
            stderr(&output)
        );
        assert_eq!(stderr(&output), "", "{preset}: no warnings either");
        let text = std::fs::read_to_string(work.path().join(&file)).unwrap();
        assert!(text.contains("FILL IN"), "{preset}: marks what to fill in");
        assert!(
            text.contains("${env:"),
            "{preset}: the secret is a reference"
        );
    }
    // An existing file is kept; an unknown preset is named.
    let output = work.run(&["init", "--preset", "luciq", "-o", "luciq.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("exists; not overwriting it"));
    let output = work.run(&["init", "--preset", "okta", "-o", "x.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("no preset `okta`; presets: luciq, luciq-advanced"));
}

#[test]
fn a_preset_named_by_an_app_shows_its_defaults_in_validate() {
    let work = Workdir::new();
    work.write(
        "oktaform.yaml",
        "apps:\n  luciq:\n    preset: luciq-advanced\n    find: { label: Luciq }\n    provisioning:\n      to_app: { deactivate_users: false }\n    assignments:\n      users:\n        alice@example.com: { instabugRole: adminstrator }\n",
    );
    let output = work.run(&["validate"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
    let output = work.run(&["validate", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["from_presets"][0]["preset"], "luciq-advanced");

    work.write(
        "typo.yaml",
        "apps:\n  luciq:\n    preset: lucq\n    find: { label: Luciq }\n",
    );
    let output = work.run(&["validate", "-c", "typo.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("unknown preset `lucq`"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("did you mean `luciq`?"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn readme_first_hour_converges_the_sandbox_org() {
    let work = Workdir::new();
    let commands = readme_commands("## The first hour");
    assert!(
        commands[0].starts_with("oktaform init --preset luciq"),
        "{commands:?}"
    );
    let mut stderrs = Vec::new();
    for line in &commands {
        let output = shell(&work, line);
        assert_eq!(
            output.status.code(),
            Some(0),
            "`{line}`:\n{}{}",
            stdout(&output),
            stderr(&output)
        );
        stderrs.push(stderr(&output));
    }
    // The sandbox's state file is said once, with how to start over.
    let said: Vec<&String> = stderrs
        .iter()
        .filter(|e| e.contains("created the sandbox org in .oktaform/sandbox.json"))
        .collect();
    assert_eq!(said.len(), 1, "{stderrs:#?}");
    assert!(said[0].contains("`oktaform sandbox reset`"));

    // Converged: what is left is only what a person does in the Admin Console.
    let output = shell(&work, "oktaform plan --org sandbox --format json");
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let left: Vec<&serde_json::Value> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] != "manual")
        .collect();
    assert!(left.is_empty(), "not converged: {plan:#}");

    // A reset gives the demo org back: the first plan's changes are proposed again.
    let output = shell(&work, "oktaform sandbox reset");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("Reset the sandbox org in .oktaform/sandbox.json"));
    let output = shell(&work, "oktaform plan --org sandbox --format json");
    let plan: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(
        plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["action"] == "create"),
        "{plan:#}"
    );
}

#[test]
fn help_of_help_completions_and_the_man_page() {
    let work = Workdir::new();
    for args in [
        &["help", "--help"][..],
        &["help"],
        &["help", "plan"],
        &["help", "sandbox", "reset"],
    ] {
        let output = work.run(args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).contains("Usage: oktaform"), "{args:?}");
    }
    let output = work.run(&["help", "nope"]);
    assert_eq!(output.status.code(), Some(1));
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = work.run(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        assert!(stdout(&output).contains("init"), "{shell}");
    }
    let output = work.run(&["man"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains(".TH oktaform 1"));
    assert!(stdout(&output).contains(".TH oktaform-apply 1 "));
}

#[test]
fn sandbox_reset_refuses_a_file_that_is_not_a_sandbox_state() {
    let work = Workdir::new();
    work.write("notes.json", "{\"mine\": true}");
    let output = work.run(&["sandbox", "reset", "--state", "notes.json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("is not a sandbox state file"));
    assert_eq!(
        std::fs::read_to_string(work.path().join("notes.json")).unwrap(),
        "{\"mine\": true}"
    );
}
