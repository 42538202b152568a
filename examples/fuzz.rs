//! Mutation fuzzing of `inspect` + `classify` for a fixed time, for
//! BENCHMARKS.md (`bench/fuzz.sh [SECONDS]` builds it in release and runs it).
//!
//!     fuzz [--seconds N] [--seed S] [--hostile DIR] [--memory-mb M] [--hang-secs H]
//!
//! Seeds: tests/data/corpus, blind*, extra and the generated hostile set.
//! Every seed runs once as it is; seeds up to 1 MiB, and the files attached
//! to them, are then mutated: byte flips, interesting integers, splices
//! between seeds, truncation, duplicated and deleted chunks, numbers in
//! text (XML attributes) replaced by extreme ones, and inside zip
//! containers (xlsx, docx, ods, zip) a member's content mutated and the
//! archive rebuilt, or its size fields made to lie. An input that shows a
//! new fact (a kind, flag, problem or per-file state) joins the pool.
//!
//! Executions run in-process in one child process (a fork server): a panic
//! is caught per execution; an abort, a crash signal or a hang (no
//! execution finishing for --hang-secs) ends the child, the parent saves
//! the input and forks a new one. The child runs under RLIMIT_AS
//! (--memory-mb, 4096 by default) so a runaway allocation fails instead of
//! taking the machine. Inputs are saved under target/fuzz-crashes/ (crashes,
//! panics) and target/fuzz-worst/ (slowest, largest memory growth).

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::{TimeZone, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use mailroom::classify::{Context, UnitMatcher, classify};
use mailroom::config::{CampaignFile, UnitsFile};
use mailroom::inspect::{Limits, inspect};

const MAX_MUTATED_SEED: usize = 1 << 20;
const MAX_INPUT: usize = 32 << 20;
const POOL_CAP: usize = 4000;
const TOP: usize = 5;
const DEPARTMENTS: [&str; 5] = ["office", "org", "publicity", "school", "liangxin"];
const OPS: [&str; 11] = [
    "seed as is",
    "byte flips",
    "interesting integer",
    "splice of two seeds",
    "truncation",
    "duplicated chunk",
    "deleted chunk",
    "attachment bytes mutated",
    "zip member mutated",
    "zip size fields lie",
    "number in text made extreme",
];

/// Counters the child writes and the parent reads (one writer).
#[repr(C)]
struct Shared {
    execs: AtomicU64,
    escaped_panics: AtomicU64,
    parser_failures: AtomicU64,
    handled_panics: AtomicU64,
    pool_added: AtomicU64,
    op_counts: [AtomicU64; OPS.len()],
    op_new: [AtomicU64; OPS.len()],
    /// (nanoseconds, length, op, hash) of the slowest executions, slowest first.
    slow: [[AtomicU64; 4]; TOP],
    /// (kB of new peak RSS in one execution, length, op, hash).
    growth: [[AtomicU64; 4]; TOP],
    cur_len: AtomicU64,
    cur_op: AtomicU64,
    /// Index + 1 of the seed being run as it is (0 for a mutated input).
    cur_seed: AtomicU64,
    done: AtomicU64,
}

struct Args {
    seconds: u64,
    seed: u64,
    hostile: PathBuf,
    memory_mb: u64,
    hang_secs: u64,
}

fn args() -> Args {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut a = Args {
        seconds: 600,
        seed: 0x6675_7a7a_6d61_696c,
        hostile: root.join("target/fuzz-hostile"),
        memory_mb: 4096,
        hang_secs: 60,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    for p in v.chunks(2) {
        let val = p.get(1).map(String::as_str).unwrap_or("");
        let num = || {
            let s = val.trim_start_matches("0x");
            let radix = if val.starts_with("0x") { 16 } else { 10 };
            u64::from_str_radix(s, radix)
                .unwrap_or_else(|_| panic!("{}: not a number: {val}", p[0]))
        };
        match p[0].as_str() {
            "--seconds" => a.seconds = num(),
            "--seed" => a.seed = num(),
            "--hostile" => a.hostile = PathBuf::from(val),
            "--memory-mb" => a.memory_mb = num(),
            "--hang-secs" => a.hang_secs = num(),
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

struct Seed {
    name: String,
    raw: Vec<u8>,
}

struct Att {
    seed: usize,
    name: String,
    ctype: String,
    bytes: Vec<u8>,
}

fn seeds(hostile: &Path) -> (Vec<Seed>, Vec<(String, usize)>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut dirs: Vec<PathBuf> = vec![root.join("corpus"), root.join("extra")];
    if let Ok(rd) = std::fs::read_dir(&root) {
        let mut blind: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("blind"))
            })
            .collect();
        blind.sort();
        dirs.extend(blind);
    }
    dirs.push(hostile.to_path_buf());
    let mut out = Vec::new();
    let mut counts = Vec::new();
    for d in dirs {
        let Ok(rd) = std::fs::read_dir(&d) else {
            eprintln!("no seeds in {} (skipped)", d.display());
            continue;
        };
        let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        let before = out.len();
        for f in files
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "eml"))
        {
            if let Ok(raw) = std::fs::read(&f) {
                out.push(Seed {
                    name: format!(
                        "{}/{}",
                        dir_name(&d),
                        f.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    ),
                    raw,
                });
            }
        }
        counts.push((dir_name(&d), out.len() - before));
    }
    (out, counts)
}

