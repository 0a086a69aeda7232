//! Okta Expression Language, as far as the sandbox needs it: which profile attributes a mapping
//! expression reads, so that deleting one of them can be refused as Okta does.
//!
//! The sandbox's own reading, kept apart from the client's (`config::expression`) on purpose:
//! a mistake both made would pass unnoticed. Okta's roots in mappings (help page "Modify
//! attributes with expressions"): `source.x` is the mapping's source in either direction,
//! `user.x` the Okta user (Okta → app), `appuser.x` (`appUser.x` in Okta's help) the in-context
//! app user (app → Okta); `user.getInternalProperty("id")` reads an internal property, not the
//! profile. The expression is cut into tokens first, so text in string literals — `"user.x"`,
//! `'it''s user.x'`, `"a \"user.x\""` — never counts.

/// Whose profile a reference reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// `user`: the Okta user profile.
    User,
    /// `appuser` / `appUser`: the in-context app user profile.
    AppUser,
    /// `source`: the profile on the mapping's source side.
    Source,
}

/// Something an expression reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// `user.title`: profile attribute `title` of `root`.
    Attribute { root: Root, name: String },
    /// `user.getInternalProperty("status")`: an internal property, not a profile attribute.
    Internal { root: Root, name: String },
}

/// Every reference in `expression`, in order of appearance (repeats kept).
pub fn references(expression: &str) -> Vec<Reference> {
    let tokens = tokens(expression);
    let mut found = Vec::new();
    for (at, token) in tokens.iter().enumerate() {
        let Token::Word(word) = token else { continue };
        let Some(root) = root_of(word) else { continue };
        // `foo.user.x` reads a member of `foo`, not the user.
        if at > 0 && tokens[at - 1] == Token::Dot {
            continue;
        }
        let (Some(Token::Dot), Some(Token::Word(name))) = (tokens.get(at + 1), tokens.get(at + 2))
        else {
            continue;
        };
        match (tokens.get(at + 3), tokens.get(at + 4)) {
            (Some(Token::Open), Some(Token::Text(property))) if *name == "getInternalProperty" => {
                found.push(Reference::Internal {
                    root,
                    name: property.clone(),
                });
            }
            // Another method of the user (`getLinkedObject("manager")`, …): no attribute of it.
            (Some(Token::Open), _) => {}
            _ => found.push(Reference::Attribute {
                root,
                name: (*name).to_string(),
            }),
        }
    }
    found
}

