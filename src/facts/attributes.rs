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

/// The mappings a new SCIM 2.0 template app starts with, Okta user → app (target, expression),
/// as the Admin Console shows them. Export leaves out a mapping equal to one of these; the
/// list only makes an export shorter (a mapping missing here is exported, which is harmless).
pub const SCIM_DEFAULT_TO_APP: &[(&str, &str)] = &[
    ("userName", "user.login"),
    ("givenName", "user.firstName"),
    ("familyName", "user.lastName"),
    ("middleName", "user.middleName"),
    ("honorificPrefix", "user.honorificPrefix"),
    ("honorificSuffix", "user.honorificSuffix"),
    ("email", "user.email"),
    ("title", "user.title"),
    ("displayName", "user.displayName"),
    ("nickName", "user.nickName"),
    ("primaryPhone", "user.primaryPhone"),
    ("mobilePhone", "user.mobilePhone"),
    ("streetAddress", "user.streetAddress"),
    ("locality", "user.city"),
    ("region", "user.state"),
    ("postalCode", "user.zipCode"),
    ("countryCode", "user.countryCode"),
    ("preferredLanguage", "user.preferredLanguage"),
    ("locale", "user.locale"),
    ("timezone", "user.timezone"),
    ("employeeNumber", "user.employeeNumber"),
    ("department", "user.department"),
];

/// The app → Okta user mappings a new SCIM 2.0 template app starts with.
pub const SCIM_DEFAULT_TO_OKTA: &[(&str, &str)] = &[
    ("login", "appuser.userName"),
    ("firstName", "appuser.givenName"),
    ("lastName", "appuser.familyName"),
    ("email", "appuser.email"),
];
