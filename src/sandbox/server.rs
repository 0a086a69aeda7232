//! The HTTP side of the sandbox: one axum fallback handler runs every request through Okta's
//! cross-cutting behaviour — latency and fault injection, `Authorization` (SSWS or DPoP-bound
//! OAuth tokens, with scopes), Okta's per-org concurrency limit (`429 E0000047` with a limit of
//! 0), per-bucket rate limits with `X-Rate-Limit-*` and `429 E0000047`,
//! `X-Okta-Request-Id` and `Date` on every answer, `Link` paging — then the API ([`super::api`]),
//! the OAuth token endpoint ([`super::oauth`]) or the reserved knobs under `/__sandbox/`.
//!
//! A change marks the org dirty; the state file is written by a background flush at most every
//! [`SAVE_EVERY`], and on stop — never the whole file per write. A large org waits longer
//! between saves ([`next_save_in`]): serializing holds the org's lock, so saving never takes
//! more than a fifth of its time.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, Uri};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::api::{self, Reply, Request};
use super::oauth::OAuth;
use super::rate_limits;
use super::state::{ADMIN_LOGIN, Actor, OrgState, Origin, now_ms};

/// Run-time settings, changeable at `/__sandbox/config`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Knobs {
    /// Added to every API request.
    pub latency_ms: u64,
    /// Requests per minute per bucket, unless `rate_limits` names the bucket.
    pub rate_limit: u32,
    /// Per-bucket limits, keyed by Okta's bucket names (`/api/v1/apps`, `/api/v1`; see
    /// `rate_limits`).
    pub rate_limits: HashMap<String, u32>,
    /// Requests in flight at once before a `429` (Okta: 75 per org on most editions); 0: no
    /// limit.
    pub max_concurrent_requests: usize,
    /// Length of a rate-limit window (Okta: one minute).
    pub rate_limit_window_ms: u64,
    /// How long a deleted schema property's name cannot be re-added ("the deletion process …
    /// is incomplete"; minutes on real orgs: terraform-provider-okta issues #587, #1974).
    pub deletion_window_ms: u64,
    /// How long a new app user stays `STAGED` before it is `PROVISIONED` (Create Users on).
    pub provision_delay_ms: u64,
    /// The Features API of an allow-listed app answers `400 Provisioning is not enabled for the
    /// app instance.` until its connection is `ENABLED`, as on Okta. Off by default until the
    /// client handles it.
    pub features_need_enabled_connection: bool,
    /// A polling System Log request (no `until`, ascending) always has a `next` link, even on
    /// an empty page, as Okta documents (a client that follows `next` to its end never stops).
    /// Off: a `next` link only while events remain, as on other lists.
    pub logs_polling_always_next: bool,
    pub faults: Faults,
    /// Lifetime of OAuth access tokens.
    pub token_ttl_s: u64,
    /// Keep every answer's body in the request log (for fidelity tests).
    pub record_bodies: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            latency_ms: 0,
            rate_limit: 600,
            rate_limits: HashMap::new(),
            max_concurrent_requests: 75,
            rate_limit_window_ms: 60_000,
            deletion_window_ms: 300_000,
            provision_delay_ms: 0,
            features_need_enabled_connection: true,
            logs_polling_always_next: true,
            faults: Faults::default(),
            token_ttl_s: 3600,
            record_bodies: false,
        }
    }
}

impl Knobs {
    /// What the API reads of them.
    pub fn settings(&self) -> api::Settings {
        api::Settings {
            deletion_window_ms: self.deletion_window_ms,
            provision_delay_ms: self.provision_delay_ms,
            features_need_enabled_connection: self.features_need_enabled_connection,
            logs_polling_always_next: self.logs_polling_always_next,
        }
    }
}

