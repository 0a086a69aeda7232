//! Who made the drift: System Log events matched to findings by the objects they name (the
//! app, the mapping, the Okta user type; and the user or group of an assignment) and by the
//! kind of change their event type records. One query for the whole report, paged, within
//! the client's rate-limit share: only admin-change event families, only the findings' objects.

use serde::Serialize;

use super::Finding;
use crate::facts::system_log::{Changed, from_browser};
use crate::ids::AppId;
use crate::okta::types::LogEvent;
use crate::okta::{Client, Error, Snapshot};
use crate::plan::{Change, Op, Subject};

/// What the System Log names a finding's object by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    /// The object an event must name: the app, the mapping, or the Okta user type.
    pub anchor: Option<String>,
    /// And, for an assignment, the user or group it must also name.
    pub object: Option<String>,
    pub changed: Option<Changed>,
}

/// The targets of one change.
pub fn targets(change: &Change, app_id: Option<&AppId>, live: &Snapshot) -> Targets {
    let app = app_id.map(|a| a.0.clone());
    let (anchor, object, changed) = match (&change.subject, &change.op) {
        (Subject::OktaUserAttribute { .. }, _) => (
            live.user_type.as_ref().map(|t| t.id.0.clone()),
            None,
            Changed::Schema,
        ),
        (Subject::AppAttribute { .. }, _) => (app, None, Changed::Schema),
        (
            Subject::Mapping { .. },
            Op::SetMapping { mapping_id, .. } | Op::RemoveMapping { mapping_id, .. },
        ) => (Some(mapping_id.0.clone()), None, Changed::Mapping),
        (Subject::Mapping { .. }, _) => (None, None, Changed::Mapping),
        (Subject::ToApp { .. } | Subject::ToOkta { .. } | Subject::Scim { .. }, _) => {
            (app, None, Changed::Provisioning)
        }
        (Subject::UserAssignment { .. }, op) => {
            let user = match op {
                Op::AssignUser { user_id, .. }
                | Op::ConvertUser { user_id, .. }
                | Op::UpdateUser { user_id, .. }
                | Op::UnassignUser { user_id, .. } => Some(user_id.0.clone()),
                _ => None,
            };
            (app, user, Changed::UserAssignment)
        }
        (Subject::GroupAssignment { .. }, op) => {
            let group = match op {
                Op::PutGroup { group_id, .. } | Op::UnassignGroup { group_id, .. } => {
                    Some(group_id.0.clone())
                }
                _ => None,
            };
            (app, group, Changed::GroupAssignment)
        }
        // Okta's push events (`group.application_assignment.push`, …) name the app.
        (Subject::GroupPush { .. }, _) => (app, None, Changed::GroupAssignment),
    };
    Targets {
        anchor,
        object,
        changed: Some(changed),
    }
}

/// How the change was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    AdminConsole,
    Api,
}

impl Via {
    pub fn label(self) -> &'static str {
        match self {
            Via::AdminConsole => "Admin Console",
            Via::Api => "API",
        }
    }
}

/// One System Log event, as a drift report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribution {
    /// The actor's login (or client id), else its id.
    pub actor: String,
    pub actor_type: String,
    /// When (RFC 3339, as Okta published it).
    pub published: String,
    pub event_type: String,
    pub via: Via,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Attribution {
    fn of(event: &LogEvent) -> Attribution {
        let actor = event.actor.as_ref();
        let user_agent = event
            .client
            .as_ref()
            .and_then(|c| c.user_agent.as_ref())
            .and_then(|u| u.raw_user_agent.clone());
        Attribution {
            actor: actor
                .and_then(|a| a.alternate_id.clone().or_else(|| Some(a.id.clone())))
                .unwrap_or_else(|| "(unknown)".into()),
            actor_type: actor.map(|a| a.kind.clone()).unwrap_or_default(),
            published: event.published.clone(),
            event_type: event.event_type.clone(),
            via: match user_agent.as_deref().is_some_and(from_browser) {
                true => Via::AdminConsole,
                false => Via::Api,
            },
            ip_address: event.client.as_ref().and_then(|c| c.ip_address.clone()),
            user_agent,
            message: event.display_message.clone(),
        }
    }
}

fn names(event: &LogEvent, id: &str) -> bool {
    event.target.iter().any(|t| t.id == id)
}

/// Gives each finding the events that touched its object with its kind of change.
pub fn attribute(findings: &mut [Finding], events: &[LogEvent]) {
    for finding in findings {
        let t = &finding.targets;
        let (Some(anchor), Some(changed)) = (&t.anchor, t.changed) else {
            continue;
        };
        finding.events = events
            .iter()
            .filter(|e| changed.matches(&e.event_type) && names(e, anchor))
            .filter(|e| t.object.as_deref().is_none_or(|o| names(e, o)))
            .map(Attribution::of)
            .collect();
    }
}

/// Reads the events from `since` to `until` for every finding's object, in one (paged) query.
pub async fn read(
    client: &Client,
    (since, until): (&str, &str),
    findings: &[&Finding],
) -> Result<Vec<LogEvent>, Error> {
    let mut anchors: Vec<String> = findings
        .iter()
        .filter_map(|f| f.targets.anchor.clone())
        .collect();
    anchors.sort_unstable();
    anchors.dedup();
    client
        .logs(since, until, &Changed::all_event_types(), &anchors)
        .await
}
