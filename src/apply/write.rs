//! One step → its API request, verified: schema POSTs read back until Okta shows them (and
//! retried while Okta is still deleting a property of the same name), mapping POSTs, feature
//! PUTs, the connection, assignments. Removals that find nothing to remove count as done.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::ApplyOptions;
use super::secrets::Secrets;
use super::steps::StepKind;
use crate::ids::{AppId, GroupId};
use crate::okta::types::{GroupPushMapping, Schema, SchemaProperty};
use crate::okta::{ApiError, Client, Error, GroupPushTarget};
use crate::plan::attribute::{Profile, Shape};
use crate::plan::{Change, Op};

/// How a step's success is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// From Okta's answer (or the read-back that follows a schema change).
    Answered,
    /// The answer broke off; a re-read showed the change took effect.
    Reread,
}

/// What is known of a failed step's effect on the org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Known {
    /// Okta refused it, or it was never sent: the org is as it was.
    NotApplied,
    /// No answer, but the request can be sent again safely (GET/PUT/DELETE, or a write Okta
    /// accepted and did not show yet): running apply again settles it.
    Unconfirmed,
    /// A POST's answer broke off and re-reading could not tell: it may have taken effect.
    Unknown,
}

impl Known {
    /// What the org is known to hold, then what to do: the report's words.
    pub fn describe(self) -> &'static str {
        match self {
            Known::NotApplied => "not applied",
            Known::Unconfirmed => "not confirmed (safe to repeat: run apply again)",
            Known::Unknown => {
                "unknown: it may have taken effect — check it in the Admin Console before running apply again"
            }
        }
    }
}

/// Why a step failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Okta(#[from] Error),
    #[error(
        "{} deleted, re-create pending: Okta had not finished deleting the old one after {}s; run apply again in a few minutes — the next run re-creates it ({source})",
        names.join(", "),
        waited.as_secs()
    )]
    DeletionPending {
        names: Vec<String>,
        waited: std::time::Duration,
        #[source]
        source: Error,
    },
    #[error(
        "Okta accepted the schema change but did not show it after {read_backs} read-backs; run plan again to see where it stands"
    )]
    NotShown { read_backs: u32 },
    #[error("{0} was not resolved before the first write")]
    Unresolved(String),
    #[error("{0}; run plan again to see where it stands")]
    PushNotShown(String),
    #[error(
        "while oktaform waited for Okta to show its change, {} changed to something else: another writer \
         (a second apply, or an admin) is editing this schema. Run plan to see where it stands",
        names.join(", ")
    )]
    ChangedMeanwhile { names: Vec<String> },
}

impl WriteError {
    /// What is known of the step's effect.
    pub fn known(&self) -> Known {
        match self {
            WriteError::Okta(error) => match error {
                Error::Api(_)
                | Error::GaveUp {
                    answer: Some(_), ..
                }
                | Error::PostNotApplied { .. }
                | Error::RateLimitWaitTooLong { .. }
                | Error::OAuth { .. }
                | Error::Credentials(_)
                | Error::Client(_) => Known::NotApplied,
                Error::GaveUp { answer: None, .. }
                | Error::Transport { .. }
                | Error::Decode { .. }
                | Error::BodyTooLarge { .. } => Known::Unconfirmed,
                // Cut off by the command's deadline: a POST may have been handled.
                Error::Deadline { method, .. } if method == "POST" => Known::Unknown,
                Error::Deadline { .. } => Known::Unconfirmed,
                Error::PostOutcomeUnknown { .. } => Known::Unknown,
            },
            // The delete half was applied; the re-create was refused.
            WriteError::DeletionPending { .. } | WriteError::Unresolved(_) => Known::NotApplied,
            WriteError::NotShown { .. }
            | WriteError::ChangedMeanwhile { .. }
            | WriteError::PushNotShown(_) => Known::Unconfirmed,
        }
    }
}

