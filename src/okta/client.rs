//! The HTTP client: the one place requests to Okta are sent.
//!
//! It authenticates ([`Authenticator`]), caps concurrent requests with an adaptive limit (halved
//! on a 429, eased while a bucket runs low, grown back one at a time while there is headroom),
//! keeps within a share of each of Okta's rate-limit buckets (`facts::rate_limits`), waits out a
//! 429 (`Reset − Date + 1 s`, bounded) without holding a slot, retries GET/PUT/DELETE on 5xx,
//! timeouts and connection errors with jittered backoff, and never resends a POST blindly:
//! [`Client::post_verified`] re-reads to learn whether a failed POST took effect. It follows
//! `Link: rel="next"` across pages, only within the org.
//!
//! Nothing an org sends can hold it forever: each answer's body is capped ([`body_cap`]: 64 MiB
//! for a list page, 16 MiB for a schema, 4 MiB for any other object — far above any real
//! answer), each request has a timeout (default 30 s, the body included) and the client an
//! overall deadline ([`ClientOptions::deadline`], the CLI's `--timeout`); each error names the
//! endpoint. Logs carry method, path, status, time and Okta's request id — never a header value
//! or a body.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::{Semaphore, SemaphorePermit, watch};

use super::auth::{Access, Authenticator, Credentials};
use super::error::{ApiError, Error, ErrorBody};
use super::progress::{Event, Progress};
use super::rate_limit::{Observed, RateLimits};
use crate::facts::rate_limits::{ORG_CONCURRENCY, bucket};
use crate::ids::OrgUrl;

/// Tuning of the client. The defaults suit a CI job sharing an org with production.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Most requests in flight at once: the ceiling of the adaptive limit, which starts there,
    /// halves on a 429, and grows back one at a time. The default, two thirds of Okta's per-org
    /// limit of 75, leaves the rest to the org's other callers.
    pub max_concurrency: usize,
    /// Share of each rate-limit bucket oktaform may use (0–1).
    pub api_share: f64,
    /// Attempts for a GET/PUT/DELETE that fails with 5xx or a transport error, and for 429s.
    pub max_attempts: u32,
    /// Longest wait for a rate-limit reset before giving up.
    pub max_rate_limit_wait: Duration,
    /// First retry backoff; doubled each attempt, with jitter.
    pub backoff: Duration,
    /// Per-request timeout, the body included.
    pub timeout: Duration,
    /// Time the client may take in all, from its creation (a command's `--timeout`); `None`:
    /// no limit beyond each request's.
    pub deadline: Option<Duration>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            max_concurrency: ORG_CONCURRENCY * 2 / 3,
            api_share: 0.5,
            max_attempts: 4,
            max_rate_limit_wait: Duration::from_secs(90),
            backoff: Duration::from_millis(250),
            timeout: Duration::from_secs(30),
            deadline: None,
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
    /// Answers received (any status).
    pub answered: AtomicU64,
    /// Most requests that were in flight at once.
    pub max_in_flight: AtomicU64,
    /// Sequential round trips: the longest chain of requests each sent after the one before it
    /// was answered (a request sent after answers of chains up to `n` long is in round `n + 1`).
    pub rounds: AtomicU64,
}

/// A request's round (see [`Stats::rounds`]), counted as answered when the attempt ends.
struct Round<'a> {
    rounds: &'a AtomicU64,
    depth: u64,
}

impl<'a> Round<'a> {
    fn start(rounds: &'a AtomicU64) -> Round<'a> {
        Round {
            rounds,
            depth: rounds.load(Ordering::Acquire) + 1,
        }
    }
}

impl Drop for Round<'_> {
    fn drop(&mut self) {
        self.rounds.fetch_max(self.depth, Ordering::AcqRel);
    }
}

/// The adaptive concurrency limit: a semaphore whose permits follow `target`. Pages of lists
/// go first: their answers lead to more requests (the next page, the login searches that wait
/// for every assigned-user page), a single object's seldom does, so a wave of 125 reads of 25
/// apps takes three rounds rather than four.
#[derive(Debug)]
struct Gate {
    permits: Semaphore,
    state: Mutex<GateState>,
    /// Pages waiting for a slot; other requests wait while there are any.
    pages_waiting: watch::Sender<usize>,
}

/// Whether a request goes ahead of the others at the gate: a GET of a page of a list.
fn goes_first(method: &Method, path: &str) -> bool {
    method == Method::GET && path.contains("limit=")
}

/// A page's place in the queue, given up when it has a slot or is abandoned.
struct PageWaiting<'a>(&'a watch::Sender<usize>);

