//! The Okta client against exact wire sequences (wiremock): paging, 429, retries, POST safety,
//! errors, OAuth with DPoP, and that no credential ever reaches a log.

mod common;

use common::wire::{TOKEN, client, fast};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use oktaform::ids::OrgUrl;
use oktaform::okta::jws::{SigningKey, decode_unverified, sha256_b64, verify};
use oktaform::okta::{Access, Client, Credentials, Error};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn rate_headers(template: ResponseTemplate, remaining: u32, reset_in: u64) -> ResponseTemplate {
    let now = SystemTime::now();
    let epoch = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    template
        .insert_header("x-rate-limit-limit", "100")
        .insert_header("x-rate-limit-remaining", remaining.to_string().as_str())
        .insert_header(
            "x-rate-limit-reset",
            (epoch + reset_in).to_string().as_str(),
        )
        .insert_header("date", httpdate::fmt_http_date(now).as_str())
}

/// Serves `pages` pages of `per_page` apps, each linking to the next like Okta does.
struct Pages {
    base: String,
    pages: usize,
    per_page: usize,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page: usize = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "after")
            .map(|(_, v)| v.parse().unwrap())
            .unwrap_or(0);
        let items: Vec<Value> = (0..self.per_page)
            .map(|i| json!({"id": format!("0oa{page}x{i}"), "label": format!("App {page}.{i}")}))
            .collect();
        let mut template = ResponseTemplate::new(200)
            .set_body_json(items)
            .append_header(
                "link",
                format!("<{}/api/v1/apps?limit=2>; rel=\"self\"", self.base).as_str(),
            );
        if page + 1 < self.pages {
            template = template.append_header(
                "link",
                format!(
                    "<{}/api/v1/apps?after={}&limit=2>; rel=\"next\"",
                    self.base,
                    page + 1
                )
                .as_str(),
            );
        }
        template
    }
}

#[tokio::test]
async fn follows_link_next_across_many_pages() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/apps"))
        .and(header("authorization", format!("SSWS {TOKEN}").as_str()))
        .respond_with(Pages {
            base: server.uri(),
            pages: 7,
            per_page: 2,
        })
        .expect(7)
        .mount(&server)
        .await;
    let apps: Vec<Value> = client(&server, fast())
        .get_all("/api/v1/apps?limit=2")
        .await
        .unwrap();
    assert_eq!(apps.len(), 14);
    assert_eq!(apps[13]["id"], "0oa6x1");
}

#[tokio::test]
async fn does_not_follow_a_next_link_out_of_the_org() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([]))
                .insert_header(
                    "link",
                    "<https://evil.example/api/v1/apps?after=1>; rel=\"next\"",
                ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let result: Result<Vec<Value>, Error> = client(&server, fast()).get_all("/api/v1/apps").await;
    assert!(matches!(result, Err(Error::Decode { .. })), "{result:?}");
}