/// Sends one step's request.
pub async fn step(
    client: &Client,
    options: &ApplyOptions,
    secrets: &Secrets,
    kind: StepKind,
    changes: &[&Change],
) -> Result<Written, WriteError> {
    let Some(first) = changes.first() else {
        return Ok(Written::Answered);
    };
    match kind {
        StepKind::DeleteReplaced => {
            let Some(target) = schema_target(first) else {
                return Ok(Written::Answered);
            };
            let body = changes
                .iter()
                .filter_map(|c| match &c.op {
                    Op::ReplaceAttribute { name, .. } => Some((name.clone(), Value::Null)),
                    _ => None,
                })
                .collect();
            write_schema(client, options, target, body).await
        }
        StepKind::Schema => match schema_target(first) {
            Some(target) => write_schema(client, options, target, schema_body(changes)).await,
            None => Ok(Written::Answered),
        },
        StepKind::Mapping => mapping(client, changes).await,
        StepKind::Single => single(client, secrets, first).await,
    }
}

/// Which schema a change writes to.
type Target<'a> = (Profile, Option<&'a AppId>);

fn schema_target(change: &Change) -> Option<Target<'_>> {
    match &change.op {
        Op::CreateAttribute {
            profile, app_id, ..
        }
        | Op::UpdateAttribute {
            profile, app_id, ..
        }
        | Op::ReorderEnum {
            profile, app_id, ..
        }
        | Op::ReplaceAttribute {
            profile, app_id, ..
        }
        | Op::DeleteAttribute {
            profile, app_id, ..
        } => Some((*profile, app_id.as_ref())),
        _ => None,
    }
}

/// `name → property` (or `null` to delete) for one schema POST.
fn schema_body(changes: &[&Change]) -> Map<String, Value> {
    let mut body = Map::new();
    for change in changes {
        match &change.op {
            Op::CreateAttribute { name, property, .. }
            | Op::UpdateAttribute { name, property, .. }
            | Op::ReorderEnum { name, property, .. }
            | Op::ReplaceAttribute { name, property, .. } => {
                body.insert(
                    name.clone(),
                    serde_json::to_value(property).unwrap_or(Value::Null),
                );
            }
            Op::DeleteAttribute { name, .. } => {
                body.insert(name.clone(), Value::Null);
            }
            _ => {}
        }
    }
    body
}

async fn post_schema(
    client: &Client,
    (profile, app): Target<'_>,
    body: Map<String, Value>,
) -> Result<Schema, Error> {
    match (profile, app) {
        (Profile::App, Some(app)) => client.update_app_schema(app, body).await,
        _ => client.update_user_schema(body).await,
    }
}

async fn get_schema(client: &Client, (profile, app): Target<'_>) -> Result<Schema, Error> {
    match (profile, app) {
        (Profile::App, Some(app)) => client.app_schema(app).await,
        _ => client.user_schema().await,
    }
}

/// Does `schema` show every property of `body` as sent (and no deleted one)?
fn shows(schema: &Schema, body: &Map<String, Value>, profile: Profile) -> bool {
    let custom: IndexMap<&String, &SchemaProperty> = schema.custom().collect();
    body.iter().all(|(name, sent)| match sent {
        Value::Null => !custom.contains_key(name),
        sent => {
            let Ok(sent) = serde_json::from_value::<SchemaProperty>(sent.clone()) else {
                return false;
            };
            match (
                custom.get(name).and_then(|p| Shape::from_okta(p)),
                Shape::from_okta(&sent),
            ) {
                (Some(have), Some(want)) => want.compare(&have, profile).is_none(),
                _ => false,
            }
        }
    })
}

/// What `schema` holds now for each property of `body` (absent: `None`).
fn current(schema: &Schema, body: &Map<String, Value>) -> IndexMap<String, Option<Value>> {
    let custom: IndexMap<&String, &SchemaProperty> = schema.custom().collect();
    body.keys()
        .map(|k| {
            let value = custom.get(k).and_then(|p| serde_json::to_value(p).ok());
            (k.clone(), value)
        })
        .collect()
}

/// The longest pause between two tries in the deletion window.
const MAX_DELETION_POLL: std::time::Duration = std::time::Duration::from_secs(30);

/// The properties a schema body creates or changes.
fn names(body: &Map<String, Value>) -> Vec<String> {
    body.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| format!("`{k}`"))
        .collect()
}

fn deletion_pending(error: &Error) -> bool {
    error.api().is_some_and(ApiError::is_deletion_pending)
}

