//! `sandbox`: an embedded Okta org — the Management API subset oktaform uses, with Okta's
//! shapes, errors, paging, rate limits and eventual-consistency traps — served over loopback
//! HTTP, so the real client is tested against something that behaves like Okta and anyone can
//! try oktaform without an Okta account.
//!
//! [`Sandbox::start`] runs it inside an existing tokio runtime (`--org sandbox`);
//! `oktaform sandbox serve` runs it standalone. Differences from a real org are listed in README.

pub mod api;
mod expression;
mod filter;
mod jws;
pub mod oauth;
mod rate_limits;
pub mod scim;
pub mod seed;
pub mod server;
pub mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

pub use server::{FaultKind, Faults, Knobs};
pub use state::{OrgState, StateError};

/// What a new sandbox org contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Seed {
    /// Users, groups and apps like the vendor guides' (Luciq, Lightrun, AccessIQ, an Org2Org app).
    Demo,
    /// Only Okta's defaults: the user schema and the default user type.
    Empty,
}

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    pub listen: SocketAddr,
    /// Where the org is kept between runs; `None` keeps it in memory.
    pub state: Option<PathBuf>,
    pub seed: Seed,
    /// The API token it accepts as `SSWS <token>`.
    pub token: String,
    pub knobs: Knobs,
    /// Serve on a non-loopback address. Refused otherwise: the sandbox's knobs change anything
    /// and its default token is public. Allowed, the knobs need the API token, which must not
    /// be the default.
    pub allow_remote: bool,
}

/// The API token a sandbox accepts unless told otherwise: public, so loopback only.
pub const DEFAULT_TOKEN: &str = "sandbox-token";

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            state: None,
            seed: Seed::Demo,
            token: DEFAULT_TOKEN.into(),
            knobs: Knobs::default(),
            allow_remote: false,
        }
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    base_url: String,
    token: String,
    shared: Arc<server::Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// Writes the changed org every `server::SAVE_EVERY`.
    saver: Option<tokio::task::JoinHandle<()>>,
}

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: SocketAddr, reason: String },
    #[error(
        "refusing to serve on {0}: it is not a loopback address, and the sandbox's knobs (under /__sandbox/) can change anything. \
         Listen on 127.0.0.1, or pass --allow-remote with --token <a secret of your own>"
    )]
    NotLoopback(SocketAddr),
    #[error(
        "--allow-remote needs --token <a secret of your own>: the default token `{DEFAULT_TOKEN}` is public"
    )]
    PublicToken,
}

impl Sandbox {
    /// Loads (or seeds) the org and starts serving on `options.listen` (port 0 picks one).
    pub async fn start(options: SandboxOptions) -> Result<Sandbox, StartError> {
        if !options.listen.ip().is_loopback() && !options.allow_remote {
            return Err(StartError::NotLoopback(options.listen));
        }
        if options.allow_remote && options.token == DEFAULT_TOKEN {
            return Err(StartError::PublicToken);
        }
        let org = OrgState::load_or_seed(options.state.as_deref(), options.seed)?;
        if let Some(path) = &options.state
            && !path.exists()
        {
            org.save(path)?;
        }
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|e| StartError::Listen {
                addr: options.listen,
                reason: e.to_string(),
            })?;
        let addr = listener.local_addr().map_err(|e| StartError::Listen {
            addr: options.listen,
            reason: e.to_string(),
        })?;
        let base_url = format!("http://{addr}");
        let mut shared =
            server::Shared::new(org, options.knobs, options.state, options.token.clone());
        shared.remote = options.allow_remote;
        let shared = Arc::new(shared);
        *shared.base_url.lock().unwrap_or_else(|e| e.into_inner()) = base_url.clone();
        let handler_state = shared.clone();
        let app =
            axum::Router::new()
                .fallback(
                    move |axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<
                        SocketAddr,
                    >,
                          method: axum::http::Method,
                          uri: axum::http::Uri,
                          headers: axum::http::HeaderMap,
                          body: Result<
                        axum::body::Bytes,
                        axum::extract::rejection::BytesRejection,
                    >| {
                        let shared = handler_state.clone();
                        async move {
                            match body {
                                Ok(body) => {
                                    server::handle(shared, peer, method, uri, headers, body).await
                                }
                                Err(rejection) => server::body_refused(rejection.status()),
                            }
                        }
                    },
                )
                .layer(axum::extract::DefaultBodyLimit::max(server::BODY_LIMIT));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            // The peer address goes into the System Log's `client.ipAddress`.
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        });
        let saving = shared.clone();
        let saver = tokio::spawn(async move {
            let mut wait = server::SAVE_EVERY;
            loop {
                tokio::time::sleep(wait).await;
                let shared = saving.clone();
                let held = tokio::task::spawn_blocking(move || shared.flush())
                    .await
                    .unwrap_or_default();
                wait = server::next_save_in(held);
            }
        });
        Ok(Sandbox {
            base_url,
            token: options.token,
            shared,
            shutdown: Some(tx),
            task: Some(task),
            saver: Some(saver),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The API token it accepts.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The org as it is now (for tests).
    pub fn snapshot(&self) -> Value {
        let org = self.shared.org.lock().unwrap_or_else(|e| e.into_inner());
        serde_json::to_value(&*org).unwrap_or(Value::Null)
    }

    /// Writes the org to its state file now, if it changed.
    pub fn flush(&self) {
        self.shared.flush();
    }

    /// Stops serving, waits for in-flight requests, and saves the org.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        if let Some(saver) = self.saver.take() {
            saver.abort();
        }
        self.shared.flush();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(saver) = self.saver.take() {
            saver.abort();
        }
        self.shared.flush();
    }
}

/// `oktaform sandbox serve`: prints the base URL first, serves until SIGINT/SIGTERM.
pub async fn serve(options: SandboxOptions) -> anyhow::Result<()> {
    let sandbox = Sandbox::start(options).await?;
    println!("{}", sandbox.base_url());
    eprintln!(
        "oktaform sandbox: serving a demo org at {} (API token `{}`; knobs under {}/__sandbox/). Stop with Ctrl-C.",
        sandbox.base_url(),
        sandbox.token(),
        sandbox.base_url()
    );
    wait_for_signal().await;
    sandbox.stop().await;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
