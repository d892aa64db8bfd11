//! Sends a mail through the settings' server (lettre: SMTP, STARTTLS when required,
//! authentication when on), or to the co-simulation's outlet; a failure comes back as the
//! manual's error code (troubleshooting appendix, "Email error code list") and the card
//! events log's text (§21.4).

use crate::config::Mail;
use crate::outlet::{Outgoing, Outlet};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Longest wait for the server at each step.
const TIMEOUT: Duration = Duration::from_secs(15);

/// Why a mail did not go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailError {
    /// `001`, `002`, `101` or `111`.
    pub code: &'static str,
    /// The card events log's text: "Cannot connect to mail server", "Incorrect Mail
    /// receiver", "Incorrect Mail server name/IP address", "Mail send error/unknown error".
    pub event: &'static str,
    pub detail: String,
}

impl std::fmt::Display for MailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (error {}: {})", self.event, self.code, self.detail)
    }
}

const CANNOT_CONNECT: &str = "Cannot connect to mail server";
const UNKNOWN: &str = "Mail send error/unknown error";

fn unknown(detail: String) -> MailError {
    MailError { code: "002", event: UNKNOWN, detail }
}

/// The manual's code for what lettre said: 111 refused; 001 a name that does not resolve;
/// 101 a server that cannot be reached otherwise (timeout, no route, TLS); a recipient the
/// server refuses is an incorrect receiver; anything else is 002.
fn classify(error: &lettre::transport::smtp::Error) -> MailError {
    let detail = error.to_string();
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            let text = io.to_string();
            return match io.kind() {
                ConnectionRefused => MailError { code: "111", event: CANNOT_CONNECT, detail: text },
                _ if text.contains("lookup") || text.contains("resolve") => {
                    MailError { code: "001", event: "Incorrect Mail server name/IP address", detail: text }
                }
                TimedOut | HostUnreachable | NetworkUnreachable | ConnectionReset | ConnectionAborted
                | AddrNotAvailable => MailError { code: "101", event: CANNOT_CONNECT, detail: text },
                _ => unknown(text),
            };
        }
        source = cause.source();
    }
    if error.is_timeout() || error.is_tls() {
        return MailError { code: "101", event: CANNOT_CONNECT, detail };
    }
    // 550/553 and the like: the mailbox is refused.
    if error.is_permanent() && error.status().is_some_and(|code| code.to_string().starts_with("55")) {
        return MailError { code: "002", event: "Incorrect Mail receiver", detail };
    }
    unknown(detail)
}

fn transport(settings: &Mail, hello: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
    let server = settings.server.trim();
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server)
        .port(settings.port)
        .timeout(Some(TIMEOUT))
        .hello_name(ClientId::Domain(hello.to_string()));
    if settings.tls {
        let mut parameters = TlsParameters::builder(server.to_string());
        if let Some(pem) = &settings.trusted_certificate {
            let certificate = Certificate::from_pem(pem.as_bytes()).map_err(|e| unknown(e.to_string()))?;
            parameters = parameters.add_root_certificate(certificate);
        }
        let parameters = parameters.build_rustls().map_err(|e| unknown(e.to_string()))?;
        builder = builder.tls(Tls::Required(parameters));
    }
    if settings.authentication {
        builder = builder.credentials(Credentials::new(settings.account.clone(), settings.password.clone()));
    }
    Ok(builder.build())
}

/// Sends `message` as the settings say; `hello` is the card's name in EHLO.
pub async fn deliver(
    settings: &Mail,
    outlet: &Outlet,
    hello: &str,
    message: Message,
) -> Result<(), MailError> {
    if let Outlet::Memory(_) = outlet {
        let envelope = message.envelope();
        outlet.divert(Outgoing::Mail {
            from: envelope.from().map_or(String::new(), ToString::to_string),
            to: envelope.to().iter().map(ToString::to_string).collect(),
            tls: settings.tls,
            message: message.formatted(),
        });
        return Ok(());
    }
    let transport = transport(settings, hello)?;
    transport.send(message).await.map(drop).map_err(|e| classify(&e))
}
