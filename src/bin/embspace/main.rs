//! The `embspace` command line: thin glue over the library. Each command's
//! options and glue live in a module of their own.

mod analyze;
mod compare;
mod pages;
mod progress;
mod report;
mod table_args;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use embspace::demos;
use embspace::notebook;
use embspace::report::Format;

use crate::analyze::{AnalyzeArgs, analyze};
use crate::compare::{CompareArgs, compare_tables};
use crate::report::{ReportArgs, report};

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
    /// Run the diagnostics on your own embedding file (word2vec, GloVe, fastText .vec and .bin,
    /// .npy, safetensors, GGUF; gzipped or not) or Hugging Face model directory and write an
    /// analysis report.
    /// Without FILE, on the bundled sample.
    Analyze(AnalyzeArgs),
    /// Compare two tables or checkpoints (any formats `analyze` reads) on their shared tokens:
    /// vocabulary, Procrustes drift, neighbour overlap, rows B added against the mean rule.
    Compare(CompareArgs),
}

#[derive(Debug, Args)]
struct NotebooksArgs {
    /// Directory to write into. The notebooks load the crate from `..`, so
    /// they run from `notebooks/` in the repository; other directories are for
    /// comparing.
    #[arg(long, default_value = "notebooks")]
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
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
pub const CHECK_FAILED: u8 = 1;
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
        Command::List => list(),
        Command::Report(args) => report(args, cli.quiet),
        Command::Notebooks(args) => notebooks(args, cli.quiet),
        Command::Analyze(args) => analyze(args, cli.quiet),
        Command::Compare(args) => compare_tables(args, cli.quiet),
    }
}

fn notebooks(args: &NotebooksArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let rendered = notebook::render(demos::ALL).context("generating the notebooks")?;
    let written = notebook::write(&args.out, &rendered)
        .with_context(|| format!("writing the notebooks into {}", args.out.display()))?;
    if !quiet {
        eprintln!(
            "{} notebooks and {} up to date in {}",
            written.len() - 1,
            notebook::INDEX,
            args.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per demo: number, id, title and the seed demos it reproduces.
/// A closed pipe (`embspace list | head`) ends the listing quietly.
fn list() -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for (i, demo) in demos::ALL.iter().enumerate() {
        let seeds: Vec<String> = demo.seed_demos.iter().map(u32::to_string).collect();
        let seeds = if seeds.is_empty() {
            String::new()
        } else {
            format!("  [seed {}]", seeds.join(", "))
        };
        let line = writeln!(out, "{:>2}  {:<24} {}{seeds}", i + 1, demo.id, demo.title());
        match line {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => break,
            other => other.context("writing the list to stdout")?,
        }
    }
    Ok(ExitCode::SUCCESS)
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
