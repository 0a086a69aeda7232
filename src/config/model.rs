//! The YAML model: what an oktaform file can say, as serde types.
//!
//! The words follow the Okta Admin Console and the vendors' setup guides ("Create Users",
//! "External namespace", "Push Profile Updates"), not Okta's JSON. Every struct denies unknown
//! keys; the doc comments become the descriptions of the JSON Schema in `schemas/`.

use std::borrow::Cow;

use indexmap::IndexMap;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::interpolate::{Secret, Text};
use super::located::Loc;
use crate::facts::provisioning::{ToAppToggle, ToOktaSetting};
use crate::ids::{AppId, GroupId};

/// An oktaform config: one file, or several files and directories merged into one.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "oktaform config")]
pub struct Config {
    /// The Okta org this config manages. `--org` and `OKTA_ORG_URL` override it.
    #[serde(default)]
    pub org: Option<Loc<Org>>,
    /// Custom attributes of the Okta user profile (Directory → Profile Editor → Okta User),
    /// shared by every app that maps them.
    #[serde(default)]
    pub okta_user: Option<Loc<OktaUser>>,
    /// The apps this config manages, keyed by a short name you choose (used in plans and errors).
    #[serde(default)]
    pub apps: IndexMap<Loc<String>, App>,
    /// Differences `oktaform drift` does not report, e.g. a setting the Admin Console owns:
    /// `- { app: luciq, kind: app_attribute, name: instabugRole, field: title }`.
    #[serde(default)]
    pub ignore: Vec<Loc<IgnoreRule>>,
    /// What `preset:` filled in, per app (not read from YAML: set when presets are applied).
    #[serde(skip)]
    #[schemars(skip)]
    pub from_presets: Vec<super::preset::FromPreset>,
}

/// One ignore rule: every part it sets must match; a rule with `field` silences only that
/// setting of the objects it matches, one without silences them whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IgnoreRule {
    /// The config app name (`apps.<name>`); left out: every app and the Okta user profile.
    #[serde(default)]
    pub app: Option<String>,
    /// What kind of object.
    #[serde(default)]
    pub kind: Option<ObjectKind>,
    /// The object's name: attribute, mapped property, login or group name.
    #[serde(default)]
    pub name: Option<String>,
    /// One setting as plans name it (`title`, `enum`, `Create Users`, `instabugRole`, …).
    #[serde(default)]
    pub field: Option<String>,
}

/// The kinds of object a plan or drift report speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    OktaUserAttribute,
    AppAttribute,
    Mapping,
    ToApp,
    ToOkta,
    Scim,
    UserAssignment,
    GroupAssignment,
    GroupPush,
}

impl ObjectKind {
    pub const ALL: [ObjectKind; 9] = [
        ObjectKind::OktaUserAttribute,
        ObjectKind::AppAttribute,
        ObjectKind::Mapping,
        ObjectKind::ToApp,
        ObjectKind::ToOkta,
        ObjectKind::Scim,
        ObjectKind::UserAssignment,
        ObjectKind::GroupAssignment,
        ObjectKind::GroupPush,
    ];

    /// Its name in configs, plans and `--ignore`.
    pub fn key(self) -> &'static str {
        match self {
            ObjectKind::OktaUserAttribute => "okta_user_attribute",
            ObjectKind::AppAttribute => "app_attribute",
            ObjectKind::Mapping => "mapping",
            ObjectKind::ToApp => "to_app",
            ObjectKind::ToOkta => "to_okta",
            ObjectKind::Scim => "scim",
            ObjectKind::UserAssignment => "user_assignment",
            ObjectKind::GroupAssignment => "group_assignment",
            ObjectKind::GroupPush => "group_push",
        }
    }
}

impl std::str::FromStr for IgnoreRule {
    type Err = String;

