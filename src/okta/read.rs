//! The live read: what a [`Scope`] names, each collection once, concurrently, into a
//! [`Snapshot`].
//!
//! Round trips for one app: (1) find the app, the Okta user schema, and the ids of every login
//! and group name the scope lists (one search per 50, shared by all apps); (2) the app's
//! features, schema, both mapping lists, and its assigned users and groups (login and name
//! embedded) and its group push mappings; (3) the two mapping bodies and the names of the
//! pushed groups. With [`AppSelector::Id`] the first two rounds are one.
//! The number of calls does not grow with attributes or mappings.

use futures_util::future::try_join_all;
use indexmap::IndexMap;
use serde_json::Value;
use tokio::sync::OnceCell;

use super::client::Client;
use super::error::{ApiError, Error};
use super::scope::{AppScope, AppSelector, Apps, Parts, Scope};
use super::snapshot::{Directory, Features, LiveApp, LiveGroup, LivePush, LiveUser, Snapshot};
use super::types::{App, Connection, ProfileMapping, Schema, UserType};
use crate::ids::AppId;

/// Why the live state could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("app `{app}`: no app {how}{}", hint(.candidates))]
    AppNotFound {
        app: String,
        how: String,
        candidates: Vec<String>,
    },
    #[error("app `{app}`: {} apps match {how}: {}; use `find: {{ id: … }}` to choose one", .candidates.len(), .candidates.join(", "))]
    AppAmbiguous {
        app: String,
        how: String,
        candidates: Vec<String>,
    },
    #[error("app `{app}`: {error}")]
    Api {
        app: String,
        #[source]
        error: Error,
    },
    #[error(transparent)]
    Okta(#[from] Error),
}

fn hint(candidates: &[String]) -> String {
    if candidates.is_empty() {
        String::new()
    } else {
        format!("; apps with a similar label: {}", candidates.join(", "))
    }
}

/// Logins and group names are looked up this many at a time (`… or …` searches).
const SEARCH_BATCH: usize = 50;

/// A read in progress: the client, and the default user type, fetched once for everyone who
/// needs it (the Okta user schema's events, and the choice of each app's mappings).
struct Reader<'a> {
    client: &'a Client,
    user_type: OnceCell<Option<UserType>>,
}

impl Reader<'_> {
    async fn default_user_type(&self) -> Result<Option<&UserType>, Error> {
        self.user_type
            .get_or_try_init(|| async {
                let types = self.client.user_types().await?;
                Ok(types.into_iter().find(|t| t.default == Some(true)))
            })
            .await
            .map(Option::as_ref)
    }
}

/// Reads what `scope` names from the org.
pub async fn read(client: &Client, scope: &Scope) -> Result<Snapshot, ReadError> {
    let reader = Reader {
        client,
        user_type: OnceCell::new(),
    };
    let reader = &reader;
    let needs_user_type = scope.user_schema
        || match &scope.apps {
            Apps::Selected(apps) => apps.iter().any(|a| a.parts.mappings),
            Apps::All => true,
        };
    let user_type = async {
        if needs_user_type {
            reader.default_user_type().await?;
        }
        Ok::<_, ReadError>(())
    };
    let user_schema = async {
        match scope.user_schema {
            true => client
                .user_schema()
                .await
                .map(Some)
                .map_err(ReadError::from),
            false => Ok(None),
        }
    };
    let directory = async {
        directory(client, &scope.logins, &scope.group_names)
            .await
            .map_err(ReadError::from)
    };
    let apps = async {
        match &scope.apps {
            Apps::Selected(apps) => try_join_all(apps.iter().map(|app| read_app(reader, app)))
                .await
                .map(|live| apps.iter().map(|a| a.key.clone()).zip(live).collect()),
            Apps::All => read_all(reader).await,
        }
    };
    let (user_schema, directory, apps, ()) =
        tokio::try_join!(user_schema, directory, apps, user_type)?;
    let mut snapshot = Snapshot::new(user_schema, apps, directory);
    snapshot.user_type = reader.user_type.get().cloned().flatten();
    Ok(snapshot)
}

/// Every app that is not deleted, with all its parts, keyed by id.
async fn read_all(reader: &Reader<'_>) -> Result<IndexMap<String, LiveApp>, ReadError> {
    let apps: Vec<App> = reader
        .client
        .all_apps()
        .await?
        .into_iter()
        .filter(|a| a.status != "DELETED")
        .collect();
    let live = try_join_all(apps.into_iter().map(|app| async move {
        let key = app.id.0.clone();
        app_parts(reader, &app.id, Parts::ALL)
            .await
            .map(|parts| (key.clone(), parts.into_live(app)))
            .map_err(|error| ReadError::Api { app: key, error })
    }))
    .await?;
    Ok(live.into_iter().collect())
}

