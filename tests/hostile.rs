//! The hostile set (tests/data/hostile/make.py, generated afresh into a
//! temporary directory) through `mailroom ingest`, one child process per
//! case under a 4 GiB address-space limit. Every case must exit 0, be
//! recorded as a delivery with one of its expected flags and none of its
//! forbidden ones, and stay within a memory budget of 2 × the message's size
//! + 64 MiB. All cases run (two at a time); one failure lists every case.

mod common;

use std::io::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use common::{AppOptions, MailEnv, TestApp, repo};
use serde_json::Value;

/// The address space a child may take: past it an allocation fails (and
/// Rust aborts), instead of the machine swapping or the OOM killer choosing.
const ADDRESS_SPACE: u64 = 4 << 30;
/// Budget: twice the message (its raw bytes plus the decoded attachment)
/// plus room for the runtime, SQLite and one file being looked at.
const BUDGET_BASE_KB: u64 = 64 * 1024;
/// Not a timing check: a case still running after this is stuck (a hang is
/// a failure of its own), and is killed so the other cases still report.
const STUCK: Duration = Duration::from_secs(300);
const RECEIVED_AT: &str = "2018-01-22T10:00:00+08:00";

#[derive(Debug, Clone, serde::Deserialize)]
struct Case {
    file: String,
    case: String,
    why: String,
    expect_flags_any: Vec<String>,
    forbid_flags: Vec<String>,
}

#[derive(Debug, Default, Clone)]
struct Outcome {
    /// "exit 0", "exit 1", "signal 6 (SIGABRT)", "killed: stuck".
    status: String,
    exited_ok: bool,
    kind: Option<String>,
    flags: Option<Vec<String>>,
    /// ru_maxrss from wait4: the largest of ingest and the children it reaped.
    maxrss_kb: u64,
    /// peak_rss_kb + worker_peak_rss_kb from the "resources" log line.
    logged_kb: Option<u64>,
    budget_kb: u64,
    problems: Vec<String>,
    stderr_tail: String,
}

fn generate(dir: &Path) -> Vec<Case> {
    let out = Command::new("python3")
        .arg(repo().join("tests/data/hostile/make.py"))
        .arg(dir)
        .output()
        .expect("run python3 tests/data/hostile/make.py");
    assert!(
        out.status.success(),
        "make.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read(dir.join("expected.json")).expect("expected.json");
    serde_json::from_slice(&text).expect("expected.json is a list of cases")
}

/// One data directory per case: a case that crashes ingest leaves its
/// message stored but unprocessed, and must not be retried by the next.
fn case_config(app: &TestApp, stem: &str) -> PathBuf {
    let base = std::fs::read_to_string(&app.config).expect("read config");
    let own = base.replacen(
        "data_dir = \"data\"\n",
        &format!("data_dir = \"data-{stem}\"\n"),
        1,
    );
    assert_ne!(own, base, "TestApp config has data_dir = \"data\"");
    let path = app.dir.path().join(format!("{stem}.toml"));
    std::fs::write(&path, own).expect("write case config");
    path
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGABRT => "SIGABRT",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGKILL => "SIGKILL",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        _ => "",
    }
}

/// Runs `ingest` on one file under the address-space limit and reaps it with
/// wait4 for its peak RSS.
fn ingest(app: &TestApp, config: &Path, eml: &Path, logs: &Path) -> (Outcome, String) {
    let stderr_path = logs.with_extension("stderr");
    let stdout_path = logs.with_extension("stdout");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mailroom"));
    cmd.arg("--config")
        .arg(config)
        .args(["--log-format", "json", "ingest", "--department", "org"])
        .args(["--received-at", RECEIVED_AT])
        .arg(eml)
        .env("MAILENV_PASSWORD", &app.env.password)
        .env("RUST_LOG", "info")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).expect("stdout file"))
        .stderr(std::fs::File::create(&stderr_path).expect("stderr file"));
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork
    // and exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: ADDRESS_SPACE,
                rlim_max: ADDRESS_SPACE,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().expect("spawn mailroom ingest");
    let pid = child.id() as libc::pid_t;
    let done = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel::<()>();
    let watchdog = {
        let done = done.clone();
        std::thread::spawn(move || {
            if rx.recv_timeout(STUCK).is_err() && !done.load(Ordering::SeqCst) {
                // SAFETY: kill(2) on the child this test spawned and has not reaped.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                return true;
            }
            false
        })
    };
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own unreaped child; both out-pointers are valid.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4: {}", std::io::Error::last_os_error());
    done.store(true, Ordering::SeqCst);
    let _ = tx.send(());
    let stuck = watchdog.join().unwrap_or(false);
    drop(child); // reaped above; dropping a Child neither waits nor kills

    let mut o = Outcome {
        maxrss_kb: usage.ru_maxrss as u64,
        ..Outcome::default()
    };
    if libc::WIFEXITED(status) {
        let code = libc::WEXITSTATUS(status);
        o.status = format!("exit {code}");
        o.exited_ok = code == 0;
    } else if libc::WIFSIGNALED(status) {
        let sig = libc::WTERMSIG(status);
        o.status = if stuck {
            "killed: stuck".into()
        } else {
            format!("signal {sig} {}", signal_name(sig))
        };
    } else {
        o.status = format!("status {status:#x}");
    }
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    o.logged_kb = resources_line(&stderr);
    (o, stderr)
}

/// peak_rss_kb + worker_peak_rss_kb of the JSON log line `"resources"` that
/// ingest prints at exit.
fn resources_line(stderr: &str) -> Option<u64> {
    for line in stderr.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let fields = if v["fields"].is_object() {
            &v["fields"]
        } else {
            &v
        };
        if fields["message"] == "resources" {
            let kb = |k: &str| fields[k].as_u64().unwrap_or(0);
            return Some(kb("peak_rss_kb") + kb("worker_peak_rss_kb"));
        }
    }
    None
}

