//! The materials tree through the real pipeline (`mailroom ingest`, no mail
//! server): the labelled sets filed where their units and items say, a
//! rebuild from the ledger byte for byte, versions, `assign` out of
//! 待核对, and the zip's UTF-8 names as Python's zipfile reads them.

mod labels;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use sha2::{Digest, Sha256};

struct App {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl App {
    fn new() -> App {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for f in ["campaign-2017.toml", "units.toml"] {
            std::fs::copy(repo.join("config").join(f), dir.path().join(f)).expect("copy config");
        }
        let config = dir.path().join("mailroom.toml");
        std::fs::write(
            &config,
            "campaign = \"campaign-2017.toml\"\nunits = \"units.toml\"\ndata_dir = \"data\"\n\
             [digest]\nenabled = false\n[reminders]\nenabled = false\n",
        )
        .expect("write config");
        App { dir, config }
    }

    fn tree(&self) -> PathBuf {
        self.dir.path().join("data/materials")
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_mailroom"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .output()
            .expect("run mailroom");
        assert!(
            out.status.success(),
            "mailroom {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Ingests `files` into `department`, each arriving at its file time.
    fn ingest(&self, department: &str, files: &[(PathBuf, &str)]) {
        let staging = self.dir.path().join(format!("in-{department}"));
        std::fs::create_dir_all(&staging).expect("staging dir");
        let mut args = vec![
            "ingest".to_owned(),
            "--department".into(),
            department.into(),
            "--no-receipts".into(),
        ];
        for (n, (src, at)) in files.iter().enumerate() {
            let dest = staging.join(format!("{n:03}.eml"));
            std::fs::copy(src, &dest).expect("copy eml");
            let t = chrono::DateTime::parse_from_rfc3339(at).expect("arrival time");
            let f = std::fs::File::options()
                .write(true)
                .open(&dest)
                .expect("open eml");
            f.set_modified(t.into()).expect("set mtime");
            args.push(dest.to_string_lossy().into_owned());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&args);
    }

    fn ingest_one(&self, department: &str, name: &str, raw: &[u8], at: &str) {
        let path = self.dir.path().join(name);
        std::fs::write(&path, raw).expect("write eml");
        self.ingest(department, &[(path, at)]);
    }
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Every file below `root`: relative path → bytes.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).expect("below root").to_owned();
                out.insert(rel, std::fs::read(&p).expect("read file"));
            }
        }
    }
    out
}

/// Where a tree file is filed: `<科室>/<item>/<unit>`, or `<科室>/待核对`.
fn folder_of(rel: &Path) -> String {
    let c: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if c.get(1).map(String::as_str) == Some("待核对") {
        return c[..2].join("/");
    }
    c.iter().take(3).cloned().collect::<Vec<_>>().join("/")
}

