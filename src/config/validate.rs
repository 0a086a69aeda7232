//! Offline checks of a whole config: what serde cannot see because it spans several objects.
//!
//! Mapping expressions must read attributes that exist (declared, or Okta base attributes);
//! assignment profile values must fit the attributes' types and enums; secrets must be
//! references that resolve; provisioning settings must not contradict each other. Errors stop a
//! config; warnings are printed and let it pass. Nothing here touches the network.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::Value;

use super::diagnostic::{Code, Diagnostic};
use super::expression;
use super::interpolate::{Secret, Text};
use super::located::{Loc, Pos, position};
use super::model::{
    App, AttrType, Attribute, AuthMode, Choices, Config, Mapping, Profile, ScimAction, ScimAuth,
    Scope, ToApp, UsernameFormat,
};
use crate::facts::attributes::{
    OKTA_USER_BASE, app_user_base_names, is_app_user_base, is_okta_user_base,
};
use crate::facts::provisioning::ToAppToggle;
use crate::ids::OrgUrl;

/// Which profile an attribute belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProfileKind {
    OktaUser,
    App,
}

/// Whether validation resolves `${env:…}` / `${file:…}` references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum References {
    /// Check their form only: they are resolved lazily, by the command that needs the value.
    Syntax,
    /// Resolve each one (values are never shown); one that does not resolve is an error.
    Resolve,
}

/// Runs every check. Returns errors and warnings together, in no particular order.
pub fn validate(config: &Config, references: References) -> Vec<Diagnostic> {
    let mut v = Validator {
        references,
        out: Vec::new(),
    };
    if let Some(org) = &config.org {
        v.org_url(&org.value.url);
    }
    let okta_attributes = config.okta_user.as_ref().map(|o| &o.value.attributes);
    let empty = IndexMap::new();
    let okta_attributes = okta_attributes.unwrap_or(&empty);
    for (name, attribute) in okta_attributes {
        v.attribute(name, attribute, ProfileKind::OktaUser);
    }
    v.unique_limit(okta_attributes);
    for (app_name, app) in &config.apps {
        v.app(app_name, app, okta_attributes);
    }
    v.one_config_app_per_okta_app(&config.apps);
    v.out
}

struct Validator {
    references: References,
    out: Vec<Diagnostic>,
}

impl Validator {
    fn push(&mut self, diagnostic: Diagnostic) {
        self.out.push(diagnostic);
    }

    fn org_url(&mut self, url: &Loc<Text>) {
        let Some(text) = self.text(url) else { return };
        if let Err(e) = OrgUrl::parse(&text) {
            self.push(Diagnostic::error(
                Code::InvalidOrgUrl,
                url.at,
                e.to_string(),
            ));
        }
    }

    /// Resolves a text field; a reference that does not resolve is reported. `None` when the
    /// value is not known offline (or did not resolve).
    fn text(&mut self, text: &Loc<Text>) -> Option<String> {
        if let (Text::Ref(_), References::Syntax) = (&text.value, self.references) {
            return None;
        }
        match text.value.resolve() {
            Ok(resolved) => Some(resolved),
            Err(e) => {
                self.push(unresolved(text.at, &e.to_string()));
                None
            }
        }
    }

    fn secret(&mut self, secret: &Loc<Secret>, field: &str) {
        match &secret.value {
            Secret::Inline => self.push(
                Diagnostic::error(
                    Code::InlineSecret,
                    secret.at,
                    format!("`{field}` is a secret and must not be written in the file"),
                )
                .label("secret written inline (not shown)")
                .help(format!(
                    "put it in an environment variable or a file kept out of git, and write \
                     `{field}: \"${{env:NAME}}\"` or `{field}: \"${{file:PATH}}\"`; then rotate \
                     the exposed secret"
                ))
                .redacted(),
            ),
            Secret::Ref(_) if self.references == References::Syntax => {}
            Secret::Ref(reference) => {
                if let Err(e) = reference.resolve() {
                    self.push(unresolved(secret.at, &e.to_string()));
                }
            }
        }
    }

