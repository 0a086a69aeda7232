//! The System Log (spec `listLogEvents`, `GET /api/v1/logs`): the events every other resource's
//! writes leave through `OrgState::log`, queried by `since`/`until`, `filter` (SCIM filter
//! expressions, `super::super::filter`), `q` keywords, `sortOrder`, `limit` and an opaque
//! `after` cursor, with Okta's two kinds of request (Okta's System Log reference and the
//! "System Log query" guide, `okta-developer-docs` `docs/reference/system-log-query`):
//!
//! - a *bounded* request names `until`: events with `since ≤ published < until`, a finite
//!   number of pages, no `next` link on the last one;
//! - a *polling* request has no `until` and sorts `ASCENDING`: "They have an infinite number of
//!   pages. That is, a `next` link relation header is always present, even if there are no new
//!   events (the event list may be empty)." A client that follows `next` until it is absent
//!   never stops; one that polls stops at an empty page. The `logs_polling_always_next` knob
//!   (`true` by default) set to `false` turns this off: then a polling request has a `next`
//!   link only while events remain, as on other lists.
//!
//! Which bound is inclusive is unverified (the documentation says "lower/upper time bound").

use serde_json::Value;

use super::super::filter::{self, Filter, Op};
use super::super::state::{OrgState, now_ms};
use super::{Outcome, Reply, Request, bad_parameter, encode, error};

/// `GET /api/v1/logs`; other methods are not served.
pub(super) fn route(org: &OrgState, req: &Request) -> Option<Outcome> {
    (req.method == "GET").then(|| list(org, req))
}

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// The top-level properties of the spec's `LogEvent`: the fields a filter may name.
const FIELDS: &[&str] = &[
    "actor",
    "authenticationContext",
    "client",
    "debugContext",
    "displayMessage",
    "eventType",
    "legacyEventType",
    "outcome",
    "published",
    "request",
    "securityContext",
    "severity",
    "target",
    "transaction",
    "uuid",
    "version",
];

/// A bad `since`/`until`. Okta documents `E0000001 Api validation failed: 'until': The date
/// format in your query is not recognized…`, but answered `400 E0000030` when tried
/// (oktadeveloper/okta-blog-archive issue #2499, "System Log errors inconsistent with the
/// documentation"); the answer wins. Summary as in Okta's error catalogue (`error-codes.json`).
fn bad_date() -> Reply {
    error(
        400,
        "E0000030",
        "Bad request. Invalid date. Dates must be of the form yyyy-MM-dd'T'HH:mm:ss.SSSZZ, e.g. 2013-01-01T12:00:00.000-07:00.",
        &[],
    )
}

/// An invalid SCIM filter, or a field that is not a `LogEvent`'s: `400 E0000053` (System Log
/// reference, "Errors": "An invalid SCIM filter returns the HTTP 400 error with a description of
/// the issue", `Invalid filter '…': Unrecognized attribute operator …`, and `field is not valid:
/// some_invalid_field`). E0000053 is Okta's "Invalid SCIM filter." in its error catalogue;
/// E0000031 ("Invalid search criteria.") is what the reference gives a valid filter Okta does
/// not support (below).
fn bad_filter(summary: String) -> Reply {
    error(400, "E0000053", &summary, &[])
}

/// `400 E0000031`: "An invalid SCIM field and operator combination within a `filter` … returns
/// … The supplied combination of operator and field is not currently supported. Operator: co,
/// Field: debugContext.debugData.url" (System Log reference, "Errors").
fn unsupported(op: &str, field: &str) -> Reply {
    error(
        400,
        "E0000031",
        &format!(
            "The supplied combination of operator and field is not currently supported. Operator: {op}, Field: {field}"
        ),
        &[],
    )
}

/// The filter, parsed and checked: the fields a `LogEvent` has; not `published` ("SCIM filter
/// expressions can't use the `published` attribute since it may conflict with the logic of the
/// `since`, `after`, and `until` query params" — refused as an unsupported combination,
/// unverified which code Okta uses); not `co` on `debugContext.debugData.url`/`requestUri`
/// ("not supported", documented with E0000031).
fn checked_filter(text: &str) -> Result<Filter, Reply> {
    let filter = filter::parse(text).map_err(|invalid| bad_filter(invalid.message(text)))?;
    for (path, op) in filter.attributes() {
        let field = path.join(".");
        if !FIELDS.contains(&path[0].as_str()) {
            return Err(bad_filter(format!("field is not valid: {field}")));
        }
        let op_name = op.map_or("pr", Op::name);
        if path[0] == "published" {
            return Err(unsupported(op_name, &field));
        }
        let debug_url =
            field == "debugContext.debugData.url" || field == "debugContext.debugData.requestUri";
        if debug_url && op == Some(Op::Co) {
            return Err(unsupported(op_name, &field));
        }
    }
    Ok(filter)
}

