//! Looking inside a message happens in a separate process, so no message can
//! take mailroom down.
//!
//! Attachments are parsed by large libraries (mail-parser, calamine, zip,
//! quick-xml) fed bytes chosen by anyone on the internet. `catch_unwind`
//! stops their panics, but not an allocation failure (Rust aborts), a stack
//! overflow or the kernel's OOM killer. So `inspect` runs in worker
//! processes: `mailroom inspect-worker`, the same binary, re-executed with an
//! address-space limit, no core dumps, and a CPU limit per message. The
//! parent gives a worker the raw file's path and gets the [`Inspection`]
//! back over a pipe; a worker that dies or outlasts [`Pool::timeout`] is
//! killed and replaced, and the caller learns which message did it.
//!
//! Wire format, both directions: frames of an 8-byte little-endian length
//! and that many bytes. Request: one JSON frame ([`Request`]). Response: one
//! JSON frame, the inspection without the files' bytes: nothing downstream
//! keeps a second copy of a file (the raw message is the copy), so they
//! never cross the pipe.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::Mutex;

use crate::inspect::{self, Inspection, Limits};

/// Pipe and buffer size for answers: four times the default pipe, so a
/// typical answer (tens of KB) is one wake-up, without holding megabytes of
/// buffer in two processes.
const PIPE_BYTES: usize = 256 << 10;

/// The JSON part of a response is headers, body text (capped by
/// `Limits::max_body_chars`), names and problems: never near this.
const MAX_JSON_FRAME: u64 = 64 << 20;

#[derive(Debug, Serialize, Deserialize)]
struct Request {
    raw_path: PathBuf,
    limits: Limits,
    /// Only the headers (the second look at a message whose full inspection
    /// failed): no part decoded, no file opened.
    headers_only: bool,
    /// CPU seconds this message may use (enforced with RLIMIT_CPU).
    cpu_secs: u64,
}

/// Why a worker gave no inspection. The message is to blame for `Died` and
/// `TimedOut`; `Io` is mailroom's own trouble (cannot spawn, broken pipe
/// before the request was sent).
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("the inspection worker died ({0})")]
    Died(String),
    #[error("the inspection worker took longer than {0} s")]
    TimedOut(u64),
    #[error("cannot run the inspection worker: {0:#}")]
    Io(anyhow::Error),
}

impl Failure {
    /// The message caused it (and counts towards quarantine).
    pub fn blames_message(&self) -> bool {
        !matches!(self, Failure::Io(_))
    }
}

/// Settings of the worker processes.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The executable to re-run (normally this one).
    pub exe: PathBuf,
    /// RLIMIT_AS of each worker, in bytes.
    pub memory_bytes: u64,
    /// Wall-clock limit for one message (also its CPU limit).
    pub timeout: Duration,
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// Idle worker processes, reused across messages (spawning one costs a few
/// milliseconds; the ingest path handles hundreds of messages a second).
pub struct Pool {
    settings: Settings,
    idle: Mutex<Vec<Worker>>,
}

impl Pool {
    pub fn new(settings: Settings) -> Pool {
        Pool {
            settings,
            idle: Mutex::new(Vec::new()),
        }
    }

    pub fn timeout(&self) -> Duration {
        self.settings.timeout
    }

    /// Inspects the raw file at `raw_path` in a worker process.
    pub async fn inspect(
        &self,
        raw_path: &Path,
        limits: &Limits,
        headers_only: bool,
    ) -> Result<Inspection, Failure> {
        let mut worker = match self.idle.lock().await.pop() {
            Some(w) => w,
            None => self.spawn().map_err(Failure::Io)?,
        };
        let req = Request {
            raw_path: raw_path.to_owned(),
            limits: limits.clone(),
            headers_only,
            cpu_secs: self.settings.timeout.as_secs().max(1),
        };
        let body = serde_json::to_vec(&req)
            .context("cannot encode the worker request")
            .map_err(Failure::Io)?;
        if let Err(e) = write_frame(&mut worker.stdin, &body).await {
            // A worker that died while idle (killed from outside): not this
            // message's fault. Reap it and report mailroom's trouble.
            let _ = worker.child.kill().await;
            return Err(Failure::Io(e));
        }
        match tokio::time::timeout(self.settings.timeout, read_response(&mut worker.stdout)).await {
            Ok(Ok(insp)) => {
                self.idle.lock().await.push(worker);
                Ok(insp)
            }
            Ok(Err(e)) => {
                // The pipe closed or carried garbage: the worker is gone or
                // broken. Its exit status says why.
                let _ = worker.child.start_kill();
                let status = worker.child.wait().await;
                Err(Failure::Died(match status {
                    Ok(s) => describe_exit(s),
                    Err(_) => format!("{e:#}"),
                }))
            }
            Err(_) => {
                let _ = worker.child.kill().await;
                Err(Failure::TimedOut(self.settings.timeout.as_secs()))
            }
        }
    }

