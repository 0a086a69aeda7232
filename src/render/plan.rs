//! Plans for people (terminal text, Markdown for pull-request comments) and machines (JSON).
//!
//! The text reads like Terraform's: one headline per object with `+` / `~` / `-` / `-/+` / `!`
//! (the Okta user profile's attributes and an app's own named apart), setting-level detail
//! under it — short lines, long values shortened (`--format json` has them whole), profile
//! values as `key: value` — a risk badge where a change is not safe, the Admin Console
//! checklist for what Okta's API cannot do, a config comment beside a surprising enum value,
//! the "check once" notes (hidden when this config was planned before, saying so), and a
//! summary line that keeps the risk apart from the count of console steps. Multi-line values
//! are diffed line by line with `similar`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::diagnostics::Style;
use crate::plan::attribute::FieldChange;
use crate::plan::{Action, Change, Direction, Op, Plan, Risk, Subject};

/// ANSI colours, or nothing.
struct Paint(Style);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        match self.0 {
            Style::Color => format!("\x1b[{code}m{text}\x1b[0m"),
            Style::Plain => text.to_string(),
        }
    }
    fn action(&self, action: Action) -> String {
        let code = match action {
            Action::Create => "32",
            Action::Update | Action::Reorder => "33",
            Action::Replace | Action::Delete => "31",
            Action::Manual => "35",
        };
        self.wrap(code, &format!("{:>3}", action.symbol()))
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }
    fn risk(&self, risk: Risk) -> String {
        match risk {
            Risk::Safe => String::new(),
            Risk::Manual => self.wrap("35", " [manual]"),
            Risk::Deprovisions => self.wrap("1;31", " [deprovisions]"),
            Risk::DataLoss => self.wrap("1;31", " [data-loss]"),
        }
    }
}

