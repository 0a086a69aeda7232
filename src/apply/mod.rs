//! `apply`: a plan's changes → API writes, in dependency order, each verified.
//!
//! Order: Okta user schema → each app (in parallel: its schema, its mappings, its toggles, its
//! assignments, then its removals in reverse: unassignments, attribute deletions) → Okta user
//! attribute deletions. Each schema gets one POST for all its changed properties (plus one for
//! deletions) and a bounded read-back until Okta shows the change; a re-added name inside Okta's
//! "deletion … incomplete" window is retried with backoff. Never two writes at once to one schema
//! or mapping. On failure an app stops, the others go on, and the report says what was applied
//! and what was not; a re-run converges. Manual changes are never performed, only listed.

pub mod guard;

use std::time::Duration;

use futures_util::future::join_all;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::ids::AppId;
use crate::okta::types::{Schema, SchemaProperty};
use crate::okta::{Client, Error};
use crate::plan::attribute::{Profile, Shape};
use crate::plan::{Change, Op, Plan, Subject};

/// What happened to one change.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Outcome {
    Applied,
    /// Not attempted: an earlier change of the same app failed.
    Skipped,
    /// Okta's API cannot make it; it stays on the manual checklist.
    Manual,
    Failed {
        error: String,
    },
}

/// The result of an apply, change by change, in plan order.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub results: Vec<(Change, Outcome)>,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.results
            .iter()
            .any(|(_, o)| matches!(o, Outcome::Failed { .. }))
    }
    pub fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|(_, o)| f(o)).count()
    }
}

/// Tuning for the read-back and the deletion window.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Read-backs until Okta shows a schema change.
    pub read_back_attempts: u32,
    /// Tries of a POST refused because a deletion of the same name is still incomplete.
    pub deletion_window_attempts: u32,
    /// First wait of both; doubled each time.
    pub backoff: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            read_back_attempts: 5,
            deletion_window_attempts: 6,
            backoff: Duration::from_millis(500),
        }
    }
}

/// One unit of work: changes that go in one request (or one at a time for assignments).
struct Step<'a> {
    changes: Vec<&'a Change>,
}

/// Applies every change of `plan`. Safety rules are checked before (see [`crate::apply::guard`]).
pub async fn apply(client: &Client, plan: &Plan, options: &ApplyOptions) -> Report {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; plan.changes.len()];
    let index = |c: &Change| {
        plan.changes
            .iter()
            .position(|x| std::ptr::eq(x, c))
            .unwrap_or(0)
    };
    for (i, change) in plan.changes.iter().enumerate() {
        if matches!(change.op, Op::Manual { .. }) {
            outcomes[i] = Some(Outcome::Manual);
        }
    }
    let is_delete = |c: &Change| matches!(c.op, Op::DeleteAttribute { .. });
    let okta_user: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| matches!(c.subject, Subject::OktaUserAttribute { .. }))
        .collect();
    // 1. Okta user schema: additions and changes.
    let first: Vec<&Change> = okta_user
        .iter()
        .copied()
        .filter(|c| !is_delete(c))
        .collect();
    let user_schema_ok =
        run_steps(client, options, schema_steps(&first), &mut outcomes, index).await;
    // 2. Apps, in parallel; each app in order.
    let apps: IndexMap<&str, Vec<&Change>> =
        plan.changes.iter().fold(IndexMap::new(), |mut m, c| {
            if let Some(app) = c.subject.app() {
                m.entry(app).or_insert_with(Vec::new).push(c);
            }
            m
        });
    let app_runs = apps.values().map(|changes| async {
        let mut local: Vec<Option<Outcome>> = vec![None; plan.changes.len()];
        if user_schema_ok {
            run_steps(client, options, app_steps(changes), &mut local, index).await;
        }
        local
    });
    for local in join_all(app_runs).await {
        for (i, o) in local.into_iter().enumerate() {
            if o.is_some() {
                outcomes[i] = o;
            }
        }
    }
    // 3. Okta user attribute deletions, last: no app mapping may still read them.
    let last: Vec<&Change> = okta_user.iter().copied().filter(|c| is_delete(c)).collect();
    let apps_ok = !outcomes
        .iter()
        .any(|o| matches!(o, Some(Outcome::Failed { .. })));
    if user_schema_ok && apps_ok {
        run_steps(client, options, schema_steps(&last), &mut outcomes, index).await;
    }
    Report {
        results: plan
            .changes
            .iter()
            .cloned()
            .zip(outcomes.into_iter().map(|o| o.unwrap_or(Outcome::Skipped)))
            .collect(),
    }
}