fn strs(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn item_folder(campaign: &mailroom::config::CampaignFile, code: &str) -> String {
    let (_, it) = campaign.item(code).expect("a known item");
    format!(
        "{code} {}",
        it.short.clone().unwrap_or_else(|| it.title.clone())
    )
}

fn check_set(set: &str, at_least: usize) {
    let app = App::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(set);
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json"),
    )
    .expect("expected.json parses");
    let mut by_dept: BTreeMap<String, Vec<(PathBuf, &str)>> = BTreeMap::new();
    let mut label_of: BTreeMap<String, &serde_json::Value> = BTreeMap::new();
    for e in expected.as_array().expect("a list") {
        let file = e["file"].as_str().expect("file");
        by_dept
            .entry(e["department"].as_str().expect("department").to_owned())
            .or_default()
            .push((
                dir.join(file),
                e["internaldate"].as_str().expect("internaldate"),
            ));
        for a in e["expect"]["attachments"].as_array().into_iter().flatten() {
            label_of.insert(a["sha256"].as_str().unwrap_or("").to_owned(), e);
        }
    }
    for (d, files) in &by_dept {
        app.ingest(d, files);
    }
    let (campaign, units) = labels::config();
    let dept_name = |id: &str| campaign.department(id).expect("department").name.clone();
    let export: serde_json::Value =
        serde_json::from_str(&app.run(&["export"])).expect("export parses");
    // (attachment sha, folder) → how many times the ledger says it is filed there.
    let mut want: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut zips: BTreeSet<String> = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for s in export["submissions"].as_array().expect("submissions") {
        if s["kind"] != "submission" {
            continue;
        }
        let key = s["message_id"]
            .as_str()
            .map_or(s["ledger_id"].to_string(), str::to_owned);
        if !seen.insert(key) {
            continue;
        }
        let unit = s["unit"].as_str().and_then(|u| units.get(u));
        let flags = strs(&s["flags"]);
        let believed = s["unit_source"] == "manual"
            || !flags
                .iter()
                .any(|f| f == "sender_unverified" || f == "quarantined");
        for a in s["attachments"].as_array().into_iter().flatten() {
            let asha = a["sha256"].as_str().expect("sha256").to_owned();
            // The ledger agrees with the labels about the unit and the items.
            if let Some(l) = label_of.get(&asha) {
                assert_eq!(l["expect"]["unit"], s["unit"], "unit of {}", a["filename"]);
                for i in strs(&a["items"]) {
                    assert!(
                        strs(&l["expect"]["items"]).contains(&i),
                        "item {i} of {}",
                        a["filename"]
                    );
                }
            }
            if a["members"].is_array() {
                zips.insert(asha.clone());
            }
            let mut items = strs(&a["items"]);
            if items.is_empty() {
                items = strs(&s["items"]);
            }
            let folders: Vec<String> = match unit {
                Some(u) if believed && !items.is_empty() => items
                    .iter()
                    .flat_map(|i| {
                        let (_, it) = campaign.item(i).expect("item");
                        it.departments.iter().map(|d| {
                            format!("{}/{}/{}", dept_name(d), item_folder(&campaign, i), u.name)
                        })
                    })
                    .collect(),
                _ => {
                    let mut ds: BTreeSet<String> = items
                        .iter()
                        .flat_map(|i| campaign.item(i).expect("item").1.departments.clone())
                        .collect();
                    if ds.is_empty() {
                        ds.insert(s["department"].as_str().expect("department").to_owned());
                    }
                    ds.iter()
                        .map(|d| format!("{}/待核对", dept_name(d)))
                        .collect()
                }
            };
            for f in folders {
                *want.entry((asha.clone(), f)).or_default() += 1;
            }
        }
    }
    let tree = files(&app.tree());
    let mut got: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (rel, bytes) in &tree {
        *got.entry((sha(bytes), folder_of(rel))).or_default() += 1;
    }
    let mut checked = 0;
    for ((asha, folder), n) in &want {
        if zips.contains(asha) && !got.contains_key(&(asha.clone(), folder.clone())) {
            // Unpacked: its folder is there instead of the file.
            assert!(
                tree.keys()
                    .any(|k| folder_of(k) == *folder && k.components().count() > 4),
                "the unpacked zip {asha} is not in {folder}"
            );
            continue;
        }
        assert_eq!(
            got.get(&(asha.clone(), folder.clone())),
            Some(n),
            "{asha} in {folder}"
        );
        checked += 1;
    }
    // And nowhere else.
    for (asha, folder) in got.keys() {
        if want.keys().any(|(s, _)| s == asha) {
            assert!(
                want.contains_key(&(asha.clone(), folder.clone())),
                "{asha} also in {folder}"
            );
        }
    }
    eprintln!("{set}: {checked} files checked");
    assert!(checked >= at_least, "only {checked} files checked in {set}");
    for d in &campaign.departments {
        let book = PathBuf::from(&d.name).join("目录.xlsx");
        let links = catalogue_links(tree.get(&book).expect("a catalogue per 科室"));
        for l in &links {
            assert!(
                app.tree().join(&d.name).join(l).exists(),
                "{book:?} links to {l}, which is missing"
            );
        }
        let filed = tree
            .keys()
            .filter(|k| k.starts_with(&d.name) && !k.ends_with("目录.xlsx"));
        assert!(
            filed.count() == 0 || !links.is_empty(),
            "{book:?} has no links"
        );
    }

    // Deleted and rebuilt from the ledger: the same tree, byte for byte.
    std::fs::remove_dir_all(app.tree()).expect("delete the tree");
    app.run(&["materials", "--rebuild"]);
    assert_eq!(files(&app.tree()), tree, "the rebuilt tree differs");
}

/// The targets of a workbook's hyperlinks (relative to its folder).
fn catalogue_links(xlsx: &[u8]) -> Vec<String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("the catalogue is a zip");
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).expect("a part");
        let name = f.name().map(|n| n.into_owned()).unwrap_or_default();
        if !name.contains("worksheets/_rels/") {
            continue;
        }
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut f, &mut xml).expect("utf-8 rels");
        for part in xml.split("Target=\"").skip(1) {
            let target = part.split('"').next().unwrap_or("");
            out.push(percent_decode(target));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).expect("utf-8 link")
}

#[test]
fn corpus_files_are_filed_where_their_unit_and_items_say() {
    check_set("tests/data/corpus", 30);
}

#[test]
fn extra_files_are_filed_where_their_unit_and_items_say() {
    check_set("tests/data/extra", 12);
}

#[test]
fn blind_files_are_filed_where_their_unit_and_items_say() {
    check_set("tests/data/blind", 40);
}