    /// Ends the idle workers (closing their input ends their loop) and waits
    /// for them, so their resource usage is counted in RUSAGE_CHILDREN.
    pub async fn shutdown(&self) {
        let workers: Vec<Worker> = self.idle.lock().await.drain(..).collect();
        for w in workers {
            let Worker {
                mut child, stdin, ..
            } = w;
            drop(stdin);
            if tokio::time::timeout(Duration::from_secs(5), child.wait())
                .await
                .is_err()
            {
                let _ = child.kill().await;
            }
        }
    }

    fn spawn(&self) -> Result<Worker> {
        let mut cmd = Command::new(&self.settings.exe);
        cmd.arg("inspect-worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let memory = self.settings.memory_bytes;
        // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                set_limit(libc::RLIMIT_AS, memory)?;
                // Hostile bytes never end up in a core file.
                set_limit(libc::RLIMIT_CORE, 0)?;
                Ok(())
            });
        }
        let mut child = cmd.spawn().with_context(|| {
            format!(
                "cannot start the inspection worker {}",
                self.settings.exe.display()
            )
        })?;
        let stdin = child.stdin.take().context("worker stdin")?;
        let stdout = child.stdout.take().context("worker stdout")?;
        // Answers carry the files: a larger pipe and buffer mean a handful
        // of wake-ups per message instead of one per 64 KB.
        widen_pipe(std::os::fd::AsRawFd::as_raw_fd(&stdout));
        let stdout = BufReader::with_capacity(PIPE_BYTES, stdout);
        Ok(Worker {
            child,
            stdin,
            stdout,
        })
    }
}

/// Asks the kernel for a larger pipe (best effort: the default 64 KB works,
/// only with more wake-ups).
fn widen_pipe(fd: std::os::fd::RawFd) {
    // SAFETY: fcntl on a descriptor we own; failure is harmless.
    unsafe {
        libc::fcntl(fd, libc::F_SETPIPE_SZ, PIPE_BYTES as libc::c_int);
    }
}