fn export(app: &TestApp, config: &Path) -> Result<Vec<Value>, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_mailroom"))
        .arg("--config")
        .arg(config)
        .args(["export", "--format", "json"])
        .env("MAILENV_PASSWORD", &app.env.password)
        .env("RUST_LOG", "warn")
        .output()
        .map_err(|e| format!("cannot run export: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "export failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let v: Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("export is not JSON: {e}"))?;
    Ok(v["submissions"].as_array().cloned().unwrap_or_default())
}

fn run_case(app: &TestApp, dir: &Path, c: &Case) -> Outcome {
    let eml = dir.join(&c.file);
    let size = std::fs::metadata(&eml).expect("generated file").len();
    let stem = c.file.trim_end_matches(".eml");
    let config = case_config(app, stem);
    let (mut o, stderr) = ingest(app, &config, &eml, &app.dir.path().join(stem));
    o.budget_kb = 2 * size / 1024 + BUDGET_BASE_KB;
    o.stderr_tail = tail(&stderr, 6);
    if !o.exited_ok {
        o.problems.push(format!("ingest ended with {}", o.status));
    }
    match export(app, &config) {
        Err(e) => o.problems.push(e),
        Ok(subs) => match subs.as_slice() {
            [] => o.problems.push("no delivery recorded".into()),
            [d, ..] => {
                o.kind = d["kind"].as_str().map(str::to_owned);
                let flags: Vec<String> = d["flags"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|f| f.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                if !c.expect_flags_any.is_empty()
                    && !c.expect_flags_any.iter().any(|f| flags.contains(f))
                {
                    o.problems
                        .push(format!("none of {:?} flagged", c.expect_flags_any));
                }
                let bad: Vec<&String> = c
                    .forbid_flags
                    .iter()
                    .filter(|f| flags.contains(f))
                    .collect();
                if !bad.is_empty() {
                    o.problems.push(format!("forbidden {bad:?} flagged"));
                }
                o.flags = Some(flags);
            }
        },
    }
    if o.maxrss_kb > o.budget_kb {
        o.problems.push(format!(
            "peak RSS {} MiB over the budget of {} MiB",
            o.maxrss_kb / 1024,
            o.budget_kb / 1024
        ));
    }
    // TODO(hostile): the "resources" line (peak_rss_kb + worker_peak_rss_kb)
    // is being added to ingest; until then its absence is "not yet
    // available", and only wait4's ru_maxrss is checked. Once it exists,
    // require it here.
    if let Some(kb) = o.logged_kb
        && kb > o.budget_kb
    {
        o.problems.push(format!(
            "logged peak RSS {} MiB over the budget of {} MiB",
            kb / 1024,
            o.budget_kb / 1024
        ));
    }
    o
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn table(cases: &[Case], outcomes: &[Outcome]) -> String {
    let mut s = String::from(
        "| # | case | result | exit | kind | flags | expected any of | RSS MiB (wait4) | RSS MiB (log) | budget MiB | why it fails |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for (i, (c, o)) in cases.iter().zip(outcomes).enumerate() {
        let flags = o
            .flags
            .as_ref()
            .map_or("(no delivery)".to_owned(), |f| f.join(", "));
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            i + 1,
            c.case,
            if o.problems.is_empty() {
                "pass"
            } else {
                "FAIL"
            },
            o.status,
            o.kind.as_deref().unwrap_or("-"),
            flags,
            if c.expect_flags_any.is_empty() {
                "-".to_owned()
            } else {
                c.expect_flags_any.join(" or ")
            },
            o.maxrss_kb / 1024,
            o.logged_kb
                .map_or("n/a".to_owned(), |k| (k / 1024).to_string()),
            o.budget_kb / 1024,
            o.problems.join("; "),
        ));
    }
    s
}

#[test]
fn hostile_mail_is_recorded_flagged_and_bounded() {
    // The budget is the intake's (ingest and its inspection worker). The
    // materials tree is updated by a separate child process under the
    // workers' own RLIMIT_AS, which wait4 and the `resources` line would
    // count among the workers: it is left out here.
    let opts = AppOptions {
        extra_service: "[materials]\nenabled = false\n".into(),
        ..AppOptions::default()
    };
    let app = TestApp::with("hostile", MailEnv::shared(), opts);
    let dir = app.dir.path().join("hostile");
    let cases = generate(&dir);
    assert!(cases.len() >= 40, "the hostile set has its cases");

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; cases.len()]);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(c) = cases.get(i) else { break };
                    let o = run_case(&app, &dir, c);
                    results.lock().expect("results")[i] = Some(o);
                }
            });
        }
    });
    let outcomes: Vec<Outcome> = results
        .into_inner()
        .expect("results")
        .into_iter()
        .map(|o| o.expect("every case ran"))
        .collect();

    let report = table(&cases, &outcomes);
    let failed: Vec<String> = cases
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| !o.problems.is_empty())
        .map(|(c, o)| {
            format!(
                "{} ({}): {}\n  flags {:?}, peak RSS {} MiB (budget {} MiB), {}\n  stderr tail:\n{}",
                c.case,
                c.why,
                o.problems.join("; "),
                o.flags,
                o.maxrss_kb / 1024,
                o.budget_kb / 1024,
                o.status,
                indent(&o.stderr_tail)
            )
        })
        .collect();
    let mut err = std::io::stderr();
    let _ = writeln!(err, "{report}");
    assert!(
        failed.is_empty(),
        "{} of {} hostile cases failed:\n\n{report}\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n\n")
    );
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("    {}", l.chars().take(400).collect::<String>()))
        .collect::<Vec<_>>()
        .join("\n")
}
