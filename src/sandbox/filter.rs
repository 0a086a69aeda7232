//! SCIM filter expressions, as Okta's `filter` query parameter takes them (RFC 7644 §3.4.2.2;
//! spec `listLogEvents`: "All operators except [ ] are supported"): `attrPath op value` with
//! `eq ne co sw ew gt ge lt le`, `attrPath pr`, joined by `and` (binding tighter) and `or`,
//! grouped with parentheses and negated with `not (…)`; string literals in double quotes with
//! `\"` and `\\` escapes, and `true`, `false`, `null` and numbers. Operators and
//! `and`/`or`/`not` are case-insensitive; attribute names and values are not (spec `listUsers`,
//! `filter`: "Filtering is case-sensitive for property names and query values, while operators
//! are case-insensitive" — RFC 7644 makes names case-insensitive; Okta's word wins).
//!
//! The sandbox's own parser, apart from the client's filter building on purpose.

use serde_json::Value;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attrPath op value`.
    Compare {
        path: Vec<String>,
        op: Op,
        value: Literal,
    },
    /// `attrPath pr`.
    Present(Vec<String>),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Co => "co",
            Op::Sw => "sw",
            Op::Ew => "ew",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Lt => "lt",
            Op::Le => "le",
        }
    }

    fn parse(word: &str) -> Option<Op> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "co" => Op::Co,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            _ => return None,
        })
    }
}

/// A comparison value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    Null,
}

/// Why a filter does not parse, and where (a 0-based character position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub reason: String,
    pub position: usize,
    /// What would have been valid there, when that is a short list.
    pub expected: Option<&'static str>,
}

impl Invalid {
    /// The message Okta's System Log gives an invalid SCIM filter (old reference page, "Errors":
    /// `Invalid filter 'display_message eqq "Create okta user"': Unrecognized attribute
    /// operator 'eqq' at position 16. Expected: eq,co,sw,pr,gt,ge,lt,le`); reasons other than an
    /// unknown operator are worded the same way (unverified).
    pub fn message(&self, filter: &str) -> String {
        let at = format!(
            "Invalid filter '{filter}': {} at position {}.",
            self.reason, self.position
        );
        match self.expected {
            Some(expected) => format!("{at} Expected: {expected}"),
            None => at,
        }
    }

    fn new(reason: impl Into<String>, position: usize) -> Invalid {
        Invalid {
            reason: reason.into(),
            position,
            expected: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
}

fn tokens(text: &str) -> Result<Vec<(usize, Token)>, Invalid> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            _ if c.is_whitespace() => i += 1,
            '(' => {
                out.push((i, Token::Open));
                i += 1;
            }
            ')' => {
                out.push((i, Token::Close));
                i += 1;
            }
            '"' => {
                let start = i;
                let mut literal = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(Invalid::new("Unterminated string literal", start));
                        }
                        Some('\\') => {
                            match chars.get(i + 1) {
                                Some(escaped) => literal.push(*escaped),
                                None => {
                                    return Err(Invalid::new("Unterminated string literal", start));
                                }
                            }
                            i += 2;
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some(other) => {
                            literal.push(*other);
                            i += 1;
                        }
                    }
                }
                out.push((start, Token::Text(literal)));
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '"')
                {
                    i += 1;
                }
                out.push((start, Token::Word(chars[start..i].iter().collect())));
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    at: usize,
    end: usize,
}

/// Parses a filter expression.
pub fn parse(text: &str) -> Result<Filter, Invalid> {
    let mut parser = Parser {
        tokens: tokens(text)?,
        at: 0,
        end: text.chars().count(),
    };
    let filter = parser.or()?;
    match parser.tokens.get(parser.at) {
        None => Ok(filter),
        Some((position, token)) => Err(Invalid::new(
            format!("Unexpected {}", describe(token)),
            *position,
        )),
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Word(w) => format!("'{w}'"),
        Token::Text(t) => format!("\"{t}\""),
        Token::Open => "'('".into(),
        Token::Close => "')'".into(),
    }
}

fn keyword(token: Option<&(usize, Token)>, word: &str) -> bool {
    matches!(token, Some((_, Token::Word(w))) if w.eq_ignore_ascii_case(word))
}

