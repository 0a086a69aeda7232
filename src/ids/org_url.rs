//! The org URL: `https://acme.okta.com` — https, no path, not the `-admin` console host.
//! Plain http is accepted only on loopback (the embedded sandbox and tests). A URL carrying a
//! user name, password, query or fragment is refused, and errors never echo those parts: a token
//! pasted into the URL must not reach a plan header, a plan file or a CI log.

use std::fmt;

/// A checked Okta org base URL, without trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgUrl(url::Url);

/// Why a URL is not an org URL; each message says the right form.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OrgUrlError {
    #[error("{0} is not a URL; the org URL looks like `https://acme.okta.com`")]
    NotAUrl(String),
    #[error("`{0}` must use https (plain http is allowed only for loopback addresses)")]
    NotHttps(String),
    #[error("`{url}` is the Admin Console address; use the org URL `{fixed}`")]
    AdminHost { url: String, fixed: String },
    #[error("`{url}` has a path; use the org URL alone: `{fixed}`")]
    HasPath { url: String, fixed: String },
    #[error(
        "the org URL carries a user name or password (not shown); credentials never go in the URL, \
         they would be printed and saved in plan files. Use `{fixed}` and set OKTA_API_TOKEN, or \
         OKTA_CLIENT_ID with OKTA_PRIVATE_KEY"
    )]
    HasUserinfo { fixed: String },
    #[error("the org URL has a query or fragment (not shown); use the org URL alone: `{fixed}`")]
    HasQuery { fixed: String },
}

impl OrgUrl {
    pub fn parse(text: &str) -> Result<OrgUrl, OrgUrlError> {
        let url = url::Url::parse(text.trim()).map_err(|_| OrgUrlError::NotAUrl(shown(text)))?;
        let host = url
            .host_str()
            .ok_or_else(|| OrgUrlError::NotAUrl(shown(text)))?
            .to_string();
        let origin = |host: &str| match url.port() {
            Some(port) => format!("{}://{host}:{port}", url.scheme()),
            None => format!("{}://{host}", url.scheme()),
        };
        // Secrets first: nothing below may echo a URL that carries one.
        if !url.username().is_empty() || url.password().is_some() {
            return Err(OrgUrlError::HasUserinfo {
                fixed: origin(&host),
            });
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(OrgUrlError::HasQuery {
                fixed: origin(&host),
            });
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            _ => return Err(OrgUrlError::NotHttps(text.trim().to_string())),
        }
        if let Some((first, rest)) = host.split_once('.')
            && let Some(org) = first.strip_suffix("-admin")
        {
            return Err(OrgUrlError::AdminHost {
                url: text.trim().to_string(),
                fixed: origin(&format!("{org}.{rest}")),
            });
        }
        if url.path() != "/" {
            return Err(OrgUrlError::HasPath {
                url: text.trim().to_string(),
                fixed: origin(&host),
            });
        }
        Ok(OrgUrl(url))
    }

    /// `https://acme.okta.com` (no trailing slash).
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// `https://acme.okta.com/api/v1/…` for a path starting with `/`.
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.as_str(), path)
    }
}

impl fmt::Display for OrgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `text` as an error may show it: not at all when it might hold a credential or a query
/// (`@`, `?`, `#`), since a value that is not a URL cannot be split into safe parts.
fn shown(text: &str) -> String {
    if text.contains(['@', '?', '#']) {
        "(the value, not shown: it may hold a credential)".into()
    } else {
        format!("`{}`", text.trim())
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_org_urls_and_loopback_http() {
        assert_eq!(
            OrgUrl::parse("https://acme.okta.com/").unwrap().as_str(),
            "https://acme.okta.com"
        );
        assert_eq!(
            OrgUrl::parse("http://127.0.0.1:8907")
                .unwrap()
                .join("/api/v1/apps"),
            "http://127.0.0.1:8907/api/v1/apps"
        );
        assert!(OrgUrl::parse("http://[::1]:80").is_ok());
        assert!(OrgUrl::parse("http://localhost:1").is_ok());
    }

    #[test]
    fn rejects_with_the_right_form() {
        assert_eq!(
            OrgUrl::parse("https://acme-admin.okta.com"),
            Err(OrgUrlError::AdminHost {
                url: "https://acme-admin.okta.com".into(),
                fixed: "https://acme.okta.com".into()
            })
        );
        assert_eq!(
            OrgUrl::parse("https://acme.okta.com/admin/dashboard"),
            Err(OrgUrlError::HasPath {
                url: "https://acme.okta.com/admin/dashboard".into(),
                fixed: "https://acme.okta.com".into()
            })
        );
        assert!(matches!(
            OrgUrl::parse("http://acme.okta.com"),
            Err(OrgUrlError::NotHttps(_))
        ));
        assert!(matches!(
            OrgUrl::parse("acme.okta.com"),
            Err(OrgUrlError::NotAUrl(_))
        ));
    }

    #[test]
    fn refuses_credentials_queries_and_fragments_without_echoing_them() {
        for (text, fixed) in [
            ("http://user:s3cr3t@127.0.0.1:8907", "http://127.0.0.1:8907"),
            ("https://s3cr3t@acme.okta.com", "https://acme.okta.com"),
            ("https://:s3cr3t@acme.okta.com/", "https://acme.okta.com"),
            (
                "https://acme.okta.com/?token=s3cr3t",
                "https://acme.okta.com",
            ),
            ("https://acme.okta.com/#s3cr3t", "https://acme.okta.com"),
            // Refused for the credential before the path or scheme is looked at.
            (
                "http://u:s3cr3t@acme.okta.com/admin",
                "http://acme.okta.com",
            ),
            ("s3cr3t@acme.okta.com", ""),
        ] {
            let error = OrgUrl::parse(text).unwrap_err();
            let message = error.to_string();
            assert!(!message.contains("s3cr3t"), "{text}: {message}");
            assert!(message.contains(fixed), "{text}: {message}");
        }
    }
}
