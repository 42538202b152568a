//! Download links to cloud storage: large files often arrive only as a QQ
//! 超大附件 / 163 大附件 / 百度网盘 link (sample 020). The patterns are data:
//! adding a provider is one line.

use super::{ExternalLink, Inspection};

/// (provider, host or host suffix, path prefix that must follow; "" = any).
pub const LINK_PATTERNS: &[(&str, &str, &str)] = &[
    ("qq_ftn", "mail.qq.com", "/cgi-bin/ftnexs_download"),
    ("qq_ftn", "mail.qq.com", "/cgi-bin/ftn"),
    ("qq_ftn", "wx.mail.qq.com", "/ftn"),
    ("qq_ftn", "ftn.qq.com", ""),
    ("qq_weiyun", "share.weiyun.com", ""),
    (
        "netease_large_attachment",
        "mail.163.com",
        "/large-attachment-download",
    ),
    (
        "netease_large_attachment",
        "mail.126.com",
        "/large-attachment-download",
    ),
    (
        "netease_large_attachment",
        "mail.yeah.net",
        "/large-attachment-download",
    ),
    (
        "netease_large_attachment",
        "mail.163.com",
        "/netfolder-download",
    ),
    (
        "netease_large_attachment",
        "mail.126.com",
        "/netfolder-download",
    ),
    ("netease_large_attachment", "dashi.163.com", ""),
    ("netease_large_attachment", "fs.163.com", ""),
    ("netease_large_attachment", "fs.126.com", ""),
    ("baidu_pan", "pan.baidu.com", ""),
    ("baidu_pan", "yun.baidu.com", ""),
    ("aliyun_drive", "aliyundrive.com", ""),
    ("aliyun_drive", "alipan.com", ""),
    ("quark_pan", "pan.quark.cn", ""),
    ("lanzou", "lanzou.com", ""),
    ("lanzou", "lanzoui.com", ""),
    ("lanzou", "lanzous.com", ""),
    ("lanzou", "lanzoux.com", ""),
    ("tianyi_cloud", "cloud.189.cn", ""),
    ("mcloud_139", "caiyun.139.com", ""),
    ("mcloud_139", "yun.139.com", ""),
    ("pan_115", "115.com", "/s/"),
    ("wps_cloud", "kdocs.cn", ""),
    ("wps_cloud", "docs.qq.com", ""),
    ("wetransfer", "wetransfer.com", ""),
    ("wetransfer", "we.tl", ""),
    ("onedrive", "1drv.ms", ""),
    ("onedrive", "onedrive.live.com", ""),
    ("google_drive", "drive.google.com", ""),
    ("dropbox", "dropbox.com", ""),
];

fn url_end(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '<' | '>' | '）' | '，' | '。' | '】' | '”' | '\u{3000}'
        )
        || (!c.is_ascii() && !c.is_alphanumeric())
        || ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The provider of a URL, if it is a cloud download link.
pub fn provider(url: &str) -> Option<&'static str> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let (host, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let host = host.split(':').next().unwrap_or(host);
    LINK_PATTERNS.iter().find_map(|(prov, h, p)| {
        let host_ok = host == *h || host.ends_with(&format!(".{h}"));
        (host_ok && path.starts_with(p)).then_some(*prov)
    })
}

/// Every cloud link in `text`, with or without a scheme.
pub fn find(text: &str) -> Vec<ExternalLink> {
    let mut out: Vec<ExternalLink> = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut starts: Vec<usize> = Vec::new();
    for pat in ["http://", "https://"] {
        starts.extend(lower.match_indices(pat).map(|(i, _)| i));
    }
    // Links pasted without a scheme ("pan.baidu.com/s/1abc").
    for (_, h, _) in LINK_PATTERNS {
        for (i, _) in lower.match_indices(h) {
            let before = lower[..i].chars().next_back();
            if !matches!(before, Some(c) if c.is_ascii_alphanumeric() || c == '.' || c == '/' || c == '-')
            {
                starts.push(i);
            }
        }
    }
    starts.sort_unstable();
    starts.dedup();
    for s in starts {
        let Some(tail) = text.get(s..) else { continue };
        let end = tail.find(url_end).unwrap_or(tail.len());
        let url = tail[..end]
            .trim_end_matches(['.', ',', ')', ';'])
            .replace("&amp;", "&");
        if let Some(p) = provider(&url)
            && !out
                .iter()
                .any(|l| url.contains(&l.url) || l.url.contains(&url))
        {
            out.push(ExternalLink {
                provider: p.to_owned(),
                url,
            });
        }
    }
    out
}

pub(crate) fn scan(insp: &mut Inspection) {
    let mut links = find(&insp.body_text);
    let mut more = find(&insp.body_html);
    for f in &insp.forwarded {
        more.extend(find(&f.body_text));
    }
    for l in more {
        if !links
            .iter()
            .any(|x| x.url == l.url || x.url.contains(&l.url) || l.url.contains(&x.url))
        {
            links.push(l);
        }
    }
    insp.links = links;
}
