//! `scim`: a SCIM 2.0 client that asks a vendor's SCIM endpoint, with the connection an app
//! declares, whether it will take what Okta sends — the layer beside `okta`, for `oktaform
//! check scim`. Reads only (`GET /ServiceProviderConfig`, `/Schemas`, `/ResourceTypes`,
//! `/Users?count=1`, `/Groups?count=1` when groups are pushed): no write ever reaches the vendor.
//! Bounded timeouts; `https` only, except on loopback; the token goes only into the
//! `Authorization` header, never into a report or a log.
//!
//! [`check`] takes a [`Target`] (what the config declares, in plain terms) and answers one
//! [`Check`] per question, each with what to do when it fails.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::secret::SecretString;

/// How long one request may take, connecting included.
pub const TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// What one app declares about its SCIM connection.
#[derive(Debug)]
pub struct Target {
    pub app: String,
    pub base_url: String,
    /// `header` (a bearer token), `basic` or `oauth`.
    pub auth_mode: String,
    /// The whole `Authorization` value (`Bearer <token>` for `header`, `Basic <base64>` for
    /// `basic`), or why it could not be built (the reference's name, never a value).
    pub token: Result<SecretString, String>,
    pub unique_identifier: String,
    pub attributes: Vec<Expected>,
    /// Push Groups is among the supported actions.
    pub push_groups: bool,
    /// Deactivate Users is on (Okta then sends `PATCH … active: false`).
    pub deactivates: bool,
}

/// An app attribute as the config declares it.
#[derive(Debug, Clone)]
pub struct Expected {
    pub name: String,
    pub external_name: Option<String>,
    pub external_namespace: Option<String>,
    /// In the Profile Editor's words: `string`, `boolean`, `integer`, `number`, `string array`, …
    pub kind: String,
    /// Enum values, when the attribute has an enum.
    pub values: Vec<String>,
}

/// One answered question.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub check: String,
    pub ok: bool,
    pub detail: String,
    /// What to do, when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// Every check of one app.
#[derive(Debug, Clone, Serialize)]
pub struct AppReport {
    pub app: String,
    pub base_url: String,
    pub checks: Vec<Check>,
}

impl AppReport {
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }
}

fn pass(check: impl Into<String>, detail: impl Into<String>) -> Check {
    Check {
        check: check.into(),
        ok: true,
        detail: detail.into(),
        fix: None,
    }
}

fn fail(check: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        check: check.into(),
        ok: false,
        detail: detail.into(),
        fix: Some(fix.into()),
    }
}

/// Whether `url` may be called: `https`, or `http` to a loopback host.
pub fn allowed_url(url: &url::Url) -> Result<(), String> {
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err("it is http off loopback: the token would travel in the clear".into()),
        other => Err(format!("its scheme is {other}, not https")),
    }
}

/// An answer: the status, and the body when it is JSON.
struct Got {
    status: u16,
    body: Option<Value>,
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<SecretString>,
}

impl Client {
    async fn get(&self, path: &str) -> Result<Got, String> {
        let url = format!("{}/{path}", self.base.trim_end_matches('/'));
        let mut request = self
            .http
            .get(&url)
            .header("accept", "application/scim+json, application/json");
        if let Some(token) = &self.token {
            request = request.header("authorization", token.expose());
        }
        let response = request.send().await.map_err(describe)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(describe)?;
        Ok(Got {
            status,
            body: serde_json::from_slice(&body).ok(),
        })
    }
}

/// A transport error without the URL's query or any header.
fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if e.is_connect() {
        "the connection failed".into()
    } else {
        e.without_url().to_string()
    }
}

fn resources(got: &Got) -> Vec<Value> {
    got.body
        .as_ref()
        .and_then(|b| b["Resources"].as_array().cloned())
        .unwrap_or_default()
}

