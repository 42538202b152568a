//! Which folders a mailbox pass visits: the ones named in the configuration
//! (INBOX by default, `junk_folders` such as 广告邮件) and every folder the
//! server flags `\Junk`, found with one LIST per pass so a folder created
//! later (or renamed by the provider) is picked up without a restart.
//!
//! Names travel in IMAP's modified UTF-7 (RFC 3501 §5.1.3: 垃圾邮件 is
//! `&V4NXPpCuTvY-`); the ledger and the logs use them as people read them.

use std::collections::BTreeSet;
use std::sync::Mutex;

use anyhow::{Context, Result};
use async_imap::types::NameAttribute;
use futures::TryStreamExt;
use tokio::time::timeout;
use tracing::warn;

use super::MailboxCtx;
use super::connect::{COMMAND_TIMEOUT, Session};
use crate::config::ImapConfig;

/// One folder to pass over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// As the server spells it (modified UTF-7), for SELECT.
    pub wire: String,
    /// As people read it; the ledger keys sync state and messages by it.
    pub name: String,
    /// The provider files filtered mail here: its messages are flagged
    /// `in_junk` and the digest asks the clerk to mark the sender as not spam.
    pub junk: bool,
}

/// One LIST answer, reduced to what matters here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub wire: String,
    pub junk: bool,
    pub selectable: bool,
}

/// Folders already reported missing, by (department, folder). A pass runs
/// every poll interval; one warning per missing folder is enough, and it is
/// given again if the folder appears and then goes missing again.
static REPORTED_MISSING: Mutex<BTreeSet<(String, String)>> = Mutex::new(BTreeSet::new());

/// The folders to visit this pass. A configured folder the server does not
/// have is logged (once) and left out: the other folders are still watched.
pub async fn resolve(session: &mut Session, ctx: &MailboxCtx) -> Result<Vec<Folder>> {
    let listed = list(session).await?;
    let (folders, missing) = plan(&ctx.imap, &listed);
    let mut reported = REPORTED_MISSING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for name in &missing {
        if reported.insert((ctx.department.clone(), name.clone())) {
            warn!(
                department = %ctx.department,
                folder = %name,
                "configured folder does not exist on the server (check the name in webmail); the other folders are still watched"
            );
        }
    }
    for f in &folders {
        reported.remove(&(ctx.department.clone(), f.name.clone()));
    }
    Ok(folders)
}

/// Every folder the server lists, with whether it carries `\Junk`.
async fn list(session: &mut Session) -> Result<Vec<Listed>> {
    let mut out = Vec::new();
    {
        let stream = timeout(COMMAND_TIMEOUT, session.list(Some(""), Some("*")))
            .await
            .context("timed out listing folders")?
            .context("cannot list folders")?;
        futures::pin_mut!(stream);
        while let Some(name) = timeout(COMMAND_TIMEOUT, stream.try_next())
            .await
            .context("timed out listing folders")?
            .context("cannot list folders")?
        {
            let attrs = name.attributes();
            out.push(Listed {
                wire: name.name().to_owned(),
                // XLIST (Gmail, and Coremail answers it too) calls it \Spam.
                junk: attrs.iter().any(|a| match a {
                    NameAttribute::Junk => true,
                    NameAttribute::Extension(x) => x.eq_ignore_ascii_case("\\Spam"),
                    _ => false,
                }),
                selectable: !attrs.contains(&NameAttribute::NoSelect),
            });
        }
    }
    super::sync::drain_unsolicited(session);
    Ok(out)
}

/// The folders to visit, in order (configured ordinary folders, then the
/// `\Junk` ones, then the configured junk folders), and the configured
/// names the server does not have.
pub fn plan(cfg: &ImapConfig, listed: &[Listed]) -> (Vec<Folder>, Vec<String>) {
    let listed: Vec<&Listed> = listed.iter().filter(|l| l.selectable).collect();
    let mut folders: Vec<Folder> = Vec::new();
    let mut missing = Vec::new();
    let configured = cfg.configured_folders();
    let find = |name: &str| listed.iter().find(|l| same_folder(name, &l.wire)).copied();
    let (ordinary, junk_named): (Vec<_>, Vec<_>) = configured.iter().partition(|c| !c.junk);
    for c in ordinary {
        match find(&c.name) {
            // A configured folder that the server flags \Junk is junk all
            // the same: the provider filtered what is in it.
            Some(l) => folders.push(Folder {
                wire: l.wire.clone(),
                name: c.name.clone(),
                junk: l.junk && cfg.junk,
            }),
            None => missing.push(c.name.clone()),
        }
    }
    if cfg.junk {
        for l in listed.iter().filter(|l| l.junk) {
            if !folders.iter().any(|f| f.wire == l.wire) {
                folders.push(Folder {
                    wire: l.wire.clone(),
                    name: display_name(&l.wire),
                    junk: true,
                });
            }
        }
    }
    for c in junk_named {
        match find(&c.name) {
            Some(l) if folders.iter().any(|f| f.wire == l.wire) => {}
            Some(l) => folders.push(Folder {
                wire: l.wire.clone(),
                name: c.name.clone(),
                junk: true,
            }),
            None => missing.push(c.name.clone()),
        }
    }
    (folders, missing)
}

