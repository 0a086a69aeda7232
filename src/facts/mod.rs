//! `facts`: what Okta can and cannot do, as typed tables — the To App toggles with their
//! Features-API pointers, the tokens of an app's `features` array, the base attributes per kind
//! of app, and the Admin Console's click paths. One place, below everything that needs them:
//! the config checks against them offline, the diff plans with them, the client reads with them.
//! Okta's error codes live with the error type (`okta::error`), the only place that matches them.

pub mod attributes;
pub mod console;
pub mod provisioning;
pub mod rate_limits;
pub mod system_log;
