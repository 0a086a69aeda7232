//! Embedded SCIM 2.0 servers: every SCIM app of the sandbox (`SCIM_PROVISIONING` in its
//! features) has one, standing in for the vendor, under `/__sandbox/scim/{appId}/v2` (loopback
//! only). Each serves RFC 7644's discovery endpoints (`/ServiceProviderConfig`, `/Schemas`,
//! `/ResourceTypes`) and `/Users` (and `/Groups` when the vendor takes groups) with the vendor's
//! schemas, read from `presets/scim/*.json` by the app's label: Luciq's
//! `urn:ietf:params:scim:schemas:extension:instabug:2.0:User` extension, Lightrun's `userName`
//! identity and no groups, AccessIQ's groups as organizations (a new user in the default one).
//!
//! What the sandbox's Okta sends it is in [`provision`]; what it received is readable through
//! its own API (with its bearer token) and, without one, at `/__sandbox/scim/{appId}` (users,
//! groups, organizations and the request log; `DELETE` clears the log; `PUT {"token": …}` sets
//! the token the server accepts, as the vendor's admin page would issue one).

pub mod provision;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The token a new embedded server accepts (`Authorization: Bearer …`) until told otherwise.
pub const DEFAULT_TOKEN: &str = "sandbox-scim-token";

const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const CORE_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A vendor's SCIM facts, from its data file.
#[derive(Debug, Clone, Deserialize)]
pub struct Vendor {
    pub vendor: String,
    /// App labels of the sandbox this vendor stands behind.
    pub labels: Vec<String>,
    /// The attribute that identifies a user at the vendor (`userName`, `emails`).
    pub identity: String,
    /// Whether it takes `/Groups`.
    pub groups: bool,
    /// What a pushed group becomes at the vendor (AccessIQ: `organizations`).
    #[serde(default)]
    pub groups_as: Option<String>,
    /// The group every new user joins (AccessIQ: the default organization).
    #[serde(default)]
    pub default_group: Option<String>,
    pub patch: bool,
    /// Extension schemas of its User resource.
    pub user_extensions: Vec<String>,
    /// Its own schemas (extensions), besides the core ones.
    pub schemas: Vec<Value>,
}

#[derive(Deserialize)]
struct Core {
    schemas: Vec<Value>,
}

fn core_schemas() -> &'static [Value] {
    static CORE: OnceLock<Vec<Value>> = OnceLock::new();
    CORE.get_or_init(|| {
        serde_json::from_str::<Core>(include_str!("../../../presets/scim/core.json"))
            .map(|c| c.schemas)
            .unwrap_or_default()
    })
}

/// The vendors, the generic one last.
pub fn vendors() -> &'static [Vendor] {
    static VENDORS: OnceLock<Vec<Vendor>> = OnceLock::new();
    VENDORS.get_or_init(|| {
        [
            include_str!("../../../presets/scim/luciq.json"),
            include_str!("../../../presets/scim/lightrun.json"),
            include_str!("../../../presets/scim/accessiq.json"),
            include_str!("../../../presets/scim/generic.json"),
        ]
        .iter()
        .filter_map(|text| serde_json::from_str(text).ok())
        .collect()
    })
}

/// The vendor behind the app labelled `label` (the generic SCIM 2.0 server if none is).
pub fn vendor_for(label: &str) -> &'static Vendor {
    let all = vendors();
    all.iter()
        .find(|v| v.labels.iter().any(|l| l.eq_ignore_ascii_case(label)))
        .or_else(|| all.last())
        .unwrap_or_else(|| unreachable!("the vendor files are compiled in and tested"))
}

/// One request the server received.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Received {
    pub n: u64,
    pub method: String,
    pub path: String,
    pub status: u16,
    /// The request body (never a header: the token stays out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// An embedded server's state: the vendor's side.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Server {
    pub token: String,
    pub users: Vec<Value>,
    pub groups: Vec<Value>,
    pub log: Vec<Received>,
    next_id: u64,
}