/// Attribute changes of one schema: replacements' deletions first, then one POST for the rest.
fn schema_steps<'a>(changes: &[&'a Change]) -> Vec<Step<'a>> {
    let replaces: Vec<&Change> = changes
        .iter()
        .copied()
        .filter(|c| matches!(c.op, Op::ReplaceAttribute { .. }))
        .collect();
    let mut steps = Vec::new();
    if !replaces.is_empty() {
        // The delete half of each replacement; the create half goes in the main POST.
        steps.push(Step { changes: replaces });
    }
    if !changes.is_empty() {
        steps.push(Step {
            changes: changes.to_vec(),
        });
    }
    steps
}

fn app_steps<'a>(changes: &[&'a Change]) -> Vec<Step<'a>> {
    let of = |f: &dyn Fn(&Change) -> bool| -> Vec<&'a Change> {
        changes.iter().copied().filter(|c| f(c)).collect()
    };
    let attribute = |c: &Change| matches!(c.subject, Subject::AppAttribute { .. });
    let delete = |c: &Change| matches!(c.op, Op::DeleteAttribute { .. });
    let mut steps = schema_steps(&of(&|c| attribute(c) && !delete(c)));
    for direction_changes in [
        of(&|c| {
            matches!(
                c.subject,
                Subject::Mapping {
                    direction: crate::plan::Direction::ToApp,
                    ..
                }
            )
        }),
        of(&|c| {
            matches!(
                c.subject,
                Subject::Mapping {
                    direction: crate::plan::Direction::ToOkta,
                    ..
                }
            )
        }),
    ] {
        if !direction_changes.is_empty() {
            steps.push(Step {
                changes: direction_changes,
            });
        }
    }
    for c in of(&|c| matches!(c.op, Op::PutFeature { .. } | Op::SetConnection { .. })) {
        steps.push(Step { changes: vec![c] });
    }
    for c in of(&|c| {
        matches!(
            c.op,
            Op::AssignUser { .. } | Op::UpdateUser { .. } | Op::PutGroup { .. }
        )
    }) {
        steps.push(Step { changes: vec![c] });
    }
    for c in of(&|c| matches!(c.op, Op::UnassignUser { .. } | Op::UnassignGroup { .. })) {
        steps.push(Step { changes: vec![c] });
    }
    let deletes = of(&|c| attribute(c) && delete(c));
    if !deletes.is_empty() {
        steps.push(Step { changes: deletes });
    }
    steps
}

/// Runs steps in order; the first failure marks the rest skipped. True when all succeeded.
async fn run_steps(
    client: &Client,
    options: &ApplyOptions,
    steps: Vec<Step<'_>>,
    outcomes: &mut [Option<Outcome>],
    index: impl Fn(&Change) -> usize,
) -> bool {
    let mut replaced_deleted = false;
    for step in steps {
        let manual = step
            .changes
            .iter()
            .all(|c| matches!(c.op, Op::Manual { .. }));
        if manual {
            continue;
        }
        // A step made only of replacements, first in its schema, is their delete half.
        let delete_half = !replaced_deleted
            && step
                .changes
                .iter()
                .all(|c| matches!(c.op, Op::ReplaceAttribute { .. }));
        let result = if delete_half {
            replaced_deleted = true;
            delete_replaced(client, options, &step.changes).await
        } else {
            run_step(client, options, &step.changes).await
        };
        match result {
            Ok(()) => {
                if !delete_half {
                    for c in &step.changes {
                        outcomes[index(c)] = Some(Outcome::Applied);
                    }
                }
            }
            Err(e) => {
                let error = e.to_string();
                tracing::warn!(%error, "apply step failed");
                for c in &step.changes {
                    outcomes[index(c)] = Some(Outcome::Failed {
                        error: error.clone(),
                    });
                }
                return false;
            }
        }
    }
    true
}

fn schema_target(change: &Change) -> Option<(Profile, Option<&AppId>)> {
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
    profile: Profile,
    app: Option<&AppId>,
    body: Map<String, Value>,
) -> Result<Schema, Error> {
    match (profile, app) {
        (Profile::App, Some(app)) => client.update_app_schema(app, body).await,
        _ => client.update_user_schema(body).await,
    }
}

async fn get_schema(
    client: &Client,
    profile: Profile,
    app: Option<&AppId>,
) -> Result<Schema, Error> {
    match (profile, app) {
        (Profile::App, Some(app)) => client.app_schema(app).await,
        _ => client.user_schema().await,
    }
}

