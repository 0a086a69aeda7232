//! `cli`: argument parsing and dispatch. Thin by design: each command calls into the library
//! and maps its outcome to an exit code.
//!
//! Exit codes: 0 success (valid / no changes / no drift), 1 error (invalid config, bad usage,
//! API failure), 2 changes present (`plan --detailed-exitcode`) or drift (`drift`), 3 refused
//! by a safety rule.

mod apply;
mod check;
mod completions;
mod drift;
mod export;
mod graph;
mod init;
mod org;
mod plan;
mod sandbox;
mod validate;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config;
use crate::render::diagnostics::Style;

/// Okta SCIM provisioning as code: validate, plan and apply a YAML description of an org's
/// provisioning setup.
#[derive(Debug, Parser)]
#[command(name = "oktaform", version, about, disable_help_subcommand = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// No progress line on stderr (it is shown only on a terminal, for work over 300 ms).
    #[arg(long, global = true)]
    pub quiet: bool,
    /// Longest a command may spend talking to Okta, e.g. `90s`, `10m`, `2h` (large first
    /// applies at a low rate limit take longer); each request also times out after 30 s.
    #[arg(long, global = true, value_name = "DURATION", default_value = "10m", value_parser = humantime::parse_duration)]
    pub timeout: std::time::Duration,
}

/// The global flags, for the commands that talk to Okta.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Globals {
    pub quiet: bool,
    pub timeout: std::time::Duration,
}

static GLOBALS: std::sync::OnceLock<Globals> = std::sync::OnceLock::new();

/// `--quiet` and `--timeout` as given (their defaults before parsing).
pub(crate) fn globals() -> Globals {
    GLOBALS.get().copied().unwrap_or(Globals {
        quiet: false,
        timeout: std::time::Duration::from_secs(600),
    })
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter config from a vendor's guide (`--preset luciq`), or list the
    /// presets (`--list`).
    Init(InitArgs),
    /// Check config files offline: YAML, keys, types, cross-references, secrets. No network.
    Validate(ValidateArgs),
    /// Show what it takes to make the org match the config (reads only).
    Plan(PlanArgs),
    /// Make the org match the config (or apply a saved plan).
    Apply(ApplyArgs),
    /// Report where the org has left the config and who changed it, for a nightly job
    /// (exit 0 no drift, 2 drift, 1 error).
    Drift(DriftArgs),
    /// Write the config that describes apps of a live org (a first draft that plans to no
    /// change).
    Export(ExportArgs),
    /// The embedded Okta org for trying oktaform and for tests.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Ask the vendor's side: `check scim` asks each app's SCIM endpoint (reads only) whether it
    /// takes what Okta will send (exit 0 all pass, 2 some fail, 1 error).
    #[command(subcommand)]
    Check(CheckCommand),
    /// Draw how each attribute flows: Okta user → mapping → app user → SCIM name, and back.
    Graph(GraphArgs),
    /// Print the JSON Schema of the config file (for editors and yaml-language-server).
    Schema,
    /// Print a shell completion script: `oktaform completions bash > /etc/bash_completion.d/oktaform`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `oktaform man | man -l -`.
    Man,
    /// Print the help of oktaform or of a command: `oktaform help plan`.
    Help {
        /// The command (and subcommand) to explain.
        #[arg(value_name = "COMMAND")]
        command: Vec<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The vendor whose guide the starter follows (`oktaform init --list` names them).
    #[arg(long, value_name = "NAME", required_unless_present = "list")]
    pub preset: Option<String>,
    /// List the presets and exit.
    #[arg(long, conflicts_with_all = ["preset", "out", "force"])]
    pub list: bool,
    /// Where to write the config (`-` for stdout).
    #[arg(
        short = 'o',
        long,
        value_name = "FILE",
        default_value = "oktaform.yaml"
    )]
    pub out: PathBuf,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub org: OrgArgs,
    /// Mermaid (renders in GitHub and GitLab Markdown) or Graphviz dot.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

#[derive(Debug, Clone, clap::Args)]
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

