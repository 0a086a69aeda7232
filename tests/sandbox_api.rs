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
    // The state file is written in the background, and at the latest on stop.
    sandbox.stop().await;
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
    // Recorded: Okta pushes from an app whose `features` is `[]` (the Push Groups checkbox
    // decides what is sent, not whether the mapping exists).
    // The spec: `targetGroupId` or `targetGroupName`, "but not both".
    let both = json!({"sourceGroupId": engineering, "targetGroupId": engineering, "targetGroupName": "Engineering"});
    let refused: Result<Value, Error> = client.post(&path, &both).await;
    assert!(
        refused
            .unwrap_err()
            .api()
            .is_some_and(|a| a.code() == "E0000001"),
        "both targets are refused"
    );
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
    // The spec: `deleteTargetGroup` is required.
    assert!(
        client.delete(&one).await.is_err(),
        "a DELETE without deleteTargetGroup is refused"
    );
    let answer = client
        .send(
            reqwest::Method::DELETE,
            &format!("{}{one}?deleteTargetGroup=false", sandbox.base_url()),
            None,
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    // The vendor's group of that name keeps its id, whatever was sent in between.
    let again: Value = client.post(&path, &body).await.unwrap();
    assert_eq!(again["targetGroupId"], mapping["targetGroupId"]);
    assert_ne!(again["id"], mapping["id"]);
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
    let since = format!("{base}/api/v1/logs?since={}", q(&rfc3339(-60_000)));
    let polling = format!("{since}&limit=1000");
    let (all, _, next) = get(polling.clone()).await;
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
    // With the knob off, a next link only while events remain, as on other lists.
    set_knobs(&sandbox, json!({"logs_polling_always_next": false})).await;
    let (_, _, none) = get(polling).await;
    assert_eq!(none, None);
    let (_, _, next) = get(format!("{since}&limit=2")).await;
    assert!(next.is_some());
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

// Okta's assignments, mappings, provisioning and schemas (issue 10, "Sandbox first").

/// A knob setting on a running sandbox (the other knobs at their defaults).
async fn set_knobs(sandbox: &Sandbox, knobs: Value) {
    knob(sandbox, "PUT", "/config", knobs).await;
}

/// The app's features array, as an admin sets it in the console.
async fn console_features(sandbox: &Sandbox, app: &AppId, features: &[&str]) {
    knob(
        sandbox,
        "PUT",
        &format!("/console/apps/{app}/provisioning"),
        json!({ "features": features }),
    )
    .await;
}

async fn user_id(client: &Client, login: &str) -> UserId {
    client.user_by_login(login).await.unwrap().unwrap().id
}

async fn group_id(client: &Client, name: &str) -> GroupId {
    client.groups_named(name).await.unwrap().remove(0).id
}

async fn app_id(client: &Client, label: &str) -> AppId {
    client.search_apps(label).await.unwrap().remove(0).id
}

/// Login → scope of the app's users (through `expand=user`).
async fn app_users(client: &Client, app: &AppId) -> Vec<(String, String)> {
    let users: Vec<Value> = client
        .get_all(&format!("/api/v1/apps/{app}/users?limit=500&expand=user"))
        .await
        .unwrap();
    let mut found: Vec<(String, String)> = users
        .iter()
        .map(|u| {
            (
                u["_embedded"]["user"]["profile"]["login"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                u["scope"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(l, s)| (l.to_string(), s.to_string()))
        .collect()
}

async fn status_of(client: &Client, method: reqwest::Method, url: String) -> u16 {
    match client.send(method, &url, None).await {
        Ok(answer) => answer.status,
        Err(e) => e.api().map_or(0, |a| a.status),
    }
}

#[tokio::test]
async fn group_members_are_listed_added_and_removed() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let base = sandbox.base_url().to_string();
    let engineering = group_id(&client, "Engineering").await;
    let members = |group: GroupId| {
        let client = &client;
        async move {
            let users: Vec<oktaform::okta::types::User> = client
                .get_all(&format!("/api/v1/groups/{group}/users?limit=200"))
                .await
                .unwrap();
            users
                .iter()
                .map(|u| u.login().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        members(engineering.clone()).await,
        ["alice@example.com", "bob@example.com"]
    );
    assert_eq!(members(group_id(&client, "Everyone").await).await.len(), 6);
    let erin = user_id(&client, "erin@example.com").await;
    let url = format!("{base}/api/v1/groups/{engineering}/users/{erin}");
    assert_eq!(
        status_of(&client, reqwest::Method::PUT, url.clone()).await,
        204
    );
    assert_eq!(members(engineering.clone()).await.len(), 3);
    assert_eq!(status_of(&client, reqwest::Method::DELETE, url).await, 204);
    assert_eq!(members(engineering.clone()).await.len(), 2);
    // Everyone is Okta's (BUILT_IN): its members cannot be changed.
    let everyone = group_id(&client, "Everyone").await;
    let error = client
        .send(
            reqwest::Method::DELETE,
            &format!("{base}/api/v1/groups/{everyone}/users/{erin}"),
            None,
        )
        .await
        .unwrap_err();
    let api = error.api().unwrap();
    assert_eq!((api.status, api.code()), (403, "E0000006"));
}

#[tokio::test]
async fn a_group_assignment_brings_its_members_and_takes_them_away() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let base = sandbox.base_url().to_string();
    let app = app_id(&client, "Lightrun").await;
    let engineering = group_id(&client, "Engineering").await;
    let alice = user_id(&client, "alice@example.com").await;
    client
        .put_app_group(&app, &engineering, None, &Map::new())
        .await
        .unwrap();
    assert_eq!(
        app_users(&client, &app).await,
        pairs(&[("alice@example.com", "GROUP"), ("bob@example.com", "GROUP")])
    );
    // A direct assignment of a member: the app user becomes the user's own.
    client.assign_user(&app, &alice, &Map::new()).await.unwrap();
    // Membership changes of an assigned group reach the app.
    let erin = user_id(&client, "erin@example.com").await;
    let bob = user_id(&client, "bob@example.com").await;
    let member = |user: &UserId| format!("{base}/api/v1/groups/{engineering}/users/{user}");
    status_of(&client, reqwest::Method::PUT, member(&erin)).await;
    status_of(&client, reqwest::Method::DELETE, member(&bob)).await;
    assert_eq!(
        app_users(&client, &app).await,
        pairs(&[("alice@example.com", "USER"), ("erin@example.com", "GROUP")])
    );
    // Removing the group removes what only it granted.
    client.unassign_group(&app, &engineering).await.unwrap();
    assert_eq!(
        app_users(&client, &app).await,
        pairs(&[("alice@example.com", "USER")])
    );
    // Another assigned group keeps a member's app user.
    let sales = group_id(&client, "Sales").await;
    client
        .put_app_group(&app, &sales, None, &Map::new())
        .await
        .unwrap();
    client
        .put_app_group(&app, &engineering, None, &Map::new())
        .await
        .unwrap();
    client.unassign_group(&app, &engineering).await.unwrap();
    assert_eq!(
        app_users(&client, &app).await,
        pairs(&[("alice@example.com", "USER"), ("erin@example.com", "GROUP")])
    );
}

#[tokio::test]
async fn a_user_a_group_grants_cannot_be_unassigned_directly() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let app = app_id(&client, "Luciq").await;
    let support = group_id(&client, "Support").await;
    let (carol, dave) = (
        user_id(&client, "carol@example.com").await,
        user_id(&client, "dave@example.com").await,
    );
    client.assign_user(&app, &carol, &Map::new()).await.unwrap();
    client
        .put_app_group(&app, &support, None, &Map::new())
        .await
        .unwrap();
    for user in [&carol, &dave] {
        let error = client.unassign_user(&app, user).await.unwrap_err();
        let api = error.api().unwrap();
        assert_eq!((api.status, api.code()), (403, "E0000046"), "{error}");
        assert_eq!(
            api.body.error_summary,
            "Deactivate application for user forbidden."
        );
        assert!(api.mentions(
            "The application cannot be unassigned from the user while their group memberships grant them access"
        ));
    }
    client.unassign_group(&app, &support).await.unwrap();
    client.unassign_user(&app, &carol).await.unwrap();
    assert!(app_users(&client, &app).await.is_empty());
}

/// The id of the default user type, and of the other (Contractor).
async fn user_types(client: &Client) -> (String, String) {
    let types: Vec<oktaform::okta::types::UserType> =
        client.get("/api/v1/meta/types/user").await.unwrap();
    let default = types.iter().find(|t| t.default == Some(true)).unwrap();
    let other = types.iter().find(|t| t.default != Some(true)).unwrap();
    (default.id.0.clone(), other.id.0.clone())
}

/// The Okta user → app mapping of this user type.
async fn mapping_of(client: &Client, type_id: &str, app: &AppId) -> ProfileMapping {
    client
        .mappings(Some(type_id), Some(&app.0))
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.source.id == type_id)
        .unwrap()
}

async fn set_profile(client: &Client, user: &UserId, profile: Value) -> Value {
    client
        .post(
            &format!("/api/v1/users/{user}"),
            &json!({ "profile": profile }),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn with_profile_push_a_mapped_attribute_takes_only_the_mappings_value() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let luciq = app_id(&client, "Luciq").await;
    let alice = user_id(&client, "alice@example.com").await;
    let role = json!({"title": "Role", "type": "string"});
    client
        .update_user_schema(one("role", role.clone()))
        .await
        .unwrap();
    client
        .update_app_schema(&luciq, one("role", role))
        .await
        .unwrap();
    let (default_type, _) = user_types(&client).await;
    let mapping = mapping_of(&client, &default_type, &luciq).await;
    client
        .update_mapping(
            &mapping.id,
            one(
                "role",
                json!({"expression": "user.role", "pushStatus": "PUSH"}),
            ),
        )
        .await
        .unwrap();
    console_features(
        &sandbox,
        &luciq,
        &[
            "SCIM_PROVISIONING",
            "PUSH_NEW_USERS",
            "PUSH_PROFILE_UPDATES",
        ],
    )
    .await;
    // alice's Okta profile has no role: a role on the assignment is refused.
    let error = client
        .assign_user(&luciq, &alice, &one("role", json!("admin")))
        .await
        .unwrap_err();
    let api = error.api().unwrap();
    assert_eq!((api.status, api.code()), (403, "E0000075"), "{error}");
    assert_eq!(
        api.body.error_summary,
        "Cannot modify the role attribute because it has a field mapping and profile push is enabled."
    );
    // The mapping's own value is accepted; it comes from the Okta user.
    set_profile(&client, &alice, json!({"role": "admin"})).await;
    let assigned = client
        .assign_user(&luciq, &alice, &one("role", json!("admin")))
        .await
        .unwrap();
    assert_eq!(assigned.profile["role"], "admin");
    let error = client
        .update_app_user(&luciq, &alice, &one("role", json!("member")))
        .await
        .unwrap_err();
    assert_eq!(error.api().unwrap().code(), "E0000075");

    // Without profile push the value is taken (and the mapping overwrites it on the next
    // profile change).
    console_features(&sandbox, &luciq, &["SCIM_PROVISIONING"]).await;
    let updated = client
        .update_app_user(&luciq, &alice, &one("role", json!("member")))
        .await
        .unwrap();
    assert_eq!(updated.profile["role"], "member");
    set_profile(&client, &alice, json!({"role": "owner"})).await;
    let app_user: Value = client
        .get(&format!("/api/v1/apps/{luciq}/users/{alice}"))
        .await
        .unwrap();
    assert_eq!(app_user["profile"]["role"], "owner");
}

#[tokio::test]
async fn app_profiles_follow_the_okta_user_not_a_mapping_change() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let app = app_id(&client, "AccessIQ").await;
    let (alice, bob) = (
        user_id(&client, "alice@example.com").await,
        user_id(&client, "bob@example.com").await,
    );
    client.assign_user(&app, &alice, &Map::new()).await.unwrap();
    let (default_type, _) = user_types(&client).await;
    let mapping = mapping_of(&client, &default_type, &app).await;
    let mut properties = Map::new();
    properties.insert(
        "displayName".into(),
        json!({"expression": "String.join(\" \", user.firstName, user.lastName)", "pushStatus": "PUSH"}),
    );
    properties.insert(
        "title".into(),
        json!({"expression": "user.title == null ? \"Staff\" : user.title", "pushStatus": "DONT_PUSH"}),
    );
    client
        .update_mapping(&mapping.id, properties)
        .await
        .unwrap();
    let profile = |user: &UserId| {
        let path = format!("/api/v1/apps/{app}/users/{user}");
        let client = &client;
        async move {
            let app_user: Value = client.get(&path).await.unwrap();
            app_user["profile"].clone()
        }
    };
    // A mapping change alone does not reach an existing app user.
    assert_eq!(profile(&alice).await["displayName"], Value::Null);
    // A new app user gets the mapping's outputs, and the SCIM base ones from the default mapping.
    client.assign_user(&app, &bob, &Map::new()).await.unwrap();
    let bobs = profile(&bob).await;
    assert_eq!(
        (
            bobs["displayName"].as_str(),
            bobs["title"].as_str(),
            bobs["userName"].as_str()
        ),
        (Some("Bob Baker"), Some("Staff"), Some("bob@example.com"))
    );
    // A profile update flows through the PUSH mappings, not the DONT_PUSH ones.
    set_profile(
        &client,
        &bob,
        json!({"lastName": "Builder", "title": "Lead"}),
    )
    .await;
    let bobs = profile(&bob).await;
    assert_eq!(
        (bobs["displayName"].as_str(), bobs["title"].as_str()),
        (Some("Bob Builder"), Some("Staff"))
    );
    assert_eq!(
        profile(&alice).await["displayName"],
        Value::Null,
        "not alice's"
    );
    // An attribute the user profile does not have is refused.
    let error = client
        .post::<_, Value>(
            &format!("/api/v1/users/{bob}"),
            &json!({"profile": {"nope": 1}}),
        )
        .await
        .unwrap_err();
    assert_eq!(error.api().unwrap().code(), "E0000001");
}

#[tokio::test]
async fn every_user_type_has_its_own_mapping_to_each_app() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let app = app_id(&client, "AccessIQ").await;
    let (default_type, contractor) = user_types(&client).await;
    let listed = client.mappings(None, Some(&app.0)).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed
            .iter()
            .all(|m| m.source.kind.as_deref() == Some("user"))
    );
    assert_ne!(
        listed[0].source.id, default_type,
        "the first listed is not the default type's: taking the first is wrong"
    );
    let default = listed.iter().find(|m| m.source.id == default_type).unwrap();
    assert_eq!(default.source.name.as_deref(), Some("user"));
    // Each type's own schema, linked from the type.
    let other: Value = client
        .get(&format!("/api/v1/meta/types/user/{contractor}"))
        .await
        .unwrap();
    let href = other["_links"]["schema"]["href"].as_str().unwrap();
    let schema: Value = client
        .get(href.strip_prefix(sandbox.base_url()).unwrap())
        .await
        .unwrap();
    assert_eq!(schema["name"], "contractor");
    // Each user's app profile comes from their own type's mapping.
    for (type_id, expression) in [
        (&default_type, "\"employee\""),
        (&contractor, "\"contractor\""),
    ] {
        let mapping = mapping_of(&client, type_id, &app).await;
        client
            .update_mapping(
                &mapping.id,
                one(
                    "title",
                    json!({"expression": expression, "pushStatus": "PUSH"}),
                ),
            )
            .await
            .unwrap();
    }
    for (login, title) in [
        ("alice@example.com", "employee"),
        ("frank@example.com", "contractor"),
    ] {
        let user = user_id(&client, login).await;
        let assigned = client.assign_user(&app, &user, &Map::new()).await.unwrap();
        assert_eq!(assigned.profile["title"], title, "{login}");
    }
}

#[tokio::test]
async fn new_app_users_are_staged_and_provisioned_only_with_create_users() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    set_knobs(
        &sandbox,
        json!({"provision_delay_ms": 150, "deletion_window_ms": 300}),
    )
    .await;
    let client = client(&sandbox);
    let app = app_id(&client, "Lightrun").await;
    let (alice, carol) = (
        user_id(&client, "alice@example.com").await,
        user_id(&client, "carol@example.com").await,
    );
    let status = |user: &UserId| {
        let path = format!("/api/v1/apps/{app}/users/{user}");
        let client = &client;
        async move {
            let app_user: Value = client.get(&path).await.unwrap();
            (
                app_user["status"].as_str().unwrap().to_string(),
                app_user["externalId"].clone(),
            )
        }
    };
    let assigned = client.assign_user(&app, &alice, &Map::new()).await.unwrap();
    assert_eq!(assigned.status.as_deref(), Some("STAGED"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        status(&alice).await,
        ("STAGED".into(), Value::Null),
        "Create Users is off"
    );
    console_features(&sandbox, &app, &["SCIM_PROVISIONING", "PUSH_NEW_USERS"]).await;
    let assigned = client.assign_user(&app, &carol, &Map::new()).await.unwrap();
    assert_eq!(assigned.status.as_deref(), Some("STAGED"), "queued");
    assert_eq!(status(&carol).await.0, "STAGED", "not before the delay");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (carols, external) = status(&carol).await;
    assert_eq!(carols, "PROVISIONED");
    assert!(external.is_string());
    // Users assigned before Create Users was on wait for the console's "Provision Users".
    assert_eq!(status(&alice).await.0, "STAGED");
    knob(
        &sandbox,
        "POST",
        &format!("/console/apps/{app}/provision-users"),
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(status(&alice).await.0, "PROVISIONED");
    let pushed = log_events(&client, r#"eventType eq "application.provision.user.push""#)
        .await
        .unwrap();
    assert_eq!(pushed.len(), 2);
    assert_eq!(pushed[0].actor.as_ref().unwrap().kind, "SystemPrincipal");
    // An app that does not provision (SCIM off) has ACTIVE app users (spec `AppUserStatus`).
    let accessiq = app_id(&client, "AccessIQ").await;
    console_features(&sandbox, &accessiq, &[]).await;
    let assigned = client
        .assign_user(&accessiq, &alice, &Map::new())
        .await
        .unwrap();
    assert_eq!(assigned.status.as_deref(), Some("ACTIVE"));
}

#[tokio::test]
async fn unassigning_with_deactivate_users_on_deprovisions() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let app = app_id(&client, "Lightrun").await;
    let (alice, bob) = (
        user_id(&client, "alice@example.com").await,
        user_id(&client, "bob@example.com").await,
    );
    client.assign_user(&app, &alice, &Map::new()).await.unwrap();
    client.assign_user(&app, &bob, &Map::new()).await.unwrap();
    client.unassign_user(&app, &alice).await.unwrap();
    console_features(
        &sandbox,
        &app,
        &["SCIM_PROVISIONING", "PUSH_USER_DEACTIVATION"],
    )
    .await;
    client.unassign_user(&app, &bob).await.unwrap();
    // The answer is 204 either way, and the app user is gone; the deprovisioning is Okta's.
    let gone = client
        .get::<Value>(&format!("/api/v1/apps/{app}/users/{bob}"))
        .await
        .unwrap_err();
    assert_eq!(gone.api().unwrap().status, 404);
    let deactivated = log_events(
        &client,
        r#"eventType eq "application.provision.user.deactivate""#,
    )
    .await
    .unwrap();
    let targets: Vec<&str> = deactivated
        .iter()
        .flat_map(|e| e.target.iter().map(|t| t.id.as_str()))
        .collect();
    assert!(targets.contains(&bob.0.as_str()), "{targets:?}");
    assert!(
        !targets.contains(&alice.0.as_str()),
        "alice was unassigned before"
    );
}

#[tokio::test]
async fn allow_listed_features_wait_for_an_enabled_connection() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let partner = client
        .apps_named("okta_org2org")
        .await
        .unwrap()
        .remove(0)
        .id;
    // Off only on request (the kinder, old behaviour): the features are served.
    set_knobs(
        &sandbox,
        json!({"features_need_enabled_connection": false, "deletion_window_ms": 300}),
    )
    .await;
    client.features(&partner).await.unwrap();
    // On by default, as on Okta.
    set_knobs(&sandbox, json!({"deletion_window_ms": 300})).await;
    let error = client.features(&partner).await.unwrap_err();
    let api = error.api().unwrap();
    assert_eq!(
        (api.status, api.code(), api.body.error_summary.as_str()),
        (400, "E0000001", "Api validation failed: feature")
    );
    assert!(api.mentions("Provisioning is not enabled for the app instance."));
    let put: Result<Value, Error> = client
        .put(
            &format!("/api/v1/apps/{partner}/features/USER_PROVISIONING"),
            &json!({"create": {"lifecycleCreate": {"status": "ENABLED"}}}),
        )
        .await;
    assert!(put.unwrap_err().api().unwrap().mentions("not enabled"));
    let _: Value = client
        .post(
            &format!("/api/v1/apps/{partner}/connections/default"),
            &json!({"baseUrl": "https://partner.okta.com", "profile": {"authScheme": "TOKEN", "token": "t"}}),
        )
        .await
        .unwrap();
    client
        .send(
            reqwest::Method::POST,
            &format!(
                "{}/api/v1/apps/{partner}/connections/default/lifecycle/activate",
                sandbox.base_url()
            ),
            None,
        )
        .await
        .unwrap();
    assert_eq!(client.features(&partner).await.unwrap().len(), 2);
}

#[tokio::test]
async fn unknown_methods_are_405_and_unknown_resources_404() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let app = app_id(&client, "Luciq").await;
    let base = sandbox.base_url();
    for (method, path, status, code) in [
        (
            reqwest::Method::DELETE,
            format!("/api/v1/apps/{app}"),
            405,
            "E0000022",
        ),
        (
            reqwest::Method::PATCH,
            "/api/v1/meta/schemas/user/default".to_string(),
            405,
            "E0000022",
        ),
        (
            reqwest::Method::GET,
            "/api/v1/nothing".to_string(),
            404,
            "E0000007",
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/apps/{app}/nothing"),
            404,
            "E0000007",
        ),
    ] {
        let error = client
            .send(method.clone(), &format!("{base}{path}"), None)
            .await
            .unwrap_err();
        let api = error.api().unwrap();
        assert_eq!((api.status, api.code()), (status, code), "{method} {path}");
    }
}

