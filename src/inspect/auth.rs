//! `Authentication-Results` (RFC 8601): what a receiving server found when
//! it checked SPF, DKIM and DMARC. Only the parsing lives here; which
//! servers are believed is configuration (`[intake] trusted_authserv_ids`)
//! and the rule is in `classify`.
//!
//! Anyone can write this header into a message, so it is evidence only
//! when its authserv-id names the provider that delivered the mail to us;
//! and it is only ever used to *withdraw* trust (a forged "pass" gains a
//! sender nothing that the bare From address did not already give).

use serde::{Deserialize, Serialize};

/// One `Authentication-Results` header.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuthResults {
    /// The server that checked, lower case (`mx.126.com`).
    pub authserv_id: String,
    /// (method, result), lower case: ("spf", "fail"), ("dkim", "pass").
    pub results: Vec<(String, String)>,
}

/// At most this many headers are read (a message may carry one per hop;
/// a flood of them is not worth reading).
pub(crate) const MAX_HEADERS: usize = 16;

/// Parses one header value; `None` when it has no authserv-id.
pub fn parse(value: &str) -> Option<AuthResults> {
    let text = strip_comments(value);
    let mut parts = text.split(';');
    let id = parts
        .next()?
        .split_whitespace()
        .next()?
        .to_ascii_lowercase();
    if id.is_empty() {
        return None;
    }
    let mut results = Vec::new();
    for p in parts.take(32) {
        let Some(first) = p.split_whitespace().next() else {
            continue;
        };
        let Some((method, result)) = first.split_once('=') else {
            continue;
        };
        let method = method.split('/').next().unwrap_or(method);
        results.push((method.to_ascii_lowercase(), result.to_ascii_lowercase()));
    }
    Some(AuthResults {
        authserv_id: id,
        results,
    })
}

/// Removes `(comments)`, nested, outside quoted strings.
fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    for ch in s.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(ch);
            }
            continue;
        }
        match ch {
            '\\' => {
                escaped = true;
                if depth == 0 {
                    out.push(ch);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(ch);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out
}

/// Whether a trusted server found that SPF, DKIM and DMARC, as far as it
/// checked them (`none` is not a result), all failed. `trusted` holds authserv-ids, each matching
/// itself or any host name ending in `.` + it.
pub fn all_failed(headers: &[AuthResults], trusted: &[String]) -> bool {
    let believed = |id: &str| {
        trusted
            .iter()
            .any(|t| id == t || id.ends_with(&format!(".{t}")))
    };
    let mut checked = false;
    for h in headers.iter().filter(|h| believed(&h.authserv_id)) {
        for (method, result) in &h.results {
            if !matches!(method.as_str(), "spf" | "dkim" | "dmarc") || result == "none" {
                // Another method, or this one was not checked at all.
                continue;
            }
            let failed = result == "fail" || (method == "spf" && result == "softfail");
            if !failed {
                return false;
            }
            checked = true;
        }
    }
    checked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_methods_results_and_ignores_comments_and_properties() {
        let a = parse(
            "mx.126.com (Coremail) ; spf=fail (sender IP is 1.2.3.4) smtp.mailfrom=x@shijie.test; dkim=none; dmarc=fail header.from=shijie.test",
        )
        .expect("parsed");
        assert_eq!(a.authserv_id, "mx.126.com");
        assert_eq!(
            a.results,
            vec![
                ("spf".into(), "fail".into()),
                ("dkim".into(), "none".into()),
                ("dmarc".into(), "fail".into())
            ]
        );
        assert_eq!(parse("example.org 1; none").expect("id").results, vec![]);
        assert!(parse("  ").is_none());
    }

    #[test]
    fn all_failed_needs_a_trusted_server_and_no_passing_method() {
        let t = vec!["126.com".to_owned()];
        let fail = parse("mx.126.com; spf=fail; dkim=fail; dmarc=fail").expect("p");
        let pass = parse("mx.126.com; spf=fail; dkim=pass; dmarc=fail").expect("p");
        let forged = parse("evil.example; spf=fail; dmarc=fail").expect("p");
        let none = parse("mx.126.com; dkim=none").expect("p");
        let unsigned = parse("mx.126.com; spf=fail; dkim=none; dmarc=fail").expect("p");
        assert!(
            all_failed(&[unsigned], &t),
            "an unsigned forgery fails what was checked"
        );
        assert!(all_failed(std::slice::from_ref(&fail), &t));
        assert!(!all_failed(&[fail.clone(), pass], &t));
        assert!(!all_failed(&[forged], &t), "only the trusted server counts");
        assert!(!all_failed(&[none], &t), "nothing checked is not a failure");
        assert!(
            !all_failed(&[fail], &[]),
            "nothing trusted: nothing believed"
        );
        assert!(!all_failed(&[parse("x126.com; spf=fail").expect("p")], &t));
    }
}