/// POSTs a schema body, retrying in the deletion window, then reads back until Okta shows it.
async fn write_schema(
    client: &Client,
    options: &ApplyOptions,
    target: Target<'_>,
    body: Map<String, Value>,
) -> Result<Written, WriteError> {
    let mut wait = options.backoff;
    let mut attempt = 0;
    let started = std::time::Instant::now();
    let answer = loop {
        attempt += 1;
        match post_schema(client, target, body.clone()).await {
            Err(e)
                if deletion_pending(&e)
                    && started.elapsed() + wait <= options.deletion_window_wait =>
            {
                tracing::warn!(
                    "Okta is still deleting a property of the same name ({}); retrying in {}s ({}s waited, at most {}s)",
                    names(&body).join(", "),
                    wait.as_secs_f32().ceil(),
                    started.elapsed().as_secs(),
                    options.deletion_window_wait.as_secs()
                );
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(MAX_DELETION_POLL);
            }
            Err(source) if deletion_pending(&source) => {
                return Err(WriteError::DeletionPending {
                    names: names(&body),
                    waited: started.elapsed(),
                    source,
                });
            }
            // The POST failed in flight: re-read to learn whether it took effect before sending
            // it again (a schema update is a partial update, so a second send is harmless).
            // After the second, the re-read says which way it went.
            Err(Error::PostOutcomeUnknown { path, reason, .. }) => {
                match get_schema(client, target).await {
                    Ok(now) if shows(&now, &body, target.0) => return Ok(Written::Reread),
                    Ok(_) if attempt < 2 => {}
                    Ok(_) => return Err(Error::PostNotApplied { path, reason }.into()),
                    Err(e) => {
                        return Err(Error::PostOutcomeUnknown {
                            path,
                            reason,
                            reread: Some(e.to_string()),
                        }
                        .into());
                    }
                }
            }
            other => break other?,
        }
    };
    if shows(&answer, &body, target.0) {
        return Ok(Written::Answered);
    }
    // Okta shows a change late, never another one: a property that moves to a third state
    // while we wait was written by someone else, and waiting longer will not show ours.
    let mut seen = current(&answer, &body);
    let mut wait = options.backoff;
    for _ in 0..options.read_back_attempts {
        tokio::time::sleep(wait).await;
        wait *= 2;
        let now = get_schema(client, target).await?;
        if shows(&now, &body, target.0) {
            return Ok(Written::Answered);
        }
        let state = current(&now, &body);
        let moved: Vec<String> = body
            .keys()
            .filter(|k| state.get(*k) != seen.get(*k))
            .map(|k| format!("`{k}`"))
            .collect();
        if !moved.is_empty() {
            return Err(WriteError::ChangedMeanwhile { names: moved });
        }
        seen = state;
    }
    Err(WriteError::NotShown {
        read_backs: options.read_back_attempts,
    })
}

/// One mapping POST: each changed property `{expression, pushStatus}`, or `null` to remove.
async fn mapping(client: &Client, changes: &[&Change]) -> Result<Written, WriteError> {
    let mut mapping_id = None;
    let mut properties = Map::new();
    for change in changes {
        match &change.op {
            Op::SetMapping {
                mapping_id: id,
                property,
                expression,
                push_status,
                ..
            } => {
                mapping_id = Some(id);
                let mut p = Map::new();
                p.insert("expression".into(), Value::String(expression.clone()));
                if let Some(push) = push_status {
                    p.insert("pushStatus".into(), Value::String(push.clone()));
                }
                properties.insert(property.clone(), Value::Object(p));
            }
            Op::RemoveMapping {
                mapping_id: id,
                property,
                ..
            } => {
                mapping_id = Some(id);
                properties.insert(property.clone(), Value::Null);
            }
            _ => {}
        }
    }
    match mapping_id {
        Some(id) => Ok(written(&client.update_mapping(id, properties).await?)),
        None => Ok(Written::Answered),
    }
}

fn written<T>(verified: &crate::okta::Verified<T>) -> Written {
    match verified.by_reread {
        true => Written::Reread,
        false => Written::Answered,
    }
}