impl Default for Server {
    fn default() -> Self {
        Server {
            token: DEFAULT_TOKEN.into(),
            users: Vec::new(),
            groups: Vec::new(),
            log: Vec::new(),
            next_id: 0,
        }
    }
}

/// What Okta pushed of one group push mapping.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Pushed {
    /// The group's id at the vendor.
    pub scim_id: String,
    /// The members sent, as the vendor's user ids.
    pub members: Vec<String>,
}

/// One SCIM app: the vendor's server, and what Okta's side of the connection pushed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScimApp {
    pub server: Server,
    /// Group push mapping id → what was pushed for it.
    #[serde(default)]
    pub pushed: BTreeMap<String, Pushed>,
}

/// One request to an embedded server: `path` after `…/v2/`; `auth` the `Authorization`
/// header as sent.
pub struct Call<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub auth: Option<&'a str>,
    pub body: &'a [u8],
}

/// An answer: status and body (`None`: no content).
pub type Answer = (u16, Option<Value>);

fn error(status: u16, scim_type: Option<&str>, detail: &str) -> Answer {
    let mut body = json!({"schemas": [ERROR], "status": status.to_string(), "detail": detail});
    if let Some(t) = scim_type {
        body["scimType"] = json!(t);
    }
    (status, Some(body))
}

