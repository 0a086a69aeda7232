//! A config → the [`Scope`] of the read it needs: its apps (found as `find:` says, keyed by
//! their config name), the collections each one manages, the Okta user schema when Okta user
//! attributes are declared, and every login and group name it assigns.

use std::collections::HashSet;

use crate::config::model::{App, Config, Find, Ownership};
use crate::okta::{AppScope, AppSelector, Apps, Parts, ProfileKeys, Scope};
use crate::plan::change::{Change, Op};

/// What a plan of `config` must read.
pub fn scope(config: &Config) -> Scope {
    // Logins compare without case (as Okta's do), group names exactly; first spelling kept.
    let mut logins: Vec<String> = Vec::new();
    let mut seen_logins: HashSet<String> = HashSet::new();
    let mut group_names: Vec<String> = Vec::new();
    let mut seen_groups: HashSet<String> = HashSet::new();
    let mut add_group = |name: &String, names: &mut Vec<String>| {
        if seen_groups.insert(name.clone()) {
            names.push(name.clone());
        }
    };
    for assignments in config.apps.values().filter_map(|a| a.assignments.as_ref()) {
        for login in assignments.value.users.keys() {
            if seen_logins.insert(login.value.to_ascii_lowercase()) {
                logins.push(login.value.clone());
            }
        }
        for group in assignments.value.groups.keys() {
            add_group(&group.value, &mut group_names);
        }
    }
    for push in config.apps.values().filter_map(|a| a.group_push.as_ref()) {
        for group in push.value.groups.keys() {
            add_group(&group.value, &mut group_names);
        }
    }
    Scope {
        user_schema: config.okta_user.is_some(),
        apps: Apps::Selected(
            config
                .apps
                .iter()
                .map(|(name, app)| AppScope {
                    key: name.value.clone(),
                    select: selector(&app.find.value),
                    parts: parts(app),
                    profile: profile_keys(app),
                })
                .collect(),
        ),
        logins,
        group_names,
    }
}

fn selector(find: &Find) -> AppSelector {
    match find {
        Find::Id(id) => AppSelector::Id(id.clone()),
        Find::Label(label) => AppSelector::Label(label.clone()),
        Find::Name(name) => AppSelector::Name(name.clone()),
    }
}

/// After a first diff: what more the plan must read, if anything. A re-created attribute must
/// first be lifted off every mapping that reads or writes it (Okta refuses to delete a mapped
/// property, finding B5), so a plan that re-creates one needs both mappings of every app,
/// including the directions its config says nothing of and the first read skipped. That is
/// rare (a type change) and costs one more read of those apps; every other plan reads one
/// mapping body fewer per app that declares only one direction.
pub fn more_to_read(scope: &Scope, changes: &[Change]) -> Option<Scope> {
    if !changes
        .iter()
        .any(|c| matches!(c.op, Op::ReplaceAttribute { .. }))
    {
        return None;
    }
    let Apps::Selected(apps) = &scope.apps else {
        return None;
    };
    let unread: Vec<AppScope> = apps
        .iter()
        .filter(|a| !(a.parts.to_app && a.parts.to_okta))
        .map(|a| AppScope {
            key: a.key.clone(),
            select: a.select.clone(),
            parts: Parts {
                to_app: true,
                to_okta: true,
                ..Parts::default()
            },
            profile: ProfileKeys::Only(Default::default()),
        })
        .collect();
    (!unread.is_empty()).then(|| Scope {
        user_schema: false,
        apps: Apps::Selected(unread),
        logins: Vec::new(),
        group_names: Vec::new(),
    })
}

/// The app profile attributes the config sets for some user: the only ones the plan compares.
fn profile_keys(app: &App) -> ProfileKeys {
    ProfileKeys::Only(
        app.assignments
            .iter()
            .flat_map(|a| a.value.users.values().flatten())
            .flat_map(|profile| profile.keys().map(|k| k.value.clone()))
            .collect(),
    )
}

/// The collections an app's config manages.
fn parts(app: &App) -> Parts {
    let exclusive_mappings = app
        .manage
        .as_ref()
        .is_some_and(|m| m.value.mappings == Ownership::Exclusive);
    let exclusive_assignments = app.manage.as_ref().is_some_and(|m| {
        m.value.users == Ownership::Exclusive || m.value.groups == Ownership::Exclusive
    });
    // A direction the config says nothing of is read only to lift a mapping off an attribute
    // the plan re-creates: [`more_to_read`] asks for it then.
    Parts {
        to_app: !app.mappings.to_app.is_empty() || exclusive_mappings,
        to_okta: !app.mappings.to_okta.is_empty() || exclusive_mappings,
        connection: app.provisioning.as_ref().is_some_and(|p| p.scim.is_some()),
        assignments: app.assignments.is_some(),
        // Only an owner of its assignments unassigns, and only then does it matter who a group
        // grants the app (findings B7, D3).
        memberships: app.assignments.is_some() && exclusive_assignments,
        group_push: app.group_push.is_some()
            || app
                .manage
                .as_ref()
                .is_some_and(|m| m.value.group_push == Ownership::Exclusive),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::testing::{LUCIQ, config};

    #[test]
    fn the_luciq_example_reads_its_app_with_the_parts_it_declares_and_its_logins_once() {
        let scope = scope(&config(LUCIQ));
        assert!(scope.user_schema);
        let Apps::Selected(apps) = &scope.apps else {
            panic!("{scope:?}")
        };
        assert_eq!(apps.len(), 1);
        assert_eq!(apps[0].key, "luciq");
        assert_eq!(apps[0].select, AppSelector::Label("Luciq".into()));
        assert_eq!(
            apps[0].parts,
            Parts {
                to_okta: false,
                group_push: false,
                ..Parts::ALL
            }
        );
        assert_eq!(
            apps[0].profile,
            ProfileKeys::Only(["instabugRole".to_string()].into()),
            "only the profile attributes the config sets are read"
        );
        assert_eq!(scope.logins, ["alice@example.com", "bob@example.com"]);
        assert_eq!(scope.group_names, ["Engineering"]);
    }
}
