//! The System Log: the latest entries (`limit`, default 100, at most 1000). The entries
//! themselves are written by every other resource's writes, through `OrgState::log`.

use serde_json::Value;

use super::super::state::OrgState;
use super::{Outcome, Reply, Request};

/// `GET /api/v1/logs`; other methods are not served.
pub(super) fn route(org: &OrgState, req: &Request) -> Option<Outcome> {
    (req.method == "GET").then(|| Ok(list(org, req)))
}

fn list(org: &OrgState, req: &Request) -> Reply {
    let limit = req
        .query("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(100usize)
        .min(1000);
    let start = org.logs.len().saturating_sub(limit);
    Reply::ok(Value::Array(org.logs[start..].to_vec()))
}
