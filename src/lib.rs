//! oktaform — an Okta org's SCIM provisioning setup as code.
//!
//! The modules follow the data flow; each imports only those listed before it:
//! `ids`, `secret`, `facts` (identifiers, secrets, Okta's facts) · `okta` (the provider: HTTP
//! client → a live `Snapshot`) and, beside it, `sandbox` (the embedded Okta org) and `scim` (a
//! read-only SCIM 2.0 client for a vendor's endpoint) · `config`
//! (YAML → desired state) · `plan` (the two → typed changes) · `drift` (where the org left
//! the config, and who moved it) · `apply` (changes → API writes) · `render` (plans and
//! reports for people and machines) · `cli` (the thin edge).
//!
//! Public are the layers a program (the binary, the tests, the benchmark) drives; `facts` and
//! `render` serve only the layers above them.

pub mod ids;
pub mod secret;
pub(crate) mod facts;
pub mod okta;
pub mod scim;
pub mod sandbox;
pub mod config;
pub mod plan;
pub mod drift;
pub mod export;
pub mod apply;
pub(crate) mod render;
pub mod cli;
