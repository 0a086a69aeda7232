//! Okta's objects as the API sends them, typed where oktaform reads or writes a field.
//!
//! Every struct keeps what it does not type in `extra` (`#[serde(flatten)]`), so a
//! read–modify–write never drops what Okta or another admin set, and a body round-trips without
//! loss (`tests/okta_fixtures.rs` checks this against every recorded answer). Fields that Okta
//! sends as `null` are left in `extra` for the same reason.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::{AppId, GroupId, MappingId, UserId, UserTypeId};

pub type Extra = Map<String, Value>;

/// An app instance (`/api/v1/apps/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct App {
    pub id: AppId,
    /// The OIN integration's name (`okta_org2org`), or a generated one for custom apps.
    pub name: String,
    pub label: String,
    pub status: String,
    /// The app's provisioning capabilities (`PUSH_NEW_USERS`, `SCIM_PROVISIONING`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl App {
    /// `SAML_2_0`, `OPENID_CONNECT`, … (`null` for some OIN apps, so it stays in `extra`).
    pub fn sign_on_mode(&self) -> Option<&str> {
        self.extra.get("signOnMode").and_then(Value::as_str)
    }
}

/// An app feature (`USER_PROVISIONING`, `INBOUND_PROVISIONING`). `capabilities` is kept whole
/// (it is what a PUT sends back) and read through [`crate::okta::types::AppFeature::capability`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppFeature {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl AppFeature {
    /// A capability value by JSON pointer, e.g. `/create/lifecycleCreate/status`.
    pub fn capability(&self, pointer: &str) -> Option<&Value> {
        self.capabilities.as_ref()?.pointer(pointer)
    }

    /// Sets a value in a capabilities object by JSON pointer, creating objects on the way.
    pub fn set_capability(capabilities: &mut Value, pointer: &str, value: Value) {
        let mut node = capabilities;
        let mut keys = pointer.trim_start_matches('/').split('/').peekable();
        while let Some(key) = keys.next() {
            if !node.is_object() {
                *node = Value::Object(Map::new());
            }
            let Some(map) = node.as_object_mut() else {
                return;
            };
            if keys.peek().is_none() {
                map.insert(key.to_string(), value);
                return;
            }
            node = map
                .entry(key.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
        }
    }
}

/// The default provisioning connection (`/connections/default`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_scheme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user schema: the Okta user profile's or an app user profile's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub definitions: Definitions,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definitions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<SchemaSection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<SchemaSection>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaSection {
    #[serde(default)]
    pub properties: IndexMap<String, SchemaProperty>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Schema {
    /// The custom properties (empty when there are none).
    pub fn custom(&self) -> impl Iterator<Item = (&String, &SchemaProperty)> {
        self.definitions
            .custom
            .iter()
            .flat_map(|s| s.properties.iter())
    }

    /// The base properties.
    pub fn base(&self) -> impl Iterator<Item = (&String, &SchemaProperty)> {
        self.definitions
            .base
            .iter()
            .flat_map(|s| s.properties.iter())
    }

    /// Whether a value is required: `required: true` on the property, or its name in its
    /// section's JSON Schema `required` list (how the base sections say it).
    pub fn is_required(&self, name: &str) -> bool {
        let listed = |section: &Option<SchemaSection>| {
            section
                .as_ref()
                .and_then(|s| s.extra.get("required"))
                .and_then(Value::as_array)
                .is_some_and(|names| names.iter().any(|n| n == name))
        };
        self.property(name).and_then(|p| p.required) == Some(true)
            || listed(&self.definitions.base)
            || listed(&self.definitions.custom)
    }

    pub fn property(&self, name: &str) -> Option<&SchemaProperty> {
        self.definitions
            .custom
            .as_ref()
            .and_then(|s| s.properties.get(name))
            .or_else(|| {
                self.definitions
                    .base
                    .as_ref()
                    .and_then(|s| s.properties.get(name))
            })
    }
}

/// One attribute of a user schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaProperty {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(rename = "enum", default, skip_serializing_if = "Option::is_none")]
    pub enum_values: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<EnumChoice>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<SchemaItems>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// `true` in requests; `UNIQUE_VALIDATED` / `PENDING_UNIQUENESS` / `NOT_UNIQUE` in answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutability: Option<String>,
    /// `ENABLE` / `DISABLE` (arrays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub union: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An enum value's display title (`oneOf: [{const, title}]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumChoice {
    #[serde(rename = "const")]
    pub value: Value,
    pub title: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The element type of an array attribute.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaItems {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(rename = "enum", default, skip_serializing_if = "Option::is_none")]
    pub enum_values: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<EnumChoice>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user type (`/api/v1/meta/types/user`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserType {
    pub id: UserTypeId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A profile mapping: in a list without `properties`, alone with them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileMapping {
    pub id: MappingId,
    pub source: MappingEnd,
    pub target: MappingEnd,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<IndexMap<String, MappingProperty>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One side of a mapping: an app (`type: appuser`, id `0oa…`) or a user type (`type: user`, id `oty…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingEnd {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MappingProperty {
    pub expression: String,
    /// `PUSH` (create and update) or `DONT_PUSH` (create only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_status: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user assigned to an app (`/api/v1/apps/{id}/users/{userId}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppUser {
    pub id: UserId,
    /// `USER` (assigned directly) or `GROUP` (through a group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub profile: Map<String, Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A group assigned to an app (`/api/v1/apps/{id}/groups/{groupId}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppGroup {
    pub id: GroupId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    #[serde(default)]
    pub profile: Map<String, Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A group push mapping (`/api/v1/apps/{id}/group-push/mappings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupPushMapping {
    pub id: String,
    pub source_group_id: GroupId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group_id: Option<GroupId>,
    pub status: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An Okta user (`/api/v1/users/{id}`): what oktaform needs to resolve a login.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub profile: Map<String, Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl User {
    pub fn login(&self) -> Option<&str> {
        self.profile.get("login").and_then(Value::as_str)
    }
}

/// An Okta group (`/api/v1/groups/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub profile: Map<String, Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Group {
    pub fn name(&self) -> Option<&str> {
        self.profile.get("name").and_then(Value::as_str)
    }
}

/// A System Log event (`/api/v1/logs`): who did what to which objects, from where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEvent {
    #[serde(default)]
    pub uuid: String,
    /// RFC 3339, e.g. `2026-11-30T14:02:11.123Z`.
    pub published: String,
    pub event_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<LogActor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<LogClient>,
    #[serde(default)]
    pub target: Vec<LogTarget>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Who acted: a user (an admin in the console, or the owner of an API token) or a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogActor {
    #[serde(default)]
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Where the request came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogClient {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<LogUserAgent>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogUserAgent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_user_agent: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An object the event touched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogTarget {
    #[serde(default)]
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}
