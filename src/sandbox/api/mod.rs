//! The Management API subset oktaform uses, over [`OrgState`]: requests in, Okta-shaped answers
//! out. Error codes and summaries are the recorded ones (`../shared/okta-fixtures`); where no
//! recording exists the text follows Okta's documented or reported wording, noted beside it.

use serde_json::{Value, json};

use super::state::{Actor, OrgState, now_ms};

mod apps;
mod assignments;
mod directory;
mod features;
mod group_push;
mod logs;
mod mappings;
mod schemas;

/// One request, parsed.
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Vec<(String, String)>,
    pub body: &'a [u8],
    pub base_url: &'a str,
    pub actor: Actor,
    /// How long a deleted schema property name stays blocked.
    pub deletion_window_ms: u64,
}

impl Request<'_> {
    fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub links: Vec<String>,
    /// Whether the org changed (and must be saved).
    pub changed: bool,
}

impl Reply {
    fn ok(body: Value) -> Reply {
        Reply {
            status: 200,
            body: Some(body),
            links: Vec::new(),
            changed: false,
        }
    }
    fn changed(body: Option<Value>, status: u16) -> Reply {
        Reply {
            status,
            body,
            links: Vec::new(),
            changed: true,
        }
    }
}

/// Okta's error body.
pub fn error(status: u16, code: &str, summary: &str, causes: &[String]) -> Reply {
    let causes: Vec<Value> = causes
        .iter()
        .map(|c| json!({ "errorSummary": c }))
        .collect();
    let id = format!("oae{:021}", now_ms() % 1_000_000_000_000_000_000);
    Reply {
        status,
        body: Some(
            json!({ "errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": id, "errorCauses": causes }),
        ),
        links: Vec::new(),
        changed: false,
    }
}

/// `404 E0000007 Not found: Resource not found: X (Kind)`, as recorded.
pub fn not_found(id: &str, kind: &str) -> Reply {
    error(
        404,
        "E0000007",
        &format!("Not found: Resource not found: {id} ({kind})"),
        &[],
    )
}

fn malformed() -> Reply {
    error(
        400,
        "E0000003",
        "The request body was not well-formed.",
        &[],
    )
}

fn validation(operation: &str, cause: String) -> Reply {
    error(
        400,
        "E0000001",
        &format!("Api validation failed: {operation}"),
        &[cause],
    )
}

