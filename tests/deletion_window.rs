//! Finding B6: Okta's "deletion process … incomplete" window lasts minutes. Apply waits it out
//! for a bounded time; past that it stops saying the attribute is deleted and its re-create
//! pending, and the next run re-creates it.

mod common;

use std::time::Duration;

use oktaform::apply::{ApplyOptions, Stop, apply};
use oktaform::config::{FileId, load::parse};
use oktaform::okta::{Client, ClientOptions, read};
use oktaform::plan::{Action, Plan, diff, scope};
use oktaform::sandbox::{Knobs, Sandbox, SandboxOptions};

fn config(kind: &str) -> String {
    format!(
        "apps:\n  luciq:\n    find: {{ label: Luciq }}\n    attributes:\n      tier: {{ title: Tier, type: {kind}, external_name: tier }}\n"
    )
}

async fn run(client: &Client, text: &str, options: &ApplyOptions) -> oktaform::apply::Report {
    let config = parse(FileId(0), text).unwrap();
    let live = read(client, &scope(&config)).await.unwrap();
    let plan = Plan::new("sandbox".into(), &live, diff(&config, &live).unwrap());
    apply(client, &plan, options, &Stop::never()).await.unwrap()
}

#[tokio::test]
async fn a_replace_inside_the_deletion_window_is_resumed_by_the_next_run() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sandbox = Sandbox::start(SandboxOptions {
        knobs: Knobs {
            deletion_window_ms: 2_000,
            ..Knobs::default()
        },
        ..SandboxOptions::default()
    })
    .await
    .unwrap();
    let client = common::sandbox_client(&sandbox, ClientOptions::default());
    let short = ApplyOptions {
        backoff: Duration::from_millis(100),
        deletion_window_wait: Duration::from_millis(300),
        ..ApplyOptions::default()
    };
    assert!(!run(&client, &config("string"), &short).await.failed());
    let report = run(&client, &config("integer"), &short).await;
    let error = report
        .results
        .iter()
        .find_map(|(_, o)| match o {
            oktaform::apply::Outcome::Failed { error, .. } => Some(error.clone()),
            _ => None,
        })
        .expect("the re-create waits for the window");
    assert!(
        error.contains("`tier` deleted, re-create pending") && error.contains("run apply again"),
        "{error}"
    );
    // The next run, after the window, finds the attribute gone and creates it.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let config_text = config("integer");
    let parsed = parse(FileId(0), &config_text).unwrap();
    let live = read(&client, &scope(&parsed)).await.unwrap();
    let changes = diff(&parsed, &live).unwrap();
    assert_eq!(changes.changes.len(), 1);
    assert_eq!(changes.changes[0].action, Action::Create);
    assert!(!run(&client, &config_text, &short).await.failed());
    // Waiting long enough covers the window in one run.
    let patient = ApplyOptions {
        backoff: Duration::from_millis(200),
        deletion_window_wait: Duration::from_secs(10),
        ..ApplyOptions::default()
    };
    assert!(!run(&client, &config("string"), &patient).await.failed());
    sandbox.stop().await;
}
