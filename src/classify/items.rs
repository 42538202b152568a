//! Projects and items named by the sender: in the subject, file names, zip
//! member paths and the body (never in the free text inside documents), plus
//! the filled rows of the overview form. Recognised: item numbers (3.2, 3.2.),
//! project ordinals (（三）, 三、, 项目三, 第三项, (3)), project and item titles
//! and the keywords from the campaign file, all matched ignoring punctuation.

use std::collections::BTreeSet;

use super::AttachmentClass;
use super::text::{compact, fold_char, is_cjk, strip_quotes};
use crate::config::CampaignFile;
use crate::inspect::Inspection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Subjects, file names, path components: short labels.
    Name,
    /// Running text: only explicit forms (项目三, 第三项, a free-standing 3.2).
    Body,
}

/// What one piece of text names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub projects: BTreeSet<String>,
    pub items: BTreeSet<String>,
    /// "matched text → code" for the reasons list.
    pub hits: Vec<String>,
}

impl Found {
    fn merge(&mut self, o: Found) {
        self.projects.extend(o.projects);
        self.items.extend(o.items);
        self.hits.extend(o.hits);
    }
}

/// A number followed by one of these is an amount, a count or a date
/// ("3.2万元", "1.5倍", "2.1亿"), not an item number.
const MEASURE_WORDS: &str = "万亿千百元角个人名次份天年月日号时岁倍米吨户场期批届页张篇条件家所‰";

fn chinese_ordinal(c: char) -> Option<u8> {
    match c {
        '一' | '1' => Some(1),
        '二' | '2' => Some(2),
        '三' | '3' => Some(3),
        '四' | '4' => Some(4),
        '五' | '5' => Some(5),
        _ => None,
    }
}

fn project_code(c: &CampaignFile, n: u8) -> Option<String> {
    let n = usize::from(n);
    c.projects
        .iter()
        .find(|p| p.code == n.to_string())
        .or_else(|| c.projects.get(n.wrapping_sub(1)))
        .map(|p| p.code.clone())
}

/// The campaign's keyword patterns (titles and keywords of projects and
/// items, compacted), longest first, indexed by first character so each text
/// position is compared only with patterns that can start there.
#[derive(Debug, Clone, Default)]
pub struct KeywordIndex {
    /// (pattern, is an item, code)
    pats: Vec<(Vec<char>, bool, String)>,
    by_first: std::collections::HashMap<char, Vec<usize>>,
}

impl KeywordIndex {
    fn build(c: &CampaignFile) -> Self {
        let mut pats: Vec<(Vec<char>, bool, String)> = Vec::new();
        let mut push = |text: &str, is_item: bool, code: &str| {
            let t: Vec<char> = compact(text).chars().collect();
            if t.len() >= 2 && !pats.iter().any(|(x, _, _)| *x == t) {
                pats.push((t, is_item, code.to_owned()));
            }
        };
        for p in &c.projects {
            for i in &p.items {
                push(&i.title, true, &i.code);
                for k in &i.keywords {
                    push(k, true, &i.code);
                }
            }
        }
        for p in &c.projects {
            push(&p.title, false, &p.code);
            for k in &p.keywords {
                push(k, false, &p.code);
            }
        }
        // Stable sort: among equal lengths, items before projects, in file order.
        pats.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        let mut by_first: std::collections::HashMap<char, Vec<usize>> = Default::default();
        for (i, (p, _, _)) in pats.iter().enumerate() {
            if let Some(ch) = p.first() {
                by_first.entry(*ch).or_default().push(i);
            }
        }
        KeywordIndex { pats, by_first }
    }

    fn of(c: &CampaignFile) -> &KeywordIndex {
        c.keyword_index.get_or_init(|| KeywordIndex::build(c))
    }
}

