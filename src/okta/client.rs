//! The HTTP client: the one place requests to Okta are sent.
//!
//! It authenticates ([`Authenticator`]), caps concurrent requests, keeps within a share of each
//! rate-limit bucket, waits out a 429 (`Reset − Date + 1 s`, bounded), retries GET/PUT/DELETE on
//! 5xx, timeouts and connection errors with jittered backoff, and never resends a POST blindly:
//! [`Client::post_verified`] re-reads to learn whether a failed POST took effect. It follows
//! `Link: rel="next"` across pages, only within the org. Logs carry method, path, status, time
//! and Okta's request id — never a header value or a body.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;

use super::auth::{Access, Authenticator, Credentials};
use super::error::{ApiError, Error, ErrorBody};
use super::rate_limit::{Observed, RateLimits, bucket_of};
use crate::ids::OrgUrl;

/// Tuning of the client. The defaults suit a CI job sharing an org with production.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Requests in flight at once (Okta's per-org concurrency limit is far higher).
    pub max_concurrency: usize,
    /// Share of each rate-limit bucket oktaform may use (0–1).
    pub api_share: f64,
    /// Attempts for a GET/PUT/DELETE that fails with 5xx or a transport error, and for 429s.
    pub max_attempts: u32,
    /// Longest wait for a rate-limit reset before giving up.
    pub max_rate_limit_wait: Duration,
    /// First retry backoff; doubled each attempt, with jitter.
    pub backoff: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            max_concurrency: 4,
            api_share: 0.5,
            max_attempts: 4,
            max_rate_limit_wait: Duration::from_secs(90),
            backoff: Duration::from_millis(250),
            timeout: Duration::from_secs(30),
        }
    }
}

/// Counters for benchmarks and `--verbose`.
#[derive(Debug, Default)]
pub struct Stats {
    /// HTTP requests sent to the Management API (retries included, token requests excluded).
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub rate_limit_waits: AtomicU64,
}

/// A client for one org.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    org: OrgUrl,
    auth: Authenticator,
    limits: RateLimits,
    permits: Semaphore,
    options: ClientOptions,
    pub stats: Stats,
}

/// A successful answer: status, headers, body text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

/// Why one attempt failed, and whether another may follow.
enum Attempt {
    Done(Answer),
    Retry {
        after: Duration,
        reason: String,
        /// Okta's error, when it answered (a 5xx), to report instead of "no answer".
        answer: Option<Box<ApiError>>,
    },
    Fail(Error),
    /// A POST failed in flight (connection lost, timeout, 5xx): it may have taken effect.
    Unknown {
        reason: String,
        answer: Option<Box<ApiError>>,
    },
}

/// A POST's result, and whether it is known from Okta's answer or from a re-read after the
/// answer broke off (see [`Client::post_verified`]).
#[derive(Debug, Clone)]
pub struct Verified<T> {
    pub value: T,
    pub by_reread: bool,
}

impl<T> std::ops::Deref for Verified<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Installs *ring* as rustls's crypto provider once per process.
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// This process's run id: random, once per process. It goes into the User-Agent, which the
/// System Log records, so one oktaform run can tell its own events from another run's.
pub fn run_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| format!("{:08x}", fastrand::u32(..)))
}

/// `oktaform/0.1.0 (run 1a2b3c4d)`.
pub fn user_agent() -> String {
    format!("oktaform/{} (run {})", env!("CARGO_PKG_VERSION"), run_id())
}