impl Server {
    fn new_id(&mut self) -> String {
        self.next_id += 1;
        // Shaped like the UUIDs vendors hand out; the same sequence for the same server.
        let n = self.next_id.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            (n >> 32) as u32,
            (n >> 16) as u16,
            self.next_id & 0xfff,
            (n >> 4) & 0xfff,
            n & 0xffff_ffff_ffff
        )
    }

    /// Handles one request to `…/v2/{path}` and records it in the server's log.
    pub fn handle(&mut self, vendor: &Vendor, base: &str, call: Call<'_>) -> Answer {
        let Call {
            method,
            path,
            query,
            auth,
            body,
        } = call;
        let parsed: Option<Value> = if body.is_empty() {
            None
        } else {
            serde_json::from_slice(body).ok()
        };
        let answer = if !self.authorized(auth) {
            error(
                401,
                None,
                "Authorization failed: a valid bearer token is required",
            )
        } else if !body.is_empty() && parsed.is_none() {
            error(400, Some("invalidSyntax"), "The request body is not JSON")
        } else {
            self.route(vendor, base, method, path, query, parsed.clone())
        };
        let n = self.log.len() as u64 + 1;
        self.log.push(Received {
            n,
            method: method.into(),
            path: format!("/{}", path.trim_matches('/')),
            status: answer.0,
            body: parsed,
        });
        answer
    }

    fn authorized(&self, auth: Option<&str>) -> bool {
        let given = auth
            .and_then(|a| {
                a.strip_prefix("Bearer ")
                    .or_else(|| a.strip_prefix("bearer "))
            })
            .unwrap_or_default()
            .trim();
        !self.token.is_empty()
            && given.len() == self.token.len()
            && given
                .bytes()
                .zip(self.token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    fn route(
        &mut self,
        vendor: &Vendor,
        base: &str,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<Value>,
    ) -> Answer {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let body = body.unwrap_or(Value::Null);
        match (method, segments.as_slice()) {
            ("GET", ["ServiceProviderConfig"]) => (200, Some(service_provider_config(vendor))),
            ("GET", ["Schemas"]) => {
                let all = schemas(vendor);
                (200, Some(list(all, 1)))
            }
            ("GET", ["Schemas", id]) => {
                match schemas(vendor).into_iter().find(|s| s["id"] == *id) {
                    Some(s) => (200, Some(s)),
                    None => error(404, None, &format!("Schema {id} not found")),
                }
            }
            ("GET", ["ResourceTypes"]) => (200, Some(list(resource_types(vendor), 1))),
            ("GET", ["Users"]) => (200, Some(self.list_users(vendor, query))),
            ("POST", ["Users"]) => self.create_user(vendor, base, body),
            ("GET", ["Users", id]) => match self.users.iter().find(|u| u["id"] == *id) {
                Some(u) => (200, Some(self.with_groups(vendor, u))),
                None => error(404, None, &format!("User {id} not found")),
            },
            ("PUT", ["Users", id]) => self.replace_user(vendor, id, body),
            ("PATCH", ["Users", id]) if vendor.patch => self.patch_user(vendor, id, body),
            ("DELETE", ["Users", id]) => {
                let before = self.users.len();
                self.users.retain(|u| u["id"] != *id);
                if before == self.users.len() {
                    error(404, None, &format!("User {id} not found"))
                } else {
                    for g in &mut self.groups {
                        remove_members(g, &[(*id).to_string()]);
                    }
                    (204, None)
                }
            }
            (_, ["Groups", ..]) if !vendor.groups => error(
                404,
                None,
                &format!("{} does not support groups", vendor.vendor),
            ),
            ("GET", ["Groups"]) => (200, Some(self.list_groups(query))),
            ("POST", ["Groups"]) => self.create_group(base, body),
            ("GET", ["Groups", id]) => match self.groups.iter().find(|g| g["id"] == *id) {
                Some(g) => (200, Some(g.clone())),
                None => error(404, None, &format!("Group {id} not found")),
            },
            ("PUT", ["Groups", id]) => self.replace_group(id, body),
            ("PATCH", ["Groups", id]) if vendor.patch => self.patch_group(id, body),
            ("DELETE", ["Groups", id]) => {
                let before = self.groups.len();
                self.groups.retain(|g| g["id"] != *id);
                if before == self.groups.len() {
                    error(404, None, &format!("Group {id} not found"))
                } else {
                    (204, None)
                }
            }
            _ => error(404, None, &format!("No endpoint {method} /{path}")),
        }
    }

    fn identity<'v>(&self, vendor: &Vendor, user: &'v Value) -> Option<&'v str> {
        match vendor.identity.as_str() {
            "emails" => user["emails"]
                .as_array()
                .and_then(|e| {
                    e.iter()
                        .find(|x| x["primary"] == true)
                        .or_else(|| e.first())
                })
                .and_then(|e| e["value"].as_str()),
            other => user[other].as_str(),
        }
    }

    fn list_users(&self, vendor: &Vendor, query: &[(String, String)]) -> Value {
        let filter = query_value(query, "filter").and_then(parse_eq);
        let found: Vec<Value> = self
            .users
            .iter()
            .filter(|u| match &filter {
                Some((attr, value)) => {
                    let actual = match attr.as_str() {
                        "emails.value" | "emails" => self.identity_email(u),
                        a => u[a].as_str().map(str::to_string),
                    };
                    actual.is_some_and(|a| a.eq_ignore_ascii_case(value))
                }
                None => true,
            })
            .map(|u| self.with_groups(vendor, u))
            .collect();
        page(found, query)
    }

    fn identity_email(&self, user: &Value) -> Option<String> {
        user["emails"]
            .as_array()
            .and_then(|e| e.first())
            .and_then(|e| e["value"].as_str())
            .map(str::to_string)
    }

    fn list_groups(&self, query: &[(String, String)]) -> Value {
        let filter = query_value(query, "filter").and_then(parse_eq);
        let found: Vec<Value> = self
            .groups
            .iter()
            .filter(|g| match &filter {
                Some((attr, value)) => g[attr.as_str()].as_str() == Some(value.as_str()),
                None => true,
            })
            .cloned()
            .collect();
        page(found, query)
    }

    /// A user as answered: with its groups (read-only, RFC 7643 §4.1.2) and, for a vendor
    /// that keeps groups as something else, that too (AccessIQ's organizations).
    fn with_groups(&self, vendor: &Vendor, user: &Value) -> Value {
        let mut user = user.clone();
        let id = user["id"].clone();
        let groups: Vec<Value> = self
            .groups
            .iter()
            .filter(|g| {
                g["members"]
                    .as_array()
                    .is_some_and(|m| m.iter().any(|x| x["value"] == id))
            })
            .map(|g| json!({"value": g["id"], "display": g["displayName"]}))
            .collect();
        if vendor.groups {
            user["groups"] = Value::Array(groups.clone());
        }
        if let Some(field) = &vendor.groups_as {
            let mut names: Vec<Value> = vendor.default_group.iter().map(|d| json!(d)).collect();
            names.extend(groups.iter().map(|g| g["display"].clone()));
            user[field.as_str()] = Value::Array(names);
        }
        user
    }

    fn check_user(&self, vendor: &Vendor, user: &Value, except: Option<&str>) -> Option<Answer> {
        if user["userName"].as_str().is_none_or(str::is_empty) {
            return Some(error(400, Some("invalidValue"), "userName is required"));
        }
        let Some(identity) = self.identity(vendor, user) else {
            return Some(error(
                400,
                Some("invalidValue"),
                &format!(
                    "{} is required: it identifies users at {}",
                    vendor.identity, vendor.vendor
                ),
            ));
        };
        let taken = self.users.iter().any(|u| {
            u["id"].as_str() != except
                && self
                    .identity(vendor, u)
                    .is_some_and(|i| i.eq_ignore_ascii_case(identity))
        });
        taken.then(|| {
            error(
                409,
                Some("uniqueness"),
                &format!("A user with {} {identity} already exists", vendor.identity),
            )
        })
    }

    fn create_user(&mut self, vendor: &Vendor, base: &str, mut user: Value) -> Answer {
        if !user.is_object() {
            return error(400, Some("invalidSyntax"), "A User resource is expected");
        }
        if let Some(refused) = self.check_user(vendor, &user, None) {
            return refused;
        }
        let id = self.new_id();
        user["id"] = json!(id);
        if user.get("active").is_none() {
            user["active"] = json!(true);
        }
        user["meta"] = json!({"resourceType": "User", "location": format!("{base}/Users/{id}")});
        self.users.push(user.clone());
        (201, Some(self.with_groups(vendor, &user)))
    }

    fn replace_user(&mut self, vendor: &Vendor, id: &str, mut user: Value) -> Answer {
        let Some(p) = self.users.iter().position(|u| u["id"] == id) else {
            return error(404, None, &format!("User {id} not found"));
        };
        if !user.is_object() {
            return error(400, Some("invalidSyntax"), "A User resource is expected");
        }
        if let Some(refused) = self.check_user(vendor, &user, Some(id)) {
            return refused;
        }
        user["id"] = json!(id);
        user["meta"] = self.users[p]["meta"].clone();
        if user.get("active").is_none() {
            user["active"] = self.users[p]["active"].clone();
        }
        self.users[p] = user.clone();
        (200, Some(self.with_groups(vendor, &user)))
    }

    fn patch_user(&mut self, vendor: &Vendor, id: &str, body: Value) -> Answer {
        let Some(p) = self.users.iter().position(|u| u["id"] == id) else {
            return error(404, None, &format!("User {id} not found"));
        };
        let Some(ops) = patch_ops(&body) else {
            return error(
                400,
                Some("invalidSyntax"),
                "A PatchOp with Operations is expected",
            );
        };
        let mut user = self.users[p].clone();
        for op in ops {
            if let Err(refused) = apply_op(&mut user, op) {
                return refused;
            }
        }
        self.users[p] = user.clone();
        (200, Some(self.with_groups(vendor, &user)))
    }

    fn create_group(&mut self, base: &str, mut group: Value) -> Answer {
        let Some(name) = group["displayName"].as_str().filter(|n| !n.is_empty()) else {
            return error(400, Some("invalidValue"), "displayName is required");
        };
        if self.groups.iter().any(|g| g["displayName"] == name) {
            return error(
                409,
                Some("uniqueness"),
                &format!("A group named {name} already exists"),
            );
        }
        let id = self.new_id();
        group["id"] = json!(id);
        if !group["members"].is_array() {
            group["members"] = json!([]);
        }
        group["meta"] = json!({"resourceType": "Group", "location": format!("{base}/Groups/{id}")});
        self.groups.push(group.clone());
        (201, Some(group))
    }

    fn replace_group(&mut self, id: &str, mut group: Value) -> Answer {
        let Some(p) = self.groups.iter().position(|g| g["id"] == id) else {
            return error(404, None, &format!("Group {id} not found"));
        };
        if group["displayName"].as_str().is_none_or(str::is_empty) {
            return error(400, Some("invalidValue"), "displayName is required");
        }
        group["id"] = json!(id);
        group["meta"] = self.groups[p]["meta"].clone();
        if !group["members"].is_array() {
            group["members"] = json!([]);
        }
        self.groups[p] = group.clone();
        (200, Some(group))
    }

    fn patch_group(&mut self, id: &str, body: Value) -> Answer {
        let Some(p) = self.groups.iter().position(|g| g["id"] == id) else {
            return error(404, None, &format!("Group {id} not found"));
        };
        let Some(ops) = patch_ops(&body) else {
            return error(
                400,
                Some("invalidSyntax"),
                "A PatchOp with Operations is expected",
            );
        };
        let mut group = self.groups[p].clone();
        for op in ops {
            let kind = op["op"].as_str().unwrap_or_default().to_ascii_lowercase();
            let path = op["path"].as_str().unwrap_or_default();
            match (kind.as_str(), path) {
                ("add", "members") => {
                    let members = group["members"].as_array_mut();
                    if let (Some(members), Some(new)) = (members, op["value"].as_array()) {
                        for m in new {
                            if !members.iter().any(|x| x["value"] == m["value"]) {
                                members.push(m.clone());
                            }
                        }
                    }
                }
                ("remove", p) if p.starts_with("members") => {
                    // `members[value eq "id"]`, or `members` with the ids as the value.
                    let mut ids: Vec<String> = parse_eq(
                        p.trim_start_matches("members")
                            .trim_start_matches('[')
                            .trim_end_matches(']'),
                    )
                    .map(|(_, v)| vec![v])
                    .unwrap_or_default();
                    ids.extend(
                        op["value"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|m| m["value"].as_str().map(str::to_string)),
                    );
                    remove_members(&mut group, &ids);
                }
                _ => {
                    if let Err(refused) = apply_op(&mut group, op) {
                        return refused;
                    }
                }
            }
        }
        self.groups[p] = group;
        (204, None)
    }
}