    /// `--ignore app=luciq,kind=app_attribute,name=instabugRole,field=title`.
    fn from_str(text: &str) -> Result<IgnoreRule, String> {
        let mut rule = IgnoreRule::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| {
                format!("`{part}` is not `key=value` (keys: app, kind, name, field)")
            })?;
            let value = value.trim().to_string();
            match key.trim() {
                "app" => rule.app = Some(value),
                "name" => rule.name = Some(value),
                "field" => rule.field = Some(value),
                "kind" => {
                    rule.kind = Some(
                        ObjectKind::ALL
                            .into_iter()
                            .find(|k| k.key() == value)
                            .ok_or_else(|| {
                                format!(
                                    "unknown kind `{value}`; kinds: {}",
                                    ObjectKind::ALL.map(ObjectKind::key).join(", ")
                                )
                            })?,
                    )
                }
                other => {
                    return Err(format!(
                        "unknown key `{other}` in `{text}` (keys: app, kind, name, field)"
                    ));
                }
            }
        }
        if rule == IgnoreRule::default() {
            return Err("an ignore rule needs at least one of app, kind, name, field".into());
        }
        Ok(rule)
    }
}

/// The Okta org.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Org {
    /// The org's URL, e.g. `https://acme.okta.com` (not the `-admin` URL), or `${env:OKTA_ORG_URL}`.
    pub url: Loc<Text>,
}

/// The Okta user profile (default user type).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OktaUser {
    /// Who owns the custom attributes: `additive` (default) leaves attributes this config does
    /// not mention alone; `exclusive` proposes removing them.
    #[serde(default)]
    pub manage: Option<Loc<OktaUserManage>>,
    /// Custom attributes, keyed by variable name (e.g. `instabugRole`).
    #[serde(default)]
    pub attributes: IndexMap<Loc<String>, Attribute>,
}

/// Ownership of the Okta user profile's collections.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OktaUserManage {
    /// Custom attributes of the Okta user profile. Base attributes are never removed.
    #[serde(default)]
    pub attributes: Ownership,
}

/// How much of a collection this config owns.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ownership {
    /// Things the config does not mention are left alone.
    #[default]
    Additive,
    /// Things the config does not mention are proposed for removal (guarded by the plan's risk rules).
    Exclusive,
}

/// One app and everything its vendor's SCIM guide asks for.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// Start from a vendor's preset (`oktaform init --list` names them): its SCIM connection,
    /// To App and To Okta settings, attributes, mappings and the Okta user attributes they
    /// read are defaults, and what this app sets wins — a toggle, a mapping or a whole
    /// attribute or SCIM connection. `oktaform validate` lists what comes from the preset.
    #[serde(default)]
    pub preset: Option<Loc<String>>,
    /// How to find the app in the org: `{ label: Luciq }`, `{ id: 0oa… }` or `{ name: <OIN app name> }`.
    pub find: Loc<Find>,
    /// Provisioning tab: the SCIM connection, To App and To Okta settings.
    #[serde(default)]
    pub provisioning: Option<Provisioning>,
    /// Custom attributes of the app user profile (Directory → Profile Editor → <App> User),
    /// keyed by variable name.
    #[serde(default)]
    pub attributes: IndexMap<Loc<String>, Attribute>,
    /// Attribute mappings in both directions (Provisioning → Edit Mappings).
    #[serde(default)]
    pub mappings: Mappings,
    /// Users and groups assigned to the app (Assignments tab), with their app profile values.
    #[serde(default)]
    pub assignments: Option<Loc<Assignments>>,
    /// Push Groups tab: Okta groups pushed to the vendor with their members, through the SCIM
    /// connection's Push Groups action.
    #[serde(default)]
    pub group_push: Option<Loc<GroupPush>>,
    /// What the vendor's SCIM API supports, from its guide (presets say it for their vendor).
    #[serde(default)]
    pub vendor: Option<Loc<Vendor>>,
    /// Which of this app's collections the config owns exclusively. Everything is `additive` by default.
    #[serde(default)]
    pub manage: Option<Loc<AppManage>>,
}

/// What the vendor's SCIM API supports, as its guide says.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    /// Whether the vendor's SCIM API takes groups (`/Groups`). `false` (Lightrun: "We do not
    /// currently offer support for … managing groups") makes Push Groups and `group_push` errors.
    #[serde(default)]
    pub supports_groups: Option<Loc<bool>>,
    /// What a pushed group becomes at the vendor (AccessIQ: an organization), shown in plans.
    #[serde(default)]
    pub groups_become: Option<Loc<String>>,
}

