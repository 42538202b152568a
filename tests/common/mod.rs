//! Test harness: every test gets its own data directory, database and
//! mailboxes (Dovecot users named after the test), on the real Dovecot and
//! Postfix started by `deploy/local/mailenv.sh`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use tokio::net::TcpStream;

pub const DEPARTMENTS: [&str; 5] = ["office", "org", "publicity", "school", "liangxin"];

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn mailenv_script() -> PathBuf {
    repo().join("deploy/local/mailenv.sh")
}

/// Connection facts of a running mail environment.
#[derive(Debug, Clone)]
pub struct MailEnv {
    pub vars: HashMap<String, String>,
    pub dir: PathBuf,
    pub host: String,
    pub imap_port: u16,
    pub imaps_port: u16,
    pub smtp_port: u16,
    pub password: String,
    pub ca_file: PathBuf,
    /// The Coremail (126/163) IMAP emulator in front of this Dovecot.
    pub coremail_imap_port: u16,
    pub coremail_log: PathBuf,
}

impl MailEnv {
    /// The shared instance (started by `.ci/run` / `deploy/local/test.sh`;
    /// started here if it is not running, which `up` makes idempotent).
    pub fn shared() -> MailEnv {
        Self::with_env(&[])
    }

    /// A private instance in `dir` with its own ports (for tests that restart
    /// or stop a server and must not disturb the others). Stop it with
    /// [`PrivateEnv`]'s drop, before `dir` goes away.
    pub fn private(dir: &Path, port_base: u16, dovecot_only: bool) -> MailEnv {
        let base = port_base.to_string();
        let d = dir.to_string_lossy().to_string();
        let env = [
            ("MAILENV_DIR", d.as_str()),
            ("MAILENV_PORT_BASE", base.as_str()),
        ];
        let mut args = vec!["up"];
        if dovecot_only {
            args.push("--dovecot-only");
        }
        run_script(&args, &env);
        Self::with_env(&env)
    }

    fn with_env(env: &[(&str, &str)]) -> MailEnv {
        if env.is_empty() {
            run_script(&["up"], env);
        }
        let out = run_script(&["env"], env);
        let mut vars = HashMap::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if let Some((k, v)) = line.trim_start_matches("export ").split_once('=') {
                vars.insert(k.to_owned(), v.trim_matches(['\'', '"']).to_owned());
            }
        }
        let get = |k: &str| {
            vars.get(k)
                .cloned()
                .unwrap_or_else(|| panic!("mailenv.sh env did not print {k}"))
        };
        MailEnv {
            dir: PathBuf::from(get("MAILENV_DIR")),
            host: get("MAILENV_HOST"),
            imap_port: get("MAILENV_IMAP_PORT").parse().expect("port"),
            imaps_port: get("MAILENV_IMAPS_PORT").parse().expect("port"),
            smtp_port: get("MAILENV_SMTP_PORT").parse().expect("port"),
            password: get("MAILENV_PASSWORD"),
            ca_file: PathBuf::from(get("MAILENV_CA_FILE")),
            coremail_imap_port: get("MAILENV_COREMAIL_IMAP_PORT").parse().expect("port"),
            coremail_log: PathBuf::from(get("MAILENV_COREMAIL_LOG")),
            vars,
        }
    }

    /// Runs a mailenv.sh subcommand against this instance.
    pub fn script(&self, args: &[&str]) -> Output {
        let d = self.dir.to_string_lossy().to_string();
        run_script(args, &[("MAILENV_DIR", d.as_str())])
    }

    pub async fn imap(&self, user: &str) -> ImapSession {
        let tcp = TcpStream::connect((self.host.as_str(), self.imap_port))
            .await
            .expect("connect to Dovecot");
        let client = async_imap::Client::new(Box::new(tcp) as Box<dyn Stream>);
        client
            .login(user, &self.password)
            .await
            .map_err(|(e, _)| e)
            .expect("login")
    }

    /// APPENDs a message with an arrival time (IMAP INTERNALDATE).
    pub async fn append(&self, user: &str, folder: &str, raw: &[u8], arrival: &str) {
        let mut s = self.imap(user).await;
        append_with(&mut s, folder, raw, arrival).await;
        s.logout().await.ok();
    }
}

