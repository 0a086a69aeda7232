//! The sandbox behaves like Okta, checked with the real client over loopback HTTP: paging, rate
//! limits and 429s, error shapes, the schema deletion window, mapped properties, priority
//! renumbering, persistence, concurrency, OAuth with DPoP and scopes, and the System Log
//! (filters, time bounds, paging, errors, console edits by a named admin).

use std::time::Duration;

use oktaform::ids::OrgUrl;
use oktaform::ids::{AppId, GroupId, UserId};
use oktaform::okta::jws::SigningKey;
use oktaform::okta::types::{AppGroup, LogEvent, ProfileMapping};
use oktaform::okta::{Access, Client, ClientOptions, Credentials, Error};
use oktaform::sandbox::{Knobs, Sandbox, SandboxOptions, Seed};
use oktaform::secret::SecretString;
use serde_json::{Map, Value, json};

fn options() -> SandboxOptions {
    SandboxOptions::default()
}

fn client(sandbox: &Sandbox) -> Client {
    client_with(
        sandbox,
        ClientOptions {
            backoff: Duration::from_millis(5),
            ..ClientOptions::default()
        },
    )
}

fn client_with(sandbox: &Sandbox, options: ClientOptions) -> Client {
    Client::new(
        OrgUrl::parse(sandbox.base_url()).unwrap(),
        Credentials::ApiToken(SecretString::new(sandbox.token().into())),
        Access::Manage,
        options,
    )
    .unwrap()
}