fn dir_name(d: &Path) -> String {
    d.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The files attached to the small seeds, decoded, for mutations that keep
/// the MIME and base64 layers valid and reach the file parsers.
fn attachments(seeds: &[Seed]) -> Vec<Att> {
    let mut out = Vec::new();
    for (i, s) in seeds
        .iter()
        .enumerate()
        .filter(|(_, s)| s.raw.len() <= MAX_MUTATED_SEED)
    {
        let Some(m) = MessageParser::default().parse(&s.raw) else {
            continue;
        };
        for p in m.attachments().take(20) {
            let ctype = p
                .content_type()
                .map_or("application/octet-stream".to_owned(), |c| {
                    format!("{}/{}", c.ctype(), c.subtype().unwrap_or("octet-stream"))
                });
            let bytes = p.contents();
            if !bytes.is_empty() && bytes.len() <= MAX_MUTATED_SEED {
                out.push(Att {
                    seed: i,
                    name: p.attachment_name().unwrap_or("附件.bin").to_owned(),
                    ctype,
                    bytes: bytes.to_vec(),
                });
            }
        }
    }
    out
}

// ------------------------------------------------------------- mutations

const INTERESTING: [u64; 12] = [
    0,
    1,
    0x7F,
    0x80,
    0xFF,
    0xFFFF,
    0x7FFF_FFFF,
    0x8000_0000,
    0xFFFF_FFFE,
    0xFFFF_FFFF,
    0x1_0000_0000,
    u64::MAX,
];
const BIG_NUMBERS: [&str; 9] = [
    "0",
    "-1",
    "65536",
    "1048576",
    "16384",
    "4294967295",
    "4294967296",
    "99999999999999999999",
    "1e308",
];

fn bytes_op(rng: &mut fastrand::Rng, b: &mut Vec<u8>, other: &[u8]) -> usize {
    let len = b.len().max(1);
    let op = rng.usize(1..7);
    match op {
        1 => {
            for _ in 0..rng.usize(1..33) {
                let i = rng.usize(0..len);
                if let Some(x) = b.get_mut(i) {
                    *x ^= 1 << rng.u8(0..8);
                }
            }
        }
        2 => {
            let v = INTERESTING[rng.usize(0..INTERESTING.len())];
            let w = [1usize, 2, 4, 8][rng.usize(0..4)];
            let bytes = if rng.bool() {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            };
            let at = rng.usize(0..len);
            for (k, x) in bytes[..w].iter().enumerate() {
                if let Some(y) = b.get_mut(at + k) {
                    *y = *x;
                }
            }
        }
        3 => {
            let a = rng.usize(0..len);
            let c = rng.usize(0..other.len().max(1));
            b.truncate(a);
            b.extend_from_slice(other.get(c..).unwrap_or(&[]));
        }
        4 => b.truncate(rng.usize(0..len)),
        5 => {
            let s = rng.usize(0..len);
            let e = (s + rng.usize(1..4096.min(len) + 1)).min(b.len());
            let chunk = b.get(s..e).unwrap_or(&[]).to_vec();
            let at = rng.usize(0..len);
            for _ in 0..rng.usize(1..9) {
                b.splice(at.min(b.len())..at.min(b.len()), chunk.iter().copied());
            }
        }
        _ => {
            let s = rng.usize(0..len);
            let e = (s + rng.usize(1..4096)).min(b.len());
            if s < e {
                b.drain(s..e);
            }
        }
    }
    b.truncate(MAX_INPUT);
    op
}

/// A run of ASCII digits replaced by an extreme number (repeat counts,
/// uniqueCount, cell references, lengths in headers).
fn extreme_number(rng: &mut fastrand::Rng, b: &mut Vec<u8>) -> bool {
    for _ in 0..16 {
        let i = rng.usize(0..b.len().max(1));
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            continue;
        }
        let mut s = i;
        while s > 0 && b[s - 1].is_ascii_digit() {
            s -= 1;
        }
        let mut e = i;
        while e < b.len() && b[e].is_ascii_digit() {
            e += 1;
        }
        let n = BIG_NUMBERS[rng.usize(0..BIG_NUMBERS.len())];
        b.splice(s..e, n.bytes());
        return true;
    }
    false
}