/// Dispatches a Management API request.
pub fn handle(org: &mut OrgState, req: &Request) -> Reply {
    let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let body = || -> Result<Value, Reply> {
        if req.body.is_empty() {
            return Ok(json!({}));
        }
        serde_json::from_slice(req.body).map_err(|_| malformed())
    };
    macro_rules! with_body {
        ($f:expr) => {
            match body() {
                Ok(b) => $f(b),
                Err(e) => e,
            }
        };
    }
    match (req.method, segments.as_slice()) {
        ("GET", ["api", "v1", "apps"]) => apps::list_apps(org, req),
        ("GET", ["api", "v1", "apps", id]) => apps::app_get(org, id),
        ("GET", ["api", "v1", "apps", id, "features"]) => features::features(org, id, None),
        ("GET", ["api", "v1", "apps", id, "features", name]) => {
            features::features(org, id, Some(name))
        }
        ("PUT", ["api", "v1", "apps", id, "features", name]) => {
            with_body!(|b| features::put_feature(org, req, id, name, b))
        }
        ("GET", ["api", "v1", "apps", id, "connections", "default"]) => {
            features::connection(org, id, None, req)
        }
        ("POST", ["api", "v1", "apps", id, "connections", "default"]) => {
            with_body!(|b| features::connection(org, id, Some(b), req))
        }
        (
            "POST",
            [
                "api",
                "v1",
                "apps",
                id,
                "connections",
                "default",
                "lifecycle",
                action,
            ],
        ) => features::connection_lifecycle(org, req, id, action),
        ("GET", ["api", "v1", "meta", "schemas", "user", "default"]) => {
            Reply::ok(org.user_schema.clone())
        }
        ("POST", ["api", "v1", "meta", "schemas", "user", "default"]) => {
            with_body!(|b| schemas::update_schema(org, req, None, b))
        }
        ("GET", ["api", "v1", "meta", "schemas", "apps", id, "default"]) => match org.app_index(id)
        {
            Some(i) => Reply::ok(org.apps[i].schema.clone()),
            None => not_found(id, "AppInstance"),
        },
        ("POST", ["api", "v1", "meta", "schemas", "apps", id, "default"]) => {
            with_body!(|b| schemas::update_schema(org, req, Some(id), b))
        }
        ("GET", ["api", "v1", "meta", "types", "user"]) => Reply::ok(json!([org.user_type])),
        ("GET", ["api", "v1", "meta", "types", "user", id])
            if org.user_type["id"] == *id || *id == "default" =>
        {
            Reply::ok(org.user_type.clone())
        }
        ("GET", ["api", "v1", "meta", "types", "user", id]) => not_found(id, "UserType"),
        ("GET", ["api", "v1", "mappings"]) => mappings::list_mappings(org, req),
        ("GET", ["api", "v1", "mappings", id]) => match org.mapping_index(id) {
            Some(i) => Reply::ok(org.mappings[i].clone()),
            None => not_found(id, "ProfileMapping"),
        },
        ("POST", ["api", "v1", "mappings", id]) => {
            with_body!(|b| mappings::update_mapping(org, req, id, b))
        }
        ("GET", ["api", "v1", "apps", id, "users"]) => assignments::list_app_users(org, req, id),
        ("POST", ["api", "v1", "apps", id, "users"]) => {
            with_body!(|b| assignments::assign_user(org, req, id, None, b))
        }
        ("GET", ["api", "v1", "apps", id, "users", uid]) => assignments::app_user(org, id, uid),
        ("POST", ["api", "v1", "apps", id, "users", uid]) => {
            with_body!(|b| assignments::assign_user(org, req, id, Some(uid), b))
        }
        ("DELETE", ["api", "v1", "apps", id, "users", uid]) => {
            assignments::unassign_user(org, req, id, uid)
        }
        ("GET", ["api", "v1", "apps", id, "groups"]) => assignments::list_app_groups(org, req, id),
        ("GET", ["api", "v1", "apps", id, "groups", gid]) => assignments::app_group(org, id, gid),
        ("PUT", ["api", "v1", "apps", id, "groups", gid]) => {
            with_body!(|b| assignments::put_app_group(org, req, id, gid, b))
        }
        ("DELETE", ["api", "v1", "apps", id, "groups", gid]) => {
            assignments::unassign_group(org, req, id, gid)
        }
        ("GET", ["api", "v1", "apps", id, "group-push", "mappings"]) => match org.app_index(id) {
            Some(i) => Reply::ok(Value::Array(org.apps[i].group_push.clone())),
            None => not_found(id, "AppInstance"),
        },
        ("POST", ["api", "v1", "apps", id, "group-push", "mappings"]) => {
            with_body!(|b| group_push::create_push(org, req, id, b))
        }
        ("GET", ["api", "v1", "apps", id, "group-push", "mappings", mid]) => {
            match org.app_index(id) {
                Some(i) => match org.apps[i].group_push.iter().find(|m| m["id"] == *mid) {
                    Some(m) => Reply::ok(m.clone()),
                    None => not_found(mid, "GroupPushMapping"),
                },
                None => not_found(id, "AppInstance"),
            }
        }
        ("PATCH", ["api", "v1", "apps", id, "group-push", "mappings", mid]) => {
            with_body!(|b| group_push::patch_push(org, req, id, mid, b))
        }
        ("DELETE", ["api", "v1", "apps", id, "group-push", "mappings", mid]) => {
            group_push::delete_push(org, req, id, mid)
        }
        ("GET", ["api", "v1", "users"]) => directory::list_users(org, req),
        ("GET", ["api", "v1", "users", id]) => match org
            .users
            .iter()
            .find(|u| u["id"] == *id || u["profile"]["login"] == *id)
        {
            Some(user) => Reply::ok(user.clone()),
            None => not_found(id, "User"),
        },
        ("GET", ["api", "v1", "groups"]) => directory::list_groups(org, req),
        ("GET", ["api", "v1", "groups", id]) => match org.group(id) {
            Some(group) => Reply::ok(group.clone()),
            None => not_found(id, "UserGroup"),
        },
        ("GET", ["api", "v1", "logs"]) => logs::list(org, req),
        _ => error(
            404,
            "E0000022",
            "The endpoint does not support the provided HTTP method",
            &[],
        ),
    }
}

/// Pages `items` by `limit` (capped at `max`) and `after` (the last id of the previous page).
fn page(items: Vec<Value>, req: &Request, default: usize, max: usize) -> Reply {
    let limit = req
        .query("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(default)
        .clamp(1, max);
    let start = match req.query("after") {
        Some(after) => items
            .iter()
            .position(|i| i["id"] == after)
            .map_or(items.len(), |p| p + 1),
        None => 0,
    };
    let end = (start + limit).min(items.len());
    let page: Vec<Value> = items[start.min(end)..end].to_vec();
    let own: Vec<(String, String)> = req
        .query
        .iter()
        .filter(|(k, _)| k != "after" && k != "limit")
        .cloned()
        .collect();
    let link = |after: Option<&str>| {
        let mut params: Vec<String> = own
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if let Some(after) = after {
            params.push(format!("after={after}"));
        }
        params.push(format!("limit={limit}"));
        format!("{}{}?{}", req.base_url, req.path, params.join("&"))
    };
    let mut links = vec![format!("<{}>; rel=\"self\"", link(None))];
    if end < items.len()
        && let Some(last) = page.last().and_then(|l| l["id"].as_str())
    {
        links.push(format!("<{}>; rel=\"next\"", link(Some(last))));
    }
    Reply {
        status: 200,
        body: Some(Value::Array(page)),
        links,
        changed: false,
    }
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// `field eq "value"` clauses joined by ` or ` (the search forms oktaform sends).
fn eq_clauses(expression: &str) -> Vec<(String, String)> {
    expression
        .split(" or ")
        .filter_map(|clause| {
            let (field, value) = clause.trim().split_once(" eq ")?;
            let value = value
                .trim()
                .strip_prefix('"')?
                .strip_suffix('"')?
                .replace("\\\"", "\"");
            Some((field.trim().to_string(), value))
        })
        .collect()
}

fn field<'v>(object: &'v Value, path: &str) -> &'v Value {
    path.split('.').fold(object, |v, key| &v[key])
}
