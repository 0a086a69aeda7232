//! `cli`: argument parsing and dispatch. Thin by design: each command calls into the library
//! and maps its outcome to an exit code.
//!
//! Exit codes: 0 success (valid / no changes), 1 error (invalid config, bad usage, API failure),
//! 2 changes present (`plan --detailed-exitcode`), 3 refused by a safety rule.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config;
use crate::config::validate::References;
use crate::render::diagnostics::{Style, json_report, render_text};

/// Okta SCIM provisioning as code: validate, plan and apply a YAML description of an org's
/// provisioning setup.
#[derive(Debug, Parser)]
#[command(name = "oktaform", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check config files offline: YAML, keys, types, cross-references, secrets. No network.
    Validate(ValidateArgs),
    /// Print the JSON Schema of the config file (for editors and yaml-language-server).
    Schema,
}

#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    /// Config file or directory of *.yaml files; repeat to merge several.
    #[arg(
        short = 'c',
        long = "config",
        value_name = "PATH",
        default_value = "oktaform.yaml"
    )]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Output for people (text) or machines (json).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also resolve every `${env:…}` / `${file:…}` reference (values are never shown); one that
    /// does not resolve is an error. Use it in the job that will plan or apply.
    #[arg(long)]
    pub check_env: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Validate(args) => validate(&args),
        Command::Schema => {
            print!("{}", config::schema::json_schema());
            ExitCode::SUCCESS
        }
    }
}

fn validate(args: &ValidateArgs) -> ExitCode {
    let (sources, loaded) = config::load(&args.config.paths);
    let (summary, diagnostics) = match loaded {
        Ok(config) => {
            let references = if args.check_env {
                References::Resolve
            } else {
                References::Syntax
            };
            let diagnostics = config::validate(&config, &sources, references);
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

fn stderr_style() -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if std::io::stderr().is_terminal() && !no_color {
        Style::Color
    } else {
        Style::Plain
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn count_note(n: usize, what: &str) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(", {n} {what}{}", plural(n))
    }
}