impl Drop for PageWaiting<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

#[derive(Debug)]
struct GateState {
    ceiling: usize,
    target: usize,
    /// Permits that exist (held or free); above `target` they are dropped on release.
    total: usize,
    in_flight: usize,
    /// Answers without pressure since the last change of `target`.
    calm: usize,
}

/// A held slot; released on drop.
struct Slot<'a> {
    gate: &'a Gate,
    permit: Option<SemaphorePermit<'a>>,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut state = self.gate.lock();
        state.in_flight -= 1;
        if let Some(permit) = self.permit.take()
            && state.total > state.target
        {
            permit.forget();
            state.total -= 1;
        }
    }
}

impl Gate {
    fn new(ceiling: usize) -> Gate {
        let ceiling = ceiling.max(1);
        Gate {
            permits: Semaphore::new(ceiling),
            pages_waiting: watch::Sender::new(0),
            state: Mutex::new(GateState {
                ceiling,
                target: ceiling,
                total: ceiling,
                in_flight: 0,
                calm: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a slot (after every page waiting, unless `first`); returns it with the
    /// number now in flight.
    async fn acquire(&self, first: bool) -> Option<(Slot<'_>, usize)> {
        let permit = if first {
            self.pages_waiting.send_modify(|n| *n += 1);
            let _waiting = PageWaiting(&self.pages_waiting);
            self.permits.acquire().await.ok()?
        } else {
            let mut pages = self.pages_waiting.subscribe();
            pages.wait_for(|n| *n == 0).await.ok()?;
            self.permits.acquire().await.ok()?
        };
        let mut state = self.lock();
        state.in_flight += 1;
        let now = state.in_flight;
        drop(state);
        Some((
            Slot {
                gate: self,
                permit: Some(permit),
            },
            now,
        ))
    }

    /// Okta refused for load (a 429): half as many at once.
    fn back_off(&self) {
        let mut state = self.lock();
        state.target = (state.target / 2).max(1);
        state.calm = 0;
        tracing::info!(limit = state.target, "429: fewer requests in flight");
    }

    /// A bucket runs low: one fewer at once.
    fn ease(&self) {
        let mut state = self.lock();
        state.target = state.target.saturating_sub(1).max(1);
        state.calm = 0;
    }

    /// An answer with headroom: after as many calm answers as the limit, one more at once.
    fn calm(&self) {
        let mut state = self.lock();
        if state.target >= state.ceiling {
            return;
        }
        state.calm += 1;
        if state.calm >= state.target {
            state.calm = 0;
            state.target += 1;
            while state.total < state.target {
                state.total += 1;
                self.permits.add_permits(1);
            }
        }
    }

    fn target(&self) -> usize {
        self.lock().target
    }
}

/// A client for one org.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    org: OrgUrl,
    auth: Authenticator,
    limits: RateLimits,
    gate: Gate,
    options: ClientOptions,
    /// When the deadline passes, if there is one.
    deadline: Option<Instant>,
    progress: Progress,
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
            gate: Gate::new(options.max_concurrency),
            deadline: options.deadline.map(|d| Instant::now() + d),
            options,
            progress: Progress::none(),
            stats: Stats::default(),
        })
    }

    /// Reports requests and rate-limit waits to `progress`.
    pub fn with_progress(mut self, progress: Progress) -> Client {
        self.progress = progress;
        self
    }

    /// Where long work reports to (the read and apply use it too).
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// The adaptive concurrency limit now.
    pub fn concurrency(&self) -> usize {
        self.gate.target()
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
        self.get_all_with(path, |page| serde_json::from_str(page))
            .await
    }