fn zip_member(rng: &mut fastrand::Rng, zip: &[u8]) -> Option<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let mut za = zip::ZipArchive::new(Cursor::new(zip)).ok()?;
    let n = za.len();
    if n == 0 || n > 2000 {
        return None;
    }
    let target = rng.usize(0..n);
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..n {
        if i == target {
            let mut f = za.by_index(i).ok()?;
            if f.size() > 8 << 20 {
                return None;
            }
            let name = f.name().ok()?.into_owned();
            let mut data = Vec::new();
            (&mut f).take(8 << 20).read_to_end(&mut data).ok()?;
            drop(f);
            if rng.bool() || !extreme_number(rng, &mut data) {
                let copy = data.clone();
                for _ in 0..rng.usize(1..4) {
                    bytes_op(rng, &mut data, &copy);
                }
            }
            let opts =
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            w.start_file(name, opts).ok()?;
            w.write_all(&data).ok()?;
        } else {
            w.raw_copy_file(za.by_index_raw(i).ok()?).ok()?;
        }
    }
    Some(w.finish().ok()?.into_inner())
}

fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    hay.windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

fn zip_sizes(rng: &mut fastrand::Rng, z: &mut [u8]) {
    for sig in [&b"PK\x03\x04"[..], &b"PK\x01\x02"[..]] {
        for p in find_all(z, sig) {
            let off = if sig[2] == 3 { p + 18 } else { p + 20 };
            if rng.bool() && off + 8 <= z.len() {
                let v = INTERESTING[rng.usize(0..INTERESTING.len())] as u32;
                let f = off + 4 * rng.usize(0..2);
                z[f..f + 4].copy_from_slice(&v.to_le_bytes());
            }
        }
    }
}

