//! Just enough of the Compound File Binary format (OLE2: .xls, .doc, .et,
//! .wps, and password-protected Office files) to list its stream names.
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

/// The names of all directory entries (storages and streams).
pub(crate) fn stream_names(b: &[u8]) -> Result<Vec<String>, String> {
    if b.len() < HEADER {
        return Err("shorter than the 512-byte header".into());
    }
    let shift = u16_at(b, 0x1E).ok_or("no sector shift")?;
    if !(7..=16).contains(&shift) {
        return Err(format!("invalid sector shift {shift}"));
    }
    let ssz = 1usize << shift;
    let n_sectors = b.len().saturating_sub(HEADER).div_ceil(ssz);
    let sector = |sid: u32| -> Option<&[u8]> {
        let off = HEADER.checked_add((sid as usize).checked_mul(ssz)?)?;
        b.get(off..off.checked_add(ssz)?.min(b.len()))
    };
    // FAT sector ids: 109 in the header, the rest in the DIFAT chain.
    let mut fat_sids: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(b, 0x4C + i * 4))
        .filter(|&s| s != FREESECT && s != ENDOFCHAIN)
        .collect();
    let mut difat = u32_at(b, 0x44).unwrap_or(ENDOFCHAIN);
    let mut guard = 0;
    while difat != ENDOFCHAIN && difat != FREESECT && guard < n_sectors {
        let Some(s) = sector(difat) else { break };
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
        let Some(s) = sector(*sid) else { continue };
        fat.extend((0..s.len() / 4).filter_map(|i| u32_at(s, i * 4)));
        if fat.len() > n_sectors.saturating_mul(4) + 1024 {
            break;
        }
    }
    let mut dir_sid = u32_at(b, 0x30).ok_or("no directory start")?;
    let mut names = Vec::new();
    let mut steps = 0;
    while dir_sid != ENDOFCHAIN && dir_sid != FREESECT {
        steps += 1;
        if steps > n_sectors + 1 {
            return Err("directory chain loops".into());
        }
        let s = sector(dir_sid).ok_or("directory sector out of range")?;
        for e in s.chunks_exact(128) {
            let len = usize::from(u16_at(e, 0x40).unwrap_or(0)).min(64);
            if len < 2 || e.get(0x42).copied().unwrap_or(0) == 0 {
                continue;
            }
            let units: Vec<u16> = e[..len - 2]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            names.push(String::from_utf16_lossy(&units));
        }
        dir_sid = fat.get(dir_sid as usize).copied().unwrap_or(ENDOFCHAIN);
    }
    if names.is_empty() {
        return Err("no directory entries".into());
    }
    Ok(names)
}
