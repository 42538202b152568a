//! Prints the inspection of .eml files as JSON: `cargo run --example inspect -- FILE...`

fn main() {
    let limits = mailroom::inspect::Limits::default();
    for path in std::env::args().skip(1) {
        match std::fs::read(&path) {
            Ok(raw) => {
                let insp = mailroom::inspect::inspect(&raw, &limits);
                match serde_json::to_string_pretty(&insp) {
                    Ok(j) => println!("{path}\n{j}"),
                    Err(e) => eprintln!("{path}: {e}"),
                }
            }
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
