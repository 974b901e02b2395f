//! Slowing down password guessing without locking anyone out: a budget of
//! attempts per client address, and a smaller one per email *from that
//! address*, so someone guessing from their machine is slowed to a crawl
//! while the real owner of the email, elsewhere, logs in as usual. Known
//! and unknown emails spend the same budget and get the same answer.
//!
//! There is no budget per email from all addresses together: guesses spread
//! over many addresses could then spend the owner's too, and lock them out.
//!
//! The budgets live in this instance's memory (GCRA, by `governor`): with
//! several instances behind a load balancer, each keeps its own.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderName};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Attempts from one address in a burst, then one more every period.
const CLIENT_BURST: u32 = 30;
const CLIENT_PERIOD: Duration = Duration::from_secs(5);
/// Attempts at one email from one address in a burst, then one more every
/// period: at most about 3,000 guesses a day, where a real password takes
/// billions. Every attempt counts, so the burst leaves room for someone
/// who logs in from several browsers.
const ACCOUNT_BURST: u32 = 10;
const ACCOUNT_PERIOD: Duration = Duration::from_secs(30);
/// Keys kept before idle ones are forgotten.
const TIDY_ABOVE: usize = 10_000;

#[derive(Debug)]
pub struct LoginLimits {
    by_client: DefaultKeyedRateLimiter<IpAddr>,
    by_account: DefaultKeyedRateLimiter<(String, IpAddr)>,
}

fn quota(burst: u32, period: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            by_client: RateLimiter::dashmap(quota(CLIENT_BURST, CLIENT_PERIOD)),
            by_account: RateLimiter::dashmap(quota(ACCOUNT_BURST, ACCOUNT_PERIOD)),
        }
    }
}

impl LoginLimits {
    /// Spends one attempt of `client`'s budget and of its budget for
    /// `email`; `Err` holds how long until the next attempt is allowed.
    pub fn attempt(&self, email: &str, client: IpAddr) -> Result<(), Duration> {
        if self.by_account.len() > TIDY_ABOVE {
            self.by_account.retain_recent();
            self.by_client.retain_recent();
        }
        let now = DefaultClock::default().now();
        self.by_client
            .check_key(&client)
            .map_err(|wait| wait.wait_time_from(now))?;
        // Its hash: a key of one size, however long the email sent.
        let email = crate::auth::token::hash_token(&email.trim().to_lowercase());
        self.by_account
            .check_key(&(email, client))
            .map_err(|wait| wait.wait_time_from(now))
    }
}

/// The address a request comes from: the last value of `header` when the
/// server is behind a reverse proxy that sets it (`--client-ip-header`),
/// else the connection's peer.
pub fn client_address(
    headers: &HeaderMap,
    header: Option<&HeaderName>,
    peer: Option<IpAddr>,
) -> IpAddr {
    header
        .and_then(|name| headers.get_all(name).iter().next_back())
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.rsplit(',').next())
        .and_then(|last| last.trim().parse().ok())
        .or(peer)
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_is_slowed_and_another_is_not() {
        let limits = LoginLimits::default();
        let guesser = IpAddr::from([203, 0, 113, 9]);
        let owner = IpAddr::from([198, 51, 100, 7]);
        for _ in 0..ACCOUNT_BURST {
            assert!(limits.attempt("ada@example.com", guesser).is_ok());
        }
        let wait = limits.attempt("Ada@Example.com ", guesser).unwrap_err();
        assert!(
            wait > Duration::from_secs(1) && wait <= ACCOUNT_PERIOD,
            "{wait:?}"
        );
        assert!(limits.attempt("ada@example.com", owner).is_ok());
        // Other emails from the guesser: until the address's own budget ends.
        let mut allowed = 0;
        while limits
            .attempt(&format!("n{allowed}@example.com"), guesser)
            .is_ok()
        {
            allowed += 1;
        }
        assert_eq!(allowed, CLIENT_BURST - ACCOUNT_BURST - 1);
    }

    #[test]
    fn the_proxys_header_names_the_client_when_configured() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "10.0.0.1, 192.0.2.44".parse().unwrap());
        let peer = IpAddr::from([127, 0, 0, 1]);
        let name = HeaderName::from_static("x-forwarded-for");
        assert_eq!(
            client_address(&headers, Some(&name), Some(peer)),
            IpAddr::from([192, 0, 2, 44])
        );
        assert_eq!(client_address(&headers, None, Some(peer)), peer);
        assert_eq!(
            client_address(&HeaderMap::new(), Some(&name), Some(peer)),
            peer
        );
    }
}