/// Push Groups: which Okta groups are pushed to the vendor, and what removing a push does.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupPush {
    /// Pushed groups, keyed by Okta group name: `Engineering:` (a new group of that name at the
    /// vendor), or `Engineering: { target: { id: 00g… }, status: inactive }`.
    #[serde(default)]
    pub groups: IndexMap<Loc<String>, Option<PushedGroup>>,
    /// What removing a push mapping (`manage: { group_push: exclusive }`) does to the group at
    /// the vendor: `keep_target_group` (default) or `delete_target_group` (the vendor's group
    /// and its memberships are deleted: `data-loss`).
    #[serde(default)]
    pub on_removal: Option<Loc<OnRemoval>>,
}

impl GroupPush {
    /// Whether removing a mapping deletes the vendor's group (`deleteTargetGroup`).
    pub fn deletes_target(&self) -> bool {
        self.on_removal
            .as_ref()
            .is_some_and(|o| o.value == OnRemoval::DeleteTargetGroup)
    }
}

/// One pushed group.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PushedGroup {
    /// The group at the vendor: `{ name: … }` creates one of that name (left out: the Okta
    /// group's name); `{ id: 00g… }` links to an existing one (its Okta id, as an app group
    /// imported from the vendor).
    #[serde(default)]
    pub target: Option<Loc<PushTarget>>,
    /// `active` (default: Okta pushes the group and its memberships) or `inactive` (paused).
    #[serde(default)]
    pub status: Option<Loc<PushStatus>>,
}

impl PushedGroup {
    pub fn status(&self) -> PushStatus {
        self.status.as_ref().map_or(PushStatus::Active, |s| s.value)
    }
}

/// The target group of a push. Exactly one key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PushTarget {
    /// An existing group at the vendor, by its Okta id (`00g…`).
    Id(GroupId),
    /// A new group of this name at the vendor.
    Name(String),
}

/// Status of a push mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PushStatus {
    Active,
    Inactive,
}

impl PushStatus {
    /// Okta's word for it.
    pub fn okta(self) -> &'static str {
        match self {
            PushStatus::Active => "ACTIVE",
            PushStatus::Inactive => "INACTIVE",
        }
    }
}

/// What removing a push mapping does at the vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnRemoval {
    /// The vendor's group stays; Okta stops updating it.
    KeepTargetGroup,
    /// The vendor's group is deleted with the mapping (Okta's `deleteTargetGroup=true`).
    DeleteTargetGroup,
}

/// How to find an app in the org. Exactly one key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Find {
    /// The app's id (`0oa…`), as in its Admin Console URL. Fastest: one fewer round trip.
    Id(AppId),
    /// The app's label as shown in the Admin Console (e.g. `Luciq`). Must match one app only.
    Label(String),
    /// The OIN integration's name (e.g. `okta_org2org`). Must match one app only.
    Name(String),
}

/// Ownership of an app's collections.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppManage {
    /// Custom app user attributes.
    #[serde(default)]
    pub attributes: Ownership,
    /// Mapped properties, both directions.
    #[serde(default)]
    pub mappings: Ownership,
    /// User assignments. `exclusive` unassigns users not listed — this deprovisions them when
    /// Deactivate Users is on, and is refused without `--allow-deprovision`.
    #[serde(default)]
    pub users: Ownership,
    /// Group assignments, like `users`.
    #[serde(default)]
    pub groups: Ownership,
    /// Group push mappings: `exclusive` removes the pushes the config does not list (see
    /// `group_push.on_removal` for what happens to the vendor's group).
    #[serde(default)]
    pub group_push: Ownership,
}

/// The Provisioning tab.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provisioning {
    /// General → Provisioning: SCIM, then Provisioning → Integration: the SCIM connection.
    /// For custom (non-OIN) apps Okta's API cannot write it: oktaform checks what it can read
    /// and lists the rest as Admin Console steps.
    #[serde(default)]
    pub scim: Option<Loc<Scim>>,
    /// Provisioning → To App: what Okta pushes to the app.
    #[serde(default)]
    pub to_app: Option<Loc<ToApp>>,
    /// Provisioning → To Okta: how users imported from the app become Okta users.
    #[serde(default)]
    pub to_okta: Option<Loc<ToOkta>>,
}