async fn resolve(client: &Client, key: &str, select: &AppSelector) -> Result<App, ReadError> {
    let api = |error| ReadError::Api {
        app: key.into(),
        error,
    };
    let not_found = |candidates| ReadError::AppNotFound {
        app: key.into(),
        how: select.to_string(),
        candidates,
    };
    let (mut exact, similar) = match select {
        AppSelector::Id(id) => {
            return client.app(id).await.map_err(|e| match e.api() {
                Some(a) if a.is_not_found() => not_found(vec![]),
                _ => api(e),
            });
        }
        AppSelector::Label(label) => client
            .search_apps(label)
            .await
            .map_err(api)?
            .into_iter()
            .partition(|a| &a.label == label),
        AppSelector::Name(oin) => (client.apps_named(oin).await.map_err(api)?, vec![]),
    };
    exact.retain(|a| a.status != "DELETED");
    match exact.len() {
        1 => Ok(exact.remove(0)),
        0 => Err(not_found(
            similar
                .iter()
                .map(|a| format!("`{}` ({})", a.label, a.id))
                .collect(),
        )),
        _ => Err(ReadError::AppAmbiguous {
            app: key.into(),
            how: select.to_string(),
            candidates: exact
                .iter()
                .map(|a| format!("`{}` ({}, {})", a.label, a.id, a.status))
                .collect(),
        }),
    }
}

async fn read_app(reader: &Reader<'_>, scope: &AppScope) -> Result<LiveApp, ReadError> {
    let client = reader.client;
    let api = |error| ReadError::Api {
        app: scope.key.clone(),
        error,
    };
    match &scope.select {
        // The id is known: the app itself is read in the same round as everything else.
        AppSelector::Id(id) => {
            let (app, parts) =
                tokio::try_join!(resolve(client, &scope.key, &scope.select), async {
                    app_parts(reader, id, scope.parts).await.map_err(api)
                })?;
            Ok(parts.into_live(app))
        }
        select => {
            let app = resolve(client, &scope.key, select).await?;
            let parts = app_parts(reader, &app.id, scope.parts).await.map_err(api)?;
            Ok(parts.into_live(app))
        }
    }
}

/// Everything of an app but the app object.
struct AppParts {
    features: Features,
    connection: Option<Connection>,
    schema: Schema,
    to_app: Option<ProfileMapping>,
    to_okta: Option<ProfileMapping>,
    users: Option<Vec<LiveUser>>,
    groups: Option<Vec<LiveGroup>>,
    group_push: Option<Vec<LivePush>>,
}

impl AppParts {
    fn into_live(self, app: App) -> LiveApp {
        LiveApp {
            app,
            features: self.features,
            connection: self.connection,
            schema: self.schema,
            to_app: self.to_app,
            to_okta: self.to_okta,
            users: self.users,
            groups: self.groups,
            group_push: self.group_push,
        }
    }
}

/// `read` when `wanted`, else `None` without a request.
async fn when<T, F>(wanted: bool, read: F) -> Result<Option<T>, Error>
where
    F: std::future::Future<Output = Result<T, Error>>,
{
    match wanted {
        true => read.await.map(Some),
        false => Ok(None),
    }
}

async fn app_parts(reader: &Reader<'_>, id: &AppId, parts: Parts) -> Result<AppParts, Error> {
    let client = reader.client;
    let (features, connection, schema, to_app, to_okta, users, groups, group_push) = tokio::try_join!(
        features(client, id),
        when(parts.connection, client.connection(id)),
        client.app_schema(id),
        when(parts.mappings, mapping(reader, None, Some(id))),
        when(parts.mappings, mapping(reader, Some(id), None)),
        when(parts.assignments, client.app_users(id)),
        when(parts.assignments, client.app_groups(id)),
        when(parts.group_push, group_push(client, id)),
    )?;
    let users = users.map(|users| {
        users
            .into_iter()
            .map(|assignment| LiveUser {
                login: embedded(&assignment.extra, "user", "login"),
                assignment,
            })
            .collect()
    });
    let groups = match groups {
        Some(groups) => Some(
            try_join_all(groups.into_iter().map(|assignment| async {
                let members = match parts.memberships {
                    true => Some(
                        client
                            .group_members(&assignment.id)
                            .await?
                            .into_iter()
                            .map(|u| u.id)
                            .collect(),
                    ),
                    false => None,
                };
                Ok::<_, Error>(LiveGroup {
                    name: embedded(&assignment.extra, "group", "name"),
                    assignment,
                    members,
                })
            }))
            .await?,
        ),
        None => None,
    };
    Ok(AppParts {
        features,
        connection,
        schema,
        to_app: to_app.flatten(),
        to_okta: to_okta.flatten(),
        users,
        groups,
        group_push,
    })
}

