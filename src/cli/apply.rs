//! `oktaform apply`: plan and apply in one step (`-c PATH`), or apply a saved plan (`PLAN`)
//! after checking that nothing it touches changed since it was made.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use super::{ApplyArgs, fail, org, stdout_style};
use crate::apply::guard::{self, Permissions};
use crate::apply::{ApplyOptions, Outcome, Report, Stop, apply};
use crate::okta::Access;
use crate::plan::{Plan, SavedPlan};
use crate::render::plan as render;

/// Refused by a safety rule (exit 3), as opposed to failed (exit 1).
struct Refused(String);

pub fn run(args: &ApplyArgs) -> ExitCode {
    match execute(args) {
        Ok(Ok(report)) if report.failed() => ExitCode::from(1),
        Ok(Ok(_)) => ExitCode::SUCCESS,
        Ok(Err(Refused(why))) => {
            eprintln!("refused: {why}");
            ExitCode::from(3)
        }
        Err(e) => fail(&e),
    }
}

fn execute(args: &ApplyArgs) -> anyhow::Result<Result<Report, Refused>> {
    let saved = match &args.plan_file {
        Some(path) => Some(SavedPlan::load(path)?),
        None => None,
    };
    let mut config_args = args.config.clone();
    if let Some(saved) = &saved {
        config_args.paths = saved.config_paths.iter().map(Into::into).collect();
    }
    let session = org::Session::open(&config_args, &args.org, Access::Manage)?;
    let (plan, live) = session.plan()?;
    if let Some(saved) = &saved {
        if let Err(why) = saved.check(&plan, &live, &session.sources) {
            return Ok(Err(Refused(why.to_string())));
        }
    } else {
        print!("{}", render::text(&plan, stdout_style()));
    }
    if plan.is_empty() {
        return Ok(Ok(Report {
            results: Vec::new(),
        }));
    }
    let permissions = Permissions {
        allow_data_loss: args.allow_data_loss,
        allow_deprovision: args.allow_deprovision,
        max_unassign_share: args.max_unassign_share,
    };
    if let Err(refusals) = guard::check(&plan, &live, permissions) {
        let text: Vec<String> = refusals.iter().map(ToString::to_string).collect();
        return Ok(Err(Refused(format!(
            "nothing was changed:\n  - {}",
            text.join("\n  - ")
        ))));
    }
    if saved.is_none() && !args.auto_approve && !std::io::stdin().is_terminal() {
        return Ok(Err(Refused(
            "apply needs approval and there is no terminal to ask: pass --auto-approve, or apply a saved plan (`oktaform plan --out plan.json`, then `oktaform apply plan.json`); nothing was changed".into(),
        )));
    }
    if saved.is_none() && !args.auto_approve && !confirm(&plan)? {
        return Ok(Err(Refused("not approved; nothing was changed".into())));
    }
    let report = session.runtime.block_on(apply(
        &session.client,
        &plan,
        &ApplyOptions::default(),
        &Stop::never(),
    ))?;
    print!("{}", report_text(&report));
    Ok(Ok(report))
}

fn confirm(plan: &Plan) -> anyhow::Result<bool> {
    let stdin = std::io::stdin();
    let s = plan.summary();
    print!(
        "\nApply {} change{} to {}? Only 'yes' is accepted: ",
        s.create + s.update + s.delete,
        if s.create + s.update + s.delete == 1 {
            ""
        } else {
            "s"
        },
        plan.org
    );
    std::io::stdout().flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

fn report_text(report: &Report) -> String {
    let mut out = String::from("\n");
    for (change, outcome) in &report.results {
        let what = serde_json::to_value(&change.subject).unwrap_or_default();
        let name = [
            what.get("name"),
            what.get("property"),
            what.get("login"),
            what.get("group"),
        ]
        .into_iter()
        .flatten()
        .find_map(|v| v.as_str())
        .unwrap_or_default();
        let kind = what
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or_default()
            .replace('_', " ");
        let app = change
            .subject
            .app()
            .map(|a| format!("{a}: "))
            .unwrap_or_default();
        let line = match outcome {
            Outcome::Applied => format!("applied  {} {app}{kind} {name}", change.action.symbol()),
            Outcome::Skipped => format!(
                "skipped  {} {app}{kind} {name} (an earlier change of this app failed)",
                change.action.symbol()
            ),
            Outcome::Manual => format!(
                "manual   {} {app}{kind} (Admin Console steps above; not applied)",
                change.action.symbol()
            ),
            Outcome::Failed { error } => format!(
                "FAILED   {} {app}{kind} {name}: {error}",
                change.action.symbol()
            ),
            Outcome::NotApplied { reason } => format!(
                "not applied {} {app}{kind} {name}: {reason}",
                change.action.symbol()
            ),
        };
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let applied = report.count(|o| matches!(o, Outcome::Applied));
    let failed = report.count(|o| matches!(o, Outcome::Failed { .. }));
    let skipped = report.count(|o| matches!(o, Outcome::Skipped));
    let manual = report.count(|o| matches!(o, Outcome::Manual));
    out.push_str(&format!(
        "\nApplied {applied} change{}; {failed} failed, {skipped} skipped, {manual} manual step{} left.{}\n",
        if applied == 1 { "" } else { "s" },
        if manual == 1 { "" } else { "s" },
        if failed > 0 { " Fix the error and run apply again: it continues from where the org is now." } else { "" }
    ));
    out
}
