//! What to read: which apps (found how) and which of their collections, and whether the Okta
//! user schema is needed. The provider knows nothing of configs: `plan::scope` turns a config
//! into a [`Scope`]; export and drift of a whole org use [`Scope::all`].

use std::collections::BTreeSet;

use crate::ids::AppId;

/// How an app is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppSelector {
    /// By id: one lookup, in the same round trip as the app's collections.
    Id(AppId),
    /// By exact label (Okta's `q` search, then an exact match).
    Label(String),
    /// By OIN integration name (`filter=name eq "…"`).
    Name(String),
}

impl std::fmt::Display for AppSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppSelector::Id(id) => write!(f, "with id `{id}`"),
            AppSelector::Label(label) => write!(f, "labelled `{label}`"),
            AppSelector::Name(name) => write!(f, "named `{name}`"),
        }
    }
}

/// Which collections of an app to read beside the app itself, its features and its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Parts {
    /// The Okta user → app profile mapping, with its properties.
    pub to_app: bool,
    /// The app → Okta user profile mapping, with its properties.
    pub to_okta: bool,
    /// The default provisioning connection.
    pub connection: bool,
    /// Assigned users (with their login) and groups (with their name).
    pub assignments: bool,
    /// The members of every assigned group (one request per group): who a group grants the
    /// app, for unassignments.
    pub memberships: bool,
    /// The group push mappings, with the names of the groups they push (one read per group).
    pub group_push: bool,
}

impl Parts {
    /// Either mapping.
    pub fn mappings(&self) -> bool {
        self.to_app || self.to_okta
    }

    pub const ALL: Parts = Parts {
        to_app: true,
        to_okta: true,
        connection: true,
        assignments: true,
        memberships: false,
        group_push: true,
    };
}

/// Which attributes of each assigned user's app profile a read keeps.
///
/// A plan compares only the values its config sets; an app user's whole profile (two dozen
/// attributes on a SCIM app, most of them null) parsed and held for 75,000 assignments would
/// cost more time and memory than everything else of the plan together.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProfileKeys {
    /// The whole profile (export, drift of a whole org, the SCIM preview).
    #[default]
    All,
    /// These attributes; the others are skipped while parsing.
    Only(BTreeSet<String>),
}

impl ProfileKeys {
    pub fn keeps(&self, key: &str) -> bool {
        match self {
            ProfileKeys::All => true,
            ProfileKeys::Only(keys) => keys.contains(key),
        }
    }
}

/// One app to read. `key` is the caller's name for it: the snapshot is keyed by it, and read
/// errors name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppScope {
    pub key: String,
    pub select: AppSelector,
    pub parts: Parts,
    /// What of each assigned user's app profile to keep (with `parts.assignments`).
    pub profile: ProfileKeys,
}

/// Which apps to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Apps {
    /// These apps, each found as it says.
    Selected(Vec<AppScope>),
    /// Every app of the org that is not deleted, with all its parts, keyed by app id.
    All,
}

/// Everything a read covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The Okta user profile schema (default user type).
    pub user_schema: bool,
    pub apps: Apps,
    /// Logins to resolve to user ids (for users not assigned yet), looked up once for all apps.
    pub logins: Vec<String>,
    /// Group names to resolve to group ids, looked up once for all apps.
    pub group_names: Vec<String>,
}

impl Scope {
    /// The whole org: every app with all its parts, and the Okta user schema.
    pub fn all() -> Scope {
        Scope {
            user_schema: true,
            apps: Apps::All,
            logins: Vec::new(),
            group_names: Vec::new(),
        }
    }
}