/// The app's push mappings, each with its source group's name (one read per mapping, at once).
/// An app Okta refuses group push for (`400`/`404` on the list: no provisioning) has none.
async fn group_push(client: &Client, app: &AppId) -> Result<Vec<LivePush>, Error> {
    let mappings = match client.group_push_mappings(app).await {
        Ok(mappings) => mappings,
        Err(e) if e.api().is_some_and(|a| matches!(a.status, 400 | 404)) => {
            tracing::debug!(%app, error = %e, "no group push for this app");
            return Ok(Vec::new());
        }
        Err(e) => return Err(e),
    };
    try_join_all(mappings.into_iter().map(|mapping| async move {
        let name = match client.group(&mapping.source_group_id).await {
            Ok(group) => group.name().unwrap_or_default().to_string(),
            Err(e) if e.api().is_some_and(ApiError::is_not_found) => String::new(),
            Err(e) => return Err(e),
        };
        Ok(LivePush { name, mapping })
    }))
    .await
}

/// The app's features; `NotSupported` when Okta says provisioning is not supported for it,
/// `NotEnabled` when its provisioning connection is not enabled yet.
async fn features(client: &Client, app: &AppId) -> Result<Features, Error> {
    match client.features(app).await {
        Ok(features) => Ok(Features::Api { features }),
        Err(e) if e.api().is_some_and(ApiError::is_not_enabled) => Ok(Features::NotEnabled),
        Err(e) if e.api().is_some_and(ApiError::is_not_supported) => Ok(Features::NotSupported),
        Err(e) => Err(e),
    }
}

/// The one mapping between the default user type and the app in the given direction, with
/// body. Every user type has its own mapping to each app, all of `type: user` (finding B8):
/// the default type's is the one whose user end is the default type's id.
async fn mapping(
    reader: &Reader<'_>,
    source: Option<&AppId>,
    target: Option<&AppId>,
) -> Result<Option<ProfileMapping>, Error> {
    let client = reader.client;
    let (list, user_type) = tokio::try_join!(
        client.mappings(source.map(|s| s.0.as_str()), target.map(|t| t.0.as_str())),
        reader.default_user_type(),
    )?;
    let found = list.into_iter().find(|m| {
        // The user end: the target when the app is the source, else the source.
        let user_end = match (source, target) {
            (Some(_), None) => &m.target,
            _ => &m.source,
        };
        user_end.kind.as_deref() == Some("user") && user_type.is_none_or(|t| user_end.id == t.id.0)
    });
    match found {
        Some(m) => client.mapping(&m.id).await.map(Some),
        None => Ok(None),
    }
}

/// `_embedded.<kind>.profile.<field>` of an expanded list item.
fn embedded(extra: &serde_json::Map<String, Value>, kind: &str, field: &str) -> String {
    extra
        .get("_embedded")
        .and_then(|e| e.get(kind))
        .and_then(|o| o.get("profile"))
        .and_then(|p| p.get(field))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Resolves logins and group names to ids, in batched searches.
async fn directory(
    client: &Client,
    logins: &[String],
    groups: &[String],
) -> Result<Directory, Error> {
    let (users, found_groups) = tokio::try_join!(
        try_join_all(logins.chunks(SEARCH_BATCH).map(|c| client.search_users(c))),
        try_join_all(groups.chunks(SEARCH_BATCH).map(|c| client.search_groups(c))),
    )?;
    let mut directory = Directory::default();
    for user in users.into_iter().flatten() {
        if let Some(login) = user.login() {
            directory
                .users
                .insert(login.to_lowercase(), user.id.clone());
            directory
                .profiles
                .insert(login.to_lowercase(), user.profile.clone());
        }
    }
    for group in found_groups.into_iter().flatten() {
        if let Some(name) = group.name() {
            directory
                .groups
                .entry(name.to_string())
                .or_default()
                .push(group.id.clone());
        }
    }
    Ok(directory)
}
