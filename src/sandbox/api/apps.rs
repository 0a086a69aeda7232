//! Apps: the list (`q`, `filter`, paging) and one app by id.

use serde_json::Value;

use super::super::state::OrgState;
use super::{Reply, Request, eq_clauses, field, not_found, page};

pub(super) fn list_apps(org: &OrgState, req: &Request) -> Reply {
    let q = req.query("q").map(str::to_lowercase);
    let filter = req.query("filter").map(eq_clauses).unwrap_or_default();
    let apps: Vec<Value> = org
        .apps
        .iter()
        .map(|a| &a.app)
        .filter(|app| {
            q.as_ref().is_none_or(|q| {
                let starts = |f: &str| {
                    app[f]
                        .as_str()
                        .is_some_and(|v| v.to_lowercase().starts_with(q.as_str()))
                };
                starts("label") || starts("name")
            })
        })
        .filter(|app| filter.iter().all(|(f, v)| field(app, f) == v.as_str()))
        .cloned()
        .collect();
    page(apps, req, 20, 200)
}

pub(super) fn app_get(org: &OrgState, id: &str) -> Reply {
    match org.app_index(id) {
        Some(i) => Reply::ok(org.apps[i].app.clone()),
        None => not_found(id, "AppInstance"),
    }
}