impl Client {
    pub fn new(
        org: OrgUrl,
        credentials: Credentials,
        access: Access,
        options: ClientOptions,
    ) -> Result<Client, Error> {
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .user_agent(user_agent())
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Client(format!("cannot set up HTTPS: {e}")))?;
        Ok(Client {
            http,
            org,
            auth: Authenticator::new(credentials, access),
            limits: RateLimits::new(options.api_share),
            permits: Semaphore::new(options.max_concurrency.max(1)),
            options,
            stats: Stats::default(),
        })
    }

    pub fn org(&self) -> &OrgUrl {
        &self.org
    }

    pub fn authenticator(&self) -> &Authenticator {
        &self.auth
    }

    /// GET and decode.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        let answer = self.send(Method::GET, &self.org.join(path), None).await?;
        decode("GET", path, &answer.body)
    }

    /// GET every page of a list, following `Link: rel="next"`.
    pub async fn get_all<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, Error> {
        let mut items = Vec::new();
        let mut url = self.org.join(path);
        loop {
            let answer = self.send(Method::GET, &url, None).await?;
            let page: Vec<T> = decode("GET", path, &answer.body)?;
            let empty = page.is_empty();
            items.extend(page);
            match next_link(&answer.headers) {
                // An empty page ends the list even with a `next` link: a System Log polling
                // query (no `until`) always has one, and following it would never end.
                Some(next) if next.starts_with(&format!("{}/", self.org.as_str())) && empty => {
                    tracing::debug!(path, "empty page with a next link: the list ends here");
                    return Ok(items);
                }
                Some(next) if next.starts_with(&format!("{}/", self.org.as_str())) => url = next,
                Some(elsewhere) => {
                    return Err(Error::Decode {
                        method: "GET".into(),
                        path: path.into(),
                        reason: format!(
                            "the next page is outside the org ({elsewhere}); not followed"
                        ),
                    });
                }
                None => return Ok(items),
            }
        }
    }

    /// Sends `body` as JSON with `method` and decodes the answer.
    async fn write<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<T, Error> {
        let name = method.to_string();
        let answer = self
            .send(method, &self.org.join(path), Some(encode(body)?))
            .await?;
        decode(&name, path, &answer.body)
    }

    /// PUT (idempotent: retried on failure) and decode.
    pub async fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, Error> {
        self.write(Method::PUT, path, body).await
    }

    /// DELETE (idempotent: retried; a 404 on a retry means the first attempt took effect).
    pub async fn delete(&self, path: &str) -> Result<(), Error> {
        self.send(Method::DELETE, &self.org.join(path), None)
            .await
            .map(|_| ())
    }

    /// POST once. A POST that fails in flight is not resent: the caller learns it with
    /// [`Error::PostOutcomeUnknown`]. Prefer [`Client::post_verified`] where a re-read can tell.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, Error> {
        self.write(Method::POST, path, body).await
    }

    /// POST; if it fails in flight, `verify` re-reads: `Some(result)` means it took effect, `None`
    /// that it did not, and it is sent once more. A re-read that fails leaves the outcome
    /// unknown, and the error says both what broke off and why the re-read could not tell.
    pub async fn post_verified<B, T, F, Fut>(
        &self,
        path: &str,
        body: &B,
        verify: F,
    ) -> Result<Verified<T>, Error>
    where
        B: Serialize,
        T: DeserializeOwned,
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>, Error>>,
    {
        let answered = |value| Verified {
            value,
            by_reread: false,
        };
        match self.post(path, body).await {
            Err(Error::PostOutcomeUnknown { path, reason, .. }) => {
                tracing::warn!(
                    path,
                    %reason,
                    "POST failed in flight; re-reading to learn whether it took effect"
                );
                match verify().await {
                    Ok(Some(value)) => Ok(Verified {
                        value,
                        by_reread: true,
                    }),
                    Ok(None) => match self.post(&path, body).await {
                        // Failed in flight twice: a last re-read says which way.
                        Err(Error::PostOutcomeUnknown { path, reason, .. }) => {
                            match verify().await {
                                Ok(Some(value)) => Ok(Verified {
                                    value,
                                    by_reread: true,
                                }),
                                Ok(None) => Err(Error::PostNotApplied { path, reason }),
                                Err(e) => Err(Error::PostOutcomeUnknown {
                                    path,
                                    reason,
                                    reread: Some(e.to_string()),
                                }),
                            }
                        }
                        other => other.map(answered),
                    },
                    Err(e) => Err(Error::PostOutcomeUnknown {
                        path,
                        reason,
                        reread: Some(e.to_string()),
                    }),
                }
            }
            other => other.map(answered),
        }
    }

    /// Sends one request with authentication, limits and retries. `url` is absolute.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Answer, Error> {
        let path = url
            .strip_prefix(self.org.as_str())
            .unwrap_or(url)
            .to_string();
        let bucket = bucket_of(method.as_str(), &path);
        let idempotent = method != Method::POST;
        let mut attempt = 0;
        let mut nonce_retried = false;
        loop {
            attempt += 1;
            match self
                .attempt(
                    &method,
                    url,
                    &path,
                    &bucket,
                    body.as_deref(),
                    idempotent,
                    &mut nonce_retried,
                    attempt,
                )
                .await
            {
                Attempt::Done(answer) => return Ok(answer),
                Attempt::Fail(error) => return Err(error),
                Attempt::Unknown { reason, answer } => {
                    tracing::warn!(%method, path = %path, %reason, "POST outcome unknown");
                    let reason = match answer {
                        Some(api) => api.to_string(),
                        None => format!("{method} {path}: {reason}"),
                    };
                    return Err(Error::PostOutcomeUnknown {
                        path,
                        reason,
                        reread: None,
                    });
                }
                Attempt::Retry {
                    after,
                    reason,
                    answer,
                } => {
                    if attempt >= self.options.max_attempts {
                        return Err(Error::GaveUp {
                            method: method.to_string(),
                            path,
                            attempts: attempt,
                            last: reason,
                            answer,
                        });
                    }
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(%method, path = %path, %reason, wait_ms = after.as_millis() as u64, "retrying");
                    tokio::time::sleep(after).await;
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        method: &Method,
        url: &str,
        path: &str,
        bucket: &str,
        body: Option<&[u8]>,
        idempotent: bool,
        nonce_retried: &mut bool,
        number: u32,
    ) -> Attempt {
        let Ok(_permit) = self.permits.acquire().await else {
            return Attempt::Fail(Error::Client("the client is shutting down".into()));
        };
        let wait = self.limits.before_send(bucket);
        if !wait.is_zero() {
            if wait > self.options.max_rate_limit_wait {
                return Attempt::Fail(Error::RateLimitWaitTooLong {
                    bucket: bucket.into(),
                    wait,
                    max: self.options.max_rate_limit_wait,
                });
            }
            self.stats.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
            tracing::info!(
                bucket,
                wait_ms = wait.as_millis() as u64,
                "keeping within the rate-limit share"
            );
            tokio::time::sleep(wait).await;
            self.limits.before_send(bucket);
        }
        let headers = match self
            .auth
            .headers(&self.http, &self.org, method.as_str(), url)
            .await
        {
            Ok(h) => h,
            Err(e) => return Attempt::Fail(e),
        };
        let mut request = self
            .http
            .request(method.clone(), url)
            .headers(headers)
            .header("accept", "application/json");
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_vec());
        }
        let started = Instant::now();
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                self.limits.after_answer(bucket, None);
                let reason = describe_transport(&e);
                tracing::debug!(%method, path, %reason, "transport error");
                return if idempotent || e.is_connect() {
                    // Idempotent, or never reached Okta: safe to send again.
                    Attempt::Retry {
                        after: self.backoff(number),
                        reason,
                        answer: None,
                    }
                } else {
                    Attempt::Unknown {
                        reason,
                        answer: None,
                    }
                };
            }
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let observed = Observed::from_headers(&headers);
        self.limits.after_answer(bucket, observed);
        let request_id = headers
            .get("x-okta-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = match response.text().await {
            Ok(body) => body,
            // The answer broke off: like a lost connection, the request may have been handled.
            Err(e) => {
                let reason = format!("the answer broke off: {}", describe_transport(&e));
                return if idempotent {
                    Attempt::Retry {
                        after: self.backoff(number),
                        reason,
                        answer: None,
                    }
                } else {
                    Attempt::Unknown {
                        reason,
                        answer: None,
                    }
                };
            }
        };
        tracing::debug!(
            %method, path, status, ms = started.elapsed().as_millis() as u64,
            request_id = request_id.as_deref().unwrap_or("-"), "okta answered"
        );
        if self.auth.learn_api_nonce(status, &headers) && !*nonce_retried {
            *nonce_retried = true;
            return Attempt::Retry {
                after: Duration::ZERO,
                reason: "DPoP nonce challenge".into(),
                answer: None,
            };
        }
        match status {
            200..=299 => Attempt::Done(Answer {
                status,
                headers,
                body,
            }),
            429 => {
                let after = observed
                    .map(|o| o.wait_after_429())
                    .unwrap_or(Duration::from_secs(5));
                if after > self.options.max_rate_limit_wait {
                    return Attempt::Fail(Error::RateLimitWaitTooLong {
                        bucket: bucket.into(),
                        wait: after,
                        max: self.options.max_rate_limit_wait,
                    });
                }
                self.stats.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
                // A 429 was not processed: even a POST may be sent again.
                Attempt::Retry {
                    after,
                    reason: "429 rate limited (E0000047)".into(),
                    answer: None,
                }
            }
            500..=599 => {
                let answer = Some(Box::new(api_error(
                    status, method, path, &headers, &body, request_id,
                )));
                let reason = format!("HTTP {status}");
                if idempotent {
                    Attempt::Retry {
                        after: self.backoff(number),
                        reason,
                        answer,
                    }
                } else {
                    Attempt::Unknown { reason, answer }
                }
            }
            _ => {
                if status == 401 {
                    self.auth.forget_token().await;
                }
                Attempt::Fail(Error::Api(Box::new(api_error(
                    status, method, path, &headers, &body, request_id,
                ))))
            }
        }
    }

    /// The wait before retrying after attempt `number` (1 for the first).
    fn backoff(&self, number: u32) -> Duration {
        backoff(self.options.backoff, number, fastrand::f64())
    }
}

