//! Bounded, seeded mutation fuzzing of inspect + classify over the corpus and
//! the extra set: byte flips, truncation, removed and duplicated boundaries,
//! random header bytes, huge header lines, deep rfc822 nesting and zips with
//! bogus sizes. Every case runs under a watchdog so a hang fails the test.

mod labels;

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::{TimeZone, Utc};
use mailroom::classify::{Context, classify};
use mailroom::inspect::{Limits, inspect};

const SEED: u64 = 0x6d61_696c_726f_6f6d;
/// Mutated cases per seed message family; the total stays in the low thousands.
const ROUNDS: usize = 24;
/// A single message must be understood well within this (debug build).
const WATCHDOG: Duration = Duration::from_secs(20);

fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["tests/data/corpus", "tests/data/extra"] {
        let d = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut files: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        files.sort();
        for f in files {
            if f.extension().is_some_and(|e| e == "eml")
                && let Ok(b) = std::fs::read(&f)
                // The 560 KB zip bomb is covered by its own cases below.
                && b.len() < 200_000
            {
                out.push((
                    f.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    b,
                ));
            }
        }
    }
    out
}

fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    hay.windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

fn line_at(raw: &[u8], start: usize) -> (usize, usize) {
    let end = raw[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(raw.len(), |p| start + p + 1);
    (start, end)
}

fn mutate(rng: &mut fastrand::Rng, raw: &[u8]) -> (String, Vec<u8>) {
    let mut m = raw.to_vec();
    match rng.usize(0..8) {
        0 => {
            let n = rng.usize(1..40);
            for _ in 0..n {
                let i = rng.usize(0..m.len().max(1));
                if let Some(b) = m.get_mut(i) {
                    *b = rng.u8(..);
                }
            }
            (format!("{n} byte flips"), m)
        }
        1 => {
            let at = rng.usize(0..m.len().max(1));
            m.truncate(at);
            (format!("truncated at {at}"), m)
        }
        2 => {
            let lines = find_all(&m, b"\n--");
            if let Some(&p) = lines.get(rng.usize(0..lines.len().max(1))) {
                let (s, e) = line_at(&m, p + 1);
                m.drain(s..e);
            }
            ("removed a boundary line".into(), m)
        }
        3 => {
            let lines = find_all(&m, b"\n--");
            if let Some(&p) = lines.get(rng.usize(0..lines.len().max(1))) {
                let (s, e) = line_at(&m, p + 1);
                let dup = m[s..e].to_vec();
                for _ in 0..rng.usize(1..4) {
                    m.splice(s..s, dup.iter().copied());
                }
            }
            ("duplicated a boundary line".into(), m)
        }
        4 => {
            let end = find_all(&m, b"\r\n\r\n")
                .first()
                .copied()
                .unwrap_or(m.len().min(200));
            let at = rng.usize(0..end.max(1));
            let junk: Vec<u8> = (0..rng.usize(1..300)).map(|_| rng.u8(..)).collect();
            m.splice(at..at, junk);
            ("random bytes in the header".into(), m)
        }
        5 => {
            let mut h = b"X-Long: ".to_vec();
            let kind = rng.usize(0..3);
            for _ in 0..rng.usize(1000..20000) {
                match kind {
                    0 => h.extend_from_slice(b"AAAAAAAAAA"),
                    1 => h.extend_from_slice(b"=?gbk?B?yq/B+g==?= "),
                    _ => h.extend_from_slice(b"a;\r\n "),
                }
            }
            h.extend_from_slice(b"\r\n");
            m.splice(0..0, h);
            ("huge header line".into(), m)
        }
        6 => {
            let cut = rng.usize(0..m.len().max(1));
            let tail: Vec<u8> = m[cut..].iter().rev().copied().collect();
            m.truncate(cut);
            m.extend(tail);
            ("reversed tail".into(), m)
        }
        _ => {
            // Flip bytes only inside base64 bodies: decodes to broken files.
            let n = rng.usize(1..200);
            for _ in 0..n {
                let i = rng.usize(m.len() / 3..m.len().max(1));
                if let Some(b) = m.get_mut(i)
                    && b.is_ascii_alphanumeric()
                {
                    *b = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                        [rng.usize(0..64)];
                }
            }
            (format!("{n} base64 character changes"), m)
        }
    }
}

fn nested(depth: usize, encoded: bool) -> Vec<u8> {
    let mut msg =
        b"From: a@b.test\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\nhello\r\n".to_vec();
    for i in 0..depth {
        let mut outer = format!(
            "From: a@b.test\r\nSubject: level {i}\r\nContent-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\nContent-Type: message/rfc822\r\n"
        )
        .into_bytes();
        if encoded {
            outer.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n\r\n");
            outer.extend(
                base64::engine::general_purpose::STANDARD
                    .encode(&msg)
                    .into_bytes(),
            );
        } else {
            outer.extend_from_slice(b"\r\n");
            outer.extend(&msg);
        }
        outer.extend(format!("\r\n--b{i}--\r\n").into_bytes());
        msg = outer;
    }
    msg
}

fn zip_mail(zip: &[u8]) -> Vec<u8> {
    let mut m = b"From: x@y.test\r\nSubject: =?utf-8?B?5rWL6K+V?=\r\nContent-Type: multipart/mixed; boundary=\"z\"\r\n\r\n--z\r\nContent-Type: application/zip; name=\"a.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
    m.extend(
        base64::engine::general_purpose::STANDARD
            .encode(zip)
            .into_bytes(),
    );
    m.extend_from_slice(b"\r\n--z--\r\n");
    m
}

/// Zips (and xlsx/docx, which are zips) from the corpus with their size
/// fields overwritten at random.
fn bogus_zips(rng: &mut fastrand::Rng, seeds: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    let limits = Limits::default();
    let mut zips = Vec::new();
    for (_, raw) in seeds {
        for a in inspect(raw, &limits).attachments {
            if a.bytes.starts_with(b"PK\x03\x04") {
                zips.push(a.bytes);
            }
        }
    }
    let mut out = Vec::new();
    for round in 0..ROUNDS * 2 {
        let Some(z) = zips.get(round % zips.len().max(1)) else {
            break;
        };
        let mut z = z.clone();
        for sig in [&b"PK\x03\x04"[..], &b"PK\x01\x02"[..]] {
            for p in find_all(&z, sig) {
                // compressed/uncompressed size fields of local and central headers
                let off = if sig[2] == 3 { p + 18 } else { p + 20 };
                if rng.bool() && off + 8 <= z.len() {
                    let v = match rng.usize(0..3) {
                        0 => u32::MAX,
                        1 => rng.u32(..),
                        _ => 0,
                    };
                    let f = off + 4 * rng.usize(0..2);
                    z[f..f + 4].copy_from_slice(&v.to_le_bytes());
                }
            }
        }
        out.push((format!("zip with bogus sizes #{round}"), zip_mail(&z)));
    }
    out
}

#[test]
fn inspect_and_classify_survive_mutations() {
    let (campaign, units) = labels::config();
    let own: Vec<String> = campaign
        .departments
        .iter()
        .map(|d| d.mailbox.clone())
        .collect();
    let seeds = seeds();
    assert!(seeds.len() > 40, "seed messages found");
    let mut rng = fastrand::Rng::with_seed(SEED);
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, raw) in &seeds {
        for _ in 0..ROUNDS {
            let (what, m) = mutate(&mut rng, raw);
            cases.push((format!("{name}: {what}"), m));
        }
    }
    // Base64 nesting grows the message by 4/3 per level: 12 levels is 30x.
    for (d, enc) in [
        (10, false),
        (200, false),
        (2000, false),
        (4, true),
        (12, true),
    ] {
        cases.push((
            format!("rfc822 nested {d} deep (base64 {enc})"),
            nested(d, enc),
        ));
    }
    cases.extend(bogus_zips(&mut rng, &seeds));
    cases.push(("empty".into(), Vec::new()));
    cases.push(("only a header".into(), b"Subject: x".to_vec()));
    cases.push((
        "binary noise".into(),
        (0..5000).map(|_| rng.u8(..)).collect(),
    ));

    let arrived = Utc
        .with_ymd_and_hms(2018, 1, 24, 2, 0, 0)
        .single()
        .expect("valid time");
    let started = Instant::now();
    let total = cases.len();
    // Cases run on a few workers; each reports every finished case, and the
    // watchdog fails the test when no case finishes within WATCHDOG.
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let names: Vec<String> = cases.iter().map(|(w, _)| w.clone()).collect();
    let mut queues: Vec<Vec<(usize, Vec<u8>)>> = vec![Vec::new(); workers];
    for (i, (_, raw)) in cases.into_iter().enumerate() {
        queues[i % workers].push((i, raw));
    }
    let (tx, rx) = mpsc::channel::<(usize, usize, bool)>();
    let mut handles = Vec::new();
    for (w, queue) in queues.into_iter().enumerate() {
        let (tx, c2, u2, own2) = (tx.clone(), campaign.clone(), units.clone(), own.clone());
        handles.push(
            std::thread::Builder::new()
                .stack_size(8 << 20)
                .spawn(move || {
                    for (i, raw) in queue {
                        let insp = inspect(&raw, &Limits::default());
                        let ctx = Context::new(&c2, &u2, "org", arrived, &own2);
                        let c = classify(&insp, &ctx);
                        let _ = c.summary();
                        let caught = insp
                            .problems
                            .iter()
                            .any(|p| p.detail.contains("parser failure"));
                        let _ = tx.send((w, i, caught));
                    }
                })
                .expect("spawn"),
        );
    }
    drop(tx);
    let mut done = 0;
    let mut last: Vec<Option<usize>> = vec![None; workers];
    while done < total {
        match rx.recv_timeout(WATCHDOG) {
            Ok((w, i, caught)) => {
                assert!(!caught, "{}: a panic inside inspect was caught", names[i]);
                last[w] = Some(i);
                done += 1;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let stuck: Vec<&str> = last
                    .iter()
                    .enumerate()
                    .map(|(w, l)| l.map_or(w, |i| i + workers))
                    .filter_map(|i| names.get(i).map(String::as_str))
                    .collect();
                panic!("no case finished within {WATCHDOG:?} (hang); in progress: {stuck:?}");
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("a worker died after {done} of {total} cases (panic)")
            }
        }
    }
    for h in handles {
        assert!(h.join().is_ok(), "a worker panicked");
    }
    eprintln!("{total} fuzz cases in {:?}", started.elapsed());
}

/// The zip bomb (400 MiB of zeros behind 400 KB) is judged from the central
/// directory: inspecting it must be quick even in a debug build, which could
/// not inflate 400 MiB in this time.
#[test]
fn zip_bomb_is_not_expanded() {
    let raw = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus/028-qingxi-zip-bomb.eml"),
    )
    .expect("corpus sample");
    let started = Instant::now();
    let insp = inspect(&raw, &Limits::default());
    let took = started.elapsed();
    assert!(insp.attachments.iter().any(|a| a.suspicious.is_some()));
    assert!(took < Duration::from_secs(3), "took {took:?}");
}
