//! `${env:NAME}` and `${file:PATH}`: values taken from the environment or a file, resolved lazily.
//!
//! [`Secret`] is a field that must never be written inline (SCIM tokens, passwords, client
//! secrets): it holds only *where* the secret is ([`crate::secret`] reads it). [`Text`] is an
//! ordinary field (an org URL) that may be a reference.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

pub use crate::secret::{Reference, ResolveError};

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

/// An ordinary text field that may also be a `${env:…}` / `${file:…}` reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    Literal(String),
    Ref(Reference),
}

impl Text {
    pub fn resolve(&self) -> Result<String, ResolveError> {
        match self {
            Text::Literal(text) => Ok(text.clone()),
            Text::Ref(reference) => reference.resolve(),
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
    fn inline_secret_is_forgotten() {
        let secret: Secret = serde_saphyr::from_str("\"hunter2-token\"").unwrap();
        assert_eq!(secret, Secret::Inline);
        assert!(!format!("{secret:?}").contains("hunter2"));
    }
}