/// Seeded fault injection for API requests (knobs, token requests excluded).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    pub seed: u64,
    /// Chance of a fault on each request (0–1).
    pub probability: f64,
    /// API request numbers (1-based, counted from the last reset) that fault.
    pub on_requests: Vec<u64>,
    /// Only requests with this method fault (e.g. `POST`), when set.
    pub method: Option<String>,
    /// What a fault is: `500`, `503`, `429` (the bucket's limit reached: resets in a second),
    /// `slow` (answers after `slow_ms`), or `reset` (the answer breaks off after the work).
    pub kind: FaultKind,
    pub slow_ms: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    #[default]
    #[serde(rename = "500")]
    InternalError,
    #[serde(rename = "503")]
    Unavailable,
    #[serde(rename = "429")]
    RateLimited,
    Slow,
    /// The connection breaks mid-answer, after the request was handled.
    Reset,
}

/// One line of the request log.
#[derive(Debug, Clone, Serialize)]
pub struct Logged {
    pub n: u64,
    pub method: String,
    pub path: String,
    pub bucket: String,
    pub status: u16,
    pub at_ms: u64,
    /// The answer's body, when `record_bodies` is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
}

#[derive(Debug, Default)]
struct Bucket {
    window_start_ms: u64,
    used: u32,
}

/// How often a changed org is written to its state file, at most.
pub const SAVE_EVERY: Duration = Duration::from_millis(250);

/// The wait before the next save, after one that held the org's lock for `held`: four times
/// that, and at least [`SAVE_EVERY`] (a 30,000-user org takes most of a second to serialize,
/// and requests wait for it).
pub fn next_save_in(held: Duration) -> Duration {
    SAVE_EVERY.max(held * 4)
}

/// Everything the server shares between requests.
pub struct Shared {
    pub org: Mutex<OrgState>,
    /// Changed since the last save.
    dirty: AtomicBool,
    /// One save at a time.
    saving: Mutex<()>,
    /// API requests being handled now.
    in_flight: AtomicUsize,
    pub knobs: Mutex<Knobs>,
    log: Mutex<Vec<Logged>>,
    buckets: Mutex<HashMap<String, Bucket>>,
    rng: Mutex<fastrand::Rng>,
    pub oauth: OAuth,
    pub state_path: Option<PathBuf>,
    pub token: String,
    pub base_url: Mutex<String>,
    /// Served beyond loopback (`--allow-remote`): the knobs then need the API token too.
    pub remote: bool,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(org: OrgState, knobs: Knobs, state_path: Option<PathBuf>, token: String) -> Shared {
        let seed = knobs.faults.seed;
        Shared {
            org: Mutex::new(org),
            dirty: AtomicBool::new(false),
            saving: Mutex::new(()),
            in_flight: AtomicUsize::new(0),
            knobs: Mutex::new(knobs),
            log: Mutex::new(Vec::new()),
            buckets: Mutex::new(HashMap::new()),
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
            oauth: OAuth::default(),
            state_path,
            token,
            base_url: Mutex::new(String::new()),
            remote: false,
        }
    }

    /// Marks the org changed; [`Shared::flush`] writes it.
    pub(super) fn changed(&self) {
        self.dirty.store(true, Ordering::Release);
    }

    /// Writes the org to its state file if it changed since the last write: serialized under
    /// the org's lock, written outside it. How long the lock was held.
    pub fn flush(&self) -> Duration {
        let Some(path) = &self.state_path else {
            return Duration::ZERO;
        };
        let _one = lock(&self.saving);
        if !self.dirty.swap(false, Ordering::AcqRel) {
            return Duration::ZERO;
        }
        let started = std::time::Instant::now();
        let serialized = serde_json::to_vec(&*lock(&self.org));
        let held = started.elapsed();
        let bytes = match serialized {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::error!(error = %e, "sandbox state not serialized");
                return held;
            }
        };
        if let Err(e) = super::state::write_file(path, &bytes) {
            self.dirty.store(true, Ordering::Release);
            tracing::error!(error = %e, "sandbox state not saved");
        }
        held
    }
}

/// Counts a request in flight while it lives.
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

pub(super) fn json_response(status: u16, body: Option<&Value>) -> Response<Body> {
    let mut response = Response::new(match body {
        Some(v) => Body::from(v.to_string()),
        None => Body::empty(),
    });
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if body.is_some() {
        response
            .headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
    }
    response
}

