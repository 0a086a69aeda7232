//! Vendor presets: what a vendor's SCIM guide has you click, as data files in `presets/` (one per
//! vendor, each a commented oktaform config with one app that validates as written).
//!
//! A preset serves twice: `oktaform init --preset NAME` writes its file as a starter config,
//! and `preset: NAME` on an app takes its settings as defaults ([`apply`]): the SCIM
//! connection, the To App and To Okta settings, the attributes, the mappings, and the Okta
//! user attributes those mappings read. What the app itself sets wins — per toggle, per
//! setting, per mapping, per attribute and for the SCIM connection as a whole. The preset's
//! `find`, `assignments` and `group_push` are examples for the starter, never defaults: they are
//! the org's. What the vendor supports (`vendor:`) is a default like the rest.
//! What was filled in is recorded in [`Config::from_presets`] for `validate` to show.

use std::path::PathBuf;

use super::diagnostic::{Code, Diagnostic};
use super::load::{Sources, parse};
use super::located::Loc;
use super::model::{App, Attribute, Config, ScimAction};

/// One vendor preset.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    pub name: &'static str,
    /// The file, as `init` writes it.
    pub text: &'static str,
}

/// Every preset, from `presets/*.yaml` (a test checks that none is missing here).
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "luciq",
        text: include_str!("../../presets/luciq.yaml"),
    },
    Preset {
        name: "luciq-advanced",
        text: include_str!("../../presets/luciq-advanced.yaml"),
    },
    Preset {
        name: "lightrun",
        text: include_str!("../../presets/lightrun.yaml"),
    },
    Preset {
        name: "accessiq",
        text: include_str!("../../presets/accessiq.yaml"),
    },
];

impl Preset {
    /// The preset called `name`.
    pub fn find(name: &str) -> Option<Preset> {
        PRESETS.iter().copied().find(|p| p.name == name)
    }

    /// The one-line description in the file's first line, `# oktaform preset NAME: …`.
    pub fn description(&self) -> &'static str {
        self.text
            .lines()
            .next()
            .and_then(|line| line.split_once(": "))
            .map_or("", |(_, text)| text.trim())
    }

    /// The path diagnostics and the config digest name the preset by.
    pub fn source_path(&self) -> PathBuf {
        PathBuf::from(format!("<preset {}>", self.name))
    }
}

/// True for a source that is a preset, not a file the user gave.
pub fn is_preset_source(path: &std::path::Path) -> bool {
    path.to_str()
        .is_some_and(|p| p.starts_with("<preset ") && p.ends_with('>'))
}

/// What a preset filled in for one app, in words for `validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromPreset {
    pub app: String,
    pub preset: String,
    /// One line per default taken, e.g. `SCIM unique identifier: email`.
    pub defaults: Vec<String>,
}

/// Fills in the defaults of every app's `preset:`. Unknown preset names are errors.
pub fn apply(config: &mut Config, sources: &mut Sources) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let mut loaded: Vec<(String, Config)> = Vec::new();
    let mut from_presets = Vec::new();
    let mut okta_user_defaults: Vec<(Loc<String>, Attribute, String)> = Vec::new();
    for (name, app) in config.apps.iter_mut() {
        let Some(wanted) = app.preset.clone() else {
            continue;
        };
        let Some(preset) = Preset::find(&wanted.value) else {
            errors.push(unknown(&wanted));
            continue;
        };
        if !loaded.iter().any(|(n, _)| n == preset.name) {
            let id = sources.add(preset.source_path(), preset.text.to_string());
            match parse(id, preset.text) {
                Ok(parsed) => loaded.push((preset.name.to_string(), parsed)),
                Err(diagnostic) => {
                    errors.push(*diagnostic);
                    continue;
                }
            }
        }
        let Some((_, parsed)) = loaded.iter_mut().find(|(n, _)| n == preset.name) else {
            continue;
        };
        let Some((_, defaults)) = parsed.apps.shift_remove_index(0) else {
            continue;
        };
        let mut taken = Vec::new();
        merge_app(app, defaults, &mut taken);
        if let Some(okta_user) = parsed.okta_user.take() {
            for (attribute, value) in okta_user.value.attributes {
                okta_user_defaults.push((attribute, value, preset.name.to_string()));
            }
        }
        from_presets.push(FromPreset {
            app: name.value.clone(),
            preset: preset.name.to_string(),
            defaults: taken,
        });
    }
    for (attribute, value, preset) in okta_user_defaults {
        let okta_user = config
            .okta_user
            .get_or_insert_with(|| Loc::new(super::model::OktaUser::default(), attribute.at));
        if okta_user
            .value
            .attributes
            .contains_key(attribute.value.as_str())
        {
            continue;
        }
        let line = format!(
            "Okta user attribute {}",
            describe_attribute(&attribute, &value)
        );
        for entry in from_presets.iter_mut().filter(|f| f.preset == preset) {
            entry.defaults.push(line.clone());
        }
        okta_user.value.attributes.insert(attribute, value);
    }
    config.from_presets = from_presets;
    errors
}

