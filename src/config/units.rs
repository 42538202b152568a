//! The units file: who is assessed, how they write their names, and which
//! addresses send for them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Problems;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitsFile {
    #[serde(rename = "unit", default)]
    pub units: Vec<Unit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    Town,
    Subdistrict,
    Agency,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    pub formal_name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Addresses known to send for the unit (compared case-insensitively).
    #[serde(default)]
    pub senders: Vec<String>,
    /// Where reminders go; a contact is not evidence of who sent a message.
    #[serde(default)]
    pub contacts: Vec<String>,
    /// Founding date, for agencies (assessment needs more than a year).
    #[serde(default)]
    pub established: Option<NaiveDate>,
}

impl Unit {
    /// Whether the campaign assesses this unit: towns and subdistricts always,
    /// agencies only when founded before the cutoff.
    pub fn is_assessed(&self, agencies_established_before: NaiveDate) -> bool {
        match self.kind {
            UnitKind::Town | UnitKind::Subdistrict => true,
            UnitKind::Agency => self
                .established
                .is_some_and(|d| d < agencies_established_before),
        }
    }

    pub fn is_sender(&self, address: &str) -> bool {
        self.senders.iter().any(|s| s.eq_ignore_ascii_case(address))
    }
}

impl UnitsFile {
    pub fn get(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    pub(super) fn validate(&self, p: &mut Problems) {
        if self.units.is_empty() {
            p.error("unit", "no [[unit]] is defined");
        }
        for (n, u) in self.units.iter().enumerate() {
            let key = format!("unit[{n}]");
            if !super::campaign::is_id(&u.id) {
                p.error(
                    format!("{key}.id"),
                    format!(
                        "{:?} is not a valid id (use lowercase letters, digits, '-' or '_')",
                        u.id
                    ),
                );
            }
            if let Some(first) = self.units[..n].iter().position(|o| o.id == u.id) {
                p.error(
                    format!("{key}.id"),
                    format!("unit id {:?} is used twice (also unit[{first}])", u.id),
                );
            }
            if u.name.trim().is_empty() {
                p.error(format!("{key}.name"), "a unit needs a name");
            }
            if u.kind == UnitKind::Agency && u.established.is_none() {
                p.error(
                    format!("{key}.established"),
                    format!(
                        "agency {:?} needs its founding date to decide whether it is assessed",
                        u.id
                    ),
                );
            }
            for a in u.aliases.iter().filter(|a| a.trim().is_empty()) {
                p.error(
                    format!("{key}.aliases"),
                    format!("empty alias {a:?} would match every message"),
                );
            }
            for s in u.senders.iter().chain(&u.contacts) {
                if !super::looks_like_address(s) {
                    p.error(
                        format!("{key}.senders"),
                        format!("{s:?} is not an email address"),
                    );
                }
            }
            for s in &u.senders {
                if let Some((m, other)) = self
                    .units
                    .iter()
                    .enumerate()
                    .take(n)
                    .find(|(_, o)| o.is_sender(s))
                {
                    p.error(
                        format!("{key}.senders"),
                        format!(
                            "sender {s:?} is also listed for unit {:?} (unit[{m}]): a sender identifies one unit",
                            other.id
                        ),
                    );
                }
            }
            // The same name for two units makes the match ambiguous.
            let names = || {
                std::iter::once(&u.name)
                    .chain(&u.aliases)
                    .chain([&u.formal_name])
            };
            for name in names() {
                if let Some(other) = self.units[..n].iter().find(|o| {
                    std::iter::once(&o.name)
                        .chain(&o.aliases)
                        .chain([&o.formal_name])
                        .any(|x| x == name)
                }) {
                    p.error(
                        format!("{key}.aliases"),
                        format!(
                            "name {name:?} is also used by unit {:?}: names must identify one unit",
                            other.id
                        ),
                    );
                }
            }
        }
    }
}
