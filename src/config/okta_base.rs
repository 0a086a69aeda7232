//! What Okta itself defines: the base attributes of the Okta user profile and of app user
//! profiles, which a config may map and assign without declaring them.

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

/// Base attributes an app user profile may have without a custom declaration: those of Okta's
/// SCIM 2.0 app template (custom SCIM apps, the seeds' case) and the OpenID Connect base schema
/// (recorded in `terraform-provider-okta/TestAccResourceOktaAppUserSchemas_crud__oie-00.yaml`).
/// Which ones a given app really has is only known live; the plan checks that.
pub const APP_USER_BASE: &[&str] = &[
    // SCIM 2.0 template
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
    // OpenID Connect base schema
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

pub fn is_okta_user_base(name: &str) -> bool {
    OKTA_USER_BASE.contains(&name)
}

pub fn is_app_user_base(name: &str) -> bool {
    APP_USER_BASE.contains(&name)
}