fn unknown(wanted: &Loc<String>) -> Diagnostic {
    let names: Vec<String> = PRESETS.iter().map(|p| format!("`{}`", p.name)).collect();
    let best = PRESETS
        .iter()
        .map(|p| (strsim::jaro_winkler(&wanted.value, p.name), p.name))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let diagnostic = Diagnostic::error(
        Code::UnknownValue,
        wanted.at,
        format!("unknown preset `{}`", wanted.value),
    );
    let diagnostic = match best {
        Some((_, name)) => diagnostic.label(format!("did you mean `{name}`?")),
        None => diagnostic.label("no such preset"),
    };
    diagnostic.help(format!(
        "presets: {} (`oktaform init --list`)",
        names.join(", ")
    ))
}

/// Takes from `defaults` what `app` does not set, saying each in `taken`.
fn merge_app(app: &mut App, defaults: App, taken: &mut Vec<String>) {
    if app.vendor.is_none()
        && let Some(vendor) = defaults.vendor
    {
        if let Some(groups) = &vendor.value.supports_groups {
            taken.push(format!(
                "vendor: {}",
                if groups.value {
                    "supports groups"
                } else {
                    "supports no groups"
                }
            ));
        }
        app.vendor = Some(vendor);
    }
    if let Some(from) = defaults.provisioning {
        let into = app.provisioning.get_or_insert_with(Default::default);
        if into.scim.is_none()
            && let Some(scim) = from.scim
        {
            let s = &scim.value;
            taken.push(format!(
                "SCIM unique identifier: {}",
                s.unique_identifier.value
            ));
            if !s.actions.is_empty() {
                let actions: Vec<&str> = s
                    .actions
                    .iter()
                    .map(|a| ScimAction::console_label(a.value))
                    .collect();
                taken.push(format!("SCIM supported actions: {}", actions.join(", ")));
            }
            taken.push(format!(
                "SCIM authentication: {}",
                s.auth.value.mode.value.console_label()
            ));
            into.scim = Some(scim);
        }
        if let Some(to_app) = from.to_app {
            match &mut into.to_app {
                None => {
                    let labels: Vec<&str> = to_app
                        .value
                        .toggles()
                        .iter()
                        .map(|(t, on)| if on.value { t.console_label() } else { "" })
                        .filter(|l| !l.is_empty())
                        .collect();
                    taken.push(format!("To App: {} on", labels.join(", ")));
                    into.to_app = Some(to_app);
                }
                Some(mine) => {
                    let mine = &mut mine.value;
                    let from = to_app.value;
                    let mut names = Vec::new();
                    for (slot, default, label) in [
                        (&mut mine.create_users, from.create_users, "Create Users"),
                        (
                            &mut mine.update_user_attributes,
                            from.update_user_attributes,
                            "Update User Attributes",
                        ),
                        (
                            &mut mine.deactivate_users,
                            from.deactivate_users,
                            "Deactivate Users",
                        ),
                    ] {
                        if slot.is_none()
                            && let Some(default) = default
                        {
                            names.push(format!(
                                "{label} {}",
                                if default.value { "on" } else { "off" }
                            ));
                            *slot = Some(default);
                        }
                    }
                    if mine.sync_password.is_none() && from.sync_password.is_some() {
                        names.push("Sync Password".into());
                        mine.sync_password = from.sync_password;
                    }
                    if !names.is_empty() {
                        taken.push(format!("To App: {}", names.join(", ")));
                    }
                }
            }
        }
        if let Some(to_okta) = from.to_okta
            && into.to_okta.is_none()
        {
            taken.push("To Okta import settings".into());
            into.to_okta = Some(to_okta);
        }
    }
    for (name, attribute) in defaults.attributes {
        if app.attributes.contains_key(name.value.as_str()) {
            continue;
        }
        taken.push(format!(
            "attribute {}",
            describe_attribute(&name, &attribute)
        ));
        app.attributes.insert(name, attribute);
    }
    for (direction, mine, from) in [
        (
            "Okta User → app",
            &mut app.mappings.to_app,
            defaults.mappings.to_app,
        ),
        (
            "app → Okta User",
            &mut app.mappings.to_okta,
            defaults.mappings.to_okta,
        ),
    ] {
        for (target, mapping) in from {
            if mine.contains_key(target.value.as_str()) {
                continue;
            }
            taken.push(format!(
                "mapping {direction}: {} ← {}",
                target.value, mapping.value.expression
            ));
            mine.insert(target, mapping);
        }
    }
}