async fn knob(sandbox: &Sandbox, method: &str, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .request(
            method.parse().unwrap(),
            format!("{}/__sandbox{path}", sandbox.base_url()),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "knob {path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

async fn requests(sandbox: &Sandbox) -> u64 {
    knob(sandbox, "GET", "/requests", json!({})).await["count"]
        .as_u64()
        .unwrap()
}

fn provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[tokio::test]
async fn lists_page_with_link_headers() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let mappings: Vec<ProfileMapping> = client.get_all("/api/v1/mappings?limit=1").await.unwrap();
    assert_eq!(
        mappings.len(),
        16,
        "two mappings for each of the two user types and the four demo apps"
    );
    assert_eq!(requests(&sandbox).await, 16, "one request per page");
    let apps = client.search_apps("Lu").await.unwrap();
    assert_eq!(
        apps.iter().map(|a| a.label.as_str()).collect::<Vec<_>>(),
        ["Luciq"]
    );
    let named = client.apps_named("okta_org2org").await.unwrap();
    assert_eq!(named.len(), 1);
}

#[tokio::test]
async fn an_empty_bucket_answers_429_and_the_client_waits_for_its_reset() {
    provider();
    let knobs = Knobs {
        rate_limit: 2,
        rate_limit_window_ms: 1_000,
        ..Knobs::default()
    };
    let sandbox = Sandbox::start(SandboxOptions { knobs, ..options() })
        .await
        .unwrap();
    // Another integration empties the bucket; oktaform's first request meets the 429.
    let http = reqwest::Client::new();
    for _ in 0..2 {
        let answer = http
            .get(format!(
                "{}/api/v1/meta/schemas/user/default",
                sandbox.base_url()
            ))
            .header("authorization", "SSWS sandbox-token")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
    }
    let client = client_with(
        &sandbox,
        ClientOptions {
            api_share: 1.0,
            ..ClientOptions::default()
        },
    );
    client.user_schema().await.unwrap();
    let log = knob(&sandbox, "GET", "/requests", json!({})).await;
    let statuses: Vec<u64> = log["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [200, 200, 429, 200], "{log:#}");
    assert_eq!(
        client
            .stats
            .rate_limit_waits
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
}

#[tokio::test]
async fn the_default_share_slows_down_before_the_bucket_is_empty() {
    provider();
    let knobs = Knobs {
        rate_limit: 4,
        rate_limit_window_ms: 1_000,
        ..Knobs::default()
    };
    let sandbox = Sandbox::start(SandboxOptions { knobs, ..options() })
        .await
        .unwrap();
    let client = client(&sandbox);
    for _ in 0..4 {
        client.user_schema().await.unwrap();
    }
    let log = knob(&sandbox, "GET", "/requests", json!({})).await;
    assert!(
        log["log"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["status"] == 200),
        "never a 429: {log:#}"
    );
    assert!(
        client
            .stats
            .rate_limit_waits
            .load(std::sync::atomic::Ordering::Relaxed)
            >= 1
    );
}

#[tokio::test]
async fn errors_have_okta_shapes() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let http = reqwest::Client::new();
    let base = sandbox.base_url();
    let no_token = http
        .get(format!("{base}/api/v1/apps"))
        .send()
        .await
        .unwrap();
    assert!(no_token.headers().contains_key("x-okta-request-id"));
    assert_eq!(no_token.status(), 401);
    let body: Value = no_token.json().await.unwrap();
    assert_eq!(
        (body["errorCode"].as_str(), body["errorSummary"].as_str()),
        (Some("E0000011"), Some("Invalid token provided"))
    );
    for key in ["errorLink", "errorId", "errorCauses"] {
        assert!(body.get(key).is_some(), "{key} missing: {body}");
    }
    let client = client(&sandbox);
    let missing = client.app(&"0oaNOPE".into()).await.unwrap_err();
    let api = missing.api().unwrap();
    assert_eq!((api.status, api.code()), (404, "E0000007"));
    assert_eq!(
        api.body.error_summary,
        "Not found: Resource not found: 0oaNOPE (AppInstance)"
    );
    let luciq = client.search_apps("Luciq").await.unwrap().remove(0);
    let error = client.features(&luciq.id).await.unwrap_err();
    let api = error.api().unwrap();
    assert_eq!(
        (api.status, api.code(), api.body.error_summary.as_str()),
        (400, "E0000001", "Api validation failed: feature")
    );
    assert!(api.mentions("Provisioning is not supported."));
    let malformed = http
        .post(format!("{base}/api/v1/meta/schemas/user/default"))
        .header("authorization", "SSWS sandbox-token")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let body: Value = malformed.json().await.unwrap();
    assert_eq!(body["errorCode"], "E0000003");
}

fn property(title: &str, kind: &str) -> Value {
    json!({"title": title, "type": kind})
}

fn one(name: &str, value: Value) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(name.into(), value);
    map
}

#[tokio::test]
async fn a_deleted_name_is_blocked_for_a_while_and_mapped_properties_cannot_go() {
    provider();
    let knobs = Knobs {
        deletion_window_ms: 300,
        ..Knobs::default()
    };
    let sandbox = Sandbox::start(SandboxOptions { knobs, ..options() })
        .await
        .unwrap();
    let client = client(&sandbox);
    client
        .update_user_schema(one("tier", property("Tier", "string")))
        .await
        .unwrap();
    client
        .update_user_schema(one("tier", Value::Null))
        .await
        .unwrap();
    let error = client
        .update_user_schema(one("tier", property("Tier", "integer")))
        .await
        .unwrap_err();
    let api = error.api().unwrap();
    assert_eq!(
        api.body.error_summary,
        "Api validation failed: updateUserSchemas"
    );
    assert!(
        api.mentions(
            "the deletion process for an attribute with the same variable name is incomplete"
        ),
        "{error}"
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    client
        .update_user_schema(one("tier", property("Tier", "integer")))
        .await
        .unwrap();

    // A property a mapping writes cannot be deleted.
    let luciq = client.search_apps("Luciq").await.unwrap().remove(0);
    client
        .update_app_schema(&luciq.id, one("role", property("Role", "string")))
        .await
        .unwrap();
    let to_app = client
        .mappings(None, Some(&luciq.id.0))
        .await
        .unwrap()
        .remove(0);
    client
        .update_mapping(&to_app.id, one("role", json!({"expression": "user.title"})))
        .await
        .unwrap();
    let error = client
        .update_app_schema(&luciq.id, one("role", Value::Null))
        .await
        .unwrap_err();
    assert!(
        error
            .api()
            .unwrap()
            .mentions("Property role cannot be deleted. It is used to populate"),
        "{error}"
    );
    // …and a mapping to a property that does not exist is refused, as recorded.
    let error = client
        .update_mapping(&to_app.id, one("nope", json!({"expression": "user.title"})))
        .await
        .unwrap_err();
    assert!(
        error.api().unwrap().mentions("Invalid target field nope"),
        "{error}"
    );
}

#[tokio::test]
async fn schema_answers_drop_and_rewrite_like_okta() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let luciq = client.search_apps("Luciq").await.unwrap().remove(0);
    let sent = json!({"title": "Id", "type": "string", "unique": true, "required": false,
        "master": {"type": "OKTA"}, "permissions": [{"principal": "SELF", "action": "READ_WRITE"}]});
    let schema = client
        .update_app_schema(&luciq.id, one("extId", sent))
        .await
        .unwrap();
    let back = schema.property("extId").unwrap();
    assert_eq!(back.unique, Some(json!("UNIQUE_VALIDATED")));
    assert_eq!(
        (
            back.master.as_ref(),
            back.permissions.as_ref(),
            back.required
        ),
        (None, None, None)
    );
}

#[tokio::test]
async fn group_priorities_shift_on_collision_and_keep_gaps() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let app = client.search_apps("AccessIQ").await.unwrap().remove(0).id;
    let mut ids = Vec::new();
    for name in ["Engineering", "Support", "Sales"] {
        ids.push(client.groups_named(name).await.unwrap().remove(0).id);
    }
    for id in &ids {
        client
            .put_app_group(&app, id, None, &Map::new())
            .await
            .unwrap();
    }
    // Sales to the top: the others move down.
    client
        .put_app_group(&app, &ids[2], Some(0), &Map::new())
        .await
        .unwrap();
    let groups: Vec<AppGroup> = client.app_groups(&app).await.unwrap();
    let order: Vec<(&str, Option<i64>)> = groups
        .iter()
        .map(|g| (g.id.0.as_str(), g.priority))
        .collect();
    assert_eq!(
        order,
        [
            (ids[2].0.as_str(), Some(0)),
            (ids[0].0.as_str(), Some(1)),
            (ids[1].0.as_str(), Some(2))
        ]
    );
    client.unassign_group(&app, &ids[2]).await.unwrap();
    let groups = client.app_groups(&app).await.unwrap();
    assert_eq!(
        groups.iter().map(|g| g.priority).collect::<Vec<_>>(),
        [Some(1), Some(2)]
    );
}

#[tokio::test]
async fn state_survives_a_restart_and_other_versions_are_refused() {
    provider();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.json");
    let sandbox = Sandbox::start(SandboxOptions {
        state: Some(path.clone()),
        ..options()
    })
    .await
    .unwrap();
    client(&sandbox)
        .update_user_schema(one("costCode", property("Cost code", "string")))
        .await
        .unwrap();
    sandbox.stop().await;
    let again = Sandbox::start(SandboxOptions {
        state: Some(path.clone()),
        seed: Seed::Empty,
        ..options()
    })
    .await
    .unwrap();
    let schema = client(&again).user_schema().await.unwrap();
    assert!(
        schema.property("costCode").is_some(),
        "kept across restarts"
    );
    again.stop().await;

    let mut state: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    state["version"] = json!(99);
    std::fs::write(&path, state.to_string()).unwrap();
    let Err(error) = Sandbox::start(SandboxOptions {
        state: Some(path.clone()),
        ..options()
    })
    .await
    else {
        panic!("a version-99 state was accepted");
    };
    let text = error.to_string();
    assert!(
        text.contains("version 99") && text.contains("delete the file"),
        "{text}"
    );
}

#[tokio::test]
async fn many_concurrent_writes_all_land() {
    provider();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.json");
    let sandbox = Sandbox::start(SandboxOptions {
        state: Some(path.clone()),
        ..options()
    })
    .await
    .unwrap();
    let client = client_with(
        &sandbox,
        ClientOptions {
            max_concurrency: 16,
            ..ClientOptions::default()
        },
    );
    let writes = (0..40).map(|i| {
        let client = &client;
        async move {
            client
                .update_user_schema(one(
                    &format!("attr{i}"),
                    property(&format!("Attr {i}"), "string"),
                ))
                .await
        }
    });
    for result in futures_util::future::join_all(writes).await {
        result.unwrap();
    }
    let schema = client.user_schema().await.unwrap();
    assert_eq!(schema.custom().count(), 40);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        saved["user_schema"]["definitions"]["custom"]["properties"]
            .as_object()
            .unwrap()
            .len(),
        40
    );
}

