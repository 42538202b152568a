//! Acceptance: every delivery of the public corpus (tests/data/corpus).

mod labels;

#[test]
fn corpus_deliveries_match_labels() {
    let (n, failures) = labels::run("tests/data/corpus");
    assert_eq!(n, 47, "the corpus has 47 deliveries");
    assert!(
        failures.is_empty(),
        "{} of {n} deliveries differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