fn remove_members(group: &mut Value, ids: &[String]) {
    if let Some(members) = group["members"].as_array_mut() {
        members.retain(|m| !ids.iter().any(|id| m["value"] == id.as_str()));
    }
}

fn patch_ops(body: &Value) -> Option<&Vec<Value>> {
    let is_patch = body["schemas"]
        .as_array()
        .is_some_and(|s| s.iter().any(|x| x == PATCH_OP));
    body["Operations"].as_array().filter(|_| is_patch)
}

/// `add`/`replace` with a value object or a simple path; `remove` of a simple path.
fn apply_op(resource: &mut Value, op: &Value) -> Result<(), Answer> {
    let kind = op["op"].as_str().unwrap_or_default().to_ascii_lowercase();
    let path = op["path"].as_str();
    match (kind.as_str(), path) {
        ("add" | "replace", None) => {
            let Some(values) = op["value"].as_object() else {
                return Err(error(400, Some("invalidValue"), "value must be an object"));
            };
            for (k, v) in values {
                if k != "id" {
                    resource[k.as_str()] = v.clone();
                }
            }
            Ok(())
        }
        ("add" | "replace", Some(path)) => {
            set_path(resource, path, op["value"].clone());
            Ok(())
        }
        ("remove", Some(path)) => {
            if let Some(map) = resource.as_object_mut() {
                map.remove(path);
            }
            Ok(())
        }
        _ => Err(error(
            400,
            Some("invalidPath"),
            "Unsupported patch operation",
        )),
    }
}

