//! A plan's vocabulary: each [`Change`] says what it touches ([`Subject`]), what apply will do
//! ([`Op`], carrying exactly the API payload), and how risky it is ([`Risk`]). Every type reads
//! back from a saved plan as it was written ([`super::planfile`]).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::attribute::{FieldChange, Profile};
use crate::config::model::ObjectKind;
use crate::ids::{AppId, GroupId, MappingId, UserId};
use crate::okta::types::SchemaProperty;
use crate::secret::Reference;

/// How dangerous a change is. Ordered: the highest risk of a plan decides what it needs.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    #[default]
    Safe,
    /// Okta's public API cannot make it: the plan lists Admin Console steps; apply never claims it.
    Manual,
    /// Deletes an attribute, or re-creates it (a type change): its values are lost for every
    /// user; or unassigns users or groups: their app profiles are lost ("You can't recover the
    /// user's app profile", spec `unassignUserFromApplication`). Needs `--allow-data-loss`.
    DataLoss,
    /// Also: removing a group push mapping with `deleteTargetGroup` (the vendor's group and its
    /// memberships are deleted).
    /// Unassigns users or groups while Deactivate Users is on: their accounts at the vendor
    /// are deactivated, and their app profiles lost. Needs `--allow-deprovision` and
    /// `--allow-data-loss`.
    Deprovisions,
}

impl Risk {
    pub fn label(self) -> &'static str {
        match self {
            Risk::Safe => "safe",
            Risk::Manual => "manual",
            Risk::Deprovisions => "deprovisions",
            Risk::DataLoss => "data-loss",
        }
    }
}

/// The direction of a mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Okta User → app.
    ToApp,
    /// App → Okta User.
    ToOkta,
}

/// What a change touches, as people name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Subject {
    OktaUserAttribute {
        name: String,
    },
    AppAttribute {
        app: String,
        name: String,
    },
    Mapping {
        app: String,
        direction: Direction,
        property: String,
    },
    ToApp {
        app: String,
    },
    ToOkta {
        app: String,
    },
    Scim {
        app: String,
    },
    UserAssignment {
        app: String,
        login: String,
    },
    GroupAssignment {
        app: String,
        group: String,
    },
    GroupPush {
        app: String,
        group: String,
    },
}

impl Subject {
    /// Its kind, as configs and `--ignore` name it.
    pub fn kind(&self) -> ObjectKind {
        match self {
            Subject::OktaUserAttribute { .. } => ObjectKind::OktaUserAttribute,
            Subject::AppAttribute { .. } => ObjectKind::AppAttribute,
            Subject::Mapping { .. } => ObjectKind::Mapping,
            Subject::ToApp { .. } => ObjectKind::ToApp,
            Subject::ToOkta { .. } => ObjectKind::ToOkta,
            Subject::Scim { .. } => ObjectKind::Scim,
            Subject::UserAssignment { .. } => ObjectKind::UserAssignment,
            Subject::GroupAssignment { .. } => ObjectKind::GroupAssignment,
            Subject::GroupPush { .. } => ObjectKind::GroupPush,
        }
    }

    /// The object's own name: attribute, mapped property, login or group (none for the
    /// provisioning settings of an app).
    pub fn name(&self) -> Option<&str> {
        match self {
            Subject::OktaUserAttribute { name } | Subject::AppAttribute { name, .. } => Some(name),
            Subject::Mapping { property, .. } => Some(property),
            Subject::UserAssignment { login, .. } => Some(login),
            Subject::GroupAssignment { group, .. } | Subject::GroupPush { group, .. } => {
                Some(group)
            }
            Subject::ToApp { .. } | Subject::ToOkta { .. } | Subject::Scim { .. } => None,
        }
    }

    /// The config app name, if the subject belongs to an app.
    pub fn app(&self) -> Option<&str> {
        match self {
            Subject::OktaUserAttribute { .. } => None,
            Subject::AppAttribute { app, .. }
            | Subject::Mapping { app, .. }
            | Subject::ToApp { app }
            | Subject::ToOkta { app }
            | Subject::Scim { app }
            | Subject::UserAssignment { app, .. }
            | Subject::GroupAssignment { app, .. }
            | Subject::GroupPush { app, .. } => Some(app),
        }
    }
}