fn root_of(word: &str) -> Option<Root> {
    match word {
        "user" => Some(Root::User),
        "appuser" | "appUser" => Some(Root::AppUser),
        "source" => Some(Root::Source),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'a> {
    /// An identifier: `user`, `String`, `firstName`, `$x`.
    Word(&'a str),
    /// `.` or the safe navigation `?.`.
    Dot,
    /// `(`.
    Open,
    /// A string literal's content, escapes resolved.
    Text(String),
    /// Anything else: numbers, operators, `,`, `)`, `?`, `:` …
    Other,
}

fn starts_word(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '$'
}

fn in_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

fn tokens(expression: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut chars = expression.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let token = match c {
            _ if c.is_whitespace() => continue,
            '"' | '\'' => Token::Text(literal(&mut chars, c)),
            '.' => Token::Dot,
            '?' if chars.peek().is_some_and(|&(_, n)| n == '.') => {
                chars.next();
                Token::Dot
            }
            '(' => Token::Open,
            _ if starts_word(c) => {
                let mut end = start + c.len_utf8();
                while let Some(&(at, n)) = chars.peek().filter(|&&(_, n)| in_word(n)) {
                    end = at + n.len_utf8();
                    chars.next();
                }
                Token::Word(&expression[start..end])
            }
            _ if c.is_ascii_digit() => {
                // A number, with any letters glued to it (`1L`, `0x1F`): never a root.
                while chars.peek().is_some_and(|&(_, n)| in_word(n)) {
                    chars.next();
                }
                Token::Other
            }
            _ => Token::Other,
        };
        out.push(token);
    }
    out
}

/// Reads a string literal after its opening `quote`: `\` escapes the next character and a
/// doubled quote stands for one (SpEL's `'it''s'`). An unterminated literal runs to the end.
fn literal(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, quote: char) -> String {
    let mut text = String::new();
    while let Some((_, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    text.push(escaped);
                }
            }
            _ if c == quote => {
                if chars.peek().is_some_and(|&(_, n)| n == quote) {
                    chars.next();
                    text.push(quote);
                } else {
                    break;
                }
            }
            _ => text.push(c),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::Root::{AppUser, Source, User};
    use super::*;

    fn attributes(expression: &str) -> Vec<(Root, String)> {
        references(expression)
            .into_iter()
            .filter_map(|r| match r {
                Reference::Attribute { root, name } => Some((root, name)),
                Reference::Internal { .. } => None,
            })
            .collect()
    }

    fn pairs(expected: &[(Root, &str)]) -> Vec<(Root, String)> {
        expected.iter().map(|(r, n)| (*r, n.to_string())).collect()
    }

    #[test]
    fn reads_each_root() {
        assert_eq!(attributes("user.email"), pairs(&[(User, "email")]));
        assert_eq!(
            attributes("appuser.userName + appUser.email + source.login"),
            pairs(&[(AppUser, "userName"), (AppUser, "email"), (Source, "login")])
        );
        assert_eq!(attributes("  user.title  "), pairs(&[(User, "title")]));
    }

    #[test]
    fn string_literals_are_text_not_references() {
        assert!(attributes("\"user.email\"").is_empty());
        assert!(attributes("'appuser.x' + \"source.y\"").is_empty());
        assert!(attributes("\"say \\\"user.x\\\" twice\"").is_empty());
        assert!(attributes("'it''s user.x'").is_empty());
        assert_eq!(
            attributes("\"user.a\" + user.b + 'c.user.d' + \"é\" + user.e"),
            pairs(&[(User, "b"), (User, "e")])
        );
        // Unterminated: the rest is text.
        assert!(attributes("\"user.x").is_empty());
    }

    #[test]
    fn function_arguments_and_ternaries() {
        assert_eq!(
            attributes("String.join(\", \", user.firstName, user.lastName)"),
            pairs(&[(User, "firstName"), (User, "lastName")])
        );
        assert_eq!(
            attributes("String.substringBefore(user.email, \"@\")"),
            pairs(&[(User, "email")])
        );
        assert_eq!(
            attributes("user.nickName != null ? user.nickName : appuser.userName"),
            pairs(&[
                (User, "nickName"),
                (User, "nickName"),
                (AppUser, "userName")
            ])
        );
        assert_eq!(
            attributes("user.a==null?\"none\":user.b"),
            pairs(&[(User, "a"), (User, "b")])
        );
        assert_eq!(
            attributes("Arrays.contains(user.roles, \"admin\") ? 'admin' : 'user.role'"),
            pairs(&[(User, "roles")])
        );
    }

    #[test]
    fn members_namespaces_and_lookalikes_are_not_roots() {
        assert!(attributes("String.toUpperCase(\"a\")").is_empty());
        assert!(attributes("org.name").is_empty());
        assert!(attributes("foo.user.email").is_empty());
        assert!(attributes("username.x + myuser.y + user_x.z").is_empty());
        assert!(attributes("user").is_empty());
        assert!(attributes("user.").is_empty());
        assert!(attributes("1.user").is_empty());
        assert_eq!(attributes("1.5 * user.n"), pairs(&[(User, "n")]));
    }

    #[test]
    fn safe_navigation_and_calls_on_values() {
        assert_eq!(attributes("user?.title"), pairs(&[(User, "title")]));
        assert_eq!(
            attributes("user.email.substring(0, 3)"),
            pairs(&[(User, "email")])
        );
    }

    #[test]
    fn internal_properties_and_methods_are_not_attributes() {
        assert_eq!(
            references("user.getInternalProperty(\"status\") + user.getInternalProperty('id')"),
            vec![
                Reference::Internal {
                    root: User,
                    name: "status".into()
                },
                Reference::Internal {
                    root: User,
                    name: "id".into()
                },
            ]
        );
        assert!(attributes("user.getInternalProperty(\"created\")").is_empty());
        // Another user's attribute, not this one's.
        assert!(attributes("user.getLinkedObject(\"manager\").email").is_empty());
    }
}