/// The SCIM connection (Provisioning → Integration).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scim {
    /// SCIM connector base URL, from the vendor's admin page (e.g. `https://api.luciq.ai/scim/v2`).
    pub base_url: Loc<Text>,
    /// Unique identifier field for users: the SCIM attribute that identifies a user in the app
    /// (`userName` or `email` in the guides).
    pub unique_identifier: Loc<String>,
    /// Supported provisioning actions.
    #[serde(default)]
    pub actions: Vec<Loc<ScimAction>>,
    /// Authentication Mode and its credentials.
    pub auth: Loc<ScimAuth>,
}

/// A supported provisioning action of the SCIM connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScimAction {
    /// Push New Users.
    PushNewUsers,
    /// Push Profile Updates.
    PushProfileUpdates,
    /// Push Groups.
    PushGroups,
    /// Import New Users and Profile Updates.
    ImportNewUsersAndProfileUpdates,
    /// Import Groups.
    ImportGroups,
}

impl ScimAction {
    /// The Admin Console's words for the action.
    pub fn console_label(self) -> &'static str {
        match self {
            ScimAction::PushNewUsers => "Push New Users",
            ScimAction::PushProfileUpdates => "Push Profile Updates",
            ScimAction::PushGroups => "Push Groups",
            ScimAction::ImportNewUsersAndProfileUpdates => "Import New Users and Profile Updates",
            ScimAction::ImportGroups => "Import Groups",
        }
    }
}

/// Authentication Mode of the SCIM connection. Credentials are references, never inline.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScimAuth {
    /// `header` (HTTP Header: a bearer token), `basic` (Basic Auth) or `oauth` (OAuth 2).
    pub mode: Loc<AuthMode>,
    /// `header`: the Authorization token, e.g. `${env:LUCIQ_SCIM_TOKEN}`.
    #[serde(default)]
    pub token: Option<Loc<Secret>>,
    /// `basic`: the user name.
    #[serde(default)]
    pub username: Option<Loc<String>>,
    /// `basic`: the password, e.g. `${env:ACCESSIQ_SCIM_PASSWORD}`.
    #[serde(default)]
    pub password: Option<Loc<Secret>>,
    /// `oauth`: the access token endpoint URI.
    #[serde(default)]
    pub token_url: Option<Loc<String>>,
    /// `oauth`: the authorization endpoint URI.
    #[serde(default)]
    pub authorize_url: Option<Loc<String>>,
    /// `oauth`: the client id.
    #[serde(default)]
    pub client_id: Option<Loc<String>>,
    /// `oauth`: the client secret, e.g. `${env:APP_SCIM_CLIENT_SECRET}`.
    #[serde(default)]
    pub client_secret: Option<Loc<Secret>>,
}

/// The SCIM connection's Authentication Mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// HTTP Header: `Authorization: Bearer <token>`.
    Header,
    /// Basic Auth: user name and password.
    Basic,
    /// OAuth 2.
    Oauth,
}

impl AuthMode {
    /// The Admin Console's words for the mode.
    pub fn console_label(self) -> &'static str {
        match self {
            AuthMode::Header => "HTTP Header",
            AuthMode::Basic => "Basic Auth",
            AuthMode::Oauth => "OAuth 2",
        }
    }
}

/// Provisioning → To App. A toggle left out is not managed (whatever the org has stays).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToApp {
    /// Create Users: assigning a user creates their account in the app.
    #[serde(default)]
    pub create_users: Option<Loc<bool>>,
    /// Update User Attributes: profile changes in Okta are pushed to the app.
    #[serde(default)]
    pub update_user_attributes: Option<Loc<bool>>,
    /// Deactivate Users: unassigning a user (or deactivating them in Okta) deactivates their app account.
    #[serde(default)]
    pub deactivate_users: Option<Loc<bool>>,
    /// Sync Password.
    #[serde(default)]
    pub sync_password: Option<Loc<SyncPassword>>,
}

impl ToApp {
    /// The toggles the config sets, with their desired state, in the Admin Console's order.
    pub fn toggles(&self) -> Vec<(ToAppToggle, &Loc<bool>)> {
        [
            (ToAppToggle::CreateUsers, self.create_users.as_ref()),
            (
                ToAppToggle::UpdateUserAttributes,
                self.update_user_attributes.as_ref(),
            ),
            (ToAppToggle::DeactivateUsers, self.deactivate_users.as_ref()),
            (
                ToAppToggle::SyncPassword,
                self.sync_password.as_ref().map(|s| &s.value.enabled),
            ),
        ]
        .into_iter()
        .filter_map(|(toggle, want)| want.map(|w| (toggle, w)))
        .collect()
    }
}