/// Exponential backoff: `first` after attempt 1, doubled after each further attempt, times a
/// jitter factor of 0.75–1.25 (`unit` in 0..1), at most 20 s.
fn backoff(first: Duration, number: u32, unit: f64) -> Duration {
    let base = first.saturating_mul(1 << number.saturating_sub(1).min(6));
    base.mul_f64(0.75 + unit * 0.5).min(Duration::from_secs(20))
}

fn api_error(
    status: u16,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &str,
    request_id: Option<String>,
) -> ApiError {
    let body: ErrorBody = serde_json::from_str(body).unwrap_or_default();
    let missing_scope = headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.contains("insufficient_scope"))
        .and_then(|v| v.split("scope=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .map(str::to_string);
    ApiError {
        status,
        method: method.to_string(),
        path: path.split('?').next().unwrap_or(path).to_string(),
        body,
        request_id,
        missing_scope,
    }
}

fn encode<B: Serialize>(body: &B) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(body).map_err(|e| Error::Client(format!("cannot encode a request: {e}")))
}

fn decode<T: DeserializeOwned>(method: &str, path: &str, body: &str) -> Result<T, Error> {
    serde_json::from_str(body).map_err(|e| Error::Decode {
        method: method.into(),
        path: path.split('?').next().unwrap_or(path).into(),
        reason: e.to_string(),
    })
}

