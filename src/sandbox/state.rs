//! The sandbox org's state: users, groups, the Okta user schema, apps (with their schema,
//! provisioning features, connection and assignments), profile mappings and the System Log —
//! stored as the JSON Okta sends, so answers have Okta's shapes. Saved atomically (temp file +
//! rename); a state file of another version is refused with a clear message.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The state file format. Bump it when the layout changes; older files are refused.
/// 2: group memberships, user types besides the default, app users being provisioned.
pub const STATE_VERSION: u32 = 2;

/// One app and everything hanging off it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppState {
    /// The app object (`features` array included).
    pub app: Value,
    /// The app user schema.
    pub schema: Value,
    /// On the Features-API allow-list: `USER_PROVISIONING` / `INBOUND_PROVISIONING` objects.
    pub features: Option<Vec<Value>>,
    /// The default provisioning connection (allow-listed apps only).
    pub connection: Value,
    /// What only the Admin Console sets for a custom app: the SCIM connection settings.
    pub console: Value,
    pub users: Vec<Value>,
    pub groups: Vec<Value>,
    #[serde(default)]
    pub group_push: Vec<Value>,
    /// The `targetGroupName` each push mapping to a new group was created with (Okta does not
    /// answer it back, but names the vendor's group with it): mapping id → name.
    #[serde(default)]
    pub push_target_names: std::collections::BTreeMap<String, String>,
}

/// A property deleted recently: re-adding the name is refused until `until_ms`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deleting {
    /// `user` or the app id.
    pub schema: String,
    pub name: String,
    pub until_ms: u64,
}

/// A user type other than the default, with its own user schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserTypeState {
    pub user_type: Value,
    pub schema: Value,
}

/// An app user whose provisioning (`STAGED` → `PROVISIONED`) completes at `at_ms`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Provisioning {
    pub app: String,
    pub user: String,
    pub at_ms: u64,
}

/// The whole org.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgState {
    pub version: u32,
    pub next_id: u64,
    pub users: Vec<Value>,
    /// User id → index in `users`, built on first use; `users` only grows (seeding), and
    /// whoever adds one clears it ([`OrgState::add_user_value`]).
    #[serde(skip)]
    pub user_index: std::sync::OnceLock<HashMap<String, usize>>,
    pub groups: Vec<Value>,
    /// The default user type (`default: true`) and its schema.
    pub user_type: Value,
    pub user_schema: Value,
    /// The other user types, each with its schema.
    #[serde(default)]
    pub user_types: Vec<UserTypeState>,
    pub apps: Vec<AppState>,
    pub mappings: Vec<Value>,
    pub logs: Vec<Value>,
    #[serde(default)]
    pub deleting: Vec<Deleting>,
    /// Group id → the ids of its members, in the order they joined.
    #[serde(default)]
    pub members: BTreeMap<String, Vec<String>>,
    /// App users whose provisioning is under way.
    #[serde(default)]
    pub provisioning: Vec<Provisioning>,
    /// App id → its embedded SCIM server and what Okta pushed to it (`super::scim`).
    #[serde(default)]
    pub scim: BTreeMap<String, super::scim::ScimApp>,
}

/// Why a state file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read the sandbox state {path}: {reason}")]
    Read { path: String, reason: String },
    #[error(
        "the sandbox state {path} has version {found}, this oktaform uses version {expected}; delete the file (or pass another --state) to start a fresh sandbox"
    )]
    Version {
        path: String,
        found: u64,
        expected: u32,
    },
    #[error("the sandbox state {path} is not valid: {reason}; delete it to start a fresh sandbox")]
    Invalid { path: String, reason: String },
    #[error("cannot save the sandbox state {path}: {reason}")]
    Write { path: String, reason: String },
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

/// `2026-11-22T10:20:00.000Z`, as Okta writes times.
pub fn timestamp() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

