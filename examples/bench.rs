//! Benchmark of plan, first apply and no-op apply against the sandbox, beside a read of the
//! same objects one call at a time (concurrency 1: the way a script on Okta's SDK reads them).
//!
//!     cargo run --release --example bench -- --quick # the cases the targets name
//!     BENCH_ONLY='1 × 300 × 20 0 ms' cargo run --release --example bench -- --quick
//!     BENCH_APPS_BUCKET=1000000 cargo run --release --example bench  # the whole matrix
//!
//! `BENCH_ONLY` picks cases by name and latency; `BENCH_APPS_BUCKET` lifts the apps bucket for
//! every case but the pacing one (at 3,000 writes a minute the matrix's first applies alone
//! take over an hour; the pacing case shows the bucket is kept); `BENCH_PATHS=1` prints each
//! phase's requests by path and the longest pause between two answers, `=2` every answer's time.
//!
//! The matrix: 1, 5, 25 apps × 30, 300, 3,000 users × 20, 200 groups, each at 0 ms and 100 ms
//! added latency per request. Every app assigns every user and group (with a profile) and maps
//! two attributes. Each phase runs in a child process of its own, so its CPU time and max RSS
//! are the client's alone (the sandbox runs in this process): requests and max in flight come
//! from the client's counters. Round trips are counted, not inferred: the longest chain of
//! requests each sent after the one before it was answered (`Stats::rounds`); wall time ÷
//! added latency is printed beside them, and is a little more, since the sandbox's timer
//! overshoots each 100 ms by 1–2 ms and the client's own work between rounds adds to it.
//! The sandbox's `/api/v1/apps` bucket allows 6,000 requests a minute (oktaform uses 50 %),
//! every other bucket 100,000; its per-org concurrency limit is Okta's 75.

use std::collections::HashMap;
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::Instant;

use oktaform::apply::{ApplyOptions, Outcome, Stop, apply};
use oktaform::config::{Config, FileId, load::parse};
use oktaform::ids::OrgUrl;
use oktaform::okta::{Access, Client, ClientOptions, Credentials, read};
use oktaform::plan::scope::more_to_read;
use oktaform::plan::{Plan, diff, scope};
use oktaform::sandbox::{Knobs, Sandbox, SandboxOptions, Seed, seed};
use oktaform::secret::SecretString;

#[derive(Debug, Clone)]
struct Case {
    name: String,
    /// `None`: examples/luciq.yaml (`Some(true)` below: found by id).
    shape: Option<(usize, usize, usize)>,
    luciq_by_id: bool,
    latency_ms: u64,
    /// Limit of the `/api/v1/apps` bucket per minute.
    apps_bucket: u32,
    phases: &'static [&'static str],
}

const ALL: &[&str] = &["plan", "apply", "replan", "noop", "serial"];
const PLAN: &[&str] = &["plan", "serial"];
/// The largest: planned before and after a first apply that is not paced (its bucket lifted
/// for it), so that the plan of a converged org is measured too.
const BIG: &[&str] = &["plan", "converge", "replan", "noop", "serial"];

fn cases(quick: bool) -> Vec<Case> {
    let mut cases = Vec::new();
    for latency in [100, 0] {
        for by_id in [false, true] {
            cases.push(Case {
                name: format!("luciq.yaml{}", if by_id { " (find: id)" } else { "" }),
                shape: None,
                luciq_by_id: by_id,
                latency_ms: latency,
                apps_bucket: 6_000,
                phases: PLAN,
            });
        }
    }
    let shapes: Vec<(usize, usize, usize)> = if quick {
        vec![(25, 300, 20), (1, 3_000, 20), (1, 300, 20), (25, 3_000, 20)]
    } else {
        let mut all = Vec::new();
        for apps in [1, 5, 25] {
            for users in [30, 300, 3_000] {
                for groups in [20, 200] {
                    all.push((apps, users, groups));
                }
            }
        }
        all
    };
    for latency in [100, 0] {
        for &(apps, users, groups) in &shapes {
            // The largest are not applied at the bucket's pace: 75,000 writes take 25 minutes
            // at 3,000 a minute (oktaform's half of 6,000).
            let big = apps * users > 20_000;
            cases.push(Case {
                name: format!("{apps} × {users} × {groups}"),
                shape: Some((apps, users, groups)),
                luciq_by_id: false,
                latency_ms: latency,
                apps_bucket: 6_000,
                phases: if big { BIG } else { ALL },
            });
        }
    }
    // Pacing: a first apply of 300 users with a 600/min bucket, at most 50 % of it.
    cases.push(Case {
        name: "1 × 300 × 20, bucket 600/min".into(),
        shape: Some((1, 300, 20)),
        luciq_by_id: false,
        latency_ms: 0,
        apps_bucket: 600,
        phases: &["apply"],
    });
    cases
}

