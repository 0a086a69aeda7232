//! The sandbox's authorization server and token checks: `SSWS` API tokens, and the OAuth 2.0
//! client-credentials flow of a service app — `private_key_jwt` client assertions verified
//! against the client's registered public key, DPoP proofs with the `use_dpop_nonce` challenge,
//! DPoP-bound access tokens checked on every API call (`htm`, `htu`, `ath`, key), and scopes
//! (`403 E0000006` naming the missing scope). Clients are registered at
//! `/__sandbox/oauth/clients/{client_id}` with their public JWK.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Response};
use serde_json::{Value, json};

use super::api;
use super::jws::{self, random_id, sha256_base64url};
use super::server::from_reply;
use super::state::{Actor, now_ms};

struct Issued {
    client_id: String,
    jwk: Value,
    scopes: Vec<String>,
    expires_ms: u64,
}

/// Registered clients, the current nonce, issued tokens.
#[derive(Default)]
pub struct OAuth {
    clients: Mutex<HashMap<String, Value>>,
    nonce: Mutex<Option<String>>,
    tokens: Mutex<HashMap<String, Issued>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn oauth_error(status: u16, error: &str, description: &str) -> Response<Body> {
    let mut response = Response::new(Body::from(
        json!({ "error": error, "error_description": description }).to_string(),
    ));
    *response.status_mut() =
        axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::BAD_REQUEST);
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    response
}

/// The scope an API request needs: `okta.<area>.read` for GET, `.manage` otherwise.
pub fn required_scope(method: &str, path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let area = match segments.as_slice() {
        ["api", "v1", "apps", ..] => "apps",
        ["api", "v1", "meta", "schemas", ..] => "schemas",
        ["api", "v1", "meta", "types", ..] => "userTypes",
        ["api", "v1", "mappings", ..] => "profileMappings",
        ["api", "v1", "users", ..] => "users",
        ["api", "v1", "groups", ..] => "groups",
        ["api", "v1", "logs", ..] => "logs",
        _ => return None,
    };
    let level = if method == "GET" { "read" } else { "manage" };
    Some(format!("okta.{area}.{level}"))
}

fn proof_ok(proof: &str, method: &str, url: &str) -> Result<(Value, Value), &'static str> {
    let jws = jws::parse(proof).ok_or("the DPoP proof is not a JWT")?;
    if jws.header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
        return Err("the DPoP proof must have typ dpop+jwt");
    }
    let jwk = jws
        .header
        .get("jwk")
        .cloned()
        .ok_or("the DPoP proof has no jwk")?;
    if !jws.signed_by(&jwk) {
        return Err("the DPoP proof's signature does not verify");
    }
    let claims = jws.claims;
    let htu = url.split(['?', '#']).next().unwrap_or(url);
    if claims.get("htm").and_then(Value::as_str) != Some(method)
        || claims.get("htu").and_then(Value::as_str) != Some(htu)
    {
        return Err("the DPoP proof's htm/htu do not match the request");
    }
    let iat = claims.get("iat").and_then(Value::as_u64).unwrap_or(0);
    if iat.abs_diff(now_ms() / 1000) > 300 {
        return Err("the DPoP proof is too old");
    }
    Ok((jwk, claims))
}

impl OAuth {
    pub fn register(&self, client_id: &str, jwk: Value) {
        lock(&self.clients).insert(client_id.to_string(), jwk);
    }