/// Sync Password settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncPassword {
    /// Whether Okta pushes a password to the app.
    pub enabled: Loc<bool>,
    /// Which password: the user's Okta password or a random one.
    #[serde(default)]
    pub seed: Option<Loc<PasswordSeed>>,
    /// Password cycle: what happens when the user's Okta password changes.
    #[serde(default)]
    pub change: Option<Loc<PasswordChange>>,
}

/// The password Okta pushes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PasswordSeed {
    /// Sync Okta Password.
    OktaPassword,
    /// Generate a new random password.
    Random,
}

/// What a change of the Okta password does to the app password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PasswordChange {
    /// Push the new password to the app.
    Push,
    /// Keep the existing app password.
    KeepExisting,
}

/// Provisioning → To Okta: import settings. A setting left out is not managed.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToOkta {
    /// Okta username format for imported users: `email`, or `custom` with `username_expression`.
    #[serde(default)]
    pub username_format: Option<Loc<UsernameFormat>>,
    /// With `username_format: custom`: the expression, e.g. `appuser.userName`.
    #[serde(default)]
    pub username_expression: Option<Loc<String>>,
    /// Imported users match Okta users by `username` or by `email`.
    #[serde(default)]
    pub match_by: Option<Loc<MatchBy>>,
    /// Allow partial matches (first and last name).
    #[serde(default)]
    pub allow_partial_match: Option<Loc<bool>>,
    /// Auto-confirm partially matched users.
    #[serde(default)]
    pub confirm_partial_matches: Option<Loc<bool>>,
    /// Auto-confirm exactly matched users.
    #[serde(default)]
    pub confirm_exact_matches: Option<Loc<bool>>,
    /// Auto-confirm new users.
    #[serde(default)]
    pub confirm_new_users: Option<Loc<bool>>,
    /// Auto-activate new users.
    #[serde(default)]
    pub activate_new_users: Option<Loc<bool>>,
}

