//! `okta`: the one place that talks to Okta. For now: what an org URL may look like.

pub mod error;
pub mod jws;
pub mod org_url;

pub use org_url::OrgUrl;
