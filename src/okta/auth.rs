//! Authentication to Okta: an API token (`SSWS`), or — Okta's recommendation — an OAuth 2.0
//! service app with a `private_key_jwt` client assertion and DPoP-bound access tokens.
//!
//! Only the scopes a command needs are requested ([`Access`]). Tokens are cached and refreshed a
//! minute before they expire; DPoP nonces (`use_dpop_nonce`) are learnt and retried once. Every
//! credential lives in a [`SecretString`] or a [`SigningKey`], whose `Debug` is redacted, and is
//! put only into headers marked sensitive.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::json;

use super::error::{Error, OAuthErrorBody};
use super::jws::{SigningKey, random_id, sha256_b64};
use crate::ids::OrgUrl;
use crate::secret::SecretString;

/// What a command does with the org, and so which scopes it asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// plan, export.
    Read,
    /// drift: what plan reads, and the System Log to say who changed what.
    Audit,
    /// apply.
    Manage,
}

impl Access {
    /// The OAuth scopes for this access. The admin role of the service app must also allow it.
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            Access::Read => &[
                "okta.apps.read",
                "okta.schemas.read",
                "okta.userTypes.read",
                "okta.profileMappings.read",
                "okta.users.read",
                "okta.groups.read",
            ],
            Access::Audit => &[
                "okta.apps.read",
                "okta.schemas.read",
                "okta.userTypes.read",
                "okta.profileMappings.read",
                "okta.users.read",
                "okta.groups.read",
                "okta.logs.read",
            ],
            Access::Manage => &[
                "okta.apps.manage",
                "okta.schemas.manage",
                "okta.userTypes.read",
                "okta.profileMappings.manage",
                "okta.users.read",
                "okta.groups.read",
            ],
        }
    }
}

/// How oktaform proves who it is. (Built once per run, so the size difference of the
/// variants does not matter.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Credentials {
    /// `OKTA_API_TOKEN`: sent as `Authorization: SSWS …`.
    ApiToken(SecretString),
    /// `OKTA_CLIENT_ID` + a private key: OAuth 2.0 client credentials with DPoP.
    OAuth { client_id: String, key: SigningKey },
}

impl Credentials {
    /// From the environment: `OKTA_API_TOKEN`, or `OKTA_CLIENT_ID` with `OKTA_PRIVATE_KEY`
    /// (PEM or JWK text) or `OKTA_PRIVATE_KEY_FILE`.
    pub fn from_env() -> Result<Credentials, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(token) = var("OKTA_API_TOKEN") {
            return Ok(Credentials::ApiToken(SecretString::new(
                token.trim().to_string(),
            )));
        }
        let Some(client_id) = var("OKTA_CLIENT_ID") else {
            return Err(Error::Credentials(
                "no Okta credentials: set OKTA_API_TOKEN (an API token), or OKTA_CLIENT_ID with \
                 OKTA_PRIVATE_KEY or OKTA_PRIVATE_KEY_FILE (an OAuth service app's private key, PEM or JWK)"
                    .into(),
            ));
        };
        let key_text = match (var("OKTA_PRIVATE_KEY"), var("OKTA_PRIVATE_KEY_FILE")) {
            (Some(text), _) => text,
            (None, Some(path)) => std::fs::read_to_string(&path).map_err(|e| {
                Error::Credentials(format!(
                    "cannot read OKTA_PRIVATE_KEY_FILE `{path}`: {}",
                    e.kind()
                ))
            })?,
            (None, None) => {
                return Err(Error::Credentials(
                    "OKTA_CLIENT_ID is set but no key: set OKTA_PRIVATE_KEY or OKTA_PRIVATE_KEY_FILE".into(),
                ));
            }
        };
        let key = SigningKey::parse(&key_text).map_err(|e| {
            Error::Credentials(format!("the OAuth private key cannot be used: {e}"))
        })?;
        Ok(Credentials::OAuth { client_id, key })
    }
}

/// A cached access token.
struct AccessToken {
    value: SecretString,
    dpop: bool,
    expires_at: Instant,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// Signs requests: holds credentials, the cached token and the DPoP nonces.
pub struct Authenticator {
    credentials: Credentials,
    access: Access,
    token: tokio::sync::Mutex<Option<AccessToken>>,
    /// The authorization server's DPoP nonce (token endpoint).
    token_nonce: Mutex<Option<String>>,
    /// The resource server's DPoP nonce (Management API).
    api_nonce: Mutex<Option<String>>,
    /// Access tokens obtained so far (for tests and `--verbose` statistics).
    tokens_issued: std::sync::atomic::AtomicU32,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("credentials", &self.credentials)
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

/// Refresh this long before the token expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

impl Authenticator {
    pub fn new(credentials: Credentials, access: Access) -> Self {
        Authenticator {
            credentials,
            access,
            token: tokio::sync::Mutex::new(None),
            token_nonce: Mutex::new(None),
            api_nonce: Mutex::new(None),
            tokens_issued: std::sync::atomic::AtomicU32::new(0),
        }
    }