    fn attribute(&mut self, name: &Loc<String>, attribute: &Attribute, profile: ProfileKind) {
        if !is_variable_name(name) {
            self.push(
                Diagnostic::error(
                    Code::InvalidName,
                    name.at,
                    format!("`{name}` is not a valid attribute variable name"),
                )
                .help(
                    "variable names start with a letter and contain only letters, digits and `_`",
                ),
            );
        }
        let base = match profile {
            ProfileKind::OktaUser => is_okta_user_base(name),
            ProfileKind::App => is_app_user_base(name),
        };
        if base {
            self.push(
                Diagnostic::error(
                    Code::BaseAttribute,
                    name.at,
                    format!("`{name}` is a base attribute defined by Okta, not a custom attribute"),
                )
                .help("map or assign it without declaring it; choose another name for a custom attribute"),
            );
        } else if let Some(base_name) = base_names(profile).find(|b| b.eq_ignore_ascii_case(name)) {
            // Okta compares variable names without case: it refuses `FirstName` next to the base
            // `firstName` (okta-api-notes §5.3, spec `UserSchemaPublic`; finding C6).
            self.push(
                Diagnostic::error(
                    Code::BaseAttributeCase,
                    name.at,
                    format!(
                        "`{name}` differs from the base attribute `{base_name}` only in case"
                    ),
                )
                .label(format!("to Okta this is `{base_name}`: it compares attribute names without case, and refuses it"))
                .help(format!(
                    "to use the base attribute, write `{base_name}` and do not declare it; for a custom attribute, choose a name that differs by more than case"
                )),
            );
        }
        let kind = attribute.kind.value;
        let not_applicable = |at: Pos, what: &str, why: &str| {
            Diagnostic::error(
                Code::NotApplicable,
                at,
                format!("`{what}` does not apply here"),
            )
            .label(why.to_string())
        };
        if profile == ProfileKind::OktaUser {
            for (field, at) in [
                ("external_name", position(&attribute.external_name)),
                (
                    "external_namespace",
                    position(&attribute.external_namespace),
                ),
            ] {
                if let Some(at) = at {
                    self.push(not_applicable(
                        at,
                        field,
                        "only app user attributes have it",
                    ));
                }
            }
        } else {
            if let Some(m) = &attribute.mutability {
                self.push(not_applicable(
                    m.at,
                    "mutability",
                    "only Okta user attributes have it",
                ));
            }
            // Okta accepts these on app user attributes but never sends them back (recorded in
            // the TestAccResourceOktaAppUserSchemas_* cassettes): oktaform cannot manage them.
            for (field, at) in [
                ("master", position(&attribute.master)),
                ("permissions", position(&attribute.permissions)),
            ] {
                if let Some(at) = at {
                    self.push(
                        Diagnostic::warning(
                            Code::NotApplicable,
                            at,
                            format!("`{field}` has no effect on an app user attribute"),
                        )
                        .label("Okta does not keep it for app user profiles")
                        .help("set it on the Okta user attribute instead, or remove it"),
                    );
                }
            }
        }
        if profile == ProfileKind::App
            && let Some(unique) = &attribute.unique
        {
            // "You can only enforce uniqueness in custom attributes in the Okta user profile"
            // (help.okta.com "Enforce uniqueness of custom attributes"; spec tag `Schema`,
            // "Unique Attributes"; finding D12).
            self.push(
                not_applicable(
                    unique.at,
                    "unique",
                    "uniqueness exists only for Okta user and group profiles",
                )
                .help("remove `unique` here; to keep values unique, set `unique: true` on the Okta user attribute this one is mapped from"),
            );
        }
        if kind != AttrType::String {
            let string_only = [
                ("min_length", position(&attribute.min_length)),
                ("max_length", position(&attribute.max_length)),
                (
                    "unique",
                    position(&attribute.unique).filter(|_| profile == ProfileKind::OktaUser),
                ),
            ];
            for (field, at) in string_only {
                if let Some(at) = at {
                    self.push(not_applicable(
                        at,
                        field,
                        &format!(
                            "only string attributes have it; this one is `{}`",
                            kind.label()
                        ),
                    ));
                }
            }
        }
        if let (Some(min), Some(max)) = (&attribute.min_length, &attribute.max_length)
            && min.value > max.value
        {
            self.push(
                Diagnostic::error(
                    Code::LengthRange,
                    min.at,
                    format!(
                        "min_length {} is greater than max_length {}",
                        min.value, max.value
                    ),
                )
                .related(max.at, "max_length"),
            );
        }
        if let Some(union) = &attribute.union {
            if !kind.is_array() {
                self.push(not_applicable(
                    union.at,
                    "union",
                    "only array attributes combine group values",
                ));
            } else if let Some(scope) = &attribute.scope
                && union.value
                && scope.value == Scope::SelfScope
            {
                // A User personal attribute takes no group values; terraform-provider-okta
                // refuses `union = true` with `scope = "SELF"`
                // (resource_okta_app_user_custom_schema_property.go; finding C6).
                self.push(
                    not_applicable(
                        union.at,
                        "union",
                        "a `scope: self` (User personal) attribute takes no group values to combine",
                    )
                    .related(scope.at, "`scope: self` is set here")
                    .help("remove `union`, or remove `scope: self` so that group assignments can set the attribute"),
                );
            }
        }
        if let Some(choices) = &attribute.choices {
            if kind == AttrType::Boolean {
                self.push(not_applicable(
                    choices.at,
                    "enum",
                    "a boolean is already true or false",
                ));
            } else {
                self.choices(&choices.value, kind);
            }
        }
    }

