//! Okta's rate limits, tracked per bucket from the `X-Rate-Limit-*` headers.
//!
//! Okta counts requests per bucket (a group of endpoints: `facts::rate_limits`) and tells, on every answer, the bucket's limit, what
//! remains, and when it resets (epoch seconds, read against the answer's `Date` to avoid clock
//! skew). oktaform shares the org's budget with production sign-ins and provisioning, so it uses
//! at most a share of each bucket (default 50 %, like terraform-provider-okta's
//! `max_api_capacity`) and waits for the reset instead of taking more.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderMap;

/// What Okta last said about one bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    limit: u32,
    remaining: u32,
    resets_at: Instant,
    /// Requests sent since that answer and not yet answered.
    in_flight: u32,
}

/// Per-bucket state shared by every request of one client.
#[derive(Debug)]
pub struct RateLimits {
    share: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// A bucket's numbers from one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observed {
    pub limit: u32,
    pub remaining: u32,
    /// Time until the bucket resets, from the answer's `Date`.
    pub resets_in: Duration,
}

impl Observed {
    /// Reads `X-Rate-Limit-Limit/Remaining/Reset` and `Date`. `None` when the headers are absent.
    pub fn from_headers(headers: &HeaderMap) -> Option<Observed> {
        let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
        let limit = u32::try_from(number("x-rate-limit-limit")?).ok()?;
        let remaining = u32::try_from(number("x-rate-limit-remaining")?).ok()?;
        let reset = SystemTime::UNIX_EPOCH + Duration::from_secs(number("x-rate-limit-reset")?);
        let now = headers
            .get("date")
            .and_then(|d| d.to_str().ok())
            .and_then(|d| httpdate::parse_http_date(d).ok())
            .unwrap_or_else(SystemTime::now);
        Some(Observed {
            limit,
            remaining,
            resets_in: reset.duration_since(now).unwrap_or_default(),
        })
    }

    /// How long to wait after a 429: until the reset, plus one second.
    pub fn wait_after_429(&self) -> Duration {
        self.resets_in + Duration::from_secs(1)
    }
}

impl RateLimits {
    /// `share` of each bucket may be used (0 < share ≤ 1).
    pub fn new(share: f64) -> Self {
        RateLimits {
            share: share.clamp(0.01, 1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Before sending to `bucket`: how long to wait first (zero when there is room), counting
    /// the request as in flight once the wait is over.
    pub fn before_send(&self, bucket: &str) -> Duration {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let Some(state) = buckets.get_mut(bucket) else {
            return Duration::ZERO;
        };
        let now = Instant::now();
        if now >= state.resets_at {
            // A new window: forget the old counts until the next answer.
            buckets.remove(bucket);
            return Duration::ZERO;
        }
        let allowed = ((f64::from(state.limit) * self.share).floor() as u32).max(1);
        let used = state.limit.saturating_sub(state.remaining) + state.in_flight;
        if used >= allowed {
            state.resets_at + Duration::from_secs(1) - now
        } else {
            state.in_flight += 1;
            Duration::ZERO
        }
    }

    /// Whether the bucket is nearly used up by everyone (under a tenth of its limit left):
    /// others share the org's budget, so fewer requests at once.
    pub fn running_low(&self, bucket: &str) -> bool {
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        buckets
            .get(bucket)
            .is_some_and(|b| b.limit > 0 && b.remaining < b.limit / 10)
    }

    /// After an answer from `bucket`: records what Okta said.
    pub fn after_answer(&self, bucket: &str, observed: Option<Observed>) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        match observed {
            Some(o) => {
                let in_flight = buckets
                    .get(bucket)
                    .map_or(0, |b| b.in_flight.saturating_sub(1));
                buckets.insert(
                    bucket.to_string(),
                    Bucket {
                        limit: o.limit,
                        remaining: o.remaining,
                        resets_at: Instant::now() + o.resets_in,
                        in_flight,
                    },
                );
            }
            None => {
                if let Some(b) = buckets.get_mut(bucket) {
                    b.in_flight = b.in_flight.saturating_sub(1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(limit: u32, remaining: u32, reset_in: u64) -> HeaderMap {
        let now = SystemTime::now();
        let reset = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + reset_in;
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-limit", HeaderValue::from(limit));
        h.insert("x-rate-limit-remaining", HeaderValue::from(remaining));
        h.insert("x-rate-limit-reset", HeaderValue::from(reset));
        h.insert(
            "date",
            HeaderValue::from_str(&httpdate::fmt_http_date(now)).unwrap(),
        );
        h
    }

    #[test]
    fn reads_a_recorded_429() {
        // okta-sdk-python/test_application_features_it__…test_comprehensive_coverage_push.yaml #18
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-limit", HeaderValue::from_static("50"));
        h.insert("x-rate-limit-remaining", HeaderValue::from_static("0"));
        h.insert("x-rate-limit-reset", HeaderValue::from_static("1759127105"));
        h.insert(
            "date",
            HeaderValue::from_static("Mon, 29 Sep 2025 06:24:57 GMT"),
        );
        let o = Observed::from_headers(&h).unwrap();
        assert_eq!((o.limit, o.remaining), (50, 0));
        // The reset is 8 s after the answer's Date: wait 9 s.
        assert_eq!(o.wait_after_429(), Duration::from_secs(9));
    }

    #[test]
    fn waits_once_the_share_is_used() {
        let limits = RateLimits::new(0.5);
        let bucket = "GET /api/v1/apps";
        assert_eq!(limits.before_send(bucket), Duration::ZERO, "unknown bucket");
        limits.after_answer(bucket, Observed::from_headers(&headers(10, 6, 30)));
        // used 4 of an allowed 5: one more may go, then the share is spent.
        assert_eq!(limits.before_send(bucket), Duration::ZERO);
        let wait = limits.before_send(bucket);
        assert!(
            wait > Duration::from_secs(29) && wait <= Duration::from_secs(31),
            "{wait:?}"
        );
    }

    #[test]
    fn a_reset_bucket_is_open_again() {
        let limits = RateLimits::new(0.5);
        limits.after_answer("b", Observed::from_headers(&headers(10, 0, 0)));
        assert_eq!(limits.before_send("b"), Duration::ZERO);
    }
}
