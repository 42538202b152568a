//! SMTP connections, one per department account, and what an SMTP answer
//! means for the outbox.
//!
//! mailroom opens the TCP connection itself and hands it to lettre's
//! protocol code (`AsyncSmtpConnection::connect_with_transport`), for one
//! reason: `TCP_NODELAY`. lettre writes a message's body and its closing
//! `\r\n.\r\n` in two writes; with Nagle's algorithm the second waits for
//! the server's ACK of the first, and servers delay that ACK (40 ms on
//! Linux) while they wait for the rest. That was 60 ms per mail: 200
//! receipts after an outage took 12 s through a server that takes a mail
//! in 2 ms. lettre's own transport offers no way to set the option.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use lettre::Address;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters,
};
use lettre::transport::smtp::extension::ClientId;
use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::config::{Config, TlsMode, service::is_loopback_host};

/// One SMTP conversation (connect, TLS, AUTH, MAIL/RCPT/DATA) must finish
/// within this; a stuck server must not stall the whole outbox.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

/// A connection idle longer than this is not reused: servers close idle
/// connections (NetEase after a few minutes, without a word), and a mail
/// sent into a closed one fails as if the server were unreachable.
const REUSE_IDLE: Duration = Duration::from_secs(30);

/// Mails per connection before a new one: NetEase answers too many on one
/// connection with `450 MI:DMC`. Its limit is not published; this is well
/// below what clients report going through.
const MAILS_PER_CONNECTION: u32 = 20;

/// How an attempt ended; the sender branches on it.
#[derive(Debug)]
pub enum SendOutcome {
    /// 250: the server took responsibility for the mail.
    Sent(String),
    /// Connection trouble or a 4xx: try again later.
    Retry(String),
    /// A 5xx: the server will never take this mail.
    Permanent(String),
}

struct Open {
    conn: AsyncSmtpConnection,
    last_used: Instant,
    sent: u32,
}

pub struct Transports {
    by_department: HashMap<String, Open>,
}

impl Transports {
    pub fn new() -> Self {
        Transports {
            by_department: HashMap::new(),
        }
    }

    /// Forgets a department's connection (after an error it may be dead).
    pub fn reset(&mut self, department: &str) {
        self.by_department.remove(department);
    }

    pub async fn send(
        &mut self,
        cfg: &Config,
        department: &str,
        from: &str,
        to: &[String],
        raw: &[u8],
    ) -> SendOutcome {
        let envelope = match envelope(from, to) {
            Ok(e) => e,
            Err(e) => return SendOutcome::Permanent(format!("{e:#}")),
        };
        match tokio::time::timeout(SMTP_TIMEOUT, self.attempt(cfg, department, &envelope, raw))
            .await
        {
            Err(_) => {
                self.reset(department);
                SendOutcome::Retry(format!(
                    "no answer from the SMTP server within {SMTP_TIMEOUT:?}"
                ))
            }
            Ok(outcome) => outcome,
        }
    }

    async fn attempt(
        &mut self,
        cfg: &Config,
        department: &str,
        envelope: &Envelope,
        raw: &[u8],
    ) -> SendOutcome {
        let reusable = self
            .by_department
            .get(department)
            .is_some_and(|o| o.last_used.elapsed() < REUSE_IDLE && o.sent < MAILS_PER_CONNECTION);
        if !reusable {
            if let Some(mut old) = self.by_department.remove(department) {
                // Politeness only: the server may already have closed it.
                let _ = old.conn.quit().await;
            }
            match connect(cfg, department).await {
                Ok(conn) => {
                    self.by_department.insert(
                        department.to_owned(),
                        Open {
                            conn,
                            last_used: Instant::now(),
                            sent: 0,
                        },
                    );
                }
                // A missing [mailbox.smtp] or password is fixed by an
                // administrator, a refused connection by the provider: the
                // mail stays queued meanwhile.
                Err(e) => return classify_error(&e),
            }
        }
        let Some(open) = self.by_department.get_mut(department) else {
            return SendOutcome::Retry("no SMTP connection".into());
        };
        match open.conn.send(envelope, raw).await {
            Ok(resp) => {
                open.last_used = Instant::now();
                open.sent += 1;
                SendOutcome::Sent(
                    resp.message()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .trim()
                        .to_owned(),
                )
            }
            Err(e) => {
                self.reset(department);
                lettre_outcome(&e)
            }
        }
    }
}

impl Default for Transports {
    fn default() -> Self {
        Self::new()
    }
}

