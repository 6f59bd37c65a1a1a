//! The retry policy of Anthropic's SDKs: which answers are retried, how long to wait
//! (`retry-after-ms`, `retry-after` in (0, 60] s, else jittered exponential backoff), and a
//! [`Sleeper`] so tests control time.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// Waits between attempts. Production sleeps with tokio; tests record the delays and return at once.
pub trait Sleeper: Send + Sync {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// Sleeps for real.
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(delay))
    }
}

/// Records the delays asked for and returns immediately (for tests).
#[derive(Clone, Default)]
pub struct RecordingSleeper {
    delays: Arc<Mutex<Vec<Duration>>>,
}

impl RecordingSleeper {
    pub fn new() -> RecordingSleeper {
        RecordingSleeper::default()
    }

    /// The delays asked for so far, in order.
    pub fn delays(&self) -> Vec<Duration> {
        self.delays.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.delays.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(delay);
        Box::pin(std::future::ready(()))
    }
}

/// Whether an HTTP status is worth retrying: 408, 409, 429 and every 5xx (529 included), unless the
/// server said `x-should-retry: false`; `x-should-retry: true` forces a retry.
pub fn should_retry(status: u16, headers: &HeaderMap) -> bool {
    match headers.get("x-should-retry").and_then(|v| v.to_str().ok()) {
        Some("true") => return true,
        Some("false") => return false,
        _ => {}
    }
    matches!(status, 408 | 409 | 429) || status >= 500
}

/// The server's requested delay: `retry-after-ms`, else `retry-after` (seconds or an HTTP date
/// relative to `now`). `None` when absent or unparsable.
pub fn server_delay(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = header("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return Duration::try_from_secs_f64(ms / 1000.0).ok();
    }
    let value = header("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok();
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The delay before retry number `retries_done + 1`: the server's value if in (0, 60] s, else
/// `min(0.5 · 2^retries_done, 8) s × (1 − 0.25 · jitter)` with `jitter` in [0, 1).
pub fn retry_delay(retries_done: u32, server: Option<Duration>, jitter: f64) -> Duration {
    if let Some(delay) = server.filter(|d| !d.is_zero() && *d <= Duration::from_secs(60)) {
        return delay;
    }
    let base = (0.5 * 2f64.powi(i32::try_from(retries_done.min(16)).unwrap_or(16))).min(8.0);
    Duration::from_secs_f64(base * (1.0 - 0.25 * jitter.clamp(0.0, 1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn which_statuses_are_retried() {
        let none = HeaderMap::new();
        for status in [408, 409, 429, 500, 502, 503, 504, 529] {
            assert!(should_retry(status, &none), "{status}");
        }
        for status in [400, 401, 403, 404, 413, 422] {
            assert!(!should_retry(status, &none), "{status}");
        }
        assert!(!should_retry(529, &headers(&[("x-should-retry", "false")])));
        assert!(should_retry(400, &headers(&[("x-should-retry", "true")])));
    }

    #[test]
    fn server_delays_milliseconds_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            server_delay(&headers(&[("retry-after-ms", "1500"), ("retry-after", "9")]), now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(server_delay(&headers(&[("retry-after", "3")]), now), Some(Duration::from_secs(3)));
        let date = httpdate::fmt_http_date(now + Duration::from_secs(20));
        assert_eq!(server_delay(&headers(&[("retry-after", &date)]), now), Some(Duration::from_secs(20)));
        assert_eq!(server_delay(&headers(&[("retry-after", "soon")]), now), None);
    }

    #[test]
    fn backoff_and_its_bounds() {
        assert_eq!(retry_delay(0, Some(Duration::from_secs(2)), 0.9), Duration::from_secs(2));
        // Out of (0, 60]: ignored, backoff instead.
        assert_eq!(retry_delay(0, Some(Duration::from_secs(61)), 0.0), Duration::from_millis(500));
        assert_eq!(retry_delay(1, Some(Duration::ZERO), 0.0), Duration::from_secs(1));
        assert_eq!(retry_delay(2, None, 0.0), Duration::from_secs(2));
        assert_eq!(retry_delay(10, None, 0.0), Duration::from_secs(8));
        assert_eq!(retry_delay(10, None, 1.0), Duration::from_secs(6));
        let jittered = retry_delay(0, None, 0.5);
        assert!(jittered < Duration::from_millis(500) && jittered >= Duration::from_millis(375));
    }
}