/// The seed's header block without its MIME headers, for re-wrapping a file.
fn envelope(raw: &[u8]) -> Vec<u8> {
    let end = find_all(&raw[..raw.len().min(256 << 10)], b"\r\n\r\n")
        .first()
        .copied()
        .unwrap_or(0);
    let mut out = Vec::new();
    let mut skip = false;
    for line in raw[..end].split(|&c| c == b'\n') {
        let cont = line.first().is_some_and(|c| *c == b' ' || *c == b'\t');
        if !cont {
            let l = String::from_utf8_lossy(&line[..line.len().min(40)]).to_ascii_lowercase();
            skip = [
                "content-type:",
                "content-transfer-encoding:",
                "mime-version:",
            ]
            .iter()
            .any(|h| l.starts_with(h));
        }
        if !skip && !line.is_empty() {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }
    out
}

fn wrap(env: &[u8], name: &str, ctype: &str, data: &[u8]) -> Vec<u8> {
    let b64 = |d: &[u8]| {
        let s = base64::engine::general_purpose::STANDARD.encode(d);
        s.as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("\r\n")
    };
    let n = format!(
        "=?UTF-8?B?{}?=",
        base64::engine::general_purpose::STANDARD.encode(name)
    );
    let mut m = env.to_vec();
    m.extend_from_slice(b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"=_fuzz_=\"\r\n\r\n--=_fuzz_=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    m.extend(b64("附件是我单位2017年度工作材料，请查收。".as_bytes()).into_bytes());
    m.extend(format!("\r\n--=_fuzz_=\r\nContent-Type: {ctype}; name=\"{n}\"\r\nContent-Disposition: attachment; filename=\"{n}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n").into_bytes());
    m.extend(b64(data).into_bytes());
    m.extend_from_slice(b"\r\n--=_fuzz_=--\r\n");
    m
}

struct Fuzzer<'a> {
    rng: fastrand::Rng,
    seeds: &'a [Seed],
    small: Vec<usize>,
    atts: &'a [Att],
    pool: Vec<Vec<u8>>,
}

impl Fuzzer<'_> {
    fn base(&mut self) -> Vec<u8> {
        if !self.pool.is_empty() && self.rng.u8(0..4) == 0 {
            return self.pool[self.rng.usize(0..self.pool.len())].clone();
        }
        self.seeds[self.small[self.rng.usize(0..self.small.len())]]
            .raw
            .clone()
    }

    fn next(&mut self) -> (usize, Vec<u8>) {
        let rng = &mut self.rng;
        let op = rng.usize(1..OPS.len());
        if (7..=9).contains(&op) && !self.atts.is_empty() {
            let zips: Vec<usize> = (0..self.atts.len())
                .filter(|&i| self.atts[i].bytes.starts_with(b"PK\x03\x04"))
                .collect();
            let a = match op {
                7 => &self.atts[rng.usize(0..self.atts.len())],
                _ if !zips.is_empty() => &self.atts[zips[rng.usize(0..zips.len())]],
                _ => &self.atts[rng.usize(0..self.atts.len())],
            };
            let other = &self.atts[rng.usize(0..self.atts.len())].bytes;
            let mut data = a.bytes.clone();
            let op = match op {
                8 => match zip_member(rng, &data) {
                    Some(z) => {
                        data = z;
                        8
                    }
                    None => {
                        bytes_op(rng, &mut data, other);
                        7
                    }
                },
                9 => {
                    zip_sizes(rng, &mut data);
                    9
                }
                _ => {
                    for _ in 0..rng.usize(1..5) {
                        bytes_op(rng, &mut data, other);
                    }
                    7
                }
            };
            let env = envelope(&self.seeds[a.seed].raw);
            return (op, wrap(&env, &a.name, &a.ctype, &data));
        }
        let mut m = self.base();
        let other = self.seeds[self.small[self.rng.usize(0..self.small.len())]]
            .raw
            .clone();
        let rng = &mut self.rng;
        if op == 10 && extreme_number(rng, &mut m) {
            return (10, m);
        }
        let op = bytes_op(rng, &mut m, &other);
        (op, m)
    }
}

// ------------------------------------------------------------- execution

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
static PANICS: AtomicU64 = AtomicU64::new(0);

fn maxrss_kb(who: libc::c_int) -> u64 {
    // SAFETY: getrusage fills the zeroed struct we own.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut u) };
    u.ru_maxrss as u64
}

fn hash(b: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    b.hash(&mut h);
    h.finish()
}

fn save(dir: &str, name: &str, data: &[u8], note: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(dir);
    let _ = std::fs::create_dir_all(&d);
    let p = d.join(name);
    let _ = std::fs::write(&p, data);
    if !note.is_empty() {
        let _ = std::fs::write(p.with_extension("txt"), note);
    }
    p
}

