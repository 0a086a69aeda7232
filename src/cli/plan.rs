//! `oktaform plan`: read the org, diff it against the config, print the plan, optionally save it.

use std::process::ExitCode;

use super::{PlanArgs, PlanFormat, fail, org, stdout_style};
use crate::okta::Access;
use crate::plan::{Plan, SavedPlan};
use crate::render::plan as render;

pub fn plan(args: &PlanArgs) -> ExitCode {
    match run(args) {
        Ok(plan) => {
            if args.detailed_exitcode && !plan.is_empty() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => fail(&e),
    }
}

fn run(args: &PlanArgs) -> anyhow::Result<Plan> {
    let session = org::Session::open(&args.config, &args.org, Access::Read)?;
    let (plan, live) = session.plan()?;
    match args.format {
        PlanFormat::Text => print!("{}", render::text(&plan, stdout_style())),
        PlanFormat::Markdown => print!("{}", render::markdown(&plan)),
        PlanFormat::Json => println!("{:#}", render::json_document(&plan)),
    }
    if let Some(path) = &args.out {
        SavedPlan::new(&plan, &live, &session.sources, &args.config.paths).save(path)?;
        eprintln!(
            "Saved the plan to {}: apply it with `oktaform apply {}`.",
            path.display(),
            path.display()
        );
    }
    Ok(plan)
}
