//! The card's web server, HTTP and HTTPS alike (axum-server over hyper), bounded so that no
//! client can take it over (`Limits`): connections at once (one more is closed at once), a
//! request's headers in time, a connection that sends and takes nothing closed (one that
//! never sends a byte included), a TLS handshake in time, and a request answered within
//! `REQUEST_TIMEOUT` (408 else, a body sent a byte at a time included). A failed `accept`
//! (out of file descriptors) is retried by axum-server after 50 ms: the server never stops
//! on it.

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_server::accept::Accept;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_io_timeout::TimeoutStream;

/// Longer than the longest wait a handler has (a control's answer from the UPS, 10 s).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What one client may hold of the server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub handshake_timeout: Duration,
}

impl Default for Limits {
    /// A browser opens about six connections, a lab's tools a few each.
    fn default() -> Self {
        Self {
            max_connections: 256,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            handshake_timeout: Duration::from_secs(10),
        }
    }
}

/// Serves `app` on `listener` (bound already, so its address is known), over TLS with
/// `tls` when given, until the task is dropped.
pub async fn serve(
    listener: std::net::TcpListener,
    app: Router,
    tls: Option<RustlsConfig>,
    limits: Limits,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let limited =
        Limited { permits: Arc::new(Semaphore::new(limits.max_connections)), idle: limits.idle_timeout };
    let mut server = axum_server::from_tcp(listener)?;
    server
        .http_builder()
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    match tls {
        Some(config) => {
            let acceptor =
                RustlsAcceptor::new(config).handshake_timeout(limits.handshake_timeout).acceptor(limited);
            server.acceptor(acceptor).serve(service).await
        }
        None => server.acceptor(limited).serve(service).await,
    }
}

/// Answers 408 for a request not answered within `REQUEST_TIMEOUT`.
pub async fn in_time(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => (StatusCode::REQUEST_TIMEOUT, "the request took too long").into_response(),
    }
}

/// Takes a connection while a place is free, with the idle timeouts.
#[derive(Debug, Clone)]
struct Limited {
    permits: Arc<Semaphore>,
    idle: Duration,
}

type Stream = Pin<Box<TimeoutStream<Permitted>>>;

impl<S> Accept<TcpStream, S> for Limited {
    type Stream = Stream;
    type Service = S;
    type Future = std::future::Ready<io::Result<(Stream, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            return std::future::ready(Err(io::Error::other("too many connections")));
        };
        let mut timed = TimeoutStream::new(Permitted { stream, _permit: permit });
        timed.set_read_timeout(Some(self.idle));
        timed.set_write_timeout(Some(self.idle));
        std::future::ready(Ok((Box::pin(timed), service)))
    }
}

/// A connection holding its place until it closes.
#[derive(Debug)]
struct Permitted {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl AsyncRead for Permitted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Permitted {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const SHORT: Limits = Limits {
        max_connections: 2,
        header_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(1),
        handshake_timeout: Duration::from_secs(1),
    };
    /// Far above the 1 s limits: a loaded machine is not a failure.
    const GENEROUS: Duration = Duration::from_secs(20);

    async fn started() -> std::net::SocketAddr {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let app = Router::new().route("/", axum::routing::get(|| async { "hello" }));
        tokio::spawn(serve(listener, app, None, SHORT));
        address
    }

    /// Reads until the server closes the connection; what it said.
    async fn until_closed(stream: &mut TcpStream) -> String {
        let mut said = Vec::new();
        let read = tokio::time::timeout(GENEROUS, stream.read_to_end(&mut said)).await;
        assert!(read.is_ok(), "the server closed the connection");
        String::from_utf8_lossy(&said).into_owned()
    }

    async fn get(address: std::net::SocketAddr) -> String {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream.write_all(b"GET / HTTP/1.1\r\nHost: card\r\nConnection: close\r\n\r\n").await.unwrap();
        until_closed(&mut stream).await
    }

    #[tokio::test]
    async fn one_connection_too_many_is_closed_and_idle_ones_make_room() {
        let address = started().await;
        let mut silent =
            [TcpStream::connect(address).await.unwrap(), TcpStream::connect(address).await.unwrap()];
        // Both places are taken once the server has accepted them.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut third = TcpStream::connect(address).await.unwrap();
        assert_eq!(until_closed(&mut third).await, "", "closed without an answer");
        for stream in &mut silent {
            assert_eq!(until_closed(stream).await, "", "a connection that never sends is closed");
        }
        assert!(get(address).await.ends_with("hello"), "served again once they are gone");
    }

    #[tokio::test]
    async fn headers_sent_a_line_at_a_time_are_cut_off() {
        let address = started().await;
        let mut slow = TcpStream::connect(address).await.unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        let said = until_closed(&mut slow).await;
        assert!(!said.contains("hello"), "{said}");
    }
}
