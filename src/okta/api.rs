//! The Management API endpoints oktaform uses, as typed calls on [`Client`]: every path and
//! query the client sends is written here. Lists ask for the largest page Okta allows, so a read
//! costs as few requests as possible; query values and filter literals go through one encoder.

use serde_json::{Map, Value, json};

use super::client::{Client, Verified};
use super::error::{ApiError, Error};
use super::scope::ProfileKeys;
use super::types::{
    App, AppFeature, AppGroup, AppUser, Connection, Group, GroupPushMapping, ListedAppUser,
    ListedAppUsers, LogEvent, ProfileMapping, Schema, User, UserType,
};
use crate::ids::{AppId, GroupId, MappingId, UserId};
use crate::secret::SecretString;

/// Where a new push mapping sends its group.
#[derive(Debug, Clone, Copy)]
pub enum GroupPushTarget<'a> {
    /// An existing group at the vendor (its Okta id).
    Id(&'a GroupId),
    /// A new group of this name.
    Name(&'a str),
}

/// Percent-encodes a query value.
fn q(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// `field eq "value"` for Okta's `filter` and `search` expressions, the value's quotes and
/// backslashes escaped; the result still goes through [`q`].
fn eq_clause(field: &str, value: &str) -> String {
    format!("{field} eq {}", quoted(value))
}

/// A string literal of a filter expression: quoted, its quotes and backslashes escaped.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `a or b or …` of [`eq_clause`]s.
fn any_eq(field: &str, values: &[String]) -> String {
    values
        .iter()
        .map(|v| eq_clause(field, v))
        .collect::<Vec<_>>()
        .join(" or ")
}

impl Client {
    // Apps.

    /// Apps whose label or name starts with `text` (Okta's `q`), active or not.
    pub async fn search_apps(&self, text: &str) -> Result<Vec<App>, Error> {
        self.get_all(&format!("/api/v1/apps?q={}&limit=200", q(text)))
            .await
    }

    /// Apps of one OIN integration (`filter=name eq "…"`).
    pub async fn apps_named(&self, name: &str) -> Result<Vec<App>, Error> {
        let filter = eq_clause("name", name);
        self.get_all(&format!("/api/v1/apps?filter={}&limit=200", q(&filter)))
            .await
    }

    /// Every app of the org, in pages of 200.
    pub async fn all_apps(&self) -> Result<Vec<App>, Error> {
        self.get_all("/api/v1/apps?limit=200").await
    }

    pub async fn app(&self, id: &AppId) -> Result<App, Error> {
        self.get(&format!("/api/v1/apps/{id}")).await
    }

    // Provisioning features and connection.

    /// The app's features; Okta answers `400 E0000001 Provisioning is not supported.` for apps
    /// off the Features-API allow-list.
    pub async fn features(&self, app: &AppId) -> Result<Vec<AppFeature>, Error> {
        self.get(&format!("/api/v1/apps/{app}/features")).await
    }

    /// Updates a feature; the body is the bare capabilities object, as Okta expects.
    pub async fn put_feature(
        &self,
        app: &AppId,
        name: &str,
        capabilities: &Value,
    ) -> Result<AppFeature, Error> {
        self.put(&format!("/api/v1/apps/{app}/features/{name}"), capabilities)
            .await
    }

    pub async fn connection(&self, app: &AppId) -> Result<Connection, Error> {
        self.get(&format!("/api/v1/apps/{app}/connections/default"))
            .await
    }

    /// Writes the default provisioning connection (token auth) and activates it. A POST that
    /// is safe to repeat: it sets the same base URL and token again.
    pub async fn set_connection(
        &self,
        app: &AppId,
        base_url: &str,
        token: &SecretString,
    ) -> Result<Verified<Connection>, Error> {
        let body = json!({ "baseUrl": base_url, "profile": { "authScheme": "TOKEN", "token": token.expose() } });
        let path = format!("/api/v1/apps/{app}/connections/default");
        let connection = self
            .post_verified(&path, &body, || async {
                let now: Connection = self.get(&path).await?;
                Ok((now.base_url.as_deref() == Some(base_url)).then_some(now))
            })
            .await?;
        self.send(
            reqwest::Method::POST,
            &self.org().join(&format!("{path}/lifecycle/activate")),
            None,
        )
        .await?;
        Ok(connection)
    }

    // Schemas.

    pub async fn user_schema(&self) -> Result<Schema, Error> {
        self.get("/api/v1/meta/schemas/user/default").await
    }

    pub async fn app_schema(&self, app: &AppId) -> Result<Schema, Error> {
        self.get(&format!("/api/v1/meta/schemas/apps/{app}/default"))
            .await
    }

    /// Partial update of the Okta user schema's custom properties: each entry is a property to
    /// add or change, or `null` to delete.
    pub async fn update_user_schema(&self, custom: Map<String, Value>) -> Result<Schema, Error> {
        let body = json!({ "definitions": { "custom": { "id": "#custom", "type": "object", "properties": custom } } });
        self.post("/api/v1/meta/schemas/user/default", &body).await
    }

    /// Partial update of an app user schema's custom properties, like [`Client::update_user_schema`].
    pub async fn update_app_schema(
        &self,
        app: &AppId,
        custom: Map<String, Value>,
    ) -> Result<Schema, Error> {
        let body = json!({ "definitions": { "custom": { "id": "#custom", "type": "object", "properties": custom } } });
        self.post(&format!("/api/v1/meta/schemas/apps/{app}/default"), &body)
            .await
    }

    /// The user types; one of them is the default (`default: true`).
    pub async fn user_types(&self) -> Result<Vec<UserType>, Error> {
        self.get("/api/v1/meta/types/user").await
    }

    // Profile mappings.

    /// Mappings between a source and a target (app id or user type id); either may be left out.
    pub async fn mappings(
        &self,
        source: Option<&str>,
        target: Option<&str>,
    ) -> Result<Vec<ProfileMapping>, Error> {
        let mut path = "/api/v1/mappings?limit=200".to_string();
        if let Some(source) = source {
            path.push_str(&format!("&sourceId={}", q(source)));
        }
        if let Some(target) = target {
            path.push_str(&format!("&targetId={}", q(target)));
        }
        self.get_all(&path).await
    }

    pub async fn mapping(&self, id: &MappingId) -> Result<ProfileMapping, Error> {
        self.get(&format!("/api/v1/mappings/{id}")).await
    }

    /// Partial update of a mapping's properties: `{expression, pushStatus}`, or `null` to remove.
    /// Safe to repeat (same end state); after an answer that broke off, a re-read tells whether
    /// every property stands as sent.
    pub async fn update_mapping(
        &self,
        id: &MappingId,
        properties: Map<String, Value>,
    ) -> Result<Verified<ProfileMapping>, Error> {
        let path = format!("/api/v1/mappings/{id}");
        let body = json!({ "properties": properties });
        self.post_verified(&path, &body, || async {
            let now = self.mapping(id).await?;
            let stands = properties.iter().all(|(name, sent)| {
                let have = now.properties.as_ref().and_then(|p| p.get(name));
                match (sent.get("expression").and_then(Value::as_str), have) {
                    (None, have) => have.is_none(),
                    (Some(expression), Some(have)) => {
                        have.expression == expression
                            && sent
                                .get("pushStatus")
                                .and_then(Value::as_str)
                                .is_none_or(|push| have.push_status.as_deref() == Some(push))
                    }
                    (Some(_), None) => false,
                }
            });
            Ok(stands.then_some(now))
        })
        .await
    }

    // Assignments.

    /// Assigned users, each with its Okta user embedded (`_embedded.user`: login), 500 a page.
    /// Only the profile attributes `profile` names are kept.
    pub async fn app_users(
        &self,
        app: &AppId,
        profile: &ProfileKeys,
    ) -> Result<Vec<ListedAppUser>, Error> {
        self.get_all_with(
            &format!("/api/v1/apps/{app}/users?limit=500&expand=user"),
            |page| {
                use serde::de::DeserializeSeed;
                let mut parser = serde_json::Deserializer::from_str(page);
                let users = ListedAppUsers(profile).deserialize(&mut parser)?;
                parser.end().map(|()| users)
            },
        )
        .await
    }

    /// Assigned groups, each with its group embedded (`_embedded.group`: name), 200 a page.
    pub async fn app_groups(&self, app: &AppId) -> Result<Vec<AppGroup>, Error> {
        self.get_all(&format!("/api/v1/apps/{app}/groups?limit=200&expand=group"))
            .await
    }

    /// Assigns a user (a POST: if it fails in flight, re-reads the assignment before resending).
    pub async fn assign_user(
        &self,
        app: &AppId,
        user: &UserId,
        profile: &Map<String, Value>,
    ) -> Result<Verified<AppUser>, Error> {
        let body = json!({ "id": user, "scope": "USER", "profile": profile });
        let path = format!("/api/v1/apps/{app}/users");
        self.post_verified(&path, &body, || async {
            match self
                .get::<AppUser>(&format!("/api/v1/apps/{app}/users/{user}"))
                .await
            {
                Ok(found) => Ok(Some(found)),
                Err(e) if e.api().is_some_and(ApiError::is_not_found) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .await
    }

    /// Sets values of an assigned user's app profile; Okta merges them into the stored
    /// profile (a POST that is safe to repeat: same end state).
    pub async fn update_app_user(
        &self,
        app: &AppId,
        user: &UserId,
        profile: &Map<String, Value>,
    ) -> Result<Verified<AppUser>, Error> {
        let path = format!("/api/v1/apps/{app}/users/{user}");
        let body = json!({ "profile": profile });
        self.post_verified(&path, &body, || async {
            let found: AppUser = self.get(&path).await?;
            let shows = profile.iter().all(|(k, v)| found.profile.get(k) == Some(v));
            Ok(shows.then_some(found))
        })
        .await
    }

    pub async fn unassign_user(&self, app: &AppId, user: &UserId) -> Result<(), Error> {
        self.delete(&format!("/api/v1/apps/{app}/users/{user}"))
            .await
    }

    /// Assigns a group or updates its assignment (PUT: idempotent).
    pub async fn put_app_group(
        &self,
        app: &AppId,
        group: &GroupId,
        priority: Option<u32>,
        profile: &Map<String, Value>,
    ) -> Result<AppGroup, Error> {
        let mut body = json!({ "profile": profile });
        if let Some(priority) = priority {
            body["priority"] = json!(priority);
        }
        self.put(&format!("/api/v1/apps/{app}/groups/{group}"), &body)
            .await
    }

    pub async fn unassign_group(&self, app: &AppId, group: &GroupId) -> Result<(), Error> {
        self.delete(&format!("/api/v1/apps/{app}/groups/{group}"))
            .await
    }

    // Group push (spec tag `GroupPushMapping`; recorded in
    // `TestAccResourceOktaPushGroup_crud__classic-00.yaml`).

    /// The app's group push mappings, 1,000 a page (the spec's maximum).
    pub async fn group_push_mappings(&self, app: &AppId) -> Result<Vec<GroupPushMapping>, Error> {
        self.get_all(&format!(
            "/api/v1/apps/{app}/group-push/mappings?limit=1000"
        ))
        .await
    }

    /// Pushes `source` to a new target group named `target_name`, or links it to the existing
    /// `target_id` (the spec: one of them, never both). A POST: if it fails in flight, the
    /// mappings are re-read for one of `source` before it is sent again.
    pub async fn create_group_push(
        &self,
        app: &AppId,
        source: &GroupId,
        target: GroupPushTarget<'_>,
        status: &str,
    ) -> Result<Verified<GroupPushMapping>, Error> {
        let mut body = json!({ "sourceGroupId": source, "status": status });
        match target {
            GroupPushTarget::Id(id) => body["targetGroupId"] = json!(id),
            GroupPushTarget::Name(name) => body["targetGroupName"] = json!(name),
        }
        let path = format!("/api/v1/apps/{app}/group-push/mappings");
        self.post_verified(&path, &body, || async {
            let found = self
                .get::<Vec<GroupPushMapping>>(&format!(
                    "/api/v1/apps/{app}/group-push/mappings?sourceGroupId={}",
                    q(&source.0)
                ))
                .await?;
            Ok(found.into_iter().find(|m| &m.source_group_id == source))
        })
        .await
    }

    /// Activates or deactivates a push mapping (a PATCH of `status` only: safe to repeat).
    pub async fn set_group_push_status(
        &self,
        app: &AppId,
        mapping: &str,
        status: &str,
    ) -> Result<GroupPushMapping, Error> {
        let path = format!("/api/v1/apps/{app}/group-push/mappings/{mapping}");
        let body = serde_json::to_vec(&json!({ "status": status })).map_err(|e| Error::Decode {
            method: "PATCH".into(),
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let answer = self
            .send(reqwest::Method::PATCH, &self.org().join(&path), Some(body))
            .await?;
        serde_json::from_str(&answer.body).map_err(|e| Error::Decode {
            method: "PATCH".into(),
            path,
            reason: e.to_string(),
        })
    }

    /// Deletes an inactive push mapping; `delete_target` also deletes the vendor's group (the
    /// spec requires the parameter either way).
    pub async fn delete_group_push(
        &self,
        app: &AppId,
        mapping: &str,
        delete_target: bool,
    ) -> Result<(), Error> {
        self.delete(&format!(
            "/api/v1/apps/{app}/group-push/mappings/{mapping}?deleteTargetGroup={delete_target}"
        ))
        .await
    }

    /// One group, by id.
    pub async fn group(&self, id: &GroupId) -> Result<Group, Error> {
        self.get(&format!("/api/v1/groups/{id}")).await
    }

    // Users and groups, to turn logins and names into ids.

    /// Users with any of these logins, in one search (Okta compares them case-insensitively).
    pub async fn search_users(&self, logins: &[String]) -> Result<Vec<User>, Error> {
        let search = any_eq("profile.login", logins);
        self.get_all(&format!("/api/v1/users?search={}&limit=200", q(&search)))
            .await
    }

    /// Groups with any of these names, in one search.
    pub async fn search_groups(&self, names: &[String]) -> Result<Vec<Group>, Error> {
        let search = any_eq("profile.name", names);
        self.get_all(&format!("/api/v1/groups?search={}&limit=200", q(&search)))
            .await
    }

    /// The members of a group, 200 a page (the spec's recommended page).
    pub async fn group_members(&self, group: &GroupId) -> Result<Vec<User>, Error> {
        self.get_all(&format!("/api/v1/groups/{group}/users?limit=200"))
            .await
    }

    // The System Log.

    /// Events published between `since` and `until` (RFC 3339) whose event type starts with
    /// one of `event_types` and that touch one of `targets`, oldest first, 1,000 a page. A
    /// bounded query: without `until` Okta treats it as polling, whose pages never end.
    pub async fn logs(
        &self,
        since: &str,
        until: &str,
        event_types: &[&str],
        targets: &[String],
    ) -> Result<Vec<LogEvent>, Error> {
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        let types = event_types
            .iter()
            .map(|t| format!("eventType sw {}", quoted(t)))
            .collect::<Vec<_>>()
            .join(" or ");
        let filter = format!("({types}) and ({})", any_eq("target.id", targets));
        self.get_all(&format!(
            "/api/v1/logs?since={}&until={}&sortOrder=ASCENDING&limit=1000&filter={}",
            q(since),
            q(until),
            q(&filter)
        ))
        .await
    }

    /// System Log events since `since` written by any oktaform (its User-Agent), newest last,
    /// one page: enough to tell whether another run is writing now.
    pub async fn oktaform_events(&self, since: &str) -> Result<Vec<LogEvent>, Error> {
        let filter = format!("client.userAgent.rawUserAgent sw {}", quoted("oktaform/"));
        self.get(&format!(
            "/api/v1/logs?since={}&sortOrder=DESCENDING&limit=100&filter={}",
            q(since),
            q(&filter)
        ))
        .await
    }

    /// The user with this exact login, if any.
    pub async fn user_by_login(&self, login: &str) -> Result<Option<User>, Error> {
        let users = self.search_users(&[login.to_string()]).await?;
        Ok(users
            .into_iter()
            .find(|u| u.login().is_some_and(|l| l.eq_ignore_ascii_case(login))))
    }

    /// Groups with exactly this name.
    pub async fn groups_named(&self, name: &str) -> Result<Vec<Group>, Error> {
        let groups = self.search_groups(&[name.to_string()]).await?;
        Ok(groups
            .into_iter()
            .filter(|g| g.name() == Some(name))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_literals_are_escaped_then_encoded() {
        assert_eq!(eq_clause("name", r#"a"b\c"#), r#"name eq "a\"b\\c""#);
        assert_eq!(
            any_eq("profile.login", &["a@x".into(), "b@x".into()]),
            r#"profile.login eq "a@x" or profile.login eq "b@x""#
        );
        assert_eq!(q(&eq_clause("name", "x y")), "name+eq+%22x+y%22");
    }
}
