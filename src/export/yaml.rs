//! Just enough YAML writing for an exported config: scalars written plain when no YAML 1.2
//! (or 1.1) reader could take them for anything but the same string, else double-quoted
//! (a JSON string is a valid YAML double-quoted scalar); flow maps and lists.

use serde_json::Value;

/// A string as a YAML scalar.
pub fn string(text: &str) -> String {
    if plain_is_safe(text) {
        text.to_string()
    } else {
        Value::String(text.to_string()).to_string()
    }
}

/// A JSON value as a YAML scalar or flow collection.
pub fn value(v: &Value) -> String {
    match v {
        Value::String(s) => string(s),
        Value::Array(items) => list(items.iter().map(value)),
        Value::Object(map) => map_of(map.iter().map(|(k, v)| (string(k), value(v)))),
        other => other.to_string(),
    }
}

/// `[a, b]`.
pub fn list(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(", "))
}

/// `{ k: v, … }` from rendered keys and values.
pub fn map_of(pairs: impl Iterator<Item = (String, String)>) -> String {
    let pairs: Vec<String> = pairs.map(|(k, v)| format!("{k}: {v}")).collect();
    if pairs.is_empty() {
        "{}".into()
    } else {
        format!("{{ {} }}", pairs.join(", "))
    }
}

fn plain_is_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let allowed = |c: char| c.is_alphanumeric() || " _-./@:+()'".contains(c);
    (first.is_alphabetic() || (first.is_ascii_digit() && id_like(text)))
        && text.chars().all(allowed)
        && !text.ends_with([' ', ':'])
        && !text.contains(": ")
        && !text.contains(" #")
        && !reserved(text)
}

/// Starts with a digit but no YAML reader takes it for a number: it has a letter, it is not
/// hex/octal/binary (`0x1f`), not an exponent (`1e5`), and has no `:` (YAML 1.1 reads
/// `1:20` as sexagesimal). Okta ids (`0oa2QHF9mGKq9938r8P8`) are.
fn id_like(text: &str) -> bool {
    let prefixed = |p: &str, digits: &str| {
        text.strip_prefix(p).is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| digits.contains(c) || c == '_')
        })
    };
    let exponent = text.split_once(['e', 'E']).is_some_and(|(m, e)| {
        m.chars().all(|c| c.is_ascii_digit() || c == '.')
            && e.trim_start_matches(['+', '-'])
                .chars()
                .all(|c| c.is_ascii_digit())
    });
    text.chars().any(|c| c.is_ascii_alphabetic())
        && !prefixed("0x", "0123456789abcdefABCDEF")
        && !prefixed("0o", "01234567")
        && !prefixed("0b", "01")
        && !exponent
        && !text.contains(':')
}

/// Words some YAML reader takes for a boolean or null.
fn reserved(text: &str) -> bool {
    matches!(
        text.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_only_when_it_reads_back_as_the_same_string() {
        assert_eq!(string("adminstrator"), "adminstrator");
        assert_eq!(string("iOS App"), "iOS App");
        assert_eq!(string("alice@example.com"), "alice@example.com");
        assert_eq!(
            string("urn:ietf:params:scim:schemas:extension:instabug:2.0:User"),
            "urn:ietf:params:scim:schemas:extension:instabug:2.0:User"
        );
        assert_eq!(string("0oa2QHF9mGKq9938r8P8"), "0oa2QHF9mGKq9938r8P8");
        for tricky in [
            "yes", "No", "null", "01234", "12", "1.5", "", " x", "a: b", "a #b", "[x]", "a,b",
            "@x", "-x", "x:", "${env:X}", "0x1f", "1e5", "0o17", "1:20",
        ] {
            let written = string(tricky);
            assert!(written.starts_with('"'), "{tricky:?} → {written}");
            let back: String = serde_saphyr::from_str(&written).unwrap();
            assert_eq!(back, tricky);
        }
        assert_eq!(
            value(&json!({"instabugRole": "member", "apps": ["iOS App", "Web App"], "count": 3})),
            "{ instabugRole: member, apps: [iOS App, Web App], count: 3 }"
        );
    }
}
