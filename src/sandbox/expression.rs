//! Okta Expression Language, as far as the sandbox needs it: which profile attributes a mapping
//! expression reads, so that deleting one of them can be refused as Okta does ([`references`]),
//! and what a mapping expression gives for a user ([`evaluate`]).
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

// Evaluation.

use serde_json::{Map, Value};

/// What an expression reads: the Okta user (the user object, whose `profile` `user.x` reads)
/// and, for app → Okta mappings, the app user's profile. `source` is the mapping's source side.
pub struct Context<'a> {
    pub user: &'a Value,
    pub app_user: Option<&'a Map<String, Value>>,
    /// Whether the mapping's source is the app user (app → Okta) rather than the Okta user.
    pub source_is_app_user: bool,
}

/// The value of a mapping expression, or `None` where the sandbox cannot tell (a function or
/// construct it does not implement, a type error): then it neither enforces nor writes the
/// mapping, rather than guess. The subset, after Okta's help page "Okta Expression Language"
/// and the spec's mapping examples (`user.firstName + user.lastName`): `user.x`, `appuser.x`
/// (`appUser.x`), `source.x`, `user.getInternalProperty("id")`, string, number, `true`,
/// `false` and `null` literals, `+` (string concatenation as SpEL does it, `null` written
/// `null`; numbers add), `==`, `!=`, `!`, `&&`/`AND`, `||`/`OR`, `cond ? a : b`, `a ?: b`,
/// parentheses, and the functions `String.join(sep, …)` (arrays spread, nulls left out —
/// unverified), `String.toUpperCase`, `String.toLowerCase`, `String.substringBefore`,
/// `String.substringAfter`, `String.stringContains`, `String.len`, `Arrays.contains`,
/// `Arrays.isEmpty`, `Arrays.size`, `Arrays.toCsvString`.
pub fn evaluate(expression: &str, context: &Context) -> Option<Value> {
    let tokens = eval_tokens(expression)?;
    let mut parser = Eval {
        tokens,
        at: 0,
        context,
    };
    let value = parser.ternary()?;
    (parser.at == parser.tokens.len()).then_some(value)
}

#[derive(Debug, Clone, PartialEq)]
enum T {
    Text(String),
    Number(f64),
    Word(String),
    Sym(&'static str),
}

fn eval_tokens(expression: &str) -> Option<Vec<T>> {
    let chars: Vec<char> = expression.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '\'' {
            let mut text = String::new();
            i += 1;
            loop {
                let n = *chars.get(i)?;
                i += 1;
                if n == '\\' {
                    text.push(*chars.get(i)?);
                    i += 1;
                } else if n == c {
                    if chars.get(i) == Some(&c) {
                        text.push(c);
                        i += 1;
                    } else {
                        break;
                    }
                } else {
                    text.push(n);
                }
            }
            out.push(T::Text(text));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(T::Number(text.parse().ok()?));
        } else if starts_word(c) {
            let start = i;
            while i < chars.len() && in_word(chars[i]) {
                i += 1;
            }
            out.push(T::Word(chars[start..i].iter().collect()));
        } else if let Some(sym) = ["==", "!=", "&&", "||", "?:", "?."]
            .into_iter()
            .find(|s| *s == two)
        {
            out.push(T::Sym(if sym == "?." { "." } else { sym }));
            i += 2;
        } else {
            let sym = match c {
                '.' => ".",
                ',' => ",",
                '(' => "(",
                ')' => ")",
                '?' => "?",
                ':' => ":",
                '+' => "+",
                '!' => "!",
                _ => return None,
            };
            out.push(T::Sym(sym));
            i += 1;
        }
    }
    Some(out)
}

struct Eval<'a, 'c> {
    tokens: Vec<T>,
    at: usize,
    context: &'a Context<'c>,
}

fn truthy(value: &Value) -> Option<bool> {
    value.as_bool()
}

/// Two values the same, numbers by value.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        _ => a == b,
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