/// Asks the vendor's endpoint every question; never fails: what goes wrong is a failed check.
pub async fn check(target: &Target) -> AppReport {
    let mut checks = Vec::new();
    let report = |checks| AppReport {
        app: target.app.clone(),
        base_url: target.base_url.clone(),
        checks,
    };
    let url = match url::Url::parse(&target.base_url) {
        Ok(url) => url,
        Err(e) => {
            checks.push(fail(
                "base URL",
                format!("{} is not a URL: {e}", target.base_url),
                "set provisioning.scim.base_url to the SCIM base URL from the vendor's admin page",
            ));
            return report(checks);
        }
    };
    if let Err(why) = allowed_url(&url) {
        checks.push(fail(
            "base URL",
            format!("{} is refused: {why}", target.base_url),
            "use the vendor's https SCIM base URL",
        ));
        return report(checks);
    }
    if target.auth_mode == "oauth" {
        // Okta's SCIM OAuth 2 is an authorization-code grant an admin completes in a browser
        // (Provisioning → Integration → Authenticate): no token exists for oktaform to send.
        checks.push(fail(
            "authentication",
            "OAuth 2 cannot be checked from here: its token comes from a sign-in an admin completes in the Admin Console".to_string(),
            "click Authenticate, then Test Connector Configuration, in the app's Provisioning → Integration tab",
        ));
        return report(checks);
    }
    let token = match &target.token {
        Ok(token) => token.clone(),
        Err(why) => {
            checks.push(fail(
                "authentication",
                format!("the credentials cannot be read: {why}"),
                "provide what the references name (provisioning.scim.auth.token, or username and password)",
            ));
            return report(checks);
        }
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = match reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "oktaform/",
            env!("CARGO_PKG_VERSION"),
            " check scim"
        ))
        .build()
    {
        Ok(http) => http,
        Err(e) => {
            checks.push(fail(
                "SCIM 2.0",
                format!("no HTTP client: {e}"),
                "report this as a bug",
            ));
            return report(checks);
        }
    };
    let client = Client {
        http,
        base: target.base_url.clone(),
        token: Some(token),
    };
    let Some(config) = discovery(&client, &mut checks).await else {
        return report(checks);
    };
    let schemas = match client.get("Schemas").await {
        Ok(got) if got.status == 200 => resources(&got),
        Ok(got) => {
            checks.push(fail(
                "schemas",
                format!("GET /Schemas answered {}", got.status),
                "without the vendor's schemas the attributes cannot be checked; ask the vendor whether it publishes /Schemas",
            ));
            Vec::new()
        }
        Err(e) => {
            checks.push(fail(
                "schemas",
                format!("GET /Schemas: {e}"),
                "retry; if it persists, ask the vendor",
            ));
            Vec::new()
        }
    };
    let types = match client.get("ResourceTypes").await {
        Ok(got) if got.status == 200 => resources(&got),
        _ => Vec::new(),
    };
    if !schemas.is_empty() {
        checks.push(unique_identifier(target, &schemas));
        for attribute in &target.attributes {
            checks.push(attribute_check(attribute, &schemas, &types));
        }
    }
    if target.push_groups {
        checks.push(groups(&client, &types).await);
    }
    checks.push(patch(target, &config));
    report(checks)
}

/// `/ServiceProviderConfig` and `/Users?count=1`: the URL answers SCIM 2.0, the token works.
/// The provider config when both hold.
async fn discovery(client: &Client, checks: &mut Vec<Check>) -> Option<Value> {
    let got = match client.get("ServiceProviderConfig").await {
        Ok(got) => got,
        Err(e) => {
            checks.push(fail(
                "SCIM 2.0",
                format!("GET /ServiceProviderConfig: {e}"),
                "check the base URL and that this machine can reach it",
            ));
            return None;
        }
    };
    if got.status == 401 || got.status == 403 {
        checks.push(pass(
            "SCIM 2.0",
            "the URL answers (and asks for credentials)",
        ));
        checks.push(fail(
            "authentication",
            format!("the token was refused ({})", got.status),
            "issue a new SCIM token at the vendor and put it where provisioning.scim.auth.token points; then update it in Okta's SCIM connection too",
        ));
        return None;
    }
    let is_scim = got.status == 200
        && got.body.as_ref().is_some_and(|b| {
            b["schemas"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|x| x == "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig")
            })
        });
    if !is_scim {
        checks.push(fail(
            "SCIM 2.0",
            format!(
                "GET /ServiceProviderConfig answered {} without a SCIM 2.0 ServiceProviderConfig",
                got.status
            ),
            "check the base URL: it is the SCIM base (often ending in /scim/v2), as the vendor's admin page shows it",
        ));
        return None;
    }
    checks.push(pass(
        "SCIM 2.0",
        "the URL answers SCIM 2.0 (/ServiceProviderConfig)",
    ));
    match client.get("Users?count=1").await {
        Ok(got) if got.status == 200 => {
            checks.push(pass(
                "authentication",
                "the credentials are accepted (GET /Users?count=1)",
            ));
        }
        Ok(got) if got.status == 401 || got.status == 403 => {
            checks.push(fail(
                "authentication",
                format!("the token was refused ({})", got.status),
                "issue a new SCIM token at the vendor and put it where provisioning.scim.auth.token points; then update it in Okta's SCIM connection too",
            ));
            return None;
        }
        Ok(got) => {
            checks.push(fail(
                "authentication",
                format!("GET /Users?count=1 answered {}", got.status),
                "the token may lack the right to read users: ask the vendor which token Okta needs",
            ));
        }
        Err(e) => {
            checks.push(fail(
                "authentication",
                format!("GET /Users?count=1: {e}"),
                "retry; if it persists, ask the vendor",
            ));
        }
    }
    got.body
}

