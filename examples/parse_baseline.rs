//! Benchmark baselines for `bench/ingest.sh`: time to (a) parse each file
//! with mail-parser alone, touching every part's decoded contents, and
//! (b) run mailroom's `inspect` (parse + looking inside attachments), over
//! the same files. Prints "parse SECONDS" and "inspect SECONDS".
//!
//! Usage: cargo run --release --example parse_baseline -- FILE.eml…

use std::time::Instant;

use mail_parser::MessageParser;

fn main() -> std::io::Result<()> {
    let files: Vec<String> = std::env::args().skip(1).collect();
    let raws: Vec<Vec<u8>> = files.iter().map(std::fs::read).collect::<Result<_, _>>()?;
    let t = Instant::now();
    let mut bytes = 0usize;
    for raw in &raws {
        if let Some(m) = MessageParser::default().parse(raw) {
            for p in m.parts.iter() {
                bytes += p.contents().len();
            }
        }
    }
    println!(
        "parse {:.3} ({bytes} bytes decoded)",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let limits = mailroom::inspect::Limits::default();
    let mut n = 0usize;
    for raw in &raws {
        n += mailroom::inspect::inspect(raw, &limits).attachments.len();
    }
    println!("inspect {:.3} ({n} attachments)", t.elapsed().as_secs_f64());
    Ok(())
}