#[tokio::test]
async fn custom_names_may_not_differ_from_base_ones_only_in_case() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let app = app_id(&client, "Luciq").await;
    let error = client
        .update_user_schema(one("FirstName", property("First", "string")))
        .await
        .unwrap_err();
    assert!(
        error
            .api()
            .unwrap()
            .mentions("conflicts with the base property firstName"),
        "{error}"
    );
    let error = client
        .update_app_schema(&app, one("EMAIL", property("Mail", "string")))
        .await
        .unwrap_err();
    assert!(
        error.api().unwrap().mentions("base property email"),
        "{error}"
    );
    client
        .update_user_schema(one("firstNameKana", property("Kana", "string")))
        .await
        .unwrap();
}

#[tokio::test]
async fn settings_fixed_at_creation_are_kept_and_uniqueness_is_checked_later() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let client = client(&sandbox);
    let app = app_id(&client, "Luciq").await;
    let created = json!({"title": "Role", "type": "string", "scope": "NONE", "externalName": "role",
        "externalNamespace": "urn:ietf:params:scim:schemas:extension:a:2.0:User"});
    client
        .update_app_schema(&app, one("role", created))
        .await
        .unwrap();
    let changed = json!({"title": "Role 2", "type": "string", "scope": "SELF", "externalName": "role2",
        "externalNamespace": "urn:ietf:params:scim:schemas:extension:b:2.0:User", "unique": true});
    let schema = client
        .update_app_schema(&app, one("role", changed))
        .await
        .unwrap();
    let role = schema.property("role").unwrap();
    let role = serde_json::to_value(role).unwrap();
    assert_eq!(role["title"], "Role 2", "what may change, changes");
    assert_eq!(
        (
            role["scope"].as_str(),
            role["externalName"].as_str(),
            role["externalNamespace"].as_str(),
            role.get("unique")
        ),
        (
            Some("NONE"),
            Some("role"),
            Some("urn:ietf:params:scim:schemas:extension:a:2.0:User"),
            None
        ),
        "kept as created: {role}"
    );

    // Uniqueness made on an existing Okta user property: pending, then validated or dropped.
    let (alice, bob) = (
        user_id(&client, "alice@example.com").await,
        user_id(&client, "bob@example.com").await,
    );
    for name in ["badge", "desk"] {
        client
            .update_user_schema(one(name, property(name, "string")))
            .await
            .unwrap();
    }
    set_profile(&client, &alice, json!({"badge": "7", "desk": "A1"})).await;
    set_profile(&client, &bob, json!({"badge": "8", "desk": "A1"})).await;
    for (name, stays) in [("badge", true), ("desk", false)] {
        let unique = json!({"title": name, "type": "string", "unique": true});
        let answer = client.update_user_schema(one(name, unique)).await.unwrap();
        let property = serde_json::to_value(answer.property(name).unwrap()).unwrap();
        assert_eq!(property["unique"], "PENDING_UNIQUENESS", "{name}");
        let later = client.user_schema().await.unwrap();
        let property = serde_json::to_value(later.property(name).unwrap()).unwrap();
        if stays {
            assert_eq!(property["unique"], "UNIQUE_VALIDATED");
        } else {
            assert!(property.get("unique").is_none(), "duplicates: {property}");
        }
    }
}

#[tokio::test]
async fn the_deletion_window_lasts_minutes_by_default() {
    provider();
    let sandbox = Sandbox::start(options()).await.unwrap();
    let config = knob(&sandbox, "GET", "/config", json!({})).await;
    assert_eq!(config["deletion_window_ms"], 300_000);
    let client = client(&sandbox);
    client
        .update_user_schema(one("tier", property("Tier", "string")))
        .await
        .unwrap();
    client
        .update_user_schema(one("tier", Value::Null))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let error = client
        .update_user_schema(one("tier", property("Tier", "integer")))
        .await
        .unwrap_err();
    assert!(error.api().unwrap().mentions("deletion process"), "{error}");
}