    /// [`Client::get_all`], each page parsed by `parse`.
    pub async fn get_all_with<T>(
        &self,
        path: &str,
        parse: impl Fn(&str) -> Result<Vec<T>, serde_json::Error>,
    ) -> Result<Vec<T>, Error> {
        let mut items = Vec::new();
        let mut url = self.org.join(path);
        loop {
            let answer = self.send(Method::GET, &url, None).await?;
            let page: Vec<T> = parse(&answer.body).map_err(|e| decode_error("GET", path, e))?;
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
        let bucket = bucket(method.as_str(), &path);
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
                    bucket,
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
                    if let Some(error) = self.past_deadline(&method, &path, after) {
                        return Err(error);
                    }
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(%method, path = %path, %reason, wait_ms = after.as_millis() as u64, "retrying");
                    if after >= Duration::from_secs(1) {
                        self.progress.event(Event::RateLimitWait {
                            bucket: bucket.to_string(),
                            left: after,
                        });
                    }
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
        // Keep within the share of the bucket first, without holding a slot while waiting.
        loop {
            let wait = self.limits.before_send(bucket);
            if wait.is_zero() {
                break;
            }
            if wait > self.options.max_rate_limit_wait {
                return Attempt::Fail(Error::RateLimitWaitTooLong {
                    bucket: bucket.into(),
                    wait,
                    max: self.options.max_rate_limit_wait,
                });
            }
            if let Some(error) = self.past_deadline(method, path, wait) {
                return Attempt::Fail(error);
            }
            self.stats.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
            tracing::info!(
                bucket,
                wait_ms = wait.as_millis() as u64,
                "keeping within the rate-limit share"
            );
            self.progress.event(Event::RateLimitWait {
                bucket: bucket.to_string(),
                left: wait,
            });
            tokio::time::sleep(wait).await;
        }
        let first = goes_first(method, path);
        let Some((_slot, in_flight)) = self.gate.acquire(first).await else {
            self.limits.after_answer(bucket, None);
            return Attempt::Fail(Error::Client("the client is shutting down".into()));
        };
        self.stats
            .max_in_flight
            .fetch_max(in_flight as u64, Ordering::Relaxed);
        let timeout = match self.time_left() {
            Some(left) if left.is_zero() => {
                self.limits.after_answer(bucket, None);
                return Attempt::Fail(self.deadline_error(method, path));
            }
            Some(left) => left.min(self.options.timeout),
            None => self.options.timeout,
        };
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
            .timeout(timeout)
            .header("accept", "application/json");
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_vec());
        }
        let started = Instant::now();
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let _round = Round::start(&self.stats.rounds);
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                self.limits.after_answer(bucket, None);
                self.answered();
                if e.is_timeout() && self.time_left().is_some_and(|l| l.is_zero()) {
                    return Attempt::Fail(self.deadline_error(method, path));
                }
                let reason = describe_transport_after(&e, timeout);
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
        self.answered();
        // Okta answers a request over its per-org concurrency limit with 429 and a limit of 0:
        // not a bucket's count, and its reset only a suggestion.
        let concurrency_refusal = status == 429 && observed.is_some_and(|o| o.limit == 0);
        match observed {
            Some(o) if !concurrency_refusal => {
                self.limits.after_answer(bucket, Some(o));
                if status == 429 {
                    self.gate.back_off();
                } else if self.limits.running_low(bucket) {
                    self.gate.ease();
                } else {
                    self.gate.calm();
                }
            }
            _ => {
                self.limits.after_answer(bucket, None);
                if concurrency_refusal {
                    self.gate.back_off();
                } else {
                    self.gate.calm();
                }
            }
        }
        let request_id = headers
            .get("x-okta-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = match read_body(response, body_cap(method.as_str(), path)).await {
            Ok(body) => body,
            Err(BodyError::TooLarge(cap)) => {
                return Attempt::Fail(Error::BodyTooLarge {
                    method: method.to_string(),
                    path: path.split('?').next().unwrap_or(path).to_string(),
                    cap,
                });
            }
            Err(BodyError::Transport(e))
                if e.is_timeout() && self.time_left().is_some_and(|l| l.is_zero()) =>
            {
                return Attempt::Fail(self.deadline_error(method, path));
            }
            // The answer broke off: like a lost connection, the request may have been handled.
            Err(BodyError::Transport(e)) => {
                let reason = format!(
                    "the answer broke off: {}",
                    describe_transport_after(&e, timeout)
                );
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
            429 if concurrency_refusal => {
                self.stats.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
                Attempt::Retry {
                    after: self.backoff(number),
                    reason: "429: too many requests in flight for the org (E0000047)".into(),
                    answer: None,
                }
            }
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

    fn answered(&self) {
        let answered = self.stats.answered.fetch_add(1, Ordering::Relaxed) + 1;
        self.progress.event(Event::Requests {
            sent: self.stats.requests.load(Ordering::Relaxed),
            answered,
        });
    }

    /// Time until the deadline (zero once past), or `None` without one.
    fn time_left(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// The error for a wait of `wait` that would end past the deadline, if it would.
    fn past_deadline(&self, method: &Method, path: &str, wait: Duration) -> Option<Error> {
        match self.time_left() {
            Some(left) if wait >= left => Some(self.deadline_error(method, path)),
            _ => None,
        }
    }

    fn deadline_error(&self, method: &Method, path: &str) -> Error {
        Error::Deadline {
            method: method.to_string(),
            path: path.split('?').next().unwrap_or(path).to_string(),
            after: self.options.deadline.unwrap_or_default(),
        }
    }
}

/// The largest body read from an answer to `method path`, by kind of endpoint: a list page
/// (up to 500 app users with their embedded users, 1,000 System Log events: a few MiB at
/// most), a schema (Okta allows a few hundred properties), any other object.
pub fn body_cap(method: &str, path: &str) -> usize {
    const MIB: usize = 1 << 20;
    let bare = path.split('?').next().unwrap_or(path);
    if bare.contains("/meta/schemas/") {
        16 * MIB
    } else if method == "GET" && (path.contains("limit=") || is_list(bare)) {
        64 * MIB
    } else {
        4 * MIB
    }
}

/// Whether a path names a collection (`/api/v1/apps`, `/api/v1/apps/{id}/users`).
fn is_list(path: &str) -> bool {
    matches!(
        path.rsplit('/').next(),
        Some("apps" | "users" | "groups" | "mappings" | "logs" | "features" | "user")
    )
}

enum BodyError {
    TooLarge(usize),
    Transport(reqwest::Error),
}

/// The body as text, refusing more than `cap` bytes (announced or sent).
async fn read_body(mut response: reqwest::Response, cap: usize) -> Result<String, BodyError> {
    let announced = response.content_length();
    if announced.is_some_and(|n| n > cap as u64) {
        return Err(BodyError::TooLarge(cap));
    }
    // Room for the announced length at once (a page of 500 is megabytes), never above the cap.
    let mut bytes: Vec<u8> = Vec::with_capacity(announced.map_or(0, |n| n as usize));
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if bytes.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge(cap));
        }
        bytes.extend_from_slice(&chunk);
    }
    // Valid UTF-8 (every Okta answer) is taken as it is; anything else is shown, not refused.
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// [`describe_transport`], with the timeout's length when it is one.
fn describe_transport_after(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        format!(
            "timed out after {}",
            humantime::format_duration(round_ms(timeout))
        )
    } else {
        describe_transport(error)
    }
}

