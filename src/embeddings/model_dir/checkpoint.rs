//! Reading a Hugging Face model directory's embedding matrices: the input
//! embedding, and the output embedding (LM head) when the model does not
//! tie it to the input one.

use std::path::{Path, PathBuf};

use safetensors::SafeTensors;
use safetensors::tensor::TensorView;

use super::config::{ModelConfig, parse_model_config};
use super::shard_index::{SHARD_INDEX, ShardIndex, parse_shard_index};
use crate::code_span::code_span;
use crate::embeddings::compressed::PYTORCH_ADVICE;
use crate::embeddings::file_bytes::FileBytes;
use crate::embeddings::load_error::{LoadError, Location, Malformed, file_name, matrix_listing};
use crate::embeddings::mapped_rows::Pages;
use crate::embeddings::safetensors_file::{
    HEADER, OUTPUT_EMBEDDING_NAMES, input_embedding, not_found, read_tensor, refused,
};
use crate::embeddings::{LoadOptions, Matrix};

/// The single-file checkpoint's name.
pub const SINGLE_FILE: &str = "model.safetensors";

/// How a model's output embedding relates to its input embedding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tying {
    /// Tied: the model computes its logits with the input embedding.
    Tied,
    /// Tied, and the checkpoint still stores this tensor, byte for byte
    /// equal to the input embedding.
    TiedWithCopy(String),
    /// Untied: this tensor is a separate output embedding.
    Untied(String),
    /// `config.json` unties the embeddings but the checkpoint stores no
    /// output embedding (a model saved without its LM head).
    NoOutput,
}

/// The output embedding of an untied model, read beside the input one.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputEmbedding {
    /// Its tensor's name, e.g. `lm_head.weight`.
    pub tensor: String,
    /// Its rows (as many as the input embedding's rows read), widened to `f32`.
    pub matrix: Matrix,
}

/// A model directory's embedding matrices, as [`read_model_dir`] reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelDir {
    /// The tensor read as the table: the input embedding, or `--tensor`.
    pub tensor: String,
    /// Its rows, widened to `f32`.
    pub matrix: Matrix,
    /// Whether the output embedding is tied; `None` when `--tensor` chose
    /// another tensor than the input embedding.
    pub tying: Option<Tying>,
    /// The output embedding, when untied and asked for ([`LoadOptions::output`]).
    pub output: Option<OutputEmbedding>,
    /// What the directory says beyond the numbers: the tensor, its dtype and
    /// shard, the tying.
    pub notes: Vec<String>,
    /// What the user should know: e.g. an `lm_head.weight` that transformers
    /// would replace by the input embedding.
    pub warnings: Vec<String>,
}

/// One shard: its path and its mapped bytes.
struct Shard {
    path: PathBuf,
    bytes: FileBytes,
}

/// A tensor found in a shard's header.
struct Found<'a> {
    name: String,
    shard: usize,
    view: TensorView<'a>,
}

