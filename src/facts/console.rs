//! The Admin Console's click paths, for what Okta's public API cannot do: every manual step
//! and "check once" note a plan prints is worded here, in the console's own labels.

use super::provisioning::ToAppToggle;

/// The app's page: the Admin Console's menu is Applications → Applications, then the app
/// (finding C8: KB "Updating the SCIM Connection Configuration Using Okta API").
fn app_page(label: &str) -> String {
    format!("Applications → Applications → {label}")
}

/// `Applications → Applications → {app} → Provisioning → {tab}`.
fn provisioning_tab(label: &str, tab: &str) -> String {
    format!("{} → Provisioning → {tab}", app_page(label))
}

/// Where a SCIM connection is set: `Applications → Applications → {app} → Provisioning → Integration`.
pub fn integration_tab(label: &str) -> String {
    provisioning_tab(label, "Integration")
}

/// The To App step that turns toggles on and off.
pub fn to_app_edit(label: &str, enable: &[ToAppToggle], disable: &[ToAppToggle]) -> String {
    let names = |toggles: &[ToAppToggle]| {
        words(
            &toggles
                .iter()
                .map(|t| t.console_label())
                .collect::<Vec<_>>(),
        )
    };
    let mut actions = Vec::new();
    if !enable.is_empty() {
        actions.push(format!("enable {}", names(enable)));
    }
    if !disable.is_empty() {
        actions.push(format!("disable {}", names(disable)));
    }
    format!(
        "{} → Edit → {}, then Save",
        provisioning_tab(label, "To App"),
        actions.join("; ")
    )
}

/// Pushing a changed Okta User → app mapping to the users already assigned: the public API
/// does not (terraform-provider-okta's `always_apply` calls a private endpoint for it).
pub fn apply_mapping_updates(label: &str) -> String {
    format!(
        "Directory → Profile Editor → {label} User → Mappings → Okta User to {label} → Save Mappings → Apply updates now (the API does not update users already assigned)"
    )
}

/// Creating the vendor accounts of users assigned while Create Users was off: Okta does not
/// do it when the toggle is turned on (help "Manage app integration assignments", finding D7).
pub fn provision_users(label: &str) -> String {
    format!(
        "{} → Assignments → Provision Users (Okta does not create the accounts of users assigned while Create Users was off)",
        app_page(label)
    )
}

/// Turning SCIM provisioning on for a custom app.
pub fn enable_scim(label: &str) -> String {
    format!(
        "{} → General → App Settings → Edit → Provisioning: SCIM, then Save",
        app_page(label)
    )
}

/// Ticking or unticking Push Groups among the SCIM connection's supported actions.
pub fn push_groups(label: &str, on: bool) -> String {
    format!(
        "{} → Edit → {} Push Groups, then Save",
        integration_tab(label),
        if on { "tick" } else { "untick" }
    )
}

/// Enabling an OIN app's API integration by hand (apps whose connection the API cannot write).
pub fn enable_api_integration(label: &str) -> String {
    format!(
        "{} → Configure API Integration → Enable API Integration, enter its credentials, Test API Credentials, then Save",
        integration_tab(label)
    )
}

/// Setting a connection's authentication by hand (the API writes only token connections).
pub fn set_authentication(label: &str) -> String {
    format!(
        "{} → Edit → set the authentication as the config says, then Save",
        integration_tab(label)
    )
}

/// What the Integration tab of a custom SCIM app should show, to check by eye.
pub struct ScimSettings<'a> {
    pub base_url: &'a str,
    pub unique_identifier: &'a str,
    pub actions: &'a [&'a str],
    pub auth_mode: &'a str,
}

/// The note for a SCIM connection the API cannot read.
pub fn check_scim_connection(label: &str, scim: &ScimSettings<'_>) -> String {
    format!(
        "the SCIM connection of a custom app cannot be read through Okta's API; check once in {}: SCIM connector base URL {}, unique identifier field {}, supported actions {}, authentication mode {}",
        integration_tab(label),
        scim.base_url,
        scim.unique_identifier,
        if scim.actions.is_empty() {
            "none".to_string()
        } else {
            scim.actions.join(", ")
        },
        scim.auth_mode
    )
}

/// The note for To Okta import settings the API cannot read.
pub fn check_to_okta(label: &str) -> String {
    format!(
        "To Okta import settings of this app cannot be read through Okta's API; check them once in {}",
        provisioning_tab(label, "To Okta")
    )
}

/// The note for Sync Password details the API cannot read.
pub const CHECK_SYNC_PASSWORD: &str = "Sync Password's password choice and password cycle cannot be read for this app; check them once in the Admin Console";

/// `a`, `a and b`, `a, b and c`.
fn words(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_app_steps_name_the_toggles_in_english() {
        assert_eq!(
            to_app_edit(
                "Luciq",
                &[
                    ToAppToggle::CreateUsers,
                    ToAppToggle::UpdateUserAttributes,
                    ToAppToggle::DeactivateUsers
                ],
                &[ToAppToggle::SyncPassword]
            ),
            "Applications → Applications → Luciq → Provisioning → To App → Edit → enable Create Users, Update User Attributes and Deactivate Users; disable Sync Password, then Save"
        );
    }
}
