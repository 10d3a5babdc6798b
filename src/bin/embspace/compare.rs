//! `embspace compare A B`: its options, and the glue from them to the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use embspace::analyze::{CompareParams, Source, compare};
use embspace::embeddings::{Format as FileFormat, LoadError, Loaded};
use embspace::format::plural;

use crate::FormatArg;
use crate::pages::write_pages;
use crate::progress::Progress;
use crate::table_args::{STDIN, TableArgs, at_least, input_path, parse_file_format};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first table (the old checkpoint; `-`: standard input).
    #[arg(value_parser = input_path)]
    a: PathBuf,
    /// The second table (the new checkpoint), in any format `analyze` reads.
    #[arg(value_parser = input_path)]
    b: PathBuf,
    /// The most frequent shared tokens whose top-10 neighbours are compared.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    overlap_tokens: usize,
    /// Directory to write the comparison into.
    #[arg(long, default_value = "compare")]
    out: PathBuf,
    /// Report formats to write.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [FormatArg::Html, FormatArg::Md, FormatArg::Json])]
    report_format: Vec<FormatArg>,
    // Last, so that their help headings take no other option in.
    #[command(flatten, next_help_heading = "Reading A and B")]
    table: TableArgs,
    #[command(flatten)]
    only_a: OnlyA,
    #[command(flatten)]
    only_b: OnlyB,
}

pub fn compare_tables(args: &CompareArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    if args.a == Path::new(STDIN) && args.b == args.a {
        anyhow::bail!("A and B cannot both be standard input (`-`)");
    }
    let progress = Progress::new(quiet);
    // Both files are read before anything is written: a bad B leaves earlier output as it was.
    let (a, a_source) =
        read(&args.only_a.over(&args.table), &args.a, &progress).map_err(|e| args.only_a.hint(e))?;
    let (b, b_source) =
        read(&args.only_b.over(&args.table), &args.b, &progress).map_err(|e| args.only_b.hint(e))?;
    let shapes = [&a, &b].map(|t| format!("{} × {}", t.embeddings.len(), t.embeddings.dim()));
    let params = CompareParams {
        overlap_queries: args.overlap_tokens,
        ..CompareParams::default()
    };
    let comparison = compare(a.embeddings, b.embeddings, &params, &mut |step| {
        progress.step(step)
    })?;
    progress.step("rendering");
    let analysis = comparison.report(a_source, b_source);
    let written = write_pages(&analysis, &args.report_format, &args.out)?;
    progress.finish();
    if !quiet {
        let v = &comparison.vocabulary;
        let mut found = vec![format!(
            "{} ({} only in A, {} only in B)",
            plural(v.shared, "shared token"),
            v.only_a,
            v.only_b
        )];
        if let Some(a) = &comparison.alignment {
            found.push(format!(
                "relative residual {:.2e}, mean drift cosine {:.4}{}",
                a.relative_residual,
                a.cosine.mean,
                a.caution
                    .as_ref()
                    .map_or(String::new(), |c| format!(" (caution: {c})"))
            ));
        }
        if let Some(o) = &comparison.overlap {
            found.push(format!("overlap@{} {:.4} (chance {:.4})", o.k, o.mean, o.chance));
        }
        if let Some(added) = &comparison.added {
            found.push(format!("{} added rows {}", added.added, added.verdict));
        }
        eprintln!(
            "compared {} ({}) with {} ({}): {}; {}",
            args.a.display(),
            shapes[0],
            args.b.display(),
            shapes[1],
            found.join(", "),
            written.summary(&args.out)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The reading options of one table alone (`--vocab-a`, `--tensor-b`, …), which
/// override the shared ones for it: an `.npy` and its vocabulary beside a GGUF
/// file, or a checkpoint's input matrix beside its `lm_head`.
#[rustfmt::skip] // rustfmt indents the attributes inside a macro body far to the right.
macro_rules! one_side {
    ($name:ident, $side:literal, $suffix:literal, $other:literal, $other_suffix:literal) => {
        // Each option's id is its flag: clap keys values by id, and the field
        // names are the same on both sides and in `TableArgs`.
        #[derive(Debug, Args)]
        #[command(next_help_heading = concat!("Reading ", $side, " alone"))]
        struct $name {
            #[arg(id = concat!("format-", $suffix), long = concat!("format-", $suffix),
                  value_name = "FORMAT", value_parser = parse_file_format,
                  help = concat!("--format, for ", $side, " alone"))]
            format: Option<FileFormat>,
            #[arg(id = concat!("vocab-", $suffix), long = concat!("vocab-", $suffix),
                  value_name = "FILE", help = concat!("--vocab, for ", $side, " alone"))]
            vocab: Option<PathBuf>,
            #[arg(id = concat!("tensor-", $suffix), long = concat!("tensor-", $suffix),
                  value_name = "NAME", help = concat!("--tensor, for ", $side, " alone"))]
            tensor: Option<String>,
            #[arg(id = concat!("limit-", $suffix), long = concat!("limit-", $suffix),
                  value_name = "N", value_parser = at_least(1),
                  help = concat!("--limit, for ", $side, " alone"))]
            limit: Option<usize>,
        }

        impl $name {
            /// `shared` with this side's options in place of its own.
            fn over(&self, shared: &TableArgs) -> TableArgs {
                TableArgs {
                    format: self.format.or(shared.format),
                    vocab: self.vocab.clone().or_else(|| shared.vocab.clone()),
                    tensor: self.tensor.clone().or_else(|| shared.tensor.clone()),
                    limit: self.limit.or(shared.limit),
                    ..shared.clone()
                }
            }

            /// `error`, saying how to give the other table alone an option
            /// given to both that this one's format has no use for.
            fn hint(&self, error: anyhow::Error) -> anyhow::Error {
                let own = |option: &str| match option {
                    "--vocab" => self.vocab.is_some(),
                    "--tensor" => self.tensor.is_some(),
                    _ => true,
                };
                match error.downcast_ref::<LoadError>() {
                    Some(LoadError::Inapplicable { option, .. }) if !own(option) => anyhow::anyhow!(
                        concat!("{} ({} is for both tables; {}-", $other_suffix, " is for ", $other, " alone)"),
                        error, option, option
                    ),
                    _ => error,
                }
            }
        }
    };
}

one_side!(OnlyA, "A", "a", "B", "b");
one_side!(OnlyB, "B", "b", "A", "a");

/// Reads one of the two tables and describes it for the report.
fn read(table: &TableArgs, path: &Path, progress: &Progress) -> anyhow::Result<(Loaded, Source)> {
    let (loaded, file_bytes) = table.load(path, progress, false)?;
    let source = Source {
        path: path.display().to_string(),
        format: loaded.format.to_string(),
        file_bytes,
        notes: loaded.notes.clone(),
        warnings: loaded.warnings.clone(),
    };
    Ok((loaded, source))
}
