//! Errors from Okta, typed: Okta's own error body (errorCode, summary, causes, request id) and
//! what to do about the common ones. Nothing here ever holds a credential.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

/// Okta's error body (`{"errorCode": "E0000007", "errorSummary": …}`), as recorded.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(default)]
    pub error_code: String,
    #[serde(default)]
    pub error_summary: String,
    #[serde(default)]
    pub error_link: Option<String>,
    #[serde(default)]
    pub error_id: Option<String>,
    #[serde(default)]
    pub error_causes: Vec<ErrorCause>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ErrorCause {
    #[serde(default)]
    pub error_summary: String,
}

/// The body of an OAuth 2.0 error (`/oauth2/v1/token`, or a DPoP challenge).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct OAuthErrorBody {
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
}

/// The Okta error codes oktaform tells apart — the only place they are written outside the
/// sandbox (which plays Okta and so must say them itself).
pub mod code {
    /// `Api validation failed`: the cause says what (not supported, deletion pending, …).
    pub const API_VALIDATION: &str = "E0000001";
    /// `You do not have permission to perform the requested action`.
    pub const FORBIDDEN: &str = "E0000006";
    /// `Not found: Resource not found: … (Kind)`.
    pub const NOT_FOUND: &str = "E0000007";
    /// `Invalid token provided`.
    pub const INVALID_TOKEN: &str = "E0000011";
    /// `API call exceeded rate limit due to too many requests.`
    pub const RATE_LIMITED: &str = "E0000047";
}

/// An error answer from Okta's Management API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub method: String,
    /// The path, without query string.
    pub path: String,
    pub body: ErrorBody,
    /// `X-Okta-Request-Id`, for Okta support.
    pub request_id: Option<String>,
    /// The scope the request needed, when Okta's answer names it (OAuth `insufficient_scope`).
    pub missing_scope: Option<String>,
}

impl ApiError {
    pub fn code(&self) -> &str {
        &self.body.error_code
    }

    /// Whether the summary or a cause says `text` (Okta puts the useful part in the causes:
    /// `Api validation failed: feature` / cause `Provisioning is not supported.`).
    pub fn mentions(&self, text: &str) -> bool {
        self.body.error_summary.contains(text)
            || self
                .body
                .error_causes
                .iter()
                .any(|c| c.error_summary.contains(text))
    }

    /// No such object (404).
    pub fn is_not_found(&self) -> bool {
        self.status == 404 || self.code() == code::NOT_FOUND
    }

    /// The app is off the Features-API allow-list: `400 E0000001` with the recorded cause
    /// `Provisioning is not supported.`
    pub fn is_not_supported(&self) -> bool {
        self.code() == code::API_VALIDATION && self.mentions("Provisioning is not supported")
    }

    /// The app is on the allow-list but its provisioning connection is not enabled yet: `400
    /// E0000001` with the cause `Provisioning is not enabled for the app instance.` (the spec's
    /// `ErrorAppFeatureAPIValidationFailed` example).
    pub fn is_not_enabled(&self) -> bool {
        self.code() == code::API_VALIDATION && self.mentions("Provisioning is not enabled")
    }

    /// A schema property of the same name is still being deleted: `E0000001` "… deletion
    /// process for an attribute with the same variable name is incomplete".
    pub fn is_deletion_pending(&self) -> bool {
        self.code() == code::API_VALIDATION && self.mentions("deletion process")
    }

    /// A property cannot be deleted because a mapping uses it ("Property x cannot be deleted.
    /// It is used to populate …", as reported in terraform-provider-okta #954 and #650).
    pub fn is_mapped_attribute_forbidden(&self) -> bool {
        self.code() == code::API_VALIDATION && self.mentions("is used to populate")
    }

    /// What to do about it, for the errors people actually hit.
    pub fn hint(&self) -> Option<String> {
        let summary = self.body.error_summary.as_str();
        match (self.status, self.code()) {
            (401, _) | (_, code::INVALID_TOKEN) => Some(
                "the API token or access token was refused: check OKTA_API_TOKEN (an SSWS token of an active admin) \
                 or the OAuth service app's client id and key; tokens expire after 30 days unused"
                    .into(),
            ),
            (403, _) | (_, code::FORBIDDEN) => Some(match &self.missing_scope {
                Some(scope) => format!(
                    "the access token lacks the scope `{scope}`: grant it to the service app (Okta API Scopes tab) \
                     and make sure its admin role covers it"
                ),
                None => "the admin behind this token may not do this: give it the Application Administrator \
                         role for the apps it manages (or Super Administrator for the Okta user profile schema), \
                         or, for a service app, the scope this endpoint needs"
                    .into(),
            }),
            _ if self.is_not_found() => Some(format!(
                "Okta has no such object ({summary}); if an app id in `find:` is stale, find the app by label instead"
            )),
            (429, _) | (_, code::RATE_LIMITED) => Some(
                "Okta's rate limit for this endpoint is used up; oktaform waited and retried. Run again later, or lower \
                 --max-api-share so other integrations keep their share"
                    .into(),
            ),
            _ if self.is_not_supported() => Some(
                "this app is not on Okta's Features-API allow-list: its provisioning settings can only be changed in \
                 the Admin Console (oktaform lists them as manual steps)"
                    .into(),
            ),
            _ if self.is_not_enabled() => Some(
                "the app's provisioning connection is not enabled yet: enable it (Provisioning → Integration) \
                 before its provisioning features can be read or written"
                    .into(),
            ),
            _ if self.is_deletion_pending() => Some(
                "Okta is still deleting an attribute of this name; wait a few minutes and run again".into(),
            ),
            _ if self.is_mapped_attribute_forbidden() => Some(
                "a profile mapping reads or writes this attribute: remove it from the mappings first, then run again".into(),
            ),
            (500..=599, _) => Some(
                "Okta failed on its side; retried requests are safe to run again. Quote the request id to Okta support"
                    .into(),
            ),
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Okta answered {} to {} {}",
            self.status, self.method, self.path
        )?;
        if !self.body.error_code.is_empty() {
            write!(f, ": {} {}", self.body.error_code, self.body.error_summary)?;
        }
        for cause in &self.body.error_causes {
            if !cause.error_summary.is_empty() {
                write!(f, "\n  cause: {}", cause.error_summary)?;
            }
        }
        if let Some(id) = &self.request_id {
            write!(f, "\n  request id: {id}")?;
        }
        if let Some(id) = self.body.error_id.as_deref().filter(|id| !id.is_empty()) {
            write!(f, "\n  error id: {id} (quote it to Okta support)")?;
        }
        if let Some(hint) = self.hint() {
            write!(f, "\n  what to do: {hint}")?;
        }
        Ok(())
    }
}

