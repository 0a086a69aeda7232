//! `oktaform check scim`: asks each app's SCIM endpoint (the base URL and token the config
//! declares) whether it takes what Okta will send. Reads only. Exit 0 all checks pass, 2 some
//! fail, 1 error (as `drift`).

use std::process::ExitCode;

use anyhow::bail;

use super::{CheckScimArgs, PlanFormat, fail, org};
use crate::config::interpolate::Secret;
use crate::config::model::{App, AuthMode, Config, ScimAction};
use crate::render::check as render;
use crate::scim::{self, Expected, Target};
use crate::secret::SecretString;

pub fn scim(args: &CheckScimArgs) -> ExitCode {
    match execute(args) {
        Ok(reports) if reports.iter().all(scim::AppReport::ok) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(2),
        Err(e) => fail(&e),
    }
}

fn execute(args: &CheckScimArgs) -> anyhow::Result<Vec<scim::AppReport>> {
    let (config, _) = org::load_config(&args.config)?;
    let targets = targets(&config, args.app.as_deref())?;
    let runtime = org::runtime()?;
    let reports: Vec<scim::AppReport> = runtime.block_on(async {
        let mut reports = Vec::new();
        for target in &targets {
            reports.push(scim::check(target).await);
        }
        reports
    });
    match args.format {
        PlanFormat::Json => println!("{:#}", render::json(&reports)),
        _ => print!("{}", render::text(&reports)),
    }
    Ok(reports)
}

/// What each app with a SCIM connection declares (only `only`, when given).
fn targets(config: &Config, only: Option<&str>) -> anyhow::Result<Vec<Target>> {
    let mut targets = Vec::new();
    for (name, app) in &config.apps {
        if only.is_some_and(|o| o != name.value) {
            continue;
        }
        match target(&name.value, app) {
            Some(t) => targets.push(t),
            None if only.is_some() => {
                bail!(
                    "app {} has no SCIM connection (provisioning.scim)",
                    name.value
                )
            }
            None => {}
        }
    }
    if targets.is_empty() {
        match only {
            Some(o) => bail!("no app {o} in the config"),
            None => bail!("no app in the config has a SCIM connection (provisioning.scim)"),
        }
    }
    Ok(targets)
}

fn target(name: &str, app: &App) -> Option<Target> {
    let provisioning = app.provisioning.as_ref()?;
    let connection = &provisioning.scim.as_ref()?.value;
    let auth = &connection.auth.value;
    let secret =
        |secret: Option<&crate::config::Loc<Secret>>, key: &str| match secret.map(|t| &t.value) {
            Some(Secret::Ref(reference)) => reference.resolve().map_err(|e| e.to_string()),
            Some(Secret::Inline) => Err(format!(
                "provisioning.scim.auth.{key} is written inline, which is refused"
            )),
            None => Err(format!("provisioning.scim.auth.{key} is not set")),
        };
    // The whole Authorization value, built here so the client never sees the parts.
    let token = match auth.mode.value {
        AuthMode::Basic => {
            let user = auth
                .username
                .as_ref()
                .map(|u| u.value.clone())
                .ok_or_else(|| "provisioning.scim.auth.username is not set".to_string());
            user.and_then(|user| {
                let password = secret(auth.password.as_ref(), "password")?;
                use base64::Engine;
                let pair =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                Ok(SecretString::new(format!("Basic {pair}")))
            })
        }
        _ => secret(auth.token.as_ref(), "token").map(|t| SecretString::new(format!("Bearer {t}"))),
    };
    let base_url = connection
        .base_url
        .value
        .resolve()
        .unwrap_or_else(|e| format!("<{e}>"));
    let deactivates = provisioning
        .to_app
        .as_ref()
        .and_then(|t| t.value.deactivate_users.as_ref())
        .is_some_and(|d| d.value);
    let attributes = app
        .attributes
        .iter()
        .map(|(attr, a)| Expected {
            name: attr.value.clone(),
            external_name: a.external_name.as_ref().map(|e| e.value.clone()),
            external_namespace: a.external_namespace.as_ref().map(|e| e.value.clone()),
            kind: serde_json::to_value(a.kind.value)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            values: a
                .choices
                .as_ref()
                .map(|c| c.value.0.iter().map(|c| c.value.value.clone()).collect())
                .unwrap_or_default(),
        })
        .collect();
    Some(Target {
        app: name.to_string(),
        base_url,
        auth_mode: match auth.mode.value {
            AuthMode::Header => "header",
            AuthMode::Basic => "basic",
            AuthMode::Oauth => "oauth",
        }
        .into(),
        token,
        unique_identifier: connection.unique_identifier.value.clone(),
        attributes,
        push_groups: connection
            .actions
            .iter()
            .any(|a| a.value == ScimAction::PushGroups),
        deactivates,
    })
}
