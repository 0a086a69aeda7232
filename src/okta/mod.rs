//! `okta`: the provider — the one place that talks to Okta. It owns the HTTP client,
//! authentication, rate limits, errors, every endpoint path, the wire types, and the read of a
//! [`Scope`] into a versioned [`Snapshot`]. It imports nothing from `config` or `plan`:
//! everything above sees typed results and data, never HTTP.

mod api;
mod auth;
mod client;
pub mod error;
pub mod jws;
pub mod progress;
pub mod rate_limit;
mod read;
mod scope;
mod snapshot;
pub mod types;

pub use api::GroupPushTarget;
pub use auth::{Access, Credentials};
pub use client::{Client, ClientOptions, Verified, body_cap, run_id};
pub use error::{ApiError, Error};
pub use read::{ReadError, read};
pub use scope::{AppScope, AppSelector, Apps, Parts, ProfileKeys, Scope};
pub use snapshot::{Directory, Features, LiveApp, LiveGroup, LivePush, LiveUser, Snapshot};