/// setrlimit(2), soft and hard alike (also the materials rebuild's child).
pub(crate) fn set_limit(resource: libc::__rlimit_resource_t, value: u64) -> std::io::Result<()> {
    let lim = libc::rlimit {
        rlim_cur: value,
        rlim_max: value,
    };
    // SAFETY: a plain syscall on a valid struct.
    if unsafe { libc::setrlimit(resource, &lim) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

fn describe_exit(s: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (s.code(), s.signal()) {
        (_, Some(libc::SIGABRT)) => "aborted: probably out of memory".into(),
        (_, Some(libc::SIGXCPU)) => "CPU limit exceeded".into(),
        (_, Some(libc::SIGKILL)) => "killed".into(),
        (_, Some(libc::SIGSEGV)) => "crashed (SIGSEGV, e.g. stack overflow)".into(),
        (_, Some(sig)) => format!("signal {sig}"),
        (Some(code), None) => format!("exit status {code}"),
        (None, None) => "unknown exit".into(),
    }
}

/// One write for the whole frame: a request is far below the pipe's
/// buffer, so it is handed over whole while the worker waits for it.
async fn write_frame(w: &mut ChildStdin, body: &[u8]) -> Result<()> {
    let mut frame = Vec::with_capacity(8 + body.len());
    frame.extend_from_slice(&(body.len() as u64).to_le_bytes());
    frame.extend_from_slice(body);
    w.write_all(&frame)
        .await
        .context("cannot write to the worker")?;
    w.flush().await.context("cannot write to the worker")
}

async fn read_frame(r: &mut BufReader<ChildStdout>, max: u64) -> Result<Vec<u8>> {
    let mut len = [0u8; 8];
    r.read_exact(&mut len)
        .await
        .context("the worker closed its output")?;
    let len = u64::from_le_bytes(len);
    if len > max {
        return Err(anyhow!("worker frame of {len} bytes (limit {max})"));
    }
    let mut buf = vec![0u8; len as usize];
    r.read_exact(&mut buf)
        .await
        .context("the worker closed its output mid-frame")?;
    Ok(buf)
}

async fn read_response(r: &mut BufReader<ChildStdout>) -> Result<Inspection> {
    let json = read_frame(r, MAX_JSON_FRAME).await?;
    serde_json::from_slice(&json).context("the worker's answer is not an inspection")
}

/// `mailroom inspect-worker`: the child's side. Reads requests from stdin
/// until it closes; answers each on stdout. Synchronous, single-threaded:
/// one message at a time, and nothing else in the process to take down.
pub fn serve() -> ExitCode {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut input = stdin.lock();
    let mut output = std::io::BufWriter::with_capacity(PIPE_BYTES, stdout.lock());
    loop {
        let req = match read_request(&mut input) {
            Ok(Some(r)) => r,
            Ok(None) => return ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("mailroom inspect-worker: {e:#}");
                return ExitCode::from(1);
            }
        };
        limit_cpu(req.cpu_secs);
        if let Ok(meta) = std::fs::metadata(&req.raw_path) {
            limit_memory(meta.len());
        }
        let read = if req.headers_only {
            read_head(&req.raw_path)
        } else {
            std::fs::read(&req.raw_path)
        };
        let insp = match read {
            Ok(raw) if req.headers_only => inspect::inspect_headers(&raw),
            Ok(raw) => inspect::inspect(&raw, &req.limits),
            Err(e) => {
                eprintln!(
                    "mailroom inspect-worker: cannot read {}: {e}",
                    req.raw_path.display()
                );
                return ExitCode::from(1);
            }
        };
        if let Err(e) = write_response(&mut output, &insp) {
            eprintln!("mailroom inspect-worker: {e:#}");
            return ExitCode::from(1);
        }
    }
}

/// The start of a raw message, enough for its header block: the second
/// look at a message whose whole inspection failed must not need the memory
/// the first one ran out of.
fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    const HEAD: u64 = 1 << 20;
    let mut buf = Vec::new();
    std::fs::File::open(path)?
        .take(HEAD)
        .read_to_end(&mut buf)?;
    Ok(buf)
}

fn read_request(r: &mut impl Read) -> Result<Option<Request>> {
    let mut len = [0u8; 8];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e).context("cannot read a request"),
    }
    let len = u64::from_le_bytes(len);
    if len > MAX_JSON_FRAME {
        return Err(anyhow!("request frame of {len} bytes"));
    }
    let mut buf = vec![0u8; len as usize];
    r.read_exact(&mut buf).context("cannot read a request")?;
    Ok(Some(
        serde_json::from_slice(&buf).context("cannot decode a request")?,
    ))
}

fn write_response(w: &mut impl Write, insp: &Inspection) -> Result<()> {
    let json = serde_json::to_vec(insp).context("cannot encode the inspection")?;
    w.write_all(&(json.len() as u64).to_le_bytes())
        .and_then(|()| w.write_all(&json))
        .and_then(|()| w.flush())
        .context("cannot answer")
}

/// Lets this message use `secs` more CPU seconds: past that the kernel sends
/// SIGXCPU and the parent sees a worker that died of it. A soft limit
/// raised per message, because the worker lives for many messages.
fn limit_cpu(secs: u64) {
    // SAFETY: plain syscalls on valid structs.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return;
        }
        let used = usage.ru_utime.tv_sec as u64 + usage.ru_stime.tv_sec as u64;
        let lim = libc::rlimit {
            rlim_cur: used + secs + 1,
            rlim_max: libc::RLIM_INFINITY,
        };
        libc::setrlimit(libc::RLIMIT_CPU, &lim);
    }
}

