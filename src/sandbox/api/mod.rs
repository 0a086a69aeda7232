//! The Management API subset oktaform uses, over [`OrgState`]: requests in, Okta-shaped answers
//! out. Error codes and summaries are the recorded ones (`../shared/okta-fixtures`); where no
//! recording exists the text follows Okta's documented or reported wording, noted beside it.
//!
//! This file holds what every resource shares — [`Request`], [`Reply`], Okta's error answers,
//! the dispatcher ([`handle`]), `Link` paging and the `eq` search clauses — and hands each path
//! to the file of the resource that owns it: `apps`, `features` (features and the provisioning
//! connection), `schemas` (user and app user schemas, the user type), `mappings`, `assignments`
//! (app users and app groups), `directory` (users, groups, memberships), `group_push` and
//! `logs`. A method a path does not serve is `405`, a path nothing serves `404`.

use serde_json::{Value, json};

use super::state::{Actor, OrgState, now_ms};

mod apps;
mod assignments;

pub use assignments::{finish_provisioning, provision_staged};
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
    pub settings: Settings,
}

/// The knobs the API itself reads (see `server::Knobs`).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// How long a deleted schema property name stays blocked.
    pub deletion_window_ms: u64,
    /// How long a new app user stays `STAGED` before Okta's provisioning job makes it
    /// `PROVISIONED` (when Create Users is on).
    pub provision_delay_ms: u64,
    /// Whether the Features API of an allow-listed app refuses while its provisioning
    /// connection is not `ENABLED`, as Okta does (B2). Off: the features are served anyway.
    pub features_need_enabled_connection: bool,
    /// Whether a polling System Log request (no `until`, ascending) always has a `next` link,
    /// as Okta documents. Off: a `next` link only while events remain, as on other lists.
    pub logs_polling_always_next: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            deletion_window_ms: 300_000,
            provision_delay_ms: 0,
            features_need_enabled_connection: true,
            logs_polling_always_next: true,
        }
    }
}

impl Request<'_> {
    fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Runs `handler` on the JSON body (`{}` when empty). `400 E0000003` — Okta's answer to a
    /// body its JSON binding cannot read (recorded for a malformed features PUT) — when it is
    /// not JSON, not an object, or one of `fields` has another type than its endpoint takes.
    fn with_json(&self, fields: &[(&str, Is)], handler: impl FnOnce(Value) -> Outcome) -> Outcome {
        let body = if self.body.is_empty() {
            json!({})
        } else {
            serde_json::from_slice(self.body).map_err(|_| malformed())?
        };
        let Some(object) = body.as_object() else {
            return Err(malformed());
        };
        for (name, is) in fields {
            match object.get(*name) {
                None | Some(Value::Null) => {}
                Some(value) if is.holds(value) => {}
                Some(_) => return Err(malformed()),
            }
        }
        handler(body)
    }
}

/// The JSON type a body field must have.
#[derive(Debug, Clone, Copy)]
pub(super) enum Is {
    Object,
    Text,
    Integer,
}

impl Is {
    fn holds(self, value: &Value) -> bool {
        match self {
            Is::Object => value.is_object(),
            Is::Text => value.is_string(),
            Is::Integer => value.is_i64() || value.is_u64(),
        }
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
/// A property of a user profile schema: a custom one, else a base one.
pub(super) fn schema_property<'s>(schema: &'s Value, name: &str) -> Option<&'s Value> {
    schema["definitions"]["custom"]["properties"]
        .get(name)
        .or_else(|| schema["definitions"]["base"]["properties"].get(name))
}

/// Refuses profile keys `known` does not know: `Api validation failed: {operation}`, one cause
/// `Property 'x' not found` each (recorded for assignments in oktadeveloper/okta-blog-archive
/// issue #2167; the same wording is assumed for Okta user profiles).
pub(super) fn only_known_properties<'k>(
    operation: &str,
    keys: impl Iterator<Item = &'k String>,
    known: impl Fn(&str) -> bool,
) -> Result<(), Reply> {
    let unknown: Vec<String> = keys
        .filter(|k| !known(k))
        .map(|k| format!("Property '{k}' not found"))
        .collect();
    match unknown.is_empty() {
        true => Ok(()),
        false => Err(error(
            400,
            "E0000001",
            &format!("Api validation failed: {operation}"),
            &unknown,
        )),
    }
}

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