impl OrgState {
    /// Loads `path`, or seeds a new org when it does not exist.
    pub fn load_or_seed(path: Option<&Path>, seed: super::Seed) -> Result<OrgState, StateError> {
        let Some(path) = path.filter(|p| p.exists()) else {
            return Ok(super::seed::org(seed));
        };
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| StateError::Read {
            path: display.clone(),
            reason: e.to_string(),
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| StateError::Invalid {
            path: display.clone(),
            reason: e.to_string(),
        })?;
        let found = value.get("version").and_then(Value::as_u64).unwrap_or(0);
        if found != u64::from(STATE_VERSION) {
            return Err(StateError::Version {
                path: display,
                found,
                expected: STATE_VERSION,
            });
        }
        serde_json::from_value(value).map_err(|e| StateError::Invalid {
            path: display,
            reason: e.to_string(),
        })
    }

    /// Writes through a temporary file and a rename, so a crash never leaves a torn file.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let bytes = serde_json::to_vec(self).map_err(|e| StateError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        write_file(path, &bytes)
    }

    /// A new Okta-shaped id: a prefix and 17 more characters (`0oa…`, `00u…`, `prm…`).
    pub fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut n = self.next_id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5bd1_e995;
        let mut tail = String::new();
        for i in 0..(20 - prefix.len()) {
            // Keep a digit in every id so clients can tell ids from path words.
            let c = if i == 0 {
                ALPHABET[(self.next_id % 10) as usize]
            } else {
                ALPHABET[(n % 62) as usize]
            };
            tail.push(c as char);
            n /= 62;
            if n == 0 {
                n = self.next_id.wrapping_mul(31 + i as u64) + 7;
            }
        }
        format!("{prefix}{tail}")
    }

    pub fn app_index(&self, id: &str) -> Option<usize> {
        self.apps.iter().position(|a| a.app["id"] == id)
    }

    /// User `id`, by index (a 30,000-user org answers each write without a scan).
    pub fn user(&self, id: &str) -> Option<&Value> {
        let index = self.user_index.get_or_init(|| {
            self.users
                .iter()
                .enumerate()
                .filter_map(|(n, u)| Some((u["id"].as_str()?.to_string(), n)))
                .collect()
        });
        index
            .get(id)
            .and_then(|&n| self.users.get(n))
            .filter(|u| u["id"] == id)
            // Not indexed (an unknown id, or a user added behind the index's back): a scan.
            .or_else(|| self.users.iter().find(|u| u["id"] == id))
    }

    /// Adds a user to the directory.
    pub fn add_user_value(&mut self, user: Value) {
        self.users.push(user);
        self.user_index = std::sync::OnceLock::new();
    }

    pub fn group(&self, id: &str) -> Option<&Value> {
        self.groups.iter().find(|g| g["id"] == id)
    }

    pub fn mapping_index(&self, id: &str) -> Option<usize> {
        self.mappings.iter().position(|m| m["id"] == id)
    }

    /// The members of group `id`.
    pub fn members_of(&self, id: &str) -> &[String] {
        self.members.get(id).map_or(&[], Vec::as_slice)
    }

    /// The user type of user `id` (the default one when the user names none).
    pub fn type_of(&self, user: &Value) -> String {
        user["type"]["id"]
            .as_str()
            .or(self.user_type["id"].as_str())
            .unwrap_or_default()
            .to_string()
    }

    /// The user schema of user type `id`.
    pub fn schema_of_type(&self, id: &str) -> Option<&Value> {
        if self.user_type["id"] == id {
            return Some(&self.user_schema);
        }
        self.user_types
            .iter()
            .find(|t| t.user_type["id"] == id)
            .map(|t| &t.schema)
    }

    /// The Okta user → app mapping of `type_id` (user type) to app `app_id`.
    pub fn mapping_to_app(&self, type_id: &str, app_id: &str) -> Option<&Value> {
        self.mappings
            .iter()
            .find(|m| m["source"]["id"] == type_id && m["target"]["id"] == app_id)
    }

    /// Records a System Log event for a write: who (`actor`), from where (`client`, `request`,
    /// `transaction`), what, to which objects. The shape is the spec's `LogEvent` (example
    /// `ListLogs` of `listLogEvents`); `published` has milliseconds, as there.
    pub fn log(&mut self, actor: &Actor, event_type: &str, message: &str, targets: Vec<Value>) {
        let uuid = self.new_id("evt");
        let origin = &actor.origin;
        let job = origin.ip_address.is_empty();
        let mut client = json!({ "ipAddress": origin.ip_address });
        if let Some(agent) = &origin.user_agent {
            client["userAgent"] = json!({ "rawUserAgent": agent });
        }
        // Spec `LogClient.id`: "For OAuth requests, this is the ID of the OAuth client making
        // the request."
        if let Some(id) = &origin.client_id {
            client["id"] = json!(id);
        }
        // Spec `LogTransaction`: an action performed through an API token carries the token's
        // id as `detail.requestApiTokenId`. The transaction id is the request's
        // `X-Okta-Request-Id` (unverified: Okta's ids look alike, `Wn4f-0RQ8D8lTSLkAmkKdQAADqo`).
        let mut detail = Map::new();
        if let Some(token) = &origin.api_token_id {
            detail.insert("requestApiTokenId".into(), json!(token));
        }
        let version = if origin.ip_address.contains(':') {
            "V6"
        } else {
            "V4"
        };
        let mut event = json!({
            "uuid": uuid,
            "published": timestamp(),
            "eventType": event_type,
            "version": "0",
            "severity": "INFO",
            "displayMessage": message,
            "actor": { "id": actor.id, "type": actor.kind, "alternateId": actor.alternate_id, "displayName": actor.display_name },
            "client": client,
            "request": { "ipChain": [{ "ip": origin.ip_address, "version": version }] },
            "transaction": { "type": "WEB", "id": origin.request_id, "detail": detail },
            "outcome": { "result": "SUCCESS" },
            "target": targets,
        });
        if job {
            // Spec `LogClient`: "When the event isn't sourced to an HTTP request, such as an
            // automatic update, the `client` object field is blank"; `LogRequest`: "… the
            // `ipChain` field is empty"; `LogTransaction.type`: "`JOB` indicates an
            // asynchronous task".
            event["client"] = json!({});
            event["request"] = json!({ "ipChain": [] });
            event["transaction"] = json!({ "type": "JOB", "id": uuid, "detail": {} });
        }
        self.logs.push(event);
    }
}

