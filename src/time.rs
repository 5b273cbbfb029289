//! Times as pages and reports show them: Unix seconds to and from RFC 3339 and civil dates, in
//! UTC, for commit dates on pages, the audit report's timestamps and the RFC 3339 times of the
//! Kubernetes and GitHub APIs. The calendar is jiff's (already a dependency of the Kubernetes
//! client).

use jiff::Timestamp;

/// The current Unix time in seconds.
pub fn now() -> i64 {
    Timestamp::now().as_second()
}

/// `secs` as a UTC timestamp, clamped to the range jiff represents (years -9999 to 9999).
fn timestamp(secs: i64) -> Timestamp {
    let clamped = secs.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    Timestamp::from_second(clamped).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
pub fn iso_date(secs: i64) -> String {
    timestamp(secs).strftime("%Y-%m-%d").to_string()
}

/// `2026-11-23T23:41:04Z`.
pub fn iso_datetime(secs: i64) -> String {
    timestamp(secs).strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Seconds since the epoch of an RFC 3339 time as the Kubernetes and GitHub APIs write it
/// (`2026-11-23T10:00:00Z`, fractional seconds, or an offset such as `+02:00`); None when it
/// does not parse.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    text.parse::<Timestamp>().ok().map(Timestamp::as_second)
}

/// `2026-11-23 10:04 UTC`.
pub fn datetime(secs: i64) -> String {
    timestamp(secs).strftime("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_parse() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-02T00:00:01Z"), Some(86_401));
        assert_eq!(parse_rfc3339("2023-11-14T22:15:23Z"), Some(1_700_000_123));
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(
            parse_rfc3339("2023-11-15T00:13:20+02:00"),
            Some(1_700_000_000)
        );
        assert_eq!(parse_rfc3339("2000-02-29T00:00:00.5Z"), Some(951_782_400));
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(
            parse_rfc3339("2023-11-14T22:15:23"),
            None,
            "a time without an offset is ambiguous"
        );
    }

    #[test]
    fn dates_both_ways() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(1_700_000_123), "2023-11-14");
        assert_eq!(iso_date(951_782_400), "2000-02-29");
        assert_eq!(iso_date(-86_400), "1969-12-31");
        assert_eq!(iso_datetime(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_datetime(1_700_000_123), "2023-11-14T22:15:23Z");
        assert_eq!(datetime(1_700_000_123), "2023-11-14 22:15 UTC");
    }
}
