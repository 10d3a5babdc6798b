//! The `embspace` command line: thin glue over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use embspace::analyze::{AnalogySet, AnalyzeOptions, MapMethod, Source, WordPairSet, parse_analogy};
use embspace::demos::{self, Demo};
use embspace::embeddings::{Format as FileFormat, LoadOptions, Loaded, load, load_bytes};
use embspace::notebook;
use embspace::real::RealTable;
use embspace::report::{self, Format};

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
    /// .npy, safetensors, GGUF) and write an analysis report. Without FILE, on the bundled sample.
    Analyze(AnalyzeArgs),
}

/// How to read an embedding file (`analyze FILE`, `report --vectors FILE`).
#[derive(Debug, Args)]
struct TableArgs {
    /// The file's format (detected from its name and first bytes when omitted).
    #[arg(long, value_parser = parse_file_format, value_name = "FORMAT")]
    format: Option<FileFormat>,
    /// Vocabulary of a .npy or safetensors matrix, or of a GGUF file instead of its tokens:
    /// one token a line, or a tokenizer.json (default: vocab.txt or tokenizer.json beside the file).
    #[arg(long, value_name = "FILE")]
    vocab: Option<PathBuf>,
    /// The safetensors or GGUF tensor to read (default: the first 2-D tensor named like
    /// `word_embeddings` or `embed_tokens`; in GGUF `token_embd.weight`).
    #[arg(long, value_name = "NAME")]
    tensor: Option<String>,
    /// Read only the first N rows (the most frequent tokens), like gensim's `limit`.
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Replace invalid UTF-8 in tokens with U+FFFD instead of refusing the file.
    #[arg(long)]
    lossy: bool,
}

impl TableArgs {
    fn options(&self) -> LoadOptions {
        LoadOptions {
            format: self.format,
            limit: self.limit,
            lossy: self.lossy,
            vocab: self.vocab.clone(),
            tensor: self.tensor.clone(),
        }
    }

    /// Whether any option was given (they mean nothing without a file).
    fn any(&self) -> bool {
        self.format.is_some()
            || self.vocab.is_some()
            || self.tensor.is_some()
            || self.limit.is_some()
            || self.lossy
    }

    /// Reads `path`, naming it and its size on the progress line.
    fn load(&self, path: &std::path::Path, progress: &Progress) -> anyhow::Result<(Loaded, u64)> {
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        progress.step(&format!(
            "reading {} ({:.1} MB)",
            path.display(),
            bytes as f64 / 1e6
        ));
        let loaded = load(path, &self.options())?;
        for warning in &loaded.warnings {
            progress.warn(warning);
        }
        Ok((loaded, bytes))
    }
}

#[derive(Debug, Args)]
struct AnalyzeArgs {
    /// The embedding file; omit it to analyse the bundled sample vectors.
    file: Option<PathBuf>,
    #[command(flatten)]
    table: TableArgs,
    /// List the nearest neighbours of these words (of a fastText model, words not in
    /// its table too: their vectors come from their character n-grams).
    #[arg(long, num_args = 1.., value_name = "WORD")]
    query: Vec<String>,
    /// Answer `a:b::c` (a is to b as c is to ?) by 3CosAdd and 3CosMul.
    #[arg(long, num_args = 1.., value_name = "A:B::C")]
    analogy: Vec<String>,
    /// Score a Google-format analogy file (`: section` lines, then `a b c d`), as gensim does.
    #[arg(long, value_name = "FILE")]
    analogies: Option<PathBuf>,
    /// Score word-similarity files (WordSim353/SimLex: `word1<TAB>word2<TAB>score`, `#` comments).
    #[arg(long, num_args = 1.., value_name = "FILE")]
    similarity: Vec<PathBuf>,
    /// Benchmarks search only the first N rows (gensim's `restrict_vocab`).
    #[arg(long, default_value_t = 300_000, value_name = "N")]
    restrict_vocab: usize,
    /// Neighbours listed per query and answers per analogy.
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
    /// Rows (most frequent first) used for covariance-based diagnostics.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    sample: usize,
    /// Map the N most frequent non-zero rows in the interactive map (0: no map).
    #[arg(long, default_value_t = 20_000, value_name = "N")]
    map: usize,
    /// How the map is laid out: `pca` (two principal components).
    #[arg(long, default_value = "pca", value_name = "METHOD")]
    map_method: MapMethod,
    /// Directory to write the analysis into.
    #[arg(long, default_value = "analysis")]
    out: PathBuf,
    /// Report formats to write.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [FormatArg::Html, FormatArg::Md, FormatArg::Json])]
    report_format: Vec<FormatArg>,
}

fn parse_file_format(name: &str) -> Result<FileFormat, String> {
    name.parse()
        .map_err(|e: embspace::embeddings::UnknownFormat| e.to_string())
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
    /// Directory to write into (default: `reports`, or `reports-<file name>` with `--vectors`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only these demos (ids from `embspace list`).
    #[arg(long, num_args = 1.., value_name = "ID")]
    only: Vec<String>,
    /// Measure the demos' claims about trained embeddings on this table instead of the
    /// shipped ones: "which textbook claims hold for my embeddings?" (any format `analyze` reads).
    #[arg(long, value_name = "FILE")]
    vectors: Option<PathBuf>,
    #[command(flatten)]
    table: TableArgs,
    /// Report formats to write.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [FormatArg::Html, FormatArg::Md, FormatArg::Json])]
    report_format: Vec<FormatArg>,
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
        Command::List => list(),
        Command::Report(args) => report(args, cli.quiet),
        Command::Notebooks(args) => notebooks(args, cli.quiet),
        Command::Analyze(args) => analyze(args, cli.quiet),
    }
}

