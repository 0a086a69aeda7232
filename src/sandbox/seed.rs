//! The demo org (`--seed demo`) and an empty one (`--seed empty`).
//!
//! The Okta user schema's base properties and the default user type follow the recorded answers
//! (`okta-sdk-python/test_user_schema_it__…test_get_user_schema.yaml`,
//! `…test_list_user_types.yaml`). The apps are like the seeds' vendors: custom SAML apps with
//! SCIM ("Luciq", "Lightrun", "AccessIQ", off the Features-API allow-list) and an Org2Org app (on
//! it). Each app has a SCIM base app-user schema and the default mappings Okta creates.

use serde_json::{Map, Value, json};

use super::Seed;
use super::state::{AppState, OrgState, STATE_VERSION, timestamp};

/// (name, title, SELF permission, extra settings) of the Okta user base properties.
const OKTA_BASE: &[(&str, &str, &str)] = &[
    ("login", "Username", "READ_ONLY"),
    ("firstName", "First name", "READ_WRITE"),
    ("lastName", "Last name", "READ_WRITE"),
    ("middleName", "Middle name", "READ_ONLY"),
    ("honorificPrefix", "Honorific prefix", "READ_ONLY"),
    ("honorificSuffix", "Honorific suffix", "READ_ONLY"),
    ("email", "Primary email", "READ_WRITE"),
    ("title", "Title", "READ_ONLY"),
    ("displayName", "Display name", "READ_ONLY"),
    ("nickName", "Nickname", "READ_ONLY"),
    ("profileUrl", "Profile Url", "READ_ONLY"),
    ("secondEmail", "Secondary email", "READ_WRITE"),
    ("mobilePhone", "Mobile phone", "READ_WRITE"),
    ("primaryPhone", "Primary phone", "HIDE"),
    ("streetAddress", "Street address", "HIDE"),
    ("city", "City", "HIDE"),
    ("state", "State", "HIDE"),
    ("zipCode", "Zip code", "HIDE"),
    ("countryCode", "Country code", "HIDE"),
    ("postalAddress", "Postal Address", "HIDE"),
    ("preferredLanguage", "Preferred language", "READ_ONLY"),
    ("locale", "Locale", "READ_ONLY"),
    ("timezone", "Time zone", "READ_ONLY"),
    ("userType", "User type", "READ_ONLY"),
    ("employeeNumber", "Employee number", "READ_ONLY"),
    ("costCenter", "Cost center", "READ_ONLY"),
    ("organization", "Organization", "READ_ONLY"),
    ("division", "Division", "READ_ONLY"),
    ("department", "Department", "READ_ONLY"),
    ("managerId", "ManagerId", "READ_ONLY"),
    ("manager", "Manager", "READ_ONLY"),
];

/// Settings beyond title/type of some base properties, as recorded.
fn okta_base_extra(name: &str) -> Value {
    match name {
        "login" => json!({"required": true, "minLength": 5, "maxLength": 100}),
        "firstName" | "lastName" => json!({"required": true, "minLength": 1, "maxLength": 50}),
        "email" => json!({"required": true, "format": "email"}),
        "secondEmail" => json!({"format": "email"}),
        "profileUrl" => json!({"format": "uri"}),
        "mobilePhone" | "primaryPhone" => json!({"maxLength": 100}),
        "countryCode" => json!({"format": "country-code"}),
        "preferredLanguage" => json!({"format": "language-code"}),
        "locale" => json!({"format": "locale"}),
        "timezone" => json!({"format": "timezone"}),
        _ => json!({}),
    }
}

fn okta_user_schema() -> Value {
    let mut properties = Map::new();
    for (name, title, permission) in OKTA_BASE {
        let mut property = json!({
            "title": title, "type": "string", "mutability": "READ_WRITE", "scope": "NONE",
            "permissions": [{"principal": "SELF", "action": permission}]
        });
        if let (Some(p), Some(extra)) =
            (property.as_object_mut(), okta_base_extra(name).as_object())
        {
            p.extend(extra.clone());
        }
        properties.insert((*name).to_string(), property);
    }
    json!({
        "id": "/meta/schemas/user/default",
        "$schema": "http://json-schema.org/draft-04/schema#",
        "name": "user",
        "title": "User",
        "description": "Okta user profile template with default permission settings",
        "lastUpdated": timestamp(),
        "created": timestamp(),
        "definitions": {
            "custom": {"id": "#custom", "type": "object", "properties": {}, "required": []},
            "base": {"id": "#base", "type": "object", "properties": properties, "required": ["login", "firstName", "lastName", "email"]}
        },
        "type": "object",
        "properties": {"profile": {"allOf": [{"$ref": "#/definitions/custom"}, {"$ref": "#/definitions/base"}]}}
    })
}