    /// Okta keeps at most five unique attributes per user type (spec tag `Schema`, "Unique
    /// Attributes"; finding D12).
    fn unique_limit(&mut self, okta_attributes: &IndexMap<Loc<String>, Attribute>) {
        let unique: Vec<(&Loc<String>, &Loc<bool>)> = okta_attributes
            .iter()
            .filter_map(|(name, a)| a.unique.as_ref().map(|u| (name, u)))
            .filter(|(_, u)| u.value)
            .collect();
        if let Some((name, sixth)) = unique.get(MAX_UNIQUE) {
            let first = unique[..MAX_UNIQUE]
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>();
            self.push(
                Diagnostic::error(
                    Code::UniqueLimit,
                    sixth.at,
                    format!(
                        "`{name}` would be the sixth unique Okta user attribute; Okta allows at most {MAX_UNIQUE} per user type"
                    ),
                )
                .related(unique[0].1.at, format!("unique already: {}", quoted_list(&first)))
                .help(format!(
                    "keep `unique: true` on at most {MAX_UNIQUE} attributes (those already unique in the org count too)"
                )),
            );
        }
    }

    fn choices(&mut self, choices: &Choices, kind: AttrType) {
        let mut seen: HashMap<String, Pos> = HashMap::new();
        for choice in &choices.0 {
            let Some(canonical) = canonical_value(&choice.value, kind.element()) else {
                self.push(Diagnostic::error(
                    Code::EnumValueType,
                    choice.value.at,
                    format!(
                        "enum value `{}` is not {}",
                        choice.value.value,
                        article(kind.element())
                    ),
                ));
                continue;
            };
            if let Some(first) = seen.get(&canonical) {
                self.push(
                    Diagnostic::error(
                        Code::DuplicateEnumValue,
                        choice.value.at,
                        format!("enum value `{}` is listed twice", choice.value.value),
                    )
                    .related(*first, "first listed here"),
                );
            } else {
                seen.insert(canonical, choice.value.at);
            }
        }
    }

