//! The wait a provider asks for before a retry: the `retry-after-ms` and `Retry-After`
//! headers, as the official SDKs read them.

use std::time::Duration;

/// Parses a `Retry-After` value: seconds (possibly fractional) or an HTTP-date, as
/// openai-python and anthropic-sdk-python read it (`_base_client.py`,
/// `_parse_retry_after_header`). A date already past is ignored (the backoff applies);
/// waits are capped at an hour.
pub fn parse_retry_after(value: Option<&reqwest::header::HeaderValue>) -> Option<Duration> {
    let s = value?.to_str().ok()?.trim();
    let secs: f64 = match s.parse::<f64>() {
        Ok(secs) => secs,
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(s).ok()?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_secs_f64();
            at.timestamp_millis() as f64 / 1000.0 - now
        }
    };
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
}

/// The wait a provider asked for: `retry-after-ms` (milliseconds, OpenAI and Anthropic)
/// first, then `Retry-After`.
pub fn retry_after_from(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let ms = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
        .map(|ms| Duration::from_secs_f64((ms / 1000.0).min(3600.0)));
    ms.or_else(|| parse_retry_after(headers.get(reqwest::header::RETRY_AFTER)))
}
