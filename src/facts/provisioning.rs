//! Provisioning as Okta exposes it: the To App toggles (each with its Admin Console label, its
//! token in the app object's `features` array, and its pointer into the Features API's
//! `USER_PROVISIONING` capabilities), and the other `features` tokens the plan reads.

/// A To App toggle of Applications → Applications → {app} → Provisioning → To App.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ToAppToggle {
    CreateUsers,
    UpdateUserAttributes,
    DeactivateUsers,
    SyncPassword,
}

impl ToAppToggle {
    /// In the order the Admin Console lists them.
    pub const ALL: [ToAppToggle; 4] = [
        ToAppToggle::CreateUsers,
        ToAppToggle::UpdateUserAttributes,
        ToAppToggle::DeactivateUsers,
        ToAppToggle::SyncPassword,
    ];

    /// The checkbox's label in the Admin Console.
    pub fn console_label(self) -> &'static str {
        match self {
            ToAppToggle::CreateUsers => "Create Users",
            ToAppToggle::UpdateUserAttributes => "Update User Attributes",
            ToAppToggle::DeactivateUsers => "Deactivate Users",
            ToAppToggle::SyncPassword => "Sync Password",
        }
    }

    /// The token the app object's `features` array carries while the toggle is on (the only
    /// way to read it for apps off the Features-API allow-list).
    pub fn app_feature(self) -> &'static str {
        match self {
            ToAppToggle::CreateUsers => "PUSH_NEW_USERS",
            ToAppToggle::UpdateUserAttributes => "PUSH_PROFILE_UPDATES",
            ToAppToggle::DeactivateUsers => "PUSH_USER_DEACTIVATION",
            ToAppToggle::SyncPassword => "PUSH_PASSWORD_UPDATES",
        }
    }

    /// Its `status` in the `USER_PROVISIONING` feature's capabilities (a JSON pointer), as
    /// recorded in terraform-provider-okta's app-features cassettes.
    pub fn capability_pointer(self) -> &'static str {
        match self {
            ToAppToggle::CreateUsers => "/create/lifecycleCreate/status",
            ToAppToggle::UpdateUserAttributes => "/update/profile/status",
            ToAppToggle::DeactivateUsers => "/update/lifecycleDeactivate/status",
            ToAppToggle::SyncPassword => "/update/password/status",
        }
    }
}

/// A To Okta import setting (Provisioning → To Okta), with its pointer into the Features API's
/// `INBOUND_PROVISIONING` capabilities. Names as recorded in
/// `terraform-provider-okta/TestAccDataSourceOktaAppFeatures_read__oie-00.yaml` (which spells
/// `userNameFormat` where the spec says `usernameFormat`: the recording wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToOktaSetting {
    UsernameFormat,
    UsernameExpression,
    MatchBy,
    AllowPartialMatch,
    ConfirmPartialMatches,
    ConfirmExactMatches,
    ConfirmNewUsers,
    ActivateNewUsers,
}

impl ToOktaSetting {
    /// The setting's words on the To Okta tab.
    pub fn console_label(self) -> &'static str {
        match self {
            ToOktaSetting::UsernameFormat => "Okta username format",
            ToOktaSetting::UsernameExpression => "Okta username expression",
            ToOktaSetting::MatchBy => "Imported user is an exact match to Okta user if",
            ToOktaSetting::AllowPartialMatch => "Allow partial matches",
            ToOktaSetting::ConfirmPartialMatches => "Auto-confirm partial matches",
            ToOktaSetting::ConfirmExactMatches => "Auto-confirm exact matches",
            ToOktaSetting::ConfirmNewUsers => "Auto-confirm new users",
            ToOktaSetting::ActivateNewUsers => "Auto-activate new users",
        }
    }

    pub fn capability_pointer(self) -> &'static str {
        match self {
            ToOktaSetting::UsernameFormat => "/importSettings/username/userNameFormat",
            ToOktaSetting::UsernameExpression => "/importSettings/username/userNameExpression",
            ToOktaSetting::MatchBy => "/importRules/userCreateAndMatch/exactMatchCriteria",
            ToOktaSetting::AllowPartialMatch => "/importRules/userCreateAndMatch/allowPartialMatch",
            ToOktaSetting::ConfirmPartialMatches => {
                "/importRules/userCreateAndMatch/autoConfirmPartialMatch"
            }
            ToOktaSetting::ConfirmExactMatches => {
                "/importRules/userCreateAndMatch/autoConfirmExactMatch"
            }
            ToOktaSetting::ConfirmNewUsers => "/importRules/userCreateAndMatch/autoConfirmNewUsers",
            ToOktaSetting::ActivateNewUsers => {
                "/importRules/userCreateAndMatch/autoActivateNewUsers"
            }
        }
    }
}

/// The Features-API feature that holds the To App toggles.
pub const USER_PROVISIONING: &str = "USER_PROVISIONING";
/// The Features-API feature that holds the To Okta import settings.
pub const INBOUND_PROVISIONING: &str = "INBOUND_PROVISIONING";
/// Sync Password's settings in `USER_PROVISIONING`: the password choice and the cycle.
pub const PASSWORD_CAPABILITY: &str = "/update/password";
pub const PASSWORD_SEED_POINTER: &str = "/update/password/seed";
pub const PASSWORD_CHANGE_POINTER: &str = "/update/password/change";

/// `features`-array token: the app's provisioning is SCIM (General → App Settings).
pub const SCIM_PROVISIONING: &str = "SCIM_PROVISIONING";
/// `features`-array token: Push Groups is a supported action of the SCIM connection.
pub const GROUP_PUSH: &str = "GROUP_PUSH";

/// OIN apps whose default connection the API writes with a token (spec tag
/// `ApplicationConnections`; the others on the Features list take OAuth 2.0 only).
pub const TOKEN_CONNECTION_APPS: &[&str] = &["okta_org2org", "zscalerbyz"];

/// A capability's value when on or off.
pub fn status(on: bool) -> &'static str {
    if on { "ENABLED" } else { "DISABLED" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_toggle_has_distinct_names() {
        let mut seen = std::collections::HashSet::new();
        for t in ToAppToggle::ALL {
            assert!(seen.insert(t.console_label()));
            assert!(seen.insert(t.app_feature()));
            assert!(seen.insert(t.capability_pointer()));
        }
    }
}
