//! Reading config files: paths and directories → parsed files → one merged [`Config`].
//!
//! YAML is read with serde-saphyr in its strict mode: duplicate keys are errors, only
//! `true`/`false` are booleans, `01234` stays text. Each file is parsed on its own (a mistake in
//! one does not hide mistakes in the others); then the files merge, and something declared in two
//! files is an error naming both places.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use indexmap::map::Entry;
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{DuplicateKeyPolicy, Error as YamlError};

use super::diagnostic::{Code, Diagnostic};
use super::located::{FileId, Loc, Pos, with_file};
use super::model::{Config, OktaUser};

/// One config file as read from disk.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or as found in a directory they gave).
    pub path: PathBuf,
    pub text: String,
}

/// Every file read for a config, indexed by [`FileId`].
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        self.files.push(SourceFile { path, text });
        FileId(u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX))
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// The directory `${file:…}` references in this file are relative to.
    pub fn base_dir(&self, id: FileId) -> &Path {
        self.get(id)
            .and_then(|f| f.path.parent())
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }
}

/// The files named on the command line: each path is a file, or a directory whose `*.yaml` and
/// `*.yml` files (not recursive) are read in name order.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Box<Diagnostic>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| {
                Box::new(Diagnostic::unplaced(
                    Code::FileUnreadable,
                    format!("cannot read directory `{}`: {e}", path.display()),
                ))
            })?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                })
                .collect();
            if found.is_empty() {
                return Err(Box::new(Diagnostic::unplaced(
                    Code::NoConfigFiles,
                    format!("directory `{}` has no .yaml or .yml files", path.display()),
                )));
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    if files.is_empty() {
        return Err(Box::new(
            Diagnostic::unplaced(Code::NoConfigFiles, "no config files given").help(
                "name one with `-c oktaform.yaml` (repeat -c, or name a directory, for several)",
            ),
        ));
    }
    Ok(files)
}

/// Reads and parses every file, then merges them. Errors are collected, not stopped at, so one
/// run shows every file's first problem.
pub fn load(paths: &[PathBuf]) -> (Sources, Result<Config, Vec<Diagnostic>>) {
    let mut sources = Sources::default();
    let files = match expand_paths(paths) {
        Ok(files) => files,
        Err(diagnostic) => return (sources, Err(vec![*diagnostic])),
    };
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for path in files {
        match std::fs::read(&path) {
            Ok(bytes) => {
                let text = match String::from_utf8(bytes) {
                    Ok(text) => text,
                    Err(e) => {
                        errors.push(not_utf8(&mut sources, path, e));
                        continue;
                    }
                };
                let id = sources.add(path, text);
                let text = &sources.get(id).map(|f| f.text.as_str()).unwrap_or_default();
                match parse(id, text) {
                    Ok(config) => parsed.push(config),
                    Err(diagnostic) => errors.push(*diagnostic),
                }
            }
            Err(e) => errors.push(Diagnostic::unplaced(
                Code::FileUnreadable,
                format!("cannot read `{}`: {e}", path.display()),
            )),
        }
    }
    if !errors.is_empty() {
        return (sources, Err(errors));
    }
    let result = merge(parsed).map(|mut config| {
        absolutize(&mut config, &sources);
        config
    });
    (sources, result)
}

/// Makes `${file:…}` references absolute, relative to the file that names them, so a command
/// run from another directory (or a saved plan) resolves them the same way.
fn absolutize(config: &mut Config, sources: &Sources) {
    use super::interpolate::{Reference, Secret, Text};
    let fix = |reference: &mut Reference, file: FileId| {
        if let Reference::File(path) = reference
            && path.is_relative()
        {
            let joined = sources.base_dir(file).join(&*path);
            *path = std::path::absolute(&joined).unwrap_or(joined);
        }
    };
    if let Some(org) = &mut config.org
        && let Text::Ref(reference) = &mut org.value.url.value
    {
        fix(reference, org.value.url.at.file);
    }
    for app in config.apps.values_mut() {
        let Some(scim) = app.provisioning.as_mut().and_then(|p| p.scim.as_mut()) else {
            continue;
        };
        if let Text::Ref(reference) = &mut scim.value.base_url.value {
            fix(reference, scim.value.base_url.at.file);
        }
        let auth = &mut scim.value.auth.value;
        for secret in [&mut auth.token, &mut auth.password, &mut auth.client_secret]
            .into_iter()
            .flatten()
        {
            if let Secret::Ref(reference) = &mut secret.value {
                fix(reference, secret.at.file);
            }
        }
    }
}

