//! `oktaform plan`: read the org, diff it against the config, print the plan, optionally save it.
//!
//! The "check once" notes are shown once per config version: the digests of configs whose
//! notes were shown are kept in `.oktaform/notes-seen.json` (beside the sandbox state), and
//! `--show-notes` shows them again.

use std::path::Path;
use std::process::ExitCode;

use super::{PlanArgs, PlanFormat, fail, org, stdout_style};
use crate::okta::Access;
use crate::plan::planfile::config_digest;
use crate::plan::{Plan, SavedPlan};
use crate::render::graph;
use crate::render::plan::{self as render, Annotations};

/// Where the digests of configs whose notes were shown are kept.
pub const NOTES_SEEN: &str = ".oktaform/notes-seen.json";

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
    let (plan, live) = match args.show_scim {
        true => session.plan_with_whole_profiles()?,
        false => session.plan()?,
    };
    let mut annotations = Annotations::from_config(&session.config, &session.sources);
    if args.format != PlanFormat::Json && !plan.notes.is_empty() {
        let digest = config_digest(&session.sources);
        annotations.notes_hidden = !args.show_notes && seen(Path::new(NOTES_SEEN), &digest);
        if !annotations.notes_hidden {
            remember(Path::new(NOTES_SEEN), &digest);
        }
    }
    let scim = args
        .show_scim
        .then(|| crate::plan::scim::preview(&session.config, &plan, &live));
    match args.format {
        PlanFormat::Text => {
            print!("{}", render::text_with(&plan, stdout_style(), &annotations));
            if let Some(scim) = &scim {
                print!("{}", render::scim_text(scim));
            }
        }
        PlanFormat::Markdown => {
            let flows: Vec<_> = graph::build(&session.config, Some(&plan))
                .into_iter()
                .filter(graph::AppFlow::changed)
                .collect();
            let diagram = (!flows.is_empty()).then(|| graph::mermaid(&flows));
            print!(
                "{}",
                render::markdown(&plan, &annotations, diagram.as_deref())
            );
        }
        PlanFormat::Json => {
            let mut document = render::json_document(&plan);
            if let Some(scim) = &scim {
                document["scim_preview"] = serde_json::to_value(scim)?;
            }
            println!("{document:#}");
        }
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

fn read_seen(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|v| {
            v.get("digests")?.as_array().map(|a| {
                a.iter()
                    .filter_map(|d| d.as_str().map(String::from))
                    .collect()
            })
        })
        .unwrap_or_default()
}

fn seen(path: &Path, digest: &str) -> bool {
    read_seen(path).iter().any(|d| d == digest)
}

/// Remembers `digest` (the last 50 only). A failure to write only means the notes come back.
fn remember(path: &Path, digest: &str) {
    let mut digests = read_seen(path);
    digests.retain(|d| d != digest);
    digests.push(digest.to_string());
    let skip = digests.len().saturating_sub(50);
    let value = serde_json::json!({ "version": 1, "digests": digests[skip..] });
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = std::fs::write(path, format!("{value:#}\n")) {
        tracing::debug!("cannot remember the notes shown in {}: {e}", path.display());
    }
}