impl Parser {
    fn next(&mut self) -> Option<(usize, Token)> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn position(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end, |(p, _)| *p)
    }

    fn or(&mut self) -> Result<Filter, Invalid> {
        let mut left = self.and()?;
        while keyword(self.tokens.get(self.at), "or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, Invalid> {
        let mut left = self.unary()?;
        while keyword(self.tokens.get(self.at), "and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn group(&mut self) -> Result<Filter, Invalid> {
        let inner = self.or()?;
        match self.next() {
            Some((_, Token::Close)) => Ok(inner),
            _ => Err(Invalid::new("Missing ')'", self.position().min(self.end))),
        }
    }

    fn unary(&mut self) -> Result<Filter, Invalid> {
        let position = self.position();
        match self.next() {
            Some((_, Token::Open)) => self.group(),
            Some((_, Token::Word(w)))
                if w.eq_ignore_ascii_case("not")
                    && matches!(self.tokens.get(self.at), Some((_, Token::Open))) =>
            {
                self.at += 1;
                Ok(Filter::Not(Box::new(self.group()?)))
            }
            Some((_, Token::Word(attribute))) => self.comparison(attribute, position),
            Some((position, token)) => Err(Invalid::new(
                format!("Expected an attribute, found {}", describe(&token)),
                position,
            )),
            None => Err(Invalid::new("Expected an attribute", position)),
        }
    }

    fn comparison(&mut self, attribute: String, at: usize) -> Result<Filter, Invalid> {
        let valid_path = !attribute.is_empty()
            && attribute.split('.').all(|segment| {
                !segment.is_empty()
                    && segment
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '-')
            });
        if !valid_path {
            return Err(Invalid::new(
                format!("Invalid attribute path '{attribute}'"),
                at,
            ));
        }
        let path: Vec<String> = attribute.split('.').map(str::to_string).collect();
        let position = self.position();
        let op = match self.next() {
            Some((_, Token::Word(w))) if w.eq_ignore_ascii_case("pr") => {
                return Ok(Filter::Present(path));
            }
            Some((_, Token::Word(w))) => Op::parse(&w).ok_or_else(|| Invalid {
                expected: Some("eq,ne,co,sw,ew,pr,gt,ge,lt,le"),
                ..Invalid::new(format!("Unrecognized attribute operator '{w}'"), position)
            })?,
            Some((position, token)) => {
                return Err(Invalid::new(
                    format!("Expected an attribute operator, found {}", describe(&token)),
                    position,
                ));
            }
            None => {
                return Err(Invalid::new("Expected an attribute operator", position));
            }
        };
        let position = self.position();
        let value = match self.next() {
            Some((_, Token::Text(t))) => Literal::Text(t),
            Some((_, Token::Word(w))) => match w.to_ascii_lowercase().as_str() {
                "true" => Literal::Bool(true),
                "false" => Literal::Bool(false),
                "null" => Literal::Null,
                _ => match w.parse::<f64>() {
                    Ok(n) => Literal::Number(n),
                    Err(_) => {
                        return Err(Invalid::new(format!("Invalid value '{w}'"), position));
                    }
                },
            },
            Some((position, token)) => {
                return Err(Invalid::new(
                    format!("Expected a value, found {}", describe(&token)),
                    position,
                ));
            }
            None => {
                return Err(Invalid::new("Expected a value", position));
            }
        };
        Ok(Filter::Compare { path, op, value })
    }
}

impl Filter {
    /// Every attribute compared (with its operator; `None` for `pr`), in order.
    pub fn attributes(&self) -> Vec<(&[String], Option<Op>)> {
        match self {
            Filter::Compare { path, op, .. } => vec![(path.as_slice(), Some(*op))],
            Filter::Present(path) => vec![(path.as_slice(), None)],
            Filter::And(a, b) | Filter::Or(a, b) => {
                let mut all = a.attributes();
                all.extend(b.attributes());
                all
            }
            Filter::Not(inner) => inner.attributes(),
        }
    }

    /// Whether `object` satisfies the filter. An attribute path reaches into objects and
    /// across arrays: `target.id eq "x"` holds when any target's id is `x`. Names and strings
    /// compare exactly, case included.
    pub fn matches(&self, object: &Value) -> bool {
        match self {
            Filter::Compare { path, op, value } => {
                let found = resolve(object, path);
                match op {
                    // `ne`: no value equals it (a missing attribute included).
                    Op::Ne => !found.iter().any(|v| compare(v, Op::Eq, value)),
                    _ => found.iter().any(|v| compare(v, *op, value)),
                }
            }
            Filter::Present(path) => resolve(object, path).iter().any(|v| match v {
                Value::Null => false,
                Value::String(s) => !s.is_empty(),
                Value::Array(a) => !a.is_empty(),
                _ => true,
            }),
            Filter::And(a, b) => a.matches(object) && b.matches(object),
            Filter::Or(a, b) => a.matches(object) || b.matches(object),
            Filter::Not(inner) => !inner.matches(object),
        }
    }
}