/// Everything the client can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Api(Box<ApiError>),
    #[error("OAuth token request failed: {error}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    OAuth {
        error: String,
        description: Option<String>,
    },
    #[error("cannot reach Okta at {url}: {reason}")]
    Transport { url: String, reason: String },
    /// Retried and failed each time. When Okta answered (a 5xx), `answer` is its last error
    /// body, so the message says what Okta said rather than "no answer".
    #[error("{}", gave_up(.method, .path, *.attempts, .last, .answer.as_deref()))]
    GaveUp {
        method: String,
        path: String,
        attempts: u32,
        last: String,
        answer: Option<Box<ApiError>>,
    },
    /// A POST whose answer never came whole (connection lost, broken body, or a 5xx), so
    /// whether Okta applied it is not known from the answer. `reason` names the request and
    /// what happened; `reread` is set when a re-read was tried to find out and failed too.
    #[error(
        "{reason}\n  {}",
        match .reread {
            Some(e) => format!("re-reading to learn whether it took effect failed too: {}", e.replace('\n', "\n  ")),
            None => "whether it took effect is not known from the answer".to_string(),
        }
    )]
    PostOutcomeUnknown {
        path: String,
        reason: String,
        reread: Option<String>,
    },
    /// A POST that failed in flight and that a re-read shows did not take effect.
    #[error("{reason}\n  re-reading shows it did not take effect")]
    PostNotApplied { path: String, reason: String },
    #[error("rate limit for {bucket} is used up and resets in {}s, longer than the {}s oktaform waits", wait.as_secs(), max.as_secs())]
    RateLimitWaitTooLong {
        bucket: String,
        wait: Duration,
        max: Duration,
    },
    #[error(
        "{method} {path}: the answer is larger than {} MiB, the most oktaform reads from this kind of endpoint (real answers are far smaller); it stopped reading",
        cap >> 20
    )]
    BodyTooLarge {
        method: String,
        path: String,
        cap: usize,
    },
    #[error(
        "{method} {path}: the command ran out of time (--timeout {}); nothing after this request was sent — raise --timeout for large orgs",
        humantime::format_duration(*after)
    )]
    Deadline {
        method: String,
        path: String,
        after: Duration,
    },
    #[error("unexpected answer from {method} {path}: {reason}")]
    Decode {
        method: String,
        path: String,
        reason: String,
    },
    /// The credentials cannot be used (a key that does not parse, a token with bad characters).
    #[error("{0}")]
    Credentials(String),
    /// The client itself failed before anything was sent.
    #[error("{0}")]
    Client(String),
}

impl Error {
    /// The Okta API error, when that is what this is.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }
}

fn gave_up(
    method: &str,
    path: &str,
    attempts: u32,
    last: &str,
    answer: Option<&ApiError>,
) -> String {
    match answer {
        Some(api) => format!("{api}\n  (the same on each of {attempts} attempts)"),
        None => format!("{method} {path}: no answer after {attempts} attempts: {last}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str, summary: &str) -> ApiError {
        ApiError {
            status,
            method: "GET".into(),
            path: "/api/v1/apps/0oa1/features".into(),
            body: ErrorBody {
                error_code: code.into(),
                error_summary: summary.into(),
                ..ErrorBody::default()
            },
            request_id: Some("req-1".into()),
            missing_scope: None,
        }
    }

    #[test]
    fn message_has_code_summary_request_id_and_what_to_do() {
        let text = api(
            400,
            "E0000001",
            "Api validation failed: Provisioning is not supported.",
        )
        .to_string();
        assert!(text.contains("E0000001 Api validation failed"), "{text}");
        assert!(text.contains("request id: req-1"), "{text}");
        assert!(!text.contains("error id"), "{text}");
        let mut with_id = api(500, "E0000009", "Internal Server Error");
        with_id.body.error_id = Some("oaeAbC123".into());
        let with_id = with_id.to_string();
        assert!(with_id.contains("error id: oaeAbC123"), "{with_id}");
        assert!(text.contains("Features-API allow-list"), "{text}");
    }

    #[test]
    fn missing_scope_is_named() {
        let mut e = api(
            403,
            "E0000006",
            "You do not have permission to perform the requested action",
        );
        e.missing_scope = Some("okta.schemas.manage".into());
        assert!(
            e.to_string()
                .contains("lacks the scope `okta.schemas.manage`")
        );
    }

    #[test]
    fn parses_a_recorded_error_body() {
        // okta-sdk-python/test_application_features_it__…test_comprehensive_coverage_push.yaml
        let body: ErrorBody = serde_json::from_str(
            r#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oaeX","errorCauses":[]}"#,
        )
        .unwrap();
        assert_eq!(body.error_code, "E0000047");
    }
}
