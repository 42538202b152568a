//! Stage 2: [`Inspection`] + [`Context`] → [`Classification`], plain data and
//! pure (no I/O, no clock): the same inspection and configuration always give
//! the same result, so a message can be re-classified after a config change.
//!
//! `kind` decides submission / auto-reply / bounce / other, `unit` weighs the
//! evidence for the sending unit, `items` finds projects and items in names
//! and text, `assess` computes lateness, routing and flags. `text` holds the
//! normalisation shared by the matchers.

mod assess;
mod items;
mod kind;
pub mod text;
mod unit;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{CampaignFile, UnitsFile};
use crate::inspect::Inspection;

pub use items::{
    Found as ItemEvidence, KeywordIndex, find_in_name, find_in_text, form_row_project,
};
pub use unit::UnitMatcher;

/// What the classifier needs besides the message.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub campaign: &'a CampaignFile,
    pub units: &'a UnitsFile,
    /// The department whose mailbox received this copy.
    pub department: &'a str,
    /// IMAP INTERNALDATE: when the copy arrived (never the Date header).
    pub arrived: DateTime<Utc>,
    /// The service's own addresses (the department mailboxes). Mail from them
    /// carrying an `X-Mailroom-Kind` header is mailroom's own and never a submission.
    pub own_addresses: &'a [String],
    /// Prebuilt unit name patterns; built per call when absent.
    pub matcher: Option<&'a UnitMatcher>,
    /// authserv-ids whose Authentication-Results are believed.
    pub trusted_authserv: &'a [String],
}

impl<'a> Context<'a> {
    /// A context whose own addresses are the campaign's department mailboxes.
    pub fn new(
        campaign: &'a CampaignFile,
        units: &'a UnitsFile,
        department: &'a str,
        arrived: DateTime<Utc>,
        own_addresses: &'a [String],
    ) -> Self {
        Context {
            campaign,
            units,
            department,
            arrived,
            own_addresses,
            matcher: None,
            trusted_authserv: &[],
        }
    }

    /// Believes these servers' Authentication-Results.
    pub fn with_trusted_authserv(mut self, ids: &'a [String]) -> Self {
        self.trusted_authserv = ids;
        self
    }

    /// Shares a prebuilt matcher (build one per batch, not per message).
    pub fn with_matcher(mut self, m: &'a UnitMatcher) -> Self {
        self.matcher = Some(m);
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Submission,
    AutoReply,
    Bounce,
    Other,
}

/// Where the unit was recognised (the strongest evidence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitSource {
    Sender,
    Form,
    Subject,
    AttachmentName,
    ArchiveMember,
    Forwarded,
    Body,
    /// Assigned by a person (`mailroom assign`).
    Manual,
}

/// A person's decision about a message, which reprocessing keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manual {
    pub unit: String,
    /// Replaces the identified items (and so projects) when given.
    pub items: Option<Vec<String>>,
}

/// Problems and facts a submission is marked with, in the README's order
/// (deriving `Ord` makes sorting give that order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    UnknownSender,
    NotAssessed,
    NoAttachments,
    ExternalLink,
    UnreadableAttachment,
    /// A file beyond the inspection budget: kept, not looked inside; a
    /// person checks it (the unit is not asked to resend).
    UnopenedAttachment,
    SuspiciousArchive,
    UnsafeFilename,
    /// The message could not be understood: it crashed or outlasted the
    /// inspection worker twice. Recorded from its headers alone, set aside
    /// for a person (`mailroom review`); never reprocessed automatically.
    Quarantined,
    /// Authentication-Results from a trusted server say SPF, DKIM and DMARC
    /// all failed: the registered sender address does not decide the unit.
    SenderUnverified,
    /// The copy was found in a folder the provider files filtered mail into
    /// (垃圾邮件, flagged `\Junk`, or a configured junk folder such as
    /// 广告邮件). Where the message was stored, not what it says: set by the
    /// intake stage from the ledger row, never here.
    InJunk,
    /// Needs the ledger: set by the intake stage, never here.
    Resubmission,
    /// Needs the ledger: set by the intake stage, never here.
    DuplicateDelivery,
    Malformed,
}

/// Projects and items found for one material file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct AttachmentClass {
    /// Index into [`Inspection::attachments`].
    pub index: usize,
    pub projects: Vec<String>,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Classification {
    pub kind: Kind,
    /// Unit id; `None` sends the message to the review queue.
    pub unit: Option<String>,
    pub unit_source: Option<UnitSource>,
    pub projects: Vec<String>,
    /// The projects whose only evidence is a filled overview-form row: the
    /// form is sent to every department, so these do not make a later
    /// message a resubmission.
    pub form_projects: Vec<String>,
    /// A filled overview form (工作开展情况表) is among the files.
    #[serde(default)]
    pub has_form: bool,
    pub items: Vec<String>,
    /// Per material file (empty for non-submissions, except "other" mail
    /// with a problem flag: then its files, so the flag can be followed).
    pub attachments: Vec<AttachmentClass>,
    pub late: bool,
    /// Date header minus arrival, when they differ by more than an hour.
    pub date_skew_secs: Option<i64>,
    /// Departments responsible for what was identified (sorted).
    pub expected_departments: Vec<String>,
    pub misrouted: bool,
    /// Sorted, README order.
    pub flags: Vec<Flag>,
    /// Short human-readable evidence: which text decided the unit, items, kind.
    pub reasons: Vec<String>,
}

