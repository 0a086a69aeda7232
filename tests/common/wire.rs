//! A client pointed at a wiremock server, with an API token and fast retries.

use std::time::Duration;

use oktaform::ids::OrgUrl;
use oktaform::okta::{Access, Client, ClientOptions, Credentials};
use oktaform::secret::SecretString;
use wiremock::MockServer;

/// The API token the wire tests use; it must never show up in a log or an error.
pub const TOKEN: &str = "00SECRET-api-token-do-not-log-1234567890";

pub fn fast() -> ClientOptions {
    ClientOptions {
        backoff: Duration::from_millis(5),
        ..ClientOptions::default()
    }
}

pub fn client(server: &MockServer, options: ClientOptions) -> Client {
    Client::new(
        OrgUrl::parse(&server.uri()).unwrap(),
        Credentials::ApiToken(SecretString::new(TOKEN.into())),
        Access::Read,
        options,
    )
    .unwrap()
}