#[tokio::test]
async fn waits_out_a_429_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(rate_headers(
            ResponseTemplate::new(429).set_body_json(json!({
                "errorCode": "E0000047",
                "errorSummary": "API call exceeded rate limit due to too many requests.",
                "errorLink": "E0000047", "errorId": "oae1", "errorCauses": []
            })),
            0,
            0,
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(rate_headers(
            ResponseTemplate::new(200).set_body_json(json!({"id": "0oa1"})),
            99,
            60,
        ))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = client(&server, fast());
    let started = std::time::Instant::now();
    let app: Value = client.get("/api/v1/apps/0oa1").await.unwrap();
    assert_eq!(app["id"], "0oa1");
    // Reset − Date + 1 s: the reset was "now", so about one second.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_rate_limit_reset_too_far_away_is_an_error_not_a_hang() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(rate_headers(ResponseTemplate::new(429), 0, 3600))
        .mount(&server)
        .await;
    let result: Result<Value, Error> = client(&server, fast()).get("/api/v1/apps").await;
    assert!(
        matches!(result, Err(Error::RateLimitWaitTooLong { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn retries_get_on_5xx() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = client(&server, fast());
    let users: Vec<Value> = client.get("/api/v1/apps/0oa1/users").await.unwrap();
    assert!(users.is_empty());
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    assert_eq!(
        client
            .stats
            .retries
            .load(std::sync::atomic::Ordering::Relaxed),
        2
    );
}

#[tokio::test]
async fn gives_up_after_the_bounded_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let result: Result<Value, Error> = client(&server, fast()).get("/api/v1/apps").await;
    assert!(
        matches!(result, Err(Error::GaveUp { attempts: 4, .. })),
        "{result:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn never_resends_a_post_blindly() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "new"})))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = client(&server, fast());
    let result: Result<Value, Error> = client
        .post("/api/v1/apps/0oa1/users", &json!({"id": "00u1"}))
        .await;
    assert!(
        matches!(result, Err(Error::PostOutcomeUnknown { .. })),
        "{result:?}"
    );
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "the POST was sent once"
    );
}

#[tokio::test]
async fn post_verified_rereads_and_resends_only_when_it_did_not_take_effect() {
    for took_effect in [true, false] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(502))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"id": "00u1", "by": "post"})),
            )
            .with_priority(2)
            .mount(&server)
            .await;
        let client = client(&server, fast());
        let rereads = Arc::new(Mutex::new(0));
        let result = client
            .post_verified::<_, Value, _, _>(
                "/api/v1/apps/0oa1/users",
                &json!({"id": "00u1"}),
                || {
                    let rereads = rereads.clone();
                    async move {
                        *rereads.lock().unwrap() += 1;
                        Ok(took_effect.then(|| json!({"id": "00u1", "by": "reread"})))
                    }
                },
            )
            .await
            .unwrap();
        let posts = server.received_requests().await.unwrap().len();
        assert_eq!(*rereads.lock().unwrap(), 1);
        assert_eq!(result.by_reread, took_effect);
        if took_effect {
            assert_eq!((posts, result["by"].as_str()), (1, Some("reread")));
        } else {
            assert_eq!((posts, result["by"].as_str()), (2, Some("post")));
        }
    }
}

#[tokio::test]
async fn okta_errors_are_typed_with_request_id_and_advice() {
    let server = MockServer::start().await;
    // Body as recorded in okta-sdk-python/test_application_connections_it__…test_connection_error_handling.yaml
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-okta-request-id", "req-abc")
                .set_body_json(json!({
                    "errorCode": "E0000007",
                    "errorSummary": "Not found: Resource not found: 0oa404 (AppInstance)",
                    "errorLink": "E0000007", "errorId": "oae2", "errorCauses": []
                })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server, fast())
        .get::<Value>("/api/v1/apps/0oa404")
        .await
        .unwrap_err();
    let api = error.api().expect("an API error");
    assert_eq!((api.status, api.code()), (404, "E0000007"));
    assert_eq!(api.request_id.as_deref(), Some("req-abc"));
    let text = error.to_string();
    assert!(
        text.contains("E0000007 Not found") && text.contains("find the app by label"),
        "{text}"
    );
}

#[tokio::test]
async fn names_the_missing_scope() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header(
                    "www-authenticate",
                    "Bearer error=\"insufficient_scope\", error_description=\"The access token provided does not contain the required scopes.\", scope=\"okta.schemas.read\"",
                )
                .set_body_json(json!({"errorCode": "E0000006", "errorSummary": "You do not have permission to perform the requested action"})),
        )
        .mount(&server)
        .await;
    let error = client(&server, fast())
        .get::<Value>("/api/v1/meta/schemas/user/default")
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("lacks the scope `okta.schemas.read`"),
        "{error}"
    );
}

/// An OAuth token endpoint that demands a DPoP nonce first, then issues short-lived DPoP tokens.
struct TokenEndpoint {
    issued: Arc<Mutex<u32>>,
}

