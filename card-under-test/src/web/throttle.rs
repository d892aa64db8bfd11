//! Failed logins slow the next ones down (§18.4 is silent on how; this is the card's rule):
//! from the third failure in a row from one address, that address waits 30 s, doubling
//! with each further failure up to 15 min. A success clears the count.

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

impl Throttle {
    /// Seconds `from` must still wait before trying again, if any.
    pub fn wait_s(&self, from: IpAddr, now_s: f64) -> Option<f64> {
        let (_, until_s) = self.failures.get(&from)?;
        (*until_s > now_s).then(|| (until_s - now_s).ceil())
    }

    pub fn failed(&mut self, from: IpAddr, now_s: f64) {
        if self.failures.len() >= ADDRESSES_KEPT && !self.failures.contains_key(&from) {
            self.failures.retain(|_, (_, until_s)| *until_s > now_s);
        }
        let (count, until_s) = self.failures.entry(from).or_insert((0, now_s));
        *count += 1;
        if *count > FREE_FAILURES {
            let doublings = (*count - FREE_FAILURES - 1).min(10);
            *until_s = now_s + (FIRST_WAIT_S * f64::from(1u32 << doublings)).min(LONGEST_WAIT_S);
        }
    }

    pub fn succeeded(&mut self, from: IpAddr) {
        self.failures.remove(&from);
    }
}

#[cfg(test)]
mod tests {
    use super::Throttle;

    #[test]
    fn the_third_failure_makes_the_address_wait_and_the_wait_doubles() {
        let (mut throttle, ip) = (Throttle::default(), "10.0.0.9".parse().unwrap());
        throttle.failed(ip, 0.0);
        throttle.failed(ip, 1.0);
        assert_eq!(throttle.wait_s(ip, 1.0), None);
        throttle.failed(ip, 2.0);
        assert_eq!(throttle.wait_s(ip, 2.0), Some(30.0));
        assert_eq!(throttle.wait_s("10.0.0.8".parse().unwrap(), 2.0), None, "another address is free");
        throttle.failed(ip, 40.0);
        assert_eq!(throttle.wait_s(ip, 40.0), Some(60.0));
        throttle.succeeded(ip);
        assert_eq!(throttle.wait_s(ip, 41.0), None);
    }
}