/// `q`: case-insensitive keywords, each matched exactly by some value of the event; "Max length
/// is 40 characters per keyword, with a maximum of 10 keyword filters per query" (spec
/// `listLogEvents`). The error for a long keyword is the documented one; for more than ten,
/// unverified.
fn keywords(q: &str) -> Result<Vec<String>, Reply> {
    let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
    if words.iter().any(|w| w.chars().count() > 40) {
        return Err(error(
            400,
            "E0000001",
            "Api validation failed: 'q': Freeform search cannot contain items longer than 40 characters. Please shorten the items in your search or use an advanced filter to query by specific fields.",
            &[],
        ));
    }
    if words.len() > 10 {
        return Err(bad_parameter(
            "q",
            "Freeform search cannot contain more than 10 items.",
        ));
    }
    Ok(words)
}

/// Whether some string in `value` is `word` (already lowercase), or one of its hyphen-split
/// parts ("When hyphens are present in an event instance's attribute value, they are split and
/// added to the list of matching candidates", System Log reference, "Keyword filter").
fn mentions(value: &Value, word: &str) -> bool {
    match value {
        Value::String(s) => {
            let s = s.to_lowercase();
            s == word || s.split('-').any(|part| part == word)
        }
        Value::Array(items) => items.iter().any(|v| mentions(v, word)),
        Value::Object(map) => map.values().any(|v| mentions(v, word)),
        _ => false,
    }
}

/// Where an event sits in the log: `published` in milliseconds, then its place in the order of
/// writing (1-based). Cursors are made of it: `1648112954504_1` — the shape of the `after`
/// values of Okta's polling `next` links (SecurityRiskAdvisors/logstash-input-okta_system_log
/// issue #6); opaque to clients.
type Position = (u64, usize);

fn cursor((ms, seq): Position) -> String {
    format!("{ms}_{seq}")
}

fn parse_cursor(text: &str) -> Option<Position> {
    let (ms, seq) = text.split_once('_')?;
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

fn list(org: &OrgState, req: &Request) -> Outcome {
    let now = now_ms();
    let given = |name: &str| req.query(name).filter(|v| !v.is_empty());
    // "`until` must be unspecified" for a polling request; `until=` is unspecified ("'until':
    // must be a valid date-time or empty").
    let until = given("until")
        .map(|t| parse_time(t).ok_or_else(bad_date))
        .transpose()?;
    let since = match given("since") {
        Some(t) => parse_time(t).ok_or_else(bad_date)?,
        // Spec: "default: 7 days prior to until".
        None => until.unwrap_or(now).saturating_sub(7 * DAY_MS),
    };
    if since < now.saturating_sub(180 * DAY_MS) {
        // System Log reference, "Errors".
        return Err(error(
            400,
            "E0000053",
            "Invalid parameter: The since parameter is over 180 days prior to the current day.",
            &[],
        ));
    }
    // Spec: "Integer between 0 and 1000", default 100.
    let limit = match req.query("limit") {
        None => 100,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|l| (0..=1000).contains(l))
            .ok_or_else(|| bad_parameter("limit", "must be an integer between 0 and 1000."))?
            as usize,
    };
    // Spec: `ASCENDING` (default) or `DESCENDING`.
    let descending = match req.query("sortOrder") {
        None | Some("ASCENDING") => false,
        Some("DESCENDING") => true,
        Some(_) => {
            return Err(bad_parameter(
                "sortOrder",
                "must be ASCENDING or DESCENDING.",
            ));
        }
    };
    let filter = given("filter").map(checked_filter).transpose()?;
    let words = given("q").map(keywords).transpose()?.unwrap_or_default();
    let after = given("after")
        .map(|a| {
            // Unverified: Okta's answer to a cursor it did not make ("Invalid paging request."
            // is its catalogue's E0000029).
            parse_cursor(a).ok_or_else(|| error(400, "E0000029", "Invalid paging request.", &[]))
        })
        .transpose()?;

    let mut events: Vec<(Position, &Value)> = org
        .logs
        .iter()
        .enumerate()
        .filter_map(|(i, event)| {
            let published = event["published"].as_str().and_then(parse_time)?;
            Some(((published, i + 1), event))
        })
        .filter(|((published, _), _)| {
            *published >= since && until.is_none_or(|until| *published < until)
        })
        .filter(|(_, event)| filter.as_ref().is_none_or(|f| f.matches(event)))
        .filter(|(_, event)| words.iter().all(|w| mentions(event, w)))
        .collect();
    events.sort_by_key(|(position, _)| *position);
    if descending {
        events.reverse();
    }
    if let Some(after) = after {
        events.retain(|(position, _)| {
            if descending {
                *position < after
            } else {
                *position > after
            }
        });
    }
    let more = events.len() > limit;
    let page: Vec<(Position, &Value)> = events.into_iter().take(limit).collect();

    let own: Vec<String> = req
        .query
        .iter()
        .filter(|(k, _)| k != "after")
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    let link = |after: Option<Position>| {
        let mut params = own.clone();
        if let Some(after) = after {
            params.push(format!("after={}", cursor(after)));
        }
        let query = if params.is_empty() {
            String::new()
        } else {
            format!("?{}", params.join("&"))
        };
        format!("{}{}{query}", req.base_url, req.path)
    };
    let mut links = vec![format!("<{}>; rel=\"self\"", link(after))];
    let last = page.last().map(|(position, _)| *position);
    let polling = req.settings.logs_polling_always_next && until.is_none() && !descending;
    let next =
        if polling {
            // Always a next page. When this one held the rest, it starts after the newest event
            // written so far, so that the next poll sees only what comes later.
            let newest =
                org.logs.iter().enumerate().rev().find_map(|(i, e)| {
                    Some((e["published"].as_str().and_then(parse_time)?, i + 1))
                });
            if more {
                last
            } else {
                [last, after, newest].into_iter().flatten().max()
            }
            .or(Some((since, 0)))
        } else if more && limit > 0 {
            last
        } else {
            None
        };
    if let Some(next) = next {
        links.push(format!("<{}>; rel=\"next\"", link(Some(next))));
    }
    Ok(Reply {
        status: 200,
        body: Some(Value::Array(
            page.into_iter().map(|(_, event)| event.clone()).collect(),
        )),
        links,
        changed: false,
    })
}