fn config_text(apps: usize, users: usize, groups: usize) -> String {
    let mut text = String::from(
        "okta_user:\n  attributes:\n    role: { title: Role, type: string, enum: [admin, member] }\n    apps: { title: Apps, type: string array }\napps:\n",
    );
    for i in 0..apps {
        text.push_str(&format!(
            "  app{i:02}:\n    find: {{ label: Bench App {i:02} }}\n    attributes:\n      role: {{ title: Role, type: string, enum: [admin, member], external_namespace: 'urn:x' }}\n      apps: {{ title: Apps, type: string array, external_namespace: 'urn:x' }}\n    mappings:\n      to_app: {{ role: user.role, apps: user.apps }}\n    assignments:\n      users:\n"
        ));
        for u in 0..users {
            text.push_str(&format!(
                "        user{u:05}@example.com: {{ role: member }}\n"
            ));
        }
        text.push_str("      groups:\n");
        for g in 0..groups {
            text.push_str(&format!(
                "        Group {g:03}: {{ priority: {g}, profile: {{ role: member }} }}\n"
            ));
        }
    }
    text
}

/// The org of a case (before any apply) and its config text.
fn org_and_config(case: &Case) -> (oktaform::sandbox::OrgState, String) {
    match case.shape {
        None => {
            let org = seed::org(Seed::Demo);
            let mut text =
                std::fs::read_to_string("examples/luciq.yaml").expect("examples/luciq.yaml");
            if case.luciq_by_id {
                let id = org
                    .apps
                    .iter()
                    .find(|a| a.app["label"] == "Luciq")
                    .and_then(|a| a.app["id"].as_str())
                    .expect("the demo org's Luciq app")
                    .to_string();
                text = text.replace("find: { label: Luciq }", &format!("find: {{ id: {id} }}"));
            }
            (org, text)
        }
        Some((apps, users, groups)) => {
            let mut org = seed::org(Seed::Empty);
            for i in 0..apps {
                seed::add_app(
                    &mut org,
                    &format!("bench_{i}"),
                    &format!("Bench App {i:02}"),
                    "SAML_2_0",
                    &["SCIM_PROVISIONING"],
                    false,
                );
            }
            for u in 0..users {
                seed::add_user(
                    &mut org,
                    &format!("user{u:05}@example.com"),
                    "Bench",
                    &format!("{u}"),
                );
            }
            for g in 0..groups {
                seed::add_group(&mut org, &format!("Group {g:03}"), "bench", &[]);
            }
            (org, config_text(apps, users, groups))
        }
    }
}

/// What one phase measured, printed by the child as `key=value` words.
#[derive(Debug, Default, Clone)]
struct Measured {
    requests: u64,
    wall_ms: f64,
    max_in_flight: u64,
    cpu_ms: f64,
    rss_mb: f64,
    changes: usize,
    failed: usize,
    rate_limit_waits: u64,
    /// The longest chain of requests each sent after the one before it was answered.
    rounds: u64,
}

fn proc_cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 (1-based), 11 and 12 after the `)`; 100 ticks/s.
    (ticks(11) + ticks(12)) * 10.0
}

