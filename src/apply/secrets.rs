//! Every secret a plan's writes need, resolved before the first write: an unset variable or
//! an unreadable file fails the apply with nothing written, never halfway through.

use std::collections::HashMap;

use crate::plan::{Op, Plan};
use crate::secret::{Reference, ResolveError, SecretString};

/// The resolved secrets of one plan, by reference.
#[derive(Default)]
pub struct Secrets(HashMap<Reference, SecretString>);

/// A secret a plan needs could not be read. Never carries the value.
#[derive(Debug, thiserror::Error)]
#[error("app `{app}`: the provisioning token {reference}: {source}; nothing was written")]
pub struct SecretError {
    pub app: String,
    pub reference: Reference,
    #[source]
    pub source: ResolveError,
}

impl Secrets {
    /// Resolves every reference the plan's operations send.
    pub fn resolve(plan: &Plan) -> Result<Secrets, SecretError> {
        let mut secrets = HashMap::new();
        for change in &plan.changes {
            if let Op::SetConnection { token, .. } = &change.op
                && !secrets.contains_key(token)
            {
                let value = token.resolve().map_err(|source| SecretError {
                    app: change.subject.app().unwrap_or_default().to_string(),
                    reference: token.clone(),
                    source,
                })?;
                secrets.insert(token.clone(), SecretString::new(value));
            }
        }
        Ok(Secrets(secrets))
    }

    pub fn get(&self, reference: &Reference) -> Option<&SecretString> {
        self.0.get(reference)
    }
}