/// `429 E0000047` with the bucket's `limit` (0 for Okta's per-org concurrency refusal),
/// nothing remaining, and a reset one second away; the body too, for the request log.
fn too_many(limit: u32) -> (Response<Body>, Value) {
    let reply = api::error(
        429,
        "E0000047",
        "API call exceeded rate limit due to too many requests.",
        &[],
    );
    let body = reply.body.unwrap_or(Value::Null);
    let mut response = json_response(429, Some(&body));
    header(&mut response, "x-rate-limit-limit", &limit.to_string());
    header(&mut response, "x-rate-limit-remaining", "0");
    header(
        &mut response,
        "x-rate-limit-reset",
        &(now_ms() / 1000 + 1).to_string(),
    );
    (response, body)
}

fn header(response: &mut Response<Body>, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().append(name, v);
    }
}

fn request_id(shared: &Shared) -> String {
    format!("sandbox-{:016x}", lock(&shared.rng).u64(..))
}

/// Every request lands here; `peer` is the address it came from.
pub async fn handle(
    shared: std::sync::Arc<Shared>,
    peer: std::net::SocketAddr,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let path = uri.path().to_string();
    let query: Vec<(String, String)> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let id = request_id(&shared);
    // What the System Log's `client` and `transaction` say of this request.
    let origin = Origin {
        ip_address: peer.ip().to_canonical().to_string(),
        user_agent: headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        request_id: id.clone(),
        ..Origin::default()
    };
    let mut response = if let Some(rest) = path.strip_prefix("/__sandbox/scim/") {
        // The embedded SCIM servers: the vendor's side, for loopback callers only.
        if peer.ip().to_canonical().is_loopback() {
            super::scim::serve(&shared, method.as_str(), rest, &query, &headers, &body)
        } else {
            reply_json(
                403,
                json!({"error": "the embedded SCIM servers answer loopback callers only"}),
            )
        }
    } else if let Some(rest) = path.strip_prefix("/__sandbox") {
        if shared.remote && !knob_token_given(&shared, &headers) {
            reply_json(
                401,
                json!({"error": "this sandbox is served beyond loopback: its knobs need `Authorization: SSWS <its API token>`"}),
            )
        } else {
            knob(&shared, method.as_str(), rest, &query, &body, &origin)
        }
    } else if path == "/oauth2/v1/token" && method == Method::POST {
        let base = lock(&shared.base_url).clone();
        let ttl = lock(&shared.knobs).token_ttl_s;
        shared.oauth.token(&base, &headers, &body, ttl)
    } else {
        management(&shared, &method, &path, query, &headers, &body, origin).await
    };
    header(&mut response, "x-okta-request-id", &id);
    header(
        &mut response,
        "date",
        &httpdate::fmt_http_date(std::time::SystemTime::now()),
    );
    response
}

/// Runs an API request on the org under its lock. A sandbox bug answers like Okta's own
/// failures rather than dropping the connection; a change marks the org for the next save.
fn run(shared: &Shared, request: &Request) -> Reply {
    let mut org = lock(&shared.org);
    let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        api::handle(&mut org, request)
    }))
    .unwrap_or_else(|_| {
        api::error(
            500,
            "E0000009",
            "Internal Server Error",
            &["sandbox bug: see its log".into()],
        )
    });
    if reply.changed {
        shared.changed();
    }
    reply
}

/// A reply as an HTTP response, with its `Link` headers.
fn respond(reply: &Reply) -> Response<Body> {
    let mut response = json_response(reply.status, reply.body.as_ref());
    for link in &reply.links {
        header(&mut response, "link", link);
    }
    response
}