    pub fn tokens_issued(&self) -> u32 {
        self.tokens_issued
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The headers that authenticate `method url`.
    pub async fn headers(
        &self,
        http: &reqwest::Client,
        org: &OrgUrl,
        method: &str,
        url: &str,
    ) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        match &self.credentials {
            Credentials::ApiToken(token) => {
                headers.insert(
                    "authorization",
                    sensitive(&format!("SSWS {}", token.expose()))?,
                );
            }
            Credentials::OAuth { key, .. } => {
                let (token, dpop) = self.access_token(http, org).await?;
                if dpop {
                    headers.insert(
                        "authorization",
                        sensitive(&format!("DPoP {}", token.expose()))?,
                    );
                    let nonce = lock(&self.api_nonce).clone();
                    let proof = dpop_proof(key, method, url, Some(&token), nonce.as_deref())?;
                    headers.insert("dpop", sensitive(&proof)?);
                } else {
                    headers.insert(
                        "authorization",
                        sensitive(&format!("Bearer {}", token.expose()))?,
                    );
                }
            }
        }
        Ok(headers)
    }

    /// Learns the resource server's nonce from an answer. True when the answer was a
    /// `use_dpop_nonce` challenge, so the request should be sent again.
    pub fn learn_api_nonce(&self, status: u16, headers: &HeaderMap) -> bool {
        let Some(nonce) = headers.get("dpop-nonce").and_then(|v| v.to_str().ok()) else {
            return false;
        };
        *lock(&self.api_nonce) = Some(nonce.to_string());
        status == 401
            && headers
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("use_dpop_nonce"))
    }

    /// The cached token, or a new one when there is none or it is about to expire.
    async fn access_token(
        &self,
        http: &reqwest::Client,
        org: &OrgUrl,
    ) -> Result<(SecretString, bool), Error> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref()
            && token.expires_at > Instant::now() + REFRESH_MARGIN
        {
            return Ok((token.value.clone(), token.dpop));
        }
        let fresh = self.request_token(http, org).await?;
        let result = (fresh.value.clone(), fresh.dpop);
        *cached = Some(fresh);
        Ok(result)
    }

    /// Forgets the cached token (after a 401 that was not a nonce challenge).
    pub async fn forget_token(&self) {
        *self.token.lock().await = None;
    }