/// Whether a configured name (as people read it) is this listed folder.
fn same_folder(name: &str, wire: &str) -> bool {
    if name == "INBOX" {
        return wire.eq_ignore_ascii_case("INBOX");
    }
    // Servers may encode the same name differently (e.g. where a run of
    // non-ASCII characters is split); compare decoded names too.
    wire == utf7_imap::encode_utf7_imap(name.to_owned()) || decode(wire).as_deref() == Some(name)
}

/// The name as people read it; the server's spelling when it is not valid
/// modified UTF-7 (shown as is rather than guessed at).
pub fn display_name(wire: &str) -> String {
    if wire.eq_ignore_ascii_case("INBOX") {
        return "INBOX".to_owned();
    }
    decode(wire).unwrap_or_else(|| wire.to_owned())
}

/// Decodes modified UTF-7 (RFC 3501 §5.1.3). `None` for anything malformed:
/// the name comes from the server, and `utf7_imap::decode_utf7_imap`
/// panics on bad base64.
pub fn decode(wire: &str) -> Option<String> {
    use base64::Engine as _;
    let mut out = String::with_capacity(wire.len());
    let mut rest = wire;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find('-')?;
        let chunk = &after[..end];
        if chunk.is_empty() {
            out.push('&');
        } else {
            let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(chunk.replace(',', "/"))
                .ok()?;
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            out.push_str(&String::from_utf16(&units).ok()?);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(wire: &str, junk: bool) -> Listed {
        Listed {
            wire: wire.to_owned(),
            junk,
            selectable: true,
        }
    }

    /// What Coremail (126.com/163.com) lists for every account.
    fn coremail() -> Vec<Listed> {
        vec![
            listed("INBOX", false),
            listed("&g0l6P3ux-", false),
            listed("&XfJT0ZAB-", false),
            listed("&XfJSIJZk-", false),
            listed("&V4NXPpCuTvY-", true),
            listed("&dcVr0pCuTvY-", false),
            listed("&Xn9USpCuTvY-", false),
            listed("&i6KWBZCuTvY-", false),
        ]
    }

    fn imap(extra: &str) -> ImapConfig {
        let toml = format!(
            "host = \"imap.126.com\"\ntls = \"implicit\"\nusername = \"u@126.com\"\npassword_env = \"X\"\n{extra}"
        );
        toml::from_str(&toml).expect("imap config")
    }

    #[test]
    fn coremail_names_decode() {
        assert_eq!(decode("&V4NXPpCuTvY-").as_deref(), Some("垃圾邮件"));
        assert_eq!(decode("&Xn9USpCuTvY-").as_deref(), Some("广告邮件"));
        assert_eq!(decode("a&-b").as_deref(), Some("a&b"));
        assert_eq!(decode("INBOX").as_deref(), Some("INBOX"));
        for name in [
            "垃圾邮件",
            "广告邮件",
            "Šiukšliadėžė",
            "报送/2018 材料&备份",
        ] {
            let wire = utf7_imap::encode_utf7_imap(name.to_owned());
            assert_eq!(decode(&wire).as_deref(), Some(name), "{wire}");
        }
    }

    #[test]
    fn malformed_names_are_shown_as_sent() {
        for bad in ["&", "&V4N", "&!!!-", "&V4NXPpCuTvY", "&AA-"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
        assert_eq!(display_name("&!!!-"), "&!!!-");
        assert_eq!(display_name("inbox"), "INBOX");
    }

    #[test]
    fn default_is_inbox_and_the_junk_folder_by_its_flag() {
        let (folders, missing) = plan(&imap(""), &coremail());
        assert!(missing.is_empty());
        assert_eq!(
            folders,
            [
                Folder {
                    wire: "INBOX".into(),
                    name: "INBOX".into(),
                    junk: false
                },
                Folder {
                    wire: "&V4NXPpCuTvY-".into(),
                    name: "垃圾邮件".into(),
                    junk: true
                },
            ]
        );
    }

    #[test]
    fn junk_folders_by_chinese_name_and_missing_ones_reported() {
        let cfg = imap("folder = \"inbox\"\njunk_folders = [\"广告邮件\", \"不存在\"]\n");
        let (folders, missing) = plan(&cfg, &coremail());
        let names: Vec<(&str, &str, bool)> = folders
            .iter()
            .map(|f| (f.wire.as_str(), f.name.as_str(), f.junk))
            .collect();
        assert_eq!(
            names,
            [
                ("INBOX", "INBOX", false),
                ("&V4NXPpCuTvY-", "垃圾邮件", true),
                ("&Xn9USpCuTvY-", "广告邮件", true),
            ]
        );
        assert_eq!(missing, ["不存在"]);
    }

    #[test]
    fn junk_off_and_unselectable_folders() {
        let cfg = imap("junk = false\nfolders = [\"INBOX\", \"报送\"]\n");
        let mut l = coremail();
        l.push(Listed {
            wire: utf7_imap::encode_utf7_imap("报送".into()),
            junk: false,
            selectable: false,
        });
        let (folders, missing) = plan(&cfg, &l);
        assert_eq!(folders.len(), 1);
        assert_eq!(folders[0].name, "INBOX");
        assert_eq!(missing, ["报送"], "a \\Noselect folder cannot be watched");
    }

    #[test]
    fn the_junk_folder_named_in_folders_is_still_junk() {
        let cfg = imap("folders = [\"INBOX\", \"垃圾邮件\"]\n");
        let (folders, _) = plan(&cfg, &coremail());
        assert_eq!(folders.len(), 2);
        assert!(folders[1].junk);
    }
}