/// A file that is not UTF-8, pointed at its first bad byte (the rest is shown lossily).
fn not_utf8(sources: &mut Sources, path: PathBuf, error: std::string::FromUtf8Error) -> Diagnostic {
    let valid = error.utf8_error().valid_up_to();
    let byte = error.as_bytes().get(valid).copied().unwrap_or_default();
    let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
    let before = &text[..valid];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    let message = format!(
        "`{}` is not UTF-8: byte 0x{byte:02x} at line {line}, column {col}",
        path.display()
    );
    let file = sources.add(path, text);
    let at = Pos {
        file,
        line: u32::try_from(line).unwrap_or(u32::MAX),
        col: u32::try_from(col).unwrap_or(u32::MAX),
        offset: u32::try_from(valid).ok(),
        len: u32::try_from(char::REPLACEMENT_CHARACTER.len_utf8()).unwrap_or(0),
    };
    Diagnostic::error(Code::NotUtf8, at, message)
        .label("not a UTF-8 character")
        .help("save the file as UTF-8 (YAML files are UTF-8; Latin-1 or UTF-16 editors' defaults are not)")
}

/// Where a "tabs disallowed" error really is: serde-saphyr points after the tab, at the
/// first character it could not indent; the caret belongs on the tab itself.
fn at_the_tab(text: &str, at: Pos) -> Pos {
    let Some(start) = byte_offset(text, at.line, 1) else {
        return at;
    };
    let line = text[start as usize..].lines().next().unwrap_or_default();
    match line
        .char_indices()
        .enumerate()
        .find(|(_, (_, c))| *c == '\t')
    {
        Some((chars, (bytes, _))) => Pos {
            col: u32::try_from(chars + 1).unwrap_or(u32::MAX),
            offset: u32::try_from(start as usize + bytes).ok(),
            len: 1,
            ..at
        },
        None => at,
    }
}

/// The most YAML nodes (mappings, lists, scalars) one file may hold: 25 apps × 3,000 users with
/// a profile each take about 400,000; twenty times the parser's default of 250,000 leaves room.
pub const MAX_NODES: usize = 5_000_000;
/// The most parser events one file may produce (about two per node).
pub const MAX_EVENTS: usize = 10_000_000;
/// The most `*alias` uses one file may hold: configs need few, and an "alias bomb" (aliases of
/// aliases, each multiplying the document) needs many — this stays the parser's default.
pub const MAX_ALIASES: usize = 50_000;
/// The most events anchors may retain for their aliases to replay (the parser's default): what
/// actually bounds an alias bomb's expansion.
pub const MAX_ANCHOR_EVENTS: usize = 1_000_000;

/// Parses one file's text. `id` is the file the positions will point into.
pub fn parse(id: FileId, text: &str) -> Result<Config, Box<Diagnostic>> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        duplicate_keys: DuplicateKeyPolicy::Error,
        leading_zero_numbers_as_strings: true,
        budget: serde_saphyr::budget! {
            max_nodes: MAX_NODES,
            max_events: MAX_EVENTS,
            max_aliases: MAX_ALIASES,
            max_recorded_anchor_events: MAX_ANCHOR_EVENTS,
            max_total_scalar_bytes: 256 << 20,
        },
    };
    with_file(id, || {
        serde_saphyr::from_str_with_options::<Config>(text, options)
    })
    .map_err(|error| Box::new(yaml_diagnostic(id, text, &error)))
}

