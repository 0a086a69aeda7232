//! The attribute-flow diagram (`oktaform graph`, and the PR comment of `plan --format
//! markdown`): per app, Okta-user attributes → mappings (with push status) → app-user
//! attributes → SCIM name and namespace, assignment values as the other source of an app
//! attribute, and app → Okta user mappings. With a plan, what it would add, change or remove
//! is marked (colour and a sign in the label, so it reads without colour too).
//!
//! It reads the config (what the flow is meant to be) and a plan (what changes): a renderer,
//! above both. [`build`] makes the model; [`mermaid`] and [`dot`] draw it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::config::Config;
use crate::config::expression::variables;
use crate::plan::{Action, Direction, Op, Plan, Subject};

/// What the plan does to a node or an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Add,
    Change,
    Remove,
}

impl Mark {
    fn sign(self) -> &'static str {
        match self {
            Mark::Add => "+",
            Mark::Change => "~",
            Mark::Remove => "−",
        }
    }
    fn class(self) -> &'static str {
        match self {
            Mark::Add => "add",
            Mark::Change => "change",
            Mark::Remove => "remove",
        }
    }
    fn from_action(action: Action) -> Mark {
        match action {
            Action::Create => Mark::Add,
            Action::Delete => Mark::Remove,
            _ => Mark::Change,
        }
    }
}

/// The kinds of box, left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// An Okta user profile attribute (`user.x`).
    OktaUser,
    /// Values set per user and group assignment.
    Assignment,
    /// A mapping: its expression and push status.
    Mapping,
    /// An app user profile attribute.
    AppUser,
    /// The attribute's name in the SCIM payload.
    Scim,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    /// Lines of the label.
    pub lines: Vec<String>,
    pub mark: Option<Mark>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub mark: Option<Mark>,
}

/// One app's flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppFlow {
    /// The config's name of the app.
    pub app: String,
    pub title: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl AppFlow {
    fn node(&mut self, kind: NodeKind, key: &str, lines: Vec<String>) -> String {
        let prefix = match kind {
            NodeKind::OktaUser => "u",
            NodeKind::Assignment => "as",
            NodeKind::Mapping => "m",
            NodeKind::AppUser => "a",
            NodeKind::Scim => "s",
        };
        let id = format!("{}_{prefix}_{}", ident(&self.app), ident(key));
        if !self.nodes.iter().any(|n| n.id == id) {
            self.nodes.push(Node {
                id: id.clone(),
                kind,
                lines,
                mark: None,
            });
        }
        id
    }

    fn edge(&mut self, from: &str, to: &str, mark: Option<Mark>) {
        if !self.edges.iter().any(|e| e.from == from && e.to == to) {
            self.edges.push(Edge {
                from: from.into(),
                to: to.into(),
                mark,
            });
        }
    }

    fn mark(&mut self, id: &str, mark: Mark) {
        if let Some(node) = self.nodes.iter_mut().find(|n| n.id == id) {
            node.mark = Some(mark);
        }
    }

    /// True when the plan changes something in this flow.
    pub fn changed(&self) -> bool {
        self.nodes.iter().any(|n| n.mark.is_some()) || self.edges.iter().any(|e| e.mark.is_some())
    }
}

/// A mermaid/dot identifier: letters, digits and `_` only (others as `_xx` hex).
fn ident(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else {
            let _ = write!(out, "_{:x}", c as u32);
        }
    }
    out
}

fn push_label(push: Option<&str>) -> &'static str {
    match push {
        Some("PUSH") => "create and update",
        Some("DONT_PUSH") => "create only",
        _ => "push status as in the org",
    }
}

