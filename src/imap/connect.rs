//! Opening an authenticated IMAP session: TCP, TLS (implicit or STARTTLS, by
//! rustls), LOGIN, then the RFC 2971 `ID` command.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use async_imap::types::Capabilities;
use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::config::{ImapConfig, TlsMode, service::is_loopback_host};

/// TCP connect plus TLS handshake to a provider on the far side of a
/// congested link; longer than this and the host is effectively down.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Any single command's complete answer (greeting, LOGIN, SELECT, STORE…).
/// async-imap has no timeouts of its own: a half-dead TCP connection would
/// otherwise hang the mailbox forever (async-imap#63).
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

pub trait ImapStream: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> ImapStream for T {}

pub type Session = async_imap::Session<Box<dyn ImapStream>>;

/// Errors the supervisor treats differently: a refused login will not fix
/// itself by retrying quickly (and providers lock accounts that try).
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "login refused for {username}: {reason} (check the password or authorisation code, and that IMAP is enabled for the mailbox)"
    )]
    LoginRefused { username: String, reason: String },
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub struct Connected {
    pub session: Session,
    pub capabilities: Capabilities,
}

/// The four fields NetEase asks a client to send in `ID` (name, version,
/// vendor, support-email); written exactly, since Coremail answers `BAD`
/// to a malformed ID (mailcore2#1874).
pub fn id_fields(support_email: &str) -> [(&str, Option<&str>); 4] {
    [
        ("name", Some("mailroom")),
        ("version", Some(env!("CARGO_PKG_VERSION"))),
        ("vendor", Some("mailroom")),
        ("support-email", Some(support_email)),
    ]
}

pub async fn connect(
    cfg: &ImapConfig,
    password: &SecretString,
    support_email: Option<&str>,
) -> Result<Connected, ConnectError> {
    if cfg.tls == TlsMode::Plain && !is_loopback_host(&cfg.host) {
        // check-config refuses this too; never send a password in clear text.
        return Err(anyhow::anyhow!("tls = \"plain\" is only allowed for loopback hosts").into());
    }
    let addr = (cfg.host.as_str(), cfg.port());
    let tcp = timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
        .await
        .with_context(|| format!("timed out connecting to {}:{}", cfg.host, cfg.port()))?
        .with_context(|| format!("cannot connect to {}:{}", cfg.host, cfg.port()))?;
    tcp.set_nodelay(true).context("cannot set TCP_NODELAY")?;

    let stream: Box<dyn ImapStream> = match cfg.tls {
        TlsMode::Plain => Box::new(tcp),
        TlsMode::Implicit => Box::new(tls_wrap(cfg, tcp).await?),
        TlsMode::Starttls => {
            let mut client = async_imap::Client::new(tcp);
            read_greeting(&mut client).await?;
            timeout(
                COMMAND_TIMEOUT,
                client.run_command_and_check_ok("STARTTLS", None),
            )
            .await
            .context("timed out waiting for STARTTLS")?
            .context("server refused STARTTLS")?;
            // No second greeting follows STARTTLS (RFC 3501 §6.2.1).
            Box::new(tls_wrap(cfg, client.into_inner()).await?)
        }
    };
    let mut client = async_imap::Client::new(stream);
    if cfg.tls != TlsMode::Starttls {
        read_greeting(&mut client).await?;
    }
    let mut session = match timeout(
        COMMAND_TIMEOUT,
        client.login(&cfg.username, password.expose_secret()),
    )
    .await
    {
        Err(_) => return Err(anyhow::anyhow!("timed out waiting for the LOGIN answer").into()),
        Ok(Ok(s)) => s,
        Ok(Err((async_imap::error::Error::No(reason), _))) => {
            return Err(ConnectError::LoginRefused {
                username: cfg.username.clone(),
                reason,
            });
        }
        Ok(Err((e, _))) => return Err(anyhow::Error::new(e).context("LOGIN failed").into()),
    };
    // 126.com/163.com answer SELECT with "NO Unsafe Login" unless the client
    // identifies itself first (RFC 2971). Harmless elsewhere; some servers
    // lack ID, so a refusal is not fatal.
    let id = id_fields(support_email.unwrap_or(&cfg.username));
    match timeout(COMMAND_TIMEOUT, session.id(id)).await {
        Ok(Ok(server)) => tracing::debug!(?server, "IMAP ID exchanged"),
        Ok(Err(e)) => tracing::debug!(error = %e, "server does not support IMAP ID"),
        Err(_) => return Err(anyhow::anyhow!("timed out waiting for the ID answer").into()),
    }
    let capabilities = timeout(COMMAND_TIMEOUT, session.capabilities())
        .await
        .context("timed out waiting for CAPABILITY")?
        .context("CAPABILITY failed")?;
    Ok(Connected {
        session,
        capabilities,
    })
}

async fn read_greeting<T: ImapStream>(client: &mut async_imap::Client<T>) -> Result<()> {
    let greeting = timeout(COMMAND_TIMEOUT, client.read_response())
        .await
        .context("timed out waiting for the server greeting")?
        .context("cannot read the server greeting")?;
    match greeting {
        Some(_) => Ok(()),
        None => bail!("server closed the connection before greeting"),
    }
}

async fn tls_wrap(
    cfg: &ImapConfig,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let mut roots = RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = &cfg.ca_file {
        let pem = std::fs::read(path)
            .with_context(|| format!("cannot read ca_file {}", path.display()))?;
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            let cert = cert.with_context(|| format!("bad PEM in {}", path.display()))?;
            roots
                .add(cert)
                .with_context(|| format!("unusable certificate in {}", path.display()))?;
        }
    }
    let tls = ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(cfg.host.clone())
        .with_context(|| format!("{:?} is not a valid TLS server name", cfg.host))?;
    timeout(
        CONNECT_TIMEOUT,
        TlsConnector::from(Arc::new(tls)).connect(name, tcp),
    )
    .await
    .context("timed out during the TLS handshake")?
    .with_context(|| format!("TLS handshake with {} failed", cfg.host))
}