/// Room for one message on top of what the worker already maps: the raw
/// bytes, their decoded parts and a copy of each file, plus the parsers'
/// own working memory. Lowered per message (within the hard limit the
/// parent set), so one small crafted file cannot take hundreds of
/// megabytes before it fails.
fn limit_memory(message_bytes: u64) {
    const PER_MESSAGE_SLACK: u64 = 96 << 20;
    let Some(mapped) = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
    else {
        return;
    };
    // SAFETY: plain syscalls on valid structs.
    unsafe {
        let page = libc::sysconf(libc::_SC_PAGESIZE).max(4096) as u64;
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_AS, &mut lim) != 0 {
            return;
        }
        let want = (mapped * page)
            .saturating_add(message_bytes.saturating_mul(4))
            .saturating_add(PER_MESSAGE_SLACK);
        lim.rlim_cur = want.min(lim.rlim_max);
        libc::setrlimit(libc::RLIMIT_AS, &lim);
    }
}

/// Peak resident memory (KiB) of this process and of the largest child it
/// has waited for (the workers, after [`Pool::shutdown`]).
pub fn peak_rss_kb() -> (u64, u64) {
    let get = |who| {
        // SAFETY: a plain syscall on a valid struct.
        unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            if libc::getrusage(who, &mut usage) == 0 {
                usage.ru_maxrss.max(0) as u64
            } else {
                0
            }
        }
    };
    (get(libc::RUSAGE_SELF), get(libc::RUSAGE_CHILDREN))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(exe: &str, timeout_ms: u64) -> Pool {
        Pool::new(Settings {
            exe: PathBuf::from(exe),
            memory_bytes: 1 << 30,
            timeout: Duration::from_millis(timeout_ms),
        })
    }

    fn script(dir: &Path, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("worker");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        path
    }

    #[tokio::test]
    async fn a_worker_that_dies_on_a_message_is_reported_as_dead() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Takes the request, then dies without answering.
        let exe = script(dir.path(), "head -c 1 >/dev/null; exit 3");
        let p = pool(exe.to_str().expect("utf-8 path"), 10_000);
        let r = p
            .inspect(Path::new("/dev/null"), &Limits::default(), false)
            .await;
        assert!(matches!(&r, Err(Failure::Died(_))), "{r:?}");
        assert!(r.err().is_some_and(|f| f.blames_message()));
    }

    #[tokio::test]
    async fn a_worker_that_never_answers_is_killed_at_the_timeout() {
        let dir = tempfile::tempdir().expect("tempdir");
        let exe = script(dir.path(), "exec sleep 30");
        let p = pool(exe.to_str().expect("utf-8 path"), 300);
        let r = p
            .inspect(Path::new("/dev/null"), &Limits::default(), false)
            .await;
        assert!(matches!(&r, Err(Failure::TimedOut(_))), "{r:?}");
        assert!(r.err().is_some_and(|f| f.blames_message()));
    }

    #[tokio::test]
    async fn a_missing_executable_is_mailrooms_trouble_not_the_messages() {
        let p = pool("/nonexistent/mailroom", 300);
        let r = p
            .inspect(Path::new("/dev/null"), &Limits::default(), false)
            .await;
        assert!(matches!(&r, Err(Failure::Io(_))), "{r:?}");
        assert!(!r.err().is_some_and(|f| f.blames_message()));
    }

    #[test]
    fn responses_are_one_frame_without_the_file_bytes() {
        let raw = b"From: a@b.test\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n";
        let insp = inspect::inspect(raw, &Limits::default());
        assert_eq!(insp.attachments.len(), 1);
        let mut buf = Vec::new();
        write_response(&mut buf, &insp).expect("encode");
        // Decode with the same framing the async reader uses.
        let mut cur = std::io::Cursor::new(buf);
        let mut len = [0u8; 8];
        Read::read_exact(&mut cur, &mut len).expect("len");
        let mut json = vec![0; u64::from_le_bytes(len) as usize];
        Read::read_exact(&mut cur, &mut json).expect("json");
        let back: Inspection = serde_json::from_slice(&json).expect("decode");
        assert_eq!(back.headers.subject, "x");
        assert_eq!(back.attachments[0].size, 9);
        assert_eq!(back.attachments[0].sha256, insp.attachments[0].sha256);
        // Nothing follows: the file's bytes stay in the worker.
        assert_eq!(cur.position() as usize, cur.get_ref().len());
    }
}