impl ToOkta {
    /// The settings the config sets, each with the value Okta stores for it.
    pub fn settings(&self) -> Vec<(ToOktaSetting, serde_json::Value)> {
        use serde_json::json;
        let flag =
            |setting, value: &Option<Loc<bool>>| value.as_ref().map(|v| (setting, json!(v.value)));
        [
            self.username_format.as_ref().map(|f| {
                let text = match f.value {
                    UsernameFormat::Email => "EMAIL",
                    UsernameFormat::Custom => "CUSTOM",
                };
                (ToOktaSetting::UsernameFormat, json!(text))
            }),
            self.username_expression
                .as_ref()
                .map(|e| (ToOktaSetting::UsernameExpression, json!(e.value))),
            self.match_by.as_ref().map(|m| {
                let text = match m.value {
                    MatchBy::Username => "USERNAME",
                    MatchBy::Email => "EMAIL",
                };
                (ToOktaSetting::MatchBy, json!(text))
            }),
            flag(ToOktaSetting::AllowPartialMatch, &self.allow_partial_match),
            flag(
                ToOktaSetting::ConfirmPartialMatches,
                &self.confirm_partial_matches,
            ),
            flag(
                ToOktaSetting::ConfirmExactMatches,
                &self.confirm_exact_matches,
            ),
            flag(ToOktaSetting::ConfirmNewUsers, &self.confirm_new_users),
            flag(ToOktaSetting::ActivateNewUsers, &self.activate_new_users),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Username format for imported users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UsernameFormat {
    /// The imported user's email address.
    Email,
    /// An expression (`username_expression`).
    Custom,
}

/// Imported users match Okta users by this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchBy {
    Username,
    Email,
}

/// A custom attribute, on the Okta user profile or an app user profile (Profile Editor → Add Attribute).
/// A setting left out takes Okta's default.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    /// Display name, e.g. `Instabug Role`.
    pub title: Loc<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<Loc<String>>,
    /// Data type, in the Profile Editor's words.
    #[serde(rename = "type")]
    pub kind: Loc<AttrType>,
    /// Enum: the allowed values, in the order the dropdown shows them. Either `value: Display title`
    /// pairs, or a list of values whose titles are the values themselves. The value is what Okta
    /// stores and sends — keep vendor spellings exactly (Luciq's Admin role really is `adminstrator`).
    #[serde(default, rename = "enum")]
    pub choices: Option<Loc<Choices>>,
    /// App user attributes only: External name, the attribute's name in the app (SCIM).
    #[serde(default)]
    pub external_name: Option<Loc<String>>,
    /// App user attributes only: External namespace, e.g.
    /// `urn:ietf:params:scim:schemas:extension:instabug:2.0:User`.
    #[serde(default)]
    pub external_namespace: Option<Loc<String>>,
    /// Attribute required: a value must be set for every user.
    #[serde(default)]
    pub required: Option<Loc<bool>>,
    /// Okta user attributes of type `string` only: no two users may have the same value.
    /// Uniqueness exists only for Okta user and group profiles, at most five attributes per
    /// user type.
    #[serde(default)]
    pub unique: Option<Loc<bool>>,
    /// `self` (User personal) or `none` (default).
    #[serde(default)]
    pub scope: Option<Loc<Scope>>,
    /// Source priority: `profile_master` (inherit from the profile source, default) or `okta`.
    #[serde(default)]
    pub master: Option<Loc<Master>>,
    /// User permission: what the user can do with the value on their own profile.
    #[serde(default)]
    pub permissions: Option<Loc<Permission>>,
    /// Okta user attributes only: mutability (`read_write` by default).
    #[serde(default)]
    pub mutability: Option<Loc<Mutability>>,
    /// Minimum length (strings only).
    #[serde(default)]
    pub min_length: Option<Loc<u32>>,
    /// Maximum length (strings only).
    #[serde(default)]
    pub max_length: Option<Loc<u32>>,
    /// Arrays only, Attribute type "Group" (not with `scope: self`): combine the values from
    /// all of a user's group assignments (Okta's `union: ENABLE`) instead of using the
    /// highest-priority group's.
    #[serde(default)]
    pub union: Option<Loc<bool>>,
}

/// An attribute's data type, in the Profile Editor's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum AttrType {
    #[serde(rename = "string")]
    String,
    #[serde(rename = "boolean")]
    Boolean,
    #[serde(rename = "integer")]
    Integer,
    #[serde(rename = "number")]
    Number,
    #[serde(rename = "string array")]
    StringArray,
    #[serde(rename = "integer array")]
    IntegerArray,
    #[serde(rename = "number array")]
    NumberArray,
}

impl AttrType {
    /// The Profile Editor's name of the type.
    pub fn label(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::Integer => "integer",
            AttrType::Number => "number",
            AttrType::StringArray => "string array",
            AttrType::IntegerArray => "integer array",
            AttrType::NumberArray => "number array",
        }
    }

    /// The type of one element: the type itself for scalars, the item type for arrays.
    pub fn element(self) -> AttrType {
        match self {
            AttrType::StringArray => AttrType::String,
            AttrType::IntegerArray => AttrType::Integer,
            AttrType::NumberArray => AttrType::Number,
            scalar => scalar,
        }
    }

    pub fn is_array(self) -> bool {
        self.element() != self
    }
}

/// `self` or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// User personal: the attribute is not shared with groups.
    #[serde(rename = "self")]
    SelfScope,
    /// Group: the value can come from a group assignment (default).
    None,
}

/// Source priority of an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Master {
    /// Inherit from the profile source.
    ProfileMaster,
    /// Inherit from Okta.
    Okta,
}

/// The user's own permission on the attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Hide,
    ReadOnly,
    ReadWrite,
}

/// Mutability of an Okta user attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mutability {
    ReadWrite,
    ReadOnly,
    WriteOnly,
    Immutable,
}

/// One allowed value of an enum attribute and its display title.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The value as written; typed against the attribute's type by validation.
    pub value: Loc<String>,
    pub title: Loc<String>,
}

/// The allowed values of an enum attribute, in display order.
#[derive(Debug, Clone, Default)]
pub struct Choices(pub Vec<Choice>);

