//! The directory: users and groups, read by id (users also by login), searched (`search` or
//! `filter` with `eq` clauses, `q` prefix) and paged. The API cannot create them here; the seed
//! has them.

use serde_json::Value;

use super::super::state::OrgState;
use super::{Outcome, Reply, Request, eq_clauses, field, not_found, page, starts_with};

/// `rest`: the path after `/api/v1/`, starting with `users` or `groups`.
pub(super) fn route(org: &OrgState, req: &Request, rest: &[&str]) -> Option<Outcome> {
    Some(match (req.method, rest) {
        ("GET", ["users"]) => Ok(list_users(org, req)),
        ("GET", ["users", id]) => get_user(org, id),
        ("GET", ["groups"]) => Ok(list_groups(org, req)),
        ("GET", ["groups", id]) => get_group(org, id),
        _ => return None,
    })
}

fn get_user(org: &OrgState, id: &str) -> Outcome {
    org.users
        .iter()
        .find(|u| u["id"] == id || u["profile"]["login"] == id)
        .map(|user| Reply::ok(user.clone()))
        .ok_or_else(|| not_found(id, "User"))
}

fn get_group(org: &OrgState, id: &str) -> Outcome {
    org.group(id)
        .map(|group| Reply::ok(group.clone()))
        .ok_or_else(|| not_found(id, "UserGroup"))
}

/// The `eq` clauses of `search` (or, without it, `filter`).
fn search_clauses(req: &Request) -> Vec<(String, String)> {
    req.query("search")
        .or(req.query("filter"))
        .map(eq_clauses)
        .unwrap_or_default()
}

/// Users matching any clause (values compared ignoring case) and the `q` prefix of login,
/// email, first or last name.
fn list_users(org: &OrgState, req: &Request) -> Reply {
    let clauses = search_clauses(req);
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
                ["login", "email", "firstName", "lastName"]
                    .iter()
                    .any(|f| starts_with(&u["profile"][*f], q))
            })
        })
        .cloned()
        .collect();
    page(users, req, 200, 200)
}

/// Groups matching any clause (values compared exactly) and the `q` prefix of their name.
fn list_groups(org: &OrgState, req: &Request) -> Reply {
    let clauses = search_clauses(req);
    let q = req.query("q").map(str::to_lowercase);
    let groups: Vec<Value> = org
        .groups
        .iter()
        .filter(|g| clauses.is_empty() || clauses.iter().any(|(f, v)| field(g, f) == v.as_str()))
        .filter(|g| {
            q.as_ref()
                .is_none_or(|q| starts_with(&g["profile"]["name"], q))
        })
        .cloned()
        .collect();
    page(groups, req, 200, 10000)
}
