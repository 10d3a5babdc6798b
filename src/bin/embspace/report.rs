//! `embspace report`: its options, and the run of the demos on the shipped tables or
//! on the reader's (`--vectors`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use embspace::demos::{self, Demo};
use embspace::format::plural;
use embspace::real::RealTable;
use embspace::report::{self, Format};

use crate::pages::Written;
use crate::progress::Progress;
use crate::table_args::{TableArgs, input_path, read_as};
use crate::{CHECK_FAILED, FormatArg};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Directory to write into (default: `reports`, or `reports-<file stem>` with `--vectors`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only these demos (ids from `embspace list`).
    #[arg(long, num_args = 1.., value_name = "ID")]
    only: Vec<String>,
    /// Measure the demos' claims about trained embeddings on this table instead of the
    /// shipped ones: "which textbook claims hold for my embeddings?" (any format `analyze` reads;
    /// `-`: standard input).
    #[arg(long, value_name = "FILE", value_parser = input_path)]
    vectors: Option<PathBuf>,
    #[command(flatten)]
    table: TableArgs,
    /// Report formats to write.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [FormatArg::Html, FormatArg::Md, FormatArg::Json])]
    report_format: Vec<FormatArg>,
}

fn selected(only: &[String]) -> anyhow::Result<Vec<Demo>> {
    if only.is_empty() {
        return Ok(demos::ALL.to_vec());
    }
    let unknown: Vec<&str> = only
        .iter()
        .filter(|id| demos::find(id).is_none())
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        bail!("unknown demo id(s): {} (see `embspace list`)", unknown.join(", "));
    }
    // Keep report order, whatever order the ids were given in.
    Ok(demos::ALL
        .iter()
        .filter(|d| only.iter().any(|id| id == d.id))
        .copied()
        .collect())
}

/// Stale PNGs are removed only by a full run that writes figures: `--only` or
/// an HTML-only run (figures embedded, none written) must not delete any.
fn prunes_figures(args: &ReportArgs, formats: &[Format]) -> bool {
    args.only.is_empty() && formats.iter().any(|f| *f != Format::Html)
}

pub fn report(args: &ReportArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let chosen = selected(&args.only)?;
    let mut formats: Vec<Format> = args.report_format.iter().map(|&f| f.into()).collect();
    formats.sort();
    formats.dedup();
    let progress = Progress::new(quiet);
    let (tables, out) = match &args.vectors {
        None if args.table.any() => {
            bail!("--format, --vocab, --tensor, --limit and --lossy describe the file of --vectors")
        }
        None => (None, args.out.clone().unwrap_or_else(|| "reports".into())),
        Some(path) => {
            let (loaded, _) = args.table.load(path, &progress, false)?;
            // Verdicts, transcripts and legends name the table by its file name; the page's
            // introduction gives the whole path.
            let name = embspace::embeddings::file_name(path);
            let about = format!(
                "{}: {} × {} dimensions, read as {}",
                embspace::code_span::code_span(&path.display().to_string()),
                plural(loaded.embeddings.len(), "row"),
                loaded.embeddings.dim(),
                read_as(&loaded)
            );
            let table = RealTable::from_embeddings(&name, &about, loaded.embeddings);
            let stem = path
                .file_stem()
                .map_or_else(|| "vectors".into(), |s| s.to_string_lossy());
            let out = args
                .out
                .clone()
                .unwrap_or_else(|| format!("reports-{stem}").into());
            (Some(vec![std::sync::Arc::new(table)]), out)
        }
    };
    progress.step("running the demos");
    let (report, rendered) =
        report::run_and_render(&chosen, tables.as_deref(), &formats).context("rendering the report")?;
    let prune = args.vectors.is_none() && prunes_figures(args, &formats);
    // The pages about a reader's table describe that table alone; `reports/`
    // keeps its committed pages whatever formats a run writes.
    let stem = args.vectors.as_ref().map(|_| "report");
    let written = Written::write(&out, &rendered, prune, stem, &formats)?;
    progress.finish();
    if !quiet {
        for demo in report.demos.iter().filter(|d| !d.passed()) {
            eprintln!(
                "FAIL {}: {}",
                demo.id,
                demo.error.as_deref().unwrap_or("a check failed")
            );
        }
        let s = &report.summary;
        if args.vectors.is_some() {
            let v = &s.verdicts;
            eprintln!(
                "claims on your table: {} hold, {} do not hold, {} not tested",
                v.holds, v.does_not_hold, v.not_tested
            );
        }
        eprintln!(
            "{}: {}/{} demos, {}/{} checks passed; {}",
            if s.all_passed { "PASS" } else { "FAIL" },
            s.demos_passed,
            s.demos,
            s.checks_passed,
            s.checks,
            written.summary(&out)
        );
    }
    Ok(if report.summary.all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(CHECK_FAILED)
    })
}