#[tokio::test]
async fn oauth_service_app_with_dpop_and_scopes() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let key = SigningKey::parse(include_str!("fixtures/test-rsa.jwk.json")).unwrap();
    knob(
        &sandbox,
        "PUT",
        "/oauth/clients/0oaservice",
        key.public_jwk(),
    )
    .await;
    let reader = Client::new(
        OrgUrl::parse(sandbox.base_url()).unwrap(),
        Credentials::OAuth {
            client_id: "0oaservice".into(),
            key,
        },
        Access::Read,
        ClientOptions::default(),
    )
    .unwrap();
    let apps = reader.search_apps("").await.unwrap();
    assert_eq!(apps.len(), 4);
    reader.user_schema().await.unwrap();
    assert_eq!(
        reader.authenticator().tokens_issued(),
        1,
        "the token is cached"
    );
    let error = reader
        .update_user_schema(one("x", property("X", "string")))
        .await
        .unwrap_err();
    let api = error.api().expect("an API error");
    assert_eq!(
        (api.status, api.missing_scope.as_deref()),
        (403, Some("okta.schemas.manage"))
    );
    assert!(
        error
            .to_string()
            .contains("lacks the scope `okta.schemas.manage`"),
        "{error}"
    );

    // An unknown client is refused by the token endpoint.
    let stranger = Client::new(
        OrgUrl::parse(sandbox.base_url()).unwrap(),
        Credentials::OAuth {
            client_id: "0oastranger".into(),
            key: SigningKey::parse(include_str!("fixtures/test-ec.jwk.json")).unwrap(),
        },
        Access::Read,
        ClientOptions::default(),
    )
    .unwrap();
    let error = stranger.user_schema().await.unwrap_err();
    assert!(
        matches!(error, Error::OAuth { ref error, .. } if error == "invalid_client"),
        "{error}"
    );
}