fn keywords(c: &CampaignFile, text: &str, out: &mut Found) {
    let t: Vec<char> = compact(text).chars().collect();
    let index = KeywordIndex::of(c);
    let mut i = 0;
    while i < t.len() {
        let candidates = index.by_first.get(&t[i]).map_or(&[][..], |v| v.as_slice());
        match candidates
            .iter()
            .map(|&k| &index.pats[k])
            .find(|(p, _, _)| i + p.len() <= t.len() && t[i..i + p.len()] == p[..])
        {
            Some((p, is_item, code)) => {
                let word: String = p.iter().collect();
                if *is_item {
                    out.items.insert(code.clone());
                } else {
                    out.projects.insert(code.clone());
                }
                out.hits.push(format!("{word} → {code}"));
                i += p.len();
            }
            None => i += 1,
        }
    }
}

/// Item numbers (3.2) and project ordinals in folded text.
fn references(c: &CampaignFile, text: &str, mode: Mode, out: &mut Found) {
    let t: Vec<char> = text.chars().map(fold_char).collect();
    let at_start = |i: usize| t[..i].iter().all(|c| c.is_whitespace());
    // The last project named, and where: "（三）第二、三项" means items 3.2
    // and 3.3, not projects 2 and 3.
    let mut last_project: Option<(usize, String)> = None;
    for i in 0..t.len() {
        let prev = i.checked_sub(1).map(|p| t[p]);
        // Item numbers: 3.2 / 3.2. — not in 2017.3.2, V1.2, 1.25 or 1.2M.
        if let (Some(a), Some('.'), Some(b)) = (t.get(i), t.get(i + 1), t.get(i + 2))
            && a.is_ascii_digit()
            && b.is_ascii_digit()
        {
            let prev_ok = match prev {
                None => true,
                Some(p) => match mode {
                    Mode::Name => !(p.is_ascii_alphanumeric() || p == '.'),
                    Mode::Body => {
                        p.is_whitespace() || (!is_cjk(p) && !p.is_ascii_alphanumeric() && p != '.')
                    }
                },
            };
            let next = t.get(i + 3).copied();
            let next_ok = match next {
                None => true,
                Some(n) => {
                    !(n.is_ascii_alphanumeric()
                        || n == '%'
                        || MEASURE_WORDS.contains(n)
                        || (n == '.' && t.get(i + 4).is_some_and(|x| x.is_ascii_digit())))
                }
            };
            let code = format!("{a}.{b}");
            if prev_ok && next_ok && c.item(&code).is_some() {
                out.items.insert(code.clone());
                out.hits.push(format!("{code} → {code}"));
            }
        }
        // 项目四 / 项目4 / 项目（四）
        if t[i] == '项' && t.get(i + 1) == Some(&'目') {
            let mut j = i + 2;
            while t
                .get(j)
                .is_some_and(|c| matches!(c, ' ' | '(' | '[' | '【'))
            {
                j += 1;
            }
            if let Some(n) = t.get(j).and_then(|c| chinese_ordinal(*c))
                && !t
                    .get(j + 1)
                    .is_some_and(|c| c.is_ascii_digit() || *c == '.')
                && let Some(code) = project_code(c, n)
            {
                out.projects.insert(code.clone());
                out.hits.push(format!("项目{} → project {code}", t[j]));
                last_project = Some((j, code.clone()));
            }
        }
        // 第三项 / 第3项 / 第一、二项
        if t[i] == '第' {
            let mut j = i + 1;
            let mut ns = Vec::new();
            while let Some(&ch) = t.get(j) {
                if let Some(n) = chinese_ordinal(ch) {
                    ns.push(n);
                } else if !matches!(ch, '、' | ',' | '和' | '及' | '与' | '第' | ' ') {
                    break;
                }
                j += 1;
                if j - i > 12 {
                    break;
                }
            }
            let tail: String = t.iter().skip(j).take(4).collect();
            // Shortly after a project was named, "第二、三项" are its items.
            let within = last_project
                .as_ref()
                .filter(|(at, _)| i > *at && i - *at <= 24)
                .map(|(_, code)| code.clone());
            if !ns.is_empty()
                && tail.starts_with('项')
                && let Some(p) = &within
            {
                for n in ns {
                    let item = format!("{p}.{n}");
                    if c.item(&item).is_some() {
                        out.items.insert(item.clone());
                        out.hits.push(format!("({p})第{n}项 → {item}"));
                    }
                }
            } else if !ns.is_empty()
                && (tail.starts_with('项')
                    || tail.starts_with("个项目")
                    || tail.starts_with("部分"))
            {
                for n in ns {
                    if let Some(code) = project_code(c, n) {
                        out.projects.insert(code.clone());
                        out.hits.push(format!("第…项 → project {code}"));
                    }
                }
            }
        }
        if mode == Mode::Body {
            continue;
        }
        // （三） anywhere in a name; (3) only where it starts the name or is
        // followed by text (照片(1).jpg is a copy number, not a project).
        if matches!(t[i], '(' | '[' | '【')
            && let (Some(d), Some(close)) = (t.get(i + 1), t.get(i + 2))
            && matches!(close, ')' | ']' | '】')
            && let Some(n) = chinese_ordinal(*d)
        {
            let arabic = d.is_ascii_digit();
            let follows_text = t.get(i + 3).is_some_and(|c| is_cjk(*c));
            if (!arabic || at_start(i) || follows_text)
                && let Some(code) = project_code(c, n)
            {
                out.projects.insert(code.clone());
                out.hits.push(format!("({d}) → project {code}"));
                last_project = Some((i + 2, code.clone()));
                // （二）1 — the notice's own numbering: project (二), item 1.
                // A lone digit only: （三）2017年 is a year, not item 2.
                if !arabic
                    && let Some(k) = t.get(i + 3).filter(|k| k.is_ascii_digit())
                    && !t.get(i + 4).is_some_and(|x| x.is_ascii_digit())
                {
                    let item = format!("{code}.{k}");
                    if c.item(&item).is_some() {
                        out.items.insert(item.clone());
                        out.hits.push(format!("({d}){k} → {item}"));
                    }
                }
            }
        }
        // 三、 at the start of a name.
        if at_start(i)
            && let (Some(d), Some('、')) = (t.get(i), t.get(i + 1))
            && let Some(n) = chinese_ordinal(*d)
            && let Some(code) = project_code(c, n)
        {
            out.projects.insert(code.clone());
            out.hits.push(format!("{d}、 → project {code}"));
            last_project = Some((i + 1, code.clone()));
        }
    }
}

