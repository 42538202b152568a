//! Planning which UIDs to download together.

/// Formats ascending UIDs as an IMAP sequence set: `1:5,7,9:12`.
pub fn format(uids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end + 1 {
            i += 1;
            end = uids[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// Longest sequence set we send: some servers limit command lines to about
/// 1000 octets (Delta Chat keeps its sets under that for the same reason).
const MAX_SET_LEN: usize = 900;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Ascending UIDs with their announced sizes.
    pub messages: Vec<(u32, u32)>,
    /// Fetched alone: too large, or failed before.
    pub isolated: bool,
}

impl Batch {
    pub fn uids(&self) -> Vec<u32> {
        self.messages.iter().map(|(u, _)| *u).collect()
    }

    pub fn bytes(&self) -> u64 {
        self.messages.iter().map(|(_, s)| u64::from(*s)).sum()
    }

    pub fn max_size(&self) -> u32 {
        self.messages.iter().map(|(_, s)| *s).max().unwrap_or(0)
    }
}

/// Splits ascending `(uid, size)` pairs into batches bounded by count and
/// bytes. `alone(uid, size)` marks messages that must be fetched by
/// themselves (oversize, or a previous failure), so one bad message can
/// never take a whole batch down with it.
pub fn plan(
    messages: &[(u32, u32)],
    max_count: usize,
    max_bytes: u64,
    alone: impl Fn(u32, u32) -> bool,
) -> Vec<Batch> {
    let mut out = Vec::new();
    let mut cur: Vec<(u32, u32)> = Vec::new();
    let mut cur_bytes = 0u64;
    let flush = |cur: &mut Vec<(u32, u32)>, out: &mut Vec<Batch>| {
        if !cur.is_empty() {
            out.push(Batch {
                messages: std::mem::take(cur),
                isolated: false,
            });
        }
    };
    for &(uid, size) in messages {
        if alone(uid, size) {
            flush(&mut cur, &mut out);
            cur_bytes = 0;
            out.push(Batch {
                messages: vec![(uid, size)],
                isolated: true,
            });
            continue;
        }
        let too_many = cur.len() >= max_count;
        let too_big = !cur.is_empty() && cur_bytes + u64::from(size) > max_bytes;
        let too_long = {
            let mut uids: Vec<u32> = cur.iter().map(|(u, _)| *u).collect();
            uids.push(uid);
            format(&uids).len() > MAX_SET_LEN
        };
        if too_many || too_big || too_long {
            flush(&mut cur, &mut out);
            cur_bytes = 0;
        }
        cur.push((uid, size));
        cur_bytes += u64::from(size);
    }
    flush(&mut cur, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_compress_runs() {
        assert_eq!(format(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
        assert_eq!(format(&[42]), "42");
        assert_eq!(format(&[]), "");
    }

    #[test]
    fn batches_respect_count_bytes_and_isolation() {
        let msgs: Vec<(u32, u32)> = (1..=10).map(|u| (u, 100)).collect();
        let b = plan(&msgs, 4, 1_000_000, |_, _| false);
        assert_eq!(
            b.iter().map(|b| b.messages.len()).collect::<Vec<_>>(),
            [4, 4, 2]
        );

        let b = plan(&msgs, 100, 250, |_, _| false);
        assert_eq!(
            b.iter().map(|b| b.messages.len()).collect::<Vec<_>>(),
            [2, 2, 2, 2, 2]
        );

        let b = plan(&msgs, 100, 1_000_000, |uid, _| uid == 5);
        assert_eq!(b.len(), 3);
        assert_eq!(b[1].uids(), [5]);
        assert!(b[1].isolated);
        assert_eq!(b[2].uids(), [6, 7, 8, 9, 10]);
    }

    #[test]
    fn a_single_message_larger_than_the_byte_bound_still_gets_a_batch() {
        let b = plan(&[(1, 10), (2, 5000), (3, 10)], 100, 100, |_, _| false);
        assert_eq!(
            b.iter().map(Batch::uids).collect::<Vec<_>>(),
            [vec![1], vec![2], vec![3]]
        );
    }

    #[test]
    fn sparse_uids_keep_commands_short() {
        let msgs: Vec<(u32, u32)> = (0..1000).map(|i| (1_000_000 + i * 2, 1)).collect();
        for batch in plan(&msgs, 10_000, u64::MAX, |_, _| false) {
            assert!(format(&batch.uids()).len() <= MAX_SET_LEN);
        }
    }
}