/// A private mail environment in its own temporary directory, stopped (and
/// its ports freed) when the test ends, pass or fail.
pub struct PrivateEnv {
    pub env: MailEnv,
    _dir: tempfile::TempDir,
}

impl PrivateEnv {
    /// `slot` (1..=11) is the caller's own: each test that needs a private
    /// environment names a different one, so parallel tests never meet on a
    /// port. Bases 21000..=31000 keep every port (BASE+24..BASE+993) below
    /// the kernel's ephemeral range (32768–60999), where an outgoing
    /// connection could hold the port by chance.
    pub fn start(slot: u16, dovecot_only: bool) -> PrivateEnv {
        assert!(
            (1..=11).contains(&slot),
            "private slot {slot} out of 1..=11"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let base = 20000 + slot * 1000;
        let env = MailEnv::private(dir.path(), base, dovecot_only);
        PrivateEnv { env, _dir: dir }
    }
}

impl Drop for PrivateEnv {
    fn drop(&mut self) {
        let d = self.env.dir.to_string_lossy().to_string();
        let _ = Command::new("bash")
            .arg(mailenv_script())
            .arg("down")
            .env("MAILENV_DIR", d)
            .output();
    }
}

impl MailEnv {
    /// Every message in a user's INBOX (empty if the mailbox does not exist yet).
    pub async fn fetch_all(&self, user: &str) -> Vec<Vec<u8>> {
        let mut s = self.imap(user).await;
        let mut out = Vec::new();
        if s.select("INBOX").await.is_ok() {
            let stream = s
                .uid_fetch("1:*", "(UID BODY.PEEK[])")
                .await
                .expect("fetch");
            let items: Vec<_> = stream.try_collect().await.unwrap_or_default();
            out = items
                .iter()
                .filter_map(|f| f.body().map(<[u8]>::to_vec))
                .collect();
        }
        s.logout().await.ok();
        out
    }

