//! The live read: what a [`Scope`] names, each collection once, concurrently, into a
//! [`Snapshot`].
//!
//! Everything that does not wait for another answer starts at once. Round trips for one app:
//! (1) find the app, beside the Okta user schema, the default user type and the group-name
//! searches; (2) the app's features, schema, both mapping lists, and its assigned users and
//! groups (login and name embedded, 500 users a page) and its group push mappings; (3) the two
//! mapping bodies, the names of the pushed groups, and the login searches (one per 50) — only
//! for logins no app has assigned yet, since the assigned-user pages already name the rest. With [`AppSelector::Id`] the first two rounds are one.
//!
//! From [`LIST_ALL_FROM`] apps up, one paged list replaces a request per app: the apps list
//! instead of a search per label or name, and every profile mapping instead of two filtered
//! lists per app (which also moves the mapping bodies into round 2). The number of calls does
//! not grow with attributes or mappings, and an assignment keeps only what the plan reads: its
//! embedded user's login and the profile attributes [`ProfileKeys`] names, the rest skipped
//! while parsing. A mapping is read only in the directions the scope asks for.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use futures_util::future::try_join_all;
use indexmap::IndexMap;
use serde_json::Value;
use tokio::sync::{OnceCell, watch};

use super::client::Client;
use super::error::{ApiError, Error};
use super::progress::Event;
use super::scope::{AppScope, AppSelector, Apps, Parts, ProfileKeys, Scope};
use super::snapshot::{Directory, Features, LiveApp, LiveGroup, LivePush, LiveUser, Snapshot};
use super::types::{App, Connection, ListedAppUser, ProfileMapping, Schema, UserType};
use crate::ids::{AppId, UserId};

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

/// From this many apps to find by label or name (or to read mappings of), one list for all.
pub const LIST_ALL_FROM: usize = 8;

/// A read in progress: the client, and what is fetched once for everyone who needs it — the
/// default user type (the Okta user schema's events, and the choice of each app's mappings),
/// and with many apps the apps list and the mappings list.
struct Reader<'a> {
    client: &'a Client,
    user_type: OnceCell<Option<UserType>>,
    /// `Some` when apps are found in the apps list rather than one search each.
    apps_list: Option<OnceCell<Vec<App>>>,
    /// `Some` when mappings are found in the list of all of them rather than per app.
    mappings_list: Option<OnceCell<Vec<ProfileMapping>>>,
    assigned: Assigned,
}

/// The logins the scope asks for that assigned-user pages already name, and how many apps'
/// pages are still to come: the login searches wait for those and cover only the rest.
struct Assigned {
    wanted: HashSet<String>,
    found: Mutex<HashMap<String, UserId>>,
    pending: watch::Sender<usize>,
}

/// Counts an app's assigned users as read when dropped (read, failed or abandoned alike).
struct Pending<'a>(&'a Assigned);

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.0.pending.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Assigned {
    fn record(&self, users: &[ListedAppUser]) {
        if self.wanted.is_empty() {
            return;
        }
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        for user in users {
            let login = user.login.to_lowercase();
            if self.wanted.contains(&login) {
                found.insert(login, user.id.clone());
            }
        }
    }

    /// Once every app's users are read: the wanted logins no page named.
    async fn unassigned(&self, logins: &[String]) -> Vec<String> {
        let mut pending = self.pending.subscribe();
        let _ = pending.wait_for(|n| *n == 0).await;
        let found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        logins
            .iter()
            .filter(|l| !found.contains_key(&l.to_lowercase()))
            .cloned()
            .collect()
    }
}

impl Reader<'_> {
    async fn all_apps(&self, cell: &OnceCell<Vec<App>>) -> Result<Vec<App>, Error> {
        cell.get_or_try_init(|| self.client.all_apps())
            .await
            .cloned()
    }

    /// The mapping lists' answer for `source`/`target`, from the list of all when there is one.
    async fn mappings(
        &self,
        source: Option<&AppId>,
        target: Option<&AppId>,
    ) -> Result<Vec<ProfileMapping>, Error> {
        match &self.mappings_list {
            Some(cell) => {
                let all = cell
                    .get_or_try_init(|| self.client.mappings(None, None))
                    .await?;
                Ok(all
                    .iter()
                    .filter(|m| {
                        source.is_none_or(|s| m.source.id == s.0)
                            && target.is_none_or(|t| m.target.id == t.0)
                    })
                    .cloned()
                    .collect())
            }
            None => {
                self.client
                    .mappings(source.map(|s| s.0.as_str()), target.map(|t| t.0.as_str()))
                    .await
            }
        }
    }

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
    let selected: &[AppScope] = match &scope.apps {
        Apps::Selected(apps) => apps,
        Apps::All => &[],
    };
    let lookups = selected
        .iter()
        .filter(|a| !matches!(a.select, AppSelector::Id(_)))
        .count();
    let with_mappings = selected.iter().filter(|a| a.parts.mappings()).count();
    let with_assignments = selected.iter().filter(|a| a.parts.assignments).count();
    client.progress().event(Event::Reading {
        apps: selected.len(),
    });
    let reader = Reader {
        client,
        user_type: OnceCell::new(),
        apps_list: (lookups >= LIST_ALL_FROM).then(OnceCell::new),
        mappings_list: (with_mappings >= LIST_ALL_FROM).then(OnceCell::new),
        assigned: Assigned {
            wanted: scope.logins.iter().map(|l| l.to_lowercase()).collect(),
            found: Mutex::new(HashMap::new()),
            pending: watch::Sender::new(with_assignments),
        },
    };
    let reader = &reader;
    // The shared lists start now, beside everything else.
    let lists = async {
        let apps = async {
            match &reader.apps_list {
                Some(cell) => reader.all_apps(cell).await.map(drop),
                None => Ok(()),
            }
        };
        let mappings = async {
            match &reader.mappings_list {
                Some(_) => reader.mappings(None, None).await.map(drop),
                None => Ok(()),
            }
        };
        tokio::try_join!(apps, mappings)?;
        Ok::<_, ReadError>(())
    };
    let needs_user_type = scope.user_schema
        || match &scope.apps {
            Apps::Selected(apps) => apps.iter().any(|a| a.parts.mappings()),
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
        directory(reader, &scope.logins, &scope.group_names)
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
    let (user_schema, directory, apps, (), ()) =
        tokio::try_join!(user_schema, directory, apps, user_type, lists)?;
    let mut snapshot = Snapshot::new(user_schema, apps, directory);
    snapshot.user_type = reader.user_type.get().cloned().flatten();
    client.progress().event(Event::ReadDone);
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
        app_parts(reader, &app.id, Parts::ALL, &ProfileKeys::All, None)
            .await
            .map(|parts| (key.clone(), parts.into_live(app)))
            .map_err(|error| ReadError::Api { app: key, error })
    }))
    .await?;
    Ok(live.into_iter().collect())
}

