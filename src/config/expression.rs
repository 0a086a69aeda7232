//! Okta Expression Language, just enough to check mappings offline: which profile attributes an
//! expression reads (`user.email`, `appuser.userName`), found outside string literals.

/// A profile attribute an expression reads: `user.email` → root `user`, name `email`, at byte 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable<'a> {
    pub root: &'a str,
    pub name: &'a str,
    /// Byte offset of the root in the expression.
    pub offset: usize,
}

/// The profile roots mappings read from.
pub const PROFILE_ROOTS: &[&str] = &["user", "appuser"];

/// Every `user.X` / `appuser.X` in `expression`, in order. Function namespaces (`String.`,
/// `Arrays.`, …), string literals and method calls on results are not variables.
pub fn variables(expression: &str) -> Vec<Variable<'_>> {
    let bytes = expression.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' || c == b'\'' {
            // Skip the literal, honouring backslash escapes.
            i += 1;
            while i < bytes.len() && bytes[i] != c {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            continue;
        }
        if is_ident_start(c) {
            let start = i;
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            let preceded_by_dot = start > 0 && bytes[start - 1] == b'.';
            let root = &expression[start..i];
            if !preceded_by_dot
                && PROFILE_ROOTS.contains(&root)
                && bytes.get(i) == Some(&b'.')
                && bytes.get(i + 1).is_some_and(|b| is_ident_start(*b))
            {
                let name_start = i + 1;
                let mut end = name_start;
                while end < bytes.len() && is_ident(bytes[end]) {
                    end += 1;
                }
                found.push(Variable {
                    root,
                    name: &expression[name_start..end],
                    offset: start,
                });
                i = end;
            }
            continue;
        }
        i += 1;
    }
    found
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$'
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(expression: &str) -> Vec<(String, String)> {
        variables(expression)
            .into_iter()
            .map(|v| (v.root.to_string(), v.name.to_string()))
            .collect()
    }

    #[test]
    fn finds_profile_variables() {
        assert_eq!(names("user.email"), [("user".into(), "email".into())]);
        assert_eq!(
            names("String.substringBefore(user.email, \"@\") + appuser.userName"),
            [
                ("user".into(), "email".into()),
                ("appuser".into(), "userName".into())
            ]
        );
    }

    #[test]
    fn ignores_literals_namespaces_and_member_calls() {
        assert!(names("\"user.email\" + 'appuser.x'").is_empty());
        assert!(names("String.toUpperCase(\"a\")").is_empty());
        assert!(names("org.name").is_empty());
        assert!(names("foo.user.email").is_empty());
        assert!(names("username.x").is_empty());
    }

    #[test]
    fn reports_offsets() {
        let vars = variables("  user.title");
        assert_eq!(vars[0].offset, 2);
    }
}