impl<'de> Deserialize<'de> for Choices {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ChoicesVisitor;
        impl<'de> Visitor<'de> for ChoicesVisitor {
            type Value = Choices;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("`value: Display title` pairs, or a list of values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Choices, A::Error> {
                let mut choices = Vec::new();
                while let Some((value, title)) = map.next_entry::<Loc<String>, Loc<String>>()? {
                    choices.push(Choice { value, title });
                }
                Ok(Choices(choices))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Choices, A::Error> {
                let mut choices = Vec::new();
                while let Some(value) = seq.next_element::<Loc<String>>()? {
                    choices.push(Choice {
                        title: value.clone(),
                        value,
                    });
                }
                Ok(Choices(choices))
            }
        }
        deserializer.deserialize_any(ChoicesVisitor)
    }
}

impl JsonSchema for Choices {
    fn schema_name() -> Cow<'static, str> {
        "Choices".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "`value: Display title` pairs in dropdown order, or a list of values (each its own title).",
            "oneOf": [
                { "type": "object", "additionalProperties": { "type": "string" } },
                { "type": "array", "items": { "type": ["string", "integer", "number"] } }
            ]
        })
    }
}

/// Mappings in both directions, keyed by the *target* attribute.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mappings {
    /// Okta User → app ("Okta User to <App>"): app attribute ← expression over `user.*`.
    #[serde(default)]
    pub to_app: IndexMap<Loc<String>, Loc<Mapping>>,
    /// App → Okta User ("<App> to Okta User"): Okta attribute ← expression over `appuser.*`.
    #[serde(default)]
    pub to_okta: IndexMap<Loc<String>, Loc<Mapping>>,
}

/// One mapped property: an Okta Expression Language expression, and when it applies.
/// Write just the expression (`user.email`), or `{ expression: …, apply_on: create_only }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub expression: String,
    /// Left out: whatever the org has stays.
    pub apply_on: Option<ApplyOn>,
}

/// When a mapping applies (Okta's push status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplyOn {
    /// Apply mapping on user create and update (Okta: `PUSH`).
    CreateAndUpdate,
    /// Apply mapping on user create only (Okta: `DONT_PUSH`).
    CreateOnly,
}

/// The long form of a mapping.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct MappingLong {
    /// Okta Expression Language, e.g. `user.instabugRole` or `String.substringBefore(user.email, "@")`.
    expression: String,
    /// `create_and_update` or `create_only`. Left out: whatever the org has stays.
    #[serde(default)]
    apply_on: Option<ApplyOn>,
}

/// A mapping as the JSON Schema describes it.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum MappingForm {
    /// The expression alone.
    Short(String),
    Long(MappingLong),
}

impl<'de> Deserialize<'de> for Mapping {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MappingVisitor;
        impl<'de> Visitor<'de> for MappingVisitor {
            type Value = Mapping;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an expression, or `{ expression: …, apply_on: … }`")
            }
            fn visit_str<E: de::Error>(self, expression: &str) -> Result<Mapping, E> {
                Ok(Mapping {
                    expression: expression.to_string(),
                    apply_on: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Mapping, A::Error> {
                let long = MappingLong::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Mapping {
                    expression: long.expression,
                    apply_on: long.apply_on,
                })
            }
        }
        deserializer.deserialize_any(MappingVisitor)
    }
}

impl JsonSchema for Mapping {
    fn schema_name() -> Cow<'static, str> {
        "Mapping".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        MappingForm::json_schema(generator)
    }
}

/// Assignments tab.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignments {
    /// Groups, keyed by group name: `Engineering: { priority: 1, profile: { instabugRole: member } }`.
    #[serde(default)]
    pub groups: IndexMap<Loc<String>, GroupAssignment>,
    /// Users, keyed by Okta login, each with its app profile values:
    /// `alice@example.com: { instabugRole: adminstrator }` (or nothing after the colon for none).
    #[serde(default)]
    pub users: IndexMap<Loc<String>, Option<Profile>>,
}

/// A group assignment.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupAssignment {
    /// Priority among the app's group assignments (0 is highest). Left out: Okta places it last.
    #[serde(default)]
    pub priority: Option<Loc<u32>>,
    /// App profile values members of this group get.
    #[serde(default)]
    pub profile: Profile,
}

/// App profile values, keyed by app user attribute, typed against that attribute.
pub type Profile = IndexMap<Loc<String>, Loc<serde_json::Value>>;
