//! Slowing down password guessing without locking anyone out: a budget of
//! attempts per client address, and a smaller one per email *from that
//! address*, so someone guessing from their machine is slowed to a crawl
//! while the real owner of the email, elsewhere, logs in as usual. Known
//! and unknown emails spend the same budget and get the same answer.
//!
//! There is no budget per email from all addresses together: guesses spread
//! over many addresses could then spend the owner's too, and lock them out.
//!
//! Nor can guesses from the owner's own address (an office behind one
//! address, everyone on one machine) lock them out: a browser that has
//! logged in to an account keeps a signed cookie saying so (a device
//! cookie, as OWASP describes them), and its attempts at that account
//! spend a budget of that browser's own instead of the address's, which
//! no one without the cookie can spend.
//!
//! Each budget has two tiers, and an attempt must find room in both (one
//! the first refuses spends neither): a burst, then one more every period;
//! and when many have come at that pace, one every much longer period. The wait grows as guessing goes on, from none to
//! the period to the longer one (a backoff in steps), and comes back down
//! as time passes without attempts.
//!
//! The budgets live in this instance's memory (GCRA, by `governor`): with
//! several instances behind a load balancer, each keeps its own.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderName};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};

/// Attempts from one address: 30 in a burst, then one every 5 seconds;
/// after 300 in all, one a minute.
const CLIENT_TIERS: Tiers = [(30, secs(5)), (300, secs(60))];
/// Attempts at one email from one address, or from one browser with its
/// device cookie: 10 in a burst, then one every 30 seconds; after 40 in
/// all, one every 10 minutes. At most about 190 guesses a day, where a
/// real password takes billions. Every attempt counts, so the burst leaves
/// room for someone who logs in from several browsers.
const ACCOUNT_TIERS: Tiers = [(10, secs(30)), (40, secs(600))];
/// Keys kept before idle ones are forgotten.
const TIDY_ABOVE: usize = 10_000;

/// A budget's tiers: (burst, then one every period) each.
type Tiers = [(u32, Duration); 2];

const fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

type Keyed<K, C> = RateLimiter<K, DashMapStateStore<K>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// A budget per key, in its two tiers.
struct Budget<K: Hash + Eq + Clone, C: Clock> {
    tiers: [Keyed<K, C>; 2],
}

impl<K: Hash + Eq + Clone, C: Clock + Clone> Budget<K, C> {
    fn new(tiers: Tiers, clock: &C) -> Self {
        Self {
            tiers: tiers.map(|(burst, period)| {
                RateLimiter::dashmap_with_clock(quota(burst, period), clock.clone())
            }),
        }
    }

    /// Spends one attempt of `key`'s, or says how long until one is left.
    fn spend(&self, key: &K, now: C::Instant) -> Result<(), Duration> {
        for tier in &self.tiers {
            tier.check_key(key)
                .map_err(|wait| wait.wait_time_from(now))?;
        }
        Ok(())
    }

    fn len(&self) -> usize {
        self.tiers.iter().map(RateLimiter::len).max().unwrap_or(0)
    }

    /// Forgets the keys whose budget is whole again.
    fn tidy(&self) {
        for tier in &self.tiers {
            tier.retain_recent();
        }
    }
}

/// The login budgets of this instance, on clock `C` (another in tests).
pub struct LoginLimits<C: Clock = DefaultClock> {
    clock: C,
    by_client: Budget<IpAddr, C>,
    by_account: Budget<(String, IpAddr), C>,
    /// By a device cookie's own id: attempts at its account from the
    /// browser that keeps it.
    by_device: Budget<String, C>,
    /// Attempts with device cookies from one address, all together: a
    /// cookie is had by logging in, so one address with an account could
    /// otherwise gather cookies, and their budgets, without end.
    by_client_devices: Budget<IpAddr, C>,
    /// How many keys the budgets hold before idle ones are forgotten:
    /// twice what was left at the last tidying, so that keys still in use
    /// are not looked through at every attempt.
    tidy_above: std::sync::atomic::AtomicUsize,
}

impl<C: Clock> std::fmt::Debug for LoginLimits<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginLimits")
    }
}