fn round_ms(d: Duration) -> Duration {
    Duration::from_millis(d.as_millis() as u64)
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
    serde_json::from_str(body).map_err(|e| decode_error(method, path, e))
}

fn decode_error(method: &str, path: &str, e: serde_json::Error) -> Error {
    Error::Decode {
        method: method.into(),
        path: path.split('?').next().unwrap_or(path).into(),
        reason: e.to_string(),
    }
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

    #[tokio::test]
    async fn pages_go_ahead_of_single_objects_at_the_gate() {
        let gate = Gate::new(1);
        let held = gate.acquire(false).await;
        let order = Mutex::new(Vec::new());
        let take = |name: &'static str, first: bool| {
            let (gate, order) = (&gate, &order);
            async move {
                let slot = gate.acquire(first).await;
                order.lock().unwrap().push(name);
                tokio::task::yield_now().await;
                drop(slot);
            }
        };
        let release = async {
            tokio::task::yield_now().await;
            drop(held);
        };
        // The object asks while a page waits, so the page asking after it goes first too.
        tokio::join!(
            take("page 1", true),
            take("object", false),
            take("page 2", true),
            release
        );
        assert_eq!(*order.lock().unwrap(), ["page 1", "page 2", "object"]);
        assert!(goes_first(
            &Method::GET,
            "/api/v1/apps/0oa1/users?limit=500&expand=user"
        ));
        assert!(!goes_first(&Method::GET, "/api/v1/mappings/prm1"));
        assert!(!goes_first(
            &Method::PUT,
            "/api/v1/apps/0oa1/groups/00g1?limit=1"
        ));
    }

    #[test]
    fn a_request_sent_after_an_answer_is_in_the_next_round() {
        let rounds = AtomicU64::new(0);
        let a = Round::start(&rounds);
        let b = Round::start(&rounds);
        drop(a);
        // Sent once `a` was answered, though `b` is still in flight: round 2.
        let c = Round::start(&rounds);
        drop(b);
        assert_eq!(rounds.load(Ordering::Relaxed), 1);
        drop(c);
        assert_eq!(rounds.load(Ordering::Relaxed), 2);
        // Beside `c`'s round, not after it: still 2 when it ends.
        let d = Round {
            rounds: &rounds,
            depth: 2,
        };
        drop(d);
        assert_eq!(rounds.load(Ordering::Relaxed), 2);
    }

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