/// The flow of every app of `config`, marked with what `plan` changes.
pub fn build(config: &Config, plan: Option<&Plan>) -> Vec<AppFlow> {
    let mut changes: BTreeMap<(String, &'static str, String), (Mark, Option<&Op>)> =
        BTreeMap::new();
    let mut okta_changes: BTreeMap<String, Mark> = BTreeMap::new();
    for change in plan.map(|p| p.changes.as_slice()).unwrap_or_default() {
        let mark = Mark::from_action(change.action);
        match &change.subject {
            Subject::Mapping {
                app,
                direction,
                property,
            } => {
                let key = match direction {
                    Direction::ToApp => "to_app",
                    Direction::ToOkta => "to_okta",
                };
                // A mapping removed only to be set again around a re-create is not a removal.
                let mark = match &change.op {
                    Op::RemoveMapping {
                        for_replace: true, ..
                    } => Mark::Change,
                    _ => mark,
                };
                changes
                    .entry((app.clone(), key, property.clone()))
                    .and_modify(|m| m.0 = Mark::Change)
                    .or_insert((mark, Some(&change.op)));
            }
            Subject::AppAttribute { app, name } => {
                changes.insert((app.clone(), "attribute", name.clone()), (mark, None));
            }
            Subject::OktaUserAttribute { name } => {
                okta_changes.insert(name.clone(), mark);
            }
            _ => {}
        }
    }
    let mut flows = Vec::new();
    for (name, app) in &config.apps {
        let name = name.value.clone();
        let title = match plan.and_then(|p| p.apps.get(&name)) {
            Some(found) => format!("{name} ({})", found.label),
            None => name.clone(),
        };
        let mut flow = AppFlow {
            app: name.clone(),
            title,
            nodes: Vec::new(),
            edges: Vec::new(),
        };
        let attribute_node = |flow: &mut AppFlow, attribute: &str| {
            let declared = app.attributes.get(attribute);
            let id = flow.node(
                NodeKind::AppUser,
                attribute,
                vec![
                    "app user".into(),
                    match declared {
                        Some(a) => format!("{attribute}: {}", a.kind.value.label()),
                        None => format!("{attribute} (base)"),
                    },
                ],
            );
            if let Some(a) = declared {
                let external = a
                    .external_name
                    .as_ref()
                    .map_or(attribute, |e| e.value.as_str());
                let mut lines = vec!["SCIM".to_string(), external.to_string()];
                if let Some(ns) = &a.external_namespace {
                    lines.push(ns.value.clone());
                }
                let scim = flow.node(NodeKind::Scim, attribute, lines);
                flow.edge(&id, &scim, None);
            }
            id
        };
        let okta_node = |flow: &mut AppFlow, attribute: &str| {
            let declared = config
                .okta_user
                .as_ref()
                .and_then(|o| o.value.attributes.get(attribute));
            let id = flow.node(
                NodeKind::OktaUser,
                attribute,
                vec![
                    "Okta user".into(),
                    match declared {
                        Some(a) => format!("{attribute}: {}", a.kind.value.label()),
                        None => attribute.to_string(),
                    },
                ],
            );
            if let Some(mark) = okta_changes.get(attribute) {
                flow.mark(&id, *mark);
            }
            id
        };
        // Okta user → app.
        let mut removed: Vec<(String, &'static str, String)> = Vec::new();
        for (target, mapping) in &app.mappings.to_app {
            let key = (name.clone(), "to_app", target.value.clone());
            let planned = changes.get(&key).copied();
            let push = mapping
                .value
                .apply_on
                .map(|a| match a {
                    crate::config::model::ApplyOn::CreateAndUpdate => "PUSH",
                    crate::config::model::ApplyOn::CreateOnly => "DONT_PUSH",
                })
                .or(match planned.and_then(|p| p.1) {
                    Some(Op::SetMapping { push_status, .. }) => push_status.as_deref(),
                    _ => None,
                });
            let mark = planned.map(|p| p.0);
            let mut lines = vec![
                mapping.value.expression.clone(),
                push_label(push).to_string(),
            ];
            if let Some(mark) = mark {
                lines.insert(0, format!("{} mapping", mark.sign()));
            }
            let m = flow.node(
                NodeKind::Mapping,
                &format!("to_app {}", target.value),
                lines,
            );
            if let Some(mark) = mark {
                flow.mark(&m, mark);
            }
            for variable in variables(&mapping.value.expression) {
                if variable.root == "user" {
                    let u = okta_node(&mut flow, variable.name);
                    flow.edge(&u, &m, mark);
                }
            }
            let a = attribute_node(&mut flow, &target.value);
            flow.edge(&m, &a, mark);
        }
        for ((app_name, direction, property), (mark, op)) in &changes {
            if app_name != &name || *mark != Mark::Remove || *direction == "attribute" {
                continue;
            }
            let declared = match *direction {
                "to_app" => app.mappings.to_app.contains_key(property.as_str()),
                _ => app.mappings.to_okta.contains_key(property.as_str()),
            };
            if !declared {
                removed.push((
                    property.clone(),
                    direction,
                    match op {
                        Some(Op::RemoveMapping { before, .. }) => before.clone(),
                        _ => String::new(),
                    },
                ));
            }
        }
        // Values set per assignment: the other source of an app attribute.
        if let Some(assignments) = &app.assignments {
            let mut set: Vec<&str> = Vec::new();
            for profile in assignments.value.users.values().flatten() {
                set.extend(profile.keys().map(|k| k.value.as_str()));
            }
            for group in assignments.value.groups.values() {
                set.extend(group.profile.keys().map(|k| k.value.as_str()));
            }
            let mut seen = Vec::new();
            for attribute in set {
                if seen.contains(&attribute) {
                    continue;
                }
                seen.push(attribute);
                let s = flow.node(
                    NodeKind::Assignment,
                    attribute,
                    vec!["set per assignment".into(), "users and groups".into()],
                );
                let a = attribute_node(&mut flow, attribute);
                flow.edge(&s, &a, None);
            }
        }
        // App → Okta user.
        for (target, mapping) in &app.mappings.to_okta {
            let key = (name.clone(), "to_okta", target.value.clone());
            let mark = changes.get(&key).map(|p| p.0);
            let mut lines = vec![mapping.value.expression.clone(), "to Okta user".into()];
            if let Some(mark) = mark {
                lines.insert(0, format!("{} mapping", mark.sign()));
            }
            let m = flow.node(
                NodeKind::Mapping,
                &format!("to_okta {}", target.value),
                lines,
            );
            if let Some(mark) = mark {
                flow.mark(&m, mark);
            }
            for variable in variables(&mapping.value.expression) {
                if variable.root == "appuser" {
                    let a = attribute_node(&mut flow, variable.name);
                    flow.edge(&a, &m, mark);
                }
            }
            let u = okta_node(&mut flow, &target.value);
            flow.edge(&m, &u, mark);
        }
        // Mappings the plan removes (the org has them, the config does not).
        for (property, direction, before) in removed {
            let m = flow.node(
                NodeKind::Mapping,
                &format!("{direction} {property}"),
                vec!["− mapping".into(), before.clone(), "removed".into()],
            );
            flow.mark(&m, Mark::Remove);
            if direction == "to_app" {
                for variable in variables(&before) {
                    if variable.root == "user" {
                        let u = okta_node(&mut flow, variable.name);
                        flow.edge(&u, &m, Some(Mark::Remove));
                    }
                }
                let a = attribute_node(&mut flow, &property);
                flow.edge(&m, &a, Some(Mark::Remove));
            } else {
                for variable in variables(&before) {
                    if variable.root == "appuser" {
                        let a = attribute_node(&mut flow, variable.name);
                        flow.edge(&a, &m, Some(Mark::Remove));
                    }
                }
                let u = okta_node(&mut flow, &property);
                flow.edge(&m, &u, Some(Mark::Remove));
            }
        }
        // Attributes the plan creates, changes or deletes.
        let attributes: Vec<(String, Mark)> = changes
            .iter()
            .filter(|((a, kind, _), _)| a == &name && *kind == "attribute")
            .map(|((_, _, attribute), (mark, _))| (attribute.clone(), *mark))
            .collect();
        for (attribute, mark) in attributes {
            let id = attribute_node(&mut flow, &attribute);
            flow.mark(&id, mark);
        }
        flows.push(flow);
    }
    flows
}

/// Mermaid's entity codes for what a quoted label cannot hold.
fn mermaid_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            c => out.push(c),
        }
    }
    out
}