fn lettre_outcome(e: &lettre::transport::smtp::Error) -> SendOutcome {
    if e.is_permanent() {
        SendOutcome::Permanent(e.to_string())
    } else {
        SendOutcome::Retry(e.to_string())
    }
}

/// A failure to connect, greet or log in: the server's answer decides when
/// there was one (`535` stops the account), otherwise it is worth a retry.
fn classify_error(e: &anyhow::Error) -> SendOutcome {
    match e.downcast_ref::<lettre::transport::smtp::Error>() {
        Some(le) if le.is_permanent() => SendOutcome::Permanent(format!("{e:#}")),
        _ => SendOutcome::Retry(format!("{e:#}")),
    }
}

fn envelope(from: &str, to: &[String]) -> Result<Envelope> {
    let from: Address = from
        .parse()
        .with_context(|| format!("bad sender address {from:?}"))?;
    let to = to
        .iter()
        .map(|t| {
            t.parse::<Address>()
                .with_context(|| format!("bad recipient {t:?}"))
        })
        .collect::<Result<Vec<_>>>()?;
    Envelope::new(Some(from), to).context("bad envelope")
}

/// Connects, secures and logs in to a department's SMTP server.
async fn connect(cfg: &Config, department: &str) -> Result<AsyncSmtpConnection> {
    let mb = cfg
        .mailbox(department)
        .with_context(|| format!("department {department} has no [[mailbox]]"))?;
    let smtp = mb.smtp.as_ref().with_context(|| {
        format!("department {department} has no [mailbox.smtp]: cannot send its mail")
    })?;
    if smtp.tls == TlsMode::Plain && !is_loopback_host(&smtp.host) {
        bail!("tls = \"plain\" is only allowed for loopback SMTP relays");
    }
    let ca = match &smtp.ca_file {
        Some(path) => Some(
            std::fs::read(path)
                .with_context(|| format!("cannot read ca_file {}", path.display()))?,
        ),
        None => None,
    };
    let tcp = TcpStream::connect((smtp.host.as_str(), smtp.port()))
        .await
        .with_context(|| format!("cannot connect to {}:{}", smtp.host, smtp.port()))?;
    tcp.set_nodelay(true)
        .context("cannot set TCP_NODELAY on the SMTP connection")?;
    let hello = ClientId::default();
    let mut conn = match smtp.tls {
        TlsMode::Implicit => {
            let tls = tls_wrap(&smtp.host, ca.as_deref(), tcp).await?;
            AsyncSmtpConnection::connect_with_transport(Box::new(Tls(tls)), &hello).await?
        }
        TlsMode::Plain => {
            AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello).await?
        }
        _ => {
            let mut conn =
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello).await?;
            let mut params = TlsParameters::builder(smtp.host.clone());
            if let Some(pem) = &ca {
                params = params.add_root_certificate(
                    Certificate::from_pem(pem).context("bad certificate in ca_file")?,
                );
            }
            let params = params.build_rustls().context("cannot set up TLS")?;
            conn.starttls(params, &hello)
                .await
                .context("STARTTLS failed")?;
            conn
        }
    };
    if smtp.auth {
        let username = smtp
            .username
            .clone()
            .unwrap_or_else(|| mb.imap.username.clone());
        let source =
            if smtp.password.password_env.is_some() || smtp.password.password_file.is_some() {
                &smtp.password
            } else {
                &mb.imap.password
            };
        let password = source
            .resolve()
            .with_context(|| format!("no SMTP password for {department}"))?;
        // With the login name: the AUTH PLAIN form needs both.
        crate::telemetry::register_secret(Some(&username), password.expose_secret());
        let credentials = Credentials::new(username, password.expose_secret().to_owned());
        conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
            .await?;
    }
    Ok(conn)
}

/// Implicit TLS (port 465), with the system's roots plus `ca_file`.
async fn tls_wrap(
    host: &str,
    ca_pem: Option<&[u8]>,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let mut roots = RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(mut pem) = ca_pem {
        for cert in rustls_pemfile::certs(&mut pem) {
            roots
                .add(cert.context("bad PEM in ca_file")?)
                .context("unusable certificate in ca_file")?;
        }
    }
    let config = ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned())
        .with_context(|| format!("{host:?} is not a valid TLS server name"))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .with_context(|| format!("TLS handshake with {host} failed"))
}

/// A TLS stream lettre can speak SMTP over (its trait, our type).
#[derive(Debug)]
struct Tls(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncRead for Tls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for Tls {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}
