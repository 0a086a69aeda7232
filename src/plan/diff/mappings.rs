//! Profile mappings in both directions: one change per target property, compared by
//! expression (white space aside) and by push status when the config sets it.

use indexmap::IndexMap;

use super::DiffError;
use crate::config::Loc;
use crate::config::expression::variables;
use crate::config::model::{App, ApplyOn, Mapping, Ownership};
use crate::facts::console;
use crate::okta::LiveApp;
use crate::okta::types::{MappingProperty, ProfileMapping, Schema};
use crate::plan::attribute::FieldChange;
use crate::plan::change::{Change, Direction, Note, Op, Risk, Subject};

/// Both mappings of an app; after a change of the Okta User → app mapping, the console step
/// that pushes it to the users already assigned (finding D5).
/// Attributes the plan re-creates: a mapped property that reads or writes one must be lifted
/// first and set again after (Okta refuses to delete a mapped property, finding B5).
#[derive(Debug, Default)]
pub(super) struct Replaced {
    pub okta_user: Vec<String>,
    pub app: Vec<String>,
}

impl Replaced {
    fn lifts(&self, direction: Direction, target: &str, expression: &str) -> bool {
        let reads = |root: &str, names: &[String]| {
            variables(expression)
                .iter()
                .any(|v| v.root == root && names.iter().any(|n| n == v.name))
        };
        match direction {
            Direction::ToApp => {
                self.app.iter().any(|n| n == target) || reads("user", &self.okta_user)
            }
            Direction::ToOkta => {
                self.okta_user.iter().any(|n| n == target) || reads("appuser", &self.app)
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn app(
    changes: &mut Vec<Change>,
    notes: &mut Vec<Note>,
    errors: &mut Vec<DiffError>,
    name: &str,
    app: &App,
    live: &LiveApp,
    ownership: Ownership,
    replaced: &Replaced,
) {
    for (direction, desired, mapping) in [
        (Direction::ToApp, &app.mappings.to_app, live.to_app.as_ref()),
        (
            Direction::ToOkta,
            &app.mappings.to_okta,
            live.to_okta.as_ref(),
        ),
    ] {
        if let Some(mapping) = mapping {
            let mapping = Live {
                app: name,
                direction,
                mapping,
            };
            lift(changes, &mapping, desired, replaced);
        }
        if desired.is_empty() && ownership == Ownership::Additive {
            continue;
        }
        match mapping {
            Some(mapping) => {
                let mapping = Live {
                    app: name,
                    direction,
                    mapping,
                };
                let before = changes.len();
                set(changes, &mapping, desired, replaced);
                if ownership == Ownership::Exclusive {
                    remove_undeclared(changes, &mapping, desired, &live.schema);
                }
                let sets = changes[before..]
                    .iter()
                    .any(|c| matches!(c.op, Op::SetMapping { .. }));
                if direction == Direction::ToApp && sets {
                    reapply(changes, notes, name, live);
                }
            }
            None if desired.is_empty() => {}
            None => errors.push(DiffError::NoMapping {
                app: name.into(),
                direction: match direction {
                    Direction::ToApp => "Okta User → app",
                    Direction::ToOkta => "app → Okta User",
                },
            }),
        }
    }
}

/// The public API changes the mapping but does not re-apply it to existing app users: their
/// profiles change only when their Okta profile does, unless someone applies it in the
/// console. A step when someone is assigned; a note when the assignments were not read.
fn reapply(changes: &mut Vec<Change>, notes: &mut Vec<Note>, name: &str, live: &LiveApp) {
    let assigned = live.users.as_ref().map(|u| !u.is_empty());
    let groups = live.groups.as_ref().map(|g| !g.is_empty());
    match (assigned, groups) {
        (Some(false), Some(false)) => {}
        (Some(true), _) | (_, Some(true)) => changes.push(reapply_step(name, live)),
        _ => notes.push(Note {
            app: name.into(),
            text: format!(
                "a mapping change reaches users already assigned only when their Okta profile changes; to update them now: {}",
                console::apply_mapping_updates(&live.app.label)
            ),
        }),
    }
}

fn reapply_step(name: &str, live: &LiveApp) -> Change {
    Change::new(
        Subject::ToApp { app: name.into() },
        Op::Manual {
            steps: vec![console::apply_mapping_updates(&live.app.label)],
            fields: vec![FieldChange {
                field: "existing users".into(),
                before: "keep the old mapped values".into(),
                after: "get the new ones".into(),
            }],
        },
        Risk::Manual,
    )
}

/// One live mapping and what the plan calls it.
struct Live<'a> {
    app: &'a str,
    direction: Direction,
    mapping: &'a ProfileMapping,
}

impl Live<'_> {
    /// Setting `property` to `expression`. The push status is always sent (finding D6:
    /// Okta's default for an omitted one is undocumented): `push`, else the live one's, else
    /// apply on create and update.
    fn set(
        &self,
        property: &str,
        expression: &str,
        push: Option<&str>,
        current: Option<&MappingProperty>,
    ) -> Change {
        let push_status = push
            .map(str::to_string)
            .or_else(|| current.and_then(|c| c.push_status.clone()))
            .unwrap_or_else(|| push_status(ApplyOn::CreateAndUpdate).into());
        Change::new(
            self.subject(property),
            Op::SetMapping {
                mapping_id: self.mapping.id.clone(),
                property: property.into(),
                expression: expression.into(),
                push_status: Some(push_status),
                before: current.map(|c| (c.expression.clone(), c.push_status.clone())),
            },
            Risk::Safe,
        )
    }

    fn subject(&self, property: &str) -> Subject {
        Subject::Mapping {
            app: self.app.into(),
            direction: self.direction,
            property: property.into(),
        }
    }
}

fn push_status(apply_on: ApplyOn) -> &'static str {
    match apply_on {
        ApplyOn::CreateAndUpdate => "PUSH",
        ApplyOn::CreateOnly => "DONT_PUSH",
    }
}

/// Properties Okta will not let a mapping lose.
fn unremovable(direction: Direction, property: &str) -> bool {
    matches!(
        (direction, property),
        (Direction::ToOkta, "login") | (Direction::ToApp, "userName")
    )
}

/// Mapped properties that use a re-created attribute: removed before any schema write; the
/// undeclared ones set again as they were (declared ones are set by [`set`]).
fn lift(
    changes: &mut Vec<Change>,
    live: &Live<'_>,
    desired: &IndexMap<Loc<String>, Loc<Mapping>>,
    replaced: &Replaced,
) {
    for (property, current) in live.mapping.properties.iter().flatten() {
        if !replaced.lifts(live.direction, property, &current.expression) {
            continue;
        }
        changes.push(Change::new(
            live.subject(property),
            Op::RemoveMapping {
                mapping_id: live.mapping.id.clone(),
                property: property.clone(),
                before: current.expression.clone(),
                for_replace: true,
            },
            Risk::Safe,
        ));
        if !desired.contains_key(property.as_str()) {
            changes.push(live.set(property, &current.expression, None, Some(current)));
        }
    }
}

fn set(
    changes: &mut Vec<Change>,
    live: &Live<'_>,
    desired: &IndexMap<Loc<String>, Loc<Mapping>>,
    replaced: &Replaced,
) {
    let properties = live.mapping.properties.as_ref();
    for (target, mapping) in desired {
        let want_push = mapping.value.apply_on.map(push_status);
        let current = properties.and_then(|p| p.get(target.as_str()));
        let same = current.is_some_and(|c| {
            same_expression(&c.expression, &mapping.value.expression)
                && want_push.is_none_or(|p| c.push_status.as_deref() == Some(p))
                && !replaced.lifts(live.direction, target, &c.expression)
        });
        if same {
            continue;
        }
        changes.push(live.set(target, &mapping.value.expression, want_push, current));
    }
}

/// Mapped properties the config does not declare, for a config that owns them. Removing one
/// that fills a required app attribute leaves new accounts without it: data-loss (D11).
fn remove_undeclared(
    changes: &mut Vec<Change>,
    live: &Live<'_>,
    desired: &IndexMap<Loc<String>, Loc<Mapping>>,
    app_schema: &Schema,
) {
    for (property, current) in live.mapping.properties.iter().flatten() {
        if !desired.contains_key(property.as_str()) && !unremovable(live.direction, property) {
            let required = live.direction == Direction::ToApp && app_schema.is_required(property);
            changes.push(Change::new(
                live.subject(property),
                Op::RemoveMapping {
                    mapping_id: live.mapping.id.clone(),
                    property: property.clone(),
                    before: current.expression.clone(),
                    for_replace: false,
                },
                if required { Risk::DataLoss } else { Risk::Safe },
            ));
        }
    }
}

/// Expressions compare without insignificant white space.
fn same_expression(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}