/// Turns a serde-saphyr error into a located diagnostic with a "did you mean".
fn yaml_diagnostic(id: FileId, text: &str, error: &YamlError) -> Diagnostic {
    let location = error.location();
    let mut at = location
        .as_ref()
        .map(|l| with_file(id, || Pos::from_saphyr(l)))
        .unwrap_or(Pos {
            file: id,
            line: 1,
            col: 1,
            ..Pos::default()
        });
    if at.offset.is_none() {
        at.offset = byte_offset(text, at.line, at.col);
    }
    let located = |code, message: String| Diagnostic::error(code, at, message);
    match error.without_snippet() {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => {
            let diagnostic = located(Code::UnknownKey, format!("unknown key `{field}`"));
            with_suggestion(diagnostic, field, expected, "keys allowed here")
        }
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => {
            let diagnostic = located(Code::UnknownValue, format!("unknown value `{variant}`"));
            with_suggestion(diagnostic, variant, expected, "values allowed here")
        }
        YamlError::SerdeMissingField { field, .. } => {
            located(Code::MissingKey, format!("missing required key `{field}`"))
                .label(format!("`{field}` must be set in this mapping"))
        }
        YamlError::DuplicateMappingKey { key, .. } => {
            let name = key.as_deref().unwrap_or("?");
            located(Code::DuplicateKey, format!("duplicate key `{name}`")).help(
                "a key may appear once per mapping; YAML parsers that keep the last one silently lose the first",
            )
        }
        YamlError::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => located(
            Code::WrongType,
            format!("expected {expected}, found {unexpected}"),
        ),
        YamlError::InvalidBooleanStrict { .. } => {
            located(Code::WrongType, "expected `true` or `false`".to_string())
                .help("oktaform reads YAML 1.2: `yes`, `no`, `on` and `off` are text, not booleans")
        }
        YamlError::NullIntoString { .. } => {
            located(Code::WrongType, "expected text, found nothing".to_string())
                .help("write a value after the colon, or quote it (`\"\"` for empty text)")
        }
        YamlError::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => located(
            Code::InvalidValue,
            format!("invalid value {unexpected}, expected {expected}"),
        ),
        YamlError::Message { msg, .. } => located(Code::InvalidValue, msg.clone()),
        YamlError::InvalidScalar { ty, .. } => {
            let expected = match *ty {
                "f32" | "f64" => "a number",
                t if t.starts_with('u') => "a whole number, 0 or more",
                t if t.starts_with('i') => "a whole number",
                other => other,
            };
            let found = at
                .offset
                .and_then(|o| text.get(o as usize..))
                .and_then(|rest| rest.lines().next())
                .unwrap_or_default()
                .trim();
            located(
                Code::WrongType,
                format!("expected {expected}, found `{found}`"),
            )
        }
        YamlError::ExpectedMappingEndAfterEnumVariantValue { .. } => located(
            Code::InvalidValue,
            "only one key is allowed here".to_string(),
        )
        .label("a second key")
        .help(
            "choose one of the alternatives, e.g. `find: { label: Luciq }` or `find: { id: 0oa… }`",
        ),
        YamlError::Unexpected { expected, .. } => located(
            Code::WrongType,
            format!("expected {}", describe_expected(expected)),
        ),
        YamlError::Budget { breach, .. } => {
            let (what, help) = budget_words(breach);
            located(Code::YamlSyntax, what).help(help)
        }
        other => {
            let message = plain_message(other);
            let at = if message.contains("tab") {
                at_the_tab(text, at)
            } else {
                at
            };
            let located = |code, message: String| Diagnostic::error(code, at, message);
            let help = if message.contains("tab") {
                Some("YAML indents with spaces only: replace the tab with spaces")
            } else if message.contains("did not find expected key")
                || message.contains("mapping values are not allowed")
            {
                Some(
                    "check this line's indentation: the keys of one mapping start in the same column",
                )
            } else {
                None
            };
            let diagnostic = located(Code::YamlSyntax, message);
            match help {
                Some(help) => diagnostic.help(help),
                None => diagnostic,
            }
        }
    }
}