/// A `403` for what Okta forbids (`E0000006` for a change Okta's objects do not allow, as the
/// spec's `ErrorAccessDenied403` answers).
fn forbidden(code: &str, summary: &str, causes: &[String]) -> Reply {
    error(403, code, summary, causes)
}

fn malformed() -> Reply {
    error(
        400,
        "E0000003",
        "The request body was not well-formed.",
        &[],
    )
}

/// A query parameter Okta refuses: `400 E0000001 Api validation failed: 'name': why`.
/// Unverified wording: no recording or documentation shows Okta's answer to a bad `limit`,
/// `sortOrder` or `after`; this follows the System Log's documented `E0000001 Api validation
/// failed: 'q': …`, for every list.
fn bad_parameter(name: &str, why: &str) -> Reply {
    error(
        400,
        "E0000001",
        &format!("Api validation failed: '{name}': {why}"),
        &[format!("{name}: {why}")],
    )
}

/// `400 E0000031 Invalid search criteria.` (Okta's error catalogue) for a `search` or
/// `filter` expression that does not parse.
fn bad_search(why: &str) -> Reply {
    error(
        400,
        "E0000031",
        "Invalid search criteria.",
        &[why.to_string()],
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

/// A method a known path does not serve: `405 E0000022` (Okta's error catalogue,
/// `error-codes.json`: "HTTP request method not supported exception", 405 Method Not Allowed).
fn no_such_method() -> Reply {
    error(
        405,
        "E0000022",
        "The endpoint does not support the provided HTTP method",
        &[],
    )
}

/// A path no resource has: `404 E0000007` (`../shared/design/okta-semantics.md` C4, after
/// Okta's error catalogue; the summary names the path, as Okta's recorded 404s name the
/// resource — unverified for paths).
fn no_such_resource(path: &str) -> Reply {
    error(
        404,
        "E0000007",
        &format!("Not found: Resource not found: {path}"),
        &[],
    )
}

/// The index of app `id`, or `404 … (AppInstance)`.
fn app_index(org: &OrgState, id: &str) -> Result<usize, Reply> {
    org.app_index(id)
        .ok_or_else(|| not_found(id, "AppInstance"))
}

/// A handler's outcome: its answer, or an error answer (which `?` returns early).
type Outcome = Result<Reply, Reply>;

/// Dispatches a Management API request. Okta's background provisioning jobs that are due
/// finish first, so that the request sees their outcome.
pub fn handle(org: &mut OrgState, req: &Request) -> Reply {
    let provisioned = assignments::finish_provisioning(org, now_ms());
    let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let routed = match segments.as_slice() {
        ["api", "v1", rest @ ..] => route(org, req, rest),
        _ => None,
    };
    let mut reply = match routed {
        Some(Ok(reply) | Err(reply)) => reply,
        None if super::rate_limits::known_path(req.path) => no_such_method(),
        None => no_such_resource(req.path),
    };
    reply.changed |= provisioned;
    reply
}

/// Hands the path after `/api/v1/` to the resource that owns it; `None` when none does.
fn route(org: &mut OrgState, req: &Request, rest: &[&str]) -> Option<Outcome> {
    match rest {
        ["apps", id, "features" | "connections", ..] => features::route(org, req, id, &rest[2..]),
        ["apps", id, "users" | "groups", ..] => assignments::route(org, req, id, &rest[2..]),
        ["apps", id, "group-push", "mappings", tail @ ..] => group_push::route(org, req, id, tail),
        ["apps", tail @ ..] => apps::route(org, req, tail),
        ["meta", tail @ ..] => schemas::route(org, req, tail),
        ["mappings", tail @ ..] => mappings::route(org, req, tail),
        ["users" | "groups", ..] => directory::route(org, req, rest),
        ["logs"] => logs::route(org, req),
        _ => None,
    }
}

/// Pages `items` by `limit` and `after` (the last id of the previous page). A `limit` above
/// `max` is lowered to it, as Okta documents each list's maximum; one that is not a whole
/// number of at least 1 is refused, and so is an `after` naming nothing in the list (no
/// recording has either; oktaform only ever follows Okta's own `next` links, so a refusal here
/// can only be a bug of the client, which a lenient sandbox would hide).
/// A page of `items` (only the page is copied: a list of 3,000 costs the same as one of 30).
fn page<V: std::borrow::Borrow<Value>>(
    items: &[V],
    req: &Request,
    default: usize,
    max: usize,
) -> Reply {
    let limit = match req.query("limit") {
        None => default,
        Some(text) => match text.trim().parse::<i64>() {
            Ok(n) if n >= 1 => usize::try_from(n).unwrap_or(max).min(max),
            _ => {
                return bad_parameter(
                    "limit",
                    &format!("must be a whole number from 1 to {max}, not `{text}`"),
                );
            }
        },
    };
    let start = match req.query("after") {
        Some(after) => match items.iter().position(|i| i.borrow()["id"] == after) {
            Some(p) => p + 1,
            None => return bad_parameter("after", "the cursor names nothing in this list"),
        },
        None => 0,
    };
    let end = (start + limit).min(items.len());
    let page: Vec<Value> = items[start.min(end)..end]
        .iter()
        .map(|i| i.borrow().clone())
        .collect();
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

/// Whether `text` is a string starting with `q` (already lowercase), ignoring case.
fn starts_with(text: &Value, q: &str) -> bool {
    text.as_str()
        .is_some_and(|t| t.to_lowercase().starts_with(q))
}

fn field<'v>(object: &'v Value, path: &str) -> &'v Value {
    path.split('.').fold(object, |v, key| &v[key])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::{Seed, seed};

    fn call(org: &mut OrgState, method: &str, path: &str, body: &str) -> Reply {
        let req = Request {
            method,
            path,
            query: Vec::new(),
            body: body.as_bytes(),
            base_url: "http://127.0.0.1:1",
            actor: Actor::api("test"),
            settings: Settings {
                deletion_window_ms: 1000,
                ..Settings::default()
            },
        };
        handle(org, &req)
    }

    /// `METHOD PATH BODY STATUS [CODE]`, in order (later lines see earlier writes); `-` is no
    /// body, `{…}` in paths and bodies the demo org's ids.
    const ROUTES: &str = r#"
        GET /api/v1/apps - 200
        GET /api/v1/apps/{luciq} - 200
        GET /api/v1/apps/0oamissing1 - 404 E0000007
        DELETE /api/v1/apps/{luciq} - 405 E0000022
        DELETE /api/v1/apps/0oaNOPE - 405 E0000022
        GET /api/v1/apps/{luciq}/features - 400 E0000001
        GET /api/v1/apps/{o2o}/features - 400 E0000001
        GET /api/v1/apps/{o2o}/features/USER_PROVISIONING - 400 E0000001
        PUT /api/v1/apps/{o2o}/features/USER_PROVISIONING [1] 400 E0000003
        PUT /api/v1/apps/{o2o}/features/USER_PROVISIONING {} 400 E0000001
        PUT /api/v1/apps/{o2o}/features/USER_PROVISIONING { 400 E0000003
        GET /api/v1/apps/{o2o}/connections/default - 200
        POST /api/v1/apps/{o2o}/connections/default {} 200
        POST /api/v1/apps/{o2o}/connections/default/lifecycle/activate - 204
        POST /api/v1/apps/{o2o}/connections/default/lifecycle/x - 404 E0000007
        GET /api/v1/apps/{o2o}/connections/other - 404 E0000007
        GET /api/v1/meta/schemas/user/default - 200
        POST /api/v1/meta/schemas/user/default {} 400 E0000003
        GET /api/v1/meta/schemas/apps/{luciq}/default - 200
        POST /api/v1/meta/schemas/apps/0oamissing1/default {} 404 E0000007
        GET /api/v1/meta/types/user - 200
        GET /api/v1/meta/types/user/{type} - 200
        GET /api/v1/meta/types/user/default - 200
        GET /api/v1/meta/types/user/otymissing1 - 404 E0000007
        GET /api/v1/mappings - 200
        GET /api/v1/mappings/{mapping} - 200
        POST /api/v1/mappings/{mapping} {} 400 E0000003
        GET /api/v1/apps/{luciq}/users - 200
        POST /api/v1/apps/{luciq}/users {} 400 E0000001
        POST /api/v1/apps/{luciq}/users {"id":"{user}"} 200
        GET /api/v1/apps/{luciq}/users/{user} - 200
        POST /api/v1/apps/{luciq}/users/{user} {} 200
        DELETE /api/v1/apps/{luciq}/users/{user} - 204
        GET /api/v1/apps/{luciq}/users/{user} - 404 E0000007
        GET /api/v1/apps/{luciq}/groups - 200
        PUT /api/v1/apps/{luciq}/groups/{group} {} 200
        GET /api/v1/apps/{luciq}/groups/{group} - 200
        DELETE /api/v1/apps/{luciq}/groups/{group} - 204
        DELETE /api/v1/apps/{luciq}/groups/{group} - 404 E0000007
        GET /api/v1/apps/{luciq}/group-push/mappings - 200
        POST /api/v1/apps/{luciq}/group-push/mappings {} 400 E0000001
        GET /api/v1/apps/{luciq}/group-push/mappings/gPmmissing1 - 404 E0000007
        GET /api/v1/apps/{luciq}/group-push - 404 E0000007
        GET /api/v1/users - 200
        GET /api/v1/users/{user} - 200
        GET /api/v1/users/alice@example.com - 200
        GET /api/v1/groups - 200
        GET /api/v1/groups/{group} - 200
        POST /api/v1/users/{user} {"profile":{"title":"Boss"}} 200
        POST /api/v1/users/{user} {"profile":{"nope":1}} 400 E0000001
        PUT /api/v1/users/{user} {} 405 E0000022
        GET /api/v1/groups/{group}/users - 200
        PUT /api/v1/groups/{group}/users/{user} - 204
        DELETE /api/v1/groups/{group}/users/{user} - 204
        PUT /api/v1/groups/{everyone}/users/{user} - 403 E0000006
        POST /api/v1/groups/{group}/users - 405 E0000022
        GET /api/v1/meta/schemas/user/{contractor_schema} - 200
        GET /api/v1/meta/schemas/user/oscmissing1 - 404 E0000007
        GET /api/v1/logs - 200
        POST /api/v1/logs - 405 E0000022
        GET /api/v1/things - 404 E0000007
        GET /api/v2/apps - 404 E0000007
    "#;

    /// Every route reaches its handler; a method a path does not serve is `405 E0000022`, a
    /// path nothing serves `404 E0000007`.
    #[test]
    fn routes_reach_their_resource() {
        let mut org = seed::org(Seed::Demo);
        let id = |v: &Value| v["id"].as_str().unwrap().to_string();
        let app = |label: &str| {
            id(&org
                .apps
                .iter()
                .find(|a| a.app["label"] == label)
                .unwrap()
                .app)
        };
        let ids = [
            ("{luciq}", app("Luciq")),
            ("{o2o}", app("Partner Org (Org2Org)")),
            ("{user}", id(&org.users[0])),
            ("{group}", id(&org.groups[1])),
            ("{everyone}", id(&org.groups[0])),
            ("{mapping}", id(&org.mappings[0])),
            ("{type}", id(&org.user_type)),
            (
                "{contractor_schema}",
                crate::sandbox::seed::schema_id(&id(&org.user_types[0].user_type)),
            ),
        ];
        let fill = |text: &str| {
            ids.iter()
                .fold(text.to_string(), |t, (k, v)| t.replace(k, v))
        };
        for line in ROUTES.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let words: Vec<&str> = line.split(' ').collect();
            let [method, path, body, status, code @ ..] = words.as_slice() else {
                panic!("bad line {line}");
            };
            let body = if *body == "-" {
                String::new()
            } else {
                fill(body)
            };
            let reply = call(&mut org, method, &fill(path), &body);
            let got = reply.body.as_ref().and_then(|b| b["errorCode"].as_str());
            assert_eq!(reply.status.to_string(), *status, "{line}");
            assert_eq!(got, code.first().copied(), "{line}");
        }
    }
}
