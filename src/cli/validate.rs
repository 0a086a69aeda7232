//! `oktaform validate`: load, merge and check config files offline; print what is wrong where.

use std::io::Write;
use std::process::ExitCode;

use super::{Format, ValidateArgs, count_note, plural, stderr_style};
use crate::config;
use crate::config::validate::References;
use crate::render::diagnostics::{json_report, render_text};

pub fn validate(args: &ValidateArgs) -> ExitCode {
    let (sources, loaded) = config::load(&args.config.paths);
    let mut from_presets = Vec::new();
    let (summary, diagnostics) = match loaded {
        Ok(config) => {
            from_presets = config.from_presets.clone();
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
            let mut report =
                serde_json::to_value(json_report(&diagnostics, &sources)).unwrap_or_default();
            if let Some(fields) = report.as_object_mut() {
                let presets: Vec<serde_json::Value> = from_presets
                    .iter()
                    .map(|f| serde_json::json!({"app": f.app, "preset": f.preset, "defaults": f.defaults}))
                    .collect();
                fields.insert("from_presets".into(), presets.into());
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        }
        Format::Text => {
            let mut stderr = std::io::stderr().lock();
            let _ =
                stderr.write_all(render_text(&diagnostics, &sources, stderr_style()).as_bytes());
            let files = sources
                .files()
                .filter(|f| !config::preset::is_preset_source(&f.path))
                .count();
            match (&summary, errors) {
                (Some(summary), 0) => {
                    println!(
                        "valid: {files} file{} ({summary}){}",
                        plural(files),
                        count_note(warnings, "warning")
                    );
                    print!("{}", presets_text(&from_presets));
                }
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

/// What each app's `preset:` filled in, one default a line.
fn presets_text(from_presets: &[config::preset::FromPreset]) -> String {
    let mut out = String::new();
    for from in from_presets {
        out.push_str(&format!(
            "app {}: from preset `{}` (the app's own settings win):\n",
            from.app, from.preset
        ));
        for line in &from.defaults {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out
}