/// How messages name a subject: `luciq user bob@example.com`, `Okta user attribute x`.
impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::OktaUserAttribute { name } => write!(f, "Okta user attribute {name}"),
            Subject::AppAttribute { app, name } => write!(f, "{app} attribute {name}"),
            Subject::Mapping {
                app,
                direction: Direction::ToApp,
                property,
            } => write!(f, "{app} mapping Okta User → app: {property}"),
            Subject::Mapping {
                app,
                direction: Direction::ToOkta,
                property,
            } => write!(f, "{app} mapping app → Okta User: {property}"),
            Subject::ToApp { app } => write!(f, "{app} Provisioning → To App"),
            Subject::ToOkta { app } => write!(f, "{app} Provisioning → To Okta"),
            Subject::Scim { app } => write!(f, "{app} SCIM connection"),
            Subject::UserAssignment { app, login } => write!(f, "{app} user {login}"),
            Subject::GroupAssignment { app, group } => write!(f, "{app} group {group}"),
            Subject::GroupPush { app, group } => write!(f, "{app} pushed group {group}"),
        }
    }
}

/// What apply does, with the exact payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum Op {
    /// Add a custom attribute.
    CreateAttribute {
        profile: Profile,
        app_id: Option<AppId>,
        name: String,
        property: Box<SchemaProperty>,
    },
    /// Change an attribute in place.
    UpdateAttribute {
        profile: Profile,
        app_id: Option<AppId>,
        name: String,
        property: Box<SchemaProperty>,
        fields: Vec<FieldChange>,
    },
    /// Only the enum display order changes.
    ReorderEnum {
        profile: Profile,
        app_id: Option<AppId>,
        name: String,
        property: Box<SchemaProperty>,
    },
    /// Delete and re-create (a type change): every user's value is lost.
    ReplaceAttribute {
        profile: Profile,
        app_id: Option<AppId>,
        name: String,
        property: Box<SchemaProperty>,
        fields: Vec<FieldChange>,
    },
    /// Delete a custom attribute and every user's value of it.
    DeleteAttribute {
        profile: Profile,
        app_id: Option<AppId>,
        name: String,
    },
    /// Set one mapped property (create or change).
    SetMapping {
        mapping_id: MappingId,
        property: String,
        expression: String,
        push_status: Option<String>,
        before: Option<(String, Option<String>)>,
    },
    /// Remove one mapped property; `for_replace`: only until an attribute it reads or writes
    /// is re-created (Okta refuses to delete a mapped property, finding B5), then set again.
    RemoveMapping {
        mapping_id: MappingId,
        property: String,
        before: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        for_replace: bool,
    },
    /// PUT a Features-API feature (`USER_PROVISIONING` / `INBOUND_PROVISIONING`) with its whole
    /// capabilities object (read–modify–write: settings oktaform does not manage are kept).
    PutFeature {
        app_id: AppId,
        feature: String,
        capabilities: Value,
        fields: Vec<FieldChange>,
    },
    AssignUser {
        app_id: AppId,
        user_id: UserId,
        profile: Map<String, Value>,
    },
    /// Assign directly a user who holds the app only through a group (finding D4): the
    /// assignment becomes individual — it stays when the group goes, and only the Admin
    /// Console's Convert Assignments turns it back. Sent like an assignment.
    ConvertUser {
        app_id: AppId,
        user_id: UserId,
        profile: Map<String, Value>,
        fields: Vec<FieldChange>,
    },
    /// Change an assigned user's app profile: `profile` holds only the values that change
    /// (Okta merges them into the stored profile).
    UpdateUser {
        app_id: AppId,
        user_id: UserId,
        profile: Map<String, Value>,
        fields: Vec<FieldChange>,
    },
    UnassignUser {
        app_id: AppId,
        user_id: UserId,
    },
    /// Assign a group or change its assignment (PUT: idempotent).
    PutGroup {
        app_id: AppId,
        group_id: GroupId,
        priority: Option<u32>,
        profile: Map<String, Value>,
        fields: Vec<FieldChange>,
        assigned: bool,
    },
    /// Unassign a group: every member it alone grants the app loses it (finding D3).
    UnassignGroup {
        app_id: AppId,
        group_id: GroupId,
        /// How many members the group has, when they were read.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        members: Option<usize>,
    },
    /// Push a group to the vendor: to a new group (`target_group_name`) or an existing one
    /// (`target_group_id`).
    CreatePush {
        app_id: AppId,
        source_group_id: GroupId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target_group_id: Option<GroupId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target_group_name: Option<String>,
        /// `ACTIVE` or `INACTIVE`.
        status: String,
    },
    /// Activate or deactivate a push mapping.
    SetPushStatus {
        app_id: AppId,
        mapping_id: String,
        status: String,
        fields: Vec<FieldChange>,
    },
    /// Push to another existing target group: the mapping is deactivated, deleted (the old
    /// target group kept at the vendor) and created again.
    ReplacePush {
        app_id: AppId,
        mapping_id: String,
        source_group_id: GroupId,
        target_group_id: GroupId,
        status: String,
        fields: Vec<FieldChange>,
    },
    /// Remove a push mapping (deactivated first: Okta deletes only inactive ones);
    /// `delete_target_group` deletes the vendor's group too.
    DeletePush {
        app_id: AppId,
        mapping_id: String,
        delete_target_group: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target_group_id: Option<GroupId>,
    },
    /// Write the provisioning connection of an allow-listed app and activate it. The token is a
    /// reference (`${env:…}` / `${file:…}`), resolved by apply before its first write.
    SetConnection {
        app_id: AppId,
        base_url: String,
        token: Reference,
        fields: Vec<FieldChange>,
    },
    /// Something only the Admin Console can do: the steps, and what differs.
    Manual {
        steps: Vec<String>,
        fields: Vec<FieldChange>,
    },
}

