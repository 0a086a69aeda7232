//! `cli`: argument parsing and dispatch. Thin by design: each command calls into the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Okta SCIM provisioning as code.
#[derive(Debug, Parser)]
#[command(name = "oktaform", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check config files offline: syntax, types, cross-references. Never touches the network.
    Validate,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate => ExitCode::SUCCESS,
    }
}