impl OrgState {
    /// Records a System Log event whose first target is app `index`.
    pub fn log_app(
        &mut self,
        index: usize,
        actor: &Actor,
        event_type: &str,
        message: &str,
        more: Vec<Value>,
    ) {
        let app = &self.apps[index].app;
        let mut targets = vec![target(&app["id"], "AppInstance", &app["label"])];
        targets.extend(more);
        self.log(actor, event_type, message, targets);
    }
}

/// Who made a change, and from where, for the System Log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub kind: &'static str,
    pub alternate_id: String,
    pub display_name: String,
    pub origin: Origin,
}

/// The request a change came with: the System Log's `client`, `request` and `transaction`.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The peer address of the connection.
    pub ip_address: String,
    /// The `User-Agent` header, as sent.
    pub user_agent: Option<String>,
    /// The OAuth client, for requests with an access token.
    pub client_id: Option<String>,
    /// The API token's id, for requests with `SSWS`.
    pub api_token_id: Option<String>,
    /// The request's `X-Okta-Request-Id`.
    pub request_id: String,
}

/// What the Admin Console's browser sends (the spec's `ListLogs` example, `rawUserAgent`).
pub const BROWSER_USER_AGENT: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36";

/// The administrator of the sandbox org: the console's default admin and the owner of its API
/// token.
pub const ADMIN_LOGIN: &str = "admin@example.com";

/// The id of the sandbox's API token (Okta's token ids start with `00T`: spec `ApiToken`).
pub const API_TOKEN_ID: &str = "00Tsandbox0000000001";

/// An Okta-shaped id (`prefix` and more characters, 20 in all, a digit among them) made from
/// `key`, the same for the same key — for what must not move the ids [`OrgState::new_id`] hands
/// out in order (the demo org's app ids appear in the tests' snapshots).
pub fn derived_id(prefix: &str, key: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    // FNV-1a, then base 62.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut tail = String::from("7");
    while tail.len() + prefix.len() < 20 {
        hash ^= hash >> 29;
        hash = hash.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        tail.push(ALPHABET[((hash >> 32) % 62) as usize] as char);
    }
    format!("{prefix}{tail}")
}

/// An Okta-shaped user id for an administrator's login, the same for the same login.
fn admin_id(login: &str) -> String {
    derived_id("00u", &login.to_lowercase())
}