/// Sets `a.b` (or `urn:…:User:attr`) in `resource`.
fn set_path(resource: &mut Value, path: &str, value: Value) {
    if let Some((namespace, attr)) = path.rsplit_once(':').filter(|_| path.starts_with("urn:")) {
        resource[namespace][attr] = value;
        return;
    }
    let mut at = resource;
    let parts: Vec<&str> = path.split('.').collect();
    for part in &parts[..parts.len() - 1] {
        at = &mut at[*part];
    }
    at[parts[parts.len() - 1]] = value;
}

fn query_value<'q>(query: &'q [(String, String)], key: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

/// `attr eq "value"` → `(attr, value)`.
fn parse_eq(filter: &str) -> Option<(String, String)> {
    let mut parts = filter.splitn(3, ' ');
    let attr = parts.next()?.trim();
    let op = parts.next()?.trim();
    let value = parts.next()?.trim().trim_matches('"');
    op.eq_ignore_ascii_case("eq")
        .then(|| (attr.to_string(), value.to_string()))
}

/// A `ListResponse` page: `startIndex` (1-based) and `count`.
fn page(all: Vec<Value>, query: &[(String, String)]) -> Value {
    let start = query_value(query, "startIndex")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let count = query_value(query, "count").and_then(|s| s.parse::<usize>().ok());
    let total = all.len();
    let items: Vec<Value> = all
        .into_iter()
        .skip(start - 1)
        .take(count.unwrap_or(usize::MAX))
        .collect();
    let mut body = list(items, start);
    body["totalResults"] = json!(total);
    body
}

