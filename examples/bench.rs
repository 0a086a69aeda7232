//! Benchmark of a plan (and of a drift run: the plan's read plus the System Log) against the
//! sandbox: API calls, sequential round trips, wall time.
//!
//!     cargo run --release --example bench
//!
//! Prints one line per scenario. Round trips are measured as wall time divided by the injected
//! per-request latency with concurrency high enough never to queue, so they show the read's
//! dependency depth; API calls come from the sandbox's request counter.

use std::time::{Duration, Instant, SystemTime};

use oktaform::config::{FileId, load::parse};
use oktaform::drift;
use oktaform::ids::OrgUrl;
use oktaform::okta::read;
use oktaform::okta::{Access, Client, ClientOptions, Credentials};
use oktaform::plan::{Plan, diff, scope};
use oktaform::sandbox::{Knobs, Sandbox, SandboxOptions, Seed, seed};
use oktaform::secret::SecretString;

/// A config with `apps` apps shaped like Luciq's (2 attributes, 2 mappings, 2 users, 1 group).
fn config_text(apps: usize, by_id: Option<&[String]>) -> String {
    let mut text = String::from(
        "okta_user:\n  attributes:\n    role: { title: Role, type: string, enum: [admin, member] }\n    apps: { title: Apps, type: string array }\napps:\n",
    );
    for i in 0..apps {
        let find = match by_id {
            Some(ids) => format!("{{ id: {} }}", ids[i]),
            None => format!("{{ label: Bench App {i:02} }}"),
        };
        text.push_str(&format!(
            "  app{i:02}:\n    find: {find}\n    attributes:\n      role: {{ title: Role, type: string, enum: [admin, member], external_namespace: 'urn:x' }}\n      apps: {{ title: Apps, type: string array, external_namespace: 'urn:x' }}\n    mappings:\n      to_app: {{ role: user.role, apps: user.apps }}\n    assignments:\n      users:\n        alice@example.com: {{ role: admin }}\n        bob@example.com: {{ role: member }}\n      groups:\n        Engineering: {{ priority: 0, profile: {{ role: member }} }}\n"
        ));
    }
    text
}

struct Scenario {
    name: String,
    apps: usize,
    by_id: bool,
    latency_ms: u64,
    concurrency: usize,
}

/// What one scenario measured.
struct Measured {
    calls: u64,
    read: Duration,
    changes: usize,
    diff: Duration,
    /// Calls of a drift run beyond the plan's read (the System Log pages).
    drift_calls: u64,
}

async fn run(scenario: &Scenario) -> Measured {
    let dir = std::env::temp_dir().join(format!(
        "oktaform-bench-{}-{}",
        std::process::id(),
        scenario.name.replace(' ', "-")
    ));
    let _ = std::fs::create_dir_all(&dir);
    let state = dir.join("org.json");
    let mut org = seed::org(Seed::Demo);
    let ids: Vec<String> = (0..scenario.apps)
        .map(|i| {
            seed::add_app(
                &mut org,
                &format!("bench_{i}"),
                &format!("Bench App {i:02}"),
                "SAML_2_0",
                &["SCIM_PROVISIONING"],
                false,
            )
        })
        .collect();
    org.save(&state).expect("write the bench org");
    let knobs = Knobs {
        latency_ms: scenario.latency_ms,
        rate_limit: 100_000,
        ..Knobs::default()
    };
    let sandbox = Sandbox::start(SandboxOptions {
        state: Some(state),
        knobs,
        ..SandboxOptions::default()
    })
    .await
    .expect("start the sandbox");
    let config = parse(
        FileId(0),
        &config_text(scenario.apps, scenario.by_id.then_some(ids.as_slice())),
    )
    .expect("bench config");
    let client = Client::new(
        OrgUrl::parse(sandbox.base_url()).unwrap(),
        Credentials::ApiToken(SecretString::new(sandbox.token().into())),
        Access::Read,
        ClientOptions {
            max_concurrency: scenario.concurrency,
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let started = Instant::now();
    let live = read(&client, &scope(&config)).await.expect("read");
    let read_time = started.elapsed();
    let diff_started = Instant::now();
    let changes = diff(&config, &live).expect("diff");
    let diff_time = diff_started.elapsed();
    let count = || {
        client
            .stats
            .requests
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    let calls = count();
    let changes_count = changes.changes.len();
    // The drift run on top: findings, then one System Log query for all of them.
    let plan = Plan::new("bench".into(), &live, changes);
    let (findings, _) = drift::findings(&plan, &live, &[]);
    let refs: Vec<&drift::Finding> = findings.iter().collect();
    let since = humantime::format_rfc3339_seconds(SystemTime::now() - Duration::from_secs(86_400))
        .to_string();
    let until =
        humantime::format_rfc3339_seconds(SystemTime::now() + Duration::from_secs(1)).to_string();
    drift::attribution::read(&client, (&since, &until), &refs)
        .await
        .expect("read the System Log");
    let drift_calls = count() - calls;
    sandbox.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
    Measured {
        calls,
        read: read_time,
        changes: changes_count,
        diff: diff_time,
        drift_calls,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let scenarios = [
        Scenario {
            name: "1 app, find by label, 100 ms".into(),
            apps: 1,
            by_id: false,
            latency_ms: 100,
            concurrency: 64,
        },
        Scenario {
            name: "1 app, find by id, 100 ms".into(),
            apps: 1,
            by_id: true,
            latency_ms: 100,
            concurrency: 64,
        },
        Scenario {
            name: "25 apps, find by label, 100 ms".into(),
            apps: 25,
            by_id: false,
            latency_ms: 100,
            concurrency: 64,
        },
        Scenario {
            name: "25 apps, default concurrency 4, 100 ms".into(),
            apps: 25,
            by_id: false,
            latency_ms: 100,
            concurrency: 4,
        },
        Scenario {
            name: "1 app, no latency".into(),
            apps: 1,
            by_id: false,
            latency_ms: 0,
            concurrency: 4,
        },
        Scenario {
            name: "25 apps, no latency".into(),
            apps: 25,
            by_id: false,
            latency_ms: 0,
            concurrency: 4,
        },
    ];
    println!(
        "{:<42} {:>9} {:>12} {:>11} {:>9} {:>10} {:>12}",
        "scenario", "API calls", "round trips", "read (ms)", "changes", "diff (µs)", "drift calls"
    );
    for scenario in &scenarios {
        let m = run(scenario).await;
        let rounds = if scenario.latency_ms > 0 && scenario.concurrency >= 64 {
            format!(
                "{:.1}",
                m.read.as_secs_f64() * 1000.0 / scenario.latency_ms as f64
            )
        } else {
            "-".into()
        };
        println!(
            "{:<42} {:>9} {:>12} {:>11.1} {:>9} {:>10} {:>12}",
            scenario.name,
            m.calls,
            rounds,
            m.read.as_secs_f64() * 1000.0,
            m.changes,
            m.diff.as_micros(),
            format!("{} + {}", m.calls, m.drift_calls)
        );
    }
}
