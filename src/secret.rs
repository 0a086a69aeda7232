//! Secrets and references: where a value kept outside the config is (`${env:NAME}`,
//! `${file:PATH}`), the one function that reads it, and [`SecretString`], the value itself,
//! which never prints. Below every other module: the config declares references, the client
//! sends secrets, apply resolves them — none of them owns the others' types.

use std::fmt;
use std::path::PathBuf;

/// A reference to a value kept outside the config.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Reference {
    /// `${env:NAME}`: the environment variable `NAME`.
    Env(String),
    /// `${file:PATH}`: the contents of a file (trailing newline trimmed).
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

    /// Reads the value: the one place a reference is turned into what it names. A `${file:…}`
    /// path is used as it stands: loading a config makes it absolute, relative to the file
    /// that declares it (`config::load`), so the working directory never matters.
    pub fn resolve(&self) -> Result<String, ResolveError> {
        match self {
            Reference::Env(name) => match std::env::var(name) {
                Ok(value) if value.is_empty() => Err(ResolveError::EnvEmpty(name.clone())),
                Ok(value) => Ok(value),
                Err(_) => Err(ResolveError::EnvMissing(name.clone())),
            },
            Reference::File(path) => std::fs::read_to_string(path)
                .map(|text| text.trim_end_matches(['\n', '\r']).to_string())
                .map_err(|e| ResolveError::FileUnreadable {
                    path: path.display().to_string(),
                    reason: e.kind().to_string(),
                }),
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

/// In a plan a reference is its text: `"${env:NAME}"`.
impl serde::Serialize for Reference {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Reference {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match Reference::parse(&text) {
            Ok(Some(reference)) => Ok(reference),
            Ok(None) => Err(serde::de::Error::custom(
                "expected a `${env:NAME}` or `${file:PATH}` reference",
            )),
            Err(message) => Err(serde::de::Error::custom(message)),
        }
    }
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
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
    fn resolved_secret_is_redacted_in_debug_and_display() {
        let secret = SecretString::new("s3cr3t".into());
        assert_eq!(format!("{secret:?} {secret}"), "******** ********");
        assert_eq!(secret.expose(), "s3cr3t");
    }

    #[test]
    fn resolves_files_and_reports_missing_env() {
        let dir = tempfile_dir();
        std::fs::write(dir.join("tok"), "abc\n").unwrap();
        assert_eq!(Reference::File(dir.join("tok")).resolve(), Ok("abc".into()));
        assert_eq!(
            Reference::Env("OKTAFORM_TEST_SURELY_UNSET".into()).resolve(),
            Err(ResolveError::EnvMissing(
                "OKTAFORM_TEST_SURELY_UNSET".into()
            ))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("oktaform-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
