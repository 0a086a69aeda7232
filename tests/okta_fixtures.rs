//! Every response body recorded from real Okta (`../shared/okta-fixtures`) for an endpoint
//! oktaform uses is parsed by the client's types and serialised back without loss; every
//! recorded Okta error body parses as a typed error.

use std::collections::BTreeMap;
use std::path::Path;

use oktaform::okta::error::ErrorBody;
use oktaform::okta::types::{
    App, AppFeature, AppGroup, AppUser, Connection, Group, GroupPushMapping, ProfileMapping,
    Schema, User, UserType,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/okta-fixtures");

struct Recorded {
    file: String,
    method: String,
    path: String,
    status: u16,
    body: String,
}

/// Reads both cassette formats (go-vcr: `url`, `code`, body string; vcrpy: `uri`,
/// `status.code`, `body.string`).
fn recordings() -> Vec<Recorded> {
    let mut out = Vec::new();
    for dir in ["terraform-provider-okta", "okta-sdk-python"] {
        let mut files: Vec<_> = std::fs::read_dir(Path::new(FIXTURES).join(dir))
            .expect("../shared/okta-fixtures must sit beside the crate")
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let cassette: Value =
                serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            for interaction in cassette["interactions"].as_array().unwrap() {
                let request = &interaction["request"];
                let response = &interaction["response"];
                let url = request["url"].as_str().or(request["uri"].as_str()).unwrap();
                let status = response["code"]
                    .as_u64()
                    .or(response["status"]["code"].as_u64())
                    .unwrap();
                let body = match &response["body"] {
                    Value::String(s) => s.clone(),
                    other => other["string"].as_str().unwrap_or_default().to_string(),
                };
                let path = url
                    .split("://")
                    .nth(1)
                    .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
                    .unwrap_or("/");
                out.push(Recorded {
                    file: file.file_name().unwrap().to_string_lossy().into_owned(),
                    method: request["method"].as_str().unwrap().to_string(),
                    path: path
                        .split('?')
                        .next()
                        .unwrap()
                        .trim_start_matches('/')
                        .to_string(),
                    status: status as u16,
                    body,
                });
            }
        }
    }
    out
}

/// Parses into `T`, serialises back, and compares with the recorded JSON.
fn round_trip<T: DeserializeOwned + Serialize>(
    recorded: &Recorded,
    original: &Value,
) -> Result<(), String> {
    let parsed: T =
        serde_json::from_value(original.clone()).map_err(|e| format!("does not parse: {e}"))?;
    let back = serde_json::to_value(&parsed).unwrap();
    if &back != original {
        return Err(format!(
            "lost or changed data:\n  recorded: {original}\n  re-sent:  {back}\n({} {} in {})",
            recorded.method, recorded.path, recorded.file
        ));
    }
    Ok(())
}

/// The type a recorded answer is read as, by method and path; `None` for endpoints oktaform does
/// not use (policies, identity providers, SAML metadata, …).
fn check(recorded: &Recorded, body: &Value) -> Option<(&'static str, Result<(), String>)> {
    let segments: Vec<&str> = recorded.path.split('/').filter(|s| !s.is_empty()).collect();
    let get_or_write = matches!(recorded.method.as_str(), "GET" | "PUT" | "POST" | "PATCH");
    if !get_or_write {
        return None;
    }
    Some(match segments.as_slice() {
        ["api", "v1", "apps"] if recorded.method == "GET" => {
            ("Vec<App>", round_trip::<Vec<App>>(recorded, body))
        }
        ["api", "v1", "apps"] | ["api", "v1", "apps", _] => {
            ("App", round_trip::<App>(recorded, body))
        }
        ["api", "v1", "apps", _, "features"] => (
            "Vec<AppFeature>",
            round_trip::<Vec<AppFeature>>(recorded, body),
        ),
        ["api", "v1", "apps", _, "features", _] => {
            ("AppFeature", round_trip::<AppFeature>(recorded, body))
        }
        ["api", "v1", "apps", _, "connections", "default"] => {
            ("Connection", round_trip::<Connection>(recorded, body))
        }
        ["api", "v1", "apps", _, "users"] if recorded.method == "GET" => {
            ("Vec<AppUser>", round_trip::<Vec<AppUser>>(recorded, body))
        }
        ["api", "v1", "apps", _, "users"] | ["api", "v1", "apps", _, "users", _] => {
            ("AppUser", round_trip::<AppUser>(recorded, body))
        }
        ["api", "v1", "apps", _, "groups"] => {
            ("Vec<AppGroup>", round_trip::<Vec<AppGroup>>(recorded, body))
        }
        ["api", "v1", "apps", _, "groups", _] => {
            ("AppGroup", round_trip::<AppGroup>(recorded, body))
        }
        ["api", "v1", "apps", _, "group-push", "mappings", ..] => (
            "GroupPushMapping",
            round_trip::<GroupPushMapping>(recorded, body),
        ),
        ["api", "v1", "meta", "schemas", ..] => ("Schema", round_trip::<Schema>(recorded, body)),
        ["api", "v1", "meta", "types", "user"] if recorded.method == "GET" => {
            ("Vec<UserType>", round_trip::<Vec<UserType>>(recorded, body))
        }
        ["api", "v1", "meta", "types", "user", ..] => {
            ("UserType", round_trip::<UserType>(recorded, body))
        }
        ["api", "v1", "mappings"] => (
            "Vec<ProfileMapping>",
            round_trip::<Vec<ProfileMapping>>(recorded, body),
        ),
        ["api", "v1", "mappings", _] => (
            "ProfileMapping",
            round_trip::<ProfileMapping>(recorded, body),
        ),
        ["api", "v1", "users"] | ["api", "v1", "users", _] => {
            ("User", round_trip::<User>(recorded, body))
        }
        ["api", "v1", "groups"] | ["api", "v1", "groups", _] => {
            ("Group", round_trip::<Group>(recorded, body))
        }
        _ => return None,
    })
}

#[test]
fn every_recorded_body_round_trips_through_the_client_types() {
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut errors_checked = 0;
    for recorded in recordings() {
        let Ok(body) = serde_json::from_str::<Value>(&recorded.body) else {
            continue; // empty (204) or not JSON (SAML metadata)
        };
        if recorded.status >= 400 {
            if body.get("errorCode").is_some() {
                let error: ErrorBody = serde_json::from_value(body.clone()).unwrap();
                assert!(
                    error.error_code.starts_with('E') && !error.error_summary.is_empty(),
                    "{body}"
                );
                errors_checked += 1;
            }
            continue;
        }
        if let Some((kind, result)) = check(&recorded, &body) {
            *checked.entry(kind).or_default() += 1;
            if let Err(e) = result {
                failures.push(format!("{kind}: {e}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} bodies failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    for kind in [
        "Vec<App>",
        "App",
        "AppFeature",
        "Connection",
        "Vec<AppUser>",
        "AppUser",
        "AppGroup",
        "GroupPushMapping",
        "Schema",
        "Vec<UserType>",
        "UserType",
        "Vec<ProfileMapping>",
        "ProfileMapping",
        "User",
        "Group",
    ] {
        assert!(
            checked.get(kind).copied().unwrap_or(0) > 0,
            "no recorded body exercised {kind}: {checked:?}"
        );
    }
    assert!(
        errors_checked >= 10,
        "only {errors_checked} recorded error bodies"
    );
    println!("round-tripped: {checked:?}; error bodies: {errors_checked}");
}
