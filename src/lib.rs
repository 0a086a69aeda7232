//! oktaform — an Okta org's SCIM provisioning setup as code.
//!
//! The modules follow the data flow:
//! `config` (YAML → desired state) · `render` (reports for people and machines) · `cli` (the thin edge).

pub mod apply;
pub mod cli;
pub mod config;
pub mod ids;
pub mod okta;
pub mod plan;
pub mod render;
pub mod sandbox;
