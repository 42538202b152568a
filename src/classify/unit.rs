//! Which unit sent the material. Evidence is weighed across sources (a
//! registered sender address decides; then the form's 填表单位, subject,
//! file names, archive members, forwarded headers, body/signature). Names are
//! matched longest first, so 东城街道 is not 东城 of something else, and short
//! place names (东城, 石龙, 公安局) only count where they stand as a name, not
//! inside a longer word (广东城市, 联合公安局).

use std::collections::BTreeMap;

use super::text::{is_cjk, spaced, strip_quotes};
use super::{Context, UnitSource};
use crate::config::UnitsFile;
use crate::inspect::Inspection;

#[derive(Debug, Clone)]
struct Pat {
    unit: usize,
    text: Vec<char>,
    /// 3: names with 团/委; 2: place with 镇/街道 or a long proper name; 1: a
    /// bare short name that needs a boundary.
    strength: u32,
}

/// Unit name patterns built once from the units file.
#[derive(Debug, Clone)]
pub struct UnitMatcher {
    /// Unit ids, indexed like the units file.
    ids: Vec<String>,
    pats: Vec<Pat>,
    /// Patterns by first character (indices into `pats`, longest first), so
    /// each text position is compared only with names that can start there.
    by_first: std::collections::HashMap<char, Vec<usize>>,
}

/// One unit named in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub unit: String,
    pub strength: u32,
    pub matched: String,
}

fn strength(v: &str) -> u32 {
    if v.contains('团') || v.contains('委') {
        3
    } else if v.ends_with('镇') || v.ends_with("街道") || v.chars().count() >= 4 {
        2
    } else {
        1
    }
}

/// Every way the unit's name is written, derived generally from the
/// canonical and formal names and the aliases.
fn variants(u: &crate::config::Unit) -> Vec<String> {
    let mut v: Vec<String> = vec![u.name.clone(), u.formal_name.clone()];
    v.extend(u.aliases.iter().cloned());
    // 共青团东莞市X镇委员会 → 东莞市X镇委员会 → X镇委员会, and …团委 forms.
    if let Some(rest) = u.formal_name.strip_prefix("共青团") {
        v.push(rest.to_owned());
        if let Some(core) = rest.strip_suffix("委员会") {
            v.push(format!("{core}团委"));
            let core = core
                .strip_prefix("东莞市")
                .or_else(|| core.strip_prefix("东莞"))
                .unwrap_or(core);
            v.push(format!("{core}委员会"));
            v.push(format!("{core}团委"));
        }
        if let Some(core) = rest.strip_suffix("工作委员会") {
            v.push(format!("{core}团工委"));
        }
    }
    // Canonical minus the committee suffix: 石龙镇团委 → 石龙镇 → 石龙.
    let mut stems = Vec::new();
    for suffix in ["团工委", "团委会", "团委"] {
        if let Some(s) = u.name.strip_suffix(suffix) {
            stems.push(s.to_owned());
        }
    }
    for s in stems.clone() {
        for p in ["东莞市", "东莞", "市"] {
            if let Some(x) = s.strip_prefix(p) {
                stems.push(x.to_owned());
            }
        }
    }
    for s in stems.clone() {
        for suffix in ["街道", "镇"] {
            if let Some(x) = s.strip_suffix(suffix) {
                stems.push(x.to_owned());
            }
        }
    }
    v.extend(stems);
    // Aliases without 团: "东莞邮政" is also written "东莞邮政团委".
    for a in &u.aliases {
        if !a.contains('团') {
            v.push(format!("{a}团委"));
        }
    }
    v.retain(|s| s.chars().count() >= 2);
    v
}

impl UnitMatcher {
    /// Builds the name patterns of every unit. Not cheap (every variant of
    /// every name, normalised): build once and share, via [`Context::matcher`](super::Context).
    pub fn new(units: &UnitsFile) -> Self {
        let mut by_text: BTreeMap<String, (usize, u32, bool)> = BTreeMap::new();
        for (i, u) in units.units.iter().enumerate() {
            for v in variants(u) {
                let norm: String = spaced(&v).chars().filter(|c| *c != ' ').collect();
                if norm.chars().count() < 2 {
                    continue;
                }
                let st = strength(&v);
                match by_text.get_mut(&norm) {
                    // The same text for two units identifies neither.
                    Some(e) if e.0 != i => e.2 = true,
                    Some(e) => e.1 = e.1.max(st),
                    None => {
                        by_text.insert(norm, (i, st, false));
                    }
                }
            }
        }
        let mut pats: Vec<Pat> = by_text
            .into_iter()
            .filter(|(_, (_, _, clash))| !clash)
            .map(|(t, (unit, strength, _))| Pat {
                unit,
                text: t.chars().collect(),
                strength,
            })
            .collect();
        pats.sort_by(|a, b| b.text.len().cmp(&a.text.len()).then(a.text.cmp(&b.text)));
        let mut by_first: std::collections::HashMap<char, Vec<usize>> = Default::default();
        for (i, p) in pats.iter().enumerate() {
            if let Some(c) = p.text.first() {
                by_first.entry(*c).or_default().push(i);
            }
        }
        UnitMatcher {
            ids: units.units.iter().map(|u| u.id.clone()).collect(),
            pats,
            by_first,
        }
    }