/// `instabugRole (string, namespace urn:…, enum adminstrator, member, viewer)`.
fn describe_attribute(name: &Loc<String>, attribute: &Attribute) -> String {
    let mut parts = vec![attribute.kind.value.label().to_string()];
    if let Some(external) = &attribute.external_name {
        parts.push(format!("external name {}", external.value));
    }
    if let Some(namespace) = &attribute.external_namespace {
        parts.push(format!("namespace {}", namespace.value));
    }
    if let Some(choices) = &attribute.choices {
        let values: Vec<&str> = choices
            .value
            .0
            .iter()
            .map(|c| c.value.value.as_str())
            .collect();
        parts.push(format!("enum {}", values.join(", ")));
    }
    format!("{} ({})", name.value, parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::located::FileId;
    use crate::config::validate::References;

    #[test]
    fn every_file_in_presets_is_listed_and_describes_itself() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("presets");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let mut listed: Vec<String> = PRESETS.iter().map(|p| p.name.to_string()).collect();
        listed.sort();
        assert_eq!(files, listed);
        for preset in PRESETS {
            assert!(
                preset
                    .text
                    .starts_with(&format!("# oktaform preset {}: ", preset.name)),
                "{}: first line names the preset",
                preset.name
            );
            assert!(preset.description().len() > 20, "{}", preset.name);
        }
    }

    fn load(text: &str) -> (Config, Sources, Vec<Diagnostic>) {
        let mut sources = Sources::default();
        let id = sources.add("oktaform.yaml".into(), text.into());
        assert_eq!(id, FileId(0));
        let mut config = parse(id, text).unwrap();
        let errors = apply(&mut config, &mut sources);
        (config, sources, errors)
    }

    #[test]
    fn a_preset_fills_in_what_the_app_leaves_out_and_the_app_wins() {
        let (config, sources, errors) = load(
            "apps:\n  luciq:\n    preset: luciq-advanced\n    find: { id: 0oa1 }\n    provisioning:\n      to_app: { deactivate_users: false }\n    attributes:\n      instabugRole: { title: Role, type: string, enum: [admin, member] }\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let app = &config.apps["luciq"];
        let to_app = &app
            .provisioning
            .as_ref()
            .unwrap()
            .to_app
            .as_ref()
            .unwrap()
            .value;
        assert!(!to_app.deactivate_users.as_ref().unwrap().value);
        assert!(to_app.create_users.as_ref().unwrap().value);
        assert_eq!(app.attributes["instabugRole"].title.value, "Role");
        assert!(app.attributes.contains_key("instabugApplications"));
        assert_eq!(
            app.mappings.to_app["instabugApplications"].value.expression,
            "user.instabugApplications"
        );
        let scim = &app
            .provisioning
            .as_ref()
            .unwrap()
            .scim
            .as_ref()
            .unwrap()
            .value;
        assert_eq!(scim.unique_identifier.value, "email");
        // Positions of defaults point into the preset, which is a source.
        assert_eq!(
            sources.get(scim.unique_identifier.at.file).unwrap().path,
            PathBuf::from("<preset luciq-advanced>")
        );
        assert!(
            config
                .okta_user
                .as_ref()
                .unwrap()
                .value
                .attributes
                .contains_key("instabugApplications")
        );
        let from = &config.from_presets[0];
        assert_eq!(
            (from.app.as_str(), from.preset.as_str()),
            ("luciq", "luciq-advanced")
        );
        assert!(
            from.defaults
                .contains(&"SCIM unique identifier: email".to_string())
        );
        assert!(
            from.defaults
                .contains(&"To App: Create Users on, Update User Attributes on".to_string()),
            "{:?}",
            from.defaults
        );
        assert!(
            !from
                .defaults
                .iter()
                .any(|d| d.starts_with("attribute instabugRole")),
            "the app's own attribute wins"
        );
        assert!(
            crate::config::validate(&config, References::Syntax)
                .iter()
                .all(|d| !d.is_error())
        );
    }

    #[test]
    fn an_unknown_preset_is_an_error_with_a_suggestion() {
        let (_, _, errors) =
            load("apps:\n  x:\n    preset: luciq-advancd\n    find: { id: 0oa1 }\n");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "unknown preset `luciq-advancd`");
        assert_eq!(errors[0].at.unwrap().line, 3);
        assert!(format!("{:?}", errors[0]).contains("did you mean `luciq-advanced`?"));
    }
}
