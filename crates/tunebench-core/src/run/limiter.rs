//! Per-provider pacing for requests per minute and tokens per minute: each call reserves
//! the next free slot of each budget and waits until then (no bursts above the rate).

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug)]
pub struct RateLimiter {
    request_interval: Option<Duration>,
    /// Time per token at the tokens-per-minute limit.
    token_interval: Option<Duration>,
    next: Mutex<(Instant, Instant)>,
}

impl RateLimiter {
    /// `0` means no limit.
    pub fn new(requests_per_minute: u32, tokens_per_minute: u32) -> Self {
        let per = |n: u32| (n > 0).then(|| Duration::from_secs_f64(60.0 / f64::from(n)));
        let now = Instant::now();
        Self {
            request_interval: per(requests_per_minute),
            token_interval: per(tokens_per_minute),
            next: Mutex::new((now, now)),
        }
    }

    pub fn is_unlimited(&self) -> bool {
        self.request_interval.is_none() && self.token_interval.is_none()
    }

    /// Reserves a slot for one call of about `tokens` tokens and returns when to send it.
    pub fn reserve(&self, tokens: u32) -> Instant {
        let now = Instant::now();
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let mut at = now;
        if let Some(iv) = self.request_interval {
            let slot = next.0.max(now);
            next.0 = slot + iv;
            at = at.max(slot);
        }
        if let Some(iv) = self.token_interval {
            let slot = next.1.max(now);
            next.1 = slot + iv * tokens;
            at = at.max(slot);
        }
        at
    }

    /// Waits for a slot for one call of about `tokens` tokens.
    pub async fn acquire(&self, tokens: u32) {
        if self.is_unlimited() {
            return;
        }
        let at = self.reserve(tokens);
        tokio::time::sleep_until(at).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_spaced_by_the_per_minute_interval() {
        let l = RateLimiter::new(600, 0); // one per 100 ms
        let a = l.reserve(1);
        let b = l.reserve(1);
        let c = l.reserve(1);
        assert_eq!(b - a, Duration::from_millis(100));
        assert_eq!(c - b, Duration::from_millis(100));
    }

    #[test]
    fn a_large_request_pushes_the_next_one_by_its_tokens() {
        let l = RateLimiter::new(0, 60_000); // 1 ms per token
        let a = l.reserve(500);
        let b = l.reserve(1);
        assert_eq!(b - a, Duration::from_millis(500));
    }
}
