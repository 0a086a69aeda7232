//! The sandbox behaves like Okta, checked with the real client over loopback HTTP: paging, rate
//! limits and 429s, error shapes, the schema deletion window, mapped properties, priority
//! renumbering, persistence, concurrency, and OAuth with DPoP and scopes.

use std::time::Duration;

use oktaform::ids::OrgUrl;
use oktaform::okta::jws::SigningKey;
use oktaform::okta::types::{AppGroup, ProfileMapping};
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
        8,
        "two default mappings for each of the four demo apps"
    );
    assert_eq!(requests(&sandbox).await, 8, "one request per page");
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