/// Where the org is and how hard oktaform may use it.
#[derive(Debug, clap::Args)]
pub struct OrgArgs {
    /// The org: `https://acme.okta.com` (default: OKTA_ORG_URL, then `org.url` in the config),
    /// or `sandbox` / `sandbox:STATE.json` for the embedded demo org (no account needed).
    /// Credentials come from OKTA_API_TOKEN, or OKTA_CLIENT_ID with OKTA_PRIVATE_KEY[_FILE].
    #[arg(long, value_name = "URL")]
    pub org: Option<String>,
    /// Share of each Okta rate-limit bucket oktaform may use (0–1].
    #[arg(long, value_name = "SHARE", default_value_t = 0.5)]
    pub max_api_share: f64,
    /// Most requests in flight at once: the ceiling of an adaptive limit that halves on a 429
    /// and grows back (default: two thirds of Okta's per-org limit of 75).
    #[arg(long, value_name = "N", default_value_t = crate::okta::ClientOptions::default().max_concurrency)]
    pub max_concurrency: usize,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub org: OrgArgs,
    /// Output for people (text), pull requests (markdown) or machines (json).
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Save the plan (with fingerprints of what it touches) for `oktaform apply PLAN`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 2 when the plan has changes (0 when none, 1 on error).
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Show the "check once" notes (what Okta's API cannot read) even if this config was
    /// planned before; without it they are shown once per config version.
    #[arg(long)]
    pub show_notes: bool,
    /// Show, for each assignment change, the SCIM request the vendor will receive from Okta
    /// (with `--format json`: a `scim_preview` section).
    #[arg(long)]
    pub show_scim: bool,
}

#[derive(Debug, clap::Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub org: OrgArgs,
    /// Output for people (text), an issue or chat message (markdown) or machines (json).
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// How far back to look in the System Log, e.g. `24h`, `7days` (default: since the last
    /// clean run recorded in --state, else 24h).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub since: Option<std::time::Duration>,
    /// Do not report a difference: `app=luciq,kind=app_attribute,name=instabugRole,field=title`
    /// (any of app, kind, name, field; repeatable; adds to the config's `ignore:` list).
    #[arg(long, value_name = "RULE")]
    pub ignore: Vec<crate::config::model::IgnoreRule>,
    /// Remember this run here: findings seen before are `still`, console steps pending at the
    /// last clean run are not drift, and the System Log window starts at the last clean run.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum CheckCommand {
    /// Ask each app's SCIM 2.0 endpoint, with the base URL and token the config declares,
    /// whether it answers SCIM 2.0, takes the token, and has every attribute Okta will send
    /// (external name, namespace, type, enum values), groups if pushed, and PATCH. GETs only.
    Scim(CheckScimArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckScimArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Only this app (its name in the config).
    #[arg(long, value_name = "NAME")]
    pub app: Option<String>,
    /// Output for people (text) or machines (json).
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub org: OrgArgs,
    /// An app to export, by label or id (`0oa…`); repeatable.
    #[arg(long = "app", value_name = "LABEL|ID")]
    pub apps: Vec<String>,
    /// Export every app of the org.
    #[arg(long, conflicts_with = "apps")]
    pub all: bool,
    /// Write to this file, or to this directory one file per app (default: stdout).
    #[arg(short = 'o', long, value_name = "FILE|DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Serve the sandbox org on loopback; the first line printed is its base URL.
    Serve(ServeArgs),
    /// Start the embedded org of `--org sandbox` over: a fresh demo org, as on the first run.
    Reset(ResetArgs),
}

#[derive(Debug, clap::Args)]
pub struct ResetArgs {
    /// The state file (`--org sandbox:PATH`); default the one `--org sandbox` uses.
    #[arg(long, value_name = "PATH", default_value = org::SANDBOX_STATE)]
    pub state: PathBuf,
    /// What the new org contains.
    #[arg(long, value_enum, default_value_t = crate::sandbox::Seed::Demo)]
    pub seed: crate::sandbox::Seed,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free one. Loopback only, unless --allow-remote.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// Serve on a non-loopback address. Needs --token with a secret of your own; the knobs
    /// (under /__sandbox/) then need `Authorization: SSWS <token>` too.
    #[arg(long)]
    pub allow_remote: bool,
    /// Where the org is kept between runs (created, and seeded, when missing).
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// What a new org contains.
    #[arg(long, value_enum, default_value_t = crate::sandbox::Seed::Demo)]
    pub seed: crate::sandbox::Seed,
    /// The API token the sandbox accepts (`Authorization: SSWS <token>`).
    #[arg(long, default_value = "sandbox-token")]
    pub token: String,
    /// Added latency per API request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Requests per minute per rate-limit bucket.
    #[arg(long, default_value_t = 600)]
    pub rate_limit: u32,
}

#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// A plan saved by `oktaform plan --out FILE`; applied only if nothing it touches changed.
    #[arg(value_name = "PLAN")]
    pub plan_file: Option<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub org: OrgArgs,
    /// Apply without asking (CI).
    #[arg(long)]
    pub auto_approve: bool,
    /// Allow changes that delete attributes or re-create them (their values are lost).
    #[arg(long)]
    pub allow_data_loss: bool,
    /// Allow unassigning users or groups while Deactivate Users is on.
    #[arg(long)]
    pub allow_deprovision: bool,
    /// Largest share of an app's assignments one apply may remove (apps with 10 or more).
    #[arg(long, value_name = "SHARE", default_value_t = 0.3)]
    pub max_unassign_share: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Markdown,
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
    org::init_logging();
    let _ = GLOBALS.set(Globals {
        quiet: cli.quiet,
        timeout: cli.timeout,
    });
    match cli.command {
        Command::Init(args) => init::run(&args),
        Command::Validate(args) => validate::validate(&args),
        Command::Plan(args) => plan::plan(&args),
        Command::Apply(args) => apply::run(&args),
        Command::Drift(args) => drift::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Sandbox(SandboxCommand::Serve(args)) => serve(args),
        Command::Sandbox(SandboxCommand::Reset(args)) => sandbox::reset(&args),
        Command::Check(CheckCommand::Scim(args)) => check::scim(&args),
        Command::Graph(args) => graph::run(&args),
        Command::Schema => {
            print!("{}", config::schema::json_schema());
            ExitCode::SUCCESS
        }
        Command::Completions { shell } => completions::completions(shell),
        Command::Man => completions::man(),
        Command::Help { command } => completions::help(&command),
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    let options = crate::sandbox::SandboxOptions {
        listen: args.listen,
        state: args.state,
        seed: args.seed,
        token: args.token,
        allow_remote: args.allow_remote,
        knobs: crate::sandbox::Knobs {
            latency_ms: args.latency_ms,
            rate_limit: args.rate_limit,
            ..Default::default()
        },
    };
    let result = org::runtime().and_then(|rt| rt.block_on(crate::sandbox::serve(options)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn style_for(terminal: bool) -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if terminal && !no_color {
        Style::Color
    } else {
        Style::Plain
    }
}

fn stderr_style() -> Style {
    style_for(std::io::stderr().is_terminal())
}

fn stdout_style() -> Style {
    style_for(std::io::stdout().is_terminal())
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

/// Prints an error at the CLI edge: the whole chain, and exit 1.
fn fail(error: &anyhow::Error) -> ExitCode {
    eprintln!("error: {error:#}");
    ExitCode::from(1)
}