    /// Two config apps that find the same Okta app would each apply their own view of it —
    /// with one `users: exclusive`, every apply unassigns what the other assigns.
    fn one_config_app_per_okta_app(&mut self, apps: &IndexMap<Loc<String>, App>) {
        let mut seen: IndexMap<(&'static str, &str), (&Loc<String>, Pos)> = IndexMap::new();
        for (name, app) in apps {
            let (key, value) = match &app.find.value {
                super::model::Find::Id(id) => ("id", id.0.as_str()),
                super::model::Find::Label(label) => ("label", label.as_str()),
                super::model::Find::Name(name) => ("name", name.as_str()),
            };
            match seen.get(&(key, value)) {
                Some((first, first_at)) => self.push(
                    Diagnostic::error(
                        Code::SameOktaApp,
                        app.find.at,
                        format!(
                            "apps `{first}` and `{name}` both find the Okta app with {key} `{value}`"
                        ),
                    )
                    .label("the same Okta app again")
                    .related(*first_at, format!("`{first}` finds it here"))
                    .help(
                        "one config app per Okta app: merge the two into one, or point `find` at \
                         different apps (two views of one app undo each other on every apply)",
                    ),
                ),
                None => {
                    seen.insert((key, value), (name, app.find.at));
                }
            }
        }
    }

    fn app(
        &mut self,
        app_name: &Loc<String>,
        app: &App,
        okta_attributes: &IndexMap<Loc<String>, Attribute>,
    ) {
        if let super::model::Find::Label(label) | super::model::Find::Name(label) = &app.find.value
            && label.trim().is_empty()
        {
            self.push(Diagnostic::error(
                Code::InvalidValue,
                app.find.at,
                "`find` names an empty value",
            ));
        }
        for (name, attribute) in &app.attributes {
            self.attribute(name, attribute, ProfileKind::App);
        }
        let scim = app.provisioning.as_ref().and_then(|p| p.scim.as_ref());
        if let Some(provisioning) = &app.provisioning {
            if let Some(scim) = &provisioning.scim {
                if let Some(url) = self.text(&scim.value.base_url)
                    && !url.starts_with("https://")
                    && !loopback_http(&url)
                {
                    self.push(
                        Diagnostic::error(Code::InvalidValue, scim.value.base_url.at, "the SCIM connector base URL must use https")
                            .help("copy the SCIM base URL from the vendor's admin page (it starts with `https://`)"),
                    );
                }
                self.auth(&scim.value.auth);
            }
            if let Some(to_app) = &provisioning.to_app {
                let actions: Option<Vec<ScimAction>> = provisioning
                    .scim
                    .as_ref()
                    .map(|s| s.value.actions.iter().map(|a| a.value).collect());
                self.toggles(app_name, &to_app.value, actions.as_deref());
            }
            if let Some(to_okta) = &provisioning.to_okta {
                let t = &to_okta.value;
                match (
                    t.username_format.as_ref().map(|f| f.value),
                    &t.username_expression,
                ) {
                    (Some(UsernameFormat::Custom), None) => self.push(
                        Diagnostic::error(
                            Code::UsernameExpression,
                            t.username_format.as_ref().map_or(to_okta.at, |f| f.at),
                            "`username_format: custom` needs `username_expression`",
                        )
                        .help("e.g. `username_expression: appuser.userName`"),
                    ),
                    (Some(UsernameFormat::Email) | None, Some(expression)) => {
                        self.push(Diagnostic::error(
                            Code::UsernameExpression,
                            expression.at,
                            "`username_expression` is used only with `username_format: custom`",
                        ))
                    }
                    _ => {}
                }
                if let Some(scim) = &provisioning.scim
                    && !scim
                        .value
                        .actions
                        .iter()
                        .any(|a| a.value == ScimAction::ImportNewUsersAndProfileUpdates)
                {
                    self.push(
                        Diagnostic::warning(
                            Code::ToggleConflict,
                            to_okta.at,
                            format!("To Okta settings for `{app_name}` have no effect: the SCIM connection does not import"),
                        )
                        .related(scim.at, "SCIM connection without `import_new_users_and_profile_updates`"),
                    );
                }
            }
        }
        self.group_push(app_name, app);
        self.mappings(app_name, app, okta_attributes, scim.is_some());
        if scim.is_some() {
            self.external_names(app);
        }
        if let Some(assignments) = &app.assignments {
            for (login, profile) in &assignments.value.users {
                if let Some(profile) = profile {
                    self.profile(app_name, app, profile, &Whose::User(login));
                }
            }
            let mut priorities: HashMap<u32, (Pos, &str)> = HashMap::new();
            for (group, assignment) in &assignments.value.groups {
                self.profile(app_name, app, &assignment.profile, &Whose::Group(group));
                if let Some(priority) = &assignment.priority {
                    if let Some((first, other)) = priorities.get(&priority.value) {
                        self.push(
                            Diagnostic::warning(
                                Code::PriorityClash,
                                priority.at,
                                format!("groups `{other}` and `{group}` have the same priority {}", priority.value),
                            )
                            .related(*first, "same priority here")
                            .help("Okta renumbers clashing priorities in an order you do not control; give each group its own"),
                        );
                    } else {
                        priorities.insert(priority.value, (priority.at, group.value.as_str()));
                    }
                }
            }
        }
    }

    /// Group push needs the Push Groups action and a vendor that takes groups; Push Groups on a
    /// vendor that takes none is an error too.
    fn group_push(&mut self, app_name: &Loc<String>, app: &App) {
        let scim = app.provisioning.as_ref().and_then(|p| p.scim.as_ref());
        let push_action = scim.and_then(|s| {
            s.value
                .actions
                .iter()
                .find(|a| a.value == ScimAction::PushGroups)
        });
        let no_groups = app
            .vendor
            .as_ref()
            .and_then(|v| v.value.supports_groups.as_ref())
            .filter(|g| !g.value);
        let pushed = app
            .group_push
            .as_ref()
            .filter(|g| !g.value.groups.is_empty());
        if let Some(no_groups) = no_groups {
            let what = [
                push_action.map(|a| {
                    (
                        a.at,
                        "Push Groups is on",
                        "remove `push_groups` from provisioning.scim.actions",
                    )
                }),
                pushed.map(|g| (g.at, "groups are pushed", "remove `group_push`")),
            ];
            for (at, what, fix) in what.into_iter().flatten() {
                self.push(
                    Diagnostic::error(
                        Code::VendorNoGroups,
                        at,
                        format!("{what} for `{app_name}`, but its vendor supports no groups"),
                    )
                    .related(no_groups.at, "the vendor supports no groups (its guide says so)")
                    .help(format!(
                        "{fix}: Okta would send /Groups requests the vendor refuses, and every push would fail; assign groups to the app instead (assignments.groups), which provisions their members"
                    )),
                );
            }
        }
        let Some(pushed) = pushed else { return };
        if let Some(scim) = scim
            && push_action.is_none()
        {
            self.push(
                Diagnostic::error(
                    Code::GroupPushAction,
                    pushed.at,
                    format!(
                        "`{app_name}` pushes groups, but its SCIM connection does not support Push Groups"
                    ),
                )
                .related(scim.value.unique_identifier.at, "SCIM connection without `push_groups`")
                .help("add `push_groups` to provisioning.scim.actions (Provisioning → Integration → Push Groups), or remove `group_push`"),
            );
        }
        let assigned = app.assignments.as_ref().map(|a| &a.value.groups);
        for (group, _) in &pushed.value.groups {
            if group.trim().is_empty() {
                self.push(Diagnostic::error(
                    Code::InvalidValue,
                    group.at,
                    "a pushed group needs a name",
                ));
                continue;
            }
            if let Some(assigned) = assigned
                && !assigned.contains_key(group.as_str())
            {
                self.push(
                    Diagnostic::warning(
                        Code::PushedNotAssigned,
                        group.at,
                        format!("`{group}` is pushed to `{app_name}` but not assigned to it"),
                    )
                    .help(format!(
                        "Okta pushes only the members who are assigned the app; add `{group}` to assignments.groups, or assign its members"
                    )),
                );
            }
        }
    }

    fn auth(&mut self, auth: &Loc<ScimAuth>) {
        let a = &auth.value;
        let mode = a.mode.value;
        let fields: [(&str, Option<Pos>, AuthMode); 7] = [
            ("token", position(&a.token), AuthMode::Header),
            ("username", position(&a.username), AuthMode::Basic),
            ("password", position(&a.password), AuthMode::Basic),
            ("token_url", position(&a.token_url), AuthMode::Oauth),
            ("authorize_url", position(&a.authorize_url), AuthMode::Oauth),
            ("client_id", position(&a.client_id), AuthMode::Oauth),
            ("client_secret", position(&a.client_secret), AuthMode::Oauth),
        ];
        let current = mode_name(mode);
        let missing: Vec<&str> = fields
            .iter()
            .filter(|(_, at, m)| *m == mode && at.is_none())
            .map(|(f, _, _)| *f)
            .collect();
        if !missing.is_empty() {
            self.push(Diagnostic::error(
                Code::AuthIncomplete,
                a.mode.at,
                format!("`mode: {current}` needs {}", quoted_list(&missing)),
            ));
        }
        for (field, at, m) in fields {
            if let Some(at) = at
                && m != mode
            {
                self.push(
                    Diagnostic::error(
                        Code::NotApplicable,
                        at,
                        format!("`{field}` does not apply here"),
                    )
                    .label(format!(
                        "used with `mode: {}`, not `mode: {current}`",
                        mode_name(m)
                    )),
                );
            }
        }
        for (field, secret) in [
            ("token", &a.token),
            ("password", &a.password),
            ("client_secret", &a.client_secret),
        ] {
            if let Some(secret) = secret {
                self.secret(secret, field);
            }
        }
    }

    /// Finding D10: the recorded app-schema answers show no `externalName` on properties made
    /// through the API, and a SCIM server only receives an attribute under its external name.
    fn external_names(&mut self, app: &App) {
        for (name, attribute) in &app.attributes {
            if attribute.external_name.is_none() {
                self.push(
                    Diagnostic::warning(
                        Code::MissingExternalName,
                        name.at,
                        format!("`{name}` is pushed through SCIM without an external name"),
                    )
                    .help(format!(
                        "Okta may leave it empty on an attribute made through its API, and the SCIM server then never receives the value; set `external_name: {name}` (its name in the vendor's SCIM schema)"
                    )),
                );
            }
        }
    }

    fn toggles(&mut self, app_name: &str, to_app: &ToApp, actions: Option<&[ScimAction]>) {
        let Some(actions) = actions else { return };
        // The SCIM action each toggle needs.
        let needs = to_app.toggles().into_iter().filter_map(|(toggle, want)| {
            let action = match toggle {
                ToAppToggle::CreateUsers | ToAppToggle::DeactivateUsers => ScimAction::PushNewUsers,
                ToAppToggle::UpdateUserAttributes => ScimAction::PushProfileUpdates,
                ToAppToggle::SyncPassword => return None,
            };
            Some((toggle.console_label(), want, action))
        });
        for (label, toggle, action) in needs {
            if toggle.value && !actions.contains(&action) {
                self.push(
                    Diagnostic::warning(
                        Code::ToggleConflict,
                        toggle.at,
                        format!(
                            "{label} is on for `{app_name}`, but its SCIM connection does not support {}",
                            action.console_label()
                        ),
                    )
                    .help(format!(
                        "add `{}` to provisioning.scim.actions, or turn {label} off",
                        action_key(action)
                    )),
                );
            }
        }
    }

    fn mappings(
        &mut self,
        app_name: &Loc<String>,
        app: &App,
        okta_attributes: &IndexMap<Loc<String>, Attribute>,
        scim: bool,
    ) {
        let okta_known = |n: &str| is_okta_user_base(n) || okta_attributes.contains_key(n);
        let app_known = |n: &str| is_app_user_base(n) || app.attributes.contains_key(n);
        for (target, mapping) in &app.mappings.to_app {
            if !app_known(target) {
                self.push(unknown_attribute(
                    target.at,
                    target,
                    &format!("app `{app_name}`"),
                    app.attributes.keys(),
                ));
            } else if scim
                && let Some((name, attribute)) = app.attributes.get_key_value(target.as_str())
                && attribute.external_namespace.is_none()
            {
                self.push(
                    Diagnostic::warning(
                        Code::MissingNamespace,
                        name.at,
                        format!("`{name}` is pushed through SCIM without an external namespace"),
                    )
                    .related(target.at, "pushed by this mapping")
                    .help("Okta then sends it in the core User schema, which SCIM servers ignore for unknown attributes; set `external_namespace` (e.g. `urn:ietf:params:scim:schemas:extension:<vendor>:2.0:User`)"),
                );
            }
            self.expression(
                mapping,
                "user",
                "appuser",
                &okta_known,
                OKTA_USER_PROFILE,
                okta_attributes.keys(),
            );
            if let Some(target_type) = type_of(&app.attributes, is_app_user_base, target)
                && let Some((source, source_type)) =
                    bare_reference(mapping, "user", okta_attributes, is_okta_user_base)
            {
                self.mapping_type(
                    mapping,
                    (target, &format!("app `{app_name}`"), target_type),
                    (&source, source_type),
                );
            }
        }
        for (target, mapping) in &app.mappings.to_okta {
            if !okta_known(target) {
                self.push(unknown_attribute(
                    target.at,
                    target,
                    OKTA_USER_PROFILE,
                    okta_attributes.keys(),
                ));
            }
            self.expression(
                mapping,
                "appuser",
                "user",
                &app_known,
                &format!("app `{app_name}`"),
                app.attributes.keys(),
            );
            if let Some(target_type) = type_of(okta_attributes, is_okta_user_base, target)
                && let Some((source, source_type)) =
                    bare_reference(mapping, "appuser", &app.attributes, is_app_user_base)
            {
                self.mapping_type(
                    mapping,
                    (target, OKTA_USER_PROFILE, target_type),
                    (&source, source_type),
                );
            }
        }
    }

    /// A mapping whose expression is one attribute must read an attribute of the target's type:
    /// the Admin Console's mapping editor offers only sources of the target's type, and a
    /// `string array` pushed into a `string` (issue 10, item 5) is at best sent to the vendor
    /// in the wrong shape. Expressions that compute something are left alone.
    fn mapping_type(
        &mut self,
        mapping: &Loc<Mapping>,
        (target, target_profile, target_type): (&Loc<String>, &str, Typed),
        (source, source_type): (&str, Typed),
    ) {
        if source_type.kind == target_type.kind {
            return;
        }
        let (from, to) = (source_type.kind.label(), target_type.kind.label());
        let mut d = Diagnostic::error(
            Code::MappingType,
            mapping.at,
            format!(
                "`{source}` (`{from}`{}) is mapped to `{target}` of {target_profile} (`{to}`{}): a mapping's source and target must have the same type",
                source_type.base_note(),
                target_type.base_note(),
            ),
        )
        .label(format!("`{from}` value for a `{to}` attribute"));
        if let Some(at) = source_type.at {
            d = d.related(at, format!("`{source}` is declared `{from}` here"));
        }
        if let Some(at) = target_type.at {
            d = d.related(at, format!("`{target}` is declared `{to}` here"));
        }
        let convert = if source_type.kind.is_array() && target_type.kind == AttrType::String {
            format!("; to send the list as one text, write `Arrays.toCsvString({source})`")
        } else {
            String::new()
        };
        self.push(d.help(format!(
            "map an attribute of type `{to}`, or give both attributes the same `type`{convert}"
        )));
    }

    /// Checks the variables an expression reads: `root.X` must be known, `wrong_root.X` is the
    /// other direction's profile.
    #[allow(clippy::too_many_arguments)]
    fn expression<'k>(
        &mut self,
        mapping: &Loc<Mapping>,
        root: &str,
        wrong_root: &str,
        known: &dyn Fn(&str) -> bool,
        profile: &str,
        declared: impl Iterator<Item = &'k Loc<String>> + Clone,
    ) {
        for variable in expression::variables(&mapping.value.expression) {
            if variable.root == wrong_root {
                self.push(
                    Diagnostic::error(
                        Code::UnknownExpressionVariable,
                        mapping.at,
                        format!(
                            "`{wrong_root}.{}` cannot be read in this direction",
                            variable.name
                        ),
                    )
                    .help(format!(
                        "this mapping reads {profile}: write `{root}.{}`",
                        variable.name
                    )),
                );
            } else if !known(variable.name) {
                self.push(unknown_attribute(
                    mapping.at,
                    variable.name,
                    profile,
                    declared.clone(),
                ));
            }
        }
    }

