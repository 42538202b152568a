//! Generalisation, blind: a labelled set written from the corpus README's
//! rules by someone who never read the classifier (tests/data/blind2, built by
//! its make.py; see its NOTES.md).

mod labels;

#[test]
fn blind2_deliveries_match_labels() {
    let (n, failures) = labels::run("tests/data/blind2");
    assert!(n >= 60, "the blind set has at least 60 deliveries");
    assert!(
        failures.is_empty(),
        "{} of {n} deliveries differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
