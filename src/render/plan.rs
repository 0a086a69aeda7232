//! Plans for people (terminal text, Markdown for pull-request comments) and machines (JSON).
//!
//! The text reads like Terraform's: one line per object with `+` / `~` / `-` / `-/+` / `!`,
//! setting-level detail under it, a risk badge where a change is not safe, the Admin Console
//! checklist for what Okta's API cannot do, and a summary line. Multi-line values are diffed
//! line by line with `similar`.

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
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Setting lines under a change.
pub(crate) fn details(change: &Change) -> Vec<String> {
    let mut lines = Vec::new();
    match &change.op {
        Op::CreateAttribute { property, .. } => {
            let mut parts = vec![format!(
                "title: {}",
                property.title.clone().unwrap_or_default()
            )];
            let kind = match (&property.kind, &property.items) {
                (Some(k), Some(items)) if k == "array" => {
                    format!("{} array", items.kind.clone().unwrap_or_default())
                }
                (Some(k), _) => k.clone(),
                _ => String::new(),
            };
            parts.push(format!("type: {kind}"));
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
                            value
                        } else {
                            format!("{value} ({})", c.title)
                        }
                    })
                    .collect();
                parts.push(format!("enum: {}", text.join(", ")));
            }
            if let Some(ns) = &property.external_namespace {
                parts.push(format!("namespace: {ns}"));
            }
            lines.push(parts.join(", "));
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
        Op::AssignUser { profile, .. }
        | Op::PutGroup {
            profile,
            assigned: false,
            ..
        } if !profile.is_empty() => {
            lines.push(format!("profile {}", json!(profile)));
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
            field.field, field.before, field.after
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

fn summary_line(plan: &Plan) -> String {
    let s = plan.summary();
    if plan.is_empty() {
        return "No changes: the org matches the config.".into();
    }
    let mut line = format!(
        "Plan: {} to add, {} to change, {} to remove",
        s.create, s.update, s.delete
    );
    if s.manual > 0 {
        let _ = write!(line, ", {} manual", s.manual);
    }
    let _ = write!(line, ". Highest risk: {}.", s.risk.label());
    line
}

fn group_heading(change: &Change, plan: &Plan) -> String {
    match change.subject.app() {
        None => "Okta user profile".into(),
        Some(app) => match plan.apps.get(app) {
            Some(found) => format!("app {app} ({}, {})", found.label, found.id),
            None => format!("app {app}"),
        },
    }
}

/// Text for a terminal or a CI log.
pub fn text(plan: &Plan, style: Style) -> String {
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
            title(change),
            paint.risk(change.risk)
        );
        for line in details(change) {
            let _ = writeln!(out, "      {}", paint.dim(&line));
        }
    }
    let steps = manual_steps(plan);
    if !steps.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint
                .bold("Manual steps (Okta's API cannot make these; oktaform will not claim them):")
        );
        for (i, step) in steps.iter().enumerate() {
            let _ = writeln!(out, "  {}. {step}", i + 1);
        }
    }
    if !plan.notes.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint.bold("Not readable through Okta's API (check once):")
        );
        for note in &plan.notes {
            let _ = writeln!(out, "  - {}: {}", note.app, note.text);
        }
    }
    let _ = writeln!(out, "\n{}", paint.bold(&summary_line(plan)));
    out
}

/// Markdown for a pull-request comment: summary, the plan as a diff block, a checklist.
pub fn markdown(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### oktaform plan for `{}`\n", plan.org);
    let _ = writeln!(out, "**{}**\n", summary_line(plan));
    if !plan.is_empty() {
        let _ = writeln!(out, "```diff");
        let mut current = None;
        for change in &plan.changes {
            let heading = group_heading(change, plan);
            if current.as_ref() != Some(&heading) {
                let _ = writeln!(out, "# {heading}");
                current = Some(heading);
            }
            // diff blocks colour lines by their first character.
            let sign = match change.action {
                Action::Create => "+",
                Action::Delete | Action::Replace => "-",
                Action::Update | Action::Reorder => "!",
                Action::Manual => "#",
            };
            let badge = match change.risk {
                Risk::Safe => String::new(),
                risk => format!(" [{}]", risk.label()),
            };
            let _ = writeln!(
                out,
                "{sign} {} {}{badge}",
                change.action.symbol(),
                title(change)
            );
            for line in details(change) {
                let _ = writeln!(out, "      {line}");
            }
        }
        let _ = writeln!(out, "```");
    }
    let steps = manual_steps(plan);
    if !steps.is_empty() {
        let _ = writeln!(out, "\n**Manual steps** (Okta's API cannot make these):\n");
        for step in steps {
            let _ = writeln!(out, "- [ ] {step}");
        }
    }
    if !plan.notes.is_empty() {
        let _ = writeln!(
            out,
            "\n<details><summary>Not readable through Okta's API (check once)</summary>\n"
        );
        for note in &plan.notes {
            let _ = writeln!(out, "- **{}**: {}", note.app, note.text);
        }
        let _ = writeln!(out, "\n</details>");
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
        insta::assert_snapshot!(markdown(&fresh_plan()));
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
