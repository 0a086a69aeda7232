//! Drift reports for a terminal or cron log (text), an issue or chat message (Markdown), and
//! machines (JSON, versioned): each finding with its kind, new or still, its fingerprint, the
//! settings that differ, and who changed it according to the System Log.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::diagnostics::Style;
use super::plan::{details, title};
use crate::drift::{Attribution, Finding, FindingKind, Report, Seen};

fn kind_label(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Changed => "changed",
        FindingKind::Missing => "missing",
        FindingKind::Unmanaged => "unmanaged",
    }
}

fn seen_label(seen: Seen) -> &'static str {
    match seen {
        Seen::New => "new",
        Seen::Still => "still",
    }
}

/// `2026-11-30T14:02:11.123Z` → `2026-11-30 14:02 UTC`.
fn when(published: &str) -> String {
    match (published.get(..10), published.get(11..16)) {
        (Some(day), Some(time)) if published.ends_with('Z') => format!("{day} {time} UTC"),
        _ => published.to_string(),
    }
}

/// "by jane@example.com at 2026-11-30 14:02 UTC (Admin Console, 10.1.2.3): application.lifecycle.update".
fn attribution(event: &Attribution) -> String {
    let mut from = vec![event.via.label().to_string()];
    if let Some(ip) = &event.ip_address {
        from.push(ip.clone());
    }
    format!(
        "by {} at {} ({}): {}",
        event.actor,
        when(&event.published),
        from.join(", "),
        event.event_type
    )
}

/// One line per System Log event, or why there is none.
fn who(finding: &Finding, since: &str) -> Vec<String> {
    // What was never created has no event to show; what was changed or added should.
    if finding.events.is_empty() && finding.kind == FindingKind::Missing {
        return Vec::new();
    }
    if finding.events.is_empty() {
        return vec![format!(
            "no System Log event names it since {}",
            when(since)
        )];
    }
    // The latest first: it is the one that made the drift.
    let mut lines: Vec<String> = finding
        .events
        .iter()
        .rev()
        .take(SHOWN)
        .map(attribution)
        .collect();
    if finding.events.len() > SHOWN {
        lines.push(format!(
            "(+{} earlier event{}; all of them in --format json)",
            finding.events.len() - SHOWN,
            plural(finding.events.len() - SHOWN)
        ));
    }
    lines
}

/// System Log events shown per finding in text and Markdown.
const SHOWN: usize = 3;

fn heading(finding: &Finding, report: &Report) -> String {
    match finding.subject.app() {
        None => "Okta user profile".into(),
        Some(app) => match report.apps.get(app) {
            Some(found) => format!("app {app} ({}, {})", found.label, found.id),
            None => format!("app {app}"),
        },
    }
}

fn summary(report: &Report) -> String {
    if !report.drift {
        let pending = match report.pending.len() {
            0 => String::new(),
            n => format!(" ({n} console step{} pending, not drift)", plural(n)),
        };
        return format!("No drift: the org matches the config{pending}.");
    }
    format!(
        "Drift: {} finding{} ({} new){}. Fingerprint {}.",
        report.findings.len(),
        plural(report.findings.len()),
        report.new_count(),
        match report.ignored {
            0 => String::new(),
            n => format!(", {n} ignored"),
        },
        report.fingerprint
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Text for a terminal or a cron log.
pub fn text(report: &Report, style: Style) -> String {
    let bold = |t: &str| match style {
        Style::Color => format!("\x1b[1m{t}\x1b[0m"),
        Style::Plain => t.to_string(),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} (System Log since {})",
        bold("oktaform drift for"),
        report.org,
        when(&report.since)
    );
    let mut current = None;
    for finding in &report.findings {
        let heading = heading(finding, report);
        if current.as_ref() != Some(&heading) {
            let _ = writeln!(out, "\n{}", bold(&heading));
            current = Some(heading);
        }
        let _ = writeln!(
            out,
            "{:>3} {} [{}, {}] {}",
            finding.action.symbol(),
            title(&finding.change),
            kind_label(finding.kind),
            seen_label(finding.seen),
            finding.fingerprint
        );
        for line in details(&finding.change) {
            let _ = writeln!(out, "      {line}");
        }
        for line in who(finding, &report.since) {
            let _ = writeln!(out, "      {line}");
        }
    }
    if !report.pending.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            bold(
                "Console steps still to do (not drift: pending at the last clean run, or no --state to tell):"
            )
        );
        for finding in &report.pending {
            let _ = writeln!(out, "  ! {}", finding.subject);
        }
    }
    let _ = writeln!(out, "\n{}", bold(&summary(report)));
    out
}

/// Markdown for an issue or a chat message.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### oktaform drift for `{}`\n", report.org);
    let _ = writeln!(out, "**{}**\n", summary(report));
    for finding in &report.findings {
        let _ = writeln!(
            out,
            "- **{}** — {} `{}` ({}, {})",
            finding.subject,
            kind_label(finding.kind),
            finding.fingerprint,
            seen_label(finding.seen),
            if finding.console {
                "Admin Console only"
            } else {
                "oktaform apply restores it"
            }
        );
        for line in details(&finding.change) {
            let _ = writeln!(out, "  - {line}");
        }
        for line in who(finding, &report.since) {
            let _ = writeln!(out, "  - {line}");
        }
    }
    if !report.pending.is_empty() {
        let _ = writeln!(
            out,
            "\n<details><summary>Console steps still to do (not drift)</summary>\n"
        );
        for finding in &report.pending {
            let _ = writeln!(out, "- {}", finding.subject);
        }
        let _ = writeln!(out, "\n</details>");
    }
    out
}

/// The versioned JSON document of `drift --format json`.
pub fn json_document(report: &Report) -> Value {
    json!(report)
}