const STYLES: [(&str, &str); 3] = [
    ("add", "fill:#dafbe1,stroke:#1a7f37,stroke-width:2px"),
    ("change", "fill:#fff8c5,stroke:#9a6700,stroke-width:2px"),
    (
        "remove",
        "fill:#ffebe9,stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 5",
    ),
];

fn edge_color(mark: Mark) -> &'static str {
    match mark {
        Mark::Add => "#1a7f37",
        Mark::Change => "#9a6700",
        Mark::Remove => "#cf222e",
    }
}

/// A Mermaid flowchart of `flows` (left to right, one subgraph per app).
pub fn mermaid(flows: &[AppFlow]) -> String {
    let mut out = String::from("flowchart LR\n");
    let mut links = Vec::new();
    let mut classes: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for flow in flows {
        let _ = writeln!(
            out,
            "  subgraph {}[\"{}\"]",
            ident(&flow.app),
            mermaid_text(&format!("app {}", flow.title))
        );
        let _ = writeln!(out, "    direction LR");
        if flow.nodes.is_empty() {
            let _ = writeln!(
                out,
                "    {}_none[\"no mappings or attributes in the config\"]",
                ident(&flow.app)
            );
        }
        for node in &flow.nodes {
            let label = node
                .lines
                .iter()
                .map(|l| mermaid_text(l))
                .collect::<Vec<_>>()
                .join("<br/>");
            let (open, close) = match node.kind {
                NodeKind::OktaUser | NodeKind::AppUser => ("[\"", "\"]"),
                NodeKind::Assignment => ("([\"", "\"])"),
                NodeKind::Mapping => ("{{\"", "\"}}"),
                NodeKind::Scim => ("[/\"", "\"/]"),
            };
            let _ = writeln!(out, "    {}{open}{label}{close}", node.id);
            if let Some(mark) = node.mark {
                classes
                    .entry(mark.class())
                    .or_default()
                    .push(node.id.clone());
            }
        }
        let _ = writeln!(out, "  end");
        for edge in &flow.edges {
            match edge.mark {
                Some(mark) => {
                    let _ = writeln!(out, "  {} -->|\"{}\"| {}", edge.from, mark.sign(), edge.to);
                }
                None => {
                    let _ = writeln!(out, "  {} --> {}", edge.from, edge.to);
                }
            }
            links.push(edge.mark);
        }
    }
    for (class, style) in STYLES {
        let _ = writeln!(out, "  classDef {class} {style}");
    }
    for (class, ids) in &classes {
        let _ = writeln!(out, "  class {} {class}", ids.join(","));
    }
    for (index, mark) in links.iter().enumerate() {
        if let Some(mark) = mark {
            let _ = writeln!(
                out,
                "  linkStyle {index} stroke:{},stroke-width:2px",
                edge_color(*mark)
            );
        }
    }
    out
}

