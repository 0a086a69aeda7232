//! `oktaform export`: read apps of a live org (or all of them) and write the config that
//! describes them — to stdout, a file, or a directory with one file per app.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};

use super::{ExportArgs, fail, org};
use crate::ids::AppId;
use crate::okta::{Access, AppScope, AppSelector, Apps, Parts, ProfileKeys, Scope};
use crate::plan::planfile::write_atomically;

pub fn run(args: &ExportArgs) -> ExitCode {
    match execute(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// An app id (`0oa` and 17 more letters and digits), else a label.
fn selector(text: &str) -> AppSelector {
    let id = text.len() == 20
        && text.starts_with("0oa")
        && text.chars().all(|c| c.is_ascii_alphanumeric());
    match id {
        true => AppSelector::Id(AppId(text.into())),
        false => AppSelector::Label(text.into()),
    }
}

fn scope(args: &ExportArgs) -> anyhow::Result<Scope> {
    if args.all {
        return Ok(Scope::all());
    }
    if args.apps.is_empty() {
        bail!(
            "name the apps to export with --app LABEL or --app ID (repeatable), or pass --all for every app of the org"
        );
    }
    Ok(Scope {
        apps: Apps::Selected(
            args.apps
                .iter()
                .map(|text| AppScope {
                    key: text.clone(),
                    select: selector(text),
                    parts: Parts::ALL,
                    profile: ProfileKeys::All,
                })
                .collect(),
        ),
        ..Scope::all()
    })
}

fn execute(args: &ExportArgs) -> anyhow::Result<()> {
    let scope = scope(args)?;
    let org = org::Org::connect(&args.org, None, Access::Read)?;
    let live = org.read(&scope)?;
    let name = org.org_name();
    let when = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let Some(out) = &args.out else {
        print!("{}", crate::export::whole(&live, &name, &when));
        return Ok(());
    };
    let count = live.apps.len();
    if out.is_dir() || out.as_os_str().to_string_lossy().ends_with('/') {
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        for file in crate::export::files(&live, &name, &when) {
            write(&out.join(&file.name), &file.text)?;
        }
    } else {
        write(out, &crate::export::whole(&live, &name, &when))?;
    }
    eprintln!(
        "Exported {count} app{} to {}. Check it with `oktaform plan -c {}`: it proposes no change.",
        super::plural(count),
        out.display(),
        out.display()
    );
    Ok(())
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    write_atomically(path, text.as_bytes()).with_context(|| format!("writing {}", path.display()))
}