async fn management(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: Vec<(String, String)>,
    headers: &HeaderMap,
    body: &[u8],
    origin: Origin,
) -> Response<Body> {
    let knobs = lock(&shared.knobs).clone();
    let now_in_flight = shared.in_flight.fetch_add(1, Ordering::AcqRel) + 1;
    let _in_flight = InFlight(&shared.in_flight);
    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }
    let bucket = rate_limits::bucket(method.as_str(), path);
    let n = lock(&shared.log).len() as u64 + 1;
    let record = |status: u16, body: Option<&Value>| {
        lock(&shared.log).push(Logged {
            n,
            method: method.to_string(),
            path: path.to_string(),
            bucket: bucket.clone(),
            status,
            at_ms: now_ms(),
            response: body.filter(|_| knobs.record_bodies).cloned(),
        });
    };
    // Authentication first, as Okta does.
    let base = lock(&shared.base_url).clone();
    let mut actor = match shared.oauth.authorize(
        headers,
        method.as_str(),
        &format!("{base}{path}"),
        &shared.token,
        path,
    ) {
        Ok(actor) => actor,
        Err(response) => {
            record(response.status().as_u16(), None);
            return *response;
        }
    };
    // Okta's per-org concurrency limit: a 429 whose limit is 0, with a suggested reset.
    if knobs.max_concurrent_requests > 0 && now_in_flight > knobs.max_concurrent_requests {
        let (response, body) = too_many(0);
        record(429, Some(&body));
        return response;
    }
    // Rate limit of the bucket.
    let limit = knobs
        .rate_limits
        .get(&bucket)
        .copied()
        .unwrap_or(knobs.rate_limit)
        .max(1);
    let (remaining, reset_s, exhausted) = {
        let mut buckets = lock(&shared.buckets);
        let b = buckets.entry(bucket.clone()).or_default();
        let now = now_ms();
        let window = knobs.rate_limit_window_ms.max(1);
        if now >= b.window_start_ms + window {
            b.window_start_ms = now;
            b.used = 0;
        }
        let exhausted = b.used >= limit;
        if !exhausted {
            b.used += 1;
        }
        (
            limit.saturating_sub(b.used),
            (b.window_start_ms + window).div_ceil(1000),
            exhausted,
        )
    };
    let with_limits = |mut response: Response<Body>| {
        header(&mut response, "x-rate-limit-limit", &limit.to_string());
        header(
            &mut response,
            "x-rate-limit-remaining",
            &remaining.to_string(),
        );
        header(&mut response, "x-rate-limit-reset", &reset_s.to_string());
        response
    };
    if exhausted {
        // Recorded: okta-sdk-python/test_application_features_it__…coverage_push.yaml #18
        let reply = api::error(
            429,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
            &[],
        );
        record(429, reply.body.as_ref());
        return with_limits(json_response(429, reply.body.as_ref()));
    }
    // Injected faults.
    let faults = &knobs.faults;
    let method_matches = faults
        .method
        .as_deref()
        .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()));
    let fault = method_matches
        && (faults.on_requests.contains(&n)
            || (faults.probability > 0.0 && lock(&shared.rng).f64() < faults.probability));
    if fault {
        match faults.kind {
            FaultKind::InternalError | FaultKind::Unavailable => {
                let status = if faults.kind == FaultKind::Unavailable {
                    503
                } else {
                    500
                };
                let reply = api::error(status, "E0000009", "Internal Server Error", &[]);
                record(status, reply.body.as_ref());
                return with_limits(json_response(status, reply.body.as_ref()));
            }
            FaultKind::RateLimited => {
                let (response, body) = too_many(limit);
                record(429, Some(&body));
                return response;
            }
            FaultKind::Slow => tokio::time::sleep(Duration::from_millis(faults.slow_ms)).await,
            FaultKind::Reset => {}
        }
    }
    // Who the credentials say, from where the request says.
    actor.origin = Origin {
        client_id: actor.origin.client_id.take(),
        api_token_id: actor.origin.api_token_id.take(),
        ..origin
    };
    let request = Request {
        method: method.as_str(),
        path,
        query,
        body,
        base_url: &base,
        actor,
        settings: knobs.settings(),
    };
    let reply = run(shared, &request);
    record(reply.status, reply.body.as_ref());
    if fault && faults.kind == FaultKind::Reset {
        // The write happened; the answer never arrives whole (a connection reset, as a client
        // sees it): the body stream fails after the headers.
        let broken = futures_util::stream::once(async {
            Err::<Bytes, std::io::Error>(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "injected reset",
            ))
        });
        let mut response = Response::new(Body::from_stream(broken));
        response
            .headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
        return response;
    }
    with_limits(respond(&reply))
}