/// Who is trying to log in: from an address, and perhaps from a browser
/// that logged in to the account before (its device cookie's id).
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// The email tried, as [`email_key`] has it.
    pub account: &'a str,
    pub client: IpAddr,
    pub device: Option<&'a str>,
}

/// An email as the budgets and device cookies know it: one size however
/// long, the same however it is written, and hashed with a key derived from
/// the server's (HMAC-SHA-256), so that a device cookie read from a
/// browser names its account to no one who tries emails against it.
pub fn email_key(key: &axum_extra::extract::cookie::Key, email: &str) -> String {
    use hmac::Mac;
    let email = email.trim().to_lowercase();
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.signing()) else {
        // Never: HMAC takes a key of any length.
        return crate::auth::token::hash_token(&email);
    };
    // Its own label: what it hashes is never a cookie the key signs.
    mac.update(b"skipcheck email key\0");
    mac.update(email.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn quota(burst: u32, period: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self::with_clock(DefaultClock::default())
    }
}

impl<C: Clock + Clone> LoginLimits<C> {
    pub fn with_clock(clock: C) -> Self {
        Self {
            by_client: Budget::new(CLIENT_TIERS, &clock),
            by_account: Budget::new(ACCOUNT_TIERS, &clock),
            by_device: Budget::new(ACCOUNT_TIERS, &clock),
            by_client_devices: Budget::new(CLIENT_TIERS, &clock),
            tidy_above: TIDY_ABOVE.into(),
            clock,
        }
    }

    /// Spends one attempt: of the device's budget when it comes with a
    /// device cookie for its email, else of its address's budget and of
    /// that address's budget for its email. `Err` holds how long until the
    /// next attempt is allowed.
    pub fn attempt(&self, attempt: Attempt<'_>) -> Result<(), Duration> {
        use std::sync::atomic::Ordering::Relaxed;
        let keys = || self.by_account.len() + self.by_device.len();
        if keys() > self.tidy_above.load(Relaxed) {
            self.by_account.tidy();
            self.by_client.tidy();
            self.by_device.tidy();
            self.by_client_devices.tidy();
            self.tidy_above.store(TIDY_ABOVE.max(2 * keys()), Relaxed);
        }
        let now = self.clock.now();
        let client = network(attempt.client);
        if let Some(device) = attempt.device {
            self.by_client_devices.spend(&client, now)?;
            return self.by_device.spend(&device.to_owned(), now);
        }
        self.by_client.spend(&client, now)?;
        self.by_account
            .spend(&(attempt.account.to_owned(), client), now)
    }
}