impl Classification {
    /// A classification of this kind that found nothing yet.
    pub fn empty(kind: Kind) -> Self {
        Classification {
            kind,
            unit: None,
            unit_source: None,
            projects: Vec::new(),
            form_projects: Vec::new(),
            has_form: false,
            items: Vec::new(),
            attachments: Vec::new(),
            late: false,
            date_skew_secs: None,
            expected_departments: Vec::new(),
            misrouted: false,
            flags: Vec::new(),
            reasons: Vec::new(),
        }
    }

    /// A receipt goes out for every submission, and only for submissions.
    pub fn wants_receipt(&self) -> bool {
        self.kind == Kind::Submission
    }

    /// Indices of the material files (the inspection's attachments for a
    /// submission or flagged "other" mail, none otherwise).
    pub fn materials(&self) -> Vec<usize> {
        self.attachments.iter().map(|a| a.index).collect()
    }

    /// One line for the decision log.
    pub fn summary(&self) -> String {
        let kind = serde_json::to_value(self.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let flags: Vec<String> = self
            .flags
            .iter()
            .filter_map(|f| serde_json::to_value(f).ok())
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        format!(
            "{kind} unit={} items=[{}] projects=[{}] late={} misrouted={} flags=[{}]; {}",
            self.unit.as_deref().unwrap_or("?"),
            self.items.join(","),
            self.projects.join(","),
            self.late,
            self.misrouted,
            flags.join(","),
            self.reasons.join("; ")
        )
    }
}

/// Classifies one delivered copy of a message.
pub fn classify(insp: &Inspection, ctx: &Context<'_>) -> Classification {
    classify_with(insp, ctx, None)
}

/// Classifies, with a person's decision taking precedence: the assigned unit
/// (and items, when given) replace what the evidence says, and the message
/// counts as a submission; everything else (lateness, routing, flags) follows
/// from them by the same rules.
pub fn classify_with(
    insp: &Inspection,
    ctx: &Context<'_>,
    manual: Option<&Manual>,
) -> Classification {
    let mut reasons = Vec::new();
    let built;
    let units = match ctx.matcher {
        Some(m) => m,
        None => {
            built = UnitMatcher::new(ctx.units);
            &built
        }
    };
    let mut unit = unit::identify(insp, ctx, units);
    // A forged From is the cheapest lie: when the provider that delivered
    // the mail says SPF, DKIM and DMARC all failed, the registered address
    // decides nothing (a person confirms and assigns).
    let unverified = manual.is_none()
        && crate::inspect::auth::all_failed(&insp.headers.auth_results, ctx.trusted_authserv);
    if unverified
        && unit
            .best
            .as_ref()
            .is_some_and(|b| b.source == UnitSource::Sender)
    {
        reasons.push(format!(
            "sender address not believed: {} is registered to {}, but authentication failed",
            insp.headers
                .from
                .as_ref()
                .map_or("", |f| f.address.as_str()),
            unit.best.as_ref().map_or("", |b| b.id.as_str())
        ));
        unit.best = None;
    }
    let mut found = items::identify(insp, ctx.campaign);
    if let Some(m) = manual {
        unit.best = Some(unit::Pick {
            id: m.unit.clone(),
            source: UnitSource::Manual,
            reason: format!("unit {} assigned by hand", m.unit),
        });
        unit.any_evidence = true;
        if let Some(items) = &m.items {
            let mut projects: Vec<String> = items
                .iter()
                .filter_map(|i| ctx.campaign.item(i).map(|(p, _)| p.code.clone()))
                .collect();
            projects.sort();
            projects.dedup();
            found
                .reasons
                .push(format!("items {} assigned by hand", items.join(",")));
            found.items = items.clone();
            found.form_projects.retain(|p| projects.contains(p));
            found.projects = projects;
        }
    }
    let (mut kind, why) = kind::decide(insp, ctx, &unit, &found);
    if manual.is_some() {
        kind = Kind::Submission;
    }
    reasons.push(why);
    let mut c = Classification {
        date_skew_secs: assess::date_skew(insp, ctx),
        ..Classification::empty(kind)
    };
    if let Some(u) = &unit.best {
        c.unit = Some(u.id.clone());
        c.unit_source = Some(u.source);
        reasons.push(u.reason.clone());
    } else if let Some(r) = &unit.note {
        reasons.push(r.clone());
    }
    if kind != Kind::Submission {
        // The files of "other" mail are not material and are not listed,
        // unless something is wrong with them: a disguised executable
        // (`报告\u{202e}xcod.exe`, shown as `报告exe.docx`) is "other" by its
        // real extension, and used to vanish from the export with no flag
        // at all. A flag points at a file, so the file is kept with it.
        if kind == Kind::Other {
            c.flags = assess::problem_flags(insp);
            if !c.flags.is_empty() {
                c.attachments = found.per_attachment.clone();
            }
        }
        c.reasons = reasons;
        return c;
    }
    c.projects = found.projects.clone();
    c.form_projects = found.form_projects.clone();
    c.has_form = insp
        .attachments
        .iter()
        .any(|a| a.forms.iter().any(|f| f.rows.iter().any(|r| r.filled)));
    c.items = found.items.clone();
    c.attachments = found.per_attachment.clone();
    reasons.extend(found.reasons.iter().cloned());
    assess::apply(&mut c, insp, ctx, &unit);
    if unverified {
        c.flags.push(Flag::SenderUnverified);
        c.flags.sort();
    }
    reasons.extend(std::mem::take(&mut c.reasons));
    c.reasons = reasons;
    c
}
