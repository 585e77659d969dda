//! Retry timing: exponential backoff with jitter, or the provider's `Retry-After`. Pure:
//! the random draw is passed in.

use std::time::Duration;

use crate::provider::ProviderSettings;

/// The wait before attempt `attempt + 1`, after `attempt` (≥ 1) failed attempts.
/// `unit` is a random draw in [0, 1). With a `Retry-After`, that wait plus up to 10 %
/// jitter (so retries do not arrive together); else `initial × 2^(attempt-1)`, capped,
/// with "equal jitter" (between half and all of it).
pub fn delay(
    settings: &ProviderSettings,
    attempt: u32,
    retry_after: Option<Duration>,
    unit: f64,
) -> Duration {
    let unit = unit.clamp(0.0, 1.0);
    if let Some(ra) = retry_after {
        return ra.mul_f64(1.0 + 0.1 * unit);
    }
    let base = f64::from(settings.backoff_initial_ms)
        * 2f64.powi(attempt.saturating_sub(1).min(30) as i32);
    let capped = base.min(f64::from(settings.backoff_max_ms));
    Duration::from_secs_f64(capped * (0.5 + 0.5 * unit) / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let s = ProviderSettings {
            backoff_initial_ms: 100,
            backoff_max_ms: 1000,
            ..ProviderSettings::default()
        };
        assert_eq!(delay(&s, 1, None, 0.999_999).as_millis(), 99);
        assert_eq!(delay(&s, 3, None, 0.0).as_millis(), 200);
        assert_eq!(delay(&s, 10, None, 0.999_999).as_millis(), 999);
    }

    #[test]
    fn retry_after_is_honoured_with_at_most_ten_percent_jitter() {
        let s = ProviderSettings::default();
        let d = delay(&s, 1, Some(Duration::from_secs(2)), 0.5);
        assert_eq!(d, Duration::from_millis(2100));
    }
}
