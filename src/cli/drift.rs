//! `oktaform drift`: read the org as a plan does, report where it left the config and who
//! moved it (the System Log), remember the run in `--state`. Exit 0 no drift, 2 drift, 1 error.

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use super::{DriftArgs, PlanFormat, fail, org, stdout_style};
use crate::drift::{self, DriftState, Report, attribution};
use crate::okta::Access;
use crate::render::drift as render;

/// The System Log window when neither `--since` nor a clean run in `--state` says otherwise.
const DEFAULT_WINDOW: Duration = Duration::from_secs(24 * 3600);

pub fn run(args: &DriftArgs) -> ExitCode {
    match execute(args) {
        Ok(report) if report.drift => ExitCode::from(2),
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn execute(args: &DriftArgs) -> anyhow::Result<Report> {
    let session = org::Session::open(&args.config, &args.org, Access::Audit)?;
    let (plan, live) = session.plan()?;
    let mut rules: Vec<_> = session
        .config
        .ignore
        .iter()
        .map(|r| r.value.clone())
        .collect();
    rules.extend(args.ignore.iter().cloned());
    let (mut findings, ignored) = drift::findings(&plan, &live, &rules);
    let previous = match &args.state {
        Some(path) => DriftState::load(path, &plan.org)?,
        None => None,
    };
    let now = SystemTime::now();
    let since = match (
        args.since,
        previous.as_ref().and_then(|p| p.last_clean.as_deref()),
    ) {
        (Some(window), _) => now - window,
        (None, Some(clean)) => humantime::parse_rfc3339_weak(clean).unwrap_or(now - DEFAULT_WINDOW),
        (None, None) => now - DEFAULT_WINDOW,
    };
    let since = humantime::format_rfc3339_seconds(since).to_string();
    // A second past now: events of this very second are in.
    let until = humantime::format_rfc3339_seconds(now + Duration::from_secs(1)).to_string();
    if !findings.is_empty() {
        let refs: Vec<&drift::Finding> = findings.iter().collect();
        let events = session
            .runtime
            .block_on(attribution::read(&session.client, (&since, &until), &refs))
            .map_err(|e| anyhow::anyhow!("reading the System Log: {e}"))?;
        attribution::attribute(&mut findings, &events);
    }
    let report = drift::report(&plan, findings, ignored, since, previous.as_ref());
    match args.format {
        PlanFormat::Text => print!("{}", render::text(&report, stdout_style())),
        PlanFormat::Markdown => print!("{}", render::markdown(&report)),
        PlanFormat::Json => println!("{:#}", render::json_document(&report)),
    }
    if let Some(path) = &args.state {
        let now = humantime::format_rfc3339_seconds(now).to_string();
        DriftState::after(previous.as_ref(), &report, &now).save(path)?;
    }
    Ok(report)
}
