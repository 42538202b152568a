use std::path::{Path, PathBuf};

use super::*;

fn repo_config(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("config")
        .join(name)
}

/// A scratch directory holding the shipped campaign and units files plus the
/// given service file, optionally with one of the shipped files edited.
fn scratch(service: &str, edit: impl FnOnce(&Path)) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ["campaign-2017.toml", "units.toml"] {
        std::fs::copy(repo_config(f), dir.path().join(f)).expect("copy");
    }
    let path = dir.path().join("mailroom.toml");
    std::fs::write(&path, service).expect("write");
    edit(dir.path());
    (dir, path)
}

const MINIMAL: &str = r#"
campaign = "campaign-2017.toml"
units = "units.toml"
data_dir = "data"
[[mailbox]]
department = "org"
[mailbox.imap]
host = "127.0.0.1"
port = 20143
tls = "plain"
username = "org"
password_env = "MAILROOM_TEST_UNSET_VARIABLE"
"#;

fn errors(path: &Path, secrets: Secrets) -> Vec<String> {
    match Config::load(path, secrets) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .problems
            .iter()
            .filter(|p| p.fatal)
            .map(|p| p.to_string())
            .collect(),
    }
}

#[test]
fn shipped_example_is_valid_without_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ["campaign-2017.toml", "units.toml", "mailroom.example.toml"] {
        std::fs::copy(repo_config(f), dir.path().join(f)).expect("copy");
    }
    let cfg = Config::load(&dir.path().join("mailroom.example.toml"), Secrets::Skip)
        .unwrap_or_else(|e| panic!("example config invalid:\n{e}"));
    assert_eq!(cfg.service.mailboxes.len(), 5);
    assert_eq!(cfg.campaign.departments.len(), 5);
    assert_eq!(cfg.units.units.len(), 42);
    assert_eq!(cfg.campaign.items().count(), 16);
    assert_eq!(cfg.tz, chrono_tz::Asia::Shanghai);
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
}

#[test]
fn relative_paths_resolve_against_the_config_file() {
    let (dir, path) = scratch(MINIMAL, |_| {});
    let cfg = Config::load(&path, Secrets::Skip).expect("valid");
    assert_eq!(cfg.data_dir, dir.path().join("data"));
    assert_eq!(
        cfg.database_url,
        format!("sqlite://{}", dir.path().join("data/mailroom.db").display())
    );
    // Four departments have no mailbox, and the one mailbox has no SMTP:
    // warnings, not errors.
    assert_eq!(cfg.warnings.iter().filter(|w| !w.fatal).count(), 5);
}

#[test]
fn missing_password_is_an_error_only_when_secrets_are_checked() {
    let (_dir, path) = scratch(MINIMAL, |_| {});
    assert!(errors(&path, Secrets::Skip).is_empty());
    let errs = errors(&path, Secrets::Check);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("mailbox[0].imap.password_env"), "{errs:?}");
    assert!(errs[0].contains("MAILROOM_TEST_UNSET_VARIABLE"), "{errs:?}");
}

#[test]
fn unreadable_password_file_names_file_and_key() {
    let svc = MINIMAL.replace(
        "password_env = \"MAILROOM_TEST_UNSET_VARIABLE\"",
        "password_file = \"secrets/org\"",
    );
    let (_dir, path) = scratch(&svc, |_| {});
    let errs = errors(&path, Secrets::Check);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("mailroom.toml: mailbox[0].imap.password_file"));
    assert!(errs[0].contains("secrets/org"), "{errs:?}");
}

#[test]
fn unknown_key_is_located() {
    let svc = MINIMAL.replace(
        "data_dir = \"data\"",
        "data_dir = \"data\"\ndatadir = \"x\"",
    );
    let (_dir, path) = scratch(&svc, |_| {});
    let errs = errors(&path, Secrets::Skip);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("mailroom.toml: line 5"), "{errs:?}");
    assert!(errs[0].contains("unknown field `datadir`"), "{errs:?}");
}

#[test]
fn plain_is_refused_for_remote_hosts() {
    let svc = MINIMAL.replace("127.0.0.1", "imap.126.com");
    let (_dir, path) = scratch(&svc, |_| {});
    let errs = errors(&path, Secrets::Skip);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("mailbox[0].imap.tls"), "{errs:?}");
}