async fn single(
    client: &Client,
    secrets: &Secrets,
    change: &Change,
) -> Result<Written, WriteError> {
    let mut how = Written::Answered;
    match &change.op {
        Op::SetConnection {
            app_id,
            base_url,
            token,
            ..
        } => {
            let Some(secret) = secrets.get(token) else {
                return Err(WriteError::Unresolved(token.to_string()));
            };
            how = written(&client.set_connection(app_id, base_url, secret).await?);
        }
        Op::PutFeature {
            app_id,
            feature,
            capabilities,
            ..
        } => {
            client.put_feature(app_id, feature, capabilities).await?;
        }
        Op::AssignUser {
            app_id,
            user_id,
            profile,
        }
        | Op::ConvertUser {
            app_id,
            user_id,
            profile,
            ..
        } => {
            how = written(&client.assign_user(app_id, user_id, profile).await?);
        }
        Op::UpdateUser {
            app_id,
            user_id,
            profile,
            ..
        } => {
            how = written(&client.update_app_user(app_id, user_id, profile).await?);
        }
        Op::UnassignUser { app_id, user_id } => {
            ignore_not_found(client.unassign_user(app_id, user_id).await)?
        }
        Op::PutGroup {
            app_id,
            group_id,
            priority,
            profile,
            ..
        } => {
            client
                .put_app_group(app_id, group_id, *priority, profile)
                .await?;
        }
        Op::UnassignGroup {
            app_id, group_id, ..
        } => ignore_not_found(client.unassign_group(app_id, group_id).await)?,
        Op::CreatePush {
            app_id,
            source_group_id,
            target_group_id,
            target_group_name,
            status,
        } => {
            let target = match (target_group_id, target_group_name) {
                (Some(id), _) => GroupPushTarget::Id(id),
                (None, Some(name)) => GroupPushTarget::Name(name),
                (None, None) => GroupPushTarget::Name(""),
            };
            let made = client
                .create_group_push(app_id, source_group_id, target, status)
                .await?;
            how = written(&made);
            push_shows(&made.value, status, target_group_id.as_ref())
                .map_err(WriteError::PushNotShown)?;
        }
        Op::SetPushStatus {
            app_id,
            mapping_id,
            status,
            ..
        } => {
            let answer = client
                .set_group_push_status(app_id, mapping_id, status)
                .await?;
            push_shows(&answer, status, None).map_err(WriteError::PushNotShown)?;
        }
        Op::ReplacePush {
            app_id,
            mapping_id,
            source_group_id,
            target_group_id,
            status,
            ..
        } => {
            remove_push(client, app_id, mapping_id, false).await?;
            let made = client
                .create_group_push(
                    app_id,
                    source_group_id,
                    GroupPushTarget::Id(target_group_id),
                    status,
                )
                .await?;
            how = written(&made);
            push_shows(&made.value, status, Some(target_group_id))
                .map_err(WriteError::PushNotShown)?;
        }
        Op::DeletePush {
            app_id,
            mapping_id,
            delete_target_group,
            ..
        } => remove_push(client, app_id, mapping_id, *delete_target_group).await?,
        _ => {}
    }
    Ok(how)
}

/// Deactivates a push mapping, then deletes it (Okta deletes only inactive ones); one already
/// gone counts as removed.
async fn remove_push(
    client: &Client,
    app: &AppId,
    mapping: &str,
    delete_target: bool,
) -> Result<(), Error> {
    match client.set_group_push_status(app, mapping, "INACTIVE").await {
        Err(e) if e.api().is_some_and(ApiError::is_not_found) => return Ok(()),
        other => other?,
    };
    ignore_not_found(client.delete_group_push(app, mapping, delete_target).await)
}

/// Okta's answer to a push write shows what was asked, or the write did not take.
fn push_shows(
    answer: &GroupPushMapping,
    status: &str,
    target: Option<&GroupId>,
) -> Result<(), String> {
    let target_ok = target.is_none_or(|t| answer.target_group_id.as_ref() == Some(t));
    if answer.status == status && target_ok {
        return Ok(());
    }
    Err(format!(
        "group push mapping {}: Okta answered status {} and target group {}, not {status}{}",
        answer.id,
        answer.status,
        answer
            .target_group_id
            .as_ref()
            .map_or("(none)".to_string(), ToString::to_string),
        target.map_or(String::new(), |t| format!(" and {t}")),
    ))
}

/// A removal that finds nothing to remove has its effect already (e.g. after a retry).
fn ignore_not_found(result: Result<(), Error>) -> Result<(), Error> {
    match result {
        Err(e) if e.api().is_some_and(ApiError::is_not_found) => Ok(()),
        other => other,
    }
}