    fn profile(&mut self, app_name: &Loc<String>, app: &App, profile: &Profile, whose: &Whose) {
        for (key, value) in profile {
            match app.attributes.get(key.as_str()) {
                Some(attribute) => self.profile_value(key, value, attribute, &whose.to_string()),
                None if is_app_user_base(key) => {}
                None => {
                    self.push(unknown_attribute(
                        key.at,
                        key,
                        &format!("app `{app_name}`"),
                        app.attributes.keys(),
                    ));
                    continue;
                }
            }
            if let Some((target, mapping)) = app.mappings.to_app.get_key_value(key.as_str()) {
                self.mapped_and_assigned(key, value, whose, target, mapping);
            }
        }
    }

    /// One attribute, two sources: with profile push on, Okta answers an assignment value for
    /// a mapped attribute with 403 E0000075 ("Cannot modify the … attribute because it has a
    /// field mapping and profile push is enabled"; spec `assignUserToApplication`); with push
    /// off, the mapping overwrites it on the next profile change (finding B1).
    fn mapped_and_assigned(
        &mut self,
        key: &Loc<String>,
        value: &Loc<Value>,
        whose: &Whose,
        target: &Loc<String>,
        mapping: &Loc<Mapping>,
    ) {
        // Okta's KB "Usage of Group Type Attributes for Assignments": a group's value for a
        // mapped attribute is not used; a user's is refused or overwritten.
        let label = match whose {
            Whose::Group(_) => {
                "Okta does not use a group's value for a mapped attribute: the mapping decides"
            }
            Whose::User(_) => {
                "with profile push on, Okta refuses this value (403 E0000075); otherwise the mapping overwrites it"
            }
        };
        self.push(
            Diagnostic::error(
                Code::MappedAndAssigned,
                value.at,
                format!(
                    "`{key}` has two sources: {} sets it, and `mappings.to_app.{target}` maps it from the Okta user (`{}`)",
                    whose.source(),
                    mapping.value.expression
                ),
            )
            .label(label)
            .related(target.at, "mapped from the Okta user here")
            .help("drop one source: either map it from the Okta user (and set the value on the Okta user), or set it per assignment (and remove the mapping)"),
        );
    }

