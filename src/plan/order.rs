//! The plan's one order, used both to list changes and to apply them: the Okta user schema's
//! additions and changes first (app mappings may read them), then each app — in the config's
//! order when listed, in parallel when applied — through its [`Stage`]s, then the Okta user
//! attribute deletions last (no mapping may still read them).

use indexmap::IndexSet;
use serde::Serialize;

use super::change::{Change, Direction, Op, Subject};

/// When a change is applied, relative to the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Mapped properties that read or write an attribute about to be re-created: removed
    /// before any schema write (one mapping write each), set again in the mapping stages.
    Unmap,
    /// Okta user attributes added, changed or replaced: one schema write.
    OktaUserSchema,
    /// An app's attributes added, changed or replaced: one schema write.
    AppSchema,
    /// Okta user → app mapped properties: one mapping write.
    MappingsToApp,
    /// App → Okta user mapped properties: one mapping write.
    MappingsToOkta,
    /// Toggles and the connection, and the console steps: one write each.
    Provisioning,
    /// Users and groups assigned or updated, then groups pushed: one write each.
    Assignments,
    /// Users and groups unassigned and pushes removed: one write each, after the assignments.
    Unassignments,
    /// An app's attributes deleted: one schema write, after nothing reads them any more.
    AppAttributeDeletions,
    /// Okta user attributes deleted: one schema write, after every app.
    OktaUserAttributeDeletions,
}

impl Stage {
    /// Whether the stage's changes go to Okta together (one request) rather than one by one.
    pub fn batched(self) -> bool {
        !matches!(
            self,
            Stage::Provisioning | Stage::Assignments | Stage::Unassignments
        )
    }

    /// Whether the stage runs within its app's sequence (else before or after every app).
    pub fn per_app(self) -> bool {
        !matches!(
            self,
            Stage::Unmap | Stage::OktaUserSchema | Stage::OktaUserAttributeDeletions
        )
    }

    /// Before every app (0), within them (1), after them (2).
    pub fn phase(self) -> u8 {
        match self {
            Stage::Unmap | Stage::OktaUserSchema => 0,
            Stage::OktaUserAttributeDeletions => 2,
            _ => 1,
        }
    }
}

impl Change {
    pub fn stage(&self) -> Stage {
        let delete = matches!(self.op, Op::DeleteAttribute { .. });
        if let Op::RemoveMapping {
            for_replace: true, ..
        } = self.op
        {
            return Stage::Unmap;
        }
        match (&self.subject, &self.op) {
            (Subject::OktaUserAttribute { .. }, _) if delete => Stage::OktaUserAttributeDeletions,
            (Subject::OktaUserAttribute { .. }, _) => Stage::OktaUserSchema,
            (Subject::AppAttribute { .. }, _) if delete => Stage::AppAttributeDeletions,
            (Subject::AppAttribute { .. }, _) => Stage::AppSchema,
            (
                Subject::Mapping {
                    direction: Direction::ToApp,
                    ..
                },
                _,
            ) => Stage::MappingsToApp,
            (
                Subject::Mapping {
                    direction: Direction::ToOkta,
                    ..
                },
                _,
            ) => Stage::MappingsToOkta,
            (Subject::ToApp { .. } | Subject::ToOkta { .. } | Subject::Scim { .. }, _) => {
                Stage::Provisioning
            }
            (_, Op::UnassignUser { .. } | Op::UnassignGroup { .. } | Op::DeletePush { .. }) => {
                Stage::Unassignments
            }
            // Pushes after the group assignments: Okta pushes only members assigned the app.
            (
                Subject::UserAssignment { .. }
                | Subject::GroupAssignment { .. }
                | Subject::GroupPush { .. },
                _,
            ) => Stage::Assignments,
        }
    }
}

/// Sorts changes into the plan's order; apps keep the order in which they first appear, and
/// changes of one stage keep theirs.
pub fn sort(changes: &mut [Change]) {
    let apps: IndexSet<String> = changes
        .iter()
        .filter_map(|c| c.subject.app().map(str::to_string))
        .collect();
    changes.sort_by_cached_key(|c| {
        let stage = c.stage();
        let app = c.subject.app().and_then(|a| apps.get_index_of(a));
        // Within the apps' phase, each app together; before and after it, by stage.
        let grouped = if stage.per_app() { app } else { None };
        (stage.phase(), grouped, stage, app)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AppId, UserId};
    use crate::plan::attribute::Profile;
    use crate::plan::change::Risk;
    use serde_json::Map;

    fn delete(subject: Subject) -> Change {
        let profile = match subject {
            Subject::OktaUserAttribute { .. } => Profile::OktaUser,
            _ => Profile::App,
        };
        Change::new(
            subject,
            Op::DeleteAttribute {
                profile,
                app_id: None,
                name: "x".into(),
            },
            Risk::DataLoss,
        )
    }

    fn assign(app: &str) -> Change {
        Change::new(
            Subject::UserAssignment {
                app: app.into(),
                login: "a@example.com".into(),
            },
            Op::AssignUser {
                app_id: AppId::from("0oa1"),
                user_id: UserId::from("00u1"),
                profile: Map::new(),
            },
            Risk::Safe,
        )
    }

    #[test]
    fn apps_stay_together_and_okta_user_deletions_come_last() {
        let mut changes = vec![
            delete(Subject::OktaUserAttribute { name: "x".into() }),
            assign("b"),
            delete(Subject::AppAttribute {
                app: "a".into(),
                name: "x".into(),
            }),
            assign("a"),
        ];
        sort(&mut changes);
        let order: Vec<(Option<&str>, Stage)> = changes
            .iter()
            .map(|c| (c.subject.app(), c.stage()))
            .collect();
        assert_eq!(
            order,
            [
                (Some("b"), Stage::Assignments),
                (Some("a"), Stage::Assignments),
                (Some("a"), Stage::AppAttributeDeletions),
                (None, Stage::OktaUserAttributeDeletions),
            ]
        );
    }
}