/// Reads the embedding matrices of a Hugging Face model directory: the
/// tensors of `model.safetensors`, or of the shards that
/// `model.safetensors.index.json` names; `config.json` when present.
///
/// The table is `options.tensor` (any 2-D tensor of any shard) or the input
/// embedding ([`input_embedding`](crate::embeddings::input_embedding)).
/// The output embedding is the first of `lm_head.weight`, `embed_out.weight`
/// and `language_model.lm_head.weight` present; `config.json`'s
/// `tie_word_embeddings` (true when absent, as in transformers) says whether
/// the model uses it. Every shard's header is read and checked, so a
/// truncated shard is refused even when it holds no embedding; tensor data
/// is read straight from the mapping into the `f32` matrix.
///
/// # Errors
/// [`LoadError::Io`] for a file that cannot be read; [`LoadError::Malformed`]
/// naming the file and the key or byte for a directory with neither
/// checkpoint file, an index naming a shard that does not exist, a shard
/// the `safetensors` crate refuses (truncated, bad header), a tensor the
/// index puts in a shard that does not hold it or that two shards hold, no
/// input embedding, an output embedding whose shape differs from the input
/// one, a `config.json` whose `vocab_size` or hidden size differ from the
/// input embedding's shape, and everything the tensor reader refuses.
pub fn read_model_dir(dir: &Path, options: &LoadOptions) -> Result<ModelDir, LoadError> {
    let config_path = dir.join("config.json");
    let config = match config_path.is_file() {
        true => {
            let bytes = std::fs::read(&config_path).map_err(|e| LoadError::io(&config_path, e))?;
            Some(parse_model_config(&bytes).map_err(|e| e.in_file(&config_path))?)
        }
        false => None,
    };
    let index_path = dir.join(SHARD_INDEX);
    let (index, shards) = open_shards(dir, &index_path)?;
    let headers: Vec<SafeTensors<'_>> = shards
        .iter()
        .map(|shard| {
            SafeTensors::deserialize(&shard.bytes).map_err(|e| refused(e, &shard.bytes).in_file(&shard.path))
        })
        .collect::<Result<_, _>>()?;
    let tensors = collect_tensors(&headers, &shards, index.as_ref(), &index_path)?;
    let find = |name: &str| {
        tensors
            .binary_search_by(|t| t.name.as_str().cmp(name))
            .ok()
            .map(|i| &tensors[i])
    };

    let chosen = match &options.tensor {
        Some(name) => Some(name.as_str()),
        None => input_embedding(tensors.iter().map(|t| (t.name.as_str(), t.view.shape().len()))),
    };
    let Some(input) = chosen.and_then(find) else {
        let listing = matrix_listing(tensors.iter().map(|t| match t.view.shape() {
            &[rows, dim] => (&t.name, Some([rows, dim])),
            _ => (&t.name, None),
        }));
        let missing = not_found(options.tensor.as_deref(), listing);
        return Err(match index.is_some() {
            true => Malformed::new(
                Location::Key("weight_map".into()),
                missing.expected,
                missing.found,
            )
            .in_file(&index_path),
            false => missing.in_file(&shards[0].path),
        });
    };
    let in_shard = |found: &Found<'_>| -> &Path { &shards[found.shard].path };
    let matrix = read_tensor(
        &shards[input.shard].bytes,
        &input.name,
        &input.view,
        options.limit,
        Pages::of(shards[input.shard].bytes.mapping()),
    )
    .map_err(|e| e.in_file(in_shard(input)))?;
    let (rows, dim) = (matrix.rows, matrix.vectors.ncols());
    let mut notes = vec![format!(
        "tensor {} ({}, {rows}×{dim}{})",
        code_span(&input.name),
        input.view.dtype(),
        match index {
            Some(_) => format!(", in {}", file_name(in_shard(input))),
            None => String::new(),
        }
    )];
    let mut warnings = Vec::new();
    let is_input = options.tensor.is_none()
        || chosen == input_embedding(tensors.iter().map(|t| (t.name.as_str(), t.view.shape().len())));
    if !is_input {
        return Ok(ModelDir {
            tensor: input.name.clone(),
            matrix,
            tying: None,
            output: None,
            notes,
            warnings,
        });
    }
    if let Some(config) = &config {
        check_sizes(config, &input.name, rows, dim).map_err(|e| e.in_file(&config_path))?;
    }
    let stored = OUTPUT_EMBEDDING_NAMES.iter().find_map(|name| find(name));
    if let Some(output) = stored
        && output.view.shape() != input.view.shape()
    {
        return Err(Malformed::new(
            Location::Byte(HEADER),
            format!(
                "`{}` of shape {rows}×{dim}, as the input embedding `{}`",
                output.name, input.name
            ),
            format!("shape {:?}", output.view.shape()),
        )
        .in_file(in_shard(output)));
    }
    let equal =
        stored.is_some_and(|o| o.view.dtype() == input.view.dtype() && o.view.data() == input.view.data());
    let ties = config.as_ref().is_none_or(ModelConfig::ties_embeddings);
    let tie_source = match config.as_ref().and_then(|c| c.tie_word_embeddings) {
        Some(tie) => format!("config.json: tie_word_embeddings = {tie}"),
        None if config.is_some() => {
            "config.json: no tie_word_embeddings, which transformers reads as true".into()
        }
        None => "no config.json; transformers' default".into(),
    };
    let tying = match (stored, ties, equal) {
        (None, true, _) => Tying::Tied,
        (None, false, _) => Tying::NoOutput,
        (Some(o), _, true) => Tying::TiedWithCopy(o.name.clone()),
        (Some(o), false, false) => Tying::Untied(o.name.clone()),
        (Some(o), true, false) => {
            warnings.push(format!(
                "{}: {} differs from the input embedding {}, but the model ties its embeddings ({tie_source}), \
                 so transformers replaces it by the input embedding on loading",
                dir.display(),
                code_span(&o.name),
                code_span(&input.name)
            ));
            Tying::Tied
        }
    };
    notes.push(match &tying {
        Tying::Tied => format!("tied: the output embedding is the input embedding ({tie_source})"),
        Tying::TiedWithCopy(name) => format!(
            "tied: {} is stored too, byte for byte equal to the input embedding{}",
            code_span(name),
            if ties {
                String::new()
            } else {
                format!(" ({tie_source})")
            }
        ),
        Tying::Untied(name) => format!(
            "untied: {} is a separate output embedding ({tie_source})",
            code_span(name)
        ),
        Tying::NoOutput => format!("untied ({tie_source}), but no output embedding is stored"),
    });
    let output = match (&tying, options.output) {
        (Tying::Untied(_), true) => {
            let o = stored.expect("untied means stored");
            let matrix = read_tensor(
                &shards[o.shard].bytes,
                &o.name,
                &o.view,
                options.limit,
                Pages::of(shards[o.shard].bytes.mapping()),
            )
            .map_err(|e| e.in_file(in_shard(o)))?;
            Some(OutputEmbedding {
                tensor: o.name.clone(),
                matrix,
            })
        }
        _ => None,
    };
    Ok(ModelDir {
        tensor: input.name.clone(),
        matrix,
        tying: Some(tying),
        output,
        notes,
        warnings,
    })
}