fn list(items: Vec<Value>, start: usize) -> Value {
    json!({
        "schemas": [LIST], "totalResults": items.len(), "startIndex": start,
        "itemsPerPage": items.len(), "Resources": items
    })
}

fn schemas(vendor: &Vendor) -> Vec<Value> {
    let mut all: Vec<Value> = core_schemas()
        .iter()
        .filter(|s| vendor.groups || s["id"] != CORE_GROUP)
        .cloned()
        .collect();
    all.extend(vendor.schemas.iter().cloned());
    for s in &mut all {
        s["schemas"] = json!(["urn:ietf:params:scim:schemas:core:2.0:Schema"]);
        s["meta"] = json!({"resourceType": "Schema", "location": format!("/v2/Schemas/{}", s["id"].as_str().unwrap_or_default())});
    }
    all
}

fn resource_types(vendor: &Vendor) -> Vec<Value> {
    let extensions: Vec<Value> = vendor
        .user_extensions
        .iter()
        .map(|e| json!({"schema": e, "required": false}))
        .collect();
    let mut types = vec![json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User", "name": "User", "endpoint": "/Users", "schema": CORE_USER,
        "schemaExtensions": extensions
    })];
    if vendor.groups {
        types.push(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group", "name": "Group", "endpoint": "/Groups", "schema": CORE_GROUP
        }));
    }
    types
}

fn service_provider_config(vendor: &Vendor) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": format!("sandbox: the embedded {} SCIM server", vendor.vendor),
        "patch": {"supported": vendor.patch},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": 200},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "OAuth Bearer Token",
            "description": "Authentication with a bearer token in the Authorization header",
            "primary": true
        }]
    })
}

