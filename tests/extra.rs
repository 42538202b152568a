//! Generalisation: hand-made messages for other units, clients and phrasings
//! (tests/data/extra, built by its make.py).

mod labels;

#[test]
fn extra_deliveries_match_labels() {
    let (n, failures) = labels::run("tests/data/extra");
    assert!(n >= 15, "the extra set has at least 15 deliveries");
    assert!(
        failures.is_empty(),
        "{} of {n} deliveries differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