/// A size limit of the YAML reader in words: which one, and what to do about it.
fn budget_words(breach: &BudgetBreach) -> (String, String) {
    const SPLIT: &str = "each file has its own limits: split the config into several files in one directory and pass the directory (`-c DIR`), e.g. one file per app";
    match breach {
        BudgetBreach::Nodes { nodes } => (
            format!(
                "this file has more than {MAX_NODES} YAML nodes (keys, values, mappings and lists; {nodes} counted when reading stopped)"
            ),
            SPLIT.into(),
        ),
        BudgetBreach::Events { events } => (
            format!("this file is larger than the {MAX_EVENTS} YAML events oktaform reads from one file ({events} counted)"),
            SPLIT.into(),
        ),
        BudgetBreach::Aliases { aliases } => (
            format!(
                "this file uses YAML aliases (`*name`) more than {MAX_ALIASES} times ({aliases} counted): refused as a possible alias bomb"
            ),
            "write the repeated values out, or use fewer aliases; this limit is not raised, since aliases of aliases can make a small file unboundedly large".into(),
        ),
        BudgetBreach::Depth { depth } => (
            format!("this file nests mappings and lists {depth} deep, deeper than oktaform reads"),
            "a config is a few levels deep: check the indentation".into(),
        ),
        other => (
            format!("this file exceeds a size limit of the YAML reader ({other:?})"),
            format!("aliases and anchors are limited against alias bombs; otherwise {SPLIT}"),
        ),
    }
}

fn describe_expected(expected: &str) -> String {
    match expected {
        "mapping start" => "a mapping (`key: value` lines)".to_string(),
        "sequence start" => "a list (`- item` lines or `[a, b]`)".to_string(),
        other => other.to_string(),
    }
}

/// serde-saphyr's own message without the location it appends (we print ours).
fn plain_message(error: &YamlError) -> String {
    let text = error.to_string();
    let first = text.lines().next().unwrap_or_default();
    match first.rfind(" at line ") {
        Some(cut) => first[..cut].to_string(),
        None => first.to_string(),
    }
}

fn with_suggestion(
    diagnostic: Diagnostic,
    found: &str,
    expected: &[&'static str],
    what: &str,
) -> Diagnostic {
    let best = expected
        .iter()
        .map(|candidate| (strsim::jaro_winkler(found, candidate), *candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let diagnostic = match best {
        Some((_, candidate)) => diagnostic.label(format!("did you mean `{candidate}`?")),
        None => diagnostic,
    };
    if expected.is_empty() {
        diagnostic
    } else {
        let list: Vec<String> = expected.iter().map(|e| format!("`{e}`")).collect();
        diagnostic.help(format!("{what}: {}", list.join(", ")))
    }
}

/// Byte offset of a 1-based line and column (columns count characters).
pub(crate) fn byte_offset(text: &str, line: u32, col: u32) -> Option<u32> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)? as usize)
        .map(str::len)
        .sum();
    let line_text = text.get(start..)?.lines().next().unwrap_or_default();
    let within: usize = line_text
        .chars()
        .take(col.saturating_sub(1) as usize)
        .map(char::len_utf8)
        .sum();
    u32::try_from(start + within).ok()
}

/// Merges parsed files into one config. The org may be set once; okta_user attributes and apps
/// are unions, and a name declared twice is an error naming both places.
pub fn merge(files: Vec<Config>) -> Result<Config, Vec<Diagnostic>> {
    let mut merged = Config::default();
    let mut errors = Vec::new();
    for file in files {
        if let Some(org) = file.org {
            match &merged.org {
                Some(first) => errors.push(twice("`org`", org.at, first.at)),
                None => merged.org = Some(org),
            }
        }
        if let Some(okta_user) = file.okta_user {
            let Loc { value, at } = okta_user;
            let target = merged
                .okta_user
                .get_or_insert_with(|| Loc::new(OktaUser::default(), at));
            if let Some(manage) = value.manage {
                match &target.value.manage {
                    Some(first) => {
                        errors.push(twice("`okta_user.manage`", manage.at, first.at));
                    }
                    None => target.value.manage = Some(manage),
                }
            }
            merge_named(
                &mut target.value.attributes,
                value.attributes,
                "Okta user attribute",
                &mut errors,
            );
        }
        merge_named(&mut merged.apps, file.apps, "app", &mut errors);
        merged.ignore.extend(file.ignore);
    }
    if errors.is_empty() {
        Ok(merged)
    } else {
        Err(errors)
    }
}