/// `/__sandbox/scim/{rest}`: `{appId}/v2/…` is the SCIM API (bearer token); `{appId}` alone is
/// the readable state (`GET`), the log cleared (`DELETE`), the accepted token set (`PUT
/// {"token": …}`). Okta's provisioning jobs that are due run first, as they would have by now.
pub fn serve(
    shared: &super::server::Shared,
    method: &str,
    rest: &str,
    query: &[(String, String)],
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> axum::response::Response<axum::body::Body> {
    use super::server::{json_response, lock};
    let reply = |status: u16, body: Value| json_response(status, Some(&body));
    let (id, tail) = match rest.split_once('/') {
        Some((id, tail)) => (id, Some(tail)),
        None => (rest, None),
    };
    let base = format!("{}{}", lock(&shared.base_url), provision::server_path(id));
    let mut org = lock(&shared.org);
    let mut changed = super::api::finish_provisioning(&mut org, super::state::now_ms());
    let Some(i) = org
        .app_index(id)
        .filter(|&i| provision::is_scim_app(&org, i))
    else {
        return reply(
            404,
            json!({"error": format!("no SCIM app {id} in the sandbox (an app gets a SCIM server once its provisioning is SCIM)")}),
        );
    };
    let label = org.apps[i].app["label"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let vendor = vendor_for(&label);
    let key = id.to_string();
    let response = match (method, tail.map(|t| t.trim_end_matches('/'))) {
        (_, Some(api)) if api == "v2" || api.starts_with("v2/") => {
            let path = api.trim_start_matches("v2").trim_start_matches('/');
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
            let app = org.scim.entry(key).or_default();
            let (status, answer) = app.server.handle(
                vendor,
                &base,
                Call {
                    method,
                    path,
                    query,
                    auth,
                    body,
                },
            );
            changed = true;
            let mut response = json_response(status, answer.as_ref());
            if answer.is_some()
                && let Ok(v) = axum::http::HeaderValue::from_str("application/scim+json")
            {
                response.headers_mut().insert("content-type", v);
            }
            response
        }
        ("GET", None) => {
            let app = org.scim.get(&key).cloned().unwrap_or_default();
            reply(200, overview(&app, vendor, &base))
        }
        ("DELETE", None) => {
            org.scim.entry(key).or_default().server.log.clear();
            changed = true;
            reply(200, json!({"log": []}))
        }
        ("PUT", None) => match serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|b| b["token"].as_str().map(str::to_string))
        {
            Some(token) if !token.is_empty() => {
                org.scim.entry(key).or_default().server.token = token;
                changed = true;
                reply(200, json!({"base_url": base}))
            }
            _ => reply(400, json!({"error": "expected {\"token\": \"…\"}"})),
        },
        _ => reply(
            404,
            json!({"error": format!("no sandbox SCIM knob {method} /__sandbox/scim/{rest}")}),
        ),
    };
    if changed {
        shared.changed();
    }
    response
}

/// The state readable without a token (`GET /__sandbox/scim/{appId}`).
pub fn overview(app: &ScimApp, vendor: &Vendor, base: &str) -> Value {
    let users: Vec<Value> = app
        .server
        .users
        .iter()
        .map(|u| app.server.with_groups(vendor, u))
        .collect();
    let mut body = json!({
        "vendor": vendor.vendor,
        "base_url": base,
        "users": users,
        "groups": app.server.groups,
        "log": app.server.log,
    });
    if let Some(field) = &vendor.groups_as {
        let mut organizations: Vec<Value> = vendor
            .default_group
            .iter()
            .map(|d| {
                let members: Vec<Value> = app
                    .server
                    .users
                    .iter()
                    .map(|u| u["userName"].clone())
                    .collect();
                json!({"name": d, "members": members})
            })
            .collect();
        for g in &app.server.groups {
            let members: Vec<Value> = g["members"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|m| {
                    app.server
                        .users
                        .iter()
                        .find(|u| u["id"] == m["value"])
                        .map_or_else(|| m["display"].clone(), |u| u["userName"].clone())
                })
                .collect();
            organizations.push(json!({"name": g["displayName"], "members": members}));
        }
        body[field.as_str()] = Value::Array(organizations);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vendor(label: &str) -> &'static Vendor {
        vendor_for(label)
    }

    fn call(s: &mut Server, v: &Vendor, method: &str, path: &str, body: Value) -> Answer {
        let bytes = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        let auth = format!("Bearer {DEFAULT_TOKEN}");
        let call = Call {
            method,
            path,
            query: &[],
            auth: Some(&auth),
            body: &bytes,
        };
        s.handle(v, "http://x/v2", call)
    }

    #[test]
    fn every_vendor_file_parses_and_the_generic_one_is_last() {
        assert_eq!(vendors().len(), 4);
        assert!(!core_schemas().is_empty());
        assert_eq!(vendor("Luciq").vendor, "Luciq");
        assert_eq!(vendor("lightrun").identity, "userName");
        assert_eq!(vendor("Something else").vendor, "SCIM 2.0");
    }

    #[test]
    fn a_wrong_token_is_refused_and_logged() {
        let mut s = Server::default();
        let call = Call {
            method: "GET",
            path: "Users",
            query: &[],
            auth: Some("Bearer no"),
            body: b"",
        };
        let (status, _) = s.handle(vendor("Luciq"), "", call);
        assert_eq!(status, 401);
        assert_eq!(s.log[0].status, 401);
    }

    #[test]
    fn luciq_identifies_users_by_email_and_serves_its_extension() {
        let v = vendor("Luciq");
        let mut s = Server::default();
        let user = json!({"schemas": [CORE_USER], "userName": "a", "emails": [{"value": "a@x", "primary": true}]});
        assert_eq!(call(&mut s, v, "POST", "Users", user.clone()).0, 201);
        let mut again = user.clone();
        again["userName"] = json!("b");
        assert_eq!(call(&mut s, v, "POST", "Users", again).0, 409);
        let (_, schemas) = call(&mut s, v, "GET", "Schemas", Value::Null);
        let ids: Vec<&Value> = schemas.as_ref().unwrap()["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| &s["id"])
            .collect();
        assert!(ids.contains(&&json!(
            "urn:ietf:params:scim:schemas:extension:instabug:2.0:User"
        )));
        assert_eq!(call(&mut s, v, "GET", "Groups", Value::Null).0, 404);
    }

    #[test]
    fn deactivation_by_patch_keeps_the_user() {
        let v = vendor("Lightrun");
        let mut s = Server::default();
        let (_, created) = call(&mut s, v, "POST", "Users", json!({"userName": "a@x"}));
        let id = created.unwrap()["id"].as_str().unwrap().to_string();
        let patch = json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": false}}]});
        assert_eq!(
            call(&mut s, v, "PATCH", &format!("Users/{id}"), patch).0,
            200
        );
        assert_eq!(s.users.len(), 1);
        assert_eq!(s.users[0]["active"], false);
    }

    #[test]
    fn accessiq_groups_are_organizations() {
        let v = vendor("AccessIQ");
        let mut s = Server::default();
        let (_, created) = call(&mut s, v, "POST", "Users", json!({"userName": "a@x"}));
        let id = created.unwrap()["id"].clone();
        let (status, _) = call(
            &mut s,
            v,
            "POST",
            "Groups",
            json!({"displayName": "Engineering", "members": [{"value": id}]}),
        );
        assert_eq!(status, 201);
        let app = ScimApp {
            server: s,
            pushed: BTreeMap::new(),
        };
        let view = overview(&app, v, "");
        assert_eq!(view["organizations"][1]["name"], "Engineering");
        assert_eq!(view["organizations"][1]["members"][0], "a@x");
        assert_eq!(
            view["users"][0]["organizations"],
            json!(["Default", "Engineering"])
        );
    }

    #[test]
    fn a_filter_finds_by_user_name_and_count_pages() {
        let v = vendor("Lightrun");
        let mut s = Server::default();
        for n in ["a", "b"] {
            call(&mut s, v, "POST", "Users", json!({"userName": n}));
        }
        let q = vec![("filter".to_string(), "userName eq \"b\"".to_string())];
        let found = s.list_users(v, &q);
        assert_eq!(found["totalResults"], 1);
        let q = vec![("count".to_string(), "1".to_string())];
        let found = s.list_users(v, &q);
        assert_eq!(found["totalResults"], 2);
        assert_eq!(found["Resources"].as_array().unwrap().len(), 1);
    }
}
