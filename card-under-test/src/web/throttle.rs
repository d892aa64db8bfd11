//! Failed logins slow the next ones down (§18.4 is silent on how; this is the card's rule):
//! from the third failure in a row from one address, that address waits 30 s, doubling
//! with each further failure up to 15 min. A success clears the count.
//!
//! An attempt is counted as failed when it starts, under the same lock that checked the
//! wait (`attempt`), and cleared if it succeeds: guesses sent in parallel are counted before
//! any of them is answered. An IPv4 peer seen as IPv6-mapped (`::ffff:a.b.c.d`, from a
//! dual-stack socket) is the same address as its IPv4 form.

use std::collections::HashMap;
use std::net::IpAddr;

const FREE_FAILURES: u32 = 2;
const FIRST_WAIT_S: f64 = 30.0;
const LONGEST_WAIT_S: f64 = 900.0;
/// Addresses remembered at most, so that a flood of addresses cannot fill the memory.
const ADDRESSES_KEPT: usize = 1024;

#[derive(Debug, Default)]
pub struct Throttle {
    failures: HashMap<IpAddr, (u32, f64)>,
}

/// One address, however the socket saw it.
fn canonical(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
        v4 => v4,
    }
}

impl Throttle {
    /// Seconds `from` must still wait before trying again, if any.
    pub fn wait_s(&self, from: IpAddr, now_s: f64) -> Option<f64> {
        let (_, until_s) = self.failures.get(&canonical(from))?;
        (*until_s > now_s).then(|| (until_s - now_s).ceil())
    }

    /// A password check from `from` may start: it counts as failed until `succeeded` says
    /// otherwise. Refused with the seconds to wait while `from` must wait.
    pub fn attempt(&mut self, from: IpAddr, now_s: f64) -> Result<(), f64> {
        if let Some(wait_s) = self.wait_s(from, now_s) {
            return Err(wait_s);
        }
        let from = canonical(from);
        if self.failures.len() >= ADDRESSES_KEPT && !self.failures.contains_key(&from) {
            self.failures.retain(|_, (_, until_s)| *until_s > now_s);
        }
        let (count, until_s) = self.failures.entry(from).or_insert((0, now_s));
        *count += 1;
        if *count > FREE_FAILURES {
            let doublings = (*count - FREE_FAILURES - 1).min(10);
            *until_s = now_s + (FIRST_WAIT_S * f64::from(1u32 << doublings)).min(LONGEST_WAIT_S);
        }
        Ok(())
    }

    pub fn succeeded(&mut self, from: IpAddr) {
        self.failures.remove(&canonical(from));
    }
}

#[cfg(test)]
mod tests {
    use super::Throttle;

    #[test]
    fn the_third_failure_makes_the_address_wait_and_the_wait_doubles() {
        let (mut throttle, ip) = (Throttle::default(), "10.0.0.9".parse().unwrap());
        assert_eq!(throttle.attempt(ip, 0.0), Ok(()));
        assert_eq!(throttle.attempt(ip, 1.0), Ok(()));
        assert_eq!(throttle.wait_s(ip, 1.0), None);
        assert_eq!(throttle.attempt(ip, 2.0), Ok(()));
        assert_eq!(throttle.wait_s(ip, 2.0), Some(30.0));
        assert_eq!(throttle.attempt(ip, 3.0), Err(29.0), "refused while waiting");
        assert_eq!(throttle.wait_s("10.0.0.8".parse().unwrap(), 2.0), None, "another address is free");
        assert_eq!(throttle.attempt(ip, 40.0), Ok(()));
        assert_eq!(throttle.wait_s(ip, 40.0), Some(60.0));
        throttle.succeeded(ip);
        assert_eq!(throttle.wait_s(ip, 41.0), None);
    }

    #[test]
    fn guesses_in_parallel_are_counted_before_any_is_answered() {
        let (mut throttle, ip) = (Throttle::default(), "10.0.0.9".parse().unwrap());
        // Ten guesses arrive together: none has been answered when the next one starts.
        let started = (0..10).filter(|_| throttle.attempt(ip, 0.0).is_ok()).count();
        assert_eq!(started, 3, "only the free failures and the one that starts the wait");
    }

    #[test]
    fn an_ipv4_mapped_address_is_its_ipv4_address() {
        let mut throttle = Throttle::default();
        for _ in 0..3 {
            throttle.attempt("::ffff:10.0.0.9".parse().unwrap(), 0.0).unwrap();
        }
        assert_eq!(throttle.wait_s("10.0.0.9".parse().unwrap(), 0.0), Some(30.0));
        throttle.succeeded("10.0.0.9".parse().unwrap());
        assert_eq!(throttle.wait_s("::ffff:10.0.0.9".parse().unwrap(), 0.0), None);
    }
}