/// The symbol and word a plan shows for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Reorder,
    Replace,
    Delete,
    Manual,
}

impl Action {
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update | Action::Reorder => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
            Action::Manual => "!",
        }
    }
}

impl Op {
    pub fn action(&self) -> Action {
        match self {
            Op::CreateAttribute { .. } | Op::AssignUser { .. } | Op::CreatePush { .. } => {
                Action::Create
            }
            Op::PutGroup {
                assigned: false, ..
            } => Action::Create,
            Op::SetMapping { before: None, .. } => Action::Create,
            Op::UpdateAttribute { .. }
            | Op::SetMapping { .. }
            | Op::PutFeature { .. }
            | Op::SetConnection { .. }
            | Op::UpdateUser { .. }
            | Op::ConvertUser { .. }
            | Op::PutGroup { .. }
            | Op::SetPushStatus { .. } => Action::Update,
            Op::ReorderEnum { .. } => Action::Reorder,
            Op::ReplaceAttribute { .. } | Op::ReplacePush { .. } => Action::Replace,
            Op::DeleteAttribute { .. }
            | Op::RemoveMapping { .. }
            | Op::UnassignUser { .. }
            | Op::UnassignGroup { .. }
            | Op::DeletePush { .. } => Action::Delete,
            Op::Manual { .. } => Action::Manual,
        }
    }

    /// The setting-level differences to show.
    pub fn fields(&self) -> &[FieldChange] {
        match self {
            Op::UpdateAttribute { fields, .. }
            | Op::ReplaceAttribute { fields, .. }
            | Op::PutFeature { fields, .. }
            | Op::SetConnection { fields, .. }
            | Op::UpdateUser { fields, .. }
            | Op::ConvertUser { fields, .. }
            | Op::PutGroup { fields, .. }
            | Op::SetPushStatus { fields, .. }
            | Op::ReplacePush { fields, .. }
            | Op::Manual { fields, .. } => fields,
            _ => &[],
        }
    }
}

/// One change of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub subject: Subject,
    pub action: Action,
    pub risk: Risk,
    #[serde(flatten)]
    pub op: Op,
}

impl Change {
    pub fn new(subject: Subject, op: Op, risk: Risk) -> Change {
        let risk = match op {
            // A manual step is manual whatever else it is: apply never performs it.
            Op::Manual { .. } => Risk::Manual,
            _ => risk,
        };
        Change {
            subject,
            action: op.action(),
            risk,
            op,
        }
    }
}

/// Something the plan cannot check through Okta's API, shown once for people to verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub app: String,
    pub text: String,
}
