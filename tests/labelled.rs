//! Every labelled mail set through inspect + classify, label by label (the
//! corpus README's rules; relational flags are checked end to end in
//! tests/pipeline.rs):
//! - tests/data/corpus: the public sample set;
//! - tests/data/extra: hand-made messages for other units, clients, phrasings;
//! - tests/data/blind, tests/data/blind2: written from the label rules by
//!   people who never read the classifier (see each set's NOTES.md).

mod labels;

fn check(dir: &str, at_least: usize) {
    let (n, failures) = labels::run(dir);
    assert!(
        n >= at_least,
        "{dir} has {n} deliveries, expected at least {at_least}"
    );
    assert!(
        failures.is_empty(),
        "{} of {n} deliveries in {dir} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_deliveries_match_labels() {
    check("tests/data/corpus", 47);
}

#[test]
fn extra_deliveries_match_labels() {
    check("tests/data/extra", 24);
}

#[test]
fn blind_deliveries_match_labels() {
    check("tests/data/blind", 90);
}

#[test]
fn blind2_deliveries_match_labels() {
    check("tests/data/blind2", 92);
}
