//! Which rate-limit bucket a request counts against: a table of the endpoints the sandbox
//! serves, each with its bucket.
//!
//! Buckets are Okta's, as its own table groups them (`../shared/design/okta-api-notes.md`
//! §8.2, from terraform-provider-okta's `rate_limit_lines.go`): the apps list and every
//! `/api/v1/apps/{id}/…` sub-resource (features, connection, users, groups) count against one
//! `/api/v1/apps` bucket, the app object against `/api/v1/apps/{id}`, schemas, user types and
//! mappings against the `/api/v1` catch-all; users, groups and the System Log have their own.
//! Kept apart from the client's table (`facts::rate_limits`) so that the sandbox does not judge
//! the client with the client's code.

/// One endpoint and its bucket.
struct Endpoint {
    methods: &'static [&'static str],
    /// `/`-separated segments: `{id}` stands for an Okta id, `*` for any one segment (an id or a
    /// word: a feature name, a login, `default`), anything else for itself.
    path: &'static str,
    /// `None`: a bucket of its own, `METHOD /path/template`; `Some(name)`: shared with every
    /// endpoint that names it.
    bucket: Option<&'static str>,
}

const fn own(methods: &'static [&'static str], path: &'static str) -> Endpoint {
    Endpoint {
        methods,
        path,
        bucket: None,
    }
}

const fn shared(
    methods: &'static [&'static str],
    path: &'static str,
    bucket: &'static str,
) -> Endpoint {
    Endpoint {
        methods,
        path,
        bucket: Some(bucket),
    }
}

const APPS: &str = "/api/v1/apps";
const CATCH_ALL: &str = "/api/v1";
const USERS: &str = "/api/v1/users";
const GROUPS: &str = "/api/v1/groups";

/// Every Management API endpoint the sandbox answers (see `api`).
const ENDPOINTS: &[Endpoint] = &[
    shared(&["GET"], "/api/v1/apps", APPS),
    shared(&["GET"], "/api/v1/apps/{id}", "/api/v1/apps/{id}"),
    shared(&["GET"], "/api/v1/apps/{id}/features", APPS),
    shared(&["GET", "PUT"], "/api/v1/apps/{id}/features/*", APPS),
    shared(
        &["GET", "POST"],
        "/api/v1/apps/{id}/connections/default",
        APPS,
    ),
    shared(
        &["POST"],
        "/api/v1/apps/{id}/connections/default/lifecycle/*",
        APPS,
    ),
    shared(&["GET", "POST"], "/api/v1/apps/{id}/users", APPS),
    shared(
        &["GET", "POST", "DELETE"],
        "/api/v1/apps/{id}/users/{id}",
        APPS,
    ),
    shared(&["GET"], "/api/v1/apps/{id}/groups", APPS),
    shared(
        &["GET", "PUT", "DELETE"],
        "/api/v1/apps/{id}/groups/{id}",
        APPS,
    ),
    shared(
        &["GET", "POST"],
        "/api/v1/apps/{id}/group-push/mappings",
        APPS,
    ),
    shared(
        &["GET", "PATCH", "DELETE"],
        "/api/v1/apps/{id}/group-push/mappings/{id}",
        APPS,
    ),
    shared(&["GET", "POST"], "/api/v1/meta/schemas/user/*", CATCH_ALL),
    shared(
        &["GET", "POST"],
        "/api/v1/meta/schemas/apps/{id}/default",
        CATCH_ALL,
    ),
    shared(&["GET"], "/api/v1/meta/types/user", CATCH_ALL),
    shared(&["GET"], "/api/v1/meta/types/user/*", CATCH_ALL),
    shared(&["GET"], "/api/v1/mappings", CATCH_ALL),
    shared(&["GET", "POST"], "/api/v1/mappings/{id}", CATCH_ALL),
    shared(&["GET"], "/api/v1/users", USERS),
    shared(&["GET"], "/api/v1/users/*", "/api/v1/users/{id:.+}"),
    shared(&["POST"], "/api/v1/users/*", USERS),
    shared(&["GET"], "/api/v1/groups", GROUPS),
    shared(&["GET"], "/api/v1/groups/{id}", "/api/v1/groups/{id}"),
    shared(&["GET"], "/api/v1/groups/{id}/users", GROUPS),
    shared(&["PUT", "DELETE"], "/api/v1/groups/{id}/users/{id}", GROUPS),
    own(&["GET"], "/api/v1/logs"),
];

/// Whether a path segment is an Okta id (`0oa1b2c3d4e5f6g7h8i9`, 20 letters and digits).
/// The rule is the one bucket names are built by today: ten or more ASCII letters and digits,
/// at least one a digit — so `v1`, `default`, `USER_PROVISIONING` and logins stay words.
fn is_id(segment: &str) -> bool {
    segment.len() >= 10
        && segment.bytes().all(|b| b.is_ascii_alphanumeric())
        && segment.bytes().any(|b| b.is_ascii_digit())
}