async fn resolve(reader: &Reader<'_>, key: &str, select: &AppSelector) -> Result<App, ReadError> {
    let client = reader.client;
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
        // From the list of all apps: what Okta's `q` search would find (label or name starting
        // with the text, any case), then the exact label.
        AppSelector::Label(label) if let Some(cell) = &reader.apps_list => {
            let start = label.to_lowercase();
            reader
                .all_apps(cell)
                .await
                .map_err(api)?
                .into_iter()
                .filter(|a| {
                    a.label.to_lowercase().starts_with(&start)
                        || a.name.to_lowercase().starts_with(&start)
                })
                .partition(|a| &a.label == label)
        }
        AppSelector::Label(label) => client
            .search_apps(label)
            .await
            .map_err(api)?
            .into_iter()
            .partition(|a| &a.label == label),
        AppSelector::Name(oin) if let Some(cell) = &reader.apps_list => (
            reader
                .all_apps(cell)
                .await
                .map_err(api)?
                .into_iter()
                .filter(|a| &a.name == oin)
                .collect(),
            vec![],
        ),
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
    let api = |error| ReadError::Api {
        app: scope.key.clone(),
        error,
    };
    let pending = scope.parts.assignments.then(|| Pending(&reader.assigned));
    match &scope.select {
        // The id is known: the app itself is read in the same round as everything else.
        AppSelector::Id(id) => {
            let (app, parts) =
                tokio::try_join!(resolve(reader, &scope.key, &scope.select), async {
                    app_parts(reader, id, scope.parts, &scope.profile, pending)
                        .await
                        .map_err(api)
                })?;
            Ok(parts.into_live(app))
        }
        select => {
            let app = resolve(reader, &scope.key, select).await?;
            // Only an allow-listed app's connection can be read; a custom app's answers
            // `UNKNOWN` (recorded), so it is not asked for.
            let parts = Parts {
                connection: scope.parts.connection
                    && crate::facts::provisioning::TOKEN_CONNECTION_APPS
                        .contains(&app.name.as_str()),
                ..scope.parts
            };
            let parts = app_parts(reader, &app.id, parts, &scope.profile, pending)
                .await
                .map_err(api)?;
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

/// `pending` is the app's count in the login searches' wait, released once its users are read.
async fn app_parts(
    reader: &Reader<'_>,
    id: &AppId,
    parts: Parts,
    profile: &ProfileKeys,
    pending: Option<Pending<'_>>,
) -> Result<AppParts, Error> {
    let client = reader.client;
    let users = async {
        let users = client.app_users(id, profile).await?;
        reader.assigned.record(&users);
        drop(pending);
        Ok(users)
    };
    let (features, connection, schema, to_app, to_okta, users, groups, group_push) = tokio::try_join!(
        features(client, id),
        when(parts.connection, client.connection(id)),
        client.app_schema(id),
        when(parts.to_app, mapping(reader, None, Some(id))),
        when(parts.to_okta, mapping(reader, Some(id), None)),
        when(parts.assignments, users),
        when(parts.assignments, client.app_groups(id)),
        when(parts.group_push, group_push(client, id)),
    )?;
    let users = users.map(|users| {
        users
            .into_iter()
            .map(|mut listed| LiveUser {
                login: std::mem::take(&mut listed.login),
                assignment: listed.into_assignment(),
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
    let (list, user_type) =
        tokio::try_join!(reader.mappings(source, target), reader.default_user_type(),)?;
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

/// Resolves logins and group names to ids, in batched searches: group names at once, logins
/// once the assigned-user pages are read, and only those no page named.
async fn directory(
    reader: &Reader<'_>,
    logins: &[String],
    groups: &[String],
) -> Result<Directory, Error> {
    let client = reader.client;
    let users = async {
        let unassigned = reader.assigned.unassigned(logins).await;
        try_join_all(
            unassigned
                .chunks(SEARCH_BATCH)
                .map(|c| client.search_users(c)),
        )
        .await
    };
    let (users, found_groups) = tokio::try_join!(
        users,
        try_join_all(groups.chunks(SEARCH_BATCH).map(|c| client.search_groups(c))),
    )?;
    let mut directory = Directory::default();
    for (login, id) in reader
        .assigned
        .found
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .drain()
    {
        directory.users.insert(login, id);
    }
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
