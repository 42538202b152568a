//! Configuration: `mailroom.toml` (service), the campaign file and the units
//! file. Loading validates everything and reports every problem at once, each
//! with the file and key, so a clerk can fix a config in one round.

pub mod campaign;
pub mod schedule;
pub mod service;
pub mod units;
pub mod units_edit;

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono_tz::Tz;

pub use campaign::{CampaignFile, Department, Item, Project};
pub use service::{
    DigestSettings, FetchSettings, ImapConfig, MailboxConfig, OutboxSettings, ReceiptSettings,
    ReminderSettings, ServiceFile, SmtpConfig, TlsMode,
};
pub use units::{Unit, UnitKind, UnitsFile};

/// A loaded, validated configuration. Paths are absolute.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub service: ServiceFile,
    pub campaign: CampaignFile,
    pub units: UnitsFile,
    pub tz: Tz,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// Non-fatal findings (e.g. a department without a mailbox), for logs.
    pub warnings: Vec<Problem>,
    /// The service's own addresses, derived once at load (see [`Config::own_addresses`]).
    own: Vec<String>,
    /// authserv-ids believed, derived once at load (see [`Config::trusted_authserv_ids`]).
    trusted_authserv: Vec<String>,
}

/// One finding, located by file and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub key: String,
    pub message: String,
    pub fatal: bool,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = if self.fatal { "error" } else { "warning" };
        if self.key.is_empty() {
            write!(f, "{level}: {}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{level}: {}: {}: {}",
                self.file.display(),
                self.key,
                self.message
            )
        }
    }
}

/// The configuration is unusable; the caller exits with code 2.
#[derive(Debug, thiserror::Error)]
#[error("{}", render(.problems))]
pub struct ConfigError {
    pub problems: Vec<Problem>,
}

fn render(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Collects problems for one file.
pub(crate) struct Problems {
    file: PathBuf,
    out: Vec<Problem>,
}

impl Problems {
    fn new(file: &Path) -> Self {
        Problems {
            file: file.to_owned(),
            out: Vec::new(),
        }
    }

    pub(crate) fn error(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.push(key.into(), message.into(), true);
    }

    pub(crate) fn warn(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.push(key.into(), message.into(), false);
    }

    fn push(&mut self, key: String, message: String, fatal: bool) {
        self.out.push(Problem {
            file: self.file.clone(),
            key,
            message,
            fatal,
        });
    }
}

/// How far to check: `run` needs the passwords, `export` does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrets {
    Check,
    Skip,
}

