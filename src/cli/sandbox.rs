//! `oktaform sandbox reset`: start the embedded org of `--org sandbox` over.

use std::process::ExitCode;

use anyhow::Context;

use super::{ResetArgs, fail};
use crate::sandbox::{OrgState, seed};

pub fn reset(args: &ResetArgs) -> ExitCode {
    match run(args) {
        Ok(existed) => {
            let what = if existed { "Reset" } else { "Created" };
            eprintln!(
                "{what} the sandbox org in {}: a fresh {} org.",
                args.state.display(),
                match args.seed {
                    crate::sandbox::Seed::Demo => "demo",
                    crate::sandbox::Seed::Empty => "empty",
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn run(args: &ResetArgs) -> anyhow::Result<bool> {
    let existed = args.state.exists();
    if existed {
        // Refuse to overwrite something that is not a sandbox state file (of any version: an
        // old one is what a reset is for).
        let text = std::fs::read_to_string(&args.state)
            .with_context(|| format!("cannot read {}", args.state.display()))?;
        let is_state = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .is_some_and(|v| v.get("version").is_some() && v.get("apps").is_some());
        if !is_state {
            anyhow::bail!(
                "{} is not a sandbox state file; not touching it",
                args.state.display()
            );
        }
    }
    let org: OrgState = seed::org(args.seed);
    org.save(&args.state)?;
    Ok(existed)
}