#[test]
fn item_with_unknown_department_and_duplicate_unit() {
    let (_dir, path) = scratch(MINIMAL, |d| {
        let c = d.join("campaign-2017.toml");
        let text = std::fs::read_to_string(&c).expect("read");
        std::fs::write(
            &c,
            text.replacen(
                "departments = [\"office\"]",
                "departments = [\"finance\"]",
                1,
            ),
        )
        .expect("write");
        let u = d.join("units.toml");
        let text = std::fs::read_to_string(&u).expect("read");
        std::fs::write(
            &u,
            text.replacen("id = \"nancheng\"", "id = \"guancheng\"", 1),
        )
        .expect("write");
    });
    let errs = errors(&path, Secrets::Skip);
    assert!(
        errs.iter().any(
            |e| e.contains("campaign-2017.toml: project[4].item[1].departments")
                && e.contains("\"finance\"")
        ),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.contains("units.toml: unit[1].id") && e.contains("used twice")),
        "{errs:?}"
    );
}

#[test]
fn unknown_department_in_mailbox() {
    let svc = MINIMAL.replace("department = \"org\"", "department = \"finance\"");
    let (_dir, path) = scratch(&svc, |_| {});
    let errs = errors(&path, Secrets::Skip);
    assert!(
        errs.iter()
            .any(|e| e.contains("mailbox[0].department") && e.contains("finance")),
        "{errs:?}"
    );
}

#[test]
fn missing_file_is_reported() {
    let svc = MINIMAL.replace("units.toml", "no-such-units.toml");
    let (_dir, path) = scratch(&svc, |_| {});
    let errs = errors(&path, Secrets::Skip);
    assert!(
        errs.iter()
            .any(|e| e.contains("no-such-units.toml") && e.contains("cannot read")),
        "{errs:?}"
    );
}

#[test]
fn loopback_detection() {
    assert!(service::is_loopback_host("127.0.0.1"));
    assert!(service::is_loopback_host("127.1.2.3"));
    assert!(service::is_loopback_host("::1"));
    assert!(service::is_loopback_host("[::1]"));
    assert!(service::is_loopback_host("localhost"));
    assert!(!service::is_loopback_host("imap.126.com"));
    assert!(!service::is_loopback_host("10.0.0.1"));
}

#[test]
fn agencies_founded_after_the_cutoff_are_not_assessed() {
    let (_dir, path) = scratch(MINIMAL, |_| {});
    let cfg = Config::load(&path, Secrets::Skip).expect("valid");
    let cutoff = cfg.campaign.campaign.agencies_established_before;
    let assessed = |id: &str| cfg.units.get(id).expect("unit").is_assessed(cutoff);
    assert!(assessed("shijie"));
    assert!(assessed("gaj"));
    assert!(!assessed("jtjt"));
    assert!(!assessed("sytz"));
}

#[test]
fn folder_keys_are_checked_together() {
    let ok = format!("{MINIMAL}junk_folders = [\"广告邮件\"]\n");
    let (_dir, path) = scratch(&ok, |_| {});
    let cfg = Config::load(&path, Secrets::Skip).expect("valid");
    let imap = &cfg.service.mailboxes[0].imap;
    assert!(imap.junk, "the \\Junk folder is watched by default");
    let names: Vec<(String, bool)> = imap
        .configured_folders()
        .into_iter()
        .map(|f| (f.name, f.junk))
        .collect();
    assert_eq!(
        names,
        [("INBOX".into(), false), ("广告邮件".into(), true)],
        "the older `folder` key (default INBOX) still names the ordinary folder"
    );

    let bad = format!(
        "{}folders = [\"Inbox\", \"\", \"报送\"]\njunk_folders = [\"inbox\", \"报送\", \"a\\u0007b\"]\n",
        MINIMAL.replace("tls = \"plain\"", "tls = \"plain\"\nfolder = \"报送\"")
    );
    let (_dir, path) = scratch(&bad, |_| {});
    let errs = errors(&path, Secrets::Skip);
    let has = |key: &str, what: &str| errs.iter().any(|e| e.contains(key) && e.contains(what));
    assert!(has("mailbox[0].imap.folders", "not both"), "{errs:#?}");
    assert!(has("mailbox[0].imap.folders[1]", "is empty"), "{errs:#?}");
    assert!(
        has("mailbox[0].imap.junk_folders[0]", "INBOX cannot"),
        "{errs:#?}"
    );
    assert!(
        has("mailbox[0].imap.junk_folders[1]", "already watched"),
        "{errs:#?}"
    );
    assert!(
        has("mailbox[0].imap.junk_folders[2]", "control"),
        "{errs:#?}"
    );
    assert_eq!(errs.len(), 5, "{errs:#?}");

    let none = format!("{MINIMAL}folders = []\n");
    let (_dir, path) = scratch(&none, |_| {});
    let errs = errors(&path, Secrets::Skip);
    assert!(
        errs.iter().any(|e| e.contains("names no folder")),
        "{errs:#?}"
    );
}