/// Keeps the TOP largest (value, len, op, hash) rows, largest first; true
/// when this one got in.
fn top(rows: &[[AtomicU64; 4]; TOP], v: u64, len: u64, op: u64, h: u64) -> bool {
    let mut vals: Vec<[u64; 4]> = rows
        .iter()
        .map(|r| {
            [
                r[0].load(Relaxed),
                r[1].load(Relaxed),
                r[2].load(Relaxed),
                r[3].load(Relaxed),
            ]
        })
        .collect();
    if v <= vals[TOP - 1][0] || vals.iter().any(|r| r[3] == h) {
        return false;
    }
    vals[TOP - 1] = [v, len, op, h];
    vals.sort_by(|a, b| b[0].cmp(&a[0]));
    for (r, x) in rows.iter().zip(vals) {
        for k in 0..4 {
            r[k].store(x[k], Relaxed);
        }
    }
    true
}

#[allow(clippy::too_many_arguments)]
fn child(
    sh: &Shared,
    buf: &mut [u8],
    a: &Args,
    restart: u64,
    seeds: &[Seed],
    atts: &[Att],
    campaign: &CampaignFile,
    units: &UnitsFile,
    deadline: Instant,
) -> ! {
    let lim = libc::rlimit {
        rlim_cur: a.memory_mb << 20,
        rlim_max: a.memory_mb << 20,
    };
    // SAFETY: plain setrlimit on ourselves.
    unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) };
    std::panic::set_hook(Box::new(|info| {
        PANICS.fetch_add(1, Relaxed);
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut g) = LAST_PANIC.lock() {
            *g = Some(format!("{at}: {msg}"));
        }
    }));
    let limits = Limits::default();
    let matcher = UnitMatcher::new(units);
    let own: Vec<String> = campaign
        .departments
        .iter()
        .map(|d| d.mailbox.clone())
        .collect();
    let arrived = Utc
        .with_ymd_and_hms(2018, 1, 24, 2, 0, 0)
        .single()
        .expect("valid time");
    let small: Vec<usize> = (0..seeds.len())
        .filter(|&i| seeds[i].raw.len() <= MAX_MUTATED_SEED)
        .collect();
    let mut f = Fuzzer {
        rng: fastrand::Rng::with_seed(a.seed ^ restart.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        seeds,
        small,
        atts,
        pool: Vec::new(),
    };
    let mut seen: HashSet<u64> = HashSet::new();
    let mut saved_panics: HashSet<String> = HashSet::new();
    // The seed pass runs once, in the first child only.
    let mut seed_next = if restart == 0 { 0 } else { seeds.len() };
    while Instant::now() < deadline {
        let (op, input) = if seed_next < seeds.len() {
            seed_next += 1;
            (0, seeds[seed_next - 1].raw.clone())
        } else {
            f.next()
        };
        let n = input.len().min(buf.len());
        buf[..n].copy_from_slice(&input[..n]);
        sh.cur_len.store(n as u64, Relaxed);
        sh.cur_op.store(op as u64, Relaxed);
        sh.cur_seed
            .store(if op == 0 { seed_next as u64 } else { 0 }, Relaxed);
        let dept = DEPARTMENTS[f.rng.usize(0..DEPARTMENTS.len())];
        let panics_before = PANICS.load(Relaxed);
        let rss_before = maxrss_kb(libc::RUSAGE_SELF);
        let t = Instant::now();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let insp = inspect(&input, &limits);
            let ctx = Context::new(campaign, units, dept, arrived, &own).with_matcher(&matcher);
            let c = classify(&insp, &ctx);
            let _ = c.summary();
            // An outcome is a set of facts: the kind and flags, each
            // problem by the first words of its reason (no file names,
            // quoted text or numbers, which any mutation changes), and each
            // file's kind and state. An input showing a fact never seen
            // before joins the pool (facts play the part of coverage).
            let mut sig = std::collections::BTreeSet::new();
            sig.insert(format!("{:?}{:?}", c.kind, c.flags));
            for p in &insp.problems {
                let why = p.detail.split_once(": ").map_or(&*p.detail, |(_, w)| w);
                let why: Vec<&str> = why
                    .split_whitespace()
                    .filter(|w| !w.contains(|c: char| c.is_ascii_digit() || c == '"'))
                    .take(4)
                    .collect();
                sig.insert(format!("{:?} {}", p.kind, why.join(" ")));
            }
            for at in &insp.attachments {
                sig.insert(format!(
                    "{:?} {} {} {}",
                    at.kind,
                    at.unreadable.is_some(),
                    at.suspicious.is_some(),
                    !at.forms.is_empty()
                ));
            }
            let failure = insp
                .problems
                .iter()
                .any(|p| p.detail.contains("parser failure"));
            (
                sig.iter().map(|f| hash(f.as_bytes())).collect::<Vec<u64>>(),
                failure,
            )
        }));
        let ns = t.elapsed().as_nanos() as u64;
        let growth = maxrss_kb(libc::RUSAGE_SELF).saturating_sub(rss_before);
        let h = hash(&input);
        let panicked = PANICS.load(Relaxed) > panics_before;
        let note = || {
            format!(
                "op: {}{}\n{}\n",
                OPS[op],
                if op == 0 {
                    format!(" ({})", seeds[seed_next - 1].name)
                } else {
                    String::new()
                },
                LAST_PANIC
                    .lock()
                    .ok()
                    .and_then(|g| g.clone())
                    .unwrap_or_default()
            )
        };
        match r {
            Err(_) => {
                sh.escaped_panics.fetch_add(1, Relaxed);
                save(
                    "fuzz-crashes",
                    &format!("panic-{h:016x}.eml"),
                    &input,
                    &note(),
                );
            }
            Ok((sig, failure)) => {
                if failure {
                    sh.parser_failures.fetch_add(1, Relaxed);
                    save(
                        "fuzz-crashes",
                        &format!("parser-failure-{h:016x}.eml"),
                        &input,
                        &note(),
                    );
                } else if panicked {
                    sh.handled_panics.fetch_add(1, Relaxed);
                    let at = LAST_PANIC
                        .lock()
                        .ok()
                        .and_then(|g| g.clone())
                        .unwrap_or_default();
                    let at = at.split(": ").next().unwrap_or("").to_owned();
                    if saved_panics.insert(at) {
                        save(
                            "fuzz-crashes",
                            &format!("handled-panic-{h:016x}.eml"),
                            &input,
                            &note(),
                        );
                    }
                }
                let new = sig.iter().filter(|f| seen.insert(**f)).count() > 0;
                if new && op != 0 && input.len() <= MAX_MUTATED_SEED && f.pool.len() < POOL_CAP {
                    f.pool.push(input.clone());
                    sh.pool_added.fetch_add(1, Relaxed);
                    sh.op_new[op].fetch_add(1, Relaxed);
                }
            }
        }
        let code = op as u64 | if op == 0 { (seed_next as u64) << 8 } else { 0 };
        if top(&sh.slow, ns, input.len() as u64, code, h) {
            save(
                "fuzz-worst",
                &format!("slow-{h:016x}.eml"),
                &input,
                &format!("op: {}\n{} ms\n", OPS[op], ns / 1_000_000),
            );
        }
        if growth > 0 && top(&sh.growth, growth, input.len() as u64, code, h) {
            save(
                "fuzz-worst",
                &format!("rss-{h:016x}.eml"),
                &input,
                &format!("op: {}\n+{growth} kB peak RSS\n", OPS[op]),
            );
        }
        sh.op_counts[op].fetch_add(1, Relaxed);
        sh.execs.fetch_add(1, Relaxed);
    }
    sh.done.store(1, Relaxed);
    // SAFETY: leaving the forked child without running the parent's destructors.
    unsafe { libc::_exit(0) }
}

