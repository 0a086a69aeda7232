//! `oktaform plan`: read the org, diff it against the config, print the plan, optionally save it.

use std::process::ExitCode;

use anyhow::Context;

use super::{PlanArgs, PlanFormat, fail, org, stdout_style};
use crate::okta::Access;
use crate::plan::{Plan, SavedPlan, saved};
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
        let saved = SavedPlan {
            format_version: plan.format_version,
            oktaform_version: env!("CARGO_PKG_VERSION").into(),
            org: plan.org.clone(),
            config_paths: args
                .config
                .paths
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            config_digest: config_digest(&session.sources),
            changes: plan
                .changes
                .iter()
                .map(|c| serde_json::to_value(c).unwrap_or_default())
                .collect(),
            fingerprints: saved::fingerprints(&plan.changes, &live),
        };
        write_atomically(path, &serde_json::to_vec_pretty(&saved)?)
            .with_context(|| format!("saving the plan to {}", path.display()))?;
        eprintln!(
            "Saved the plan to {}: apply it with `oktaform apply {}`.",
            path.display(),
            path.display()
        );
    }
    Ok(plan)
}

/// A digest of the config files' paths and texts.
pub fn config_digest(sources: &crate::config::Sources) -> String {
    let files: Vec<serde_json::Value> = sources
        .files()
        .map(|f| serde_json::json!([f.path.display().to_string(), f.text]))
        .collect();
    saved::digest(&serde_json::Value::Array(files))
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let temp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("plan"),
        std::process::id()
    ));
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}