    /// Waits until `user`'s INBOX holds at least `n` messages matching `pred`.
    pub async fn wait_for(
        &self,
        user: &str,
        n: usize,
        timeout: Duration,
        pred: impl Fn(&mail_parser::Message<'_>) -> bool,
    ) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            let all = self.fetch_all(user).await;
            let hits: Vec<Vec<u8>> = all
                .into_iter()
                .filter(|raw| {
                    mail_parser::MessageParser::default()
                        .parse(raw)
                        .is_some_and(|m| pred(&m))
                })
                .collect();
            if hits.len() >= n || Instant::now() >= deadline {
                return hits;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// Whether a parsed message comes from this address.
pub fn is_from(m: &mail_parser::Message<'_>, address: &str) -> bool {
    m.from()
        .and_then(|f| f.first())
        .and_then(|a| a.address())
        .is_some_and(|a| a.eq_ignore_ascii_case(address))
}

pub fn header_text(m: &mail_parser::Message<'_>, name: &str) -> String {
    m.header_raw(name).unwrap_or("").trim().to_owned()
}

/// A submission as a unit might send it (unit in the subject, a PDF for item 3.2).
pub fn submission_from(from: &str, to: &str, n: usize) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: =?UTF-8?B?{}?=\r\nMessage-ID: <sub-{n}-{}@example.test>\r\nDate: Mon, 22 Jan 2018 10:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee attachment\r\n--b\r\nContent-Type: application/pdf; name=\"zhtj-{n}.pdf\"\r\nContent-Disposition: attachment; filename=\"zhtj-{n}.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCiUlRU9GCg==\r\n--b--\r\n",
        base64_utf8(&format!("石碣镇团委智慧团建工作材料（第{n}份）")),
        fastrand::u64(..)
    )
    .into_bytes()
}

fn base64_utf8(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}

pub trait Stream:
    tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + std::fmt::Debug
{
}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + std::fmt::Debug> Stream
    for T
{
}
pub type ImapSession = async_imap::Session<Box<dyn Stream>>;

/// `arrival` is RFC 3339; IMAP wants `"29-Jan-2018 09:12:08 +0800"`.
pub async fn append_with(s: &mut ImapSession, folder: &str, raw: &[u8], arrival: &str) {
    let t = chrono::DateTime::parse_from_rfc3339(arrival).expect("rfc3339 arrival");
    let date = format!("\"{}\"", t.format("%d-%b-%Y %H:%M:%S %z"));
    s.append(folder, None, Some(&date), raw)
        .await
        .expect("APPEND");
}

pub async fn flags_of(s: &mut ImapSession, folder: &str) -> Vec<(u32, Vec<String>)> {
    s.select(folder).await.expect("select");
    let stream = s
        .uid_fetch("1:*", "(UID FLAGS)")
        .await
        .expect("fetch flags");
    let items: Vec<_> = stream.try_collect().await.expect("fetch flags");
    items
        .iter()
        .filter_map(|f| Some((f.uid?, f.flags().map(|fl| format!("{fl:?}")).collect())))
        .collect()
}

fn run_script(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(mailenv_script()).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run mailenv.sh");
    assert!(
        out.status.success(),
        "mailenv.sh {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Unique per test run, so parallel tests never share a mailbox.
pub fn unique_tag(name: &str) -> String {
    format!("{name}-{}-{}", std::process::id(), fastrand::u32(..))
}

/// One test's mailroom: config, data directory, database, mailboxes.
pub struct TestApp {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub env: MailEnv,
    pub tag: String,
    /// department id → IMAP user
    pub users: HashMap<String, String>,
}

pub struct AppOptions {
    pub folder: String,
    pub extra_service: String,
    /// department id → (host, port) override (e.g. an unreachable port)
    pub endpoints: HashMap<String, (String, u16)>,
    /// department id → password env var override
    pub password_env: HashMap<String, String>,
    pub poll_interval_secs: u64,
    pub idle: bool,
    /// "implicit" or "starttls" (host localhost, the instance's CA); default plain.
    pub tls: Option<String>,
    /// SMTP port override (default: the environment's Postfix).
    pub smtp_port: Option<u16>,
    /// Digests and reminders on their cron schedules. Off unless a test is
    /// about them: tests move the clock (`--now`) from the real time, and
    /// a daily 08:30 digest would fall inside that window at some hour of
    /// the day and join whatever the test counts.
    pub schedules: bool,
    /// The outbox's per-account budgets, per-domain limits and the spreading
    /// of reminders as configured by default. Off unless a test is about
    /// them: a test that sends forty receipts in one `run --once` would
    /// otherwise wait for the next quarter hour.
    pub paced: bool,
}

/// Which IMAP server the tests' mailroom talks to: the plain Dovecot, or
/// (`MAILROOM_TEST_IMAP=coremail`) the Coremail emulator in front of it,
/// which behaves as 126.com/163.com do: no IDLE, no UIDNEXT, ID required.
/// Tests still APPEND and read through Dovecot directly.
pub fn via_coremail() -> bool {
    std::env::var("MAILROOM_TEST_IMAP").is_ok_and(|v| v == "coremail")
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions {
            folder: "INBOX".into(),
            extra_service: String::new(),
            endpoints: HashMap::new(),
            password_env: HashMap::new(),
            poll_interval_secs: 5,
            idle: true,
            tls: None,
            smtp_port: None,
            schedules: false,
            paced: false,
        }
    }
}

impl TestApp {
    pub fn new(name: &str) -> TestApp {
        Self::with(name, MailEnv::shared(), AppOptions::default())
    }

    /// An app whose digests and reminders run on their schedules.
    pub fn with_schedules(name: &str) -> TestApp {
        let opts = AppOptions {
            schedules: true,
            ..AppOptions::default()
        };
        Self::with(name, MailEnv::shared(), opts)
    }

    pub fn with(name: &str, env: MailEnv, opts: AppOptions) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let tag = unique_tag(name);
        for f in ["campaign-2017.toml", "units.toml"] {
            std::fs::copy(repo().join("config").join(f), dir.path().join(f)).expect("copy config");
        }
        let mut users = HashMap::new();
        let mut toml = format!(
            "campaign = \"campaign-2017.toml\"\nunits = \"units.toml\"\ndata_dir = \"data\"\n{}\n",
            opts.extra_service
        );
        if !opts.schedules {
            toml.push_str("[digest]\nenabled = false\n[reminders]\nenabled = false\n");
        } else if !opts.paced {
            toml.push_str("[reminders]\nspread_minutes = 0\n");
        }
        if !opts.paced {
            toml.push_str("[outbox]\nper_15min = 100000\nper_day = 100000\ndomain_limits = []\n");
        }
        for dept in DEPARTMENTS {
            // A full address: Postfix delivers mail for it (bounces of the
            // receipts this test sends) into this very IMAP mailbox.
            let user = format!("{tag}-{dept}@mailroom.test");
            let default_port = if via_coremail() {
                env.coremail_imap_port
            } else {
                env.imap_port
            };
            let (mut host, mut port) = opts
                .endpoints
                .get(dept)
                .cloned()
                .unwrap_or((env.host.clone(), default_port));
            let mut tls = "plain".to_owned();
            let mut ca = String::new();
            if let Some(mode) = &opts.tls {
                host = "localhost".into();
                port = if mode == "implicit" {
                    env.imaps_port
                } else {
                    env.imap_port
                };
                tls = mode.clone();
                ca = format!("ca_file = \"{}\"\n", env.ca_file.display());
            }
            let pw = opts
                .password_env
                .get(dept)
                .cloned()
                .unwrap_or_else(|| "MAILENV_PASSWORD".into());
            toml.push_str(&format!(
                "\n[[mailbox]]\ndepartment = \"{dept}\"\n[mailbox.imap]\nhost = \"{host}\"\nport = {port}\ntls = \"{tls}\"\n{ca}username = \"{user}\"\npassword_env = \"{pw}\"\nfolder = \"{}\"\npoll_interval_secs = {}\nidle = {}\n",
                opts.folder, opts.poll_interval_secs, opts.idle
            ));
            toml.push_str(&format!(
                "[mailbox.smtp]\nhost = \"{}\"\nport = {}\ntls = \"plain\"\nauth = false\nfrom = \"{user}\"\n",
                env.host, opts.smtp_port.unwrap_or(env.smtp_port)
            ));
            users.insert(dept.to_owned(), user);
        }
        let config = dir.path().join("mailroom.toml");
        std::fs::write(&config, toml).expect("write config");
        TestApp {
            dir,
            config,
            env,
            tag,
            users,
        }
    }

    pub fn user(&self, dept: &str) -> &str {
        &self.users[dept]
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailroom"));
        cmd.arg("--config")
            .arg(&self.config)
            .args(args)
            .env("MAILENV_PASSWORD", &self.env.password)
            .env("RUST_LOG", "info");
        cmd
    }

    /// Runs the binary to completion.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_env(args, &[])
    }

    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run mailroom")
    }