/// The attribute named `path` (`name.givenName`) in `schema`.
fn find_attribute<'s>(schema: &'s Value, path: &str) -> Option<&'s Value> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let mut found = schema["attributes"].as_array()?.iter().find(|a| {
        a["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(first))
    })?;
    for part in parts {
        found = found["subAttributes"].as_array()?.iter().find(|a| {
            a["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(part))
        })?;
    }
    Some(found)
}

fn schema<'s>(schemas: &'s [Value], id: &str) -> Option<&'s Value> {
    schemas.iter().find(|s| s["id"].as_str() == Some(id))
}

fn unique_identifier(target: &Target, schemas: &[Value]) -> Check {
    let name = target.unique_identifier.as_str();
    // Okta's `email` is the core schema's `emails`.
    let scim_name = if name == "email" { "emails" } else { name };
    let found = schema(schemas, CORE_USER).and_then(|s| find_attribute(s, scim_name));
    match found {
        Some(_) => pass(
            "unique identifier",
            format!("{name} is in the vendor's User schema"),
        ),
        None => fail(
            "unique identifier",
            format!("{name} is not an attribute of the vendor's User schema"),
            "set provisioning.scim.unique_identifier to the field the vendor's guide names (usually userName)",
        ),
    }
}

/// Whether a Profile Editor type fits a SCIM attribute.
fn compatible(kind: &str, attribute: &Value) -> Result<(), String> {
    let scim = attribute["type"].as_str().unwrap_or("string");
    let many = attribute["multiValued"] == true;
    let (base, array) = match kind.strip_suffix(" array") {
        Some(base) => (base, true),
        None => (kind, false),
    };
    let types_fit = match base {
        "string" => matches!(scim, "string" | "reference" | "dateTime" | "binary"),
        "boolean" => scim == "boolean",
        "integer" => scim == "integer",
        "number" => matches!(scim, "decimal" | "integer"),
        _ => false,
    };
    let shape = |many: bool| {
        if many {
            "multi-valued"
        } else {
            "single-valued"
        }
    };
    if !types_fit {
        Err(format!(
            "the vendor's type is {scim}, the attribute's {kind}"
        ))
    } else if array != many {
        Err(format!(
            "the vendor's attribute is {}, the attribute's type is {kind}",
            shape(many)
        ))
    } else {
        Ok(())
    }
}

fn attribute_check(expected: &Expected, schemas: &[Value], types: &[Value]) -> Check {
    let title = format!("attribute {}", expected.name);
    let namespace = expected
        .external_namespace
        .as_deref()
        .filter(|n| !n.is_empty())
        .unwrap_or(CORE_USER);
    let in_schema = schema(schemas, namespace);
    let Some(external) = expected.external_name.as_deref().filter(|e| !e.is_empty()) else {
        let suggestion = in_schema
            .and_then(|s| find_attribute(s, &expected.name))
            .map(|a| a["name"].as_str().unwrap_or(&expected.name).to_string())
            .unwrap_or_else(|| "<the attribute's name at the vendor>".into());
        return fail(
            title,
            format!(
                "{} has no external name: Okta never sends it to the vendor",
                expected.name
            ),
            format!(
                "set external_name: {suggestion} on attribute {}",
                expected.name
            ),
        );
    };
    let Some(in_schema) = in_schema else {
        let published: Vec<&str> = schemas.iter().filter_map(|s| s["id"].as_str()).collect();
        return fail(
            title,
            format!(
                "the vendor publishes no schema {namespace} (it has: {})",
                published.join(", ")
            ),
            "set external_namespace to the schema the vendor's guide names",
        );
    };
    if namespace != CORE_USER {
        let extended = types.iter().any(|t| {
            t["id"] == "User"
                && t["schemaExtensions"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|x| x["schema"] == namespace))
        });
        if !types.is_empty() && !extended {
            return fail(
                title,
                format!("{namespace} is not an extension of the vendor's User resource"),
                "set external_namespace to the User extension the vendor's guide names",
            );
        }
    }
    let Some(attribute) = find_attribute(in_schema, external) else {
        return fail(
            title,
            format!("{external} is not in {namespace}"),
            "set external_name to the attribute's name in the vendor's schema (the vendor's guide names it)",
        );
    };
    if let Err(why) = compatible(&expected.kind, attribute) {
        return fail(
            title,
            format!("{namespace}:{external}: {why}"),
            "change the attribute's type to match the vendor's",
        );
    }
    let canonical: Vec<&str> = attribute["canonicalValues"]
        .as_array()
        .map(|v| v.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !canonical.is_empty() {
        let unknown: Vec<&String> = expected
            .values
            .iter()
            .filter(|v| !canonical.contains(&v.as_str()))
            .collect();
        if !unknown.is_empty() {
            let unknown: Vec<&str> = unknown.iter().map(|s| s.as_str()).collect();
            return fail(
                title,
                format!(
                    "{external}: {} not among the vendor's values ({})",
                    unknown.join(", "),
                    canonical.join(", ")
                ),
                "spell enum values exactly as the vendor does",
            );
        }
    }
    let values = if canonical.is_empty() || expected.values.is_empty() {
        String::new()
    } else {
        ", enum values known to the vendor".into()
    };
    pass(
        title,
        format!("{namespace}:{external}, type {}{values}", expected.kind),
    )
}