fn dot_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A Graphviz digraph of `flows` (one cluster per app).
pub fn dot(flows: &[AppFlow]) -> String {
    let mut out = String::from(
        "digraph oktaform {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for flow in flows {
        let _ = writeln!(out, "  subgraph cluster_{} {{", ident(&flow.app));
        let _ = writeln!(
            out,
            "    label=\"{}\";",
            dot_text(&format!("app {}", flow.title))
        );
        for node in &flow.nodes {
            let shape = match node.kind {
                NodeKind::OktaUser | NodeKind::AppUser => "box",
                NodeKind::Assignment => "box, style=rounded",
                NodeKind::Mapping => "hexagon",
                NodeKind::Scim => "parallelogram",
            };
            let label = node
                .lines
                .iter()
                .map(|l| dot_text(l))
                .collect::<Vec<_>>()
                .join("\\n");
            let style = match node.mark {
                Some(mark) => format!(
                    ", color=\"{}\", penwidth=2{}",
                    edge_color(mark),
                    if mark == Mark::Remove {
                        ", style=dashed"
                    } else {
                        ""
                    }
                ),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "    {} [shape={shape}, label=\"{label}\"{style}];",
                node.id
            );
        }
        for edge in &flow.edges {
            let style = match edge.mark {
                Some(mark) => format!(
                    " [label=\"{}\", color=\"{}\", penwidth=2{}]",
                    mark.sign(),
                    edge_color(mark),
                    if mark == Mark::Remove {
                        ", style=dashed"
                    } else {
                        ""
                    }
                ),
                None => String::new(),
            };
            let _ = writeln!(out, "    {} -> {}{style};", edge.from, edge.to);
        }
        let _ = writeln!(out, "  }}");
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::testing::*;
    use crate::plan::{Plan, diff};
    use serde_json::json;

    fn luciq_plan() -> (crate::config::Config, Plan) {
        let live = org(
            json!({}),
            live_app(vec!["SCIM_PROVISIONING"], json!({}), json!({})),
        );
        let config = config(LUCIQ);
        let changes = diff(&config, &live).unwrap();
        let plan = Plan::new("https://acme.okta.com".into(), &live, changes);
        (config, plan)
    }

    #[test]
    fn mermaid_of_the_luciq_flow_without_an_org() {
        let (config, _) = luciq_plan();
        insta::assert_snapshot!(mermaid(&build(&config, None)));
    }

    #[test]
    fn mermaid_of_the_luciq_flow_with_a_first_plan() {
        let (config, plan) = luciq_plan();
        let flows = build(&config, Some(&plan));
        assert!(flows[0].changed());
        insta::assert_snapshot!(mermaid(&flows));
    }

    #[test]
    fn dot_of_the_luciq_flow_with_a_first_plan() {
        let (config, plan) = luciq_plan();
        insta::assert_snapshot!(dot(&build(&config, Some(&plan))));
    }

    #[test]
    fn labels_and_ids_escape_what_the_syntax_reserves() {
        assert_eq!(ident("to_app first.name"), "to_app_20first_2ename");
        assert_eq!(
            mermaid_text(r##"user.a == "x" ? "<b>" : "#""##),
            "user.a == #quot;x#quot; ? #quot;#lt;b#gt;#quot; : #quot;#35;#quot;"
        );
        assert_eq!(dot_text(r#"a "b" \c"#), r#"a \"b\" \\c"#);
    }
}
