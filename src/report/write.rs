//! Writing a rendered report to disk without ever leaving a half-written file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::report::render::Rendered;

/// Write every file of `rendered` under `dir`, each through a temporary file
/// in the same directory followed by a rename, so an interrupted run leaves
/// either the old file or the new one, never a mixture.
///
/// Nothing is written until rendering has fully succeeded (the caller renders
/// in memory first), so a failed run leaves an earlier report untouched. When
/// `prune_figures` is set, PNG files in `dir/figures/` that this report did not
/// write are removed, so renamed figures leave no stale copies behind.
///
/// The files are written in parallel and not `fsync`ed: the rename already
/// makes each replacement atomic for any reader and for a crash of this
/// process, and a report can be regenerated, so paying a disk flush per file
/// (a tenth of the whole run) buys nothing a user would notice.
///
/// Returns the paths written.
///
/// # Errors
/// An I/O error, with the path it concerns.
pub fn write_atomically(
    dir: &Path,
    rendered: &Rendered,
    prune_figures: bool,
) -> std::io::Result<Vec<PathBuf>> {
    let paths: Vec<PathBuf> = rendered
        .files
        .iter()
        .map(|(relative, _)| dir.join(relative))
        .collect();
    let parents: std::collections::BTreeSet<&Path> = paths.iter().filter_map(|p| p.parent()).collect();
    for parent in parents {
        fs::create_dir_all(parent).map_err(|e| with_path(e, parent))?;
    }
    // Independent files: written on every core.
    let written = paths
        .into_par_iter()
        .zip(&rendered.files)
        .map(|(path, (_, bytes))| write_one(&path, bytes).map(|()| path))
        .collect::<std::io::Result<Vec<PathBuf>>>()?;
    if prune_figures {
        prune(&dir.join("figures"), &written)?;
    }
    Ok(written)
}

/// Write `bytes` to a temporary file beside `path`, then rename it over `path`.
fn write_one(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("output");
    let temporary = parent.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = fs::File::create(&temporary)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| fs::rename(&temporary, path));
    if let Err(e) = result {
        let _ = fs::remove_file(&temporary);
        return Err(with_path(e, path));
    }
    Ok(())
}

fn prune(figures: &Path, keep: &[PathBuf]) -> std::io::Result<()> {
    let Ok(entries) = fs::read_dir(figures) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "png") && !keep.contains(&path) {
            fs::remove_file(&path).map_err(|e| with_path(e, &path))?;
        }
    }
    Ok(())
}

fn with_path(e: std::io::Error, path: &Path) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_land_whole_and_stale_figures_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("figures")).unwrap();
        fs::write(dir.path().join("figures/old.png"), b"stale").unwrap();
        fs::write(dir.path().join("figures/notes.txt"), b"keep me").unwrap();
        let rendered = Rendered {
            files: vec![
                ("figures/new.png".into(), b"png".to_vec()),
                ("report.md".into(), b"# r".to_vec()),
            ],
        };
        write_atomically(dir.path(), &rendered, true).unwrap();
        assert_eq!(fs::read(dir.path().join("report.md")).unwrap(), b"# r");
        assert!(!dir.path().join("figures/old.png").exists());
        assert!(dir.path().join("figures/notes.txt").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
