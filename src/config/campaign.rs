//! The campaign file: the notice as data (departments, projects, items,
//! deadline). Another year's notice is a new file, not a new release.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Deserialize;

use super::Problems;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignFile {
    pub campaign: CampaignMeta,
    #[serde(rename = "department", default)]
    pub departments: Vec<Department>,
    #[serde(rename = "project", default)]
    pub projects: Vec<Project>,
    /// Compiled keyword patterns, built on first use: the file does not
    /// change while it is loaded, and the classifier scans every subject,
    /// file name and body with them.
    #[serde(skip)]
    pub(crate) keyword_index: std::sync::OnceLock<crate::classify::KeywordIndex>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignMeta {
    pub id: String,
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub notice_date: NaiveDate,
    /// The instant submissions are due; anything that *arrives* later is late.
    pub deadline: DateTime<FixedOffset>,
    /// IANA zone used for every local time the service shows or schedules.
    pub timezone: String,
    /// Agency committees founded on or after this date are not assessed
    /// ("成立一年以上的厂局团委").
    pub agencies_established_before: NaiveDate,
    /// The blank overview form's title (工作开展情况表), used to recognise it.
    #[serde(default = "default_form_title")]
    pub form_title: String,
    /// The heading of the notice's attachment, used for the blank form that
    /// reminders carry ("2017年东莞共青团工作开展情况表").
    pub form_heading: String,
    /// The notice's document number and title: a unit forwarding the notice
    /// itself (to its branches, Cc a department) delivers no material.
    #[serde(default)]
    pub notice_number: String,
    #[serde(default)]
    pub notice_title: String,
}

fn default_form_title() -> String {
    "工作开展情况表".to_owned()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub id: String,
    pub name: String,
    pub mailbox: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub code: String,
    pub title: String,
    /// Other ways senders name the project (short titles), matched like keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(rename = "item", default)]
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub code: String,
    pub title: String,
    /// The short name people use for the item (智慧团建): the materials
    /// tree's folder names. Default: the title.
    #[serde(default)]
    pub short: Option<String>,
    pub departments: Vec<String>,
    /// Words that identify the item in subjects, filenames and bodies
    /// (青网计划, 智慧团建, …). Kept here so a clerk can add one without a release.
    #[serde(default)]
    pub keywords: Vec<String>,
}

impl CampaignFile {
    pub fn department(&self, id: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.id == id)
    }

    pub fn project(&self, code: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.code == code)
    }

    pub fn item(&self, code: &str) -> Option<(&Project, &Item)> {
        self.projects
            .iter()
            .flat_map(|p| p.items.iter().map(move |i| (p, i)))
            .find(|(_, i)| i.code == code)
    }

    pub fn items(&self) -> impl Iterator<Item = (&Project, &Item)> {
        self.projects
            .iter()
            .flat_map(|p| p.items.iter().map(move |i| (p, i)))
    }

    /// Semantic checks serde cannot express; every problem is reported, not just the first.
    pub(super) fn validate(&self, p: &mut Problems) {
        if self.campaign.timezone.parse::<chrono_tz::Tz>().is_err() {
            p.error(
                "campaign.timezone",
                format!(
                    "{:?} is not an IANA time zone name (for example \"Asia/Shanghai\")",
                    self.campaign.timezone
                ),
            );
        }
        if self.campaign.period_end < self.campaign.period_start {
            p.error("campaign.period_end", "is before campaign.period_start");
        }
        if self.departments.is_empty() {
            p.error("department", "no [[department]] is defined");
        }
        let mut seen = Vec::new();
        for (n, d) in self.departments.iter().enumerate() {
            let key = format!("department[{n}]");
            if !is_id(&d.id) {
                p.error(
                    format!("{key}.id"),
                    format!(
                        "{:?} is not a valid id (use lowercase letters, digits, '-' or '_')",
                        d.id
                    ),
                );
            }
            if seen.contains(&d.id.as_str()) {
                p.error(
                    format!("{key}.id"),
                    format!("department id {:?} is used twice", d.id),
                );
            }
            seen.push(d.id.as_str());
            if !super::looks_like_address(&d.mailbox) {
                p.error(
                    format!("{key}.mailbox"),
                    format!("{:?} is not an email address", d.mailbox),
                );
            }
        }
        let mut codes: Vec<&str> = Vec::new();
        for (n, proj) in self.projects.iter().enumerate() {
            let key = format!("project[{n}]");
            if codes.contains(&proj.code.as_str()) {
                p.error(
                    format!("{key}.code"),
                    format!("project code {:?} is used twice", proj.code),
                );
            }
            codes.push(&proj.code);
            if proj.items.is_empty() {
                p.error(
                    format!("{key}.item"),
                    format!("project {:?} has no items", proj.code),
                );
            }
            for (m, item) in proj.items.iter().enumerate() {
                let ikey = format!("{key}.item[{m}]");
                let prefix = format!("{}.", proj.code);
                if !item.code.starts_with(&prefix) || item.code.len() == prefix.len() {
                    p.error(
                        format!("{ikey}.code"),
                        format!(
                            "item code {:?} must start with its project's code ({prefix}…)",
                            item.code
                        ),
                    );
                }
                if codes.contains(&item.code.as_str()) {
                    p.error(
                        format!("{ikey}.code"),
                        format!("item code {:?} is used twice", item.code),
                    );
                }
                codes.push(&item.code);
                if item.departments.is_empty() {
                    p.error(
                        format!("{ikey}.departments"),
                        "an item needs at least one responsible department",
                    );
                }
                for dep in &item.departments {
                    if self.department(dep).is_none() {
                        p.error(
                            format!("{ikey}.departments"),
                            format!(
                                "item {} names department {dep:?}, which is not a [[department]] id (known: {})",
                                item.code,
                                self.departments
                                    .iter()
                                    .map(|d| d.id.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        );
                    }
                }
                for kw in &item.keywords {
                    if kw.trim().is_empty() {
                        p.error(
                            format!("{ikey}.keywords"),
                            "an empty keyword matches everything",
                        );
                    }
                }
            }
        }
    }
}

/// Ids are used in file names, exports and command lines: keep them plain.
pub(super) fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}
