//! The live read: exactly what the config declares, each collection once, concurrently.
//!
//! Round trips for one app: (1) find the app, the Okta user schema, and the ids of every login
//! and group name the config assigns (one search per 50, shared by all apps); (2) the app's
//! features, schema, both mapping lists, and its assigned users and groups (login and name
//! embedded); (3) the two mapping bodies. With `find: { id }` the first two rounds are one. The
//! number of calls does not grow with attributes or mappings.

use futures_util::future::try_join_all;
use serde_json::Value;

use super::client::Client;
use super::error::Error;
use super::types::{App, AppGroup, AppUser, Group, ProfileMapping, User};
use crate::config::model::{App as AppConfig, Config, Find};
use crate::ids::AppId;
use crate::plan::live::{Directory, Features, LiveApp, LiveGroup, LiveOrg, LiveUser};

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
    Api { app: String, error: Error },
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

/// Reads what the config needs from the org.
pub async fn read(client: &Client, config: &Config) -> Result<LiveOrg, ReadError> {
    let needs_user_schema = config.okta_user.is_some();
    let user_schema = async {
        if needs_user_schema {
            client
                .user_schema()
                .await
                .map(Some)
                .map_err(ReadError::from)
        } else {
            Ok(None)
        }
    };
    // Every login and group name the config assigns, looked up once for all apps.
    let mut logins: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for app in config.apps.values() {
        if let Some(a) = &app.assignments {
            for login in a.value.users.keys() {
                if !logins.iter().any(|l| l.eq_ignore_ascii_case(login)) {
                    logins.push(login.value.clone());
                }
            }
            for group in a.value.groups.keys() {
                if !names.contains(&group.value) {
                    names.push(group.value.clone());
                }
            }
        }
    }
    let directory = async {
        directory(client, &logins, &names)
            .await
            .map_err(ReadError::from)
    };
    let apps = try_join_all(
        config
            .apps
            .iter()
            .map(|(name, app)| read_app(client, name, app)),
    );
    let (user_schema, directory, mut apps) = tokio::try_join!(user_schema, directory, apps)?;
    for app in &mut apps {
        app.directory = directory.clone();
    }
    Ok(LiveOrg {
        user_schema,
        apps: config
            .apps
            .keys()
            .map(|k| k.value.clone())
            .zip(apps)
            .collect(),
    })
}

fn describe(find: &Find) -> String {
    match find {
        Find::Id(id) => format!("with id `{id}`"),
        Find::Label(label) => format!("labelled `{label}`"),
        Find::Name(name) => format!("named `{name}`"),
    }
}

async fn resolve(client: &Client, name: &str, find: &Find) -> Result<App, ReadError> {
    let api = |source| ReadError::Api {
        app: name.into(),
        error: source,
    };
    let candidates = match find {
        Find::Id(id) => {
            return client.app(id).await.map_err(|e| match e.api() {
                Some(a) if a.status == 404 => ReadError::AppNotFound {
                    app: name.into(),
                    how: describe(find),
                    candidates: vec![],
                },
                _ => api(e),
            });
        }
        Find::Label(label) => {
            let found = client.search_apps(label).await.map_err(api)?;
            let (exact, similar): (Vec<App>, Vec<App>) =
                found.into_iter().partition(|a| &a.label == label);
            (exact, similar)
        }
        Find::Name(oin) => (client.apps_named(oin).await.map_err(api)?, vec![]),
    };
    let (mut exact, similar) = candidates;
    exact.retain(|a| a.status != "DELETED");
    match exact.len() {
        1 => Ok(exact.remove(0)),
        0 => Err(ReadError::AppNotFound {
            app: name.into(),
            how: describe(find),
            candidates: similar
                .iter()
                .map(|a| format!("`{}` ({})", a.label, a.id))
                .collect(),
        }),
        _ => Err(ReadError::AppAmbiguous {
            app: name.into(),
            how: describe(find),
            candidates: exact
                .iter()
                .map(|a| format!("`{}` ({}, {})", a.label, a.id, a.status))
                .collect(),
        }),
    }
}

async fn read_app(client: &Client, name: &str, config: &AppConfig) -> Result<LiveApp, ReadError> {
    let api = |source| ReadError::Api {
        app: name.into(),
        error: source,
    };
    match &config.find.value {
        // The id is known: the app itself is read in the same round as everything else.
        Find::Id(id) => {
            let (app, parts) =
                tokio::try_join!(resolve(client, name, &config.find.value), async {
                    app_parts(client, id, config).await.map_err(api)
                })?;
            Ok(parts.into_live(app))
        }
        find => {
            let app = resolve(client, name, find).await?;
            let parts = app_parts(client, &app.id, config).await.map_err(api)?;
            Ok(parts.into_live(app))
        }
    }
}

