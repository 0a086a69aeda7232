//! The sandbox org's state: users, groups, the Okta user schema, apps (with their schema,
//! provisioning features, connection and assignments), profile mappings and the System Log —
//! stored as the JSON Okta sends, so answers have Okta's shapes. Saved atomically (temp file +
//! rename); a state file of another version is refused with a clear message.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The state file format. Bump it when the layout changes; older files are refused.
pub const STATE_VERSION: u32 = 1;

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
}

/// A property deleted recently: re-adding the name is refused until `until_ms`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deleting {
    /// `user` or the app id.
    pub schema: String,
    pub name: String,
    pub until_ms: u64,
}

/// The whole org.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgState {
    pub version: u32,
    pub next_id: u64,
    pub users: Vec<Value>,
    pub groups: Vec<Value>,
    pub user_type: Value,
    pub user_schema: Value,
    pub apps: Vec<AppState>,
    pub mappings: Vec<Value>,
    pub logs: Vec<Value>,
    #[serde(default)]
    pub deleting: Vec<Deleting>,
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
        let display = path.display().to_string();
        let fail = |e: std::io::Error| StateError::Write {
            path: display.clone(),
            reason: e.to_string(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let temp: PathBuf = path.with_extension(format!("tmp-{}", std::process::id()));
        let bytes = serde_json::to_vec(self).map_err(|e| StateError::Write {
            path: display.clone(),
            reason: e.to_string(),
        })?;
        std::fs::write(&temp, bytes).map_err(fail)?;
        std::fs::rename(&temp, path).map_err(fail)
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

    pub fn user(&self, id: &str) -> Option<&Value> {
        self.users.iter().find(|u| u["id"] == id)
    }

    pub fn group(&self, id: &str) -> Option<&Value> {
        self.groups.iter().find(|g| g["id"] == id)
    }

    pub fn mapping_index(&self, id: &str) -> Option<usize> {
        self.mappings.iter().position(|m| m["id"] == id)
    }

    /// Records a System Log event for a write.
    pub fn log(&mut self, actor: &Actor, event_type: &str, message: &str, targets: Vec<Value>) {
        let uuid = self.new_id("evt");
        self.logs.push(json!({
            "uuid": uuid,
            "published": timestamp(),
            "eventType": event_type,
            "version": "0",
            "severity": "INFO",
            "displayMessage": message,
            "actor": { "id": actor.id, "type": actor.kind, "alternateId": actor.alternate_id, "displayName": actor.display_name },
            "outcome": { "result": "SUCCESS" },
            "target": targets,
        }));
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

/// Who made a change, for the System Log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub kind: &'static str,
    pub alternate_id: String,
    pub display_name: String,
}

impl Actor {
    /// A Management API client (API token or service app).
    pub fn api(client: &str) -> Actor {
        Actor {
            id: client.into(),
            kind: "PublicClient",
            alternate_id: client.into(),
            display_name: "oktaform sandbox API client".into(),
        }
    }

    /// An administrator clicking in the Admin Console (the sandbox's reserved console paths).
    pub fn console() -> Actor {
        Actor {
            id: "00uADMINCONSOLE0000".into(),
            kind: "User",
            alternate_id: "admin@example.com".into(),
            display_name: "Sandbox Admin (Admin Console)".into(),
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
