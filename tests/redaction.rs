//! Redaction: with every log level on (including reqwest and hyper internals), no API token,
//! access token, DPoP proof, client assertion or private key reaches the log. In its own test
//! binary so that no other test registers tracing callsites first.

mod common;

use common::wire::{TOKEN, client, fast};
use std::sync::{Arc, Mutex};

use oktaform::ids::OrgUrl;
use oktaform::okta::jws::{SigningKey, decode_unverified};
use oktaform::okta::{Access, Client, Credentials};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Issues a DPoP token after a nonce challenge.
struct TokenEndpoint;

impl Respond for TokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let proof = request
            .headers
            .get("dpop")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let (_, claims) = decode_unverified(proof).unwrap_or_default();
        if claims.get("nonce").is_none() {
            return ResponseTemplate::new(400)
                .insert_header("dpop-nonce", "n1")
                .set_body_json(json!({"error": "use_dpop_nonce"}));
        }
        ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "DPoP", "expires_in": 3600, "access_token": "access-token-1"
        }))
    }
}

/// Collects everything tracing writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_credential_reaches_a_trace_log() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path("/oauth2/v1/token"))
                .respond_with(TokenEndpoint)
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .respond_with(ResponseTemplate::new(401).set_body_json(
                    json!({"errorCode": "E0000011", "errorSummary": "Invalid token provided"}),
                ))
                .mount(&server)
                .await;
            let api = client(&server, fast());
            let error = api.get::<Value>("/api/v1/apps").await.unwrap_err();
            assert!(!error.to_string().contains(TOKEN));
            let oauth = Client::new(
                OrgUrl::parse(&server.uri()).unwrap(),
                Credentials::OAuth {
                    client_id: "0oaservice".into(),
                    key: SigningKey::parse(include_str!("fixtures/test-ec.jwk.json")).unwrap(),
                },
                Access::Read,
                fast(),
            )
            .unwrap();
            let error = oauth.get::<Value>("/api/v1/apps").await.unwrap_err();
            assert!(!error.to_string().contains("access-token-"));
        });
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("okta answered"),
        "trace logging was captured: {log}"
    );
    let key: Value = serde_json::from_str(include_str!("fixtures/test-ec.jwk.json")).unwrap();
    for secret in [TOKEN, "access-token-", "eyJ", key["d"].as_str().unwrap()] {
        assert!(
            !log.contains(secret),
            "`{secret}` leaked into the trace log:\n{log}"
        );
    }
}
