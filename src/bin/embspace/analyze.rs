//! `embspace analyze`: its options, and the glue from them to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use embspace::analyze::{
    AnalogySet, AnalyzeOptions, InputOutput, MapMethod, ReferenceRows, Source, WordPairSet, input_output,
    parse_analogy,
};
use embspace::embeddings::{load_bytes, parse_vocab};
use embspace::format::plural;

use crate::FormatArg;
use crate::pages::write_pages;
use crate::progress::Progress;
use crate::table_args::{TableArgs, at_least, input_path, read_as};

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The embedding file or Hugging Face model directory (`-`: standard input); omit it to
    /// analyse the bundled sample vectors.
    #[arg(value_parser = input_path)]
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
    #[arg(long, default_value_t = 300_000, value_name = "N", value_parser = at_least(1))]
    restrict_vocab: usize,
    /// Neighbours listed per query and answers per analogy.
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = at_least(1))]
    top: usize,
    /// Rows (most frequent first) used for covariance-based diagnostics.
    #[arg(long, default_value_t = 10_000, value_name = "N", value_parser = at_least(3))]
    sample: usize,
    /// Map the N most frequent non-zero rows in the interactive map (0: no map).
    #[arg(long, default_value_t = 20_000, value_name = "N")]
    map: usize,
    /// How the map is laid out: `umap` (on the exact cosine neighbour graph) or `pca` (two principal components, fast).
    #[arg(long, default_value = "umap", value_name = "METHOD")]
    map_method: MapMethod,
    /// Rows known to be unused, the reference of the under-trained-token indicators: a file of
    /// tokens, one a line (default: found from the tokenizer: `[unusedN]`-style names, GGUF
    /// token type "unused", byte tokens UTF-8 never produces).
    #[arg(long, value_name = "FILE")]
    unused_reference: Option<PathBuf>,
    /// Directory to write the analysis into.
    #[arg(long, default_value = "analysis")]
    out: PathBuf,
    /// Report formats to write.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [FormatArg::Html, FormatArg::Md, FormatArg::Json])]
    report_format: Vec<FormatArg>,
}

/// The sample `analyze` runs on without a file: word2vec vectors trained on the
/// shipped corpus, and analogy questions over its words (see
/// examples/make_sample_vectors.rs).
const SAMPLE_VECTORS: &[u8] = include_bytes!("../../../data/sample-vectors.txt");
const SAMPLE_ANALOGIES: &str = include_str!("../../../data/sample-analogies.txt");

pub fn analyze(args: &AnalyzeArgs, quiet: bool) -> anyhow::Result<ExitCode> {
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
            let (loaded, bytes) = args.table.load(path, &progress, true)?;
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
    analyze_options.unused_reference = Some(match &args.unused_reference {
        Some(path) => ReferenceRows::given(
            &loaded.embeddings,
            &read_token_list(path)?,
            &path.display().to_string(),
        ),
        None => ReferenceRows::from_tokenizer(loaded.embeddings.tokens(), loaded.token_kinds.as_deref()),
    });
    let read_as = read_as(&loaded);
    let mut loaded = loaded;
    // Input against output first; the analysis then measures the output's
    // under-trained tokens and frees it before its own work.
    let output = loaded.output.take();
    analyze_options.input_output = match (&output, &loaded.tying) {
        (Some(output), _) => Some(input_output(
            &loaded.embeddings,
            &output.tensor,
            output.matrix.vectors.view(),
            loaded.token_kinds.as_deref(),
            20,
            &mut |step| progress.step(&format!("input versus output embedding: {step}")),
        )?),
        (None, Some(tying)) => Some(InputOutput::tied(tying)),
        (None, None) => None,
    };
    let (rows, dim) = (loaded.embeddings.len(), loaded.embeddings.dim());
    // The n-gram buckets answer only --query; without one they are freed here.
    analyze_options.subwords = loaded.subwords.filter(|_| !analyze_options.queries.is_empty());
    let output = output.map(|output| output.matrix.vectors);
    let analysis =
        embspace::analyze::analyze(loaded.embeddings, output, source, &analyze_options, &mut |step| {
            progress.step(step)
        })?;
    progress.step("rendering");
    let written = write_pages(&analysis, &args.report_format, &args.out)?;
    progress.finish();
    if !quiet {
        eprintln!(
            "analysed {} × {dim} dimensions ({read_as}); {}",
            plural(rows, "token"),
            written.summary(&args.out)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Tokens one a line, exactly as the table spells them, read as a vocabulary
/// file is (a trailing `\r` and a UTF-8 byte-order mark dropped), empty lines skipped.
fn read_token_list(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read the file", path.display()))?;
    let mut tokens = parse_vocab(&bytes, false).map_err(|error| error.in_file(path))?;
    tokens.retain(|token| !token.is_empty());
    Ok(tokens)
}
