//! Pure assessment of a submission: lateness from the arrival time (never the
//! Date header), the departments its material belongs to, misrouting, and
//! the intrinsic flags. `resubmission` and `duplicate_delivery` need the
//! ledger and are added by the intake stage.

use chrono::{DateTime, Utc};

use super::unit::UnitResult;
use super::{Classification, Context, Flag};
use crate::config::CampaignFile;
use crate::inspect::{Inspection, ProblemKind};

/// Late means arriving strictly after the deadline, compared to the second:
/// 17:30:00.9 is on time, 17:30:01 is late.
pub fn is_late(arrived: DateTime<Utc>, deadline: DateTime<Utc>) -> bool {
    arrived.timestamp() > deadline.timestamp()
}

/// Date header minus arrival, when they differ by more than an hour.
pub(crate) fn date_skew(insp: &Inspection, ctx: &Context<'_>) -> Option<i64> {
    let d = insp.headers.date?;
    let skew = d.timestamp() - ctx.arrived.timestamp();
    (skew.abs() > 3600).then_some(skew)
}

/// Departments of the identified items, plus all departments of a project
/// named without any of its items.
pub fn expected_departments(
    c: &CampaignFile,
    projects: &[String],
    items: &[String],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for code in items {
        if let Some((_, item)) = c.item(code) {
            out.extend(item.departments.iter().cloned());
        }
    }
    for code in projects {
        let Some(p) = c.project(code) else { continue };
        if !p.items.iter().any(|i| items.contains(&i.code)) {
            for i in &p.items {
                out.extend(i.departments.iter().cloned());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Misrouted only when something was identified and the receiving
/// department is responsible for none of it.
pub fn is_misrouted(expected: &[String], department: &str) -> bool {
    !expected.is_empty() && !expected.iter().any(|d| d == department)
}

pub(crate) fn apply(
    c: &mut Classification,
    insp: &Inspection,
    ctx: &Context<'_>,
    unit: &UnitResult,
) {
    let deadline = ctx.campaign.campaign.deadline.with_timezone(&Utc);
    c.late = is_late(ctx.arrived, deadline);
    if c.late {
        c.reasons.push(format!(
            "late: arrived {} after the deadline {}",
            ctx.arrived.to_rfc3339(),
            ctx.campaign.campaign.deadline.to_rfc3339()
        ));
    }
    c.expected_departments = expected_departments(ctx.campaign, &c.projects, &c.items);
    c.misrouted = is_misrouted(&c.expected_departments, ctx.department);
    if c.misrouted {
        c.reasons.push(format!(
            "misrouted: received by {}, belongs to {}",
            ctx.department,
            c.expected_departments.join(",")
        ));
    }
    let mut flags = Vec::new();
    if unit.registered.is_none() {
        flags.push(Flag::UnknownSender);
    }
    if let Some(id) = &c.unit
        && let Some(u) = ctx.units.get(id)
        && !u.is_assessed(ctx.campaign.campaign.agencies_established_before)
    {
        flags.push(Flag::NotAssessed);
    }
    if insp.attachments.is_empty() {
        flags.push(if insp.links.is_empty() {
            Flag::NoAttachments
        } else {
            Flag::ExternalLink
        });
    }
    flags.extend(problem_flags(insp));
    for p in &insp.problems {
        c.reasons.push(format!("problem: {}", p.detail));
    }
    flags.sort();
    flags.dedup();
    c.flags = flags;
}

/// The flags that come from the inspection alone (what is wrong with the
/// mail or its files), whatever kind the message turns out to be.
pub(crate) fn problem_flags(insp: &Inspection) -> Vec<Flag> {
    [
        (
            ProblemKind::UnreadableAttachment,
            Flag::UnreadableAttachment,
        ),
        (ProblemKind::UnopenedAttachment, Flag::UnopenedAttachment),
        (ProblemKind::SuspiciousArchive, Flag::SuspiciousArchive),
        (ProblemKind::UnsafeFilename, Flag::UnsafeFilename),
        (ProblemKind::Malformed, Flag::Malformed),
    ]
    .into_iter()
    .filter(|(kind, _)| insp.has_problem(*kind))
    .map(|(_, flag)| flag)
    .collect()
}

#[cfg(test)]
#[path = "assess_tests.rs"]
mod tests;
