//! Okta identifiers as newtypes, so an app id can never be passed where a user id is expected:
//! object ids, and the org itself ([`OrgUrl`]). The bottom layer, with `secret` and `facts`.

mod org_url;

pub use org_url::{OrgUrl, OrgUrlError};

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! okta_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_string())
            }
        }
    };
}

okta_id!(
    /// An app instance id, `0oa…`.
    AppId
);
okta_id!(
    /// A user id, `00u…`.
    UserId
);
okta_id!(
    /// A group id, `00g…`.
    GroupId
);
okta_id!(
    /// A profile mapping id, `prm…`.
    MappingId
);
okta_id!(
    /// A user type id, `oty…`.
    UserTypeId
);