/// Whether the request carries the API token (`SSWS …`), compared in constant time.
fn knob_token_given(shared: &Shared, headers: &HeaderMap) -> bool {
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("SSWS "))
        .unwrap_or_default();
    given.len() == shared.token.len()
        && given
            .bytes()
            .zip(shared.token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// A request body that could not be read: over [`BODY_LIMIT`], `413` in Okta's error shape (no
/// recording shows Okta's own; its gateway refuses large bodies before the API sees them, and
/// clients parse the body as an Okta error either way); otherwise (it broke off) `400 E0000003`.
pub fn body_refused(status: StatusCode) -> Response<Body> {
    let reply = if status == StatusCode::PAYLOAD_TOO_LARGE {
        super::api::error(
            413,
            "E0000001",
            "Api validation failed: request body",
            &[format!(
                "the request body is over {} MB",
                BODY_LIMIT / (1024 * 1024)
            )],
        )
    } else {
        super::api::error(
            400,
            "E0000003",
            "The request body was not well-formed.",
            &[],
        )
    };
    json_response(reply.status, reply.body.as_ref())
}

/// The largest request body the sandbox reads (axum's default).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

fn reply_json(status: u16, body: Value) -> Response<Body> {
    json_response(status, Some(&body))
}

/// The reserved paths: settings, counters and the request log, console-only changes, reset.
fn knob(
    shared: &Shared,
    method: &str,
    rest: &str,
    query: &[(String, String)],
    body: &[u8],
    origin: &Origin,
) -> Response<Body> {
    let parse = || serde_json::from_slice::<Value>(body).map_err(|e| e.to_string());
    let segments: Vec<&str> = rest.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("GET", ["health"]) => reply_json(200, json!({"status": "ok"})),
        ("GET", ["config"]) => reply_json(200, json!(*lock(&shared.knobs))),
        ("PUT", ["config"]) => match serde_json::from_slice::<Knobs>(body) {
            Ok(knobs) => {
                *lock(&shared.rng) = fastrand::Rng::with_seed(knobs.faults.seed);
                *lock(&shared.knobs) = knobs.clone();
                reply_json(200, json!(knobs))
            }
            Err(e) => reply_json(400, json!({"error": e.to_string()})),
        },
        ("GET", ["requests"]) => {
            let log = lock(&shared.log);
            let mut by_bucket: HashMap<&str, u64> = HashMap::new();
            for l in log.iter() {
                *by_bucket.entry(l.bucket.as_str()).or_default() += 1;
            }
            reply_json(
                200,
                json!({"count": log.len(), "by_bucket": by_bucket, "log": *log}),
            )
        }
        ("DELETE", ["requests"]) => {
            lock(&shared.log).clear();
            lock(&shared.buckets).clear();
            reply_json(200, json!({"count": 0}))
        }
        ("POST", ["reset"]) => {
            let seed = match query
                .iter()
                .find(|(k, _)| k == "seed")
                .map(|(_, v)| v.as_str())
            {
                Some("empty") => super::Seed::Empty,
                _ => super::Seed::Demo,
            };
            let mut org = lock(&shared.org);
            *org = super::seed::org(seed);
            shared.changed();
            lock(&shared.log).clear();
            lock(&shared.buckets).clear();
            reply_json(200, json!({"seed": format!("{seed:?}").to_lowercase()}))
        }
        ("PUT", ["oauth", "clients", client_id]) => match parse() {
            Ok(jwk) => {
                shared.oauth.register(client_id, jwk);
                reply_json(200, json!({"client_id": client_id}))
            }
            Err(e) => reply_json(400, json!({"error": e})),
        },
        // What only the Admin Console can change: a custom app's SCIM connection and toggles.
        ("PUT", ["console", "apps", id, "provisioning"]) => match parse() {
            Ok(settings) => console_provisioning(shared, id, settings, console(query, origin)),
            Err(e) => reply_json(400, json!({"error": e})),
        },
        // Provisioning → To App → "Provision Users": what Okta does not do by itself for users
        // assigned before Create Users was on (help "Manage app integration assignments").
        ("POST", ["console", "apps", id, "provision-users"]) => {
            console_provision_users(shared, id, console(query, origin))
        }
        // Any Management API request, made by an admin in the Admin Console.
        (_, ["console", "api", "v1", ..]) => {
            let path = rest.trim_end_matches('/').trim_start_matches("/console");
            console_api(shared, method, path, query, body, console(query, origin))
        }
        _ => reply_json(
            404,
            json!({"error": format!("no sandbox knob {method} /__sandbox{rest}")}),
        ),
    }
}

