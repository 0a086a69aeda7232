//! `oktaform check scim`: per app, one line per check — ✔ or ✘, what was found, and for a ✘
//! what to do — and the same as JSON.

use serde_json::{Value, json};

use crate::scim::AppReport;

/// The report for people.
pub fn text(reports: &[AppReport]) -> String {
    let mut out = String::new();
    for report in reports {
        out.push_str(&format!("app {} ({}):\n", report.app, report.base_url));
        for check in &report.checks {
            let mark = if check.ok { "✔" } else { "✘" };
            out.push_str(&format!("  {mark} {}: {}\n", check.check, check.detail));
            if let Some(fix) = &check.fix {
                out.push_str(&format!("      → {fix}\n"));
            }
        }
    }
    let failed: usize = reports
        .iter()
        .map(|r| r.checks.iter().filter(|c| !c.ok).count())
        .sum();
    let total: usize = reports.iter().map(|r| r.checks.len()).sum();
    if failed == 0 {
        out.push_str(&format!("All {total} checks passed.\n"));
    } else {
        out.push_str(&format!("{failed} of {total} checks failed.\n"));
    }
    out
}

/// The report for machines: `{"ok": …, "apps": [{"app", "base_url", "ok", "checks": […]}]}`.
pub fn json(reports: &[AppReport]) -> Value {
    let apps: Vec<Value> = reports
        .iter()
        .map(|r| json!({"app": r.app, "base_url": r.base_url, "ok": r.ok(), "checks": r.checks}))
        .collect();
    json!({"ok": reports.iter().all(AppReport::ok), "apps": apps})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::Check;

    fn report() -> Vec<AppReport> {
        vec![AppReport {
            app: "luciq".into(),
            base_url: "http://127.0.0.1:1/v2".into(),
            checks: vec![
                Check {
                    check: "SCIM 2.0".into(),
                    ok: true,
                    detail: "the URL answers SCIM 2.0".into(),
                    fix: None,
                },
                Check {
                    check: "attribute instabugRole".into(),
                    ok: false,
                    detail: "instabugRole has no external name: Okta never sends it to the vendor"
                        .into(),
                    fix: Some("set external_name: instabugRole on attribute instabugRole".into()),
                },
            ],
        }]
    }

    #[test]
    fn text_marks_each_check_and_says_what_to_do() {
        insta::assert_snapshot!(text(&report()));
    }

    #[test]
    fn json_says_whether_all_passed() {
        let doc = json(&report());
        assert_eq!(doc["ok"], false);
        assert_eq!(
            doc["apps"][0]["checks"][1]["fix"],
            "set external_name: instabugRole on attribute instabugRole"
        );
    }
}