#[tokio::test]
async fn a_short_lived_token_is_refreshed_against_the_sandbox() {
    provider();
    // 30 s tokens are inside the client's one-minute refresh margin: each call gets a new one.
    let knobs = Knobs {
        token_ttl_s: 30,
        ..Knobs::default()
    };
    let sandbox = Sandbox::start(SandboxOptions { knobs, ..options() })
        .await
        .unwrap();
    let key = SigningKey::parse(include_str!("fixtures/test-ec.jwk.json")).unwrap();
    knob(
        &sandbox,
        "PUT",
        "/oauth/clients/0oaservice",
        key.public_jwk(),
    )
    .await;
    let client = Client::new(
        OrgUrl::parse(sandbox.base_url()).unwrap(),
        Credentials::OAuth {
            client_id: "0oaservice".into(),
            key,
        },
        Access::Read,
        ClientOptions::default(),
    )
    .unwrap();
    client.user_schema().await.unwrap();
    client.user_schema().await.unwrap();
    assert_eq!(client.authenticator().tokens_issued(), 2);
}

#[tokio::test]
async fn a_connection_reset_is_retried_for_reads_and_reread_for_writes() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    knob(
        &sandbox,
        "PUT",
        "/config",
        json!({"faults": {"on_requests": [1], "kind": "reset"}}),
    )
    .await;
    client.user_schema().await.expect("the read is retried");
    assert_eq!(requests(&sandbox).await, 2);

    // A POST whose answer is lost took effect: the client re-reads instead of sending it again.
    let app = client.search_apps("Luciq").await.unwrap().remove(0).id;
    let alice = client
        .user_by_login("alice@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    let next = requests(&sandbox).await + 1;
    knob(
        &sandbox,
        "PUT",
        "/config",
        json!({"faults": {"on_requests": [next], "kind": "reset"}}),
    )
    .await;
    let assigned = client
        .assign_user(&app, &alice, &Map::new())
        .await
        .expect("re-read finds the assignment");
    assert_eq!(assigned.id, alice);
    let log = knob(&sandbox, "GET", "/requests", json!({})).await;
    let posts = log["log"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["method"] == "POST")
        .count();
    assert_eq!(posts, 1, "the POST was not sent twice: {log:#}");
}