impl Respond for TokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let proof = request
            .headers
            .get("dpop")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let (_, claims) = decode_unverified(proof).unwrap_or_default();
        if claims.get("nonce").and_then(Value::as_str) != Some("server-nonce-1") {
            return ResponseTemplate::new(400)
                .insert_header("dpop-nonce", "server-nonce-1")
                .set_body_json(json!({"error": "use_dpop_nonce", "error_description": "Authorization server requires nonce in DPoP proof."}));
        }
        let mut issued = self.issued.lock().unwrap();
        *issued += 1;
        // expires_in 30 s: within the one-minute refresh margin, so every use refreshes.
        ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "DPoP", "expires_in": 30, "scope": "okta.apps.read",
            "access_token": format!("access-token-{issued}")
        }))
    }
}

#[tokio::test]
async fn oauth_with_dpop_nonce_dance_and_refresh() {
    let server = MockServer::start().await;
    let issued = Arc::new(Mutex::new(0));
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(TokenEndpoint {
            issued: issued.clone(),
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/apps/0oa1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "0oa1"})))
        .mount(&server)
        .await;
    let key_text = include_str!("fixtures/test-ec.jwk.json");
    let client = Client::new(
        OrgUrl::parse(&server.uri()).unwrap(),
        Credentials::OAuth {
            client_id: "0oaservice".into(),
            key: SigningKey::parse(key_text).unwrap(),
        },
        Access::Read,
        fast(),
    )
    .unwrap();
    for _ in 0..2 {
        let app: Value = client.get("/api/v1/apps/0oa1").await.unwrap();
        assert_eq!(app["id"], "0oa1");
    }
    assert_eq!(
        *issued.lock().unwrap(),
        2,
        "the short-lived token was refreshed"
    );
    let requests = server.received_requests().await.unwrap();
    let token_requests: Vec<_> = requests
        .iter()
        .filter(|r| r.url.path() == "/oauth2/v1/token")
        .collect();
    assert_eq!(
        token_requests.len(),
        3,
        "nonce challenge, token, refreshed token"
    );
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&token_requests[1].body)
        .into_owned()
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(field("grant_type"), "client_credentials");
    assert_eq!(field("scope"), Access::Read.scopes().join(" "));
    let public: Value = SigningKey::parse(key_text).unwrap().public_jwk();
    let assertion =
        verify(&field("client_assertion"), &public).expect("assertion signed by the key");
    assert_eq!(
        assertion["aud"],
        format!("{}/oauth2/v1/token", server.uri())
    );

    let api = requests
        .iter()
        .find(|r| r.url.path() == "/api/v1/apps/0oa1")
        .unwrap();
    let authorization = api.headers.get("authorization").unwrap().to_str().unwrap();
    assert_eq!(authorization, "DPoP access-token-1");
    let proof = api.headers.get("dpop").unwrap().to_str().unwrap();
    let claims = verify(proof, &public).expect("proof signed by the key");
    assert_eq!(claims["htm"], "GET");
    assert_eq!(claims["htu"], format!("{}/api/v1/apps/0oa1", server.uri()));
    assert_eq!(claims["ath"], sha256_b64("access-token-1"));
}

