//! HTTPS (§18.3 "HTTPs Port", and the certificate upload): the card's key and certificate
//! are one PEM file, at most 8 KB, kept in the state directory. The first start makes a
//! self-signed one (rcgen); an uploaded one replaces it, and is served from the next
//! connection on, without a restart.

pub use axum_server::tls_rustls::RustlsConfig;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// §18.3: "PEM file (key + certificate) ≤ 8 KB".
pub const MAX_PEM_BYTES: usize = 8 * 1024;

/// What the card serves HTTPS with, and where it keeps it.
#[derive(Clone)]
pub struct Tls {
    pub path: PathBuf,
    pub config: RustlsConfig,
}

impl Tls {
    /// The certificate served now, described; why not, when the file kept cannot be read.
    pub async fn certificate(&self) -> Result<CertificateInfo, String> {
        let pem = tokio::fs::read_to_string(&self.path)
            .await
            .map_err(|e| format!("{}: {e}", self.path.display()))?;
        describe(&pem).ok_or_else(|| format!("{}: no certificate that can be read", self.path.display()))
    }
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").field("path", &self.path).finish_non_exhaustive()
    }
}

/// The certificate as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateInfo {
    pub subject: String,
    pub issuer: String,
    pub not_before: String,
    pub not_after: String,
    pub self_signed: bool,
}

/// A server config from a PEM text holding a private key and its certificate chain; why
/// not, in words a person can act on.
pub fn server_config(pem: &str) -> Result<Arc<ServerConfig>, String> {
    if pem.len() > MAX_PEM_BYTES {
        return Err(format!("the PEM file is {} bytes; at most {MAX_PEM_BYTES}", pem.len()));
    }
    let certificates = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not a PEM file: {e}"))?;
    if certificates.is_empty() {
        return Err("no certificate in the PEM file (BEGIN CERTIFICATE)".into());
    }
    let key = PrivateKeyDer::from_pem_slice(pem.as_bytes())
        .map_err(|_| "no private key in the PEM file (BEGIN PRIVATE KEY)".to_string())?;
    let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .map_err(|e| format!("the key and the certificate do not go together: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A self-signed certificate for `names` (host names or addresses; the first is the common
/// name), valid ten years from now, with its key, as PEM.
pub fn self_signed(names: Vec<String>) -> Result<String, String> {
    let common_name = names.first().cloned().unwrap_or_default();
    let mut params = rcgen::CertificateParams::new(names).map_err(|e| e.to_string())?;
    params.distinguished_name.push(rcgen::DnType::CommonName, common_name);
    params.distinguished_name.push(rcgen::DnType::OrganizationName, "NET VISION card (upstwin)");
    let now = time::OffsetDateTime::now_utc();
    (params.not_before, params.not_after) = (now - time::Duration::days(1), now + time::Duration::days(3650));
    let key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
    let certificate = params.self_signed(&key).map_err(|e| e.to_string())?;
    Ok(format!("{}{}", key.serialize_pem(), certificate.pem()))
}

/// The PEM kept at `path`, made self-signed for `names` when there is none yet.
pub fn load_or_make(path: &Path, names: Vec<String>) -> Result<String, String> {
    match std::fs::read_to_string(path) {
        Ok(pem) => Ok(pem),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let pem = self_signed(names)?;
            crate::durable::replace_file(path, pem.as_bytes())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(pem)
        }
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// The first certificate of a PEM text, described.
pub fn describe(pem: &str) -> Option<CertificateInfo> {
    let certificate = CertificateDer::pem_slice_iter(pem.as_bytes()).next()?.ok()?;
    let (_, parsed) = x509_parser::parse_x509_certificate(certificate.as_ref()).ok()?;
    Some(CertificateInfo {
        subject: parsed.subject().to_string(),
        issuer: parsed.issuer().to_string(),
        not_before: parsed.validity().not_before.to_string(),
        not_after: parsed.validity().not_after.to_string(),
        self_signed: parsed.subject() == parsed.issuer(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_pem_serves_and_describes_itself() {
        let pem = self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
        assert!(pem.len() < MAX_PEM_BYTES, "{} bytes", pem.len());
        assert!(server_config(&pem).is_ok());
        let info = describe(&pem).unwrap();
        assert!(info.self_signed, "{info:?}");
    }

    #[test]
    fn bad_pem_files_are_refused_with_the_reason() {
        let pem = self_signed(vec!["localhost".into()]).unwrap();
        let certificate_only: String =
            pem.split_inclusive('\n').skip_while(|l| !l.contains("BEGIN CERTIFICATE")).collect();
        assert!(server_config(&certificate_only).unwrap_err().contains("no private key"));
        let other = self_signed(vec!["other".into()]).unwrap();
        let key_of_other: String =
            other.split_inclusive('\n').take_while(|l| !l.contains("BEGIN CERTIFICATE")).collect();
        let mismatched = format!("{key_of_other}{certificate_only}");
        assert!(server_config(&mismatched).unwrap_err().contains("do not go together"));
        assert!(server_config(&"x".repeat(MAX_PEM_BYTES + 1)).unwrap_err().contains("at most 8192"));
        assert!(server_config("hello").unwrap_err().contains("no certificate"));
    }
}