    /// Units named in `text`, leftmost-longest, non-overlapping.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let t: Vec<char> = spaced(text).chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < t.len() {
            let mut matched = None;
            let candidates = self.by_first.get(&t[i]).map_or(&[][..], |v| v.as_slice());
            for p in candidates.iter().map(|&k| &self.pats[k]) {
                let n = p.text.len();
                if i + n <= t.len()
                    && t[i..i + n] == p.text[..]
                    && (p.strength > 1 || bare_ok(&t, i, n))
                {
                    matched = Some(p);
                    break;
                }
            }
            match matched {
                Some(p) => {
                    if let Some(id) = self.ids.get(p.unit) {
                        out.push(Hit {
                            unit: id.clone(),
                            strength: p.strength,
                            matched: p.text.iter().collect(),
                        });
                    }
                    i += p.text.len();
                }
                None => i += 1,
            }
        }
        out
    }
}

/// A bare short name counts where it stands as a name: at a separator, after
/// 东莞/市/我/自…, or followed by 镇/街/团/区/委.
fn bare_ok(t: &[char], i: usize, n: usize) -> bool {
    let prev = i.checked_sub(1).and_then(|p| t.get(p)).copied();
    let next = t.get(i + n).copied();
    let prev_ok = match prev {
        None => true,
        Some(c) => c == ' ' || !is_cjk(c) || "莞市我致自区于至是".contains(c),
    };
    let next_ok = next.is_some_and(|c| "镇街团区委".contains(c));
    prev_ok || next_ok
}

/// The chosen unit and why.
#[derive(Debug, Clone)]
pub(crate) struct Pick {
    pub id: String,
    pub source: UnitSource,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct UnitResult {
    pub best: Option<Pick>,
    /// Unit of the registered outer From address, if any.
    pub registered: Option<String>,
    /// Why no unit was chosen (ambiguity), for the log.
    pub note: Option<String>,
    /// Any unit name appeared anywhere (campaign relevance for `kind`).
    pub any_evidence: bool,
}

fn weight(s: UnitSource) -> u32 {
    match s {
        UnitSource::Sender => 2,
        UnitSource::Form => 5,
        UnitSource::Subject => 4,
        UnitSource::AttachmentName => 3,
        UnitSource::ArchiveMember => 2,
        UnitSource::Forwarded => 3,
        UnitSource::Body => 2,
        UnitSource::Manual => 100,
    }
}

pub(crate) fn identify(insp: &Inspection, ctx: &Context<'_>, m: &UnitMatcher) -> UnitResult {
    let mut res = UnitResult::default();
    // (unit) -> source -> (score, evidence)
    let mut score: BTreeMap<String, BTreeMap<UnitSource, (u32, String)>> = BTreeMap::new();
    let mut add = |source: UnitSource, text: &str, boost: u32| {
        for h in m.find(text) {
            let s = weight(source) * h.strength * boost;
            let e = score
                .entry(h.unit.clone())
                .or_default()
                .entry(source)
                .or_insert((0, String::new()));
            if s > e.0 {
                *e = (s, h.matched.clone());
            }
        }
    };
    let h = &insp.headers;
    if let Some(name) = h.from.as_ref().and_then(|f| f.name.as_ref()) {
        add(UnitSource::Sender, name, 1);
    }
    add(UnitSource::Subject, &h.subject, 1);
    for a in &insp.attachments {
        add(UnitSource::AttachmentName, &a.filename, 1);
        for mem in a.members.iter().flatten() {
            add(UnitSource::ArchiveMember, mem, 1);
        }
        for f in &a.forms {
            if let Some(u) = &f.unit {
                add(UnitSource::Form, u, 1);
            }
        }
    }
    for f in &insp.forwarded {
        add(UnitSource::Forwarded, &f.subject, 1);
        if let Some(fr) = &f.from
            && let Some(n) = &fr.name
        {
            add(UnitSource::Forwarded, n, 1);
        }
        add(UnitSource::Body, &strip_quotes(&f.body_text), 1);
    }
    add(UnitSource::Body, &strip_quotes(&insp.body_text), 1);
    res.any_evidence = !score.is_empty();

    // Registered addresses: the outer From decides; a forwarded original's
    // registered From is strong evidence.
    let registered = |addr: &str| ctx.units.units.iter().find(|u| u.is_sender(addr));
    if let Some(from) = &h.from
        && let Some(u) = registered(&from.address)
    {
        res.registered = Some(u.id.clone());
        res.any_evidence = true;
        res.best = Some(Pick {
            id: u.id.clone(),
            source: UnitSource::Sender,
            reason: format!("unit {}: registered sender {}", u.id, from.address),
        });
        return res;
    }
    for f in &insp.forwarded {
        if let Some(fr) = &f.from
            && let Some(u) = registered(&fr.address)
        {
            score
                .entry(u.id.clone())
                .or_default()
                .insert(UnitSource::Forwarded, (30, fr.address.clone()));
        }
    }
    res.any_evidence = !score.is_empty();
    let mut ranked: Vec<(u32, &String, UnitSource, &String)> = score
        .iter()
        .map(|(unit, srcs)| {
            let total = srcs.values().map(|(s, _)| *s).sum::<u32>();
            let (src, ev) = srcs
                .iter()
                .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.0.cmp(a.0)))
                .map(|(s, e)| (*s, &e.1))
                .unwrap_or((UnitSource::Body, unit));
            (total, unit, src, ev)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    match ranked.as_slice() {
        [] => res.note = Some("unit: no evidence (review)".into()),
        [(s1, u1, src, ev), rest @ ..] => {
            if let Some((s2, u2, _, _)) = rest.first()
                && s2 == s1
            {
                res.note = Some(format!("unit: ambiguous between {u1} and {u2} (review)"));
            } else {
                res.best = Some(Pick {
                    id: (*u1).clone(),
                    source: *src,
                    reason: format!("unit {u1}: {:?} names {ev:?}", src),
                });
            }
        }
    }
    res
}

#[cfg(test)]
#[path = "unit_tests.rs"]
mod tests;