/// `path` (query cut off) with every id segment replaced by `{id}`.
fn template(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    path.split('/')
        .map(|segment| if is_id(segment) { "{id}" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

fn matches(pattern: &str, template: &str) -> bool {
    let (mut pattern, mut template) = (pattern.split('/'), template.split('/'));
    loop {
        match (pattern.next(), template.next()) {
            (None, None) => return true,
            (Some(p), Some(t)) if p == "*" || p == t => {}
            _ => return false,
        }
    }
}

/// Whether some endpoint has this path (with any method): the difference between Okta's
/// `405` for a method a path does not serve and `404` for a path nothing serves. Any segment
/// stands for an id here, so that `DELETE /api/v1/apps/0oaNOPE` is a method, not a path, error.
pub fn known_path(path: &str) -> bool {
    let path = path
        .split('?')
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    ENDPOINTS.iter().any(|e| {
        let (mut pattern, mut segments) = (e.path.split('/'), path.split('/'));
        loop {
            match (pattern.next(), segments.next()) {
                (None, None) => return true,
                (Some("*" | "{id}"), Some(s)) if !s.is_empty() => {}
                (Some(p), Some(s)) if p == s => {}
                _ => return false,
            }
        }
    })
}

/// The bucket of a request: its endpoint's, or for a path no endpoint has, one of its own
/// (named by method and path template).
pub fn bucket(method: &str, path: &str) -> String {
    let template = template(path);
    let endpoint = ENDPOINTS
        .iter()
        .find(|e| e.methods.contains(&method) && matches(e.path, &template));
    match endpoint {
        Some(Endpoint {
            bucket: Some(name), ..
        }) => name.to_string(),
        Some(e) => e.path.to_string(),
        None => format!("{method} {template}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::api::{Request, handle};
    use crate::sandbox::state::Actor;
    use crate::sandbox::{Seed, seed};

    #[test]
    fn buckets_are_okta_s() {
        let cases = [
            ("GET", "/api/v1/apps", "/api/v1/apps"),
            ("GET", "/api/v1/apps?limit=2&q=lu", "/api/v1/apps"),
            (
                "GET",
                "/api/v1/apps/0oa1b2c3d4e5f6g7h8i9",
                "/api/v1/apps/{id}",
            ),
            (
                "GET",
                "/api/v1/apps/0oa1b2c3d4e5f6g7h8i9/users",
                "/api/v1/apps",
            ),
            (
                "POST",
                "/api/v1/apps/0oa1b2c3d4e5f6g7h8i9/users/00u1b2c3d4e5f6g7h8i9",
                "/api/v1/apps",
            ),
            (
                "PUT",
                "/api/v1/apps/0oa1b2c3d4e5f6g7h8i9/features/USER_PROVISIONING",
                "/api/v1/apps",
            ),
            (
                "POST",
                "/api/v1/apps/0oa1b2c3d4e5f6g7h8i9/connections/default/lifecycle/activate",
                "/api/v1/apps",
            ),
            ("GET", "/api/v1/meta/types/user/default", "/api/v1"),
            ("POST", "/api/v1/meta/schemas/user/default", "/api/v1"),
            ("GET", "/api/v1/mappings?sourceId=x", "/api/v1"),
            (
                "GET",
                "/api/v1/users/alice@example.com",
                "/api/v1/users/{id:.+}",
            ),
            ("GET", "/api/v1/users?search=x", "/api/v1/users"),
            (
                "GET",
                "/api/v1/groups/00g1b2c3d4e5f6g7h8i9/users",
                "/api/v1/groups",
            ),
            ("GET", "/api/v1/logs?since=x", "/api/v1/logs"),
            // Paths no endpoint has: their own bucket, by method and path template.
            (
                "DELETE",
                "/api/v1/apps/0oa1b2c3d4e5f6g7h8i9",
                "DELETE /api/v1/apps/{id}",
            ),
            ("GET", "/api/v2/things/", "GET /api/v2/things/"),
        ];
        for (method, path, expected) in cases {
            assert_eq!(bucket(method, path), expected, "{method} {path}");
        }
    }

    /// The table lists what the API serves: every row reaches a handler (a 404 for the made-up
    /// ids, never `E0000022`, the answer for what no route serves).
    #[test]
    fn every_endpoint_is_served() {
        let mut org = seed::org(Seed::Demo);
        for endpoint in ENDPOINTS {
            let path = endpoint
                .path
                .replace("{id}", "0oa1b2c3d4e5f6g7h8i9")
                .replace('*', "x");
            for method in endpoint.methods {
                let req = Request {
                    method,
                    path: &path,
                    query: Vec::new(),
                    body: b"{}",
                    base_url: "http://127.0.0.1:1",
                    actor: Actor::api("test"),
                    settings: Default::default(),
                };
                let reply = handle(&mut org, &req);
                let code = reply.body.as_ref().map(|b| b["errorCode"].clone());
                assert_ne!(code, Some("E0000022".into()), "{method} {path}");
            }
        }
    }
}
