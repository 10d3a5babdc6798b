//! How to read an embedding file: the options `analyze FILE`, `report --vectors FILE`
//! share, and what to say about the table read.

use std::path::{Path, PathBuf};

use clap::Args;
use embspace::embeddings::{Format as FileFormat, LoadOptions, Loaded, load};

use crate::progress::Progress;

/// How to read an embedding file or a Hugging Face model directory (`analyze FILE`,
/// `report --vectors FILE`, both files of `compare`).
#[derive(Debug, Clone, Args)]
pub struct TableArgs {
    /// The file's format (detected from its name and first bytes when omitted).
    #[arg(long, value_parser = parse_file_format, value_name = "FORMAT")]
    pub format: Option<FileFormat>,
    /// Vocabulary of a .npy or safetensors matrix or a model directory, or of a GGUF file instead
    /// of its tokens: one token a line, or a tokenizer.json (default: tokenizer.json or vocab.txt
    /// beside the file, or in the directory).
    #[arg(long, value_name = "FILE")]
    pub vocab: Option<PathBuf>,
    /// The safetensors or GGUF tensor to read, in a sharded model directory from any shard
    /// (default: the input embedding, e.g. `model.embed_tokens.weight`; in GGUF `token_embd.weight`).
    #[arg(long, value_name = "NAME")]
    pub tensor: Option<String>,
    /// Read only the first N rows (the most frequent tokens), like gensim's `limit`.
    #[arg(long, value_name = "N", value_parser = at_least(1))]
    pub limit: Option<usize>,
    /// Replace invalid UTF-8 in tokens with U+FFFD instead of refusing the file.
    #[arg(long)]
    pub lossy: bool,
}

impl TableArgs {
    pub fn options(&self) -> LoadOptions {
        LoadOptions {
            format: self.format,
            limit: self.limit,
            lossy: self.lossy,
            vocab: self.vocab.clone(),
            tensor: self.tensor.clone(),
            output: false,
        }
    }

    /// Whether any option was given (they mean nothing without a file).
    pub fn any(&self) -> bool {
        self.format.is_some()
            || self.vocab.is_some()
            || self.tensor.is_some()
            || self.limit.is_some()
            || self.lossy
    }

    /// Reads `path`, naming it and its size on the progress line; with
    /// `output`, a model directory's untied output embedding too.
    pub fn load(&self, path: &Path, progress: &Progress, output: bool) -> anyhow::Result<(Loaded, u64)> {
        let bytes = size(path);
        progress.step(&match bytes {
            // A pipe has no size until it is read.
            0 => format!("reading {}", path.display()),
            _ => format!("reading {} ({:.1} MB)", path.display(), bytes as f64 / 1e6),
        });
        let options = LoadOptions {
            output,
            ..self.options()
        };
        let mut loaded = load(path, &options)?;
        // The page and the terminal say the table was cut, not only its shape.
        if let Some(limit) = self.limit {
            loaded
                .notes
                .push(format!("at most the first {limit} rows read (--limit)"));
        }
        for warning in &loaded.warnings {
            progress.warn(warning);
        }
        let bytes = loaded.file_bytes.unwrap_or(bytes);
        Ok((loaded, bytes))
    }
}

/// Where `-`, standard input, is read from.
pub const STDIN: &str = "/dev/stdin";

/// The parser of a table argument (`value_parser`): `-` is standard input, as
/// in most command-line tools. It is read through `/dev/stdin`, so a
/// redirected file is still mapped, a pipe is read, and messages name it.
pub fn input_path(arg: &str) -> Result<PathBuf, std::convert::Infallible> {
    Ok(match arg == "-" && cfg!(unix) {
        true => STDIN.into(),
        false => arg.into(),
    })
}

/// The parser of a count that must be at least `min` (`value_parser`):
/// `--limit 0` is refused before any file is read.
pub fn at_least(min: usize) -> impl Fn(&str) -> Result<usize, String> + Clone + Send + Sync + 'static {
    move |arg| match arg.parse::<usize>() {
        Ok(n) if n >= min => Ok(n),
        Ok(n) => Err(format!("expected at least {min}, found {n}")),
        Err(_) => Err(format!("expected a whole number, found `{arg}`")),
    }
}

/// A file's size, or a model directory's: the sum of its files (the
/// shards), not looking further down.
fn size(path: &Path) -> u64 {
    match std::fs::read_dir(path) {
        Ok(entries) => entries
            .filter_map(|e| e.ok()?.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum(),
        Err(_) => std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
    }
}

pub fn parse_file_format(name: &str) -> Result<FileFormat, String> {
    name.parse()
        .map_err(|e: embspace::embeddings::UnknownFormat| e.to_string())
}

/// The format a table was read as, and what the file said about it:
/// `gguf: tensor `token_embd.weight` (Q4_K, GGUF v3); tied: …`.
pub fn read_as(loaded: &Loaded) -> String {
    match loaded.notes.is_empty() {
        true => loaded.format.to_string(),
        false => format!("{}: {}", loaded.format, loaded.notes.join("; ")),
    }
}
