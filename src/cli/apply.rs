//! `oktaform apply`: plan and apply in one step (`-c PATH`), or apply a saved plan (`PLAN`)
//! after checking that nothing it touches changed since it was made.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use super::{ApplyArgs, fail, org, stdout_style};
use crate::apply::guard::{self, Permissions};
use crate::apply::{ApplyOptions, Report, Stop, apply};
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
    let org_args = match &saved {
        Some(saved) => org::from_saved_plan(&args.org, &saved.org),
        None => None,
    };
    let session = org::Session::open(
        &config_args,
        org_args.as_ref().unwrap_or(&args.org),
        Access::Manage,
    )?;
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
    let _lock = crate::apply::concurrent::OrgLock::acquire(&plan.org, |holder| {
        eprintln!(
            "warning: another oktaform apply against {} is running on this machine ({holder}); waiting for it to finish (Ctrl-C to stop)",
            plan.org
        );
    })?;
    match session
        .runtime
        .block_on(crate::apply::concurrent::other_runs(&session.client))
    {
        Ok(runs) => {
            for run in runs {
                eprintln!(
                    "warning: {run}. If that apply is still running, the two will undo each other's changes: wait for it, then plan again"
                );
            }
        }
        // Only a warning is at stake: say it could not be checked and go on.
        Err(e) => eprintln!(
            "note: could not check the System Log for another oktaform writing now ({}); going on",
            e.to_string().lines().next().unwrap_or_default()
        ),
    }
    let (report, interrupted) = interruptible(&session, &plan)?;
    print!("{}", crate::render::report::text(&report));
    if interrupted {
        eprintln!("interrupted: the report above says what was written; exit 130");
        std::process::exit(EXIT_INTERRUPTED);
    }
    Ok(Ok(report))
}

/// The exit code after SIGINT or SIGTERM (128 + 2, as shells report Ctrl-C).
const EXIT_INTERRUPTED: i32 = 130;

/// Applies `plan`; SIGINT or SIGTERM stops it: no new write starts, those in flight get
/// [`ApplyOptions::stop_grace`], and the report is the same as after a failure. A second
/// signal exits at once, saying what that leaves unknown. True when it was interrupted.
fn interruptible(session: &org::Session, plan: &Plan) -> anyhow::Result<(Report, bool)> {
    let options = ApplyOptions::default();
    let (handle, stop) = Stop::new();
    session.runtime.block_on(async {
        let run = apply(&session.client, plan, &options, &stop);
        tokio::pin!(run);
        tokio::select! {
            report = &mut run => Ok((report?, false)),
            () = signal() => {
                eprintln!(
                    "\ninterrupted: starting no new writes, waiting up to {}s for those in flight (Ctrl-C again to exit at once)",
                    options.stop_grace.as_secs()
                );
                handle.stop();
                tokio::select! {
                    report = &mut run => Ok((report?, true)),
                    () = signal() => {
                        eprintln!(
                            "interrupted again: exiting at once; writes still in flight may or may not have taken effect (run plan to see where the org stands)"
                        );
                        std::process::exit(EXIT_INTERRUPTED);
                    }
                }
            }
        }
    })
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM (a CI job cancelled).
async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    () = ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => ctrl_c().await,
        }
    }
    #[cfg(not(unix))]
    ctrl_c().await;
}

/// Resolves on Ctrl-C; never, when the handler cannot be installed (no fake interrupt).
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
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
