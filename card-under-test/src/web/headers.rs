//! The security headers of every response: no framing, no sniffing, no referrer, scripts
//! and styles from the card only (no inline script), nothing cached but the pages' files;
//! over HTTPS, cookies for TLS only and HSTS.

use axum::http::{HeaderValue, header};
use axum::response::Response;

/// A year of HTTPS only, once a browser has seen the card over HTTPS.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

pub async fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Over HTTPS: every cookie `Secure` (never sent over HTTP), and HSTS.
pub async fn over_tls(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let cookies: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|cookie| {
            let text = cookie.to_str().ok()?;
            let secure = text.split(';').any(|part| part.trim().eq_ignore_ascii_case("secure"));
            if secure { Some(cookie.clone()) } else { HeaderValue::from_str(&format!("{text}; Secure")).ok() }
        })
        .collect();
    headers.remove(header::SET_COOKIE);
    for cookie in cookies {
        headers.append(header::SET_COOKIE, cookie);
    }
    headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(STRICT_TRANSPORT_SECURITY));
    response
}
