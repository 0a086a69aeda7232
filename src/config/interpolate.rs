//! `${env:NAME}` and `${file:PATH}`: values taken from the environment or a file, resolved lazily.
//!
//! [`Secret`] is a field that must never be written inline (SCIM tokens, passwords, client
//! secrets): it holds only *where* the secret is, and [`SecretString`] — the resolved value —
//! prints as `********`. [`Text`] is an ordinary field (an org URL) that may be a reference.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

/// A reference to a value kept outside the config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    /// `${env:NAME}`: the environment variable `NAME`.
    Env(String),
    /// `${file:PATH}`: the contents of a file (trailing newline trimmed); relative paths are
    /// taken from the directory of the config file that names them.
    File(PathBuf),
}

/// Why a reference could not be resolved. Never carries the value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ResolveError {
    #[error("environment variable `{0}` is not set")]
    EnvMissing(String),
    #[error("environment variable `{0}` is empty")]
    EnvEmpty(String),
    #[error("cannot read `{path}`: {reason}")]
    FileUnreadable { path: String, reason: String },
}

impl Reference {
    /// Parses `${env:NAME}` / `${file:PATH}`. `Ok(None)` for text that is not a reference.
    pub fn parse(text: &str) -> Result<Option<Reference>, String> {
        let Some(inner) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}')) else {
            if text.contains("${") {
                return Err(format!(
                    "`{}` mixes text and a reference; a value is either all text or one \
                     `${{env:NAME}}` / `${{file:PATH}}`",
                    text
                ));
            }
            return Ok(None);
        };
        match inner.split_once(':') {
            Some(("env", name)) if is_env_name(name) => Ok(Some(Reference::Env(name.to_string()))),
            Some(("env", name)) => Err(format!(
                "`{name}` is not an environment variable name (letters, digits and `_`, not starting with a digit)"
            )),
            Some(("file", path)) if !path.is_empty() => {
                Ok(Some(Reference::File(PathBuf::from(path))))
            }
            _ => Err(format!(
                "unknown reference `{text}`: use `${{env:NAME}}` or `${{file:PATH}}`"
            )),
        }
    }

    /// Reads the value. `base_dir` is the directory of the file the reference was written in.
    pub fn resolve(&self, base_dir: &Path) -> Result<String, ResolveError> {
        match self {
            Reference::Env(name) => match std::env::var(name) {
                Ok(value) if value.is_empty() => Err(ResolveError::EnvEmpty(name.clone())),
                Ok(value) => Ok(value),
                Err(_) => Err(ResolveError::EnvMissing(name.clone())),
            },
            Reference::File(path) => {
                let full = base_dir.join(path);
                std::fs::read_to_string(&full)
                    .map(|text| text.trim_end_matches(['\n', '\r']).to_string())
                    .map_err(|e| ResolveError::FileUnreadable {
                        path: full.display().to_string(),
                        reason: e.kind().to_string(),
                    })
            }
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::Env(name) => write!(f, "${{env:{name}}}"),
            Reference::File(path) => write!(f, "${{file:{}}}", path.display()),
        }
    }
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A secret field: a reference, never the secret. A value written inline is kept only as the
/// fact that it was (so validation can reject it without ever holding or echoing it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Secret {
    Ref(Reference),
    /// Written inline in the file — always a validation error. The text is dropped on read.
    Inline,
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match Reference::parse(&text) {
            Ok(Some(reference)) => Ok(Secret::Ref(reference)),
            // Whatever else it is, it is not a reference: treat it as an inline secret and
            // forget the text, so no error message can ever repeat it.
            Ok(None) | Err(_) => Ok(Secret::Inline),
        }
    }
}

impl JsonSchema for Secret {
    fn schema_name() -> Cow<'static, str> {
        "Secret".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^\\$\\{(env|file):.+\\}$",
            "description": "A secret, never written inline: `${env:NAME}` (an environment variable) or `${file:PATH}` (a file, relative to this config file).",
            "examples": ["${env:LUCIQ_SCIM_TOKEN}"]
        })
    }
}

/// A resolved secret. Its `Debug` and `Display` print `********`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(value: String) -> Self {
        SecretString(value)
    }
    /// The secret itself, for the one place that sends it (an HTTP header or body).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("********")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("********")
    }
}

/// An ordinary text field that may also be a `${env:…}` / `${file:…}` reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    Literal(String),
    Ref(Reference),
}

impl Text {
    pub fn resolve(&self, base_dir: &Path) -> Result<String, ResolveError> {
        match self {
            Text::Literal(text) => Ok(text.clone()),
            Text::Ref(reference) => reference.resolve(base_dir),
        }
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match Reference::parse(&text) {
            Ok(Some(reference)) => Ok(Text::Ref(reference)),
            Ok(None) => Ok(Text::Literal(text)),
            Err(message) => Err(serde::de::Error::custom(message)),
        }
    }
}

impl JsonSchema for Text {
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "Text, or `${env:NAME}` / `${file:PATH}` to take it from outside the file."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        assert_eq!(
            Reference::parse("${env:LUCIQ_TOKEN}"),
            Ok(Some(Reference::Env("LUCIQ_TOKEN".into())))
        );
        assert_eq!(
            Reference::parse("${file:secrets/token}"),
            Ok(Some(Reference::File("secrets/token".into())))
        );
        assert_eq!(Reference::parse("https://x.okta.com"), Ok(None));
        assert!(Reference::parse("${vault:x}").is_err());
        assert!(Reference::parse("${env:1BAD}").is_err());
        assert!(Reference::parse("https://${env:HOST}/scim").is_err());
    }

    #[test]
    fn inline_secret_is_forgotten() {
        let secret: Secret = serde_saphyr::from_str("\"hunter2-token\"").unwrap();
        assert_eq!(secret, Secret::Inline);
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    #[test]
    fn resolved_secret_is_redacted_in_debug_and_display() {
        let secret = SecretString::new("s3cr3t".into());
        assert_eq!(format!("{secret:?} {secret}"), "******** ********");
        assert_eq!(secret.expose(), "s3cr3t");
    }

    #[test]
    fn resolves_files_relative_to_the_config_and_reports_missing_env() {
        let dir = std::env::temp_dir().join(format!("oktaform-interp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("tok"), "abc\n").unwrap();
        assert_eq!(
            Reference::File("tok".into()).resolve(&dir),
            Ok("abc".into())
        );
        assert_eq!(
            Reference::Env("OKTAFORM_TEST_SURELY_UNSET".into()).resolve(&dir),
            Err(ResolveError::EnvMissing(
                "OKTAFORM_TEST_SURELY_UNSET".into()
            ))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