impl Eval<'_, '_> {
    fn peek(&self) -> Option<&T> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, sym: &str) -> bool {
        if matches!(self.peek(), Some(T::Sym(s)) if *s == sym) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, words: &[&str]) -> bool {
        if matches!(self.peek(), Some(T::Word(w)) if words.contains(&w.as_str())) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn ternary(&mut self) -> Option<Value> {
        let condition = self.or()?;
        if self.eat("?:") {
            let other = self.ternary()?;
            return Some(if condition.is_null() {
                other
            } else {
                condition
            });
        }
        if self.eat("?") {
            let yes = self.ternary()?;
            if !self.eat(":") {
                return None;
            }
            let no = self.ternary()?;
            return Some(if truthy(&condition)? { yes } else { no });
        }
        Some(condition)
    }

    fn or(&mut self) -> Option<Value> {
        let mut left = self.and()?;
        while self.eat("||") || self.eat_word(&["OR", "or"]) {
            let right = self.and()?;
            left = Value::Bool(truthy(&left)? || truthy(&right)?);
        }
        Some(left)
    }

    fn and(&mut self) -> Option<Value> {
        let mut left = self.equality()?;
        while self.eat("&&") || self.eat_word(&["AND", "and"]) {
            let right = self.equality()?;
            left = Value::Bool(truthy(&left)? && truthy(&right)?);
        }
        Some(left)
    }

    fn equality(&mut self) -> Option<Value> {
        let mut left = self.sum()?;
        loop {
            if self.eat("==") {
                let right = self.sum()?;
                left = Value::Bool(same(&left, &right));
            } else if self.eat("!=") {
                let right = self.sum()?;
                left = Value::Bool(!same(&left, &right));
            } else {
                return Some(left);
            }
        }
    }

    fn sum(&mut self) -> Option<Value> {
        let mut left = self.unary()?;
        while self.eat("+") {
            let right = self.unary()?;
            left = match (&left, &right) {
                (Value::Number(a), Value::Number(b)) => {
                    serde_json::Number::from_f64(a.as_f64()? + b.as_f64()?).map(Value::Number)?
                }
                (Value::String(_), _) | (_, Value::String(_)) => {
                    Value::String(text_of(&left) + &text_of(&right))
                }
                _ => return None,
            };
        }
        Some(left)
    }

    fn unary(&mut self) -> Option<Value> {
        if self.eat("!") {
            return Some(Value::Bool(!truthy(&self.unary()?)?));
        }
        self.primary()
    }

    fn arguments(&mut self) -> Option<Vec<Value>> {
        if !self.eat("(") {
            return None;
        }
        let mut args = Vec::new();
        if self.eat(")") {
            return Some(args);
        }
        loop {
            args.push(self.ternary()?);
            if self.eat(")") {
                return Some(args);
            }
            if !self.eat(",") {
                return None;
            }
        }
    }

    fn primary(&mut self) -> Option<Value> {
        let token = self.peek()?.clone();
        self.at += 1;
        match token {
            T::Text(t) => Some(Value::String(t)),
            T::Number(n) => serde_json::Number::from_f64(n).map(|n| match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => Value::from(f as i64),
                _ => Value::Number(n),
            }),
            T::Sym("(") => {
                let inner = self.ternary()?;
                self.eat(")").then_some(inner)
            }
            T::Word(word) => match word.as_str() {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                "null" => Some(Value::Null),
                _ => {
                    if !self.eat(".") {
                        return None;
                    }
                    let Some(T::Word(member)) = self.peek().cloned() else {
                        return None;
                    };
                    self.at += 1;
                    if matches!(self.peek(), Some(T::Sym("("))) {
                        let args = self.arguments()?;
                        return self.call(&word, &member, &args);
                    }
                    self.attribute(&word, &member)
                }
            },
            T::Sym(_) => None,
        }
    }

    fn attribute(&self, root: &str, name: &str) -> Option<Value> {
        let profile = match root_of(root)? {
            Root::User => self.context.user["profile"].as_object(),
            Root::AppUser => self.context.app_user,
            Root::Source if self.context.source_is_app_user => self.context.app_user,
            Root::Source => self.context.user["profile"].as_object(),
        }?;
        Some(profile.get(name).cloned().unwrap_or(Value::Null))
    }

    fn call(&self, namespace: &str, function: &str, args: &[Value]) -> Option<Value> {
        let text = |i: usize| args.get(i).and_then(Value::as_str);
        let strings = |values: &[Value]| -> Vec<String> {
            values
                .iter()
                .flat_map(|v| match v {
                    Value::Array(items) => items.clone(),
                    one => vec![one.clone()],
                })
                .filter(|v| !v.is_null())
                .map(|v| text_of(&v))
                .collect()
        };
        Some(match (namespace, function, args.len()) {
            ("user" | "source", "getInternalProperty", 1) => self
                .context
                .user
                .get(text(0)?)
                .cloned()
                .unwrap_or(Value::Null),
            ("String", "join", n) if n >= 1 => Value::String(strings(&args[1..]).join(text(0)?)),
            ("String", "toUpperCase", 1) => Value::String(text(0)?.to_uppercase()),
            ("String", "toLowerCase", 1) => Value::String(text(0)?.to_lowercase()),
            ("String", "len", 1) => Value::from(text(0)?.chars().count()),
            ("String", "substringBefore", 2) => {
                let (s, sep) = (text(0)?, text(1)?);
                Value::String(
                    s.split_once(sep)
                        .map_or(s, |(before, _)| before)
                        .to_string(),
                )
            }
            ("String", "substringAfter", 2) => {
                let (s, sep) = (text(0)?, text(1)?);
                Value::String(s.split_once(sep).map_or("", |(_, after)| after).to_string())
            }
            ("String", "stringContains", 2) => Value::Bool(text(0)?.contains(text(1)?)),
            ("Arrays", "contains", 2) => match &args[0] {
                Value::Array(items) => Value::Bool(items.iter().any(|i| same(i, &args[1]))),
                Value::Null => Value::Bool(false),
                _ => return None,
            },
            ("Arrays", "isEmpty", 1) => match &args[0] {
                Value::Array(items) => Value::Bool(items.is_empty()),
                Value::Null => Value::Bool(true),
                _ => return None,
            },
            ("Arrays", "size", 1) => Value::from(args[0].as_array()?.len()),
            ("Arrays", "toCsvString", 1) => Value::String(strings(args).join(",")),
            _ => return None,
        })
    }
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

    #[test]
    fn evaluates_the_subset() {
        let user = serde_json::json!({
            "id": "00u1", "status": "ACTIVE",
            "profile": {"firstName": "Ada", "lastName": "Lovelace", "login": "ada@example.com",
                "roles": ["admin", "dev"], "tier": 2, "title": null}
        });
        let mut app = Map::new();
        app.insert("userName".into(), Value::from("ada.l"));
        let context = Context {
            user: &user,
            app_user: Some(&app),
            source_is_app_user: false,
        };
        let eval = |e: &str| evaluate(e, &context);
        assert_eq!(eval("user.firstName"), Some("Ada".into()));
        assert_eq!(eval("source.lastName"), Some("Lovelace".into()));
        assert_eq!(eval("appuser.userName"), Some("ada.l".into()));
        assert_eq!(eval("appUser.nothing"), Some(Value::Null));
        assert_eq!(eval("user.title"), Some(Value::Null));
        assert_eq!(
            eval("user.firstName + \" \" + user.lastName"),
            Some("Ada Lovelace".into())
        );
        assert_eq!(
            eval("String.join(\", \", user.firstName, user.title, user.roles)"),
            Some("Ada, admin, dev".into())
        );
        assert_eq!(
            eval("user.title == null ? \"none\" : user.title"),
            Some("none".into())
        );
        assert_eq!(eval("user.title ?: 'fallback'"), Some("fallback".into()));
        assert_eq!(
            eval("user.tier == 2 && !(user.tier != 2)"),
            Some(Value::Bool(true))
        );
        assert_eq!(
            eval("Arrays.contains(user.roles, \"admin\") ? 'a' : 'b'"),
            Some("a".into())
        );
        assert_eq!(
            eval("String.substringBefore(user.login, \"@\")"),
            Some("ada".into())
        );
        assert_eq!(
            eval("String.toUpperCase(user.firstName)"),
            Some("ADA".into())
        );
        assert_eq!(
            eval("user.getInternalProperty(\"status\")"),
            Some("ACTIVE".into())
        );
        assert_eq!(eval("'it''s'"), Some("it's".into()));
        assert_eq!(eval("42"), Some(Value::from(42)));
        // What the sandbox cannot tell, it does not guess.
        for unknown in [
            "Groups.isMemberOfGroupName(\"x\")",
            "user.firstName ? 'a' : 'b'",
            "user.firstName +",
            "user.getLinkedObject(\"manager\").email",
            "user.a user.b",
            "org.name",
            "'unterminated",
        ] {
            assert_eq!(eval(unknown), None, "{unknown}");
        }
    }
}
