//! The `embspace` command line: thin glue over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use embspace::demos::{self, Demo};
use embspace::notebook;
use embspace::report::{self, Format, Report};

/// The executable companion to the mathematics of embedding spaces.
#[derive(Debug, Parser)]
#[command(name = "embspace", version, about)]
struct Cli {
    /// Print nothing but errors.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every demo and write the report (HTML, Markdown, JSON and PNG figures).
    Report(ReportArgs),
    /// List the demos with their ids, titles and the seed demos they reproduce.
    List,
    /// Write one evcxr Jupyter notebook per demo and an index (README.md).
    Notebooks(NotebooksArgs),
}

#[derive(Debug, Args)]
struct NotebooksArgs {
    /// Directory to write into. The notebooks load the crate from `..`, so
    /// they run from `notebooks/` in the repository; other directories are for
    /// comparing.
    #[arg(long, default_value = "notebooks")]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// Directory to write into.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    /// Run only these demos (ids from `embspace list`).
    #[arg(long, num_args = 1.., value_name = "ID")]
    only: Vec<String>,
    /// Formats to write.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [FormatArg::Html, FormatArg::Md, FormatArg::Json])]
    format: Vec<FormatArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Html,
    Md,
    Json,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Html => Format::Html,
            FormatArg::Md => Format::Markdown,
            FormatArg::Json => Format::Json,
        }
    }
}

/// Exit codes, as ripgrep: 0 all good, 1 a check failed, 2 bad usage or input.
const CHECK_FAILED: u8 = 1;
const BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("embspace: {e:#}");
            ExitCode::from(BAD_INPUT)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::List => {
            for (i, demo) in demos::ALL.iter().enumerate() {
                let seeds: Vec<String> = demo.seed_demos.iter().map(u32::to_string).collect();
                println!(
                    "{:>2}  {:<24} {}  [seed {}]",
                    i + 1,
                    demo.id,
                    demo.title(),
                    seeds.join(", ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Report(args) => report(args, cli.quiet),
        Command::Notebooks(args) => notebooks(args, cli.quiet),
    }
}

fn notebooks(args: &NotebooksArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let rendered = notebook::render(demos::ALL).context("generating the notebooks")?;
    let written = notebook::write(&args.out, &rendered)
        .with_context(|| format!("writing the notebooks into {}", args.out.display()))?;
    if !quiet {
        eprintln!(
            "wrote {} notebooks and {} into {}",
            written.len() - 1,
            notebook::INDEX,
            args.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
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

fn report(args: &ReportArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let chosen = selected(&args.only)?;
    let mut formats: Vec<Format> = args.format.iter().map(|&f| f.into()).collect();
    formats.sort();
    formats.dedup();
    let report = Report::run(&chosen);
    let rendered = report::render(&report, &formats).context("rendering the report")?;
    let written = report::write_atomically(&args.out, &rendered, prunes_figures(args, &formats))
        .with_context(|| format!("writing the report into {}", args.out.display()))?;
    if !quiet {
        for demo in report.demos.iter().filter(|d| !d.passed()) {
            eprintln!(
                "FAIL {}: {}",
                demo.id,
                demo.error.as_deref().unwrap_or("a check failed")
            );
        }
        let s = &report.summary;
        eprintln!(
            "{}: {}/{} demos, {}/{} checks passed; wrote {} files into {}",
            if s.all_passed { "PASS" } else { "FAIL" },
            s.demos_passed,
            s.demos,
            s.checks_passed,
            s.checks,
            written.len(),
            args.out.display()
        );
    }
    Ok(if report.summary.all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(CHECK_FAILED)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