    /// Runs a command that must succeed; its standard output.
    pub fn stdout_of(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Imports one message into 组织部 as arrived at `at` (written to
    /// `name` in the test's directory); `receipts: false` adds
    /// `--no-receipts`.
    pub fn ingest_one(&self, name: &str, raw: &[u8], at: &str, receipts: bool) {
        let path = self.dir.path().join(name);
        std::fs::write(&path, raw).expect("write eml");
        let p = path.to_str().expect("utf-8 path").to_owned();
        let mut args = vec!["ingest", "--department", "org", "--received-at", at];
        if !receipts {
            args.push("--no-receipts");
        }
        args.push(&p);
        let out = self.run(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `run --once`, asserting success.
    pub fn run_once(&self) -> Output {
        let out = self.run(&["run", "--once"]);
        assert!(
            out.status.success(),
            "run --once failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Starts the daemon; its stderr goes to a file in the test directory.
    pub fn spawn_daemon(&self, extra_env: &[(&str, &str)]) -> Daemon {
        let log = self
            .dir
            .path()
            .join(format!("daemon-{}.log", fastrand::u32(..)));
        let file = std::fs::File::create(&log).expect("log file");
        let mut cmd = self.command(&["run"]);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("spawn daemon");
        Daemon { child, log }
    }

    /// `mailroom export --format json`.
    pub fn export(&self) -> serde_json::Value {
        let out = self.run(&["export", "--format", "json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("export json")
    }

    /// `mailroom outbox --json`.
    pub fn outbox(&self) -> Vec<serde_json::Value> {
        let out = self.run(&["outbox", "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .expect("outbox json")
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Appends every corpus delivery to this app's mailboxes, as recorded.
    pub async fn load_corpus(&self) {
        for (path, e) in corpus() {
            let raw = std::fs::read(&path).expect("read sample");
            let dept = e["department"].as_str().expect("department");
            self.append(dept, &raw, e["internaldate"].as_str().expect("date"))
                .await;
        }
    }

    /// What the ledger holds (`mailroom messages --json`).
    pub fn messages(&self) -> Vec<serde_json::Value> {
        let out = self.run(&["messages", "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        v["messages"].as_array().cloned().unwrap_or_default()
    }

    pub fn raw_file(&self, row: &serde_json::Value) -> Vec<u8> {
        let rel = row["raw_path"].as_str().expect("raw_path");
        std::fs::read(self.data_dir().join(rel)).expect("raw file")
    }

    pub async fn append(&self, dept: &str, raw: &[u8], arrival: &str) {
        self.env
            .append(self.user(dept), "INBOX", raw, arrival)
            .await;
    }
}

pub struct Daemon {
    pub child: Child,
    pub log: PathBuf,
}

impl Daemon {
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn kill9(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }

    /// SIGTERM and wait for a clean exit.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().ok();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "daemon did not stop after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Polls `f` until it returns true or `timeout` passes.
pub async fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    f()
}

/// The public sample set shipped in tests/data/corpus.
pub fn corpus() -> Vec<(PathBuf, serde_json::Value)> {
    let dir = repo().join("tests/data/corpus");
    let expected: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).expect("expected.json"))
            .expect("json");
    expected
        .into_iter()
        .map(|e| (dir.join(e["file"].as_str().expect("file")), e))
        .collect()
}

/// A synthetic message of roughly `size` bytes with a unique Message-ID.
pub fn synthetic(n: usize, size: usize) -> Vec<u8> {
    let mut m = format!(
        "From: Unit {n} <unit{n}@example.test>\r\nTo: org@example.test\r\nSubject: =?UTF-8?B?5pm65oWn5Zui5bu6?= {n}\r\nMessage-ID: <synthetic-{n}-{}@example.test>\r\nDate: Mon, 22 Jan 2018 10:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
        fastrand::u64(..)
    )
    .into_bytes();
    let line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\r\n";
    while m.len() < size {
        m.extend_from_slice(line);
    }
    m
}

/// Coremail's folder names as the server spells them (modified UTF-7); the
/// environment's Dovecot has them for every user, with SPECIAL-USE flags.
pub const JUNK_FOLDER: &str = "&V4NXPpCuTvY-"; // 垃圾邮件, \Junk
pub const ADS_FOLDER: &str = "&Xn9USpCuTvY-"; // 广告邮件, no flag

impl TestApp {
    /// APPENDs into one folder of a department's mailbox (the name as the
    /// server spells it).
    pub async fn append_to(&self, dept: &str, folder: &str, raw: &[u8], arrival: &str) {
        self.env.append(self.user(dept), folder, raw, arrival).await;
    }

    /// Adds keys to every `[mailbox.imap]` section of the configuration.
    pub fn add_imap_keys(&self, lines: &str) {
        let text = std::fs::read_to_string(&self.config).expect("read config");
        let edited = text.replace("\n[mailbox.smtp]\n", &format!("\n{lines}[mailbox.smtp]\n"));
        assert_ne!(text, edited, "the config has [mailbox.smtp] sections");
        std::fs::write(&self.config, edited).expect("write config");
    }
}

impl MailEnv {
    /// Gives a folder (named as people read it: "垃圾邮件") this UIDVALIDITY,
    /// with `doveadm`. Dovecot hands every folder its own; Coremail need
    /// not, and a client must not count on UIDVALIDITY telling folders apart.
    pub fn set_uidvalidity(&self, user: &str, folder: &str, uidvalidity: u32) {
        let conf = self
            .vars
            .get("MAILENV_DOVECOT_CONF")
            .expect("mailenv.sh env prints MAILENV_DOVECOT_CONF");
        let out = Command::new("doveadm")
            .args([
                "-c",
                conf,
                "mailbox",
                "update",
                "-u",
                user,
                "--uid-validity",
            ])
            .arg(uidvalidity.to_string())
            .arg(folder)
            .output()
            .expect("run doveadm");
        assert!(
            out.status.success(),
            "doveadm mailbox update {folder}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The flags of an exported delivery (`export --format json`).
pub fn flags(delivery: &serde_json::Value) -> Vec<String> {
    delivery["flags"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// An app whose departments send through the NetEase SMTP emulator (plain
/// port, AUTH with the test password: From equals the login, as NetEase
/// demands), and the emulator's directory of account control files.
pub fn via_netease(name: &str, opts: AppOptions) -> (TestApp, PathBuf) {
    let env = MailEnv::shared();
    let port: u16 = env.vars["MAILENV_NETEASE_SMTP_PORT"].parse().expect("port");
    let dir = PathBuf::from(&env.vars["MAILENV_NETEASE_DIR"]);
    let opts = AppOptions {
        smtp_port: Some(port),
        ..opts
    };
    let app = TestApp::with(name, env, opts);
    let config = std::fs::read_to_string(&app.config).expect("config");
    std::fs::write(&app.config, config.replace("auth = false", "auth = true")).expect("config");
    (app, dir.join("accounts"))
}

/// Writes the emulator's control file for one login (atomically).
pub fn account(dir: &Path, login: &str, body: &serde_json::Value) {
    std::fs::create_dir_all(dir).expect("accounts dir");
    let path = dir.join(format!("{}.json", login.to_ascii_lowercase()));
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, body.to_string()).expect("write");
    std::fs::rename(&tmp, &path).expect("rename");
}

/// The emulator's log lines about one login.
pub fn netease_events(login: &str) -> Vec<serde_json::Value> {
    let env = MailEnv::shared();
    std::fs::read_to_string(&env.vars["MAILENV_NETEASE_LOG"])
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| {
            e["login"]
                .as_str()
                .is_some_and(|l| l.eq_ignore_ascii_case(login))
        })
        .collect()
}

/// Base64, standard alphabet, as MIME bodies use it.
pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An RFC 2047 encoded word (UTF-8, base64), as mail clients write
/// Chinese subjects and file names.
pub fn b64_word(s: &str) -> String {
    format!("=?UTF-8?B?{}?=", b64(s.as_bytes()))
}

/// A submission to 组织部: a text part (`body`) and attachments (name,
/// content type, bytes), names and subject as encoded words, as a unit's
/// mail client writes them.
pub fn submission(
    id: &str,
    from: &str,
    subject: &str,
    body: &str,
    files: &[(&str, &str, &[u8])],
) -> Vec<u8> {
    let mut m = format!(
        "From: {from}\r\nTo: tswzzb3@126.com\r\nSubject: {}\r\nMessage-ID: <{id}>\r\nDate: Mon, 22 Jan 2018 10:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        b64_word(subject),
        b64(body.as_bytes())
    );
    for (name, ct, bytes) in files {
        let w = b64_word(name);
        m.push_str(&format!(
            "--b\r\nContent-Type: {ct}; name=\"{w}\"\r\nContent-Disposition: attachment; filename=\"{w}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            b64(bytes)
        ));
    }
    m.push_str("--b--\r\n");
    m.into_bytes()
}
