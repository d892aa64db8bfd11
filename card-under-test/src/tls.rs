//! TLS for the services that speak it as clients (syslog over TLS): rustls with ring, the
//! public roots, and the certificate the settings trust beside them.

use std::sync::Arc;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::{ClientConfig, RootCertStore, crypto};

/// The certificates of a PEM text; at least one.
pub fn certificates(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certificates = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not a PEM certificate: {e}"))?;
    if certificates.is_empty() {
        return Err("no certificate in the PEM text".into());
    }
    Ok(certificates)
}

/// A client that trusts the public roots and `trusted` (PEM), if given.
pub fn client_config(trusted: Option<&str>) -> Result<Arc<ClientConfig>, String> {
    let mut roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    for certificate in trusted.map(certificates).transpose()?.unwrap_or_default() {
        roots.add(certificate).map_err(|e| format!("cannot trust the certificate: {e}"))?;
    }
    let config = ClientConfig::builder_with_provider(Arc::new(crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