/// Milliseconds since the epoch of an RFC 3339 date-time (`2017-05-03T16:22:18Z`,
/// `2017-03-11T00:00:00+00:00`, `2013-01-01T12:00:00.000-07:00`): the spec's "ISO 8601
/// compliant timestamp", in the "Internet Date/Time Format profile" the reference names.
pub fn parse_time(text: &str) -> Option<u64> {
    let b = text.trim().as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut at = 19;
    let mut millis = 0;
    if b[at] == b'.' {
        let start = at + 1;
        at = start;
        while at < b.len() && b[at].is_ascii_digit() {
            at += 1;
        }
        if at == start {
            return None;
        }
        let fraction = std::str::from_utf8(&b[start..at.min(start + 3)]).ok()?;
        millis = format!("{fraction:0<3}").parse::<i64>().ok()?;
    }
    let offset_minutes = match b.get(at)? {
        b'Z' | b'z' if at + 1 == b.len() => 0,
        sign @ (b'+' | b'-') => {
            let rest = &b[at + 1..];
            let (h, m) = match rest.len() {
                5 if rest[2] == b':' => (number(at + 1..at + 3)?, number(at + 4..at + 6)?),
                4 => (number(at + 1..at + 3)?, number(at + 3..at + 5)?),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    u64::try_from(seconds * 1000 + millis).ok()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(
            parse_time("2024-08-13T15:58:20.353Z"),
            Some(1_723_564_700_353)
        );
        assert_eq!(
            parse_time("2013-01-01T12:00:00.000-07:00"),
            parse_time("2013-01-01T19:00:00Z")
        );
        assert_eq!(
            parse_time("2017-03-11T00:00:00+00:00"),
            parse_time("2017-03-11T00:00:00Z")
        );
        assert_eq!(
            parse_time("2017-03-11T00:00:00+0130"),
            parse_time("2017-03-10T22:30:00Z")
        );
        assert_eq!(
            parse_time(&super::super::super::state::timestamp()).map(|t| t / 60_000),
            Some(now_ms() / 60_000)
        );
        for bad in [
            "foobar",
            "01-01-2017",
            "2017-01-01",
            "2017-01-01T00:00:00",
            "2017-02-30T00:00:00Z",
            "2017-01-01T24:00:00Z",
            "2017-01-01T00:00:00.Z",
            "2017-01-01T00:00:00Zjunk",
            "2017-01-01 00:00:00Z",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
