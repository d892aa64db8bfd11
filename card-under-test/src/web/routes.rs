//! The card's routes, remembered as they are added: the router serves them, and the
//! authorization table test asks every one of them, so that a route added without an entry
//! in that table fails the test.

use super::Site;
use axum::Router;
use axum::routing::MethodRouter;

/// A router that knows its paths (axum's does not say them).
#[derive(Debug)]
pub struct Routes {
    router: Router<Site>,
    paths: Vec<&'static str>,
}

impl Default for Routes {
    fn default() -> Self {
        Self { router: Router::new(), paths: Vec::new() }
    }
}

impl Routes {
    pub fn route(mut self, path: &'static str, method: MethodRouter<Site>) -> Self {
        self.router = self.router.route(path, method);
        self.paths.push(path);
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    /// Every path routed, in the order added (`{name}` for a parameter).
    pub fn paths(&self) -> &[&'static str] {
        &self.paths
    }

    pub fn with_state(self, site: Site) -> Router {
        self.router.with_state(site)
    }
}
