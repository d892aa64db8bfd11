//! "HTTPS certificate" (§18.3): the certificate the card serves, and a new one uploaded — a
//! PEM file holding the private key and the certificate, at most 8 KB.

use super::layout::{TopBar, page};
use crate::run::Shared;
use crate::web::https::MAX_PEM_BYTES;
use crate::web::{Caller, Web};
use axum::Extension;
use axum::extract::State;
use maud::{Markup, html};

pub async fn get(
    State(shared): State<Shared>,
    State(web): State<Web>,
    Extension(caller): Extension<Caller>,
) -> Markup {
    let tls = web.lock().tls.clone();
    let info = match &tls {
        Some(tls) => Some(tls.certificate().await),
        None => None,
    };
    // The key is a secret: replacing it is the administrator's.
    let writable = caller.role.sees_secrets();
    let content = html! {
        @match &info {
            None => p #no-https { "This card does not serve HTTPS (HTTPs Port is disabled, or the card runs in co-simulation)." },
            Some(Err(why)) => p.message role="alert" { (why) },
            Some(Ok(info)) => table.summary #certificate {
                tr { th { "Subject" } td #cert-subject { (info.subject) } }
                tr { th { "Issuer" } td { (info.issuer) } }
                tr { th { "Valid from" } td { (info.not_before) } }
                tr { th { "Valid until" } td { (info.not_after) } }
                tr { th { "Self-signed" } td #cert-self-signed { @if info.self_signed { "Yes (made by the card)" } @else { "No" } } }
            },
        }
        @if writable && tls.is_some() {
            form #certificate-form data-upload="/api/https/certificate" {
                label { "Upload a PEM file (private key + certificate, at most " (MAX_PEM_BYTES / 1024) " KB)"
                    input type="file" accept=".pem,.crt,.key,text/plain" required; }
                button type="submit" { "Upload" }
                p role="status" {}
            }
        }
    };
    page("HTTPS Certificate", "/card/https", &caller, &TopBar::of(&shared.lock()), content)
}
