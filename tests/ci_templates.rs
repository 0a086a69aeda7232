//! The CI templates run as written: each workflow's YAML is parsed, its `run:` steps are
//! executed in bash (as GitHub runs them: `-eo pipefail`) with the real binary on PATH, the
//! sandbox as the org, `${{ … }}` in `env:` filled from a table of the secrets and variables
//! the templates document, and a fake `gh` (tests/ci/fake-gh) standing in for GitHub: the
//! plan comment is updated, not duplicated; a saved plan is refused once the org changed;
//! drift opens one issue per fingerprint and updates it on the next run.
//! The GitLab file's jobs run the same way, with a fake `curl` for GitLab's API.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{SandboxProcess, Workdir, example};
use serde_json::{Value, json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The value a GitHub expression has in the test; an expression not listed fails the test,
/// so a template cannot need a secret the README does not document.
fn expression(expr: &str, sandbox: &SandboxProcess) -> String {
    match expr {
        "vars.OKTA_ORG_URL" => sandbox.url.clone(),
        "secrets.OKTA_API_TOKEN" => "sandbox-token".into(),
        "vars.OKTA_CLIENT_ID" | "secrets.OKTA_PRIVATE_KEY" | "vars.OKTAFORM_SOURCE" => {
            String::new()
        }
        "secrets.LUCIQ_SCIM_TOKEN" => "luciq-token-for-tests".into(),
        "github.token" => "gh-test-token".into(),
        "github.repository" => "acme/okta-config".into(),
        "github.event.pull_request.number" => "7".into(),
        "github.sha" => "c0ffee".into(),
        "github.run_id" => "1".into(),
        other => panic!(
            "a template uses `${{{{ {other} }}}}`, which the test (and README) does not know"
        ),
    }
}

fn fill(text: &str, sandbox: &SandboxProcess) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closed expression") + start;
        out.push_str(&expression(rest[start + 3..end].trim(), sandbox));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn env_of(node: &Value, sandbox: &SandboxProcess) -> BTreeMap<String, String> {
    node.get("env")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), fill(&text, sandbox))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A repository checkout with the config, the CI scripts and a fake `gh` on PATH.
