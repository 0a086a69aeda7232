//! Okta's objects as the API sends them, typed where oktaform reads or writes a field.
//!
//! Every struct keeps what it does not type in `extra` (`#[serde(flatten)]`), so a
//! read–modify–write never drops what Okta or another admin set, and a body round-trips without
//! loss (`tests/okta_fixtures.rs` checks this against every recorded answer). Fields that Okta
//! sends as `null` are left in `extra` for the same reason.

use indexmap::IndexMap;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::scope::ProfileKeys;
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

/// An item of the assigned-users list (`expand=user`), as the read keeps it: the assignment,
/// the profile attributes the read asked for, and its embedded user's login. Everything else
/// of the item — the embedded user's profile and links, credentials, sync state, timestamps,
/// the profile attributes not asked for — is skipped while parsing, never held: a page of
/// 500 is parsed at the speed of reading it, and 75,000 assignments fit in a plan's memory.
/// Parse a page with [`ListedAppUsers`].
#[derive(Debug)]
pub struct ListedAppUser {
    pub id: UserId,
    pub scope: Option<String>,
    pub status: Option<String>,
    pub profile: Map<String, Value>,
    /// `_embedded.user.profile.login`; empty when the item has none.
    pub login: String,
}

impl ListedAppUser {
    /// The assignment without its embedded user.
    pub fn into_assignment(self) -> AppUser {
        AppUser {
            id: self.id,
            scope: self.scope,
            status: self.status,
            profile: self.profile,
            extra: Extra::new(),
        }
    }
}

/// Parses a page of the assigned-users list, keeping the profile attributes `.0` names.
pub struct ListedAppUsers<'a>(pub &'a ProfileKeys);

impl<'de> DeserializeSeed<'de> for ListedAppUsers<'_> {
    type Value = Vec<ListedAppUser>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct Items<'a>(&'a ProfileKeys);
        impl<'de> Visitor<'de> for Items<'_> {
            type Value = Vec<ListedAppUser>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of app users")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(item) = seq.next_element_seed(Item(self.0))? {
                    items.push(item);
                }
                Ok(items)
            }
        }
        d.deserialize_seq(Items(self.0))
    }
}

struct Item<'a>(&'a ProfileKeys);

impl<'de> DeserializeSeed<'de> for Item<'_> {
    type Value = ListedAppUser;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Item<'_> {
    type Value = ListedAppUser;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an app user")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut id, mut scope, mut status) = (None, None, None);
        let mut profile = Map::new();
        let mut login = String::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            match key.0.as_ref() {
                "id" => id = Some(map.next_value::<UserId>()?),
                "scope" => scope = map.next_value()?,
                "status" => status = map.next_value()?,
                "profile" => profile = map.next_value_seed(Profile(self.0))?,
                "_embedded" => {
                    let embedded: Option<EmbeddedUser> = map.next_value()?;
                    login = embedded
                        .and_then(|e| e.user)
                        .and_then(|u| u.profile)
                        .and_then(|p| p.login)
                        .unwrap_or_default();
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(ListedAppUser {
            id: id.ok_or_else(|| serde::de::Error::missing_field("id"))?,
            scope,
            status,
            profile,
            login,
        })
    }
}

/// An app user's profile, only the attributes asked for (`null`: none).
struct Profile<'a>(&'a ProfileKeys);

impl<'de> DeserializeSeed<'de> for Profile<'_> {
    type Value = Map<String, Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Profile<'_> {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an app user profile")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Map::new())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Map::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // Room for what is kept, no more: a map grows room for four, and 75,000 profiles of
        // one value each would hold 20 MB of it.
        let mut profile = match self.0 {
            ProfileKeys::Only(keys) => Map::with_capacity(keys.len()),
            ProfileKeys::All => Map::new(),
        };
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if self.0.keeps(&key.0) {
                profile.insert(key.0.into_owned(), map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(profile)
    }
}

/// An object key, borrowed from the answer when it has no escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

#[derive(Debug, Deserialize)]
struct EmbeddedUser {
    #[serde(default)]
    user: Option<LoginOnly>,
}

#[derive(Debug, Deserialize)]
struct LoginOnly {
    #[serde(default)]
    profile: Option<LoginProfile>,
}

#[derive(Debug, Deserialize)]
struct LoginProfile {
    #[serde(default)]
    login: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(keys: &ProfileKeys, text: &str) -> Result<Vec<ListedAppUser>, serde_json::Error> {
        let mut parser = serde_json::Deserializer::from_str(text);
        let users = ListedAppUsers(keys).deserialize(&mut parser)?;
        parser.end().map(|()| users)
    }

    const ITEM: &str = r#"[{"id":"00u1","externalId":null,"scope":"USER","status":"PROVISIONED",
        "credentials":{"userName":"a@example.com"},
        "profile":{"userName":"a@example.com","instabugRole":"adminstrator","instabugApplications":["iOS App"],"title":null},
        "_links":{"app":{"href":"x"}},
        "_embedded":{"user":{"id":"00u1","profile":{"firstName":"A","login":"A@Example.com"},"credentials":{}}}}]"#;

    #[test]
    fn an_assigned_user_keeps_the_login_and_only_the_profile_attributes_asked_for() {
        let only = ProfileKeys::Only(["instabugRole".to_string(), "missing".into()].into());
        let users = page(&only, ITEM).unwrap();
        assert_eq!(users.len(), 1);
        let user = &users[0];
        assert_eq!(user.id.0, "00u1");
        assert_eq!(user.login, "A@Example.com");
        assert_eq!(user.scope.as_deref(), Some("USER"));
        assert_eq!(user.status.as_deref(), Some("PROVISIONED"));
        assert_eq!(
            Value::Object(user.profile.clone()),
            serde_json::json!({"instabugRole": "adminstrator"})
        );
    }

    #[test]
    fn the_whole_profile_is_kept_when_asked_for_and_a_missing_one_is_empty() {
        let users = page(&ProfileKeys::All, ITEM).unwrap();
        assert_eq!(users[0].profile.len(), 4);
        let bare = page(
            &ProfileKeys::All,
            r#"[{"id":"00u2","profile":null},{"id":"00u3"}]"#,
        )
        .unwrap();
        assert!(
            bare.iter()
                .all(|u| u.profile.is_empty() && u.login.is_empty())
        );
    }

    #[test]
    fn escaped_keys_are_matched_and_malformed_pages_are_refused() {
        let only = ProfileKeys::Only(["role".to_string()].into());
        let users = page(&only, r#"[{"id":"00u1","profile":{"r\u006fle":"member"}}]"#).unwrap();
        assert_eq!(users[0].profile["role"], "member");
        assert!(page(&only, r#"[{"profile":{}}]"#).is_err(), "no id");
        assert!(page(&only, r#"[{"id":"00u1"}] trailing"#).is_err());
        assert!(page(&only, r#"{"id":"00u1"}"#).is_err(), "not a list");
    }
}
