//! The System Log's event types that record admin changes to what oktaform manages, by kind
//! of object. A drift report asks the log only for these (not for sign-ins, which also name
//! the app and outnumber changes by orders of magnitude), as `eventType sw "…"` prefixes.
//!
//! Names from Okta's event-type catalog where they are documented there (`application.lifecycle.*`,
//! `application.user_membership.*`, `group.application_assignment.*`, `application.provision.*`);
//! the schema and mapping families (`system.custom_attributes.*`, `app.user_management.*`)
//! are unverified against a recording and follow the embedded sandbox.

/// What kind of object an event changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// A user profile schema (the Okta user's or an app's).
    Schema,
    /// A profile mapping.
    Mapping,
    /// Provisioning settings: toggles, the connection.
    Provisioning,
    /// A user's assignment to an app.
    UserAssignment,
    /// A group's assignment to an app.
    GroupAssignment,
}

impl Changed {
    pub const ALL: [Changed; 5] = [
        Changed::Schema,
        Changed::Mapping,
        Changed::Provisioning,
        Changed::UserAssignment,
        Changed::GroupAssignment,
    ];

    /// The event-type prefixes of this kind of change.
    pub fn event_types(self) -> &'static [&'static str] {
        match self {
            Changed::Schema => &["system.custom_attributes."],
            Changed::Mapping => &["app.user_management.update_mapping"],
            Changed::Provisioning => &["application.provision.", "application.lifecycle."],
            Changed::UserAssignment => &["application.user_membership."],
            Changed::GroupAssignment => &[
                "application.group_membership.",
                "group.application_assignment.",
            ],
        }
    }

    /// Every prefix, for one query.
    pub fn all_event_types() -> Vec<&'static str> {
        Changed::ALL
            .iter()
            .flat_map(|c| c.event_types().iter().copied())
            .collect()
    }

    pub fn matches(self, event_type: &str) -> bool {
        self.event_types().iter().any(|p| event_type.starts_with(p))
    }
}

/// Whether a raw user agent is a browser's: the change was made in the Admin Console.
pub fn from_browser(user_agent: &str) -> bool {
    user_agent.starts_with("Mozilla/")
}
