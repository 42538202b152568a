//! `mailroom.toml`: where the campaign lives, where data goes, and how to
//! reach each department mailbox.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::Problems;
pub use super::schedule::{DigestSettings, ReminderSettings, default_reminders, parse_cron};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceFile {
    /// Campaign file, relative to this file's directory.
    pub campaign: PathBuf,
    /// Units file, relative to this file's directory.
    pub units: PathBuf,
    /// Raw mail, attachments and exports; relative to this file's directory.
    pub data_dir: PathBuf,
    /// `sqlite://PATH`; defaults to `<data_dir>/mailroom.db`.
    #[serde(default)]
    pub database_url: Option<String>,
    #[serde(default)]
    pub fetch: FetchSettings,
    #[serde(default)]
    pub intake: IntakeSettings,
    #[serde(default)]
    pub outbox: OutboxSettings,
    #[serde(default)]
    pub receipts: ReceiptSettings,
    #[serde(default)]
    pub digest: DigestSettings,
    #[serde(default)]
    pub reminders: ReminderSettings,
    #[serde(default)]
    pub materials: MaterialsSettings,
    #[serde(rename = "mailbox", default)]
    pub mailboxes: Vec<MailboxConfig>,
}

/// The browsable materials tree (see `crate::materials`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MaterialsSettings {
    /// Keep the tree current after every recorded batch, assignment and
    /// reprocessing. Off: only `mailroom materials --rebuild` writes it.
    pub enabled: bool,
    /// Where the tree lives; relative to this file's directory. Default:
    /// `<data_dir>/materials`.
    pub dir: Option<PathBuf>,
}

impl Default for MaterialsSettings {
    fn default() -> Self {
        MaterialsSettings {
            enabled: true,
            dir: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchSettings {
    /// Messages above this size are stored raw but not inspected (`oversize`).
    pub max_message_mb: u64,
    /// Upper bound on messages fetched and made durable together.
    pub batch_messages: usize,
    /// Upper bound on bytes fetched and made durable together.
    pub batch_mb: u64,
    /// A message larger than this is downloaded alone, in pieces of this
    /// size (`BODY.PEEK[]<offset.length>`, as Thunderbird does), straight
    /// into its file: memory holds one piece, never a whole 50 MB message.
    pub piece_mb: u64,
    /// A message that fails to download this many times is skipped and logged.
    pub max_attempts: u32,
    /// After a refused login, wait this long before one more try; a second
    /// refusal stops that mailbox until the configuration is reloaded.
    /// Providers block an address that keeps sending a wrong password.
    pub login_retry_secs: u64,
    /// The `support-email` sent in the IMAP `ID` command (NetEase asks
    /// clients for name, version, vendor and support-email); default: the
    /// mailbox's own login.
    pub id_support_email: Option<String>,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            max_message_mb: 64,
            batch_messages: 200,
            batch_mb: 32,
            piece_mb: 4,
            max_attempts: 3,
            login_retry_secs: 300,
            id_support_email: None,
        }
    }
}

/// How messages are looked into (see `intake::worker`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IntakeSettings {
    /// Address-space limit of each inspection worker. Default: four times
    /// `fetch.max_message_mb` plus 256 MB (the raw message, its decoded
    /// parts and the parsers' own memory, with room to spare).
    pub worker_memory_mb: Option<u64>,
    /// Longest one message may take (wall clock and CPU) before its worker
    /// is killed; twice and the message is quarantined.
    pub worker_timeout_secs: u64,
    /// Servers whose `Authentication-Results` headers are believed, by
    /// authserv-id (exact, or a domain it ends with). Default: the domains
    /// of the configured IMAP servers (imap.126.com → 126.com).
    pub trusted_authserv_ids: Option<Vec<String>>,
}

