//! The SMTP observer: a mail server on loopback (the card's "SMTP server" setting) that takes
//! every mail, in clear or after STARTTLS with a certificate made for the run, and keeps it
//! decoded for `received: Mail(…)` and whole as `mail-N.eml` in the scenario's directory.
//! Two ports: one where authentication is optional and one where it is required (AUTH
//! PLAIN/LOGIN, any credentials), so a card's "authentication" setting can be checked too.
//! mailin is the SMTP state machine; the I/O around it is ours.

use super::{Inbox, keep_heard};
use mail_parser::MimeHeaders;
use mailin::{Action, AuthMechanism, Handler, Response, SessionBuilder, response};
use scenarios::replay::{Heard, Mail, Observer};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types::PrivateKeyDer};

/// Longest command or data line read (RFC 5321 allows 1000 octets); longer ends the session.
const MAX_LINE: usize = 64 * 1024;
/// Largest message kept; the rest of a larger one is dropped and the mail refused (552).
const MAX_MESSAGE: usize = 16 * 1024 * 1024;
/// A client silent this long is dropped.
const IDLE: std::time::Duration = std::time::Duration::from_secs(60);

/// A certificate for `127.0.0.1` and `localhost` made for this run, written as PEM to
/// `cert_path` (so a card can be told to trust it), and the STARTTLS acceptor that uses it.
pub fn tls(cert_path: &Path) -> Result<TlsAcceptor, String> {
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".into()])
        .map_err(|e| format!("cannot make a certificate: {e}"))?;
    std::fs::write(cert_path, made.cert.pem()).map_err(|e| format!("{}: {e}", cert_path.display()))?;
    let key = PrivateKeyDer::Pkcs8(made.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| {
            builder.with_no_client_auth().with_single_cert(vec![made.cert.der().clone()], key)
        })
        .map_err(|e| format!("TLS: {e}"))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// What a connection's handler collects; shared with the connection so it can mark TLS.
#[derive(Debug, Default)]
struct Envelope {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
    too_big: bool,
    user: Option<String>,
}

/// mailin's callbacks: accept everything, keep the envelope and the data, and hand the
/// finished mail to the observer.
struct Collector {
    envelope: Envelope,
    tls: Arc<AtomicBool>,
    done: Arc<Mutex<Vec<(Envelope, bool)>>>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.envelope.from = from.to_string();
        self.envelope.to = to.to_vec();
        self.envelope.data.clear();
        self.envelope.too_big = false;
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if self.envelope.data.len() + buf.len() > MAX_MESSAGE {
            self.envelope.too_big = true;
        } else {
            self.envelope.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if self.envelope.too_big {
            return response::NO_STORAGE;
        }
        let user = self.envelope.user.clone();
        let envelope = std::mem::replace(&mut self.envelope, Envelope { user, ..Envelope::default() });
        let tls = self.tls.load(Ordering::Relaxed);
        self.done.lock().unwrap_or_else(|p| p.into_inner()).push((envelope, tls));
        response::OK
    }

    fn auth_plain(&mut self, _authorization_id: &str, authentication_id: &str, _password: &str) -> Response {
        self.envelope.user = Some(authentication_id.to_string());
        response::AUTH_OK
    }

    fn auth_login(&mut self, username: &str, _password: &str) -> Response {
        self.envelope.user = Some(username.to_string());
        response::AUTH_OK
    }
}

/// Decodes a received mail into the parts expectations match.
fn decode(envelope: &Envelope, tls: bool) -> Mail {
    let parsed = mail_parser::MessageParser::default().parse(&envelope.data);
    let (subject, body) = match &parsed {
        Some(message) => {
            let mut body = message.body_text(0).map(|text| text.into_owned()).unwrap_or_default();
            for attachment in message.attachments() {
                body.push('\n');
                body.push_str(attachment.attachment_name().unwrap_or("(attachment without a name)"));
            }
            (message.subject().unwrap_or_default().to_string(), body)
        }
        None => (String::new(), String::from_utf8_lossy(&envelope.data).into_owned()),
    };
    Mail { from: envelope.from.clone(), to: envelope.to.clone(), subject, body, tls }
}

/// The observer's log line for a mail.
fn line(mail: &Mail, user: Option<&str>, file: &str) -> String {
    let mut words =
        format!("mail from <{}> to <{}> subject \"{}\"", mail.from, mail.to.join(">, <"), mail.subject);
    words.push_str(if mail.tls { " over STARTTLS" } else { " in clear" });
    if let Some(user) = user {
        words.push_str(&format!(" authenticated as {user}"));
    }
    words.push_str(&format!(" ({file})"));
    words
}

/// Where the observer keeps what it receives.
#[derive(Debug, Clone)]
pub struct Mailbox {
    pub inbox: Inbox,
    pub dir: PathBuf,
    count: Arc<AtomicUsize>,
}

impl Mailbox {
    pub fn new(inbox: Inbox, dir: &Path) -> Self {
        Self { inbox, dir: dir.to_path_buf(), count: Arc::default() }
    }

    /// Keeps a mail that did not come over a socket (the reference card's, in virtual time).
    pub fn keep_message(&self, from: &str, to: &[String], data: &[u8], tls: bool) {
        let envelope =
            Envelope { from: from.into(), to: to.to_vec(), data: data.to_vec(), ..Envelope::default() };
        self.keep(&envelope, tls);
    }

    fn keep(&self, envelope: &Envelope, tls: bool) {
        let number = self.count.fetch_add(1, Ordering::Relaxed) + 1;
        let file = format!("mail-{number}.eml");
        let mail = decode(envelope, tls);
        let mut line = line(&mail, envelope.user.as_deref(), &file);
        if let Err(e) = std::fs::write(self.dir.join(&file), &envelope.data) {
            line.push_str(&format!(" — not saved: {e}"));
        }
        keep_heard(&self.inbox, Heard { observer: Observer::Mail, line, mail: Some(mail) });
    }
}

/// Takes connections until the task is dropped; `require_auth` makes clients authenticate.
pub async fn serve(listener: TcpListener, acceptor: TlsAcceptor, mailbox: Mailbox, require_auth: bool) {
    let mut sessions = tokio::task::JoinSet::new();
    let mut builder = SessionBuilder::new("upstwin-observer");
    builder.enable_start_tls();
    if require_auth {
        builder
            .enable_auth(AuthMechanism::Plain)
            .enable_auth(AuthMechanism::Login)
            .insecure_enable_plaintext_auth();
    }
    while let Ok((stream, peer)) = listener.accept().await {
        let (acceptor, mailbox, builder) = (acceptor.clone(), mailbox.clone(), builder.clone());
        sessions.spawn(async move {
            if let Err(why) = session(stream, peer.ip(), &builder, &acceptor, &mailbox).await {
                let line = format!("session from {peer} ended: {why}");
                keep_heard(&mailbox.inbox, Heard::line(Observer::Mail, line));
            }
        });
        while sessions.try_join_next().is_some() {}
    }
}

/// One client, from the greeting to QUIT, switching to TLS on STARTTLS.
async fn session(
    stream: tokio::net::TcpStream,
    peer: IpAddr,
    builder: &SessionBuilder,
    acceptor: &TlsAcceptor,
    mailbox: &Mailbox,
) -> Result<(), String> {
    let tls = Arc::new(AtomicBool::new(false));
    let done = Arc::new(Mutex::new(Vec::new()));
    let collector = Collector { envelope: Envelope::default(), tls: tls.clone(), done: done.clone() };
    let mut smtp = builder.build(peer, collector);
    let mut plain = BufReader::new(stream);
    write(&mut plain, &smtp.greeting()).await?;
    let upgrade = converse(&mut plain, &mut smtp, &done, mailbox).await?;
    if upgrade {
        // Bytes the client sent before the handshake would be a protocol violation: dropped.
        let secured = acceptor.accept(plain.into_inner()).await.map_err(|e| format!("TLS handshake: {e}"))?;
        tls.store(true, Ordering::Relaxed);
        smtp.tls_active();
        converse(&mut BufReader::new(secured), &mut smtp, &done, mailbox).await?;
    }
    Ok(())
}

/// Reads lines and answers them until the client quits (`false`) or asks for TLS (`true`).
async fn converse<S: AsyncRead + AsyncWrite + Unpin, H: Handler>(
    stream: &mut BufReader<S>,
    smtp: &mut mailin::Session<H>,
    done: &Mutex<Vec<(Envelope, bool)>>,
    mailbox: &Mailbox,
) -> Result<bool, String> {
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        let read = tokio::time::timeout(IDLE, read_line(stream, &mut line)).await;
        match read {
            Err(_) => return Err("client idle for 60 s".into()),
            Ok(Err(e)) => return Err(e),
            Ok(Ok(0)) => return Ok(false),
            Ok(Ok(_)) => {}
        }
        let answer = smtp.process(&line);
        for (envelope, tls) in done.lock().unwrap_or_else(|p| p.into_inner()).drain(..) {
            mailbox.keep(&envelope, tls);
        }
        match answer.action {
            Action::NoReply => {}
            Action::Reply => write(stream, &answer).await?,
            Action::Close => {
                write(stream, &answer).await?;
                return Ok(false);
            }
            Action::UpgradeTls => {
                write(stream, &answer).await?;
                return Ok(true);
            }
        }
    }
}

