//! oktaform — an Okta org's SCIM provisioning setup as code.
//!
//! The modules follow the data flow; each imports only those listed before it:
//! `ids`, `secret`, `facts` (identifiers, secrets, Okta's facts) · `okta` (the provider: HTTP
//! client → a live `Snapshot`) and, beside it, `sandbox` (the embedded Okta org) · `config`
//! (YAML → desired state) · `plan` (the two → typed changes) · `apply` (changes → API writes) ·
//! `render` (plans and reports for people and machines) · `cli` (the thin edge).

pub mod apply;
pub mod cli;
pub mod config;
pub mod facts;
pub mod ids;
pub mod okta;
pub mod plan;
pub mod render;
pub mod sandbox;
pub mod secret;