    fn profile_value(
        &mut self,
        key: &Loc<String>,
        value: &Loc<Value>,
        attribute: &Attribute,
        whose: &str,
    ) {
        let kind = attribute.kind.value;
        let elements: Vec<&Value> = match (&value.value, kind.is_array()) {
            (Value::Null, _) => return,
            (Value::Array(items), true) => items.iter().collect(),
            (other, false) => vec![other],
            (other, true) => {
                self.push(
                    Diagnostic::error(
                        Code::ProfileValueType,
                        value.at,
                        format!(
                            "`{key}` of {whose} must be a list ({}), found {}",
                            kind.label(),
                            describe(other)
                        ),
                    )
                    .help(format!("write `{key}: [{}]`", display_scalar(other))),
                );
                return;
            }
        };
        for element in elements {
            if !fits(element, kind.element()) {
                self.push(Diagnostic::error(
                    Code::ProfileValueType,
                    value.at,
                    format!(
                        "`{key}` of {whose} must be {}, found {}",
                        article(kind.element()),
                        describe(element)
                    ),
                ));
                continue;
            }
            if let Some(choices) = &attribute.choices {
                let text = display_scalar(element);
                let wanted = canonical_value(&text, kind.element());
                let member = choices
                    .value
                    .0
                    .iter()
                    .any(|c| canonical_value(&c.value, kind.element()) == wanted);
                if !member {
                    let values: Vec<&str> =
                        choices.value.0.iter().map(|c| c.value.as_str()).collect();
                    let mut d = Diagnostic::error(
                        Code::NotInEnum,
                        value.at,
                        format!("`{text}` is not one of the values of `{key}` ({whose})"),
                    )
                    .help(format!("allowed: {}", quoted_list(&values)))
                    .related(choices.at, "the enum is declared here");
                    if let Some(best) = closest(&text, values.iter().copied()) {
                        d = d.label(format!("did you mean `{best}`?"));
                    }
                    self.push(d);
                }
            }
        }
    }
}

