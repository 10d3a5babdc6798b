//! Writing a run's pages: `analyze` and `compare` render an analysis, every
//! command says on the terminal what its output directory now holds.

use std::path::Path;

use anyhow::Context;
use embspace::format::plural;
use embspace::report::{self, Format};

use crate::FormatArg;

/// What a run left in its output directory.
pub(crate) struct Written {
    /// Files written or already holding their bytes.
    pub(crate) files: usize,
    /// Pages in formats not asked for, left by an earlier run and removed.
    pub(crate) removed: Vec<String>,
}

impl Written {
    /// `3 files up to date in out`, and the pages removed.
    pub(crate) fn summary(&self, out: &Path) -> String {
        let mut line = format!("{} up to date in {}", plural(self.files, "file"), out.display());
        if !self.removed.is_empty() {
            line += &format!(" ({} of an earlier run removed)", self.removed.join(", "));
        }
        line
    }
}

/// Renders `analysis` (an analysis or a comparison) in the asked formats and
/// writes them into `out`, replacing what is there only once everything is
/// rendered; pages of other formats are removed ([`report::remove_other_pages`]).
pub(crate) fn write_pages(
    analysis: &embspace::analyze::Analysis,
    report_format: &[FormatArg],
    out: &Path,
) -> anyhow::Result<Written> {
    let what = analysis.file_stem();
    let mut formats: Vec<Format> = report_format.iter().map(|&f| f.into()).collect();
    formats.sort();
    formats.dedup();
    let rendered =
        embspace::analyze::render(analysis, &formats).with_context(|| format!("rendering the {what}"))?;
    let prune = formats.iter().any(|f| *f != Format::Html);
    Written::write(out, &rendered, prune, Some(what), &formats)
}

impl Written {
    /// Writes `rendered` (the pages named `stem`, in `formats`) into `out`
    /// ([`report::write_atomically`], which prunes the figures no page names
    /// when `prune`); then, when `stem` is given, removes its pages in other
    /// formats an earlier run left ([`report::remove_other_pages`]).
    pub(crate) fn write(
        out: &Path,
        rendered: &report::Rendered,
        prune: bool,
        stem: Option<&str>,
        formats: &[Format],
    ) -> anyhow::Result<Written> {
        let what = stem.unwrap_or("report");
        let files = report::write_atomically(out, rendered, prune)
            .with_context(|| format!("writing the {what} into {}", out.display()))?
            .len();
        let removed = match stem {
            Some(stem) => report::remove_other_pages(out, stem, formats)
                .with_context(|| format!("removing earlier pages from {}", out.display()))?,
            None => Vec::new(),
        };
        Ok(Written { files, removed })
    }
}
