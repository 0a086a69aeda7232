//! `okta`: the one place that talks to Okta — HTTP client, authentication, rate limits, errors.
//! Everything above this module sees typed results, never HTTP.

pub mod api;
pub mod auth;
pub mod client;
pub mod error;
pub mod jws;
pub mod org_url;
pub mod rate_limit;
pub mod read;
pub mod types;

pub use auth::{Access, Credentials};
pub use client::{Client, ClientOptions};
pub use error::{ApiError, Error};
pub use org_url::OrgUrl;
