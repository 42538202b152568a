//! Just enough of the Compound File Binary format (OLE2: .xls, .doc, .et,
//! .wps, and password-protected Office files) to list its stream names and
//! read a stream.
//! Office's encryption wraps even a .docx/.xlsx in a CFB container with
//! `EncryptionInfo` and `EncryptedPackage` streams (sample 027).

const HEADER: usize = 512;
const FREESECT: u32 = 0xFFFF_FFFF;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;

fn u16_at(b: &[u8], o: usize) -> Option<u16> {
    b.get(o..o + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], o: usize) -> Option<u32> {
    b.get(o..o + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// One directory entry: a storage or a stream.
struct DirEntry {
    name: String,
    /// 1 storage, 2 stream, 5 root.
    kind: u8,
    start: u32,
    size: u64,
}

/// A parsed container: sector size, FAT and directory, all bounded by the
/// file's own length (every chain walk stops after as many steps as there
/// are sectors, so a looping chain ends). Parsed once by readers that need
/// several streams (a .doc's text and table streams).
pub(crate) struct Container<'a> {
    b: &'a [u8],
    ssz: usize,
    n_sectors: usize,
    fat: Vec<u32>,
    entries: Vec<DirEntry>,
    mini_cutoff: u64,
    minifat_start: u32,
}

impl<'a> Container<'a> {
    pub(crate) fn parse(b: &'a [u8]) -> Result<Container<'a>, String> {
        if b.len() < HEADER {
            return Err("shorter than the 512-byte header".into());
        }
        let shift = u16_at(b, 0x1E).ok_or("no sector shift")?;
        if !(7..=16).contains(&shift) {
            return Err(format!("invalid sector shift {shift}"));
        }
        let ssz = 1usize << shift;
        let n_sectors = b.len().saturating_sub(HEADER).div_ceil(ssz);
        let mut c = Container {
            b,
            ssz,
            n_sectors,
            fat: Vec::new(),
            entries: Vec::new(),
            mini_cutoff: u64::from(u32_at(b, 0x38).unwrap_or(4096)),
            minifat_start: u32_at(b, 0x3C).unwrap_or(ENDOFCHAIN),
        };
        // FAT sector ids: 109 in the header, the rest in the DIFAT chain.
        let mut fat_sids: Vec<u32> = (0..109)
            .filter_map(|i| u32_at(b, 0x4C + i * 4))
            .filter(|&s| s != FREESECT && s != ENDOFCHAIN)
            .collect();
        let mut difat = u32_at(b, 0x44).unwrap_or(ENDOFCHAIN);
        let mut guard = 0;
        while difat != ENDOFCHAIN && difat != FREESECT && guard < n_sectors {
            let Some(s) = c.sector(difat) else { break };
            let per = ssz / 4 - 1;
            fat_sids.extend(
                (0..per)
                    .filter_map(|i| u32_at(s, i * 4))
                    .filter(|&x| x != FREESECT && x != ENDOFCHAIN),
            );
            difat = u32_at(s, per * 4).unwrap_or(ENDOFCHAIN);
            guard += 1;
        }
        let mut fat: Vec<u32> = Vec::new();
        for sid in fat_sids.iter().take(n_sectors.max(1)) {
            let Some(s) = c.sector(*sid) else { continue };
            fat.extend((0..s.len() / 4).filter_map(|i| u32_at(s, i * 4)));
            if fat.len() > n_sectors.saturating_mul(4) + 1024 {
                break;
            }
        }
        c.fat = fat;
        let dir_sid = u32_at(b, 0x30).ok_or("no directory start")?;
        let dir = c.chain(dir_sid, &c.fat, |sid| c.sector(sid))?;
        for e in dir.chunks_exact(128) {
            let len = usize::from(u16_at(e, 0x40).unwrap_or(0)).min(64);
            let kind = e.get(0x42).copied().unwrap_or(0);
            if len < 2 || kind == 0 {
                continue;
            }
            let units: Vec<u16> = e[..len - 2]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            c.entries.push(DirEntry {
                name: String::from_utf16_lossy(&units),
                kind,
                start: u32_at(e, 0x74).unwrap_or(ENDOFCHAIN),
                // Version 3 files keep only the low 32 bits meaningful.
                size: u64::from(u32_at(e, 0x78).unwrap_or(0)),
            });
        }
        if c.entries.is_empty() {
            return Err("no directory entries".into());
        }
        Ok(c)
    }

    fn sector(&self, sid: u32) -> Option<&'a [u8]> {
        let off = HEADER.checked_add((sid as usize).checked_mul(self.ssz)?)?;
        self.b
            .get(off..off.checked_add(self.ssz)?.min(self.b.len()))
    }

    /// The bytes of a chain of (mini) sectors, concatenated. Never longer
    /// than the file: each sector is visited at most once.
    fn chain<'s>(
        &self,
        start: u32,
        table: &[u32],
        get: impl Fn(u32) -> Option<&'s [u8]>,
    ) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut sid = start;
        let mut steps = 0usize;
        while sid != ENDOFCHAIN && sid != FREESECT {
            steps += 1;
            if steps > table.len().max(self.n_sectors) + 1 {
                return Err("sector chain loops".into());
            }
            let s = get(sid).ok_or("sector out of range")?;
            out.extend_from_slice(s);
            sid = table.get(sid as usize).copied().unwrap_or(ENDOFCHAIN);
        }
        Ok(out)
    }

    /// The bytes of one stream; never longer than the file.
    pub(crate) fn stream(&self, name: &str) -> Result<Vec<u8>, String> {
        let e = self
            .entries
            .iter()
            .find(|e| e.kind == 2 && e.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("no {name} stream"))?;
        let mut data = if e.size < self.mini_cutoff {
            // Small streams live in 64-byte sectors inside the root's stream.
            let root = self
                .entries
                .iter()
                .find(|r| r.kind == 5)
                .ok_or("no root entry")?;
            let mini = self.chain(root.start, &self.fat, |sid| self.sector(sid))?;
            let minifat_bytes =
                self.chain(self.minifat_start, &self.fat, |sid| self.sector(sid))?;
            let minifat: Vec<u32> = (0..minifat_bytes.len() / 4)
                .filter_map(|i| u32_at(&minifat_bytes, i * 4))
                .collect();
            self.chain(e.start, &minifat, |sid| {
                let off = (sid as usize).checked_mul(64)?;
                mini.get(off..off.checked_add(64)?)
            })?
        } else {
            self.chain(e.start, &self.fat, |sid| self.sector(sid))?
        };
        data.truncate(usize::try_from(e.size).unwrap_or(usize::MAX));
        Ok(data)
    }
}

/// The names of all directory entries (storages and streams).
pub(crate) fn stream_names(b: &[u8]) -> Result<Vec<String>, String> {
    Ok(Container::parse(b)?
        .entries
        .into_iter()
        .map(|e| e.name)
        .collect())
}

/// The bytes of the first stream of one of these names (case-insensitive).
pub(crate) fn stream(b: &[u8], names: &[&str]) -> Result<Vec<u8>, String> {
    let c = Container::parse(b)?;
    let mut last = String::new();
    for n in names {
        match c.stream(n) {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    Err(last)
}
