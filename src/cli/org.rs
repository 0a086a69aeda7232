//! What every command that talks to Okta does first: load and check the config, find the org,
//! read credentials, build the client. Also the log setup (stderr, `OKTAFORM_LOG=debug`).

use std::io::Write;

use anyhow::{Context, anyhow, bail};

use super::{ConfigArgs, OrgArgs, stderr_style};
use crate::config::validate::References;
use crate::config::{self, Config, Sources};
use crate::ids::OrgUrl;
use crate::okta::{Access, Client, ClientOptions, Credentials, Snapshot};
use crate::render::diagnostics::render_text;

/// Logs go to stderr, filtered by `OKTAFORM_LOG` (e.g. `debug`, `oktaform=trace`); warnings by
/// default. They never carry credentials (see `okta::client`).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("OKTAFORM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(matches!(
            stderr_style(),
            crate::render::diagnostics::Style::Color
        ))
        .try_init();
}

/// Loads and validates the config; diagnostics are printed, errors make it fail.
pub fn load_config(args: &ConfigArgs) -> anyhow::Result<(Config, Sources)> {
    let (sources, loaded) = config::load(&args.paths);
    let (config, diagnostics) = match loaded {
        Ok(config) => {
            let diagnostics = config::validate(&config, References::Syntax);
            (Some(config), diagnostics)
        }
        Err(diagnostics) => (None, diagnostics),
    };
    if !diagnostics.is_empty() {
        let _ = std::io::stderr()
            .write_all(render_text(&diagnostics, &sources, stderr_style()).as_bytes());
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    match config {
        Some(config) if errors == 0 => Ok((config, sources)),
        _ => bail!(
            "the config has {errors} error{} (see above); nothing was sent to Okta",
            super::plural(errors)
        ),
    }
}

/// `--org`, else OKTA_ORG_URL, else the config's `org.url`.
pub fn org_url(args: &OrgArgs, config: Option<&Config>) -> anyhow::Result<OrgUrl> {
    let (text, from) = if let Some(org) = &args.org {
        (org.clone(), "--org")
    } else if let Some(url) = std::env::var("OKTA_ORG_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        (url, "OKTA_ORG_URL")
    } else if let Some(org) = config.and_then(|c| c.org.as_ref()) {
        let text = org
            .value
            .url
            .value
            .resolve()
            .map_err(|e| anyhow!("org.url: {e}"))?;
        (text, "org.url")
    } else {
        bail!(
            "no org: pass --org https://<your-org>.okta.com, set OKTA_ORG_URL, or set org.url in the config"
        );
    };
    OrgUrl::parse(&text).with_context(|| format!("the org URL from {from}"))
}

/// `apply PLAN` without `--org` or OKTA_ORG_URL: the org the plan records (its URL, or
/// `sandbox` for a plan of the embedded org). `None` when the user named an org.
pub fn from_saved_plan(args: &OrgArgs, planned: &str) -> Option<OrgArgs> {
    let named =
        args.org.is_some() || std::env::var("OKTA_ORG_URL").is_ok_and(|v| !v.trim().is_empty());
    if named {
        return None;
    }
    let org = if planned == SANDBOX_NAME {
        "sandbox".to_string()
    } else {
        planned.to_string()
    };
    Some(OrgArgs {
        org: Some(org),
        max_api_share: args.max_api_share,
        max_concurrency: args.max_concurrency,
    })
}

/// The client for `access`, with credentials from the environment.
pub fn client(args: &OrgArgs, org: OrgUrl, access: Access) -> anyhow::Result<Client> {
    client_with(args, org, Credentials::from_env()?, access)
}

fn client_with(
    args: &OrgArgs,
    org: OrgUrl,
    credentials: Credentials,
    access: Access,
) -> anyhow::Result<Client> {
    if !(args.max_api_share > 0.0 && args.max_api_share <= 1.0) {
        bail!(
            "--max-api-share must be more than 0 and at most 1 (got {})",
            args.max_api_share
        );
    }
    let globals = super::globals();
    let options = ClientOptions {
        api_share: args.max_api_share,
        max_concurrency: args.max_concurrency.max(1),
        deadline: Some(globals.timeout),
        ..ClientOptions::default()
    };
    Ok(Client::new(org, credentials, access, options)?
        .with_progress(crate::render::progress::for_stderr(globals.quiet)))
}

/// A runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// A loaded config and a client for its org: what plan, apply and drift start from.
pub struct Session {
    pub config: Config,
    pub sources: Sources,
    pub org: Org,
}

impl std::ops::Deref for Session {
    type Target = Org;
    fn deref(&self) -> &Org {
        &self.org
    }
}

/// A client for an org — and the embedded org itself with `--org sandbox` — with the runtime
/// that drives it: what export starts from, without a config.
pub struct Org {
    pub url: OrgUrl,
    pub client: Client,
    /// The embedded org, with `--org sandbox[:PATH]`; kept alive for the command.
    pub sandbox: Option<crate::sandbox::Sandbox>,
    pub runtime: tokio::runtime::Runtime,
}

/// How plans (and saved plans) name the embedded org.
pub const SANDBOX_NAME: &str = "sandbox (embedded demo org)";

/// `--org sandbox` keeps the embedded org here, so plan, apply and plan converge across runs.
pub const SANDBOX_STATE: &str = ".oktaform/sandbox.json";

/// Said once, when `--org sandbox` creates its state file.
fn sandbox_created_note(state: &std::path::Path) -> String {
    let reset = match state.to_str() {
        Some(SANDBOX_STATE) => "oktaform sandbox reset".to_string(),
        _ => format!("oktaform sandbox reset --state {}", state.display()),
    };
    format!(
        "note: created the sandbox org in {} (a demo org kept between runs, so plan, apply and plan converge); to start over: `{reset}`",
        state.display()
    )
}

/// The state path of `--org sandbox` / `--org sandbox:PATH`, or `None` for a real org.
fn sandbox_state(org: Option<&str>) -> Option<std::path::PathBuf> {
    match org? {
        "sandbox" => Some(SANDBOX_STATE.into()),
        other => other
            .strip_prefix("sandbox:")
            .filter(|p| !p.is_empty())
            .map(Into::into),
    }
}

impl Org {
    /// Connects to `--org` (else OKTA_ORG_URL, else the config's `org.url`), or starts the
    /// embedded org for `--org sandbox[:PATH]`.
    pub fn connect(
        org_args: &OrgArgs,
        config: Option<&Config>,
        access: Access,
    ) -> anyhow::Result<Org> {
        let runtime = runtime()?;
        if let Some(state) = sandbox_state(org_args.org.as_deref()) {
            let created = !state.exists();
            let options = crate::sandbox::SandboxOptions {
                state: Some(state.clone()),
                ..Default::default()
            };
            let sandbox = runtime
                .block_on(crate::sandbox::Sandbox::start(options))
                .context("starting the embedded sandbox org")?;
            if created {
                eprintln!("{}", sandbox_created_note(&state));
            }
            let url = OrgUrl::parse(sandbox.base_url())?;
            let credentials =
                Credentials::ApiToken(crate::secret::SecretString::new(sandbox.token().into()));
            let client = client_with(org_args, url.clone(), credentials, access)?;
            return Ok(Org {
                url,
                client,
                sandbox: Some(sandbox),
                runtime,
            });
        }
        let url = org_url(org_args, config)?;
        let client = client(org_args, url.clone(), access)?;
        Ok(Org {
            url,
            client,
            sandbox: None,
            runtime,
        })
    }

    /// The org's name in plans: the URL, or the embedded sandbox.
    pub fn org_name(&self) -> String {
        match &self.sandbox {
            Some(_) => SANDBOX_NAME.into(),
            None => self.url.to_string(),
        }
    }

    /// Reads what `scope` names.
    pub fn read(&self, scope: &crate::okta::Scope) -> anyhow::Result<Snapshot> {
        self.runtime
            .block_on(crate::okta::read(&self.client, scope))
            .context("reading the org")
    }
}

impl Session {
    pub fn open(
        config_args: &ConfigArgs,
        org_args: &OrgArgs,
        access: Access,
    ) -> anyhow::Result<Session> {
        let (config, sources) = load_config(config_args)?;
        let org = Org::connect(org_args, Some(&config), access)?;
        Ok(Session {
            config,
            sources,
            org,
        })
    }

    /// Reads the org and diffs it against the config.
    pub fn plan(&self) -> anyhow::Result<(crate::plan::Plan, Snapshot)> {
        self.plan_reading(crate::plan::scope(&self.config))
    }

    /// [`Session::plan`], keeping every assigned user's whole app profile (what a SCIM
    /// preview shows of an update), not only the attributes the config sets.
    pub fn plan_with_whole_profiles(&self) -> anyhow::Result<(crate::plan::Plan, Snapshot)> {
        let mut scope = crate::plan::scope(&self.config);
        if let crate::okta::Apps::Selected(apps) = &mut scope.apps {
            for app in apps {
                app.profile = crate::okta::ProfileKeys::All;
            }
        }
        self.plan_reading(scope)
    }

    fn plan_reading(
        &self,
        scope: crate::okta::Scope,
    ) -> anyhow::Result<(crate::plan::Plan, Snapshot)> {
        let diff = |live: &Snapshot| {
            crate::plan::diff(&self.config, live).map_err(|errors| {
                anyhow!(
                    "{}",
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            })
        };
        let mut live = self.org.read(&scope)?;
        let mut changes = diff(&live)?;
        if let Some(more) = crate::plan::scope::more_to_read(&scope, &changes.changes) {
            live.add_mappings(self.org.read(&more)?);
            changes = diff(&live)?;
        }
        Ok((
            crate::plan::Plan::new(self.org_name(), &live, changes),
            live,
        ))
    }
}