    /// `POST /oauth2/v1/token`.
    pub fn token(
        &self,
        base: &str,
        headers: &HeaderMap,
        body: &[u8],
        ttl_s: u64,
    ) -> Response<Body> {
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        let token_url = format!("{base}/oauth2/v1/token");
        if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
            return oauth_error(
                400,
                "unsupported_grant_type",
                "The grant type must be client_credentials.",
            );
        }
        if form.get("client_assertion_type").map(String::as_str)
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            return oauth_error(
                401,
                "invalid_client",
                "A client assertion (private_key_jwt) is required.",
            );
        }
        let assertion = form
            .get("client_assertion")
            .map(String::as_str)
            .unwrap_or_default();
        let Some(unverified) = jws::parse(assertion) else {
            return oauth_error(401, "invalid_client", "The client assertion is not a JWT.");
        };
        let client_id = unverified
            .claims
            .get("iss")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let Some(client_jwk) = lock(&self.clients).get(&client_id).cloned() else {
            return oauth_error(401, "invalid_client", "The client_id is not known.");
        };
        let Some(claims) = jws::verify(assertion, &client_jwk) else {
            return oauth_error(
                401,
                "invalid_client",
                "The client assertion signature is invalid.",
            );
        };
        let exp = claims.get("exp").and_then(Value::as_u64).unwrap_or(0);
        if claims.get("sub").and_then(Value::as_str) != Some(client_id.as_str())
            || claims.get("aud").and_then(Value::as_str) != Some(token_url.as_str())
            || exp <= now_ms() / 1000
        {
            return oauth_error(
                401,
                "invalid_client",
                "The client assertion's sub, aud or exp is invalid.",
            );
        }
        let Some(proof) = headers.get("dpop").and_then(|v| v.to_str().ok()) else {
            return oauth_error(
                400,
                "invalid_dpop_proof",
                "The DPoP proof JWT header is missing.",
            );
        };
        let (jwk, proof_claims) = match proof_ok(proof, "POST", &token_url) {
            Ok(ok) => ok,
            Err(why) => return oauth_error(400, "invalid_dpop_proof", why),
        };
        let nonce = lock(&self.nonce).get_or_insert_with(random_id).clone();
        if proof_claims.get("nonce").and_then(Value::as_str) != Some(nonce.as_str()) {
            let mut response = oauth_error(
                400,
                "use_dpop_nonce",
                "Authorization server requires nonce in DPoP proof.",
            );
            if let Ok(v) = HeaderValue::from_str(&nonce) {
                response.headers_mut().insert("dpop-nonce", v);
            }
            return response;
        }
        let scopes: Vec<String> = form
            .get("scope")
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        if scopes.is_empty() || scopes.iter().any(|s| !s.starts_with("okta.")) {
            return oauth_error(
                400,
                "invalid_scope",
                "The requested scope is invalid, unknown, or malformed.",
            );
        }
        let access_token = format!("sandbox-at-{}", random_id());
        lock(&self.tokens).insert(
            access_token.clone(),
            Issued {
                client_id,
                jwk,
                scopes: scopes.clone(),
                expires_ms: now_ms() + ttl_s * 1000,
            },
        );
        let mut response = Response::new(Body::from(
            json!({ "token_type": "DPoP", "expires_in": ttl_s, "access_token": access_token, "scope": scopes.join(" ") }).to_string(),
        ));
        response
            .headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
        response
    }

    /// Checks an API request's credentials; the actor for the System Log, or the error answer.
    pub fn authorize(
        &self,
        headers: &HeaderMap,
        method: &str,
        url: &str,
        api_token: &str,
        path: &str,
    ) -> Result<Actor, Box<Response<Body>>> {
        let invalid = || {
            Box::new(from_reply(api::error(
                401,
                "E0000011",
                "Invalid token provided",
                &[],
            )))
        };
        let authorization = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if let Some(token) = authorization.strip_prefix("SSWS ") {
            return if !api_token.is_empty() && token.trim() == api_token {
                Ok(Actor::api_token())
            } else {
                Err(invalid())
            };
        }
        let Some(token) = authorization.strip_prefix("DPoP ").map(str::trim) else {
            return Err(invalid());
        };
        let tokens = lock(&self.tokens);
        let Some(issued) = tokens.get(token).filter(|i| i.expires_ms > now_ms()) else {
            return Err(invalid());
        };
        let proof = headers
            .get("dpop")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        match proof_ok(proof, method, url) {
            Ok((jwk, claims))
                if jwk == issued.jwk
                    && claims.get("ath").and_then(Value::as_str)
                        == Some(sha256_base64url(token).as_str()) => {}
            _ => return Err(invalid()),
        }
        if let Some(needed) = required_scope(method, path) {
            let manage = needed.replace(".read", ".manage");
            if !issued.scopes.iter().any(|s| *s == needed || *s == manage) {
                let mut response = from_reply(api::error(
                    403,
                    "E0000006",
                    "You do not have permission to perform the requested action",
                    &[],
                ));
                let challenge = format!(
                    "Bearer error=\"insufficient_scope\", error_description=\"The access token provided does not contain the required scopes.\", scope=\"{needed}\""
                );
                if let Ok(v) = HeaderValue::from_str(&challenge) {
                    response.headers_mut().insert("www-authenticate", v);
                }
                return Err(Box::new(response));
            }
        }
        Ok(Actor::api(&issued.client_id))
    }
}
