//! The live org as data: what a read found, versioned and serializable, so plan, drift and
//! export work from the same [`Snapshot`] and the diff is computed and tested without HTTP.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::types::{
    App, AppFeature, AppGroup, AppUser, Connection, GroupPushMapping, ProfileMapping, Schema,
    UserType,
};
use crate::facts::provisioning::ToAppToggle;
use crate::ids::{GroupId, UserId};

/// The snapshot format; a snapshot of another format is not read.
pub const SNAPSHOT_FORMAT: u32 = 1;

/// Everything one read found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: u32,
    /// The Okta user profile schema (default user type), when the scope asked for it.
    pub user_schema: Option<Schema>,
    /// The default user type: its mappings are the ones the config's mappings are, and its
    /// id is what System Log events of the Okta user schema name. Read with the user schema,
    /// or when any app's mappings are read.
    pub user_type: Option<UserType>,
    /// Per scope key (the caller's name for the app; the app id for [`super::Scope::all`]).
    pub apps: IndexMap<String, LiveApp>,
    /// Logins and group names the scope asked for, resolved to ids (absent: no such user/group).
    pub directory: Directory,
}

impl Snapshot {
    /// Takes the mappings `more` read of each of its apps (a second read, of the mappings only).
    pub fn add_mappings(&mut self, more: Snapshot) {
        for (key, app) in more.apps {
            if let Some(mine) = self.apps.get_mut(&key) {
                mine.to_app = app.to_app;
                mine.to_okta = app.to_okta;
            }
        }
    }

    pub fn new(
        user_schema: Option<Schema>,
        apps: IndexMap<String, LiveApp>,
        directory: Directory,
    ) -> Snapshot {
        Snapshot {
            format: SNAPSHOT_FORMAT,
            user_schema,
            user_type: None,
            apps,
            directory,
        }
    }
}

/// One app as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveApp {
    pub app: App,
    /// The provisioning features, or why they cannot be read.
    pub features: Features,
    /// The default provisioning connection, when the scope asked for it.
    pub connection: Option<Connection>,
    pub schema: Schema,
    /// The Okta user → app mapping, with its properties.
    pub to_app: Option<ProfileMapping>,
    /// The app → Okta user mapping, with its properties.
    pub to_okta: Option<ProfileMapping>,
    /// Assigned users with their Okta login, when the scope asked for assignments.
    pub users: Option<Vec<LiveUser>>,
    /// Assigned groups with their name, when the scope asked for assignments.
    pub groups: Option<Vec<LiveGroup>>,
    /// Group push mappings with their source group's name, when the scope asked for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_push: Option<Vec<LivePush>>,
}

impl LiveApp {
    /// Whether the app object's `features` array holds `token`.
    pub fn has_app_feature(&self, token: &str) -> bool {
        self.app
            .features
            .as_ref()
            .is_some_and(|fs| fs.iter().any(|f| f == token))
    }

    /// Whether a To App toggle is on, from the Features API when the app is on its allow-list,
    /// else from the app's `features` array.
    pub fn toggle_on(&self, toggle: ToAppToggle) -> bool {
        match self
            .features
            .get(crate::facts::provisioning::USER_PROVISIONING)
        {
            Some(f) => {
                f.capability(toggle.capability_pointer())
                    .and_then(serde_json::Value::as_str)
                    == Some(crate::facts::provisioning::status(true))
            }
            None => self.has_app_feature(toggle.app_feature()),
        }
    }
}

/// The Features API's answer for an app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Features {
    /// On the Features-API allow-list: To App (`USER_PROVISIONING`) and To Okta
    /// (`INBOUND_PROVISIONING`) settings are read and written through the API.
    Api { features: Vec<AppFeature> },
    /// Off the allow-list (`400 E0000001 Provisioning is not supported.`): only the app's
    /// `features` array tells which toggles are on; changes are manual.
    NotSupported,
    /// On the allow-list, but its provisioning connection is not enabled yet (`400 E0000001
    /// Provisioning is not enabled for the app instance.`, finding B2): the features can be
    /// read and written once the connection is.
    NotEnabled,
}

impl Features {
    pub fn get(&self, name: &str) -> Option<&AppFeature> {
        match self {
            Features::Api { features } => features.iter().find(|f| f.name == name),
            Features::NotSupported | Features::NotEnabled => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveUser {
    pub login: String,
    pub assignment: AppUser,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveGroup {
    pub name: String,
    pub assignment: AppGroup,
    /// Its members, when the scope asked for memberships.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<UserId>>,
}

/// One group push mapping, with the name of the Okta group it pushes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LivePush {
    /// The source group's name (empty when the group could not be read).
    pub name: String,
    pub mapping: GroupPushMapping,
}

/// Logins and group names resolved to ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Directory {
    /// Lower-cased login → user id.
    pub users: HashMap<String, UserId>,
    /// A name may match several groups; the diff refuses to guess.
    pub groups: HashMap<String, Vec<GroupId>>,
    /// Lower-cased login → the Okta user's profile, for the SCIM payload preview.
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub profiles: HashMap<String, serde_json::Map<String, serde_json::Value>>,
}

impl Directory {
    pub fn user(&self, login: &str) -> Option<&UserId> {
        self.users.get(&login.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{from_value, json};

    #[test]
    fn a_snapshot_round_trips_through_json() {
        let app: LiveApp = from_value(json!({
            "app": {"id": "0oa1", "name": "luciq_scim", "label": "Luciq", "status": "ACTIVE", "features": ["PUSH_NEW_USERS"]},
            "features": {"kind": "not_supported"},
            "connection": null,
            "schema": {"definitions": {"custom": {"properties": {"role": {"title": "Role", "type": "string"}}}}},
            "to_app": null, "to_okta": null,
            "users": [{"login": "a@example.com", "assignment": {"id": "00u1", "scope": "USER", "profile": {"role": "x"}}}],
            "groups": []
        }))
        .unwrap();
        assert!(app.toggle_on(ToAppToggle::CreateUsers));
        assert!(!app.toggle_on(ToAppToggle::DeactivateUsers));
        let snapshot = Snapshot::new(
            None,
            [("luciq".to_string(), app)].into_iter().collect(),
            Directory::default(),
        );
        let text = serde_json::to_string(&snapshot).unwrap();
        let back: Snapshot = serde_json::from_str(&text).unwrap();
        assert_eq!(back, snapshot);
    }
}
