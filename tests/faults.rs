//! The fault-injection suite: every example applied to a fresh sandbox while the sandbox
//! answers seeded 429s, 500s, 503s and broken-off answers (resets) on GETs, POSTs or any
//! request — then applied again without faults. Each run must converge (a plan with nothing
//! left to do), and leave the org exactly as a fault-free apply does: the whole org exported
//! and compared, so a duplicate or a change to something the config does not declare shows.
//!
//! 64 runs (4 examples × 4 kinds × 4 seeds, methods rotating), eight at a time: the time is
//! spent in retry backoff, not on the CPU.

mod common;

use std::collections::BTreeMap;

use common::{SandboxProcess, Workdir, example, run_against, stderr, stdout};
use serde_json::{Value, json};

const EXAMPLES: [&str; 4] = ["luciq", "lightrun", "accessiq", "org"];
const KINDS: [&str; 4] = ["429", "500", "503", "reset"];
const METHODS: [Option<&str>; 3] = [Some("GET"), Some("POST"), None];
const SEEDS: u64 = 4;

struct Run {
    example: &'static str,
    kind: &'static str,
    method: Option<&'static str>,
    seed: u64,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} with {} on {} (seed {})",
            self.example,
            self.kind,
            self.method.unwrap_or("any request"),
            self.seed
        )
    }
}

/// Apply until it succeeds (at most three times, as a CI retry would), then plan.
fn converge(work: &Workdir, sandbox: &SandboxProcess, config: &str) -> Result<(), String> {
    let mut last = String::new();
    for _ in 0..3 {
        let output = run_against(work, sandbox, &["apply", "-c", config, "--auto-approve"]);
        match output.status.code() {
            Some(0) => {
                let plan = run_against(work, sandbox, &["plan", "-c", config, "--format", "json"]);
                let plan: Value = serde_json::from_str(&stdout(&plan))
                    .map_err(|e| format!("plan JSON: {e}: {}", stderr(&plan)))?;
                let left: Vec<&Value> = plan["changes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|c| c["action"] != "manual")
                    .collect();
                return match left.is_empty() {
                    true => Ok(()),
                    false => Err(format!("did not converge: {left:#?}")),
                };
            }
            Some(1) => last = format!("{}{}", stdout(&output), stderr(&output)),
            other => {
                return Err(format!(
                    "apply exited {other:?}: {}{}",
                    stdout(&output),
                    stderr(&output)
                ));
            }
        }
    }
    Err(format!(
        "three fault-free applies failed; the last said:\n{last}"
    ))
}

/// The whole org as `export --all` writes it.
fn exported(work: &Workdir, sandbox: &SandboxProcess) -> String {
    let output = run_against(work, sandbox, &["export", "--all"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Without the header line naming the sandbox's address and the time.
    stdout(&output)
        .lines()
        .filter(|l| !l.starts_with("# Exported by"))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn set_faults(sandbox: &SandboxProcess, faults: Value) {
    let (status, answer) = sandbox.call(
        "PUT",
        "/__sandbox/config",
        Some(json!({"deletion_window_ms": 500, "faults": faults})),
    );
    assert_eq!(status, 200, "{answer}");
}

/// A run's exported org and the number of faults injected, or what went wrong.
type Outcome = Result<(String, usize), String>;

/// One run on its own sandbox: faults on, apply (it may fail), faults off, converge, export.
fn run(run: &Run) -> Outcome {
    let work = Workdir::new();
    let sandbox = SandboxProcess::start(&work);
    let config = example(run.example);
    set_faults(
        &sandbox,
        json!({"seed": run.seed, "probability": 0.2, "method": run.method, "kind": run.kind}),
    );
    let faulted = run_against(&work, &sandbox, &["apply", "-c", &config, "--auto-approve"]);
    let code = faulted.status.code();
    if !matches!(code, Some(0) | Some(1)) {
        return Err(format!(
            "the faulted apply exited {code:?}: {}{}",
            stdout(&faulted),
            stderr(&faulted)
        ));
    }
    let (_, requests) = sandbox.call("GET", "/__sandbox/requests", None);
    let injected = requests["log"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| matches!(r["status"].as_u64(), Some(429 | 500 | 503)))
        .count();
    set_faults(&sandbox, json!({}));
    converge(&work, &sandbox, &config)?;
    Ok((exported(&work, &sandbox), injected))
}

#[test]
fn every_example_converges_under_seeded_faults_and_touches_nothing_else() {
    // What a fault-free apply leaves, per example.
    let reference: BTreeMap<&str, String> = EXAMPLES
        .iter()
        .map(|&name| {
            let work = Workdir::new();
            let sandbox = SandboxProcess::start(&work);
            set_faults(&sandbox, json!({}));
            converge(&work, &sandbox, &example(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, exported(&work, &sandbox))
        })
        .collect();
    let mut runs = Vec::new();
    for (e, example) in EXAMPLES.iter().enumerate() {
        for (k, kind) in KINDS.iter().enumerate() {
            for seed in 0..SEEDS {
                let method = METHODS[(e + k + seed as usize) % METHODS.len()];
                runs.push(Run {
                    example,
                    kind,
                    method,
                    seed: 1000 + seed * 7 + e as u64,
                });
            }
        }
    }
    assert!(runs.len() >= 50);
    let results: Vec<(String, Outcome)> = std::thread::scope(|scope| {
        let chunks: Vec<&[Run]> = runs.chunks(runs.len().div_ceil(8)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|r| (r.to_string(), run(r)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a run panicked"))
            .collect()
    });
    let mut failures = Vec::new();
    let mut injected = 0;
    for ((name, result), run) in results.into_iter().zip(&runs) {
        match result {
            Ok((org, faults)) => {
                injected += faults;
                if org != reference[run.example] {
                    let diff = similar::TextDiff::from_lines(&reference[run.example], &org)
                        .unified_diff()
                        .header("fault-free", "faulted")
                        .to_string();
                    failures.push(format!(
                        "{name}: the org differs from a fault-free apply:\n{diff}"
                    ));
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs failed:\n{}",
        failures.len(),
        runs.len(),
        failures.join("\n\n")
    );
    // The suite tests something only if faults were injected: about one request in five.
    assert!(
        injected >= runs.len(),
        "only {injected} faults in {} runs",
        runs.len()
    );
}
