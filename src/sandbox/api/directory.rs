//! The directory: users and groups, searched (`search`/`filter` with `eq` clauses, `q` prefix)
//! and paged. The API cannot create them here; the seed has them.

use serde_json::Value;

use super::super::state::OrgState;
use super::{Reply, Request, eq_clauses, field, page};

pub(super) fn list_users(org: &OrgState, req: &Request) -> Reply {
    let clauses = req
        .query("search")
        .or(req.query("filter"))
        .map(eq_clauses)
        .unwrap_or_default();
    let q = req.query("q").map(str::to_lowercase);
    let users: Vec<Value> = org
        .users
        .iter()
        .filter(|u| {
            clauses.is_empty()
                || clauses.iter().any(|(f, v)| {
                    field(u, f)
                        .as_str()
                        .is_some_and(|x| x.eq_ignore_ascii_case(v))
                })
        })
        .filter(|u| {
            q.as_ref().is_none_or(|q| {
                ["login", "email", "firstName", "lastName"].iter().any(|f| {
                    u["profile"][*f]
                        .as_str()
                        .is_some_and(|x| x.to_lowercase().starts_with(q.as_str()))
                })
            })
        })
        .cloned()
        .collect();
    page(users, req, 200, 200)
}

pub(super) fn list_groups(org: &OrgState, req: &Request) -> Reply {
    let clauses = req
        .query("search")
        .or(req.query("filter"))
        .map(eq_clauses)
        .unwrap_or_default();
    let q = req.query("q").map(str::to_lowercase);
    let groups: Vec<Value> = org
        .groups
        .iter()
        .filter(|g| clauses.is_empty() || clauses.iter().any(|(f, v)| field(g, f) == v.as_str()))
        .filter(|g| {
            q.as_ref().is_none_or(|q| {
                g["profile"]["name"]
                    .as_str()
                    .is_some_and(|n| n.to_lowercase().starts_with(q.as_str()))
            })
        })
        .cloned()
        .collect();
    page(groups, req, 200, 10000)
}