// ------------------------------------------------------------- parent

fn main() {
    let a = args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |f: &str| {
        std::fs::read_to_string(root.join("config").join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
    };
    let campaign: CampaignFile =
        toml::from_str(&read("campaign-2017.toml")).expect("campaign file");
    let units: UnitsFile = toml::from_str(&read("units.toml")).expect("units file");
    let (seeds, counts) = seeds(&a.hostile);
    assert!(!seeds.is_empty(), "no seeds");
    let atts = attachments(&seeds);
    let big = seeds
        .iter()
        .filter(|s| s.raw.len() > MAX_MUTATED_SEED)
        .count();
    eprintln!(
        "fuzz: seed {:#x}, {} s, {} seeds, {} attachments",
        a.seed,
        a.seconds,
        seeds.len(),
        atts.len()
    );

    let size = std::mem::size_of::<Shared>() + MAX_INPUT;
    // SAFETY: a fresh shared anonymous mapping, zero-filled; Shared is all
    // atomics, for which zero is a valid value.
    let mem = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(mem, libc::MAP_FAILED, "mmap");
    let sh: &Shared = unsafe { &*(mem as *const Shared) };
    let buf: &mut [u8] = unsafe {
        std::slice::from_raw_parts_mut(
            (mem as *mut u8).add(std::mem::size_of::<Shared>()),
            MAX_INPUT,
        )
    };

    let started = Instant::now();
    let deadline = started + Duration::from_secs(a.seconds);
    let mut restart = 0u64;
    let mut crashes: Vec<(String, PathBuf)> = Vec::new();
    while Instant::now() < deadline {
        // SAFETY: the parent is single-threaded here; the child only runs
        // the fuzz loop and leaves with _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork");
        if pid == 0 {
            child(
                sh, buf, &a, restart, &seeds, &atts, &campaign, &units, deadline,
            );
        }
        let mut last = (sh.execs.load(Relaxed), Instant::now());
        let mut hung = false;
        let status = loop {
            let mut st = 0;
            // SAFETY: waiting for our own child.
            let r = unsafe { libc::waitpid(pid, &mut st, libc::WNOHANG) };
            if r == pid {
                break st;
            }
            let e = sh.execs.load(Relaxed);
            if e != last.0 {
                last = (e, Instant::now());
            } else if last.1.elapsed() > Duration::from_secs(a.hang_secs) && !hung {
                hung = true;
                // SAFETY: killing our own child.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let exited_clean =
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 && sh.done.load(Relaxed) == 1;
        if !exited_clean {
            let n = (sh.cur_len.load(Relaxed) as usize).min(MAX_INPUT);
            let input = &buf[..n];
            let mut op = OPS[(sh.cur_op.load(Relaxed) as usize).min(OPS.len() - 1)].to_owned();
            if let Some(s) = seeds.get((sh.cur_seed.load(Relaxed) as usize).wrapping_sub(1)) {
                op = format!("{op} ({})", s.name);
            }
            let what = if hung {
                format!("hang (no execution finished in {} s)", a.hang_secs)
            } else if libc::WIFSIGNALED(status) {
                format!("signal {}", libc::WTERMSIG(status))
            } else {
                format!("exit status {:#x}", status)
            };
            let tag = what.split(' ').next().unwrap_or("crash").to_owned();
            let p = save(
                "fuzz-crashes",
                &format!("{tag}-{:016x}.eml", hash(input)),
                input,
                &format!("{what}\nop: {op}\n"),
            );
            eprintln!(
                "fuzz: child died ({what}) on a {n}-byte input, saved {}",
                p.display()
            );
            crashes.push((format!("{what}, op {op}, {n} bytes"), p));
            sh.execs.fetch_add(1, Relaxed);
            sh.op_counts[(sh.cur_op.load(Relaxed) as usize).min(OPS.len() - 1)]
                .fetch_add(1, Relaxed);
        }
        restart += 1;
    }
    let took = started.elapsed().as_secs_f64();
    let rss = maxrss_kb(libc::RUSAGE_CHILDREN);
    let names: Vec<String> = seeds.iter().map(|s| s.name.clone()).collect();
    summary(
        &a,
        sh,
        &counts,
        &names,
        big,
        atts.len(),
        took,
        rss,
        &crashes,
    );
}

#[allow(clippy::too_many_arguments)]
fn summary(
    a: &Args,
    sh: &Shared,
    counts: &[(String, usize)],
    names: &[String],
    big: usize,
    n_atts: usize,
    took: f64,
    rss_kb: u64,
    crashes: &[(String, PathBuf)],
) {
    let execs = sh.execs.load(Relaxed);
    let esc = sh.escaped_panics.load(Relaxed);
    let pf = sh.parser_failures.load(Relaxed);
    let crash_total = esc + pf + crashes.len() as u64;
    let mut s = String::new();
    s.push_str(&format!(
        "### Fuzzing inspect + classify (`bench/fuzz.sh {}`)\n\n{} build, one worker process, {:.0} s, seed `{:#x}`, RLIMIT_AS {} MiB. Seeds: {} ({}); {} larger than 1 MiB run once, not mutated; {} attached files mutated in place.\n\n",
        a.seconds, if cfg!(debug_assertions) { "Debug" } else { "Release" }, took, a.seed, a.memory_mb, names.len(),
        counts.iter().map(|(d, n)| format!("{d} {n}")).collect::<Vec<_>>().join(", "),
        big, n_atts
    ));
    s.push_str("| executions | exec/s | crashes | escaped panics | parser failures (caught by inspect) | aborts/signals/hangs | handled panics (inside a reader's catch) | inputs kept (new facts) | peak RSS (MiB) |\n|---|---|---|---|---|---|---|---|---|\n");
    s.push_str(&format!(
        "| {execs} | {:.0} | {crash_total} | {esc} | {pf} | {} | {} | {} | {} |\n\n",
        execs as f64 / took.max(0.001),
        crashes.len(),
        sh.handled_panics.load(Relaxed),
        sh.pool_added.load(Relaxed),
        rss_kb / 1024
    ));
    let rows = |rows: &[[AtomicU64; 4]; TOP], unit: &str, div: u64| {
        let mut t = String::new();
        for r in rows.iter().filter(|r| r[0].load(Relaxed) > 0) {
            let file = format!(
                "{}-{:016x}.eml",
                if unit == "ms" { "slow" } else { "rss" },
                r[3].load(Relaxed)
            );
            let v = r[0].load(Relaxed);
            let value = if div == 1024 {
                format!("{:.1}", v as f64 / 1024.0)
            } else {
                (v / div).to_string()
            };
            // op in the low byte, index + 1 of an unmutated seed above it
            let code = r[2].load(Relaxed);
            let mut made = OPS[((code & 0xFF) as usize).min(OPS.len() - 1)].to_owned();
            if let Some(n) = names.get(((code >> 8) as usize).wrapping_sub(1)) {
                made = format!("{made} ({n})");
            }
            t.push_str(&format!(
                "| {value} {unit} | {} | {made} | target/fuzz-worst/{file} |\n",
                r[1].load(Relaxed),
            ));
        }
        t
    };
    s.push_str("Slowest messages:\n\n| time | bytes | made by | input |\n|---|---|---|---|\n");
    s.push_str(&rows(&sh.slow, "ms", 1_000_000));
    s.push_str("\nLargest rise of the peak RSS during one message:\n\n| rise | bytes | made by | input |\n|---|---|---|---|\n");
    s.push_str(&rows(&sh.growth, "MiB", 1024));
    s.push_str(
        "\nMutations:\n\n| operator | executions | inputs kept (new facts) |\n|---|---|---|\n",
    );
    for (i, name) in OPS.iter().enumerate() {
        s.push_str(&format!(
            "| {name} | {} | {} |\n",
            sh.op_counts[i].load(Relaxed),
            sh.op_new[i].load(Relaxed)
        ));
    }
    if !crashes.is_empty() {
        s.push_str("\nChild processes lost:\n\n");
        for (what, p) in crashes {
            s.push_str(&format!("- {what}: `{}`\n", p.display()));
        }
    }
    if esc + pf > 0 || sh.handled_panics.load(Relaxed) > 0 {
        s.push_str("\nPanicking inputs are in `target/fuzz-crashes/` (a `.txt` beside each names the panic).\n");
    }
    println!("{s}");
    let _ = std::fs::write(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-summary.md"),
        &s,
    );
}
