//! `mailroom assign --remember-sender`: adds a sender address to a unit in
//! the units file, keeping its comments and layout (a clerk edits the same
//! file by hand), atomically.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use toml_edit::{DocumentMut, Value};

use super::Config;

/// Adds `address` to the unit's `senders` unless present; returns the file.
pub fn add_sender(cfg: &Config, unit: &str, address: &str) -> Result<PathBuf> {
    let base = cfg.path.parent().map(PathBuf::from).unwrap_or_default();
    let path = base.join(&cfg.service.units);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut doc: DocumentMut = text
        .parse()
        .with_context(|| format!("cannot parse {}", path.display()))?;
    let units = doc
        .get_mut("unit")
        .and_then(|u| u.as_array_of_tables_mut())
        .with_context(|| format!("{} has no [[unit]] tables", path.display()))?;
    let Some(table) = units
        .iter_mut()
        .find(|t| t.get("id").and_then(|v| v.as_str()) == Some(unit))
    else {
        bail!("unit {unit:?} is not in {}", path.display());
    };
    let senders = table
        .entry("senders")
        .or_insert(toml_edit::value(toml_edit::Array::new()))
        .as_array_mut()
        .with_context(|| format!("senders of {unit} is not a list"))?;
    let lower = address.to_ascii_lowercase();
    if !senders
        .iter()
        .any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(&lower)))
    {
        senders.push(Value::from(lower));
    }
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, doc.to_string())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(path)
}