/// A transport error in words, without the URL's query (which never holds secrets, but keep logs short).
pub(crate) fn describe_transport(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "could not connect (check the org URL and the network)".into()
    } else {
        let mut text = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(s) = source {
            text = format!("{text}: {s}");
            source = s.source();
        }
        text
    }
}

/// The `rel="next"` URL among all `Link` header lines (each may hold several comma-separated links).
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|link| {
            let (target, params) = link.split_once(';')?;
            let is_next = params
                .split(';')
                .any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"));
            is_next.then(|| {
                target
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_doubles_with_each_attempt_within_its_jitter() {
        let first = Duration::from_millis(250);
        assert_eq!(backoff(first, 1, 0.5), first);
        assert_eq!(backoff(first, 2, 0.5), first * 2);
        assert_eq!(backoff(first, 3, 0.5), first * 4);
        assert_eq!(backoff(first, 1, 0.0), first.mul_f64(0.75));
        assert_eq!(backoff(first, 1, 1.0), first.mul_f64(1.25));
        assert_eq!(backoff(first, 30, 1.0), Duration::from_secs(20));
    }

    #[test]
    fn finds_next_across_link_lines_and_lists() {
        // okta-sdk-python/test_profile_mapping_it__…test_list_profile_mappings_with_pagination.yaml
        let mut h = HeaderMap::new();
        h.append(
            "link",
            HeaderValue::from_static(
                "<https://test.okta.com/api/v1/mappings?limit=5>; rel=\"self\"",
            ),
        );
        h.append(
            "link",
            HeaderValue::from_static(
                "<https://test.okta.com/api/v1/mappings?after=prm1&limit=5>; rel=\"next\"",
            ),
        );
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://test.okta.com/api/v1/mappings?after=prm1&limit=5")
        );
        let mut one = HeaderMap::new();
        one.insert(
            "link",
            HeaderValue::from_static(
                "<https://a/x?limit=5>; rel=\"self\", <https://a/x?after=2>; rel=\"next\"",
            ),
        );
        assert_eq!(next_link(&one).as_deref(), Some("https://a/x?after=2"));
        let mut last = HeaderMap::new();
        last.insert(
            "link",
            HeaderValue::from_static("<https://a/x?limit=50>; rel=\"self\""),
        );
        assert_eq!(next_link(&last), None);
    }
}
