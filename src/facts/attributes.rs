//! The base attributes Okta itself defines — of the Okta user profile and of app user profiles
//! per kind of app — which a config may map and assign without declaring them.

/// Base attributes of Okta's default user profile, as `GET /api/v1/meta/schemas/user/default`
/// returns them (recorded in `okta-sdk-python/test_user_schema_it__…test_get_user_schema.yaml`).
pub const OKTA_USER_BASE: &[&str] = &[
    "login",
    "firstName",
    "lastName",
    "middleName",
    "honorificPrefix",
    "honorificSuffix",
    "email",
    "title",
    "displayName",
    "nickName",
    "profileUrl",
    "secondEmail",
    "mobilePhone",
    "primaryPhone",
    "streetAddress",
    "city",
    "state",
    "zipCode",
    "countryCode",
    "postalAddress",
    "preferredLanguage",
    "locale",
    "timezone",
    "userType",
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "department",
    "managerId",
    "manager",
];

/// Base attributes of an app user profile made from Okta's SCIM 2.0 app template (custom SCIM
/// apps, the seeds' case).
pub const SCIM_APP_USER_BASE: &[&str] = &[
    "userName",
    "givenName",
    "familyName",
    "middleName",
    "honorificPrefix",
    "honorificSuffix",
    "email",
    "secondEmail",
    "title",
    "displayName",
    "nickName",
    "profileUrl",
    "primaryPhone",
    "mobilePhone",
    "streetAddress",
    "locality",
    "region",
    "postalCode",
    "countryCode",
    "preferredLanguage",
    "locale",
    "timezone",
    "userType",
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "department",
    "managerValue",
    "manager",
];

/// Base attributes of an OpenID Connect app's user profile (recorded in
/// `terraform-provider-okta/TestAccResourceOktaAppUserSchemas_crud__oie-00.yaml`).
pub const OIDC_APP_USER_BASE: &[&str] = &[
    "name",
    "nickname",
    "given_name",
    "middle_name",
    "family_name",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "phone_number",
    "street_address",
    "postal_code",
    "country",
    "formatted",
];

/// The kinds of app whose base schema is known offline. Which one a given app has is only
/// known live; offline checks accept a name of any kind, and the plan checks the live schema.
pub const APP_USER_BASES: &[&[&str]] = &[SCIM_APP_USER_BASE, OIDC_APP_USER_BASE];

/// Every base name an app user profile may have offline, for "did you mean".
pub fn app_user_base_names() -> impl Iterator<Item = &'static str> {
    APP_USER_BASES
        .iter()
        .flat_map(|names| names.iter().copied())
}

pub fn is_okta_user_base(name: &str) -> bool {
    OKTA_USER_BASE.contains(&name)
}

pub fn is_app_user_base(name: &str) -> bool {
    app_user_base_names().any(|base| base == name)
}
