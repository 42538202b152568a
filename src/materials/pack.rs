//! `mailroom materials --out FILE.zip`: the tree (or one 科室's folder) as
//! a zip whose names are UTF-8 with the language-encoding flag (bit 11)
//! set, which Windows Explorer (7 and later), WPS and 7-Zip read as such;
//! unflagged, Explorer would read them as the local code page.

use std::fs;
use std::io::{Seek, Write};
use std::path::Path;

use anyhow::{Context, Result};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::write::MANIFEST;

/// Files already compressed are stored: deflating them again costs time
/// and saves nothing.
fn method_for(name: &str) -> CompressionMethod {
    match crate::inspect::names::extension(name).as_str() {
        "zip" | "rar" | "7z" | "jpg" | "jpeg" | "png" | "gif" | "mp4" | "mp3" | "docx" | "xlsx"
        | "pptx" | "pdf" => CompressionMethod::Stored,
        _ => CompressionMethod::Deflated,
    }
}

/// Zips `dir` (a folder of the tree) into `out`; entry names start with
/// `prefix` (the 科室's folder name, or empty for the whole tree).
pub fn zip_dir<W: Write + Seek>(dir: &Path, prefix: &str, out: W) -> Result<W> {
    let mut zw = ZipWriter::new(out);
    add(&mut zw, dir, prefix)?;
    zw.finish().context("cannot finish the zip")
}

fn add<W: Write + Seek>(zw: &mut ZipWriter<W>, dir: &Path, prefix: &str) -> Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot list {}", dir.display()))?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        if prefix.is_empty() && name == MANIFEST {
            continue;
        }
        let inner = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let path = e.path();
        let ty = e
            .file_type()
            .with_context(|| format!("cannot stat {}", path.display()))?;
        if ty.is_dir() {
            zw.add_directory(format!("{inner}/"), SimpleFileOptions::default())
                .with_context(|| format!("cannot add {inner} to the zip"))?;
            add(zw, &path, &inner)?;
        } else if ty.is_file() {
            let opts = SimpleFileOptions::default()
                .compression_method(method_for(&name))
                .large_file(
                    e.metadata()
                        .map(|m| m.len() >= u32::MAX as u64)
                        .unwrap_or(true),
                );
            zw.start_file(inner.as_str(), opts)
                .with_context(|| format!("cannot add {inner} to the zip"))?;
            let mut f =
                fs::File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
            std::io::copy(&mut f, zw).with_context(|| format!("cannot zip {}", path.display()))?;
        }
    }
    Ok(())
}
