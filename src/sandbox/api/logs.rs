//! The System Log: the latest entries (`limit`, at most 1000). Every write of the other
//! resources adds one.

use serde_json::Value;

use super::super::state::OrgState;
use super::{Reply, Request};

pub(super) fn list(org: &OrgState, req: &Request) -> Reply {
    let limit = req
        .query("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(100usize)
        .min(1000);
    let start = org.logs.len().saturating_sub(limit);
    Reply::ok(Value::Array(org.logs[start..].to_vec()))
}