#[tokio::test]
async fn endpoint_calls_use_okta_query_forms_and_largest_pages() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(wiremock::matchers::query_param(
            "search",
            "profile.login eq \"alice@example.com\"",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "00u1", "status": "ACTIVE", "profile": {"login": "alice@example.com"}}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/apps/0oa1/users"))
        .and(wiremock::matchers::query_param("limit", "500"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, fast());
    let alice = client
        .user_by_login("alice@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(alice.id.0, "00u1");
    assert!(
        client
            .app_users(&"0oa1".into(), &oktaform::okta::ProfileKeys::All)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_assignment_that_failed_in_flight_is_reread_not_reposted() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/apps/0oa1/users"))
        .respond_with(ResponseTemplate::new(504))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/apps/0oa1/users/00u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "00u1", "scope": "USER", "status": "PROVISIONED", "profile": {"instabugRole": "member"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let profile = json!({"instabugRole": "member"})
        .as_object()
        .unwrap()
        .clone();
    let assigned = client(&server, fast())
        .assign_user(&"0oa1".into(), &"00u1".into(), &profile)
        .await
        .unwrap();
    assert_eq!(assigned.profile["instabugRole"], "member");
}

/// After a POST fails in flight the error says what is known: a failed re-read leaves it
/// unknown (and says why); a re-read showing nothing after the resend failed too makes it
/// known not applied; a PUT that got 500 each time quotes Okta's answer and error id.
#[tokio::test]
async fn a_failed_write_says_what_is_known() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "errorCode": "E0000009", "errorSummary": "Internal Server Error", "errorId": "oaeBroken1"
        })))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({
            "errorCode": "E0000009", "errorSummary": "Internal Server Error", "errorId": "oaePut1"
        })))
        .mount(&server)
        .await;
    let client = client(&server, fast());
    // The re-read fails: unknown, with both reasons.
    let unknown = client
        .post_verified::<_, Value, _, _>("/api/v1/apps/0oa1/users", &json!({}), || async {
            Err(Error::Transport {
                url: "GET /api/v1/apps/0oa1/users/00u1".into(),
                reason: "connection reset".into(),
            })
        })
        .await
        .unwrap_err();
    let text = unknown.to_string();
    assert!(
        matches!(
            unknown,
            Error::PostOutcomeUnknown {
                reread: Some(_),
                ..
            }
        ),
        "{text}"
    );
    assert!(text.contains("error id: oaeBroken1"), "{text}");
    assert!(
        text.contains("re-reading to learn whether it took effect failed too"),
        "{text}"
    );
    assert!(text.contains("connection reset"), "{text}");
    // The re-read answers "not there" twice: not applied.
    let refused = client
        .post_verified::<_, Value, _, _>("/api/v1/apps/0oa1/users", &json!({}), || async {
            Ok(None)
        })
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::PostNotApplied { .. }), "{refused}");
    assert!(
        refused.to_string().contains("did not take effect"),
        "{refused}"
    );
    // A PUT answered 503 on every attempt: Okta's answer, not "no answer".
    let put: Result<Value, Error> = client
        .put("/api/v1/apps/0oa1/features/USER_PROVISIONING", &json!({}))
        .await;
    let text = put.unwrap_err().to_string();
    assert!(text.contains("Okta answered 503 to PUT"), "{text}");
    assert!(text.contains("error id: oaePut1"), "{text}");
    assert!(text.contains("the same on each of 4 attempts"), "{text}");
    assert!(!text.contains("no answer"), "{text}");
}

/// A schema POST whose change Okta does not show yet, then a read-back where the property has
/// moved to a third state: another writer is at work, and apply says so at once instead of
/// waiting out its read-backs.
#[tokio::test]
async fn a_read_back_that_sees_another_writer_says_so_at_once() {
    use oktaform::apply::write::{Known, step};
    use oktaform::apply::{ApplyOptions, Secrets};
    use oktaform::plan::Change;
    let server = MockServer::start().await;
    let schema = |title: Option<&str>| {
        let properties = match title {
            Some(t) => json!({"role": {"title": t, "type": "string", "scope": "NONE"}}),
            None => json!({}),
        };
        json!({"definitions": {"custom": {"id": "#custom", "type": "object", "properties": properties}}})
    };
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(schema(None)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(schema(Some("Someone Else's"))))
        .mount(&server)
        .await;
    let change: Change = serde_json::from_value(json!({
        "subject": {"kind": "app_attribute", "app": "luciq", "name": "role"},
        "action": "create", "risk": "safe",
        "op": "create_attribute", "profile": "app", "app_id": "0oa1", "name": "role",
        "property": {"title": "Role", "type": "string", "scope": "NONE"}
    }))
    .unwrap();
    let options = ApplyOptions {
        backoff: std::time::Duration::from_millis(5),
        ..ApplyOptions::default()
    };
    let error = step(
        &client(&server, fast()),
        &options,
        &Secrets::default(),
        oktaform::apply::steps::StepKind::Schema,
        &[&change],
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("another writer"), "{error}");
    assert_eq!(error.known(), Known::Unconfirmed);
    let gets = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .count();
    assert_eq!(gets, 1, "one read-back, not {}", options.read_back_attempts);
}