/// What the change is called on its line.
pub(crate) fn title(change: &Change) -> String {
    match &change.subject {
        Subject::OktaUserAttribute { name } | Subject::AppAttribute { name, .. } => {
            format!("attribute {name}")
        }
        Subject::Mapping {
            direction,
            property,
            ..
        } => match direction {
            Direction::ToApp => format!("mapping Okta User → app: {property}"),
            Direction::ToOkta => format!("mapping app → Okta User: {property}"),
        },
        Subject::ToApp { .. } => "Provisioning → To App".into(),
        Subject::ToOkta { .. } => "Provisioning → To Okta".into(),
        Subject::Scim { .. } => "SCIM connection".into(),
        Subject::UserAssignment { login, .. } => format!("user {login}"),
        Subject::GroupAssignment { group, .. } => format!("group {group}"),
        Subject::GroupPush { group, .. } => format!("pushed group {group}"),
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(value_text).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// The longest value a detail line shows whole; longer ones keep their start and end.
const VALUE_WIDTH: usize = 72;
/// Where a list of values wraps onto the next line.
const LINE_WIDTH: usize = 96;

/// `value`, or its start and end around `…` when it is longer than [`VALUE_WIDTH`].
fn shorten(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= VALUE_WIDTH {
        return value.to_string();
    }
    let keep = (VALUE_WIDTH - 1) / 2;
    let head: String = chars[..keep].iter().collect();
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!("{head}…{tail}")
}

/// `key: a, b, c` wrapped onto indented lines of at most [`LINE_WIDTH`] characters.
fn wrapped(key: &str, items: &[String]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = format!("{key}: ");
    let indent = " ".repeat(key.chars().count() + 2);
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item},")
        } else {
            item.clone()
        };
        let fresh = line.trim_end().ends_with(':') || line.trim().is_empty();
        if !fresh && line.chars().count() + piece.chars().count() + 1 > LINE_WIDTH {
            lines.push(line.trim_end().to_string());
            line = indent.clone();
        } else if !fresh {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    lines.push(line.trim_end().to_string());
    lines
}

/// Profile values as `instabugRole: adminstrator, instabugApplications: [iOS App, Web App]`.
fn profile_text(profile: &serde_json::Map<String, Value>) -> String {
    profile
        .iter()
        .map(|(k, v)| format!("{k}: {}", shorten(&value_text(v))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Setting lines under a change.
pub(crate) fn details(change: &Change) -> Vec<String> {
    let mut lines = Vec::new();
    match &change.op {
        Op::CreateAttribute { property, .. } => {
            let kind = match (&property.kind, &property.items) {
                (Some(k), Some(items)) if k == "array" => {
                    format!("{} array", items.kind.clone().unwrap_or_default())
                }
                (Some(k), _) => k.clone(),
                _ => String::new(),
            };
            lines.push(format!(
                "title: {}, type: {kind}",
                shorten(&property.title.clone().unwrap_or_default())
            ));
            let external: Vec<String> = [
                property
                    .external_name
                    .as_ref()
                    .map(|n| format!("external name: {}", shorten(n))),
                property
                    .external_namespace
                    .as_ref()
                    .map(|n| format!("namespace: {}", shorten(n))),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !external.is_empty() {
                lines.push(external.join(", "));
            }
            let choices = property
                .one_of
                .as_ref()
                .or(property.items.as_ref().and_then(|i| i.one_of.as_ref()));
            if let Some(choices) = choices {
                let text: Vec<String> = choices
                    .iter()
                    .map(|c| {
                        let value = value_text(&c.value);
                        if value == c.title {
                            shorten(&value)
                        } else {
                            format!("{} ({})", shorten(&value), shorten(&c.title))
                        }
                    })
                    .collect();
                lines.extend(wrapped("enum", &text));
            }
        }
        Op::ReorderEnum { .. } => lines.push("enum display order".into()),
        Op::DeleteAttribute { .. } => {
            lines.push("every user's value of this attribute is deleted".into())
        }
        Op::UnassignGroup {
            members: Some(n), ..
        } => lines.push(format!(
            "{n} member{} lose the app unless another assignment grants it",
            if *n == 1 { "" } else { "s" }
        )),
        Op::SetMapping {
            expression,
            push_status,
            before,
            ..
        } => {
            let apply = |p: &Option<String>| match p.as_deref() {
                Some("DONT_PUSH") => " (create only)",
                _ => "",
            };
            match before {
                Some((old, old_push)) => lines.push(format!(
                    "{old}{} → {expression}{}",
                    apply(old_push),
                    apply(push_status)
                )),
                None => lines.push(format!("= {expression}{}", apply(push_status))),
            }
        }
        Op::RemoveMapping { before, .. } => lines.push(format!("was {before}")),
        Op::CreatePush {
            target_group_id,
            target_group_name,
            status,
            ..
        } => {
            match (target_group_id, target_group_name) {
                (Some(id), _) => lines.push(format!("to the vendor's existing group {id}")),
                (None, Some(name)) => {
                    lines.push(format!("to a new group `{}` at the vendor", shorten(name)))
                }
                (None, None) => {}
            }
            if status == "INACTIVE" {
                lines.push("status: inactive (nothing is pushed until it is active)".into());
            }
        }
        Op::DeletePush {
            delete_target_group,
            target_group_id,
            ..
        } => {
            let group = target_group_id
                .as_ref()
                .map_or(String::new(), |id| format!(" ({id})"));
            lines.push(match delete_target_group {
                true => format!(
                    "the vendor's group{group} is deleted too (deleteTargetGroup=true): its memberships there are lost"
                ),
                false => format!(
                    "the vendor's group{group} stays (deleteTargetGroup=false); Okta stops updating it"
                ),
            });
        }
        Op::AssignUser { profile, .. }
        | Op::PutGroup {
            profile,
            assigned: false,
            ..
        } if !profile.is_empty() => {
            lines.push(profile_text(profile));
        }
        _ => {}
    }
    if let Op::PutGroup {
        priority: Some(p),
        assigned: false,
        ..
    } = &change.op
    {
        lines.push(format!("priority {p}"));
    }
    for field in change.op.fields() {
        lines.extend(field_lines(field));
    }
    lines
}

fn field_lines(field: &FieldChange) -> Vec<String> {
    if !field.before.contains('\n') && !field.after.contains('\n') {
        return vec![format!(
            "{}: {} → {}",
            field.field,
            shorten(&field.before),
            shorten(&field.after)
        )];
    }
    let mut lines = vec![format!("{}:", field.field)];
    let diff = similar::TextDiff::from_lines(&field.before, &field.after);
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => "-",
            similar::ChangeTag::Insert => "+",
            similar::ChangeTag::Equal => " ",
        };
        lines.push(format!(
            "  {sign} {}",
            change.value().trim_end_matches('\n')
        ));
    }
    lines
}

/// The Admin Console steps of the plan's manual changes, numbered in order.
pub fn manual_steps(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .filter_map(|c| match &c.op {
            Op::Manual { steps, .. } => Some(steps.iter().cloned()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The highest risk of the plan's changes, console steps aside (they are counted apart).
fn risk_of(plan: &Plan) -> Risk {
    plan.changes
        .iter()
        .map(|c| c.risk)
        .filter(|r| *r != Risk::Manual)
        .max()
        .unwrap_or(Risk::Safe)
}

fn summary_line(plan: &Plan) -> String {
    let s = plan.summary();
    if plan.is_empty() {
        return "No changes: the org matches the config.".into();
    }
    let mut line = format!(
        "Plan: {} to add, {} to change, {} to remove. Risk: {}.",
        s.create,
        s.update,
        s.delete,
        risk_of(plan).label()
    );
    let steps = manual_steps(plan).len();
    if steps > 0 {
        let _ = write!(
            line,
            " {steps} Admin Console step{} left.",
            if steps == 1 { "" } else { "s" }
        );
    }
    line
}

fn group_heading(change: &Change, plan: &Plan) -> String {
    match change.subject.app() {
        None => "Okta user profile (Directory → Profile Editor → Okta User)".into(),
        Some(app) => match plan.apps.get(app) {
            Some(found) => format!("app {app} ({}, {})", found.label, found.id),
            None => format!("app {app}"),
        },
    }
}

/// The headline of a change in a plan: which profile an attribute is on, said every time.
fn headline(change: &Change) -> String {
    match &change.subject {
        Subject::OktaUserAttribute { name } => format!("Okta user attribute {name}"),
        Subject::AppAttribute { name, .. } => format!("app user attribute {name}"),
        _ => title(change),
    }
}

/// What a plan shows beside the changes: config comments on surprising values, and whether
/// the "check once" notes are shown.
#[derive(Debug, Clone, Default)]
pub struct Annotations {
    /// (app, or `None` for the Okta user profile; attribute; enum value) → the comment the
    /// config (or its preset) writes beside that value.
    pub enum_comments: BTreeMap<(Option<String>, String, String), String>,
    /// The notes were shown on an earlier plan of this same config: leave them out, say so.
    pub notes_hidden: bool,
}

impl Annotations {
    /// The comments written beside enum values in the config's files (`adminstrator: Admin
    /// # Luciq's API value really is spelled this way`).
    pub fn from_config(config: &crate::config::Config, sources: &crate::config::Sources) -> Self {
        let mut enum_comments = BTreeMap::new();
        let mut add =
            |app: Option<String>, name: &str, attribute: &crate::config::model::Attribute| {
                let Some(choices) = &attribute.choices else {
                    return;
                };
                for choice in &choices.value.0 {
                    if let Some(comment) = comment_after(sources, choice.title.at)
                        .or_else(|| comment_after(sources, choice.value.at))
                    {
                        enum_comments.insert(
                            (app.clone(), name.to_string(), choice.value.value.clone()),
                            comment,
                        );
                    }
                }
            };
        if let Some(okta_user) = &config.okta_user {
            for (name, attribute) in &okta_user.value.attributes {
                add(None, &name.value, attribute);
            }
        }
        for (app, definition) in &config.apps {
            for (name, attribute) in &definition.attributes {
                add(Some(app.value.clone()), &name.value, attribute);
            }
        }
        Annotations {
            enum_comments,
            notes_hidden: false,
        }
    }

    fn comments_for(&self, change: &Change) -> Vec<String> {
        let (app, name) = match &change.subject {
            Subject::OktaUserAttribute { name } => (None, name),
            Subject::AppAttribute { app, name } => (Some(app.clone()), name),
            _ => return Vec::new(),
        };
        if !matches!(
            change.action,
            Action::Create | Action::Update | Action::Replace
        ) {
            return Vec::new();
        }
        self.enum_comments
            .range((app.clone(), name.clone(), String::new())..)
            .take_while(|((a, n, _), _)| a == &app && n == name)
            .map(|((_, _, value), comment)| format!("{value}: {comment} (config comment)"))
            .collect()
    }
}

/// The `# comment` at the end of the line `at` is on, if that line has one (only a line whose
/// value stands alone: a comment after a flow list names the list, not one value).
fn comment_after(sources: &crate::config::Sources, at: crate::config::Pos) -> Option<String> {
    if at.is_unknown() {
        return None;
    }
    let text = &sources.get(at.file)?.text;
    let line = text.lines().nth(at.line.checked_sub(1)? as usize)?;
    if line.contains('[') || line.contains('{') {
        return None;
    }
    let cut = line.find(" #")?;
    let comment = line[cut + 2..].trim();
    (!comment.is_empty()).then(|| shorten(comment))
}

fn notes_hidden_line(plan: &Plan) -> String {
    format!(
        "{} \"check once\" note{} hidden: shown on an earlier plan of this config; `--show-notes` shows {}.",
        plan.notes.len(),
        if plan.notes.len() == 1 { "" } else { "s" },
        if plan.notes.len() == 1 { "it" } else { "them" }
    )
}

/// Text for a terminal or a CI log.
pub fn text(plan: &Plan, style: Style) -> String {
    text_with(plan, style, &Annotations::default())
}

/// Text for a terminal or a CI log, with the config's comments and the notes as `annotations` say.
pub fn text_with(plan: &Plan, style: Style, annotations: &Annotations) -> String {
    let paint = Paint(style);
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", paint.bold("oktaform plan for"), plan.org);
    let mut current = None;
    for change in &plan.changes {
        let heading = group_heading(change, plan);
        if current.as_ref() != Some(&heading) {
            let _ = writeln!(out, "\n{}", paint.bold(&heading));
            current = Some(heading);
        }
        let _ = writeln!(
            out,
            "{} {}{}",
            paint.action(change.action),
            headline(change),
            paint.risk(change.risk)
        );
        for line in details(change)
            .into_iter()
            .chain(annotations.comments_for(change))
        {
            let _ = writeln!(out, "      {}", paint.dim(&line));
        }
    }
    let steps = manual_steps(plan);
    if !steps.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint.bold(
                "Admin Console steps (Okta's API cannot make these; oktaform will not claim them):"
            )
        );
        for (i, step) in steps.iter().enumerate() {
            let _ = writeln!(out, "  {}. {step}", i + 1);
        }
    }
    if !plan.notes.is_empty() {
        if annotations.notes_hidden {
            let _ = writeln!(out, "\n{}", paint.dim(&notes_hidden_line(plan)));
        } else {
            let _ = writeln!(
                out,
                "\n{}",
                paint.bold("Not readable through Okta's API (check once):")
            );
            for note in &plan.notes {
                let _ = writeln!(out, "  - {}: {}", note.app, note.text);
            }
        }
    }
    let _ = writeln!(out, "\n{}", paint.bold(&summary_line(plan)));
    out
}

/// Markdown for a pull-request comment: the summary, the changes as a diff block (one sign
/// a line), the console steps as a task list, the attribute-flow diagram of the apps that
/// change (`diagram`: Mermaid, collapsed), and the notes.
pub fn markdown(plan: &Plan, annotations: &Annotations, diagram: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### oktaform plan for `{}`\n", plan.org);
    let _ = writeln!(out, "**{}**\n", summary_line(plan));
    let automatic: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Manual)
        .collect();
    if !automatic.is_empty() {
        let _ = writeln!(out, "```diff");
        let mut current = None;
        for change in automatic {
            let heading = group_heading(change, plan);
            if current.as_ref() != Some(&heading) {
                let _ = writeln!(out, "@@ {heading} @@");
                current = Some(heading);
            }
            // Diff blocks colour a line by its first character: one sign, no second one.
            let (sign, word) = match change.action {
                Action::Create => ("+", ""),
                Action::Delete => ("-", ""),
                Action::Replace => ("-", " (deleted and re-created)"),
                Action::Update => ("!", " (changed)"),
                Action::Reorder => ("!", " (reordered)"),
                Action::Manual => ("!", ""),
            };
            let badge = match change.risk {
                Risk::Safe | Risk::Manual => String::new(),
                risk => format!(" [{}]", risk.label()),
            };
            let _ = writeln!(out, "{sign} {}{word}{badge}", headline(change));
            for line in details(change)
                .into_iter()
                .chain(annotations.comments_for(change))
            {
                let _ = writeln!(out, "{sign}     {line}");
            }
        }
        let _ = writeln!(out, "```");
    }
    let steps = manual_steps(plan);
    if !steps.is_empty() {
        let _ = writeln!(
            out,
            "\n**Admin Console steps** (Okta's API cannot make these; tick them when done):\n"
        );
        for step in steps {
            let _ = writeln!(out, "- [ ] {step}");
        }
    }
    if let Some(diagram) = diagram {
        let _ = writeln!(
            out,
            "\n<details><summary>Attribute flow of the apps this plan changes</summary>\n\n```mermaid\n{}```\n\n</details>",
            diagram
        );
    }
    if !plan.notes.is_empty() {
        if annotations.notes_hidden {
            let _ = writeln!(out, "\n_{}_", notes_hidden_line(plan));
        } else {
            let _ = writeln!(
                out,
                "\n<details><summary>Not readable through Okta's API (check once)</summary>\n"
            );
            for note in &plan.notes {
                let _ = writeln!(out, "- **{}**: {}", note.app, note.text);
            }
            let _ = writeln!(out, "\n</details>");
        }
    }
    out
}

/// The versioned JSON document of `plan --format json`.
pub fn json_document(plan: &Plan) -> Value {
    json!({
        "format_version": plan.format_version,
        "org": plan.org,
        "summary": plan.summary(),
        "changes": plan.changes,
        "manual_steps": manual_steps(plan),
        "notes": plan.notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::testing::*;
    use crate::plan::{Plan, diff};
    use serde_json::json;

    fn fresh_plan() -> Plan {
        let live = org(
            json!({}),
            live_app(vec!["SCIM_PROVISIONING"], json!({}), json!({})),
        );
        let changes = diff(&config(LUCIQ), &live).unwrap();
        Plan::new("https://acme.okta.com".into(), &live, changes)
    }

    #[test]
    fn text_of_a_first_plan() {
        insta::assert_snapshot!(text(&fresh_plan(), Style::Plain));
    }

    #[test]
    fn markdown_of_a_first_plan() {
        let plan = fresh_plan();
        let config = config(LUCIQ);
        let flows: Vec<_> = crate::render::graph::build(&config, Some(&plan))
            .into_iter()
            .filter(|f| f.changed())
            .collect();
        let diagram = crate::render::graph::mermaid(&flows);
        let text = markdown(&plan, &Annotations::default(), Some(&diagram));
        assert!(!text.contains("+ +"), "no doubled signs");
        assert!(!text.contains("\n# !"), "console steps are not diff lines");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn hidden_notes_are_counted_with_how_to_show_them() {
        let plan = fresh_plan();
        let hidden = Annotations {
            notes_hidden: true,
            ..Annotations::default()
        };
        let text = text_with(&plan, Style::Plain, &hidden);
        assert!(
            !text.contains("cannot be read through Okta's API"),
            "{text}"
        );
        assert!(
            text.contains("1 \"check once\" note hidden: shown on an earlier plan of this config; `--show-notes` shows it."),
            "{text}"
        );
    }

    #[test]
    fn a_config_comment_stands_beside_its_enum_value() {
        let plan = fresh_plan();
        let config = config(LUCIQ);
        let mut sources = crate::config::Sources::default();
        sources.add("luciq.yaml".into(), LUCIQ.into());
        let annotations = Annotations::from_config(&config, &sources);
        let text = text_with(&plan, Style::Plain, &annotations);
        assert!(
            text.contains("adminstrator: Luciq's API value for Admin really is spelled this way (config comment)"),
            "{text}"
        );
    }

    #[test]
    fn long_values_are_shortened_and_lists_wrapped() {
        let long = "x".repeat(100);
        let short = shorten(&long);
        assert_eq!(short.chars().count(), 71);
        assert!(short.contains('…'));
        let items: Vec<String> = (0..30).map(|i| format!("value{i}")).collect();
        let lines = wrapped("enum", &items);
        assert!(lines.len() > 1);
        assert!(
            lines.iter().all(|l| l.chars().count() <= LINE_WIDTH),
            "{lines:?}"
        );
        assert!(lines[1].starts_with("      value"), "{lines:?}");
    }

    #[test]
    fn text_of_drift_with_risk() {
        let text_config = LUCIQ.replace(
            "    find: { label: Luciq }",
            "    find: { label: Luciq }\n    manage: { users: exclusive }",
        );
        let mut app = converged_app();
        app.users.as_mut().unwrap()[1]
            .assignment
            .profile
            .insert("instabugRole".into(), json!("viewer"));
        app.users.as_mut().unwrap().push(crate::okta::LiveUser {
            login: "carol@example.com".into(),
            assignment: serde_json::from_value(
                json!({"id": "00uCAROL", "scope": "USER", "profile": {}}),
            )
            .unwrap(),
        });
        let live = org(okta_attributes(), app);
        let plan = Plan::new(
            "https://acme.okta.com".into(),
            &live,
            diff(&config(&text_config), &live).unwrap(),
        );
        insta::assert_snapshot!(text(&plan, Style::Plain));
    }

    #[test]
    fn an_empty_plan_says_so() {
        let live = org(okta_attributes(), converged_app());
        let plan = Plan::new(
            "https://acme.okta.com".into(),
            &live,
            diff(&config(LUCIQ), &live).unwrap(),
        );
        assert!(text(&plan, Style::Plain).contains("No changes: the org matches the config."));
        assert_eq!(json_document(&plan)["summary"]["risk"], "safe");
    }
}

#[cfg(test)]
mod field_tests {
    use super::*;

    #[test]
    fn multi_line_values_are_diffed_line_by_line() {
        let field = FieldChange {
            field: "description".into(),
            before: "Role in Luciq\nset by IT\n".into(),
            after: "Role in Luciq\nset by the IAM team\n".into(),
        };
        assert_eq!(
            field_lines(&field),
            [
                "description:",
                "    Role in Luciq",
                "  - set by IT",
                "  + set by the IAM team"
            ]
        );
        let short = FieldChange {
            field: "title".into(),
            before: "A".into(),
            after: "B".into(),
        };
        assert_eq!(field_lines(&short), ["title: A → B"]);
    }
}

/// The SCIM payload preview (`plan --show-scim`): per assignment change, the request and body
/// the vendor receives, where each value comes from, and what is not sent and why.
pub fn scim_text(payloads: &[crate::plan::scim::Payload]) -> String {
    let mut out = String::new();
    if payloads.is_empty() {
        out.push_str("\nSCIM payloads: no assignment change sends the vendor anything.\n");
        return out;
    }
    out.push_str("\nSCIM payloads the vendor will receive (from Okta, per assignment change):\n");
    for p in payloads {
        let _ = writeln!(out, "\n  app {} user {}", p.app, p.login);
        match (&p.request, &p.not_sent_because) {
            (Some(request), _) => {
                let _ = writeln!(out, "    {request}");
            }
            (None, Some(why)) => {
                let _ = writeln!(out, "    nothing sent: {why}");
            }
            (None, None) => {}
        }
        if let Some(body) = &p.body {
            let text = serde_json::to_string_pretty(body).unwrap_or_default();
            for line in text.lines() {
                let _ = writeln!(out, "      {line}");
            }
        }
        for (path, source) in &p.sources {
            let _ = writeln!(out, "    {path} ← {source}");
        }
        for (attribute, why) in &p.not_sent {
            let _ = writeln!(out, "    not sent: {attribute}: {why}");
        }
    }
    out
}
