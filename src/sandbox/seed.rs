//! The demo org (`--seed demo`) and an empty one (`--seed empty`).
//!
//! The Okta user schema's base properties and the default user type follow the recorded answers
//! (`okta-sdk-python/test_user_schema_it__…test_get_user_schema.yaml`,
//! `…test_list_user_types.yaml`). A second user type, "Contractor", has its own schema and its
//! own mappings to every app (Okta help "Map a user type to an application": each user type is
//! mapped separately; all of them `type: user`, the default one named `user`); frank is one.
//! The apps are like the seeds' vendors: custom SAML apps with SCIM ("Luciq", "Lightrun",
//! "AccessIQ", off the Features-API allow-list) and an Org2Org app (on it). Each app has a SCIM
//! base app-user schema and the default mappings Okta creates. Groups have members: Everyone
//! (Okta's `BUILT_IN` group: spec `GroupType`) all users, Engineering alice and bob, Support
//! carol and dave, Sales erin.

use serde_json::{Map, Value, json};

use super::Seed;
use super::state::{AppState, OrgState, STATE_VERSION, UserTypeState, derived_id, timestamp};

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

/// The user schema of a user type: Okta's base properties, no custom ones yet.
fn okta_user_schema(id: &str, name: &str, title: &str) -> Value {
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
        "id": id,
        "$schema": "http://json-schema.org/draft-04/schema#",
        "name": name,
        "title": title,
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

fn user_type(id: &str, name: &str, display_name: &str, default: bool) -> Value {
    json!({
        "id": id, "displayName": display_name, "name": name,
        "description": "Okta user profile template with default permission settings",
        "createdBy": "00u000000000000000", "lastUpdatedBy": "00u000000000000000",
        "created": timestamp(), "lastUpdated": timestamp(), "default": default
    })
}

/// The schema id of a user type: `osc` and the type id's tail, as recorded (type
/// `otyc04qb2rUDcq2YA4x6`, schema `oscc04qb2rUDcq2YA4x6`: `okta-sdk-python/
/// test_user_types_it__…test_list_user_types.yaml`).
pub fn schema_id(type_id: &str) -> String {
    format!("osc{}", type_id.get(3..).unwrap_or_default())
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
        push_target_names: Default::default(),
    });
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
    // Every user type has its own pair of mappings with the app. The other types' come first
    // in the list: Okta does not document the order, and a client that takes the first
    // `type: user` mapping instead of the default type's must be caught.
    let mut types: Vec<Value> = org.user_types.iter().map(|t| t.user_type.clone()).collect();
    types.push(org.user_type.clone());
    for user_type in types {
        let user_end = json!({"id": user_type["id"], "name": user_type["name"], "type": "user"});
        let app_end = json!({"id": id, "name": name, "type": "appuser"});
        let default = user_type["default"] == true;
        for (source, target, properties) in [
            (user_end.clone(), app_end.clone(), to_app.clone()),
            (app_end, user_end, to_okta.clone()),
        ] {
            // The default type's mapping ids come in order, as they always have; the other
            // types' are made from what they join, so that the ids after them do not move.
            let mapping_id = if default {
                org.new_id("prm")
            } else {
                derived_id("prm", &format!("{}>{}", source["id"], target["id"]))
            };
            org.mappings.push(
                json!({"id": mapping_id, "source": source, "target": target, "properties": properties}),
            );
        }
    }
    id
}

/// Adds a user of the default type, a member of Everyone.
pub fn add_user(org: &mut OrgState, login: &str, first: &str, last: &str) -> String {
    let type_id = org.user_type["id"].clone();
    add_user_of_type(org, login, first, last, type_id)
}

fn add_user_of_type(
    org: &mut OrgState,
    login: &str,
    first: &str,
    last: &str,
    type_id: Value,
) -> String {
    let id = org.new_id("00u");
    if let Some(everyone) = org
        .groups
        .iter()
        .find(|g| g["type"] == "BUILT_IN")
        .and_then(|g| g["id"].as_str())
    {
        org.members
            .entry(everyone.to_string())
            .or_default()
            .push(id.clone());
    }
    org.add_user_value(json!({
        "id": id, "status": "ACTIVE", "created": timestamp(), "activated": timestamp(),
        "statusChanged": timestamp(), "lastLogin": null, "lastUpdated": timestamp(),
        "passwordChanged": null, "type": {"id": type_id},
        "profile": {"firstName": first, "lastName": last, "mobilePhone": null, "secondEmail": null, "login": login, "email": login},
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}}
    }));
    id
}

/// Adds a group (`OKTA_GROUP`, or `BUILT_IN` for Everyone) with these members.
pub fn add_group(org: &mut OrgState, name: &str, description: &str, members: &[String]) -> String {
    let id = org.new_id("00g");
    let kind = if name == "Everyone" {
        "BUILT_IN"
    } else {
        "OKTA_GROUP"
    };
    org.groups.push(json!({
        "id": id, "created": timestamp(), "lastUpdated": timestamp(), "lastMembershipUpdated": timestamp(),
        "objectClass": ["okta:user_group"], "type": kind,
        "profile": {"name": name, "description": description}
    }));
    org.members.insert(id.clone(), members.to_vec());
    id
}

/// A new org.
pub fn org(seed: Seed) -> OrgState {
    let mut org = OrgState {
        version: STATE_VERSION,
        next_id: 0,
        users: Vec::new(),
        user_index: Default::default(),
        groups: Vec::new(),
        user_type: Value::Null,
        user_schema: okta_user_schema("/meta/schemas/user/default", "user", "User"),
        user_types: Vec::new(),
        apps: Vec::new(),
        mappings: Vec::new(),
        logs: Vec::new(),
        deleting: Vec::new(),
        members: Default::default(),
        provisioning: Vec::new(),
        scim: Default::default(),
    };
    let type_id = org.new_id("oty");
    org.user_type = user_type(&type_id, "user", "User", true);
    if seed == Seed::Empty {
        return org;
    }
    let contractor = derived_id("oty", "contractor");
    org.user_types.push(UserTypeState {
        user_type: user_type(&contractor, "contractor", "Contractor", false),
        schema: okta_user_schema(
            &format!("/meta/schemas/user/{}", schema_id(&contractor)),
            "contractor",
            "Contractor",
        ),
    });
    let mut ids = Vec::new();
    for (login, first, last) in [
        ("alice@example.com", "Alice", "Anders"),
        ("bob@example.com", "Bob", "Baker"),
        ("carol@example.com", "Carol", "Chen"),
        ("dave@example.com", "Dave", "Diaz"),
        ("erin@example.com", "Erin", "Evans"),
    ] {
        ids.push(add_user(&mut org, login, first, last));
    }
    ids.push(add_user_of_type(
        &mut org,
        "frank@example.com",
        "Frank",
        "Fischer",
        json!(contractor),
    ));
    for (name, description, members) in [
        ("Everyone", "All users in your organization", &ids[..]),
        ("Engineering", "Product engineering", &ids[0..2]),
        ("Support", "Customer support", &ids[2..4]),
        ("Sales", "Sales team", &ids[4..5]),
    ] {
        add_group(&mut org, name, description, members);
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