impl Default for IntakeSettings {
    fn default() -> Self {
        IntakeSettings {
            worker_memory_mb: None,
            worker_timeout_secs: 120,
            trusted_authserv_ids: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxSettings {
    /// Transient failures (connection refused, 4xx) are retried this long
    /// before the mail is marked failed.
    pub retry_hours: u64,
    /// Each sending account's budget, shared by its receipts, reminders and
    /// digests: at most this many mails in any 15 minutes, and per calendar
    /// day (campaign time zone; NetEase counts from 00:00 Beijing time).
    /// NetEase publishes no quota for free accounts; reports range from a
    /// few dozen to 100 a day. The defaults are guesses that pace the
    /// account rather than predict its quota: going over costs little (a
    /// 451 MI:SFQ pauses the account 15 minutes, a 554 MI:STC parks it until
    /// midnight and lowers that day's budget to what it had sent), while a
    /// budget set too low holds receipts back for nothing.
    pub per_15min: u32,
    pub per_day: u32,
    /// Limits per recipient domain (per sending account), for providers that
    /// throttle senders themselves: QQ Mail answers "550 Sender frequency
    /// limited" and silently drops mail past its own, unpublished, limits.
    pub domain_limits: Vec<DomainLimit>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainLimit {
    pub domain: String,
    pub per_hour: u32,
    pub per_day: u32,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        OutboxSettings {
            retry_hours: 48,
            per_15min: 15,
            per_day: 150,
            domain_limits: vec![DomainLimit {
                domain: "qq.com".into(),
                per_hour: 20,
                per_day: 60,
            }],
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReceiptSettings {
    /// Send receipts at all.
    pub enabled: bool,
    /// Per recipient: more receipts than this in an hour (or a day) are held
    /// until the window frees up, and the hold is logged.
    pub max_per_hour: u32,
    pub max_per_day: u32,
    /// When a message's To/Cc names another watched department, wait this
    /// long for that copy so one receipt can name both departments.
    pub co_delivery_wait_secs: u64,
}

impl Default for ReceiptSettings {
    fn default() -> Self {
        ReceiptSettings {
            enabled: true,
            max_per_hour: 5,
            max_per_day: 20,
            co_delivery_wait_secs: 120,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxConfig {
    /// Department id from the campaign file.
    pub department: String,
    pub imap: ImapConfig,
    /// Outgoing mail (receipts, reminders, digests) from this mailbox. 126.com
    /// and 163.com accept mail only from the authenticated mailbox's own
    /// address, so each department sends through its own account.
    #[serde(default)]
    pub smtp: Option<SmtpConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 465 for implicit TLS, 587 for STARTTLS, 25 for plain.
    #[serde(default)]
    pub port: Option<u16>,
    pub tls: TlsMode,
    /// Login name; default the IMAP username. Set `auth = false` for a relay
    /// that takes mail without login (a local Postfix).
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default = "default_true")]
    pub auth: bool,
    /// Password source; default the IMAP one (one authorisation code serves both).
    #[serde(flatten)]
    pub password: PasswordSource,
    /// From address (and envelope sender); default the department's mailbox
    /// from the campaign file.
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

impl SmtpConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Implicit => 465,
            TlsMode::Starttls => 587,
            TlsMode::Plain => 25,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// TLS from the first byte (port 993).
    Implicit,
    /// Plain greeting, then STARTTLS (port 143).
    Starttls,
    /// No TLS at all: refused unless the host is a loopback address.
    Plain,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapConfig {
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    pub tls: TlsMode,
    pub username: String,
    #[serde(flatten)]
    pub password: PasswordSource,
    #[serde(default = "default_folder")]
    pub folder: String,
    #[serde(default = "default_poll")]
    pub poll_interval_secs: u64,
    #[serde(default = "default_true")]
    pub idle: bool,
    /// Extra PEM certificate to trust (a private CA or a self-signed test server).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The ordinary folders to watch, by name (Chinese names as they are,
    /// not modified UTF-7). Default: `[folder]`, so a configuration that
    /// names one `folder` keeps working.
    #[serde(default)]
    pub folders: Option<Vec<String>>,
    /// Also watch every folder the server flags `\Junk` (RFC 6154
    /// SPECIAL-USE; 垃圾邮件 on 126.com/163.com), found by its flag, not its
    /// name. 126/163 file mail from unknown senders with attachments there:
    /// exactly what units send.
    #[serde(default = "default_true")]
    pub junk: bool,
    /// More folders the provider files filtered mail into, by name (广告邮件
    /// on 126/163 carries no flag). Their mail counts as in junk, like the
    /// `\Junk` folder's.
    #[serde(default)]
    pub junk_folders: Vec<String>,
}

/// A folder named in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredFolder {
    /// As people read it; "INBOX" in capitals whatever the spelling (the
    /// one name IMAP treats case-insensitively).
    pub name: String,
    /// Named in `junk_folders`.
    pub junk: bool,
}

/// IMAP's one case-insensitive folder name, spelled the standard way.
pub fn normalise_folder(name: &str) -> String {
    let name = name.trim();
    if name.eq_ignore_ascii_case("INBOX") {
        "INBOX".to_owned()
    } else {
        name.to_owned()
    }
}

fn default_folder() -> String {
    "INBOX".to_owned()
}
/// Without IDLE (126.com/163.com offer none) new mail is found by polling
/// one persistent connection: NOOP, then `UID FETCH last+1:*`. 15 s gives a
/// receipt within about 8 s on average and 16 s at worst (Zammad polls every
/// 30 s, FreeScout every 60 s), at 240 NOOPs an hour on one connection;
/// what providers throttle is reconnecting, which polling never does.
fn default_poll() -> u64 {
    15
}
fn default_true() -> bool {
    true
}

impl ImapConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Implicit => 993,
            TlsMode::Starttls | TlsMode::Plain => 143,
        })
    }

    /// The folders named in the configuration, ordinary ones first, each
    /// once; the `\Junk` folder is found on the server (`junk`).
    pub fn configured_folders(&self) -> Vec<ConfiguredFolder> {
        let ordinary = match &self.folders {
            Some(list) => list.clone(),
            None => vec![self.folder.clone()],
        };
        let mut out: Vec<ConfiguredFolder> = Vec::new();
        let named = ordinary
            .iter()
            .map(|n| (n, false))
            .chain(self.junk_folders.iter().map(|n| (n, true)));
        for (name, junk) in named {
            let name = normalise_folder(name);
            if !out.iter().any(|f| f.name == name) {
                out.push(ConfiguredFolder { name, junk });
            }
        }
        out
    }
}

/// Where a password comes from. Never the config file itself: config files
/// get copied into tickets and backups.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordSource {
    /// Name of an environment variable holding the password (authorisation code).
    #[serde(default)]
    pub password_env: Option<String>,
    /// File holding the password (first line, trailing newline ignored).
    #[serde(default)]
    pub password_file: Option<PathBuf>,
}

impl PasswordSource {
    /// Reads the secret. The error names the source, never the value.
    /// Every secret read is registered for redaction from the log
    /// ([`crate::telemetry::register_secret`]): this is the one way a
    /// password enters the process, at start-up, on reload and before
    /// each login.
    pub fn resolve(&self) -> anyhow::Result<SecretString> {
        let secret = self.read()?;
        crate::telemetry::register_secret(None, secret.expose_secret());
        Ok(secret)
    }

    fn read(&self) -> anyhow::Result<SecretString> {
        use anyhow::Context;
        match (&self.password_env, &self.password_file) {
            (Some(var), None) => {
                let v = std::env::var(var).with_context(|| {
                    format!("environment variable {var} (password_env) is not set")
                })?;
                Ok(SecretString::from(v))
            }
            (None, Some(path)) => {
                let v = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read password_file {}", path.display()))?;
                let line = v.lines().next().unwrap_or_default().to_owned();
                if line.is_empty() {
                    anyhow::bail!("password_file {} is empty", path.display());
                }
                Ok(SecretString::from(line))
            }
            (Some(_), Some(_)) => {
                anyhow::bail!("set either password_env or password_file, not both")
            }
            (None, None) => anyhow::bail!("set password_env or password_file"),
        }
    }
}

/// The folder keys of one `[mailbox.imap]`.
fn validate_folders(imap: &ImapConfig, key: &str, p: &mut Problems) {
    if imap.folders.is_some() && imap.folder != default_folder() {
        p.error(
            format!("{key}.folders"),
            "set either `folders` or the older `folder`, not both",
        );
    }
    if imap.folders.as_ref().is_some_and(Vec::is_empty) {
        p.error(
            format!("{key}.folders"),
            "names no folder; leave it out to watch INBOX",
        );
    }
    let lists = [
        ("folders", imap.folders.as_deref().unwrap_or_default()),
        ("junk_folders", imap.junk_folders.as_slice()),
    ];
    let mut seen: Vec<(String, &str)> = Vec::new();
    for (list, names) in lists {
        for (i, raw) in names.iter().enumerate() {
            let at = format!("{key}.{list}[{i}]");
            let name = normalise_folder(raw);
            if name.is_empty() {
                p.error(at, "is empty");
                continue;
            }
            if name.chars().any(char::is_control) {
                p.error(at, format!("{raw:?} contains control characters"));
                continue;
            }
            if list == "junk_folders" && name == "INBOX" {
                p.error(
                    at,
                    "INBOX cannot be a junk folder: its mail would all be flagged in_junk",
                );
                continue;
            }
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
                p.error(at, format!("{name:?} is already watched ({first})"));
                continue;
            }
            seen.push((name, list));
        }
    }
}

/// `plain` sends the password in clear text; only acceptable when the bytes
/// never leave the machine.
pub fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

impl ServiceFile {
    pub(super) fn validate(
        &self,
        campaign: Option<&super::campaign::CampaignFile>,
        base: &Path,
        check_secrets: bool,
        p: &mut Problems,
    ) {
        if self.fetch.max_message_mb == 0 {
            p.error("fetch.max_message_mb", "must be at least 1");
        }
        if self.fetch.batch_messages == 0 {
            p.error("fetch.batch_messages", "must be at least 1");
        }
        if self.fetch.batch_mb == 0 {
            p.error("fetch.batch_mb", "must be at least 1");
        }
        if self.fetch.piece_mb == 0 || self.fetch.piece_mb > 1024 {
            p.error("fetch.piece_mb", "must be between 1 and 1024");
        }
        if self.outbox.per_15min == 0 || self.outbox.per_day < self.outbox.per_15min {
            p.error(
                "outbox.per_day",
                "per_15min must be at least 1 and per_day at least per_15min",
            );
        }
        for (i, d) in self.outbox.domain_limits.iter().enumerate() {
            if d.per_hour == 0 || d.per_day < d.per_hour || !d.domain.contains('.') {
                p.error(
                    format!("outbox.domain_limits[{i}]"),
                    "needs a domain name, per_hour at least 1 and per_day at least per_hour",
                );
            }
        }
        if self.outbox.retry_hours < 24 {
            p.error(
                "outbox.retry_hours",
                "must be at least 24 (a provider outage can last a day)",
            );
        }
        if self.receipts.max_per_hour == 0 || self.receipts.max_per_day < self.receipts.max_per_hour
        {
            p.error(
                "receipts.max_per_day",
                "max_per_hour must be at least 1 and max_per_day at least max_per_hour",
            );
        }
        if let Err(e) = parse_cron(&self.digest.schedule) {
            p.error("digest.schedule", e);
        }
        for (n, expr) in self.reminders.schedule.iter().flatten().enumerate() {
            if let Err(e) = parse_cron(expr) {
                p.error(format!("reminders.schedule[{n}]"), e);
            }
        }
        if let Some(c) = campaign {
            if c.department(&self.reminders.department).is_none() {
                p.error(
                    "reminders.department",
                    format!("{:?} is not a department id", self.reminders.department),
                );
            }
            for (dept, addrs) in &self.digest.recipients {
                if c.department(dept).is_none() {
                    p.error(format!("digest.recipients.{dept}"), "not a department id");
                }
                for a in addrs {
                    if !super::looks_like_address(a) {
                        p.error(
                            format!("digest.recipients.{dept}"),
                            format!("{a:?} is not an email address"),
                        );
                    }
                }
            }
        }
        if self.intake.worker_timeout_secs == 0 {
            p.error("intake.worker_timeout_secs", "must be at least 1");
        }
        if self.intake.worker_memory_mb.is_some_and(|m| m < 64) {
            p.error(
                "intake.worker_memory_mb",
                "must be at least 64 (the worker itself needs some)",
            );
        }
        if self.fetch.max_attempts == 0 {
            p.error("fetch.max_attempts", "must be at least 1");
        }
        if let Some(url) = &self.database_url
            && !url.starts_with("sqlite:")
        {
            p.error(
                "database_url",
                format!("{url:?} is not an SQLite URL (sqlite://PATH)"),
            );
        }
        if self.mailboxes.is_empty() {
            p.warn(
                "mailbox",
                "no [[mailbox]] is configured: `run` will fetch nothing",
            );
        }
        for (n, mb) in self.mailboxes.iter().enumerate() {
            let key = format!("mailbox[{n}]");
            if let Some(c) = campaign
                && c.department(&mb.department).is_none()
            {
                p.error(
                    format!("{key}.department"),
                    format!(
                        "{:?} is not a department id in the campaign file (known: {})",
                        mb.department,
                        c.departments
                            .iter()
                            .map(|d| d.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
            if let Some(first) = self.mailboxes[..n]
                .iter()
                .position(|o| o.department == mb.department)
            {
                p.error(
                    format!("{key}.department"),
                    format!(
                        "department {:?} already has a mailbox (mailbox[{first}])",
                        mb.department
                    ),
                );
            }
            let imap = &mb.imap;
            if imap.host.trim().is_empty() {
                p.error(format!("{key}.imap.host"), "is empty");
            }
            if imap.tls == TlsMode::Plain && !is_loopback_host(&imap.host) {
                p.error(
                    format!("{key}.imap.tls"),
                    format!(
                        "\"plain\" would send the password unencrypted to {}; use \"implicit\" (port 993) or \"starttls\"; plain is only allowed for loopback test servers",
                        imap.host
                    ),
                );
            }
            if imap.port == Some(0) {
                p.error(format!("{key}.imap.port"), "must be between 1 and 65535");
            }
            if imap.username.trim().is_empty() {
                p.error(format!("{key}.imap.username"), "is empty");
            }
            if imap.folder.trim().is_empty() {
                p.error(format!("{key}.imap.folder"), "is empty");
            }
            validate_folders(imap, &format!("{key}.imap"), p);
            if imap.poll_interval_secs < 5 {
                p.error(
                    format!("{key}.imap.poll_interval_secs"),
                    "must be at least 5 seconds (providers block clients that poll faster)",
                );
            }
            if let Some(ca) = &imap.ca_file {
                let path = base.join(ca);
                if let Err(e) = std::fs::metadata(&path) {
                    p.error(
                        format!("{key}.imap.ca_file"),
                        format!("cannot read {}: {e}", path.display()),
                    );
                }
            }
            if mb.smtp.is_none() && self.receipts.enabled {
                p.warn(
                    format!("{key}.smtp"),
                    format!(
                        "mailbox {} has no [mailbox.smtp]: receipts, reminders and digests from it stay queued",
                        mb.department
                    ),
                );
            }
            if let Some(smtp) = &mb.smtp {
                if smtp.tls == TlsMode::Plain && !is_loopback_host(&smtp.host) {
                    p.error(
                        format!("{key}.smtp.tls"),
                        format!(
                            "\"plain\" would send mail (and the password) unencrypted to {}; use \"implicit\" (port 465) or \"starttls\" (587)",
                            smtp.host
                        ),
                    );
                }
                if smtp.host.trim().is_empty() {
                    p.error(format!("{key}.smtp.host"), "is empty");
                }
                if let Some(from) = &smtp.from
                    && !super::looks_like_address(from)
                {
                    p.error(
                        format!("{key}.smtp.from"),
                        format!("{from:?} is not an email address"),
                    );
                }
                let has_own =
                    smtp.password.password_env.is_some() || smtp.password.password_file.is_some();
                if smtp.auth && has_own && check_secrets {
                    let mut src = smtp.password.clone();
                    if let Some(f) = &src.password_file {
                        src.password_file = Some(base.join(f));
                    }
                    if let Err(e) = src.resolve() {
                        p.error(format!("{key}.smtp.password_env"), format!("{e:#}"));
                    }
                }
            }
            let mut src = imap.password.clone();
            if let Some(f) = &src.password_file {
                src.password_file = Some(base.join(f));
            }
            match (&src.password_env, &src.password_file, check_secrets) {
                (None, None, _) | (Some(_), Some(_), _) => {
                    if let Err(e) = src.resolve() {
                        p.error(format!("{key}.imap.password_env"), format!("{e}"));
                    }
                }
                (_, _, true) => {
                    if let Err(e) = src.resolve() {
                        let which = if src.password_env.is_some() {
                            "password_env"
                        } else {
                            "password_file"
                        };
                        p.error(format!("{key}.imap.{which}"), format!("{e:#}"));
                    }
                }
                _ => {}
            }
        }
        if let Some(c) = campaign {
            for d in &c.departments {
                if !self.mailboxes.iter().any(|m| m.department == d.id) {
                    p.warn(
                        "mailbox",
                        format!(
                            "department {:?} ({}) has no [[mailbox]]: its mail will not be fetched",
                            d.id, d.name
                        ),
                    );
                }
            }
        }
    }
}
