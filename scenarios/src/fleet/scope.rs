//! Which devices of a fleet an action or an expectation is for: one device, a group, a feed,
//! a site or all of them. The fleet's API, its window and fleet scenarios all speak it.

use super::plan::Device;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub enum Scope {
    Device(String),
    Group(String),
    Feed(String),
    Site(String),
    All,
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::Device(name) => write!(f, "device {name}"),
            Scope::Group(name) => write!(f, "group {name}"),
            Scope::Feed(name) => write!(f, "feed {name}"),
            Scope::Site(name) => write!(f, "site {name}"),
            Scope::All => write!(f, "all devices"),
        }
    }
}

impl Scope {
    pub fn covers(&self, device: &Device) -> bool {
        match self {
            Scope::Device(name) => device.name == *name,
            Scope::Group(name) => device.group == *name,
            Scope::Feed(name) => device.feed == *name,
            Scope::Site(name) => device.site == *name,
            Scope::All => true,
        }
    }

    /// A feed, a site or the whole fleet: what happens to its supply happens to its feeds
    /// (a mains failure there starts the feed's genset, as its ATS would).
    pub fn is_supply(&self) -> bool {
        matches!(self, Scope::Feed(_) | Scope::Site(_) | Scope::All)
    }

    /// The name it gives, for "no such …" errors.
    pub fn name(&self) -> Option<&str> {
        match self {
            Scope::Device(name) | Scope::Group(name) | Scope::Feed(name) | Scope::Site(name) => Some(name),
            Scope::All => None,
        }
    }
}
