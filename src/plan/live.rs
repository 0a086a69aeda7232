//! The live state: what was read from the org, as data. This is the provider boundary — the
//! diff reads these types and never a client — so plans are computed and tested without HTTP.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde::Serialize;

use crate::ids::{GroupId, UserId};
use crate::okta::types::{App, AppFeature, AppGroup, AppUser, Connection, ProfileMapping, Schema};

/// Everything read for one plan.
#[derive(Debug, Clone, Serialize)]
pub struct LiveOrg {
    /// The Okta user profile schema (default user type); read when the config declares Okta
    /// user attributes or maps to or from Okta.
    pub user_schema: Option<Schema>,
    /// Per config app name.
    pub apps: IndexMap<String, LiveApp>,
}

/// One app as read.
#[derive(Debug, Clone, Serialize)]
pub struct LiveApp {
    pub app: App,
    /// The provisioning features, or why they cannot be read.
    pub features: Features,
    /// The default provisioning connection, when the app has one the API can read.
    pub connection: Option<Connection>,
    pub schema: Schema,
    /// The Okta user → app mapping, with its properties.
    pub to_app: Option<ProfileMapping>,
    /// The app → Okta user mapping, with its properties.
    pub to_okta: Option<ProfileMapping>,
    /// Assigned users with their Okta login; read only when the config declares assignments.
    pub users: Option<Vec<LiveUser>>,
    /// Assigned groups with their name; read only when the config declares assignments.
    pub groups: Option<Vec<LiveGroup>>,
    /// Logins and group names the config assigns, resolved to ids (absent: no such user/group).
    pub directory: Directory,
}

/// The Features API's answer for an app.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Features {
    /// On the Features-API allow-list: To App (`USER_PROVISIONING`) and To Okta
    /// (`INBOUND_PROVISIONING`) settings are read and written through the API.
    Api { features: Vec<AppFeature> },
    /// Off the allow-list (`400 E0000001 Provisioning is not supported.`): only the app's
    /// `features` array tells which toggles are on; changes are manual.
    NotSupported,
}

impl Features {
    pub fn get(&self, name: &str) -> Option<&AppFeature> {
        match self {
            Features::Api { features } => features.iter().find(|f| f.name == name),
            Features::NotSupported => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LiveUser {
    pub login: String,
    pub assignment: AppUser,
}

#[derive(Debug, Clone, Serialize)]
pub struct LiveGroup {
    pub name: String,
    pub assignment: AppGroup,
}

/// Logins and group names resolved to ids.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Directory {
    pub users: HashMap<String, UserId>,
    /// A name may match several groups; the diff refuses to guess.
    pub groups: HashMap<String, Vec<GroupId>>,
}
