//! The apply report: each change's outcome, in plan order, then one line that says what is
//! known and what to do — "run apply again" only when that is safe, a console check only when
//! the org's state is unknown.

use crate::apply::write::Known;
use crate::apply::{Outcome, Report};
use crate::plan::Change;

/// The report for people.
pub fn text(report: &Report) -> String {
    let mut out = String::from("\n");
    for (change, outcome) in &report.results {
        let what = what(change);
        let sign = change.action.symbol();
        let line = match outcome {
            Outcome::Applied => format!("applied  {sign} {what}"),
            Outcome::AppliedConfirmedByReread => {
                format!("applied  {sign} {what} (the answer broke off; confirmed by re-reading)")
            }
            Outcome::Skipped => {
                format!("skipped  {sign} {what} (not sent: an earlier change of this app failed)")
            }
            Outcome::Manual => {
                format!("manual   {sign} {what} (Admin Console steps above; not applied)")
            }
            Outcome::NotApplied { reason } => {
                format!("stopped  {sign} {what}: not applied ({reason})")
            }
            Outcome::Failed { error, known } => {
                let head = match known {
                    Known::Unknown => "UNKNOWN ",
                    _ => "FAILED  ",
                };
                format!(
                    "{head} {sign} {what}: {}\n    {}",
                    known.describe(),
                    error.replace('\n', "\n    ")
                )
            }
        };
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let applied = report.count(Outcome::is_applied);
    let failed = report.count(|o| matches!(o, Outcome::Failed { .. }));
    let unknown = report.count(|o| {
        matches!(
            o,
            Outcome::Failed {
                known: Known::Unknown,
                ..
            }
        )
    });
    let skipped = report.count(|o| matches!(o, Outcome::Skipped));
    let stopped = report.count(|o| matches!(o, Outcome::NotApplied { .. }));
    let manual = report.count(|o| matches!(o, Outcome::Manual));
    let next = if stopped > 0 {
        format!(
            " Stopped before {stopped} change{}: run plan to see where the org stands, then apply again.",
            plural(stopped)
        )
    } else if unknown > 0 {
        format!(
            " {unknown} change{} may or may not have taken effect: check {} in the Admin Console, then run apply again.",
            plural(unknown),
            if unknown == 1 { "it" } else { "them" }
        )
    } else if failed > 0 {
        " Fix the error and run apply again: it continues from where the org is now.".to_string()
    } else {
        String::new()
    };
    out.push_str(&format!(
        "\nApplied {applied} change{}; {failed} failed, {skipped} skipped, {manual} manual step{} left.{next}\n",
        plural(applied),
        plural(manual),
    ));
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `luciq: user assignment alice@example.com`.
fn what(change: &Change) -> String {
    let subject = serde_json::to_value(&change.subject).unwrap_or_default();
    let name = ["name", "property", "login", "group"]
        .into_iter()
        .find_map(|k| subject.get(k).and_then(|v| v.as_str()))
        .unwrap_or_default();
    let kind = subject
        .get("kind")
        .and_then(|k| k.as_str())
        .unwrap_or_default()
        .replace('_', " ");
    let app = change
        .subject
        .app()
        .map(|a| format!("{a}: "))
        .unwrap_or_default();
    format!("{app}{kind} {name}").trim_end().to_string()
}