/// Base properties of a SCIM 2.0 app user schema, and the Okta user attribute each maps from.
const SCIM_BASE: &[(&str, &str, &str)] = &[
    ("userName", "Username", "user.login"),
    ("givenName", "Given name", "user.firstName"),
    ("familyName", "Family name", "user.lastName"),
    ("middleName", "Middle name", "user.middleName"),
    (
        "honorificPrefix",
        "Honorific prefix",
        "user.honorificPrefix",
    ),
    (
        "honorificSuffix",
        "Honorific suffix",
        "user.honorificSuffix",
    ),
    ("email", "Email", "user.email"),
    ("title", "Title", "user.title"),
    ("displayName", "Display name", "user.displayName"),
    ("nickName", "Nick name", "user.nickName"),
    ("primaryPhone", "Primary phone", "user.primaryPhone"),
    ("mobilePhone", "Mobile phone", "user.mobilePhone"),
    ("streetAddress", "Street address", "user.streetAddress"),
    ("locality", "Locality", "user.city"),
    ("region", "Region", "user.state"),
    ("postalCode", "Zip code", "user.zipCode"),
    ("countryCode", "Country code", "user.countryCode"),
    (
        "preferredLanguage",
        "Preferred language",
        "user.preferredLanguage",
    ),
    ("locale", "Locale", "user.locale"),
    ("timezone", "Time zone", "user.timezone"),
    ("employeeNumber", "Employee number", "user.employeeNumber"),
    ("department", "Department", "user.department"),
];

fn app_schema(app_id: &str, label: &str) -> Value {
    let mut properties = Map::new();
    for (name, title, _) in SCIM_BASE {
        let mut property =
            json!({"title": title, "type": "string", "scope": "NONE", "externalName": name});
        if *name == "userName" {
            property["required"] = json!(true);
            property["scope"] = json!("NONE");
        }
        properties.insert((*name).to_string(), property);
    }
    json!({
        "id": format!("/meta/schemas/apps/{app_id}/default"),
        "$schema": "http://json-schema.org/draft-04/schema#",
        "name": label,
        "title": format!("{label} User"),
        "lastUpdated": timestamp(),
        "created": timestamp(),
        "definitions": {
            "custom": {"id": "#custom", "type": "object", "properties": {}, "required": []},
            "base": {"id": "#base", "type": "object", "properties": properties, "required": ["userName"]}
        },
        "type": "object",
        "properties": {"profile": {"allOf": [{"$ref": "#/definitions/custom"}, {"$ref": "#/definitions/base"}]}}
    })
}

fn user_type(id: &str) -> Value {
    json!({
        "id": id, "displayName": "User", "name": "user",
        "description": "Okta user profile template with default permission settings",
        "createdBy": "00u000000000000000", "lastUpdatedBy": "00u000000000000000",
        "created": timestamp(), "lastUpdated": timestamp(), "default": true
    })
}

/// Adds an app with its schema and default mappings; returns its id.
pub fn add_app(
    org: &mut OrgState,
    name: &str,
    label: &str,
    sign_on: &str,
    features: &[&str],
    allow_listed: bool,
) -> String {
    let id = org.new_id("0oa");
    let app = json!({
        "id": id, "name": name, "label": label, "status": "ACTIVE",
        "lastUpdated": timestamp(), "created": timestamp(),
        "accessibility": {"selfService": false, "errorRedirectUrl": null, "loginRedirectUrl": null},
        "visibility": {"autoSubmitToolbar": false, "hide": {"iOS": false, "web": false}},
        "features": features, "signOnMode": sign_on,
        "credentials": {"userNameTemplate": {"template": "${source.login}", "type": "BUILT_IN"}},
        "settings": {"app": {}}
    });
    let provisioning = |on: bool| if on { "ENABLED" } else { "DISABLED" };
    let has = |f: &str| features.contains(&f);
    let feature_objects = allow_listed.then(|| {
        vec![
            json!({
                "name": "USER_PROVISIONING", "status": "ENABLED",
                "description": "User provisioning settings from Okta to a downstream application",
                "capabilities": {
                    "create": {"lifecycleCreate": {"status": provisioning(has("PUSH_NEW_USERS"))}},
                    "update": {
                        "profile": {"status": provisioning(has("PUSH_PROFILE_UPDATES"))},
                        "lifecycleDeactivate": {"status": provisioning(has("PUSH_USER_DEACTIVATION"))},
                        "password": {"status": provisioning(has("PUSH_PASSWORD_UPDATES")), "seed": "RANDOM", "change": "KEEP_EXISTING"}
                    }
                }
            }),
            json!({
                "name": "INBOUND_PROVISIONING", "status": "ENABLED",
                "description": "In-bound provisioning settings from an application to Okta",
                "capabilities": {
                    "importSettings": {"username": {"userNameFormat": "EMAIL"}, "schedule": {"status": "DISABLED"}},
                    "importRules": {"userCreateAndMatch": {"exactMatchCriteria": "USERNAME", "allowPartialMatch": false,
                        "autoConfirmPartialMatch": false, "autoConfirmExactMatch": false, "autoConfirmNewUsers": false, "autoActivateNewUsers": false}}
                }
            }),
        ]
    });
    let connection = if allow_listed {
        json!({"authScheme": "TOKEN", "status": "DISABLED", "profile": {"authScheme": "TOKEN"}})
    } else {
        json!({"status": "UNKNOWN", "profile": {"authScheme": "UNKNOWN"}})
    };
    org.apps.push(AppState {
        schema: app_schema(&id, label),
        app,
        features: feature_objects,
        connection,
        console: json!({}),
        users: Vec::new(),
        groups: Vec::new(),
        group_push: Vec::new(),
    });
    let user_type_id = org.user_type["id"].clone();
    let to_app: Map<String, Value> = SCIM_BASE
        .iter()
        .map(|(n, _, e)| {
            (
                (*n).to_string(),
                json!({"expression": e, "pushStatus": "PUSH"}),
            )
        })
        .collect();
    let to_okta: Map<String, Value> = [
        ("login", "appuser.userName"),
        ("firstName", "appuser.givenName"),
        ("lastName", "appuser.familyName"),
        ("email", "appuser.email"),
    ]
    .into_iter()
    .map(|(n, e)| {
        (
            n.to_string(),
            json!({"expression": e, "pushStatus": "DONT_PUSH"}),
        )
    })
    .collect();
    for (source, target, properties) in [
        (
            json!({"id": user_type_id, "name": "user", "type": "user"}),
            json!({"id": id, "name": name, "type": "appuser"}),
            to_app,
        ),
        (
            json!({"id": id, "name": name, "type": "appuser"}),
            json!({"id": user_type_id, "name": "user", "type": "user"}),
            to_okta,
        ),
    ] {
        let mapping_id = org.new_id("prm");
        org.mappings.push(
            json!({"id": mapping_id, "source": source, "target": target, "properties": properties}),
        );
    }
    id
}

