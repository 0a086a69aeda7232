//! A stop during apply: no write starts after it, the writes in flight finish, and every change
//! not written is reported as not applied, `interrupted` — against the sandbox, with latency so
//! that writes are in flight when the stop comes.

mod common;

use std::time::Duration;

use oktaform::apply::{ApplyOptions, INTERRUPTED, Outcome, Stop, apply};
use oktaform::config::{FileId, load::parse};
use oktaform::okta::{ClientOptions, read};
use oktaform::plan::{Plan, diff, scope};
use oktaform::sandbox::{Knobs, Sandbox, SandboxOptions, Seed, seed};

const USERS: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_starts_no_new_write_and_reports_the_rest_interrupted() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut org = seed::org(Seed::Empty);
    seed::add_app(
        &mut org,
        "stop_app",
        "Stop App",
        "SAML_2_0",
        &["SCIM_PROVISIONING"],
        false,
    );
    let mut config = String::from(
        "apps:\n  stop:\n    find: { label: Stop App }\n    assignments:\n      users:\n",
    );
    for i in 0..USERS {
        let login = format!("user{i:03}@example.com");
        seed::add_user(&mut org, &login, "User", &format!("{i}"));
        config.push_str(&format!("        {login}: {{}}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("org.json");
    org.save(&state).unwrap();
    let sandbox = Sandbox::start(SandboxOptions {
        state: Some(state),
        knobs: Knobs {
            latency_ms: 40,
            rate_limit: 100_000,
            ..Knobs::default()
        },
        ..SandboxOptions::default()
    })
    .await
    .unwrap();
    let client = common::sandbox_client(&sandbox, ClientOptions::default());
    let config = parse(FileId(0), &config).expect("config");
    let live = read(&client, &scope(&config)).await.expect("read");
    let plan = Plan::new("test".into(), &live, diff(&config, &live).expect("diff"));
    assert_eq!(plan.changes.len(), USERS);

    let (handle, stop) = Stop::new();
    let options = ApplyOptions {
        write_concurrency: 4,
        ..ApplyOptions::default()
    };
    let stopper = async {
        // Four at a time, 40 ms each: a few rounds are written, then the stop.
        tokio::time::sleep(Duration::from_millis(130)).await;
        handle.stop();
    };
    let (report, ()) = tokio::join!(apply(&client, &plan, &options, &stop), stopper);
    let report = report.unwrap();

    let applied = report.count(|o| matches!(o, Outcome::Applied));
    let interrupted =
        report.count(|o| matches!(o, Outcome::NotApplied { reason } if reason == INTERRUPTED));
    assert!(applied > 0 && applied < USERS, "applied {applied}");
    assert_eq!(
        applied + interrupted,
        USERS,
        "{:?}",
        report.results.iter().map(|(_, o)| o).collect::<Vec<_>>()
    );
    // What the report calls applied is exactly what the org has.
    let snapshot = sandbox.snapshot();
    let app = snapshot["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["app"]["label"] == "Stop App")
        .unwrap();
    assert_eq!(app["users"].as_array().unwrap().len(), applied);
    sandbox.stop().await;
}
