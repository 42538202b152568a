//! SMTP transports, one per department account, and what an SMTP answer
//! means for the outbox.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{Config, TlsMode, service::is_loopback_host};

/// One SMTP conversation (connect, TLS, AUTH, MAIL/RCPT/DATA) must finish
/// within this; a stuck server must not stall the whole outbox.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

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

pub struct Transports {
    by_department: HashMap<String, AsyncSmtpTransport<Tokio1Executor>>,
}

impl Transports {
    pub fn new() -> Self {
        Transports {
            by_department: HashMap::new(),
        }
    }

    fn get(
        &mut self,
        cfg: &Config,
        department: &str,
    ) -> Result<&AsyncSmtpTransport<Tokio1Executor>> {
        if !self.by_department.contains_key(department) {
            let t = build(cfg, department)?;
            self.by_department.insert(department.to_owned(), t);
        }
        self.by_department
            .get(department)
            .context("transport just inserted")
    }

    /// Forgets a transport after an error: its pooled connection may be dead.
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
        let transport = match self.get(cfg, department) {
            Ok(t) => t,
            // A missing [mailbox.smtp] or password is fixed by an administrator;
            // keep the mail queued meanwhile rather than dropping it.
            Err(e) => return SendOutcome::Retry(format!("{e:#}")),
        };
        let envelope = match envelope(from, to) {
            Ok(e) => e,
            Err(e) => return SendOutcome::Permanent(format!("{e:#}")),
        };
        match tokio::time::timeout(SMTP_TIMEOUT, transport.send_raw(&envelope, raw)).await {
            Err(_) => {
                self.reset(department);
                SendOutcome::Retry(format!(
                    "no answer from the SMTP server within {SMTP_TIMEOUT:?}"
                ))
            }
            Ok(Ok(resp)) => SendOutcome::Sent(
                resp.message()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .trim()
                    .to_owned(),
            ),
            Ok(Err(e)) => {
                self.reset(department);
                if e.is_permanent() {
                    SendOutcome::Permanent(e.to_string())
                } else {
                    SendOutcome::Retry(e.to_string())
                }
            }
        }
    }
}

impl Default for Transports {
    fn default() -> Self {
        Self::new()
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

fn build(cfg: &Config, department: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
    let mb = cfg
        .mailbox(department)
        .with_context(|| format!("department {department} has no [[mailbox]]"))?;
    let smtp = mb.smtp.as_ref().with_context(|| {
        format!("department {department} has no [mailbox.smtp]: cannot send its mail")
    })?;
    if smtp.tls == TlsMode::Plain && !is_loopback_host(&smtp.host) {
        bail!("tls = \"plain\" is only allowed for loopback SMTP relays");
    }
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
        .port(smtp.port())
        .timeout(Some(SMTP_TIMEOUT));
    if smtp.tls != TlsMode::Plain {
        let mut params = TlsParameters::builder(smtp.host.clone());
        if let Some(ca) = &smtp.ca_file {
            let pem = std::fs::read(ca)
                .with_context(|| format!("cannot read ca_file {}", ca.display()))?;
            params = params.add_root_certificate(
                Certificate::from_pem(&pem)
                    .with_context(|| format!("bad certificate in {}", ca.display()))?,
            );
        }
        let params = params.build_rustls().context("cannot set up TLS")?;
        b = b.tls(match smtp.tls {
            TlsMode::Implicit => Tls::Wrapper(params),
            _ => Tls::Required(params),
        });
    }
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
        b = b.credentials(Credentials::new(
            username,
            password.expose_secret().to_owned(),
        ));
    }
    Ok(b.build())
}