pub fn add_user(org: &mut OrgState, login: &str, first: &str, last: &str) -> String {
    let id = org.new_id("00u");
    org.users.push(json!({
        "id": id, "status": "ACTIVE", "created": timestamp(), "activated": timestamp(),
        "statusChanged": timestamp(), "lastLogin": null, "lastUpdated": timestamp(),
        "passwordChanged": null, "type": {"id": org.user_type["id"]},
        "profile": {"firstName": first, "lastName": last, "mobilePhone": null, "secondEmail": null, "login": login, "email": login},
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}}
    }));
    id
}

pub fn add_group(org: &mut OrgState, name: &str, description: &str) -> String {
    let id = org.new_id("00g");
    org.groups.push(json!({
        "id": id, "created": timestamp(), "lastUpdated": timestamp(), "lastMembershipUpdated": timestamp(),
        "objectClass": ["okta:user_group"], "type": "OKTA_GROUP",
        "profile": {"name": name, "description": description}
    }));
    id
}

/// A new org.
pub fn org(seed: Seed) -> OrgState {
    let mut org = OrgState {
        version: STATE_VERSION,
        next_id: 0,
        users: Vec::new(),
        groups: Vec::new(),
        user_type: Value::Null,
        user_schema: okta_user_schema(),
        apps: Vec::new(),
        mappings: Vec::new(),
        logs: Vec::new(),
        deleting: Vec::new(),
    };
    let type_id = org.new_id("oty");
    org.user_type = user_type(&type_id);
    if seed == Seed::Empty {
        return org;
    }
    for (login, first, last) in [
        ("alice@example.com", "Alice", "Anders"),
        ("bob@example.com", "Bob", "Baker"),
        ("carol@example.com", "Carol", "Chen"),
        ("dave@example.com", "Dave", "Diaz"),
        ("erin@example.com", "Erin", "Evans"),
        ("frank@example.com", "Frank", "Fischer"),
    ] {
        add_user(&mut org, login, first, last);
    }
    for (name, description) in [
        ("Everyone", "All users in your organization"),
        ("Engineering", "Product engineering"),
        ("Support", "Customer support"),
        ("Sales", "Sales team"),
    ] {
        add_group(&mut org, name, description);
    }
    // Custom SAML apps with SCIM on (General → Provisioning: SCIM), nothing pushed yet.
    add_app(
        &mut org,
        "luciq_scim",
        "Luciq",
        "SAML_2_0",
        &["SCIM_PROVISIONING"],
        false,
    );
    add_app(
        &mut org,
        "lightrun_scim",
        "Lightrun",
        "SAML_2_0",
        &["SCIM_PROVISIONING"],
        false,
    );
    add_app(
        &mut org,
        "accessiq_scim",
        "AccessIQ",
        "SAML_2_0",
        &["SCIM_PROVISIONING"],
        false,
    );
    // On the Features-API allow-list.
    add_app(
        &mut org,
        "okta_org2org",
        "Partner Org (Org2Org)",
        "SAML_2_0",
        &["PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES"],
        true,
    );
    org
}
