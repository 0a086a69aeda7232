//! Apps: the list (`q` prefix search, `filter` with `eq` clauses, paging) and one app by id.
//! What hangs off an app — features, connection, assignments, group push, its user schema —
//! lives in the files named after those.

use serde_json::Value;

use super::super::state::OrgState;
use super::{Outcome, Reply, Request, app_index, eq_clauses, field, page, starts_with};

/// `rest`: the path after `/api/v1/apps`.
pub(super) fn route(org: &OrgState, req: &Request, rest: &[&str]) -> Option<Outcome> {
    Some(match (req.method, rest) {
        ("GET", []) => Ok(list(org, req)),
        ("GET", [id]) => get(org, id),
        _ => return None,
    })
}

fn list(org: &OrgState, req: &Request) -> Reply {
    let q = req.query("q").map(str::to_lowercase);
    let filter = req.query("filter").map(eq_clauses).unwrap_or_default();
    let apps: Vec<&Value> = org
        .apps
        .iter()
        .map(|a| &a.app)
        .filter(|app| {
            q.as_ref()
                .is_none_or(|q| starts_with(&app["label"], q) || starts_with(&app["name"], q))
        })
        .filter(|app| filter.iter().all(|(f, v)| field(app, f) == v.as_str()))
        .collect();
    page(&apps, req, 20, 200)
}

fn get(org: &OrgState, id: &str) -> Outcome {
    let i = app_index(org, id)?;
    Ok(Reply::ok(org.apps[i].app.clone()))
}
