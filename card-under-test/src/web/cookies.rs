//! The cookies the pages use: the session's (HttpOnly, SameSite=Strict; Secure comes with
//! HTTPS) and the login form's CSRF token (double submit: cookie and field must match).

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

pub const SESSION: &str = "upstwin_session";
pub const LOGIN: &str = "upstwin_login";

fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers).get(name).map(|c| c.value().to_owned())
}

pub fn session_token(headers: &HeaderMap) -> Option<String> {
    read(headers, SESSION)
}

pub fn login_token(headers: &HeaderMap) -> Option<String> {
    read(headers, LOGIN)
}

/// A cookie for this card's pages only, out of scripts' and other sites' reach.
pub fn make(name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value)).path("/").http_only(true).same_site(SameSite::Strict).build()
}

/// The cookie that makes the browser forget `name`.
pub fn removal(name: &'static str) -> Cookie<'static> {
    let mut cookie = make(name, String::new());
    cookie.make_removal();
    cookie
}

/// `text` as a URL query value.
pub fn encode_query(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