fn unresolved(at: Pos, why: &str) -> Diagnostic {
    Diagnostic::error(
        Code::UnresolvedReference,
        at,
        format!("cannot resolve this value: {why}"),
    )
    .help(
        "set it in the environment oktaform runs in (CI: a secret variable), or fix the reference",
    )
}

fn unknown_attribute<'k>(
    at: Pos,
    name: &str,
    profile: &str,
    declared: impl Iterator<Item = &'k Loc<String>>,
) -> Diagnostic {
    let declared: Vec<&str> = declared.map(|d| d.as_str()).collect();
    let mut d = Diagnostic::error(
        Code::UnknownAttribute,
        at,
        format!("`{name}` is not an attribute of {profile}"),
    )
    .help(format!(
        "declare it under that profile's `attributes:` (an identical attribute that already exists in Okta is adopted, not re-created){}",
        if declared.is_empty() { String::new() } else { format!("; declared: {}", quoted_list(&declared)) }
    ));
    let base: Vec<&str> = if profile == OKTA_USER_PROFILE {
        OKTA_USER_BASE.to_vec()
    } else {
        app_user_base_names().collect()
    };
    if let Some(best) = closest(name, declared.iter().copied().chain(base)) {
        d = d.label(format!("did you mean `{best}`?"));
    }
    d
}