/// What a name (subject, file name, one path component) names.
pub fn find_in_name(c: &CampaignFile, name: &str) -> Found {
    let mut f = Found::default();
    references(c, name, Mode::Name, &mut f);
    keywords(c, name, &mut f);
    f
}

/// What running text names (quotes should be stripped by the caller).
pub fn find_in_text(c: &CampaignFile, text: &str) -> Found {
    let mut f = Found::default();
    for line in text.lines() {
        references(c, line, Mode::Body, &mut f);
    }
    keywords(c, text, &mut f);
    f
}

fn find_in_path(c: &CampaignFile, path: &str) -> Found {
    let mut f = Found::default();
    for comp in path.split(['/', '\\']).filter(|s| !s.is_empty()) {
        f.merge(find_in_name(c, comp));
    }
    f
}

/// The project a form row is about, by ordinal or by title.
pub fn form_row_project(c: &CampaignFile, row: &crate::inspect::FormRow) -> Option<String> {
    row.ordinal.and_then(|n| project_code(c, n)).or_else(|| {
        let label = compact(&row.label);
        c.projects
            .iter()
            .find(|p| {
                let t = compact(&p.title);
                label.contains(&t) || p.keywords.iter().any(|k| label.contains(&compact(k)))
            })
            .map(|p| p.code.clone())
    })
}