#[tokio::test]
async fn group_push_mappings_follow_the_recording() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let app = client.search_apps("AccessIQ").await.unwrap().remove(0).id;
    let engineering = client
        .groups_named("Engineering")
        .await
        .unwrap()
        .remove(0)
        .id;
    let path = format!("/api/v1/apps/{app}/group-push/mappings");
    let body =
        json!({"sourceGroupId": engineering, "status": "ACTIVE", "targetGroupName": "Engineering"});
    let refused: Result<Value, Error> = client.post(&path, &body).await;
    assert!(
        refused
            .unwrap_err()
            .api()
            .is_some_and(|a| a.code() == "E0000001"),
        "no Push Groups on this app yet"
    );
    knob(
        &sandbox,
        "PUT",
        &format!("/console/apps/{app}/provisioning"),
        json!({"features": ["SCIM_PROVISIONING", "GROUP_PUSH"]}),
    )
    .await;
    // Recorded in TestAccResourceOktaPushGroup_crud__classic-00.yaml: 200 (not 201), then PATCH, then DELETE 200.
    let mapping: Value = client.post(&path, &body).await.unwrap();
    assert_eq!(mapping["status"], "ACTIVE");
    assert!(mapping["id"].as_str().unwrap().starts_with("gPm"));
    let one = format!("{path}/{}", mapping["id"].as_str().unwrap());
    assert!(
        client.delete(&one).await.is_err(),
        "an active push mapping cannot be deleted"
    );
    let answer = client
        .send(
            reqwest::Method::PATCH,
            &format!("{}{one}", sandbox.base_url()),
            Some(br#"{"status":"INACTIVE"}"#.to_vec()),
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    let answer = client
        .send(
            reqwest::Method::DELETE,
            &format!("{}{one}?deleteTargetGroup=false", sandbox.base_url()),
            None,
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
}

// The System Log, as Okta serves it.

/// `text`, URL-encoded for a query string.
fn q(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// `2026-11-30T14:02:11.123Z` for a time `offset_ms` from now.
fn rfc3339(offset_ms: i64) -> String {
    let now = std::time::SystemTime::now();
    let at = if offset_ms >= 0 {
        now + Duration::from_millis(offset_ms as u64)
    } else {
        now - Duration::from_millis(offset_ms.unsigned_abs())
    };
    humantime::format_rfc3339_millis(at).to_string()
}

/// Every event of a bounded query (since an hour ago until a second from now) with `filter`.
async fn log_events(client: &Client, filter: &str) -> Result<Vec<LogEvent>, Error> {
    client
        .get_all(&format!(
            "/api/v1/logs?since={}&until={}&filter={}",
            q(&rfc3339(-3_600_000)),
            q(&rfc3339(1_000)),
            q(filter)
        ))
        .await
}

async fn ids(client: &Client) -> (AppId, UserId, UserId, GroupId) {
    let luciq = client.search_apps("Luciq").await.unwrap().remove(0).id;
    let user =
        |login: &'static str| async move { client.user_by_login(login).await.unwrap().unwrap().id };
    let engineering = client
        .groups_named("Engineering")
        .await
        .unwrap()
        .remove(0)
        .id;
    (
        luciq,
        user("alice@example.com").await,
        user("bob@example.com").await,
        engineering,
    )
}

#[tokio::test]
async fn the_system_log_is_filtered_by_target_and_event_type() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let (luciq, alice, bob, _) = ids(&client).await;
    client
        .assign_user(&luciq, &alice, &Map::new())
        .await
        .unwrap();
    client.assign_user(&luciq, &bob, &Map::new()).await.unwrap();
    client
        .update_app_schema(&luciq, one("role", property("Role", "string")))
        .await
        .unwrap();
    client.unassign_user(&luciq, &bob).await.unwrap();

    let alice_added = log_events(
        &client,
        &format!(r#"eventType sw "application.user_membership" and target.id eq "{alice}""#),
    )
    .await
    .unwrap();
    assert_eq!(alice_added.len(), 1, "{alice_added:#?}");
    assert_eq!(alice_added[0].event_type, "application.user_membership.add");

    let on_luciq = log_events(
        &client,
        &format!(
            r#"(eventType sw "application.user_membership." or eventType eq "system.custom_attributes.update") and target.id eq "{luciq}""#
        ),
    )
    .await
    .unwrap();
    let types: Vec<&str> = on_luciq.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "application.user_membership.add",
            "application.user_membership.add",
            "system.custom_attributes.update",
            "application.user_membership.remove"
        ]
    );
    // Each event says where the request came from, and when to the millisecond.
    for event in &on_luciq {
        let client_info = event.client.as_ref().expect("client");
        assert_eq!(client_info.ip_address.as_deref(), Some("127.0.0.1"));
        let agent = client_info.user_agent.as_ref().unwrap();
        assert!(
            agent
                .raw_user_agent
                .as_deref()
                .unwrap()
                .starts_with("oktaform/"),
            "{agent:?}"
        );
        let published = event.published.as_bytes();
        assert_eq!(published[published.len() - 5], b'.', "{}", event.published);
        assert!(event.published.ends_with('Z'));
        // An API token acts as its owner; the token shows in the transaction (spec LogTransaction).
        assert_eq!(event.actor.as_ref().unwrap().kind, "User");
        assert!(
            event.extra["transaction"]["detail"]["requestApiTokenId"]
                .as_str()
                .unwrap()
                .starts_with("00T")
        );
    }
    let by_actor = log_events(
        &client,
        &format!(
            r#"actor.id eq "{}" and actor.alternateId eq "admin@example.com""#,
            on_luciq[0].actor.as_ref().unwrap().id
        ),
    )
    .await
    .unwrap();
    assert_eq!(by_actor.len(), 4);
    // Escaped quotes in a literal.
    let none = log_events(&client, r#"displayMessage eq "say \"hi\"""#)
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn the_system_log_is_bounded_by_since_and_until() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let (luciq, alice, bob, engineering) = ids(&client).await;
    client
        .assign_user(&luciq, &alice, &Map::new())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let t1 = rfc3339(0);
    tokio::time::sleep(Duration::from_millis(30)).await;
    client.assign_user(&luciq, &bob, &Map::new()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let t2 = rfc3339(0);
    tokio::time::sleep(Duration::from_millis(30)).await;
    client
        .put_app_group(&luciq, &engineering, None, &Map::new())
        .await
        .unwrap();
    let window = |since: &str, until: &str| {
        let path = format!("/api/v1/logs?since={}&until={}", q(since), q(until));
        let client = &client;
        async move {
            let events: Vec<LogEvent> = client.get_all(&path).await.unwrap();
            events
                .iter()
                .flat_map(|e| e.target.iter().map(|t| t.id.clone()))
                .collect::<Vec<_>>()
        }
    };
    let between = window(&t1, &t2).await;
    assert!(between.contains(&bob.0), "{between:?}");
    assert!(!between.contains(&alice.0) && !between.contains(&engineering.0));
    let after = window(&t1, &rfc3339(1_000)).await;
    assert!(after.contains(&bob.0) && after.contains(&engineering.0));
    assert!(!after.contains(&alice.0));
    // `since` defaults to 7 days before `until`: an hour-old `until` finds nothing new.
    let old: Vec<LogEvent> = client
        .get_all(&format!("/api/v1/logs?until={}", q(&rfc3339(-3_600_000))))
        .await
        .unwrap();
    assert!(old.is_empty());

    // A date Okta cannot read: 400 E0000030 (as received in okta-blog-archive#2499).
    for bad in ["since=foobar", "until=01-01-2017"] {
        let error = client
            .get::<Vec<LogEvent>>(&format!("/api/v1/logs?{bad}"))
            .await
            .unwrap_err();
        let api = error.api().unwrap();
        assert_eq!((api.status, api.code()), (400, "E0000030"), "{bad}");
    }
    let error = client
        .get::<Vec<LogEvent>>(&format!(
            "/api/v1/logs?since={}",
            q(&rfc3339(-200 * 24 * 3_600_000))
        ))
        .await
        .unwrap_err();
    assert!(error.api().unwrap().mentions("over 180 days"), "{error}");
}

#[tokio::test]
async fn the_system_log_pages_with_an_opaque_cursor() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let (luciq, _, _, _) = ids(&client).await;
    for i in 0..7 {
        client
            .update_app_schema(
                &luciq,
                one(&format!("a{i}"), property(&format!("A{i}"), "string")),
            )
            .await
            .unwrap();
    }
    let bounded = format!(
        "since={}&until={}&filter={}",
        q(&rfc3339(-60_000)),
        q(&rfc3339(1_000)),
        q(r#"eventType eq "system.custom_attributes.update""#)
    );
    knob(&sandbox, "DELETE", "/requests", json!({})).await;
    let events: Vec<LogEvent> = client
        .get_all(&format!("/api/v1/logs?{bounded}&limit=3"))
        .await
        .unwrap();
    assert_eq!(events.len(), 7);
    assert_eq!(requests(&sandbox).await, 3, "three pages of 3, 3 and 1");
    let ascending: Vec<&str> = events.iter().map(|e| e.uuid.as_str()).collect();
    let mut descending: Vec<LogEvent> = client
        .get_all(&format!(
            "/api/v1/logs?{bounded}&limit=3&sortOrder=DESCENDING"
        ))
        .await
        .unwrap();
    descending.reverse();
    assert_eq!(
        descending
            .iter()
            .map(|e| e.uuid.as_str())
            .collect::<Vec<_>>(),
        ascending
    );

    // The cursor is opaque, not an event id; a bounded query's last page has no next link.
    let http = reqwest::Client::new();
    let get = |url: String| {
        let http = http.clone();
        async move {
            let answer = http
                .get(url)
                .header("authorization", "SSWS sandbox-token")
                .send()
                .await
                .unwrap();
            let links: Vec<String> = answer
                .headers()
                .get_all("link")
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .collect();
            let next = links.iter().find(|l| l.ends_with("rel=\"next\"")).map(|l| {
                l.trim_start_matches('<')
                    .split(">;")
                    .next()
                    .unwrap()
                    .to_string()
            });
            let body: Value = answer.json().await.unwrap();
            (body, links, next)
        }
    };
    let base = sandbox.base_url();
    let (page, links, next) = get(format!("{base}/api/v1/logs?{bounded}&limit=3")).await;
    assert_eq!(page.as_array().unwrap().len(), 3);
    assert!(links[0].ends_with("rel=\"self\""), "{links:?}");
    let next = next.unwrap();
    assert!(!next.contains(page[2]["uuid"].as_str().unwrap()), "{next}");
    let (_, _, next) = get(next).await;
    let (last, _, none) = get(next.unwrap()).await;
    assert_eq!(last.as_array().unwrap().len(), 1);
    assert_eq!(none, None);

    // A polling request (no `until`, ascending) always has a next page, even an empty one:
    // "a next link relation header is always present, even if there are no new events".
    let polling = format!(
        "{base}/api/v1/logs?since={}&limit=1000",
        q(&rfc3339(-60_000))
    );
    let (all, _, next) = get(polling).await;
    let seen = all.as_array().unwrap().len();
    assert!(seen >= 7);
    let (empty, _, again) = get(next.unwrap()).await;
    assert_eq!(empty, json!([]));
    let again = again.expect("still a next page");
    client
        .update_app_schema(&luciq, one("late", property("Late", "string")))
        .await
        .unwrap();
    let (new, _, _) = get(again).await;
    assert_eq!(
        new.as_array().unwrap().len(),
        1,
        "only what came later: {new:#}"
    );
}

#[tokio::test]
async fn bad_system_log_queries_get_okta_errors() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let refused = |query: String| {
        let client = &client;
        async move {
            let error = client
                .get::<Vec<LogEvent>>(&format!("/api/v1/logs?{query}"))
                .await
                .unwrap_err();
            let api = error.api().unwrap_or_else(|| panic!("{query}: {error}"));
            (
                api.status,
                api.code().to_string(),
                api.body.error_summary.clone(),
            )
        }
    };
    // A filter that does not parse: E0000053, as the System Log reference documents.
    let (status, code, summary) = refused(format!("filter={}", q(r#"eventType eqq "x""#))).await;
    assert_eq!((status, code.as_str()), (400, "E0000053"));
    assert_eq!(
        summary,
        "Invalid filter 'eventType eqq \"x\"': Unrecognized attribute operator 'eqq' at position 10. Expected: eq,ne,co,sw,ew,pr,gt,ge,lt,le"
    );
    for bad in [
        r#"eventType eq "unterminated"#,
        r#"(eventType eq "a""#,
        r#"eventType eq "a" and"#,
        r#"eventType eq bare"#,
    ] {
        let (status, code, _) = refused(format!("filter={}", q(bad))).await;
        assert_eq!((status, code.as_str()), (400, "E0000053"), "{bad}");
    }
    let (_, code, summary) = refused(format!("filter={}", q(r#"event_type eq "x""#))).await;
    assert_eq!(
        (code.as_str(), summary.as_str()),
        ("E0000053", "field is not valid: event_type")
    );
    // Valid filters Okta does not support: E0000031.
    for unsupported in [
        r#"debugContext.debugData.url co "/oauth/""#,
        r#"published gt "2026-01-01T00:00:00Z""#,
    ] {
        let (status, code, _) = refused(format!("filter={}", q(unsupported))).await;
        assert_eq!((status, code.as_str()), (400, "E0000031"), "{unsupported}");
    }
    for bad in ["limit=1001", "limit=-1", "limit=ten", "sortOrder=UP"] {
        let (status, code, _) = refused(bad.to_string()).await;
        assert_eq!((status, code.as_str()), (400, "E0000001"), "{bad}");
    }
    let (status, _, summary) = refused(format!("q={}", "x".repeat(41))).await;
    assert_eq!(status, 400);
    assert!(summary.contains("longer than 40 characters"));
    // limit=0 is allowed.
    let none: Vec<LogEvent> = client.get("/api/v1/logs?limit=0").await.unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn the_system_log_needs_okta_logs_read() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let key = SigningKey::parse(include_str!("fixtures/test-ec.jwk.json")).unwrap();
    knob(
        &sandbox,
        "PUT",
        "/oauth/clients/0oaservice",
        key.public_jwk(),
    )
    .await;
    let with = |access: Access| {
        Client::new(
            OrgUrl::parse(sandbox.base_url()).unwrap(),
            Credentials::OAuth {
                client_id: "0oaservice".into(),
                key: SigningKey::parse(include_str!("fixtures/test-ec.jwk.json")).unwrap(),
            },
            access,
            ClientOptions::default(),
        )
        .unwrap()
    };
    let error = with(Access::Read)
        .get::<Vec<LogEvent>>("/api/v1/logs")
        .await
        .unwrap_err();
    assert_eq!(
        error.api().unwrap().missing_scope.as_deref(),
        Some("okta.logs.read")
    );
    with(Access::Audit)
        .get::<Vec<LogEvent>>("/api/v1/logs")
        .await
        .unwrap();
}

/// A request to a sandbox knob without credentials, as an admin's browser would not need them.
async fn console(sandbox: &Sandbox, method: &str, path: &str, body: Value) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .request(
            method.parse().unwrap(),
            format!("{}/__sandbox/console{path}", sandbox.base_url()),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn console_edits_are_logged_as_the_admin_from_a_browser() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let (luciq, alice, _, engineering) = ids(&client).await;
    // Jane assigns Engineering in the Admin Console: the same Management API request, no token.
    let (status, group) = console(
        &sandbox,
        "PUT",
        &format!("/api/v1/apps/{luciq}/groups/{engineering}?admin=jane@example.com"),
        json!({"priority": 0}),
    )
    .await;
    assert_eq!(status, 200, "{group}");
    assert_eq!(group["priority"], 0);
    assert_eq!(client.app_groups(&luciq).await.unwrap().len(), 1);
    // Okta's errors come back as from the API.
    let (status, error) = console(
        &sandbox,
        "GET",
        "/api/v1/apps/0oaNOPE?admin=jane@example.com",
        json!({}),
    )
    .await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (404, Some("E0000007"))
    );
    // The provisioning knob, as the default admin.
    console(
        &sandbox,
        "PUT",
        &format!("/apps/{luciq}/provisioning"),
        json!({"features": ["SCIM_PROVISIONING", "PUSH_NEW_USERS"]}),
    )
    .await;
    client
        .assign_user(&luciq, &alice, &Map::new())
        .await
        .unwrap();

    let jane = log_events(&client, r#"actor.alternateId eq "jane@example.com""#)
        .await
        .unwrap();
    let types: Vec<&str> = jane.iter().map(|e| e.event_type.as_str()).collect();
    // The group, and an app user for each of its members (alice, bob), all by jane.
    assert_eq!(
        types,
        [
            "application.group_membership.add",
            "application.user_membership.add",
            "application.user_membership.add"
        ],
        "{jane:#?}"
    );
    let event = &jane[0];
    assert!(event.target.iter().any(|t| t.id == engineering.0));
    let actor = event.actor.as_ref().unwrap();
    assert_eq!((actor.kind.as_str(), actor.id.len()), ("User", 20));
    let agent = event.client.as_ref().unwrap().user_agent.as_ref().unwrap();
    assert!(
        agent
            .raw_user_agent
            .as_deref()
            .unwrap()
            .starts_with("Mozilla/5.0 "),
        "{agent:?}"
    );
    assert!(event.extra["transaction"]["detail"]["requestApiTokenId"].is_null());

    let console_edits = log_events(&client, r#"eventType eq "application.lifecycle.update""#)
        .await
        .unwrap();
    let admin = console_edits[0].actor.as_ref().unwrap();
    assert_eq!(admin.alternate_id.as_deref(), Some("admin@example.com"));
    assert!(
        console_edits[0]
            .client
            .as_ref()
            .unwrap()
            .user_agent
            .as_ref()
            .unwrap()
            .raw_user_agent
            .as_deref()
            .unwrap()
            .starts_with("Mozilla/5.0 ")
    );
    // The API token's owner is the same admin; only the user agent and the token tell them apart.
    let api = log_events(
        &client,
        &format!(r#"target.id eq "{alice}" and transaction.detail.requestApiTokenId pr"#),
    )
    .await
    .unwrap();
    assert_eq!(api.len(), 1, "{api:#?}");
    assert_eq!(api[0].actor.as_ref().unwrap().id, admin.id);
    assert!(
        api[0]
            .client
            .as_ref()
            .unwrap()
            .user_agent
            .as_ref()
            .unwrap()
            .raw_user_agent
            .as_deref()
            .unwrap()
            .starts_with("oktaform/")
    );
    // Console edits are not oktaform's requests.
    let log = knob(&sandbox, "GET", "/requests", json!({})).await;
    assert!(
        log["log"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| !l["path"].as_str().unwrap().contains("0oaNOPE"))
    );
}