fn proc_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The child: one phase against the sandbox at `url`.
async fn child(phase: &str, url: &str, config: &str) -> Measured {
    let text = std::fs::read_to_string(config).expect("config");
    let config: Config = parse(FileId(0), &text).expect("bench config");
    let cpu0 = proc_cpu_ms();
    let client = Client::new(
        OrgUrl::parse(url).unwrap(),
        Credentials::ApiToken(SecretString::new("sandbox-token".into())),
        Access::Manage,
        ClientOptions {
            max_concurrency: if phase == "serial" {
                1
            } else {
                ClientOptions::default().max_concurrency
            },
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let started = Instant::now();
    // What `oktaform plan` does: a second read only when the plan re-creates an attribute.
    let scope = scope(&config);
    let mut live = read(&client, &scope).await.expect("read");
    let mut changes = diff(&config, &live).expect("diff");
    if let Some(more) = more_to_read(&scope, &changes.changes) {
        live.add_mappings(read(&client, &more).await.expect("read"));
        changes = diff(&config, &live).expect("diff");
    }
    let plan = Plan::new("bench".into(), &live, changes);
    let mut failed = 0;
    if phase == "apply" || phase == "noop" {
        let report = apply(&client, &plan, &ApplyOptions::default(), &Stop::never())
            .await
            .expect("apply");
        failed = report.count(|o| matches!(o, Outcome::Failed { .. } | Outcome::Skipped));
    }
    let wall = started.elapsed();
    Measured {
        requests: client.stats.requests.load(Ordering::Relaxed),
        wall_ms: wall.as_secs_f64() * 1000.0,
        max_in_flight: client.stats.max_in_flight.load(Ordering::Relaxed),
        cpu_ms: proc_cpu_ms() - cpu0,
        rss_mb: proc_rss_mb(),
        changes: plan.changes.len(),
        failed,
        rate_limit_waits: client.stats.rate_limit_waits.load(Ordering::Relaxed),
        rounds: client.stats.rounds.load(Ordering::Relaxed),
    }
}

fn run_child(phase: &str, url: &str, config: &std::path::Path) -> Measured {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--child", phase, url])
        .arg(config)
        .output()
        .expect("run the bench child");
    let text = String::from_utf8_lossy(&out.stdout);
    let words: HashMap<&str, &str> = text
        .split_whitespace()
        .filter_map(|w| w.split_once('='))
        .collect();
    if !out.status.success() {
        eprintln!("{phase} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let n = |k: &str| {
        words
            .get(k)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    Measured {
        requests: n("requests") as u64,
        wall_ms: n("wall_ms"),
        max_in_flight: n("max_in_flight") as u64,
        cpu_ms: n("cpu_ms"),
        rss_mb: n("rss_mb"),
        changes: n("changes") as usize,
        failed: n("failed") as usize,
        rate_limit_waits: n("rate_limit_waits") as u64,
        rounds: n("rounds") as u64,
    }
}

async fn run_case(case: &Case, sandbox_429s: &mut u64) -> Vec<(String, Measured)> {
    let (org, config) = org_and_config(case);
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("org.json");
    let config_path = dir.path().join("bench.yaml");
    std::fs::write(&config_path, config).unwrap();
    org.save(&state).expect("write the bench org");
    let mut rate_limits = HashMap::new();
    let apps_bucket = apps_bucket(case);
    rate_limits.insert("/api/v1/apps".to_string(), apps_bucket);
    let sandbox = Sandbox::start(SandboxOptions {
        state: Some(state),
        knobs: Knobs {
            latency_ms: case.latency_ms,
            rate_limit: 100_000,
            rate_limits,
            deletion_window_ms: 0,
            ..Knobs::default()
        },
        ..SandboxOptions::default()
    })
    .await
    .expect("start the sandbox");
    let url = sandbox.base_url().to_string();
    let mut out = Vec::new();
    for phase in ["serial", "plan", "apply", "converge", "replan", "noop"] {
        if !case.phases.contains(&phase) {
            continue;
        }
        let lifted = phase == "converge";
        if lifted {
            set_apps_bucket(&url, 1_000_000).await;
        }
        let u = url.clone();
        let path = config_path.clone();
        let seen = sandbox_log(&url).await.len();
        // The plan of the converged org is a plan like the first one.
        let child_phase = match phase {
            "replan" => "plan",
            "converge" => "apply",
            other => other,
        };
        let phase_name = child_phase.to_string();
        let m = tokio::task::spawn_blocking(move || run_child(&phase_name, &u, &path))
            .await
            .unwrap();
        if std::env::var_os("BENCH_PATHS").is_some() {
            print_paths(phase, &sandbox_log(&url).await[seen..]);
        }
        if lifted {
            set_apps_bucket(&url, apps_bucket).await;
        }
        out.push((phase.to_string(), m));
    }
    *sandbox_429s += sandbox_log(&url)
        .await
        .iter()
        .filter(|e| e["status"] == 429)
        .count() as u64;
    sandbox.stop().await;
    out
}

/// Sets the limit of the sandbox's `/api/v1/apps` bucket.
/// The limit of the case's `/api/v1/apps` bucket: `BENCH_APPS_BUCKET=n` sets another (to run
/// the whole matrix's first applies without pacing), except for the case that measures pacing.
fn apps_bucket(case: &Case) -> u32 {
    match std::env::var("BENCH_APPS_BUCKET")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(limit) if case.apps_bucket >= 6_000 => limit,
        _ => case.apps_bucket,
    }
}

async fn set_apps_bucket(url: &str, limit: u32) {
    let client = reqwest::Client::new();
    let mut knobs: serde_json::Value = client
        .get(format!("{url}/__sandbox/config"))
        .send()
        .await
        .expect("the sandbox's knobs")
        .json()
        .await
        .expect("the sandbox's knobs");
    knobs["rate_limits"]["/api/v1/apps"] = limit.into();
    let answer = client
        .put(format!("{url}/__sandbox/config"))
        .json(&knobs)
        .send()
        .await
        .expect("set the sandbox's knobs");
    assert!(answer.status().is_success(), "{}", answer.status());
}

/// The sandbox's request log so far.
async fn sandbox_log(url: &str) -> Vec<serde_json::Value> {
    let answer = reqwest::Client::new()
        .get(format!("{url}/__sandbox/requests"))
        .send()
        .await;
    match answer {
        Ok(r) => r
            .json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|v| v["log"].as_array().cloned())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// `BENCH_PATHS=1`: a phase's requests by method and path, ids and queries folded.
fn print_paths(phase: &str, log: &[serde_json::Value]) {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for entry in log {
        let path = entry["path"].as_str().unwrap_or_default();
        let path = path.split('?').next().unwrap_or_default();
        let shape: Vec<&str> = path
            .split('/')
            .map(|s| if s.len() >= 20 { "{id}" } else { s })
            .collect();
        let key = format!(
            "{} {}",
            entry["method"].as_str().unwrap_or("?"),
            shape.join("/")
        );
        *counts.entry(key).or_default() += 1;
    }
    eprintln!("{phase}: {} requests", log.len());
    // The longest pause between two answers: the sandbox (or the client) busy with something.
    let at = |e: &serde_json::Value| e["at_ms"].as_u64().unwrap_or(0);
    if let Some((gap, before)) = log
        .windows(2)
        .map(|w| (at(&w[1]).saturating_sub(at(&w[0])), &w[0]))
        .max_by_key(|(gap, _)| *gap)
    {
        eprintln!(
            "  longest pause {gap} ms, after {} {}",
            before["method"].as_str().unwrap_or("?"),
            before["path"].as_str().unwrap_or("?")
        );
    }
    for (key, n) in counts {
        eprintln!("  {n:>5}  {key}");
    }
    // `BENCH_PATHS=2`: when each answer was sent, from the first.
    if std::env::var("BENCH_PATHS").is_ok_and(|v| v == "2") {
        let first = log.first().map_or(0, at);
        for entry in log {
            eprintln!(
                "  {:>6} ms  {} {}",
                at(entry) - first,
                entry["method"].as_str().unwrap_or("?"),
                entry["path"].as_str().unwrap_or("?")
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let _ = rustls::crypto::ring::default_provider().install_default();
    if args.get(1).map(String::as_str) == Some("--child") {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let m = runtime.block_on(child(&args[2], &args[3], &args[4]));
        println!(
            "requests={} wall_ms={:.1} max_in_flight={} cpu_ms={:.0} rss_mb={:.1} changes={} failed={} rate_limit_waits={} rounds={}",
            m.requests,
            m.wall_ms,
            m.max_in_flight,
            m.cpu_ms,
            m.rss_mb,
            m.changes,
            m.failed,
            m.rate_limit_waits,
            m.rounds
        );
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "| case | latency | phase | requests | wall (s) | round trips | wall ÷ latency | max in flight | CPU (ms) | max RSS (MB) | changes |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    // `BENCH_ONLY=text`: only the cases whose name and latency contain it (e.g. `1 × 300 ×`).
    let only = std::env::var("BENCH_ONLY").ok();
    for case in cases(quick) {
        if let Some(only) = &only
            && !format!("{} {} ms", case.name, case.latency_ms).contains(only.as_str())
        {
            continue;
        }
        let mut sandbox_429s = 0;
        let results = runtime.block_on(run_case(&case, &mut sandbox_429s));
        for (phase, m) in results {
            let per_latency = if case.latency_ms > 0 {
                format!("{:.1}", m.wall_ms / case.latency_ms as f64)
            } else {
                "-".into()
            };
            let phase = match phase.as_str() {
                "plan" => "plan".to_string(),
                "apply" => format!(
                    "first apply{}{}",
                    if apps_bucket(&case) > case.apps_bucket {
                        ", not paced (bucket lifted)"
                    } else {
                        ""
                    },
                    if m.failed > 0 {
                        format!(" ({} not applied)", m.failed)
                    } else {
                        String::new()
                    }
                ),
                "replan" => "plan, after the first apply".into(),
                "converge" => format!(
                    "first apply, not paced (bucket lifted){}",
                    if m.failed > 0 {
                        format!(" ({} not applied)", m.failed)
                    } else {
                        String::new()
                    }
                ),
                "noop" => "no-op apply".into(),
                _ => "read one call at a time".into(),
            };
            let note = if case.apps_bucket < 6_000 {
                format!(
                    ", {} rate-limit waits, {} sandbox 429s",
                    m.rate_limit_waits, sandbox_429s
                )
            } else {
                String::new()
            };
            println!(
                "| {} | {} ms | {}{} | {} | {:.2} | {} | {} | {} | {:.0} | {:.0} | {} |",
                case.name,
                case.latency_ms,
                phase,
                note,
                m.requests,
                m.wall_ms / 1000.0,
                m.rounds,
                per_latency,
                m.max_in_flight,
                m.cpu_ms,
                m.rss_mb,
                m.changes
            );
        }
    }
}