impl Actor {
    /// An OAuth service app (client credentials): actor type `PublicClient`, as Okta logs
    /// service apps (unverified: no recorded System Log in `../shared`).
    pub fn api(client: &str) -> Actor {
        Actor {
            id: client.into(),
            kind: "PublicClient",
            alternate_id: client.into(),
            display_name: "oktaform sandbox API client".into(),
            origin: Origin {
                client_id: Some(client.into()),
                ..Origin::default()
            },
        }
    }

    /// A request with the sandbox's API token. An API token acts as the admin who created it
    /// (spec `ApiToken.userId`: "The userId of the user who created the API Token"), so the
    /// actor is that admin, and the token shows only in `transaction.detail.requestApiTokenId`
    /// (spec `LogTransaction`). Unverified that the actor is the owner: no recorded System Log
    /// in `../shared`; it is how the spec describes tokens.
    pub fn api_token() -> Actor {
        let mut actor = Actor::admin(ADMIN_LOGIN);
        actor.origin.api_token_id = Some(API_TOKEN_ID.into());
        actor
    }

    /// An administrator clicking in the Admin Console (the sandbox's reserved console paths):
    /// a `User`, from a browser.
    pub fn console(login: &str) -> Actor {
        let mut actor = Actor::admin(login);
        actor.origin.user_agent = Some(BROWSER_USER_AGENT.into());
        actor
    }

    /// Okta itself, for what background jobs do (provisioning to the app). Unverified shape:
    /// Okta's help names `system@okta.com` as the actor of automatic events (support article
    /// "Meaning of the Revoke API token events").
    pub fn system() -> Actor {
        Actor {
            id: "0oasystem00000000001".into(),
            kind: "SystemPrincipal",
            alternate_id: "system@okta.com".into(),
            display_name: "Okta System".into(),
            origin: Origin::default(),
        }
    }

    fn admin(login: &str) -> Actor {
        Actor {
            id: admin_id(login),
            kind: "User",
            alternate_id: login.into(),
            display_name: login.split('@').next().unwrap_or(login).to_string(),
            origin: Origin::default(),
        }
    }
}

/// A target entry of a System Log event.
pub fn target(id: &Value, kind: &str, name: &Value) -> Value {
    json!({ "id": id, "type": kind, "displayName": name })
}

/// `properties` of a schema's custom section (created if missing).
pub fn custom_properties(schema: &mut Value) -> &mut Map<String, Value> {
    if !schema["definitions"]["custom"]["properties"].is_object() {
        schema["definitions"]["custom"] =
            json!({ "id": "#custom", "type": "object", "properties": {}, "required": [] });
    }
    match schema["definitions"]["custom"]["properties"].as_object_mut() {
        Some(map) => map,
        None => unreachable!("just made an object"),
    }
}

/// Writes a state file whole: to a temporary file beside it, then renamed over it.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let display = path.display().to_string();
    let fail = |e: std::io::Error| StateError::Write {
        path: display.clone(),
        reason: e.to_string(),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let temp: PathBuf = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&temp, bytes).map_err(fail)?;
    std::fs::rename(&temp, path).map_err(fail)
}

#[cfg(test)]
mod tests {
    use crate::sandbox::Seed;
    use crate::sandbox::seed;

    #[test]
    fn users_are_found_by_index_also_after_one_is_added_or_pushed_behind_its_back() {
        let mut org = seed::org(Seed::Empty);
        let a = seed::add_user(&mut org, "a@example.com", "A", "A");
        assert_eq!(org.user(&a).unwrap()["profile"]["login"], "a@example.com");
        let b = seed::add_user(&mut org, "b@example.com", "B", "B");
        assert_eq!(org.user(&b).unwrap()["profile"]["login"], "b@example.com");
        // Not through add_user_value: the index does not know it, the scan finds it.
        org.users
            .push(serde_json::json!({"id": "00uBEHIND", "profile": {"login": "c@example.com"}}));
        assert_eq!(
            org.user("00uBEHIND").unwrap()["profile"]["login"],
            "c@example.com"
        );
        assert!(org.user("00uNOBODY").is_none());
    }
}