#[test]
fn blind2_files_are_filed_where_their_unit_and_items_say() {
    check_set("tests/data/blind2", 40);
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn mail(id: &str, from: &str, subject: &str, name: &str, body: &[u8]) -> Vec<u8> {
    let w = format!("=?UTF-8?B?{}?=", b64(name.as_bytes()));
    format!(
        "From: {from}\r\nTo: tswzzb3@126.com\r\nSubject: =?UTF-8?B?{}?=\r\nMessage-ID: <{id}>\r\n\
         Date: Mon, 22 Jan 2018 10:00:00 +0800\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n见附件\r\n--b\r\n\
         Content-Type: application/pdf; name=\"{w}\"\r\nContent-Disposition: attachment; filename=\"{w}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
        b64(subject.as_bytes()),
        b64(body)
    )
    .into_bytes()
}

const UNIT_DIR: &str = "组织部/3.2 智慧团建/石碣镇团委";

#[test]
fn a_resubmission_moves_the_old_file_to_earlier_versions_and_late_files_are_marked() {
    let app = App::new();
    let first = b"%PDF-1.4\nfirst\n%%EOF\n";
    let second = b"%PDF-1.4\nsecond\n%%EOF\n";
    let subject = "石碣镇团委3.2智慧团建工作情况";
    let name = "石碣镇2017年智慧团建工作情况.pdf";
    app.ingest_one(
        "org",
        "a.eml",
        &mail("v1@t", "shijietw@163.com", subject, name, first),
        "2018-01-20T10:00:00+08:00",
    );
    let t = app.tree();
    assert_eq!(
        std::fs::read(t.join(UNIT_DIR).join(name)).expect("v1 in place"),
        first
    );
    app.ingest_one(
        "org",
        "b.eml",
        &mail("v2@t", "shijietw@163.com", subject, name, second),
        "2018-01-27T09:00:00+08:00",
    );
    let late = format!("【逾期】{name}");
    assert_eq!(
        std::fs::read(t.join(UNIT_DIR).join(&late)).expect("v2 in place"),
        second
    );
    assert!(!t.join(UNIT_DIR).join(name).exists());
    let old = t
        .join(UNIT_DIR)
        .join("历次版本/2018-01-20 10.00.00")
        .join(name);
    assert_eq!(std::fs::read(old).expect("v1 kept"), first);
}

#[test]
fn assign_moves_a_file_out_of_pending() {
    let app = App::new();
    let body = b"%PDF-1.4\nunknown\n%%EOF\n";
    let raw = mail("who@t", "someone@example.org", "材料", "工作情况.pdf", body);
    app.ingest_one("org", "u.eml", &raw, "2018-01-20T10:00:00+08:00");
    let pending = files(&app.tree().join("组织部/待核对"));
    assert_eq!(
        pending.values().filter(|b| b.as_slice() == body).count(),
        1,
        "{pending:?}"
    );
    app.run(&["assign", "who@t", "--unit", "shijie", "--items", "3.2"]);
    assert!(
        !app.tree().join("组织部/待核对").exists()
            || files(&app.tree().join("组织部/待核对")).is_empty()
    );
    let filed = std::fs::read(app.tree().join(UNIT_DIR).join("工作情况.pdf")).expect("filed");
    assert_eq!(filed, body);
}

#[test]
fn the_zip_lists_chinese_names_in_pythons_zipfile() {
    let app = App::new();
    let raw = mail(
        "z@t",
        "shijietw@163.com",
        "石碣镇团委3.2智慧团建",
        "智慧团建.pdf",
        b"%PDF-1.4\n%%EOF\n",
    );
    app.ingest_one("org", "z.eml", &raw, "2018-01-20T10:00:00+08:00");
    let out = app.dir.path().join("组织部.zip");
    app.run(&[
        "materials",
        "--department",
        "org",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let script = "import sys, zipfile\n\
                  z = zipfile.ZipFile(sys.argv[1])\n\
                  for i in z.infolist():\n\
                  \x20   ascii = all(ord(c) < 128 for c in i.filename)\n\
                  \x20   assert ascii or i.flag_bits & 0x800, i.filename\n\
                  \x20   print(i.filename)\n\
                  assert z.testzip() is None\n";
    let py = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&out)
        .output()
        .expect("python3");
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let names = String::from_utf8(py.stdout).expect("utf-8");
    assert!(names.lines().any(|l| l == "组织部/目录.xlsx"), "{names}");
    assert!(
        names
            .lines()
            .any(|l| l == "组织部/3.2 智慧团建/石碣镇团委/智慧团建.pdf"),
        "{names}"
    );
    assert!(names.lines().all(|l| l.starts_with("组织部/")), "{names}");
}