/// Everything of an app but the app object.
struct AppParts {
    features: Features,
    connection: Option<crate::okta::types::Connection>,
    schema: crate::okta::types::Schema,
    to_app: Option<ProfileMapping>,
    to_okta: Option<ProfileMapping>,
    users: Option<Vec<LiveUser>>,
    groups: Option<Vec<LiveGroup>>,
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
            directory: Directory::default(),
        }
    }
}

async fn app_parts(client: &Client, id: &AppId, config: &AppConfig) -> Result<AppParts, Error> {
    let assignments = config.assignments.is_some();
    let reads_mappings = !config.mappings.to_app.is_empty()
        || !config.mappings.to_okta.is_empty()
        || config
            .manage
            .as_ref()
            .is_some_and(|m| m.value.mappings == crate::config::model::Ownership::Exclusive);
    let reads_connection = config
        .provisioning
        .as_ref()
        .is_some_and(|p| p.scim.is_some());
    let (features, connection, schema, to_app, to_okta, users, groups) = tokio::try_join!(
        features(client, id),
        async {
            match reads_connection {
                true => client.connection(id).await.map(Some),
                false => Ok(None),
            }
        },
        client.app_schema(id),
        async {
            match reads_mappings {
                true => mapping(client, None, Some(id.0.as_str())).await,
                false => Ok(None),
            }
        },
        async {
            match reads_mappings {
                true => mapping(client, Some(id.0.as_str()), None).await,
                false => Ok(None),
            }
        },
        async {
            match assignments {
                true => client
                    .get_all::<AppUser>(&format!("/api/v1/apps/{id}/users?limit=500&expand=user"))
                    .await
                    .map(Some),
                false => Ok(None),
            }
        },
        async {
            match assignments {
                true => client
                    .get_all::<AppGroup>(&format!(
                        "/api/v1/apps/{id}/groups?limit=200&expand=group"
                    ))
                    .await
                    .map(Some),
                false => Ok(None),
            }
        },
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
    let groups = groups.map(|groups| {
        groups
            .into_iter()
            .map(|assignment| LiveGroup {
                name: embedded(&assignment.extra, "group", "name"),
                assignment,
            })
            .collect()
    });
    Ok(AppParts {
        features,
        connection,
        schema,
        to_app,
        to_okta,
        users,
        groups,
    })
}

/// The app's features; `NotSupported` when Okta says provisioning is not supported for it.
async fn features(client: &Client, app: &AppId) -> Result<Features, Error> {
    match client.features(app).await {
        Ok(features) => Ok(Features::Api { features }),
        Err(e)
            if e.api()
                .is_some_and(|a| a.status == 400 && a.code() == "E0000001") =>
        {
            Ok(Features::NotSupported)
        }
        Err(e) => Err(e),
    }
}

/// The one mapping between the default user type and the app in the given direction, with body.
async fn mapping(
    client: &Client,
    source: Option<&str>,
    target: Option<&str>,
) -> Result<Option<ProfileMapping>, Error> {
    let list = client.mappings(source, target).await?;
    // The default user type's mapping: the source (or target) is a user type, not another app.
    let found = list.into_iter().find(|m| match (source, target) {
        (Some(_), None) => m.target.kind.as_deref() == Some("user"),
        _ => m.source.kind.as_deref() == Some("user"),
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

fn quoted(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Resolves logins and group names to ids, in batched searches.
async fn directory(
    client: &Client,
    logins: &[String],
    groups: &[String],
) -> Result<Directory, Error> {
    let user_searches = logins.chunks(SEARCH_BATCH).map(|chunk| {
        let search = chunk
            .iter()
            .map(|l| format!("profile.login eq \"{}\"", quoted(l)))
            .collect::<Vec<_>>()
            .join(" or ");
        let path = format!("/api/v1/users?search={}&limit=200", encode(&search));
        async move { client.get_all::<User>(&path).await }
    });
    let group_searches = groups.chunks(SEARCH_BATCH).map(|chunk| {
        let search = chunk
            .iter()
            .map(|g| format!("profile.name eq \"{}\"", quoted(g)))
            .collect::<Vec<_>>()
            .join(" or ");
        let path = format!("/api/v1/groups?search={}&limit=200", encode(&search));
        async move { client.get_all::<Group>(&path).await }
    });
    let (users, found_groups) =
        tokio::try_join!(try_join_all(user_searches), try_join_all(group_searches))?;
    let mut directory = Directory::default();
    for user in users.into_iter().flatten() {
        if let Some(login) = user.login() {
            directory
                .users
                .insert(login.to_lowercase(), user.id.clone());
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

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