/// The shard index (when the checkpoint is sharded) and every shard,
/// mapped: the index's shards, else `model.safetensors`.
fn open_shards(dir: &Path, index_path: &Path) -> Result<(Option<ShardIndex>, Vec<Shard>), LoadError> {
    if !index_path.is_file() {
        let path = dir.join(SINGLE_FILE);
        if !path.is_file() {
            return Err(Malformed::new(
                Location::Key(SINGLE_FILE.into()),
                format!("a safetensors checkpoint: {SINGLE_FILE} or {SHARD_INDEX}"),
                directory_listing(dir),
            )
            .in_file(dir));
        }
        let bytes = FileBytes::open(&path)?;
        return Ok((None, vec![Shard { path, bytes }]));
    }
    let text = std::fs::read(index_path).map_err(|e| LoadError::io(index_path, e))?;
    let index = parse_shard_index(&text).map_err(|e| e.in_file(index_path))?;
    let mut shards = Vec::with_capacity(index.shards.len());
    for (i, shard) in index.shards.iter().enumerate() {
        let path = dir.join(shard);
        if !path.is_file() {
            let (tensor, _) = index
                .tensors
                .iter()
                .find(|(_, s)| *s == i)
                .expect("every shard holds a tensor");
            return Err(Malformed::new(
                Location::Key(format!("weight_map.{tensor}")),
                format!("a shard file {shard} beside the index"),
                format!("no such file in {}", dir.display()),
            )
            .in_file(index_path));
        }
        let bytes = FileBytes::open(&path)?;
        shards.push(Shard { path, bytes });
    }
    Ok((Some(index), shards))
}