fn merge_named<V>(
    into: &mut IndexMap<Loc<String>, V>,
    from: IndexMap<Loc<String>, V>,
    what: &str,
    errors: &mut Vec<Diagnostic>,
) {
    for (name, value) in from {
        let at = name.at;
        match into.entry(name) {
            Entry::Occupied(first) => {
                errors.push(twice(
                    &format!("{what} `{}`", first.key().value),
                    at,
                    first.key().at,
                ));
            }
            Entry::Vacant(slot) => {
                slot.insert(value);
            }
        }
    }
}

fn twice(what: &str, at: Pos, first: Pos) -> Diagnostic {
    Diagnostic::error(Code::DeclaredTwice, at, format!("{what} is declared twice"))
        .label("declared again here")
        .related(first, "first declared here")
        .help("declare it in one file only")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_2_scalars_stay_text() {
        let text = "apps:\n  norway:\n    find: { label: no }\n    attributes:\n      zip:\n        title: 01234\n        type: string\n    assignments:\n      users:\n        alice@example.com: { zip: 01234, flag: on }\n";
        let config = parse(FileId(0), text).unwrap();
        let app = &config.apps["norway"];
        assert_eq!(
            app.find.value,
            super::super::model::Find::Label("no".into())
        );
        assert_eq!(app.attributes["zip"].title.value, "01234");
        let users = &app.assignments.as_ref().unwrap().value.users;
        let profile = users["alice@example.com"].as_ref().unwrap();
        assert_eq!(profile["zip"].value, serde_json::json!("01234"));
        assert_eq!(profile["flag"].value, serde_json::json!("on"));
    }

    #[test]
    fn merge_keeps_both_files_and_reports_the_second_declaration() {
        let a = parse(FileId(0), "okta_user:\n  attributes:\n    role: { title: R, type: string }\napps:\n  luciq: { find: { label: Luciq } }\n").unwrap();
        let b = parse(FileId(1), "okta_user:\n  attributes:\n    tier: { title: T, type: integer }\napps:\n  lightrun: { find: { label: Lightrun } }\n").unwrap();
        let merged = merge(vec![a, b]).unwrap();
        assert_eq!(merged.apps.len(), 2);
        assert_eq!(merged.okta_user.unwrap().value.attributes.len(), 2);

        let a = parse(FileId(0), "apps:\n  luciq: { find: { label: Luciq } }\n").unwrap();
        let b = parse(FileId(1), "\napps:\n  luciq: { find: { id: 0oa1 } }\n").unwrap();
        let errors = merge(vec![a, b]).unwrap_err();
        assert_eq!(errors.len(), 1);
        let at = errors[0].at.unwrap();
        assert_eq!((at.file, at.line, at.col), (FileId(1), 3, 3));
        assert_eq!(errors[0].related[0].0.file, FileId(0));
    }

    #[test]
    fn byte_offset_counts_characters_in_columns() {
        let text = "a: é\nbc: x\n";
        assert_eq!(byte_offset(text, 1, 4), Some(3));
        assert_eq!(byte_offset(text, 2, 5), Some(10));
    }

    /// 25 apps × 3,000 users, each with a profile: large, but a real org's config.
    #[test]
    fn a_large_legitimate_config_loads() {
        let mut text = String::from("apps:\n");
        for app in 0..25 {
            text.push_str(&format!(
                "  app{app}:\n    find: {{ label: App {app} }}\n    assignments:\n      users:\n"
            ));
            for user in 0..3_000 {
                text.push_str(&format!(
                    "        user{user}@example.com: {{ role: member }}\n"
                ));
            }
        }
        let config = parse(FileId(0), &text).expect("loads");
        assert_eq!(config.apps.len(), 25);
    }

    #[test]
    fn an_alias_bomb_is_refused_naming_the_limit() {
        let aliases = vec!["*a"; MAX_ALIASES + 1].join(", ");
        let text = format!(
            "apps:\n  x:\n    find: {{ label: X }}\n    assignments:\n      users:\n        a@example.com: {{ role: &a member, teams: [{aliases}] }}\n"
        );
        let error = parse(FileId(0), &text).unwrap_err();
        let message = error.message.clone();
        assert!(
            message.contains("aliases") && message.contains(&MAX_ALIASES.to_string()),
            "{message}"
        );
        assert!(!message.contains("budget breached"), "{message}");
    }
}