    async fn request_token(
        &self,
        http: &reqwest::Client,
        org: &OrgUrl,
    ) -> Result<AccessToken, Error> {
        let Credentials::OAuth { client_id, key } = &self.credentials else {
            return Err(Error::Credentials(
                "an API token needs no OAuth token".into(),
            ));
        };
        let token_url = org.join("/oauth2/v1/token");
        let scope = self.access.scopes().join(" ");
        // At most two tries: the second answers a use_dpop_nonce challenge.
        for _ in 0..2 {
            let assertion = client_assertion(key, client_id, &token_url)?;
            let nonce = lock(&self.token_nonce).clone();
            let proof = dpop_proof(key, "POST", &token_url, None, nonce.as_deref())?;
            let form = [
                ("grant_type", "client_credentials"),
                ("scope", scope.as_str()),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", assertion.as_str()),
            ];
            let response = http
                .post(&token_url)
                .header("dpop", sensitive(&proof)?)
                .header("accept", "application/json")
                .form(&form)
                .send()
                .await
                .map_err(|e| Error::Transport {
                    url: token_url.clone(),
                    reason: super::client::describe_transport(&e),
                })?;
            let status = response.status().as_u16();
            if let Some(n) = response
                .headers()
                .get("dpop-nonce")
                .and_then(|v| v.to_str().ok())
            {
                *lock(&self.token_nonce) = Some(n.to_string());
            }
            let text = response.text().await.unwrap_or_default();
            if (200..300).contains(&status) {
                let token: TokenResponse =
                    serde_json::from_str(&text).map_err(|e| Error::Decode {
                        method: "POST".into(),
                        path: "/oauth2/v1/token".into(),
                        reason: e.to_string(),
                    })?;
                self.tokens_issued
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::debug!(scope = %scope, expires_in = ?token.expires_in, "obtained an access token");
                return Ok(AccessToken {
                    value: SecretString::new(token.access_token),
                    dpop: token.token_type.eq_ignore_ascii_case("DPoP"),
                    expires_at: Instant::now()
                        + Duration::from_secs(token.expires_in.unwrap_or(3600)),
                });
            }
            let error: OAuthErrorBody = serde_json::from_str(&text).unwrap_or_default();
            if error.error == "use_dpop_nonce" && lock(&self.token_nonce).is_some() {
                continue;
            }
            return Err(Error::OAuth {
                error: if error.error.is_empty() {
                    format!("HTTP {status}")
                } else {
                    error.error
                },
                description: error.error_description,
            });
        }
        Err(Error::OAuth {
            error: "use_dpop_nonce".into(),
            description: Some("the token endpoint asked for a DPoP nonce twice".into()),
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// A header value that hyper and reqwest will never print.
fn sensitive(text: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(text).map_err(|_| {
        Error::Credentials("a credential contains characters not allowed in an HTTP header".into())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The `private_key_jwt` client assertion for the token endpoint.
fn client_assertion(key: &SigningKey, client_id: &str, token_url: &str) -> Result<String, Error> {
    let now = now_secs();
    let mut header = json!({ "typ": "JWT" });
    if let Some(kid) = &key.kid {
        header["kid"] = json!(kid);
    }
    let claims = json!({
        "iss": client_id,
        "sub": client_id,
        "aud": token_url,
        "iat": now,
        "exp": now + 300,
        "jti": random_id(),
    });
    key.sign_jwt(header, &claims)
        .map_err(|e| Error::Credentials(format!("cannot sign the client assertion: {e}")))
}

/// A DPoP proof for one request (RFC 9449): `htu` is the URL without query or fragment.
pub fn dpop_proof(
    key: &SigningKey,
    method: &str,
    url: &str,
    access_token: Option<&SecretString>,
    nonce: Option<&str>,
) -> Result<String, Error> {
    let htu = url.split(['?', '#']).next().unwrap_or(url);
    let mut claims = json!({ "htm": method, "htu": htu, "iat": now_secs(), "jti": random_id() });
    if let Some(token) = access_token {
        claims["ath"] = json!(sha256_b64(token.expose()));
    }
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    key.sign_jwt(
        json!({ "typ": "dpop+jwt", "jwk": key.public_jwk() }),
        &claims,
    )
    .map_err(|e| Error::Credentials(format!("cannot sign the DPoP proof: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::jws::{decode_unverified, tests::TEST_EC_JWK, verify};

    #[test]
    fn dpop_proof_binds_method_url_token_and_nonce() {
        let key = SigningKey::parse(TEST_EC_JWK).unwrap();
        let token = SecretString::new("at-123".into());
        let proof = dpop_proof(
            &key,
            "GET",
            "https://x.okta.com/api/v1/apps?limit=200",
            Some(&token),
            Some("n1"),
        )
        .unwrap();
        let (header, _) = decode_unverified(&proof).unwrap();
        assert_eq!(header["typ"], "dpop+jwt");
        let claims = verify(&proof, &header["jwk"]).expect("signed by the key in its header");
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["htu"], "https://x.okta.com/api/v1/apps");
        assert_eq!(claims["ath"], sha256_b64("at-123"));
        assert_eq!(claims["nonce"], "n1");
    }

    #[test]
    fn client_assertion_names_the_client_and_audience() {
        let key = SigningKey::parse(TEST_EC_JWK).unwrap();
        let jwt =
            client_assertion(&key, "0oaclient", "https://x.okta.com/oauth2/v1/token").unwrap();
        let (header, claims) = decode_unverified(&jwt).unwrap();
        assert_eq!(header["kid"], "test-ec");
        assert_eq!(
            (claims["iss"].as_str(), claims["sub"].as_str()),
            (Some("0oaclient"), Some("0oaclient"))
        );
        assert_eq!(claims["aud"], "https://x.okta.com/oauth2/v1/token");
        assert!(claims["exp"].as_u64() > claims["iat"].as_u64());
    }

    #[test]
    fn read_commands_ask_only_for_read_scopes() {
        assert!(Access::Read.scopes().iter().all(|s| s.ends_with(".read")));
        assert!(Access::Manage.scopes().contains(&"okta.schemas.manage"));
    }
}