/// Every tensor of every shard, sorted by name, checked against the index:
/// each tensor the index names is in the shard it names, and no tensor is
/// in two shards.
fn collect_tensors<'a>(
    headers: &[SafeTensors<'a>],
    shards: &[Shard],
    index: Option<&ShardIndex>,
    index_path: &Path,
) -> Result<Vec<Found<'a>>, LoadError> {
    let mut tensors: Vec<Found<'a>> = headers
        .iter()
        .enumerate()
        .flat_map(|(shard, header)| {
            header
                .tensors()
                .into_iter()
                .map(move |(name, view)| Found { name, shard, view })
        })
        .collect();
    tensors.sort_by(|a, b| a.name.cmp(&b.name).then(a.shard.cmp(&b.shard)));
    for pair in tensors.windows(2) {
        if pair[0].name == pair[1].name {
            let [first, second] = [&pair[0], &pair[1]];
            return Err(Malformed::new(
                Location::Byte(HEADER),
                format!(
                    "each tensor in one shard; `{}` is already in {}",
                    first.name,
                    file_name(&shards[first.shard].path)
                ),
                format!(
                    "`{}` again, of shape {:?} (there {:?})",
                    second.name,
                    second.view.shape(),
                    first.view.shape()
                ),
            )
            .in_file(&shards[second.shard].path));
        }
    }
    let Some(index) = index else {
        return Ok(tensors);
    };
    for (name, shard) in &index.tensors {
        let found = tensors
            .binary_search_by(|t| t.name.as_str().cmp(name))
            .ok()
            .map(|i| &tensors[i]);
        if found.is_none_or(|t| t.shard != *shard) {
            let in_shard = headers[*shard].tensors();
            let mut in_shard: Vec<_> = in_shard.iter().map(|(n, v)| (n.as_str(), v.shape())).collect();
            in_shard.sort();
            let listing = matrix_listing(in_shard.iter().map(|&(n, shape)| match shape {
                &[rows, dim] => (n, Some([rows, dim])),
                _ => (n, None),
            }));
            return Err(Malformed::new(
                Location::Byte(HEADER),
                format!(
                    "a tensor named `{name}`, as {} says (weight_map.{name})",
                    file_name(index_path)
                ),
                listing,
            )
            .in_file(&shards[*shard].path));
        }
    }
    Ok(tensors)
}

/// Checks `config.json`'s sizes against the input embedding's shape.
fn check_sizes(config: &ModelConfig, tensor: &str, rows: usize, dim: usize) -> Result<(), Malformed> {
    for (size, want, what) in [
        (&config.vocab_size, rows, "rows"),
        (&config.hidden_size, dim, "columns"),
    ] {
        if let Some((key, n)) = size
            && *n != want as u64
        {
            return Err(Malformed::new(
                Location::Key(key.clone()),
                format!("{want}, the {what} of the input embedding `{tensor}` ({rows}×{dim})"),
                n.to_string(),
            ));
        }
    }
    Ok(())
}

/// A few of a directory's file names, for a message.
fn directory_listing(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    let shown: Vec<String> = names.iter().take(8).map(|name| code_span(name)).collect();
    let listing = match names.len() {
        0 => return "an empty directory".to_string(),
        n if n <= 8 => format!("the files {}", shown.join(", ")),
        n => format!("the files {}, … and {} more", shown.join(", "), n - 8),
    };
    // Weights this reader does not take, and what to do with them instead.
    let has = |matches: fn(&str) -> bool| names.iter().any(|name| matches(name));
    if has(|name| name.ends_with(".gguf")) {
        format!("{listing}: give the `.gguf` file itself")
    } else if has(|name| [".bin", ".pt", ".pth", ".ckpt"].iter().any(|e| name.ends_with(e))) {
        format!("{listing}: if they hold PyTorch weights, {PYTORCH_ADVICE}")
    } else {
        listing
    }
}