/// The administrator a console knob acts as: `?admin=jane@example.com`, else the org's admin,
/// from a browser at the knob caller's address.
fn console(query: &[(String, String)], origin: &Origin) -> Actor {
    let login = query
        .iter()
        .find(|(k, _)| k == "admin")
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
        .unwrap_or(ADMIN_LOGIN);
    let mut actor = Actor::console(login);
    actor.origin.ip_address = origin.ip_address.clone();
    actor.origin.request_id = origin.request_id.clone();
    actor
}

/// `/__sandbox/console/api/v1/…`: the Management API request at `path` (`/api/v1/…`), as the
/// Admin Console makes it for an admin — no API credentials, rate limits or injected faults,
/// and not in the request log (it is not oktaform's); the same answer and System Log entries.
fn console_api(
    shared: &Shared,
    method: &str,
    path: &str,
    query: &[(String, String)],
    body: &[u8],
    actor: Actor,
) -> Response<Body> {
    let base = lock(&shared.base_url).clone();
    let settings = lock(&shared.knobs).settings();
    let request = Request {
        method,
        path,
        query: query
            .iter()
            .filter(|(k, _)| k != "admin")
            .cloned()
            .collect(),
        body,
        base_url: &base,
        actor,
        settings,
    };
    respond(&run(shared, &request))
}

/// Sets a custom app's provisioning as an admin would in the console: `features` (the app's
/// features array: `SCIM_PROVISIONING`, `PUSH_NEW_USERS`, …) and `scim` (connection settings).
fn console_provisioning(
    shared: &Shared,
    id: &str,
    settings: Value,
    actor: Actor,
) -> Response<Body> {
    let mut org = lock(&shared.org);
    let Some(i) = org.app_index(id) else {
        return json_response(404, api::not_found(id, "AppInstance").body.as_ref());
    };
    if let Some(features) = settings.get("features").and_then(Value::as_array) {
        org.apps[i].app["features"] = Value::Array(features.clone());
        org.apps[i].app["lastUpdated"] = json!(super::state::timestamp());
    }
    if let Some(scim) = settings.get("scim") {
        org.apps[i].console = scim.clone();
    }
    let (app_id, label) = (
        org.apps[i].app["id"].clone(),
        org.apps[i].app["label"].clone(),
    );
    org.log(
        &actor,
        "application.lifecycle.update",
        "Update provisioning settings in the Admin Console",
        vec![super::state::target(&app_id, "AppInstance", &label)],
    );
    let app = org.apps[i].app.clone();
    shared.changed();
    reply_json(200, app)
}

/// Queues provisioning for the app's `STAGED` users; `400` while Create Users is off.
fn console_provision_users(shared: &Shared, id: &str, actor: Actor) -> Response<Body> {
    let delay = lock(&shared.knobs).provision_delay_ms;
    let mut org = lock(&shared.org);
    let Some(i) = org.app_index(id) else {
        return json_response(404, api::not_found(id, "AppInstance").body.as_ref());
    };
    let creates = org.apps[i].app["features"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == "PUSH_NEW_USERS"));
    if !creates {
        return reply_json(
            400,
            json!({"error": "Create Users (PUSH_NEW_USERS) is off: there is no Provision Users"}),
        );
    }
    let queued = api::provision_staged(&mut org, i, delay);
    org.log_app(
        i,
        &actor,
        "application.lifecycle.update",
        "Provision users in the Admin Console",
        Vec::new(),
    );
    shared.changed();
    reply_json(200, json!({"queued": queued}))
}

/// Turns a [`Reply`] into a response (used by the OAuth module for its errors).
pub fn from_reply(reply: Reply) -> Response<Body> {
    json_response(reply.status, reply.body.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_save_spaces_out_the_next() {
        assert_eq!(next_save_in(Duration::from_millis(10)), SAVE_EVERY);
        assert_eq!(
            next_save_in(Duration::from_millis(800)),
            Duration::from_millis(3_200)
        );
    }
}