async fn groups(client: &Client, types: &[Value]) -> Check {
    let listed = types
        .iter()
        .any(|t| t["id"] == "Group" || t["name"] == "Group");
    let answered = matches!(client.get("Groups?count=1").await, Ok(got) if got.status == 200);
    if listed && answered {
        pass("groups", "groups are pushed and the vendor takes /Groups")
    } else {
        fail(
            "groups",
            "groups are pushed, but the vendor has no /Groups resource",
            "remove push_groups from provisioning.scim.actions (and the app's group push): the vendor does not take groups",
        )
    }
}

fn patch(target: &Target, config: &Value) -> Check {
    let supported = config["patch"]["supported"] == true;
    let needed = target.deactivates || target.push_groups;
    match (supported, needed) {
        (true, _) => pass("PATCH", "the vendor supports PATCH"),
        (false, false) => pass(
            "PATCH",
            "the vendor does not support PATCH, and nothing configured needs it",
        ),
        (false, true) => fail(
            "PATCH",
            "Okta sends PATCH (to deactivate users, and for pushed group members), but the vendor does not support it",
            "turn off Deactivate Users and Push Groups, or ask the vendor for PATCH support",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_https_off_loopback() {
        let ok = |u: &str| allowed_url(&url::Url::parse(u).unwrap()).is_ok();
        assert!(ok("https://api.luciq.ai/scim/v2"));
        assert!(ok("http://127.0.0.1:8080/scim/v2"));
        assert!(ok("http://localhost/scim"));
        assert!(!ok("http://api.luciq.ai/scim/v2"));
        assert!(!ok("ftp://x/"));
    }

    #[test]
    fn types_and_shapes() {
        let string = json!({"type": "string", "multiValued": false});
        let strings = json!({"type": "string", "multiValued": true});
        assert!(compatible("string", &string).is_ok());
        assert!(compatible("string array", &strings).is_ok());
        assert!(compatible("string", &strings).is_err());
        assert!(compatible("boolean", &string).is_err());
        assert!(compatible("number", &json!({"type": "decimal"})).is_ok());
    }

    fn expected(name: &str, external: Option<&str>, values: &[&str]) -> Expected {
        Expected {
            name: name.into(),
            external_name: external.map(str::to_string),
            external_namespace: Some("urn:x:User".into()),
            kind: "string".into(),
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn an_attribute_without_external_name_fails_with_a_fix() {
        let schemas = vec![
            json!({"id": "urn:x:User", "attributes": [{"name": "role", "type": "string", "canonicalValues": ["admin"]}]}),
        ];
        let c = attribute_check(&expected("role", None, &[]), &schemas, &[]);
        assert!(!c.ok);
        assert_eq!(
            c.fix.as_deref(),
            Some("set external_name: role on attribute role")
        );
        let c = attribute_check(&expected("role", Some("role"), &["admin"]), &schemas, &[]);
        assert!(c.ok, "{c:?}");
        let c = attribute_check(
            &expected("role", Some("role"), &["administrator"]),
            &schemas,
            &[],
        );
        assert!(!c.ok);
        assert!(c.detail.contains("administrator"), "{c:?}");
        let c = attribute_check(&expected("role", Some("nope"), &[]), &schemas, &[]);
        assert!(!c.ok);
    }
}