/// True when Okta refused because a property of the same name is still being deleted.
fn deletion_incomplete(error: &Error) -> bool {
    error.api().is_some_and(|a| a.mentions("deletion process"))
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

/// POSTs a schema body, retrying in the deletion window, then reads back until Okta shows it.
async fn write_schema(
    client: &Client,
    options: &ApplyOptions,
    profile: Profile,
    app: Option<&AppId>,
    body: Map<String, Value>,
) -> Result<(), Error> {
    let mut wait = options.backoff;
    let mut attempt = 0;
    let answer = loop {
        attempt += 1;
        match post_schema(client, profile, app, body.clone()).await {
            Err(e) if deletion_incomplete(&e) && attempt < options.deletion_window_attempts => {
                tracing::info!(
                    wait_ms = wait.as_millis() as u64,
                    "Okta is still deleting a property of this name; waiting"
                );
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            Err(e) if deletion_incomplete(&e) => {
                return Err(Error::Config(format!(
                    "Okta is still deleting a property of the same name after {attempt} tries; run apply again in a few minutes ({e})"
                )));
            }
            // The POST failed in flight: re-read to learn whether it took effect before sending
            // it again (a schema update is a partial update, so a second send is harmless).
            Err(Error::PostOutcomeUnknown { .. }) if attempt < 2 => {
                let now = get_schema(client, profile, app).await?;
                if shows(&now, &body, profile) {
                    return Ok(());
                }
            }
            other => break other?,
        }
    };
    if shows(&answer, &body, profile) {
        return Ok(());
    }
    let mut wait = options.backoff;
    for _ in 0..options.read_back_attempts {
        tokio::time::sleep(wait).await;
        wait *= 2;
        if shows(&get_schema(client, profile, app).await?, &body, profile) {
            return Ok(());
        }
    }
    Err(Error::Config(format!(
        "Okta accepted the schema change but did not show it after {} read-backs; run plan again to see where it stands",
        options.read_back_attempts
    )))
}

async fn delete_replaced(
    client: &Client,
    options: &ApplyOptions,
    changes: &[&Change],
) -> Result<(), Error> {
    let Some((profile, app)) = changes.first().and_then(|c| schema_target(c)) else {
        return Ok(());
    };
    let body: Map<String, Value> = changes
        .iter()
        .filter_map(|c| match &c.op {
            Op::ReplaceAttribute { name, .. } => Some((name.clone(), Value::Null)),
            _ => None,
        })
        .collect();
    write_schema(client, options, profile, app, body).await
}

async fn run_step(
    client: &Client,
    options: &ApplyOptions,
    changes: &[&Change],
) -> Result<(), Error> {
    let Some(first) = changes.first() else {
        return Ok(());
    };
    if let Some((profile, app)) = schema_target(first) {
        return write_schema(client, options, profile, app, schema_body(changes)).await;
    }
    match &first.op {
        Op::SetMapping { mapping_id, .. } | Op::RemoveMapping { mapping_id, .. } => {
            let mut properties = Map::new();
            for change in changes {
                match &change.op {
                    Op::SetMapping {
                        property,
                        expression,
                        push_status,
                        ..
                    } => {
                        let mut p = Map::new();
                        p.insert("expression".into(), Value::String(expression.clone()));
                        if let Some(push) = push_status {
                            p.insert("pushStatus".into(), Value::String(push.clone()));
                        }
                        properties.insert(property.clone(), Value::Object(p));
                    }
                    Op::RemoveMapping { property, .. } => {
                        properties.insert(property.clone(), Value::Null);
                    }
                    _ => {}
                }
            }
            client
                .update_mapping(mapping_id, properties)
                .await
                .map(|_| ())
        }
        Op::SetConnection {
            app_id,
            base_url,
            token,
            ..
        } => {
            let reference = crate::config::interpolate::Reference::parse(token)
                .ok()
                .flatten()
                .ok_or_else(|| Error::Config(format!("`{token}` is not a reference")))?;
            let secret = reference
                .resolve(std::path::Path::new("."))
                .map_err(|e| Error::Config(format!("the SCIM token {token}: {e}")))?;
            let secret = crate::config::interpolate::SecretString::new(secret);
            client
                .set_connection(app_id, base_url, &secret)
                .await
                .map(|_| ())
        }
        Op::PutFeature {
            app_id,
            feature,
            capabilities,
            ..
        } => client
            .put_feature(app_id, feature, capabilities)
            .await
            .map(|_| ()),
        Op::AssignUser {
            app_id,
            user_id,
            profile,
        } => client
            .assign_user(app_id, user_id, profile)
            .await
            .map(|_| ()),
        Op::UpdateUser {
            app_id,
            user_id,
            profile,
            ..
        } => client
            .update_app_user(app_id, user_id, profile)
            .await
            .map(|_| ()),
        Op::UnassignUser { app_id, user_id } => {
            ignore_not_found(client.unassign_user(app_id, user_id).await)
        }
        Op::PutGroup {
            app_id,
            group_id,
            priority,
            profile,
            ..
        } => client
            .put_app_group(app_id, group_id, *priority, profile)
            .await
            .map(|_| ()),
        Op::UnassignGroup { app_id, group_id } => {
            ignore_not_found(client.unassign_group(app_id, group_id).await)
        }
        _ => Ok(()),
    }
}

/// A removal that finds nothing to remove has its effect already (e.g. after a retry).
fn ignore_not_found(result: Result<(), Error>) -> Result<(), Error> {
    match result {
        Err(e) if e.api().is_some_and(|a| a.status == 404) => Ok(()),
        other => other,
    }
}