impl Config {
    /// Loads and validates the service file and the files it names.
    pub fn load(path: &Path, secrets: Secrets) -> Result<Config, ConfigError> {
        let mut all = Vec::new();
        let path = absolute(path);
        let base = path.parent().map(Path::to_owned).unwrap_or_default();

        let service: Option<ServiceFile> = read_toml(&path, &mut all);
        // Even when the service file has an error, check the files it names
        // (read loosely), so every problem is reported in one round.
        let (campaign_rel, units_rel) = match &service {
            Some(s) => (Some(s.campaign.clone()), Some(s.units.clone())),
            None => loose_paths(&path),
        };
        let campaign_path = campaign_rel.map(|p| base.join(p));
        let units_path = units_rel.map(|p| base.join(p));
        let (Some(service), Some(campaign_path), Some(units_path)) =
            (service, campaign_path.clone(), units_path.clone())
        else {
            if let Some(c) = campaign_path
                && let Some(cf) = read_toml::<CampaignFile>(&c, &mut all)
            {
                let mut p = Problems::new(&c);
                cf.validate(&mut p);
                all.extend(p.out);
            }
            if let Some(u) = units_path
                && let Some(uf) = read_toml::<UnitsFile>(&u, &mut all)
            {
                let mut p = Problems::new(&u);
                uf.validate(&mut p);
                all.extend(p.out);
            }
            return Err(ConfigError { problems: all });
        };
        let campaign: Option<CampaignFile> = read_toml(&campaign_path, &mut all);
        let units: Option<UnitsFile> = read_toml(&units_path, &mut all);

        if let Some(c) = &campaign {
            let mut p = Problems::new(&campaign_path);
            c.validate(&mut p);
            all.extend(p.out);
        }
        if let Some(u) = &units {
            let mut p = Problems::new(&units_path);
            u.validate(&mut p);
            all.extend(p.out);
        }
        let mut p = Problems::new(&path);
        service.validate(campaign.as_ref(), &base, secrets == Secrets::Check, &mut p);
        all.extend(p.out);

        let (Some(campaign), Some(units)) = (campaign, units) else {
            return Err(ConfigError { problems: all });
        };
        if all.iter().any(|p| p.fatal) {
            return Err(ConfigError { problems: all });
        }
        let tz = campaign
            .campaign
            .timezone
            .parse::<Tz>()
            .map_err(|_| ConfigError {
                problems: all.clone(),
            })?;
        let data_dir = base.join(&service.data_dir);
        let database_url = match &service.database_url {
            Some(url) => resolve_sqlite_url(url, &base),
            None => format!("sqlite://{}", data_dir.join("mailroom.db").display()),
        };
        let mut service = service;
        service.materials.dir = Some(match &service.materials.dir {
            Some(d) => base.join(d),
            None => data_dir.join("materials"),
        });
        for mb in &mut service.mailboxes {
            if let Some(f) = &mb.imap.password.password_file {
                mb.imap.password.password_file = Some(base.join(f));
            }
            if let Some(f) = &mb.imap.ca_file {
                mb.imap.ca_file = Some(base.join(f));
            }
            if let Some(smtp) = &mut mb.smtp {
                if let Some(f) = &smtp.password.password_file {
                    smtp.password.password_file = Some(base.join(f));
                }
                if let Some(f) = &smtp.ca_file {
                    smtp.ca_file = Some(base.join(f));
                }
            }
        }
        let own = Config::derive_own_addresses(&campaign, &service);
        let trusted_authserv = derive_trusted_authserv(&service);
        Ok(Config {
            path,
            service,
            campaign,
            units,
            tz,
            data_dir,
            database_url,
            warnings: all,
            own,
            trusted_authserv,
        })
    }

    /// Where the materials tree lives (resolved at load; see `[materials]`).
    pub fn materials_dir(&self) -> PathBuf {
        self.service
            .materials
            .dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("materials"))
    }

    pub fn department(&self, id: &str) -> Option<&Department> {
        self.campaign.department(id)
    }

    /// The address a department's outgoing mail comes from.
    pub fn sender_address(&self, department: &str) -> Option<String> {
        self.mailbox(department)
            .and_then(|m| m.smtp.as_ref())
            .and_then(|s| s.from.clone())
            .or_else(|| self.department(department).map(|d| d.mailbox.clone()))
    }

    /// Reminder times: configured, or derived from the deadline.
    pub fn reminder_schedule(&self) -> Vec<String> {
        self.service
            .reminders
            .schedule
            .clone()
            .unwrap_or_else(|| service::default_reminders(self.campaign.campaign.deadline, self.tz))
    }

    /// Who gets a department's digest.
    pub fn digest_recipients(&self, department: &str) -> Vec<String> {
        match self.service.digest.recipients.get(department) {
            Some(list) if !list.is_empty() => list.clone(),
            _ => self.sender_address(department).into_iter().collect(),
        }
    }

    /// Every address that is the service's own: the departments' public
    /// mailboxes, login names and configured From addresses, lower-case.
    /// Never answered, never counted.
    /// RLIMIT_AS of an inspection worker (`[intake] worker_memory_mb`).
    pub fn worker_memory_bytes(&self) -> u64 {
        let mb = self
            .service
            .intake
            .worker_memory_mb
            .unwrap_or(4 * self.service.fetch.max_message_mb + 256);
        mb << 20
    }

    /// authserv-ids whose Authentication-Results are believed.
    pub fn trusted_authserv_ids(&self) -> &[String] {
        &self.trusted_authserv
    }

    pub fn own_addresses(&self) -> &[String] {
        &self.own
    }

    fn derive_own_addresses(campaign: &CampaignFile, service: &ServiceFile) -> Vec<String> {
        let mut out: Vec<String> = campaign
            .departments
            .iter()
            .map(|d| d.mailbox.to_ascii_lowercase())
            .collect();
        for m in &service.mailboxes {
            out.push(m.imap.username.to_ascii_lowercase());
            if let Some(from) = m.smtp.as_ref().and_then(|s| s.from.as_ref()) {
                out.push(from.to_ascii_lowercase());
            }
        }
        out.retain(|a| a.contains('@'));
        out.sort();
        out.dedup();
        out
    }

    pub fn mailbox(&self, department: &str) -> Option<&MailboxConfig> {
        self.service
            .mailboxes
            .iter()
            .find(|m| m.department == department)
    }
}