/// Projects whose rows are filled in, by ordinal or by title.
fn form_projects(c: &CampaignFile, insp_form: &crate::inspect::Form) -> BTreeSet<String> {
    insp_form
        .rows
        .iter()
        .filter(|r| r.filled)
        .filter_map(|row| form_row_project(c, row))
        .collect()
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Identified {
    pub projects: Vec<String>,
    /// Projects whose only evidence is a filled row of the overview form.
    pub form_projects: Vec<String>,
    pub items: Vec<String>,
    pub per_attachment: Vec<AttachmentClass>,
    pub reasons: Vec<String>,
}

fn order(c: &CampaignFile, codes: &BTreeSet<String>, items: bool) -> Vec<String> {
    let all: Vec<&String> = if items {
        c.items().map(|(_, i)| &i.code).collect()
    } else {
        c.projects.iter().map(|p| &p.code).collect()
    };
    let mut v: Vec<String> = all
        .into_iter()
        .filter(|x| codes.contains(*x))
        .cloned()
        .collect();
    let rest: Vec<String> = codes.iter().filter(|x| !v.contains(x)).cloned().collect();
    v.extend(rest);
    v
}

pub(crate) fn identify(insp: &Inspection, c: &CampaignFile) -> Identified {
    let mut total = Found::default();
    let mut reasons = Vec::new();
    let note = |label: &str, f: &Found, reasons: &mut Vec<String>| {
        if !f.hits.is_empty() {
            reasons.push(format!("{label}: {}", f.hits.join(", ")));
        }
    };
    let subj = find_in_name(c, &insp.headers.subject);
    note("subject", &subj, &mut reasons);
    total.merge(subj);
    let mut per = Vec::new();
    let mut from_forms: BTreeSet<String> = BTreeSet::new();
    for (idx, a) in insp.attachments.iter().enumerate() {
        let mut f = find_in_path(c, &a.filename);
        for m in a.members.iter().flatten() {
            f.merge(find_in_path(c, m));
        }
        let mut projects = f.projects.clone();
        for form in &a.forms {
            let fp = form_projects(c, form);
            if !fp.is_empty() {
                f.hits.push(format!(
                    "form rows filled for projects {}",
                    fp.iter().cloned().collect::<Vec<_>>().join(",")
                ));
            }
            from_forms.extend(fp.iter().cloned());
            projects.extend(fp);
        }
        for it in &f.items {
            if let Some((p, _)) = c.item(it) {
                projects.insert(p.code.clone());
            }
        }
        note(&format!("file {:?}", a.filename), &f, &mut reasons);
        per.push(AttachmentClass {
            index: idx,
            projects: order(c, &projects, false),
            items: order(c, &f.items, true),
        });
        total.projects.extend(f.projects);
        total.items.extend(f.items);
    }
    for fw in &insp.forwarded {
        let f = find_in_name(c, &fw.subject);
        note("forwarded subject", &f, &mut reasons);
        total.merge(f);
        let f = find_in_text(c, &strip_quotes(&fw.body_text));
        note("forwarded body", &f, &mut reasons);
        total.merge(f);
    }
    let body = find_in_text(c, &strip_quotes(&insp.body_text));
    note("body", &body, &mut reasons);
    total.merge(body);
    let item_projects: Vec<String> = total
        .items
        .iter()
        .filter_map(|i| c.item(i).map(|(p, _)| p.code.clone()))
        .collect();
    total.projects.extend(item_projects);
    let form_only: BTreeSet<String> = from_forms
        .iter()
        .filter(|p| !total.projects.contains(*p))
        .cloned()
        .collect();
    total.projects.extend(from_forms);
    Identified {
        projects: order(c, &total.projects, false),
        form_projects: order(c, &form_only, false),
        items: order(c, &total.items, true),
        per_attachment: per,
        reasons,
    }
}

#[cfg(test)]
#[path = "items_tests.rs"]
mod tests;