/// How diagnostics name the Okta user profile.
const OKTA_USER_PROFILE: &str = "the Okta user profile";

/// Okta's limit of unique attributes per user type.
const MAX_UNIQUE: usize = 5;

/// The base attribute names of a profile.
fn base_names(profile: ProfileKind) -> Box<dyn Iterator<Item = &'static str>> {
    match profile {
        ProfileKind::OktaUser => Box::new(OKTA_USER_BASE.iter().copied()),
        ProfileKind::App => Box::new(app_user_base_names()),
    }
}

/// Whose assignment a profile is.
enum Whose<'a> {
    User(&'a str),
    Group(&'a str),
}

impl Whose<'_> {
    /// The assignment as a place in the config.
    fn source(&self) -> String {
        match self {
            Whose::User(login) => format!("`assignments.users` for `{login}`"),
            Whose::Group(name) => format!("`assignments.groups` for `{name}`"),
        }
    }
}

impl std::fmt::Display for Whose<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Whose::User(login) => write!(f, "user `{login}`"),
            Whose::Group(name) => write!(f, "group `{name}`"),
        }
    }
}

/// An attribute's type, and where it is declared (`None` for a base attribute).
#[derive(Debug, Clone, Copy)]
struct Typed {
    kind: AttrType,
    at: Option<Pos>,
}

impl Typed {
    fn base_note(&self) -> &'static str {
        if self.at.is_none() {
            ", a base attribute"
        } else {
            ""
        }
    }
}

/// The type of `name` in a profile: declared, or `string` for a base attribute (Okta's base
/// attributes of the user profile and of the SCIM and OIDC app templates are all strings).
/// `None` for a name the profile does not have (reported elsewhere).
fn type_of(
    declared: &IndexMap<Loc<String>, Attribute>,
    is_base: fn(&str) -> bool,
    name: &str,
) -> Option<Typed> {
    match declared.get(name) {
        Some(attribute) => Some(Typed {
            kind: attribute.kind.value,
            at: Some(attribute.kind.at),
        }),
        None if is_base(name) => Some(Typed {
            kind: AttrType::String,
            at: None,
        }),
        None => None,
    }
}

/// The attribute an expression is, when it is nothing but `root.name` of a known attribute
/// (`user.instabugApplications`), with its type. Anything more complex is left alone.
fn bare_reference(
    mapping: &Loc<Mapping>,
    root: &str,
    declared: &IndexMap<Loc<String>, Attribute>,
    is_base: fn(&str) -> bool,
) -> Option<(String, Typed)> {
    let expression = mapping.value.expression.trim();
    let variables = expression::variables(expression);
    let [variable] = variables.as_slice() else {
        return None;
    };
    let text = format!("{}.{}", variable.root, variable.name);
    if variable.root != root || expression != text {
        return None;
    }
    type_of(declared, is_base, variable.name).map(|t| (text, t))
}

fn closest<'a>(found: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(found, c), c))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The value's identity for comparison: integers and numbers compare numerically.
fn canonical_value(text: &str, kind: AttrType) -> Option<String> {
    match kind {
        AttrType::Integer => text.trim().parse::<i64>().ok().map(|n| n.to_string()),
        AttrType::Number => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(|n| n.to_string()),
        _ => Some(text.to_string()),
    }
}

fn fits(value: &Value, kind: AttrType) -> bool {
    match kind {
        AttrType::String => value.is_string(),
        AttrType::Boolean => value.is_boolean(),
        AttrType::Integer => value.is_i64() || value.is_u64(),
        AttrType::Number => value.is_number(),
        _ => false,
    }
}

fn display_scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("the text `{s}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

fn article(kind: AttrType) -> &'static str {
    match kind {
        AttrType::String => "text (a string)",
        AttrType::Boolean => "`true` or `false`",
        AttrType::Integer => "a whole number (integer)",
        AttrType::Number => "a number",
        _ => "a list",
    }
}

fn mode_name(mode: AuthMode) -> &'static str {
    match mode {
        AuthMode::Header => "header",
        AuthMode::Basic => "basic",
        AuthMode::Oauth => "oauth",
    }
}

fn action_key(action: ScimAction) -> &'static str {
    match action {
        ScimAction::PushNewUsers => "push_new_users",
        ScimAction::PushProfileUpdates => "push_profile_updates",
        ScimAction::PushGroups => "push_groups",
        ScimAction::ImportNewUsersAndProfileUpdates => "import_new_users_and_profile_updates",
        ScimAction::ImportGroups => "import_groups",
    }
}

/// `http://` to a loopback host (a local SCIM server, such as the sandbox's): nothing leaves the
/// machine, so https is not required.
fn loopback_http(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        u.scheme() == "http"
            && match u.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            }
    })
}
