//! `oktaform validate`: load, merge and check config files offline; print what is wrong where.

use std::io::Write;
use std::process::ExitCode;

use super::{Format, ValidateArgs, count_note, plural, stderr_style};
use crate::config;
use crate::config::validate::References;
use crate::render::diagnostics::{json_report, render_text};

pub fn validate(args: &ValidateArgs) -> ExitCode {
    let (sources, loaded) = config::load(&args.config.paths);
    let (summary, diagnostics) = match loaded {
        Ok(config) => {
            let references = if args.check_env {
                References::Resolve
            } else {
                References::Syntax
            };
            let diagnostics = config::validate(&config, references);
            let attributes = config
                .okta_user
                .as_ref()
                .map_or(0, |o| o.value.attributes.len());
            let summary = format!(
                "{} app{}, {} Okta user attribute{}",
                config.apps.len(),
                plural(config.apps.len()),
                attributes,
                plural(attributes)
            );
            (Some(summary), diagnostics)
        }
        Err(diagnostics) => (None, diagnostics),
    };
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match args.format {
        Format::Json => {
            let report = json_report(&diagnostics, &sources);
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        }
        Format::Text => {
            let mut stderr = std::io::stderr().lock();
            let _ =
                stderr.write_all(render_text(&diagnostics, &sources, stderr_style()).as_bytes());
            let files = sources.files().count();
            match (&summary, errors) {
                (Some(summary), 0) => println!(
                    "valid: {files} file{} ({summary}){}",
                    plural(files),
                    count_note(warnings, "warning")
                ),
                _ => eprintln!(
                    "invalid: {errors} error{}{}",
                    plural(errors),
                    count_note(warnings, "warning")
                ),
            }
        }
    }
    if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
