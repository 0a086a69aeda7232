//! Hardening: what oktaform and its sandbox refuse, run through the real binary — org URLs
//! that carry secrets, two config apps for one Okta app, a sandbox served beyond loopback, and
//! request bodies and query parameters Okta refuses.

mod common;

use common::{SandboxProcess, Workdir, example, run_against, stderr, stdout};
use serde_json::Value;

/// A raw request to the sandbox: `(status, body as JSON or Null)`.
fn raw(
    base: &str,
    method: &str,
    path: &str,
    body: Option<Vec<u8>>,
    token: Option<&str>,
) -> (u16, Value) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut request = reqwest::Client::new()
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .header("accept", "application/json")
            .header("content-type", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", format!("SSWS {token}"));
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.expect("sandbox answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    })
}

#[test]
fn an_org_url_with_a_credential_is_refused_before_any_connection_and_not_echoed() {
    let work = Workdir::new();
    for url in [
        // Port 1 on loopback: nothing listens, so reaching "cannot connect" would mean it tried.
        "http://admin:s3cr3t-token@127.0.0.1:1",
        "https://acme.okta.com/?token=s3cr3t-token",
        "https://acme.okta.com/#s3cr3t-token",
    ] {
        let output = work.run(&["plan", "-c", &example("luciq"), "--org", url]);
        let text = format!("{}{}", stdout(&output), stderr(&output));
        assert_eq!(output.status.code(), Some(1), "{url}: {text}");
        assert!(!text.contains("s3cr3t"), "{url}: {text}");
        assert!(!text.contains("cannot reach"), "{url}: {text}");
        assert!(
            text.contains("use the org URL alone")
                || text.contains("credentials never go in the URL"),
            "{url}: {text}"
        );
    }
    // The same through OKTA_ORG_URL.
    let output = work
        .command(&["plan", "-c", &example("luciq")])
        .env("OKTA_ORG_URL", "http://admin:s3cr3t-token@127.0.0.1:1")
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(!text.contains("s3cr3t"), "{text}");
}

#[test]
fn two_config_apps_that_find_one_okta_app_are_refused_by_validate_and_by_plan() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let id = sandbox.app_id("Luciq");
    // By label twice: validation sees it offline.
    work.write(
        "twice.yaml",
        "apps:\n  luciq:\n    find: { label: Luciq }\n    manage: { users: exclusive }\n  luciq_too:\n    find: { label: Luciq }\n",
    );
    let output = work.run(&["validate", "-c", "twice.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("error[same-okta-app]"), "{text}");
    assert!(text.contains("twice.yaml:6:11"), "{text}");
    assert!(text.contains("`luciq` finds it here"), "{text}");
    // By id and by label: only the read can tell; plan refuses before any change is shown.
    work.write(
        "id_and_label.yaml",
        &format!(
            "apps:\n  luciq:\n    find: {{ label: Luciq }}\n  luciq_by_id:\n    find: {{ id: {id} }}\n    manage: {{ users: exclusive }}\n"
        ),
    );
    let output = run_against(&work, &sandbox, &["plan", "-c", "id_and_label.yaml"]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{}{text}", stdout(&output));
    assert!(
        text.contains(&format!(
            "apps `luciq` and `luciq_by_id` both found the Okta app `Luciq` ({id})"
        )),
        "{text}"
    );
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
}

#[test]
fn the_sandbox_serves_loopback_only_unless_allowed_and_then_guards_its_knobs() {
    let work = Workdir::new();
    let serve = |args: &[&str]| {
        let mut all = vec!["sandbox", "serve", "--state", "remote.json"];
        all.extend(args);
        work.run(&all)
    };
    let output = serve(&["--listen", "0.0.0.0:0"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("refusing to serve on 0.0.0.0:0: it is not a loopback address"),
        "{}",
        stderr(&output)
    );
    let output = serve(&["--listen", "0.0.0.0:0", "--allow-remote"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("--allow-remote needs --token"),
        "{}",
        stderr(&output)
    );

    use std::io::BufRead;
    let mut child = work
        .command(&[
            "sandbox",
            "serve",
            "--state",
            "remote.json",
            "--listen",
            "0.0.0.0:0",
            "--allow-remote",
            "--token",
            "a-secret-of-mine",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim().rsplit(':').next().unwrap().to_string();
    let _running = Running(child);
    let url = format!("http://127.0.0.1:{port}");
    let knobs = |token: Option<&str>| raw(&url, "GET", "/__sandbox/config", None, token).0;
    assert_eq!(knobs(None), 401);
    assert_eq!(knobs(Some("sandbox-token")), 401);
    assert_eq!(knobs(Some("a-secret-of-mine")), 200);
    let (status, _) = raw(&url, "GET", "/api/v1/apps", None, Some("sandbox-token"));
    assert_eq!(status, 401, "the public token does not open the API either");
}

/// A child process, killed on drop.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_sandbox_refuses_bodies_and_query_parameters_as_okta_does() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let app = sandbox.app_id("Luciq");
    let (_, groups) = sandbox.call("GET", "/api/v1/groups?q=Engineering", None);
    let group = groups[0]["id"].as_str().unwrap().to_string();
    let put_group = format!("/api/v1/apps/{app}/groups/{group}");
    let code =
        |answer: &(u16, Value)| (answer.0, answer.1["errorCode"].as_str().map(str::to_string));
    for body in [
        "[]",
        "null",
        "42",
        "\"text\"",
        "{\"priority\": \"first\"}",
        "{\"profile\": []}",
        "{\"priority\": 1.5}",
        "{not json",
    ] {
        let answer = raw(
            &sandbox.url,
            "PUT",
            &put_group,
            Some(body.into()),
            Some("sandbox-token"),
        );
        assert_eq!(
            code(&answer),
            (400, Some("E0000003".into())),
            "{body}: {answer:?}"
        );
    }
    let answer = raw(
        &sandbox.url,
        "PUT",
        &put_group,
        Some(b"{\"priority\": -1}".to_vec()),
        Some("sandbox-token"),
    );
    assert_eq!(code(&answer), (400, Some("E0000001".into())), "{answer:?}");
    // Nothing of those was assigned.
    let (_, assigned) = sandbox.call("GET", &format!("/api/v1/apps/{app}/groups"), None);
    assert!(
        !assigned
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == group.as_str()),
        "{assigned:#}"
    );
    let answer = raw(
        &sandbox.url,
        "PUT",
        &put_group,
        Some(b"{\"priority\": 0}".to_vec()),
        Some("sandbox-token"),
    );
    assert_eq!(answer.0, 200, "{answer:?}");

    for (path, want) in [
        (
            "/api/v1/users?search=((((",
            (400, Some("E0000031".to_string())),
        ),
        (
            "/api/v1/users?search=profile.login%20sw%20%22a%22",
            (400, Some("E0000031".into())),
        ),
        (
            "/api/v1/groups?search=profile.name%20eq",
            (400, Some("E0000031".into())),
        ),
        ("/api/v1/users?limit=-1", (400, Some("E0000001".into()))),
        ("/api/v1/users?limit=0", (400, Some("E0000001".into()))),
        ("/api/v1/users?limit=abc", (400, Some("E0000001".into()))),
        ("/api/v1/users?after=zzz", (400, Some("E0000001".into()))),
        (
            &*format!("/api/v1/apps/{app}/users?limit=ten"),
            (400, Some("E0000001".into())),
        ),
    ] {
        let answer = raw(&sandbox.url, "GET", path, None, Some("sandbox-token"));
        assert_eq!(code(&answer), want, "{path}: {answer:?}");
    }
    // A limit above the list's maximum is lowered to it, as Okta documents.
    let (status, users) = raw(
        &sandbox.url,
        "GET",
        "/api/v1/users?limit=100000",
        None,
        Some("sandbox-token"),
    );
    assert_eq!(status, 200);
    assert!(users.as_array().is_some_and(|u| !u.is_empty()), "{users}");
    // An eq search still finds exactly its user.
    let (status, users) = raw(
        &sandbox.url,
        "GET",
        "/api/v1/users?search=profile.login%20eq%20%22alice%40example.com%22",
        None,
        Some("sandbox-token"),
    );
    assert_eq!(
        (status, users.as_array().map(Vec::len)),
        (200, Some(1)),
        "{users}"
    );
    // A body over the limit: 413 in Okta's error shape, not plain text.
    let big = format!(
        "{{\"profile\": {{\"x\": \"{}\"}}}}",
        "a".repeat(3 * 1024 * 1024)
    );
    let answer = raw(
        &sandbox.url,
        "PUT",
        &put_group,
        Some(big.into_bytes()),
        Some("sandbox-token"),
    );
    assert_eq!(
        code(&answer),
        (413, Some("E0000001".into())),
        "{:?}",
        answer.0
    );
    assert!(answer.1["errorId"].is_string(), "{}", answer.1);
}

#[test]
fn a_second_apply_against_one_org_waits_for_the_first_and_says_who_else_wrote() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    // Hold this org's lock as a running apply on this machine would (same file, same lock).
    let digest = ring::digest::digest(&ring::digest::SHA256, sandbox.url.as_bytes());
    let name: String = digest.as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let dir = std::env::temp_dir().join("oktaform-locks");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.lock"));
    let held = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    held.lock().unwrap();
    std::fs::write(&path, "pid 4242, run test0001").unwrap();
    let apply = |config: &str| {
        work.command(&["apply", "-c", config, "--auto-approve"])
            .env("OKTA_ORG_URL", &sandbox.url)
            .env("OKTA_API_TOKEN", "sandbox-token")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let waiting = apply(&example("luciq"));
    std::thread::sleep(std::time::Duration::from_secs(3));
    let (_, requests) = sandbox.call("GET", "/__sandbox/requests", None);
    let log = requests["log"].as_array().expect("the request log");
    assert!(
        log.iter().any(|r| r["method"] == "GET"),
        "the plan was read: {requests}"
    );
    let writes_while_held = log.iter().filter(|r| r["method"] != "GET").count();
    held.unlock().unwrap();
    let first = waiting.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(
        writes_while_held, 0,
        "nothing is written while another apply holds the org"
    );
    let text = stderr(&first);
    assert!(
        text.contains("another oktaform apply against")
            && text.contains("(pid 4242, run test0001); waiting for it to finish"),
        "{text}"
    );
    // A run from elsewhere shows in the System Log: the next apply names the first one.
    let second = apply(&example("lightrun")).wait_with_output().unwrap();
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let text = stderr(&second);
    assert!(text.contains("warning: oktaform run "), "{text}");
    assert!(text.contains("changes to this org, the last at"), "{text}");
    assert!(!text.contains("waiting for it"), "{text}");
}

#[test]
fn a_hand_edited_saved_plan_is_refused_as_edited_not_as_a_changed_org() {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let output = run_against(
        &work,
        &sandbox,
        &["plan", "-c", &example("luciq"), "--out", "plan.json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let path = work.path().join("plan.json");
    let mut plan: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    // Someone "fixes" the plan by hand: a user's role, after review.
    let change = plan["changes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["op"] == "assign_user")
        .expect("an assignment in the plan");
    change["profile"]["instabugRole"] = Value::from("member");
    std::fs::write(&path, serde_json::to_vec_pretty(&plan).unwrap()).unwrap();
    let output = run_against(&work, &sandbox, &["apply", "plan.json"]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{}{text}", stdout(&output));
    assert!(text.contains("was edited after it was saved"), "{text}");
    assert!(
        !text.contains("org changed") && !text.contains("no longer needs"),
        "{text}"
    );
    let (_, requests) = sandbox.call("GET", "/__sandbox/requests", None);
    let writes = requests["log"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] != "GET")
        .count();
    assert_eq!(writes, 0, "nothing was written");
}

/// SIGINT, then SIGTERM, during an apply: each time no new write starts, those in flight
/// finish, the applied / not-applied report is printed, and the exit code is 130; a re-run
/// converges.
#[cfg(unix)]
#[test]
fn an_interrupted_apply_reports_what_it_wrote_and_exits_130() {
    for signal in ["-INT", "-TERM"] {
        let work = Workdir::new();
        let sandbox = SandboxProcess::start(&work);
        // Slow writes, so the signal comes while the apply is writing.
        let (status, _) = sandbox.call(
            "PUT",
            "/__sandbox/config",
            Some(serde_json::json!({"latency_ms": 250})),
        );
        assert_eq!(status, 200);
        let child = work
            .command(&["apply", "-c", &example("org"), "--auto-approve"])
            .env("OKTA_ORG_URL", &sandbox.url)
            .env("OKTA_API_TOKEN", "sandbox-token")
            .env("PARTNER_ORG_API_TOKEN", "partner-org-token-not-a-secret")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Wait for the first write, then signal.
        let writes = || {
            let (_, requests) = sandbox.call("GET", "/__sandbox/requests", None);
            requests["log"]
                .as_array()
                .map_or(0, |l| l.iter().filter(|r| r["method"] != "GET").count())
        };
        let mut waited = 0;
        while writes() == 0 && waited < 600 {
            std::thread::sleep(std::time::Duration::from_millis(50));
            waited += 1;
        }
        assert!(writes() > 0, "the apply started writing");
        let killed = std::process::Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let output = child.wait_with_output().unwrap();
        let (out, err) = (stdout(&output), stderr(&output));
        assert_eq!(output.status.code(), Some(130), "{signal}: {out}{err}");
        assert!(err.contains("interrupted: starting no new writes"), "{err}");
        assert!(
            out.contains("applied  "),
            "{signal}: a report of what was written: {out}"
        );
        assert!(
            out.contains("stopped  "),
            "{signal}: and of what was not: {out}"
        );
        assert!(out.contains("Stopped before"), "{out}");
        // What the report says was not applied is what a re-run still does.
        let output = run_against(
            &work,
            &sandbox,
            &["apply", "-c", &example("org"), "--auto-approve"],
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let plan = run_against(
            &work,
            &sandbox,
            &["plan", "-c", &example("org"), "--format", "json"],
        );
        let plan: Value = serde_json::from_str(&stdout(&plan)).unwrap();
        assert!(
            plan["changes"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["action"] == "manual"),
            "{plan:#}"
        );
    }
}