/// The sample `analyze` runs on without a file: word2vec vectors trained on the
/// shipped corpus, and analogy questions over its words (see
/// examples/make_sample_vectors.rs).
const SAMPLE_VECTORS: &[u8] = include_bytes!("../data/sample-vectors.txt");
const SAMPLE_ANALOGIES: &str = include_str!("../data/sample-analogies.txt");

fn analyze(args: &AnalyzeArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let progress = Progress::new(quiet);
    let mut analyze_options = AnalyzeOptions::new();
    analyze_options.diagnose.sample_rows = args.sample;
    analyze_options.top = args.top;
    analyze_options.restrict_vocab = args.restrict_vocab;
    analyze_options.map.rows = args.map;
    analyze_options.map.method = args.map_method;
    analyze_options.queries = args.query.clone();
    analyze_options.analogies = args
        .analogy
        .iter()
        .map(|a| parse_analogy(a))
        .collect::<Result<_, _>>()?;
    if let Some(path) = &args.analogies {
        analyze_options.analogy_set = Some((path.display().to_string(), AnalogySet::read(path, false)?));
    }
    for path in &args.similarity {
        analyze_options
            .similarity_sets
            .push((path.display().to_string(), WordPairSet::read(path, "\t", false)?));
    }

    let (loaded, source_path, file_bytes) = match &args.file {
        Some(path) => {
            let (loaded, bytes) = args.table.load(path, &progress)?;
            (loaded, path.display().to_string(), bytes)
        }
        None => {
            let name = "sample-vectors.txt (bundled)";
            progress.step(&format!("no file given: analysing the bundled sample {name}"));
            if analyze_options.queries.is_empty() && analyze_options.analogies.is_empty() {
                analyze_options.queries = ["king", "dog", "bread"].map(String::from).to_vec();
                analyze_options.analogies = vec![parse_analogy("man:king::woman")?];
            }
            if analyze_options.analogy_set.is_none() {
                let set = AnalogySet::parse(SAMPLE_ANALOGIES, "sample-analogies.txt", true)?;
                analyze_options.analogy_set = Some(("sample-analogies.txt (bundled)".into(), set));
            }
            let loaded = load_bytes(std::path::Path::new(name), SAMPLE_VECTORS, &args.table.options())?;
            (loaded, name.to_string(), SAMPLE_VECTORS.len() as u64)
        }
    };
    let source = Source {
        path: source_path,
        format: loaded.format.to_string(),
        file_bytes,
        notes: loaded.notes.clone(),
        warnings: loaded.warnings.clone(),
    };
    let read_as = read_as(&loaded);
    let (rows, dim) = (loaded.embeddings.len(), loaded.embeddings.dim());
    // The n-gram buckets answer only --query; without one they are freed here.
    analyze_options.subwords = loaded.subwords.filter(|_| !analyze_options.queries.is_empty());
    let analysis = embspace::analyze::analyze(loaded.embeddings, source, &analyze_options, &mut |step| {
        progress.step(step)
    })?;
    progress.step("rendering");
    let mut formats: Vec<Format> = args.report_format.iter().map(|&f| f.into()).collect();
    formats.sort();
    formats.dedup();
    let rendered = embspace::analyze::render(&analysis, &formats).context("rendering the analysis")?;
    let prune = formats.iter().any(|f| *f != Format::Html);
    let written = report::write_atomically(&args.out, &rendered, prune)
        .with_context(|| format!("writing the analysis into {}", args.out.display()))?;
    progress.finish();
    if !quiet {
        eprintln!(
            "analysed {rows} tokens × {dim} dimensions ({read_as}); {} files up to date in {}",
            written.len(),
            args.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The format a table was read as, and what the file said about it:
/// `gguf: tensor `token_embd.weight` (Q4_K, GGUF v3); tied: …`.
fn read_as(loaded: &Loaded) -> String {
    match loaded.notes.is_empty() {
        true => loaded.format.to_string(),
        false => format!("{}: {}", loaded.format, loaded.notes.join("; ")),
    }
}

/// A spinner on stderr naming the current step, shown only when stderr is a
/// terminal; `--quiet` silences it and the warnings.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    quiet: bool,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        use std::io::IsTerminal;
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(std::time::Duration::from_millis(100));
            bar
        });
        Progress { bar, quiet }
    }

    fn step(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.to_string());
        }
    }

    fn warn(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.println(format!("warning: {message}")),
            None if !self.quiet => eprintln!("warning: {message}"),
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
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

fn report(args: &ReportArgs, quiet: bool) -> anyhow::Result<ExitCode> {
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
            let (loaded, _) = args.table.load(path, &progress)?;
            let name = path.display().to_string();
            let about = format!(
                "{} rows × {} dimensions, read as {}",
                loaded.embeddings.len(),
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
    let written = report::write_atomically(&out, &rendered, prune)
        .with_context(|| format!("writing the report into {}", out.display()))?;
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
            "{}: {}/{} demos, {}/{} checks passed; {} files up to date in {}",
            if s.all_passed { "PASS" } else { "FAIL" },
            s.demos_passed,
            s.demos,
            s.checks_passed,
            s.checks,
            written.len(),
            out.display()
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
