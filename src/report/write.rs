//! Writing a rendered report to disk without ever leaving a half-written file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::report::render::{Format, Rendered};

/// Write every file of `rendered` under `dir`, each through a temporary file
/// in the same directory followed by a rename, so an interrupted run leaves
/// either the old file or the new one, never a mixture.
///
/// Nothing is written until rendering has fully succeeded (the caller renders
/// in memory first), so a failed run leaves an earlier report untouched. When
/// `prune_figures` is set, PNG files in `dir/figures/` that this report did not
/// write are removed, so renamed figures leave no stale copies behind.
///
/// A file that already holds exactly its new bytes is left alone, modification
/// time included: re-running the report or the notebook generator over the
/// committed output rewrites only what changed (an open notebook does not
/// report a change on disk, and ext4 flushes the data of every rename that
/// replaces a file, which made writing a tenth of the report's run).
///
/// The files are written in parallel and not `fsync`ed: the rename already
/// makes each replacement atomic for any reader and for a crash of this
/// process, and a report can be regenerated, so paying a disk flush per file
/// (a tenth of the whole run) buys nothing a user would notice.
///
/// Returns the paths of the report's files, unchanged ones included.
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
        fs::create_dir_all(parent).map_err(|e| {
            // `create_dir_all` reports a file in the way as "File exists", or as
            // "Not a directory" for a path through it: name the file.
            match parent
                .ancestors()
                .find(|a| a.metadata().is_ok_and(|m| !m.is_dir()))
            {
                Some(file) => std::io::Error::other(format!(
                    "{}: expected a directory to write into, found a file",
                    file.display()
                )),
                None => with_path(e, parent),
            }
        })?;
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

/// Write `bytes` to a temporary file beside `path`, then rename it over `path`,
/// unless `path` already holds `bytes`.
fn write_one(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if holds(path, bytes) {
        return Ok(());
    }
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

/// Whether the file at `path` holds exactly `bytes` (false when it cannot be read).
///
/// Compared a block at a time through one small buffer rather than read whole:
/// reading the old report into fresh memory cost a page fault per 4 kB of it
/// (7 MB, about 1 700 faults, in the serial end of the run).
fn holds(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = fs::File::open(path) else {
        return false;
    };
    if !file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
    {
        return false;
    }
    let mut block = [0u8; 64 * 1024];
    let mut rest = bytes;
    loop {
        match file.read(&mut block) {
            Ok(0) => return rest.is_empty(),
            Ok(n) if n <= rest.len() && block[..n] == rest[..n] => rest = &rest[n..],
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            _ => return false,
        }
    }
}

/// Removes from `dir` the pages `stem.html`, `stem.md`, `stem.json` of the
/// formats not in `written`, and returns their names. Run after
/// [`write_atomically`], it leaves one run's pages in the directory: a page in
/// another format is an earlier run's, maybe about another table, and may show
/// figures this run has just replaced.
///
/// # Errors
/// An I/O error, with the path it concerns.
pub fn remove_other_pages(dir: &Path, stem: &str, written: &[Format]) -> std::io::Result<Vec<String>> {
    let mut removed = Vec::new();
    for format in Format::ALL.into_iter().filter(|f| !written.contains(f)) {
        let name = format!("{stem}.{}", format.extension());
        let page = dir.join(&name);
        if page.is_file() {
            fs::remove_file(&page).map_err(|e| with_path(e, &page))?;
            removed.push(name);
        }
    }
    Ok(removed)
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

    #[test]
    fn pages_of_other_formats_are_removed_and_named_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "analysis.html",
            "analysis.md",
            "analysis.json",
            "report.md",
            "notes.md",
        ] {
            fs::write(dir.path().join(name), b"earlier").unwrap();
        }
        let removed = remove_other_pages(dir.path(), "analysis", &[Format::Markdown]).unwrap();
        assert_eq!(removed, ["analysis.html", "analysis.json"]);
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["analysis.md", "notes.md", "report.md"]);
        assert!(
            remove_other_pages(dir.path(), "analysis", &[Format::Markdown])
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_file_where_the_directory_should_be_is_named_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::write(&out, b"mine").unwrap();
        let rendered = Rendered {
            files: vec![("report.md".into(), b"# r".to_vec())],
        };
        // The file is named whether it is the directory or on the way to it.
        for into in [out.clone(), out.join("sub")] {
            let error = write_atomically(&into, &rendered, false).unwrap_err().to_string();
            assert_eq!(
                error,
                format!(
                    "{}: expected a directory to write into, found a file",
                    out.display()
                )
            );
        }
        assert_eq!(fs::read(&out).unwrap(), b"mine");
    }

    #[test]
    #[cfg(unix)]
    fn unchanged_files_are_left_alone_and_changed_ones_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let (same, changed) = (dir.path().join("same.md"), dir.path().join("changed.md"));
        fs::write(&same, b"kept").unwrap();
        fs::write(&changed, b"old").unwrap();
        // A hard link sees the bytes of the inode it was made from: it keeps
        // them when the name is renamed over, and sees a write in place.
        let (same_link, changed_link) = (dir.path().join("same.lnk"), dir.path().join("changed.lnk"));
        fs::hard_link(&same, &same_link).unwrap();
        fs::hard_link(&changed, &changed_link).unwrap();
        let rendered = Rendered {
            files: vec![
                ("same.md".into(), b"kept".to_vec()),
                ("changed.md".into(), b"new".to_vec()),
            ],
        };
        let paths = write_atomically(dir.path(), &rendered, false).unwrap();
        assert_eq!(paths, [same.clone(), changed.clone()]);
        assert_eq!(fs::read(&changed).unwrap(), b"new");
        assert_eq!(
            fs::read(&changed_link).unwrap(),
            b"old",
            "replaced by a rename, not written in place"
        );
        assert_eq!(fs::read(&same).unwrap(), b"kept");
        use std::os::unix::fs::MetadataExt;
        let links = |path: &Path| fs::metadata(path).unwrap().nlink();
        assert_eq!(links(&same), 2, "the unchanged file is still the linked inode");
        assert_eq!(links(&changed), 1, "the changed file is a new inode");
    }
}