struct Repo {
    work: Workdir,
    bin: PathBuf,
    gh_state: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let work = Workdir::new();
        work.write(
            "oktaform.yaml",
            &std::fs::read_to_string(example("luciq")).unwrap(),
        );
        for dir in [".github/scripts", ".gitlab/scripts"] {
            let from = Path::new(ROOT).join(dir);
            if !from.exists() {
                continue;
            }
            let to = work.path().join(dir);
            std::fs::create_dir_all(&to).unwrap();
            for entry in std::fs::read_dir(&from).unwrap() {
                let entry = entry.unwrap();
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
        let bin = work.path().join("fake-bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::copy(Path::new(ROOT).join("tests/ci/fake-gh"), bin.join("gh")).unwrap();
        let fake_curl = Path::new(ROOT).join("tests/ci/fake-gitlab-curl");
        if fake_curl.exists() {
            std::fs::copy(fake_curl, bin.join("curl")).unwrap();
        }
        let gh_state = work.path().join("fake-github");
        std::fs::create_dir_all(&gh_state).unwrap();
        Repo {
            work,
            bin,
            gh_state,
        }
    }

    fn path_var(&self) -> String {
        let oktaform = Path::new(env!("CARGO_BIN_EXE_oktaform")).parent().unwrap();
        format!(
            "{}:{}:{}",
            self.bin.display(),
            oktaform.display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    fn github(&self) -> Value {
        std::fs::read_to_string(self.gh_state.join("repo.json"))
            .map(|t| serde_json::from_str(&t).unwrap())
            .unwrap_or(json!({}))
    }

    fn set_github(&self, value: &Value) {
        std::fs::write(self.gh_state.join("repo.json"), value.to_string()).unwrap();
    }

    /// Runs one script as a CI runner would: bash -eo pipefail, in the checkout.
    fn shell(&self, script: &str, env: &BTreeMap<String, String>) -> std::process::Output {
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(self.work.path())
            .env_clear()
            .env("PATH", self.path_var())
            .env("HOME", self.work.path())
            .env("NO_COLOR", "1")
            .env("FAKE_GH_STATE", &self.gh_state)
            .env("GITHUB_STEP_SUMMARY", self.work.path().join("summary.md"));
        command.envs(env);
        command.output().unwrap()
    }

    /// Runs every `run:` step of `workflow`'s jobs but the install step (the binary is on
    /// PATH already); returns the first failing step's name and exit code, or `None`.
    fn workflow(&self, workflow: &str, sandbox: &SandboxProcess) -> Option<(String, i32, String)> {
        let text =
            std::fs::read_to_string(Path::new(ROOT).join(".github/workflows").join(workflow))
                .unwrap();
        let doc: Value = serde_saphyr::from_str(&text).unwrap();
        let top = env_of(&doc, sandbox);
        for (_, job) in doc["jobs"].as_object().unwrap() {
            let mut env = top.clone();
            env.extend(env_of(job, sandbox));
            for step in job["steps"].as_array().unwrap() {
                let Some(run) = step.get("run").and_then(Value::as_str) else {
                    continue;
                };
                assert!(
                    !run.contains("${{"),
                    "{workflow}: a run step reads ${{{{ }}}} directly (pass it through env: instead): {run}"
                );
                let name = step["name"].as_str().unwrap_or(run).to_string();
                if name == "Install oktaform" {
                    continue;
                }
                let mut env = env.clone();
                env.extend(env_of(step, sandbox));
                let output = self.shell(run, &env);
                if !output.status.success() {
                    return Some((
                        name,
                        output.status.code().unwrap_or(-1),
                        format!(
                            "{}{}",
                            String::from_utf8_lossy(&output.stdout),
                            String::from_utf8_lossy(&output.stderr)
                        ),
                    ));
                }
            }
        }
        None
    }

    /// Makes the last `plan.json` the artifact of PR #7's plan run, merged as `c0ffee`.
    fn publish_plan_artifact(&self, run: u64) {
        let dir = self.gh_state.join(format!("artifact-{run}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(self.work.path().join("plan.json"), dir.join("plan.json")).unwrap();
        let mut github = self.github();
        github["pulls"] = json!({"7": {"number": 7, "head": {"ref": "feature/luciq"}}});
        github["commit_pulls"] = json!({"c0ffee": [7]});
        let mut runs = github["runs"].as_array().cloned().unwrap_or_default();
        runs.insert(
            0,
            json!({"id": run, "branch": "feature/luciq", "workflow": "oktaform-plan.yml",
                   "artifacts": {"oktaform-plan-7": dir}}),
        );
        github["runs"] = Value::Array(runs);
        self.set_github(&github);
    }
}

fn automatic_changes(repo: &Repo, sandbox: &SandboxProcess) -> Vec<Value> {
    let output = repo.shell(
        &format!("oktaform plan --org {} --format json", sandbox.url),
        &BTreeMap::from([("OKTA_API_TOKEN".to_string(), "sandbox-token".to_string())]),
    );
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] != "manual")
        .cloned()
        .collect()
}

/// Another admin adds the Okta user attribute first, with another title.
fn console_adds_the_okta_attribute(sandbox: &SandboxProcess) {
    let (status, body) = sandbox.call(
        "POST",
        "/__sandbox/console/api/v1/meta/schemas/user/default?admin=jane@example.com",
        Some(json!({"definitions": {"custom": {"id": "#custom", "type": "object", "properties": {
            "instabugApplications": {"title": "Apps (console)", "type": "array", "items": {"type": "string"}}}}}})),
    );
    assert_eq!(status, 200, "{body}");
}

/// An admin renames the Luciq role attribute in the Admin Console.
fn console_edit(sandbox: &SandboxProcess, title: &str) {
    let app = sandbox.app_id("Luciq");
    let schema = format!("/api/v1/meta/schemas/apps/{app}/default");
    let (_, live) = sandbox.call("GET", &schema, None);
    let mut role = live["definitions"]["custom"]["properties"]["instabugRole"].clone();
    role["title"] = json!(title);
    let (status, body) = sandbox.call(
        "POST",
        &format!("/__sandbox/console{schema}?admin=jane@example.com"),
        Some(
            json!({"definitions": {"custom": {"id": "#custom", "type": "object",
            "properties": {"instabugRole": role}}}}),
        ),
    );
    assert_eq!(status, 200, "{body}");
}

#[test]
fn github_workflows_plan_comment_apply_and_open_drift_issues_against_the_sandbox() {
    let repo = Repo::new();
    let sandbox = SandboxProcess::start(&repo.work);

    // Plan on the pull request: one comment, with the plan and its diagram.
    assert_eq!(repo.workflow("oktaform-plan.yml", &sandbox), None);
    let comments = repo.github()["comments"].as_array().unwrap().clone();
    assert_eq!(comments.len(), 1);
    let body = comments[0]["body"].as_str().unwrap();
    assert!(body.starts_with("<!-- oktaform-plan -->"));
    assert!(body.contains("### oktaform plan for"));
    assert!(body.contains("```mermaid"));
    assert!(
        std::fs::read_to_string(repo.work.path().join("summary.md"))
            .unwrap()
            .contains("```diff")
    );

    // A second push changes the config: the same comment is updated.
    let config = repo.work.path().join("oktaform.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace(
            "bob@example.com: { instabugRole: member }",
            "bob@example.com: { instabugRole: viewer }",
        ),
    )
    .unwrap();
    assert_eq!(repo.workflow("oktaform-plan.yml", &sandbox), None);
    let comments = repo.github()["comments"].as_array().unwrap().clone();
    assert_eq!(comments.len(), 1, "updated, not duplicated");
    assert!(
        comments[0]["body"]
            .as_str()
            .unwrap()
            .contains("instabugRole: viewer")
    );
    repo.publish_plan_artifact(41);

    // Someone edits the org before the merge: the saved plan is refused, nothing written.
    console_adds_the_okta_attribute(&sandbox);
    let failed = repo.workflow("oktaform-apply.yml", &sandbox);
    let (step, code, output) = failed.expect("a stale plan is refused");
    assert_eq!(
        (step.as_str(), code),
        ("Apply the saved plan", 3),
        "{output}"
    );
    assert!(
        output.contains("changed since the plan was made"),
        "{output}"
    );

    // Re-run the PR's plan, merge: the fresh saved plan applies and the org converges.
    assert_eq!(repo.workflow("oktaform-plan.yml", &sandbox), None);
    assert_eq!(repo.github()["comments"].as_array().unwrap().len(), 1);
    repo.publish_plan_artifact(42);
    assert_eq!(repo.workflow("oktaform-apply.yml", &sandbox), None);
    assert_eq!(automatic_changes(&repo, &sandbox), Vec::<Value>::new());

    // Nightly drift: nothing, then a console edit opens one issue, updated the next night.
    assert_eq!(repo.workflow("oktaform-drift.yml", &sandbox), None);
    assert_eq!(repo.github()["issues"].as_array().map_or(0, Vec::len), 0);
    console_edit(&sandbox, "Role in Luciq");
    assert_eq!(repo.workflow("oktaform-drift.yml", &sandbox), None);
    let issues = repo.github()["issues"].as_array().unwrap().clone();
    assert_eq!(issues.len(), 1, "{issues:#?}");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(repo.work.path().join("drift.json")).unwrap(),
    )
    .unwrap();
    let fingerprint = report["findings"][0]["fingerprint"].as_str().unwrap();
    assert!(
        issues[0]["title"].as_str().unwrap().contains(fingerprint),
        "{issues:#?}"
    );
    assert!(
        issues[0]["body"]
            .as_str()
            .unwrap()
            .contains("jane@example.com"),
        "{issues:#?}"
    );
    assert_eq!(repo.workflow("oktaform-drift.yml", &sandbox), None);
    assert_eq!(
        repo.github()["issues"].as_array().unwrap().len(),
        1,
        "one issue per fingerprint"
    );
    let calls = std::fs::read_to_string(repo.gh_state.join("calls.log")).unwrap();
    assert!(
        calls.contains("\"PATCH\", \"repos/acme/okta-config/issues/1\""),
        "{calls}"
    );
}

impl Repo {
    fn gitlab(&self) -> Value {
        std::fs::read_to_string(self.gh_state.join("gitlab.json"))
            .map(|t| serde_json::from_str(&t).unwrap())
            .unwrap_or(json!({}))
    }

    /// Runs the `script:` of one job of .gitlab-ci.yml (not `before_script`, which installs
    /// oktaform) in one bash, as GitLab's runner does, with its predefined variables.
    fn gitlab_job(&self, job: &str, sandbox: &SandboxProcess) -> std::process::Output {
        let text = std::fs::read_to_string(Path::new(ROOT).join(".gitlab-ci.yml")).unwrap();
        let doc: Value = serde_saphyr::from_str(&text).unwrap();
        let mut env: BTreeMap<String, String> = doc["variables"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        for (key, value) in [
            ("OKTA_ORG_URL", sandbox.url.as_str()),
            ("OKTA_API_TOKEN", "sandbox-token"),
            ("GITLAB_API_TOKEN", "glpat-test"),
            ("LUCIQ_SCIM_TOKEN", "luciq-token-for-tests"),
            ("CI_API_V4_URL", "https://gitlab.example.com/api/v4"),
            ("CI_PROJECT_ID", "42"),
            ("CI_MERGE_REQUEST_IID", "7"),
            ("CI_COMMIT_SHA", "c0ffee"),
        ] {
            env.insert(key.into(), value.into());
        }
        let script: Vec<&str> = doc[job]["script"]
            .as_array()
            .unwrap_or_else(|| panic!("no job {job}"))
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        self.shell(&script.join("\n"), &env)
    }
}

fn ok(output: &std::process::Output) -> bool {
    if !output.status.success() {
        eprintln!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output.status.success()
}

#[test]
fn gitlab_jobs_note_apply_and_open_drift_issues_against_the_sandbox() {
    let repo = Repo::new();
    let sandbox = SandboxProcess::start(&repo.work);
    let text = std::fs::read_to_string(Path::new(ROOT).join(".gitlab-ci.yml")).unwrap();
    let doc: Value = serde_saphyr::from_str(&text).unwrap();
    let jobs: Vec<&String> = doc
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !["variables", "default", "stages"].contains(&k.as_str()))
        .collect();
    assert_eq!(jobs, ["oktaform-plan", "oktaform-apply", "oktaform-drift"]);

    assert!(ok(&repo.gitlab_job("oktaform-plan", &sandbox)));
    assert!(ok(&repo.gitlab_job("oktaform-plan", &sandbox)));
    let notes = repo.gitlab()["notes"].as_array().unwrap().clone();
    assert_eq!(notes.len(), 1, "updated, not duplicated: {notes:#?}");
    assert!(notes[0]["body"].as_str().unwrap().contains("```mermaid"));

    let saved = repo.gh_state.join("gitlab-plan.json");
    std::fs::copy(repo.work.path().join("plan.json"), &saved).unwrap();
    let mut gitlab = repo.gitlab();
    gitlab["commit_mrs"] = json!({"c0ffee": ["feature/luciq"]});
    gitlab["artifacts"] = json!({"feature/luciq": saved});
    std::fs::write(repo.gh_state.join("gitlab.json"), gitlab.to_string()).unwrap();
    std::fs::remove_file(repo.work.path().join("plan.json")).unwrap();
    assert!(ok(&repo.gitlab_job("oktaform-apply", &sandbox)));
    assert_eq!(automatic_changes(&repo, &sandbox), Vec::<Value>::new());

    assert!(ok(&repo.gitlab_job("oktaform-drift", &sandbox)));
    console_edit(&sandbox, "Role in Luciq");
    assert!(ok(&repo.gitlab_job("oktaform-drift", &sandbox)));
    assert!(ok(&repo.gitlab_job("oktaform-drift", &sandbox)));
    let issues = repo.gitlab()["issues"].as_array().unwrap().clone();
    assert_eq!(issues.len(), 1, "one issue per fingerprint: {issues:#?}");
    assert!(
        issues[0]["description"]
            .as_str()
            .unwrap()
            .contains("jane@example.com")
    );
}