/// `sqlite://relative.db` is relative to the config file, like every other path.
fn resolve_sqlite_url(url: &str, base: &Path) -> String {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (file, query) = match rest.split_once('?') {
        Some((f, q)) => (f, Some(q)),
        None => (rest, None),
    };
    if file.is_empty() || file == ":memory:" || Path::new(file).is_absolute() {
        return url.to_owned();
    }
    let mut out = format!("sqlite://{}", base.join(file).display());
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_owned())
    }
}

/// Reads and deserialises one TOML file, turning failures into located problems.
fn read_toml<T: serde::de::DeserializeOwned>(path: &Path, out: &mut Vec<Problem>) -> Option<T> {
    let text = match std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {}", path.display()))
    {
        Ok(t) => t,
        Err(e) => {
            out.push(Problem {
                file: path.to_owned(),
                key: String::new(),
                message: format!("{e:#}"),
                fatal: true,
            });
            return None;
        }
    };
    match toml::from_str::<T>(&text) {
        Ok(v) => Some(v),
        Err(e) => {
            let (line, col) = e.span().map(|s| line_col(&text, s.start)).unwrap_or((0, 0));
            let key = if line > 0 {
                format!("line {line}, column {col}")
            } else {
                String::new()
            };
            out.push(Problem {
                file: path.to_owned(),
                key,
                message: e.message().trim().to_owned(),
                fatal: true,
            });
            None
        }
    }
}

/// The `campaign` and `units` paths of a service file that does not parse.
fn loose_paths(path: &Path) -> (Option<PathBuf>, Option<PathBuf>) {
    let table = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok());
    let get = |k: &str| {
        table
            .as_ref()
            .and_then(|t| t.get(k))
            .and_then(|v| v.as_str())
            .map(PathBuf::from)
    };
    (get("campaign"), get("units"))
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Cheap sanity check: one `@`, something on both sides, no spaces.
pub(crate) fn looks_like_address(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests;

/// authserv-ids whose Authentication-Results are believed: configured, or
/// the domains of the IMAP servers (the provider that delivered the mail is
/// the one that checked it: imap.126.com → 126.com).
fn derive_trusted_authserv(service: &ServiceFile) -> Vec<String> {
    if let Some(ids) = &service.intake.trusted_authserv_ids {
        return ids.iter().map(|s| s.to_ascii_lowercase()).collect();
    }
    let mut ids: Vec<String> = service
        .mailboxes
        .iter()
        .filter_map(|m| {
            let host = m.imap.host.to_ascii_lowercase();
            if host.parse::<std::net::IpAddr>().is_ok() {
                return None;
            }
            let labels: Vec<&str> = host.split('.').collect();
            (labels.len() >= 2).then(|| labels[labels.len() - 2..].join("."))
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}
