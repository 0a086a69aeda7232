//! Ignore rules (`ignore:` in the config, `--ignore` on the command line), in the spirit of
//! Argo CD's `ignoreDifferences`: a rule matches by app, kind and name; with `field` it
//! silences only that setting, without it the whole finding.

use crate::config::model::IgnoreRule;
use crate::plan::Subject;
use crate::plan::attribute::FieldChange;

fn matches(rule: &IgnoreRule, subject: &Subject) -> bool {
    rule.app
        .as_deref()
        .is_none_or(|app| subject.app() == Some(app))
        && rule.kind.is_none_or(|kind| subject.kind() == kind)
        && rule
            .name
            .as_deref()
            .is_none_or(|name| subject.name().is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

/// The finding's fields with the rules applied, or `None` when a rule silences it whole (or
/// every setting it had). `ignored` counts what was silenced.
pub fn apply(
    rules: &[IgnoreRule],
    subject: &Subject,
    mut fields: Vec<FieldChange>,
    ignored: &mut usize,
) -> Option<Vec<FieldChange>> {
    for rule in rules.iter().filter(|r| matches(r, subject)) {
        match &rule.field {
            None => {
                *ignored += 1;
                return None;
            }
            Some(field) => {
                let before = fields.len();
                fields.retain(|f| !f.field.eq_ignore_ascii_case(field));
                if fields.len() < before {
                    *ignored += before - fields.len();
                    if fields.is_empty() {
                        return None;
                    }
                }
            }
        }
    }
    Some(fields)
}
