//! Okta's rate-limit buckets: which bucket a Management API request counts against.
//!
//! Okta does not count per endpoint but per *bucket*, a group of endpoints named by a path
//! (the table is generated from Okta's own code; terraform-provider-okta publishes it as
//! `okta/internal/apimutex/rate_limit_lines.go`). Every `/api/v1/apps/{id}/…` sub-resource
//! (features, connection, users, groups) shares the `/api/v1/apps` bucket with the apps list;
//! the app object itself has `/api/v1/apps/{id}`; schemas, user types and mappings fall into
//! the `/api/v1` catch-all. The `X-Rate-Limit-*` headers of an answer describe its bucket, so
//! the client keeps one count per bucket, and "at most N % of a bucket" is a share of these.
//!
//! Only the endpoints oktaform calls are listed; anything else counts as the `/api/v1`
//! catch-all, as on Okta. Okta's per-org *concurrency* limit (75 requests in flight on most
//! editions, 35 on Integrator Free) is separate: [`ORG_CONCURRENCY`].

/// Requests in flight per org before Okta answers 429 (Workforce and Customer Identity
/// editions; developer.okta.com "Concurrent rate limits").
pub const ORG_CONCURRENCY: usize = 75;

/// A bucket: the name Okta gives it.
pub type Bucket = &'static str;

/// Okta's bucket for `method path` (the path may carry a query, which is ignored). `path`
/// segments that look like Okta ids stand for `{id}`.
pub fn bucket(method: &str, path: &str) -> Bucket {
    let path = path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path
        .trim_start_matches('/')
        .trim_end_matches('/')
        .split('/')
        .collect();
    match segments.as_slice() {
        ["api", "v1", "apps"] => "/api/v1/apps",
        ["api", "v1", "apps", _] => "/api/v1/apps/{id}",
        ["api", "v1", "apps", _, ..] => "/api/v1/apps",
        ["api", "v1", "groups"] => "/api/v1/groups",
        ["api", "v1", "groups", _] => "/api/v1/groups/{id}",
        ["api", "v1", "groups", ..] => "/api/v1/groups",
        ["api", "v1", "users"] => "/api/v1/users",
        // A user by id or login: its own bucket for reads (`/api/v1/users/{id:.+}`).
        ["api", "v1", "users", _] if method == "GET" => "/api/v1/users/{id:.+}",
        ["api", "v1", "users", ..] => "/api/v1/users",
        ["api", "v1", "logs"] => "/api/v1/logs",
        ["oauth2", "v1", "token"] => "/oauth2/v1/token",
        _ => "/api/v1",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "0oa1b2c3d4e5f6g7h8i9";
    const USER: &str = "00u1b2c3d4e5f6g7h8i9";

    #[test]
    fn app_sub_resources_share_the_apps_bucket() {
        for (method, path) in [
            ("GET", "/api/v1/apps?q=Luciq&limit=200".to_string()),
            ("GET", format!("/api/v1/apps/{APP}/users?limit=500")),
            ("POST", format!("/api/v1/apps/{APP}/users/{USER}")),
            ("DELETE", format!("/api/v1/apps/{APP}/users/{USER}")),
            ("GET", format!("/api/v1/apps/{APP}/groups")),
            (
                "PUT",
                format!("/api/v1/apps/{APP}/groups/00g1b2c3d4e5f6g7h8i9"),
            ),
            ("GET", format!("/api/v1/apps/{APP}/features")),
            (
                "PUT",
                format!("/api/v1/apps/{APP}/features/USER_PROVISIONING"),
            ),
            ("POST", format!("/api/v1/apps/{APP}/connections/default")),
        ] {
            assert_eq!(bucket(method, &path), "/api/v1/apps", "{method} {path}");
        }
        assert_eq!(
            bucket("GET", &format!("/api/v1/apps/{APP}")),
            "/api/v1/apps/{id}"
        );
    }

    #[test]
    fn schemas_types_and_mappings_fall_into_the_catch_all() {
        for path in [
            "/api/v1/meta/schemas/user/default".to_string(),
            format!("/api/v1/meta/schemas/apps/{APP}/default"),
            "/api/v1/meta/types/user".into(),
            "/api/v1/mappings?sourceId=x".into(),
            "/api/v1/mappings/prm1b2c3d4e5f6g7h8i9".into(),
        ] {
            assert_eq!(bucket("GET", &path), "/api/v1", "{path}");
            assert_eq!(bucket("POST", &path), "/api/v1", "{path}");
        }
    }

    #[test]
    fn users_groups_and_logs_have_their_own() {
        assert_eq!(bucket("GET", "/api/v1/users?search=x"), "/api/v1/users");
        assert_eq!(
            bucket("GET", "/api/v1/users/alice@example.com"),
            "/api/v1/users/{id:.+}"
        );
        assert_eq!(
            bucket("POST", &format!("/api/v1/users/{USER}")),
            "/api/v1/users"
        );
        assert_eq!(bucket("GET", "/api/v1/groups?search=x"), "/api/v1/groups");
        assert_eq!(
            bucket("GET", "/api/v1/groups/00g1b2c3d4e5f6g7h8i9/users"),
            "/api/v1/groups"
        );
        assert_eq!(bucket("GET", "/api/v1/logs?since=x"), "/api/v1/logs");
    }
}