/// The values at `path` in `object`, across arrays.
fn resolve<'v>(object: &'v Value, path: &[String]) -> Vec<&'v Value> {
    let mut current = vec![object];
    for key in path {
        let mut next = Vec::new();
        for value in current {
            let mut step = |v: &'v Value| {
                if let Some(map) = v.as_object()
                    && let Some(found) = map.get(key)
                {
                    match found {
                        Value::Array(items) => next.extend(items.iter()),
                        one => next.push(one),
                    }
                }
            };
            match value {
                Value::Array(items) => items.iter().for_each(&mut step),
                one => step(one),
            }
        }
        current = next;
    }
    current
}

fn compare(found: &Value, op: Op, value: &Literal) -> bool {
    use std::cmp::Ordering;
    let ordering = match (found, value) {
        (Value::String(s), Literal::Text(t)) => match op {
            Op::Co => return s.contains(t.as_str()),
            Op::Sw => return s.starts_with(t.as_str()),
            Op::Ew => return s.ends_with(t.as_str()),
            _ => s.as_str().cmp(t.as_str()),
        },
        (Value::Number(n), Literal::Number(m)) => match n.as_f64().and_then(|n| n.partial_cmp(m)) {
            Some(o) => o,
            None => return false,
        },
        (Value::Bool(b), Literal::Bool(c)) if matches!(op, Op::Eq | Op::Ne) => b.cmp(c),
        (Value::Null, Literal::Null) => Ordering::Equal,
        _ => return false,
    };
    match op {
        Op::Eq | Op::Ne => ordering == Ordering::Equal,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        Op::Co | Op::Sw | Op::Ew => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn holds(filter: &str, object: &Value) -> bool {
        parse(filter).unwrap().matches(object)
    }

    #[test]
    fn comparisons_logic_and_grouping() {
        let event = json!({
            "eventType": "application.user_membership.add",
            "actor": {"id": "00u1", "alternateId": "jane@example.com"},
            "target": [{"id": "0oa1", "type": "AppInstance"}, {"id": "00u2", "type": "User"}],
            "severity": "INFO", "version": "0"
        });
        assert!(holds(
            r#"eventType eq "application.user_membership.add""#,
            &event
        ));
        assert!(holds(
            r#"eventType sw "application.user_membership""#,
            &event
        ));
        assert!(!holds(
            r#"eventType sw "application.user_membership.remove""#,
            &event
        ));
        assert!(holds(r#"target.id eq "00u2""#, &event));
        assert!(holds(r#"target.id EQ "0oa1""#, &event));
        assert!(!holds(r#"target.ID eq "0oa1""#, &event));
        assert!(!holds(r#"target.id eq "00u9""#, &event));
        assert!(holds(r#"actor.alternateId eq "jane@example.com""#, &event));
        assert!(holds(
            r#"(eventType sw "app" or eventType sw "system") and (target.id eq "x" or target.id eq "0oa1")"#,
            &event
        ));
        assert!(!holds(
            r#"eventType sw "system" or eventType sw "group" and target.id eq "0oa1""#,
            &event
        ));
        assert!(holds(
            r#"eventType sw "app" or eventType sw "group" and target.id eq "nope""#,
            &event
        ));
        assert!(holds(r#"not (actor.id eq "00u9")"#, &event));
        assert!(holds(r#"actor.id ne "00u9" and actor.id pr"#, &event));
        assert!(!holds(r#"client.ipAddress pr"#, &event));
        assert!(!holds(
            r#"eventType eq "APPLICATION.USER_MEMBERSHIP.ADD""#,
            &event
        ));
    }

    #[test]
    fn escapes_in_literals() {
        let event = json!({"displayMessage": "say \"hi\" \\ bye"});
        assert!(holds(r#"displayMessage eq "say \"hi\" \\ bye""#, &event));
        assert!(holds(r#"displayMessage co "\"hi\"""#, &event));
    }

    #[test]
    fn errors_say_what_and_where() {
        let invalid = parse(r#"display_message eqq "Create okta user""#).unwrap_err();
        assert_eq!(invalid.position, 16);
        assert_eq!(
            invalid.message(r#"display_message eqq "Create okta user""#),
            "Invalid filter 'display_message eqq \"Create okta user\"': Unrecognized attribute operator 'eqq' at position 16. Expected: eq,ne,co,sw,ew,pr,gt,ge,lt,le"
        );
        for bad in [
            r#"eventType eq "unterminated"#,
            r#"eventType eq"#,
            r#"eventType"#,
            r#"(eventType eq "a""#,
            r#"eventType eq "a")"#,
            r#"eventType eq "a" and"#,
            r#"eventType eq "a" target.id eq "b""#,
            r#"eventType eq bare"#,
            r#""a" eq "b""#,
            r#"event..type eq "a""#,
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
