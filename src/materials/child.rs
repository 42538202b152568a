//! The daemon's tree update as a child process (`mailroom materials
//! --rebuild`) under the inspection workers' memory limit: building
//! re-parses new messages and unpacks archives, hostile input, so a message
//! that exhausts the limit costs one tree update, never the daemon.

use crate::intake::worker::set_limit;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::Config;

/// This program, when it is mailroom itself (not a test harness).
pub(super) fn own_executable() -> Option<PathBuf> {
    std::env::current_exe()
        .ok()
        .filter(|p| p.file_stem().is_some_and(|s| s == "mailroom"))
}

pub(super) async fn rebuild(cfg: &Config, exe: &Path) -> Result<String> {
    let mut cmd = tokio::process::Command::new(exe);
    cmd.arg("--config")
        .arg(&cfg.path)
        .args(["materials", "--rebuild"])
        // Its configuration warnings were already logged by this process.
        .env("RUST_LOG", "error")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true);
    let memory = cfg.worker_memory_bytes();
    // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            set_limit(libc::RLIMIT_AS, memory)?;
            set_limit(libc::RLIMIT_CORE, 0)
        });
    }
    let out = cmd
        .output()
        .await
        .with_context(|| format!("cannot run {} materials --rebuild", exe.display()))?;
    anyhow::ensure!(
        out.status.success(),
        "mailroom materials --rebuild failed ({})",
        out.status
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
