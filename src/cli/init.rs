//! `oktaform init --preset NAME [-o FILE]`: write a vendor preset as a starter config;
//! `oktaform init --list`: name the presets.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};

use super::{InitArgs, fail};
use crate::config::preset::{PRESETS, Preset};

pub fn run(args: &InitArgs) -> ExitCode {
    if args.list {
        print!("{}", list());
        return ExitCode::SUCCESS;
    }
    match write(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// One line per preset: its name and what it follows.
fn list() -> String {
    let width = PRESETS.iter().map(|p| p.name.len()).max().unwrap_or(0);
    PRESETS
        .iter()
        .map(|p| format!("{:width$}  {}\n", p.name, p.description()))
        .collect()
}

fn write(args: &InitArgs) -> anyhow::Result<()> {
    let name = args.preset.as_deref().unwrap_or_default();
    let Some(preset) = Preset::find(name) else {
        let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        bail!("no preset `{name}`; presets: {}", names.join(", "));
    };
    if args.out.as_os_str() == "-" {
        std::io::stdout()
            .write_all(preset.text.as_bytes())
            .context("writing to stdout")?;
        return Ok(());
    }
    let out = &args.out;
    if out.exists() && !args.force {
        bail!(
            "{} exists; not overwriting it (pass --force, or -o another file)",
            out.display()
        );
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(out, preset.text).with_context(|| format!("cannot write {}", out.display()))?;
    let config = if out.as_os_str() == "oktaform.yaml" {
        String::new()
    } else {
        format!(" -c {}", out.display())
    };
    eprintln!(
        "Wrote {} from the `{}` preset. Fill in the lines marked FILL IN, then:\n  oktaform validate{config}\n  oktaform plan{config} --org sandbox    # the embedded demo org, no Okta account needed",
        out.display(),
        preset.name
    );
    Ok(())
}