/// One line, `\n` included, at most `MAX_LINE` bytes.
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R, line: &mut Vec<u8>) -> Result<usize, String> {
    loop {
        let available = reader.fill_buf().await.map_err(|e| e.to_string())?;
        if available.is_empty() {
            return Ok(line.len());
        }
        let (taken, finished) = match available.iter().position(|b| *b == b'\n') {
            Some(end) => (end + 1, true),
            None => (available.len(), false),
        };
        line.extend_from_slice(&available[..taken]);
        reader.consume(taken);
        if finished {
            return Ok(line.len());
        }
        if line.len() > MAX_LINE {
            return Err(format!("a line longer than {MAX_LINE} bytes"));
        }
    }
}

async fn write<W: AsyncWrite + Unpin>(writer: &mut W, answer: &Response) -> Result<(), String> {
    let bytes = answer.buffer().map_err(|e| e.to_string())?;
    writer.write_all(&bytes).await.map_err(|e| e.to_string())?;
    writer.flush().await.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::{Envelope, Mailbox, decode, serve, tls};
    use crate::commands::observers::Inbox;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Sends `bytes` on a new connection and returns what the server answered until it closed
    /// (or went quiet).
    async fn exchange(server: std::net::SocketAddr, bytes: &[u8]) -> String {
        let mut stream = tokio::net::TcpStream::connect(server).await.unwrap();
        let _ = stream.write_all(bytes).await;
        let mut answer = Vec::new();
        let _ =
            tokio::time::timeout(std::time::Duration::from_secs(2), stream.read_to_end(&mut answer)).await;
        String::from_utf8_lossy(&answer).into_owned()
    }

    #[tokio::test]
    async fn bad_clients_end_their_session_and_the_observer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let acceptor = tls(&dir.path().join("cert.pem")).unwrap();
        let inbox = Inbox::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = listener.local_addr().unwrap();
        let observer =
            tokio::spawn(serve(listener, acceptor, Mailbox::new(inbox.clone(), dir.path()), false));
        // A line that never ends, then commands out of order and a TLS handshake that is not one.
        let endless = exchange(server, &vec![b'A'; 200 * 1024]).await;
        assert!(endless.starts_with("220 "), "{endless}");
        let confused =
            exchange(server, b"DATA\r\nRCPT TO:<x@y>\r\nEHLO me\r\nSTARTTLS\r\nnot a handshake\r\n").await;
        assert!(confused.contains("503 ") && confused.contains("220 Ready to start TLS"), "{confused}");
        let mail = concat!(
            "EHLO card\r\nMAIL FROM:<card@ups>\r\nRCPT TO:<ops@example.com>\r\nDATA\r\n",
            "Subject: still here\r\n\r\n..dot-stuffed line\r\n.\r\nQUIT\r\n"
        );
        let answered = exchange(server, mail.as_bytes()).await;
        assert!(answered.contains("221 "), "{answered}");
        observer.abort();
        let heard = inbox.lock().unwrap().iter().map(|(_, heard)| heard.clone()).collect::<Vec<_>>();
        let lines: Vec<&str> = heard.iter().map(|h| h.line.as_str()).collect();
        assert!(lines.iter().any(|l| l.contains("a line longer than 65536 bytes")), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("TLS handshake")), "{lines:?}");
        let kept = heard.iter().find_map(|h| h.mail.clone()).expect("the good mail is kept");
        assert_eq!((kept.subject.as_str(), kept.tls), ("still here", false));
        assert!(kept.body.starts_with(".dot-stuffed line"), "{:?}", kept.body);
        assert!(std::fs::read(dir.path().join("mail-1.eml")).unwrap().starts_with(b"Subject: still here"));
    }

    #[test]
    fn decodes_subject_body_and_attachment_names() {
        let data = concat!(
            "From: card@ups\r\nTo: ops@example.com\r\nSubject: =?utf-8?q?UPS_on_battery?=\r\n",
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n",
            "--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
            "Remaining time =3D 12 min\r\n",
            "--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=history.csv\r\n\r\n",
            "a,b\r\n--b--\r\n"
        );
        let envelope = Envelope {
            from: "card@ups".into(),
            to: vec!["ops@example.com".into()],
            data: data.into(),
            ..Default::default()
        };
        let mail = decode(&envelope, true);
        assert_eq!(mail.subject, "UPS on battery");
        assert!(mail.body.contains("Remaining time = 12 min"), "{}", mail.body);
        assert!(mail.body.contains("history.csv"), "{}", mail.body);
        assert!(mail.tls);
    }
}
