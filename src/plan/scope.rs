//! A config → the [`Scope`] of the read it needs: its apps (found as `find:` says, keyed by
//! their config name), the collections each one manages, the Okta user schema when Okta user
//! attributes are declared, and every login and group name it assigns.

use std::collections::HashSet;

use crate::config::model::{App, Config, Find, Ownership};
use crate::okta::{AppScope, AppSelector, Apps, Parts, ProfileKeys, Scope};

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
    Parts {
        mappings: !app.mappings.to_app.is_empty()
            || !app.mappings.to_okta.is_empty()
            || exclusive_mappings,
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
    fn the_luciq_example_reads_its_app_with_every_part_and_its_logins_once() {
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