/// The budgets' key for an address: an IPv6 address by its /64, the
/// smallest network one subscriber is given (else each would have 2^64
/// budgets); an IPv4 one, mapped into IPv6 or not, as itself.
fn network(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
        v4 => v4,
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
    use governor::clock::FakeRelativeClock;

    const ACCOUNT_BURST: u32 = ACCOUNT_TIERS[0].0;
    const ACCOUNT_PERIOD: Duration = ACCOUNT_TIERS[0].1;
    const CLIENT_BURST: u32 = CLIENT_TIERS[0].0;

    /// A guesser who tries again the moment each wait ends, for a day:
    /// the waits grow from none to 30 seconds to 10 minutes, and the
    /// guesses of the day stay under 200; after a quiet day the budget
    /// is whole again.
    #[test]
    fn waits_grow_as_guessing_goes_on_and_shrink_after() {
        let clock = FakeRelativeClock::default();
        let limits = LoginLimits::with_clock(clock.clone());
        let guesser = from("ada@example.com", IpAddr::from([203, 0, 113, 9]));
        let (mut waited, mut guesses, mut waits) = (Duration::ZERO, 0, Vec::new());
        while waited < secs(86_400) {
            match limits.attempt(guesser) {
                Ok(()) => guesses += 1,
                Err(wait) => {
                    assert!(wait > Duration::ZERO);
                    waits.push(wait);
                    clock.advance(wait);
                    waited += wait;
                }
            }
        }
        assert!(guesses <= 200, "{guesses} guesses in a day");
        assert!(
            guesses > 100,
            "{guesses} guesses in a day: too few for the owner"
        );
        let longest = waits.iter().max().copied().unwrap_or_default();
        assert!(waits[0] <= ACCOUNT_PERIOD, "{:?}", waits[0]);
        assert!(longest > secs(300), "the longest wait was {longest:?}");
        clock.advance(secs(86_400));
        for _ in 0..ACCOUNT_BURST {
            assert!(limits.attempt(guesser).is_ok());
        }
    }

    /// An attempt at the account `account` (its email's key; any text
    /// stands for one here).
    fn from(account: &str, client: IpAddr) -> Attempt<'_> {
        Attempt {
            account,
            client,
            device: None,
        }
    }

    #[test]
    fn an_email_has_one_key_however_written_and_none_without_the_server_key() {
        let key = axum_extra::extract::cookie::Key::derive_from(&[7; 32]);
        let ada = email_key(&key, "ada@example.com");
        assert_eq!(ada, email_key(&key, " Ada@Example.COM "));
        assert_ne!(ada, email_key(&key, "bob@example.com"));
        assert_ne!(ada, crate::auth::token::hash_token("ada@example.com"));
        let other = axum_extra::extract::cookie::Key::derive_from(&[8; 32]);
        assert_ne!(ada, email_key(&other, "ada@example.com"));
    }

    #[test]
    fn one_address_is_slowed_and_another_is_not() {
        let limits = LoginLimits::default();
        let guesser = IpAddr::from([203, 0, 113, 9]);
        let owner = IpAddr::from([198, 51, 100, 7]);
        for _ in 0..ACCOUNT_BURST {
            assert!(limits.attempt(from("ada@example.com", guesser)).is_ok());
        }
        let wait = limits
            .attempt(from("ada@example.com", guesser))
            .unwrap_err();
        assert!(
            wait > Duration::from_secs(1) && wait <= ACCOUNT_PERIOD,
            "{wait:?}"
        );
        assert!(limits.attempt(from("ada@example.com", owner)).is_ok());
        // Other emails from the guesser: until the address's own budget ends.
        let mut allowed = 0;
        while limits
            .attempt(from(&format!("n{allowed}@example.com"), guesser))
            .is_ok()
        {
            allowed += 1;
        }
        assert_eq!(allowed, CLIENT_BURST - ACCOUNT_BURST - 1);
    }

    #[test]
    fn a_browser_that_logged_in_before_has_a_budget_of_its_own() {
        let limits = LoginLimits::default();
        let office = IpAddr::from([203, 0, 113, 9]);
        while limits.attempt(from("ada@example.com", office)).is_ok() {}
        let mine = Attempt {
            device: Some("ada's laptop"),
            ..from("ada@example.com", office)
        };
        for _ in 0..ACCOUNT_BURST {
            assert!(limits.attempt(mine).is_ok());
        }
        // Its own budget ends too, and spends no one else's.
        assert!(limits.attempt(mine).is_err());
        let other = Attempt {
            device: Some("ada's phone"),
            ..mine
        };
        assert!(limits.attempt(other).is_ok());
        // Devices from one address: as many attempts in all as the address.
        let mut allowed = ACCOUNT_BURST + 2;
        while limits
            .attempt(Attempt {
                device: Some(&format!("device {allowed}")),
                ..mine
            })
            .is_ok()
        {
            allowed += 1;
        }
        assert_eq!(allowed, CLIENT_BURST);
    }

    #[test]
    fn an_ipv6_subscriber_has_one_budget_for_their_network() {
        let limits = LoginLimits::default();
        let mut spent = 0;
        let address = |n: u16| IpAddr::from([0x2001, 0xdb8, 0, 7, n, n, n, n]);
        while limits
            .attempt(from("ada@example.com", address(spent)))
            .is_ok()
        {
            spent += 1;
        }
        assert_eq!(u32::from(spent), ACCOUNT_BURST);
        let elsewhere = IpAddr::from([0x2001, 0xdb8, 0, 8, 1, 1, 1, 1]);
        assert!(limits.attempt(from("ada@example.com", elsewhere)).is_ok());
        let mapped: IpAddr = "::ffff:198.51.100.7".parse().unwrap();
        assert_eq!(network(mapped), IpAddr::from([198, 51, 100, 7]));
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
