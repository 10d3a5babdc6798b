//! `model.safetensors.index.json`: which shard file holds each tensor of a
//! checkpoint too large for one file.
//!
//! ```json
//! {"metadata": {"total_size": 16060522496},
//!  "weight_map": {"lm_head.weight": "model-00004-of-00004.safetensors",
//!                 "model.embed_tokens.weight": "model-00001-of-00004.safetensors", …}}
//! ```

use serde_json::Value;

use crate::embeddings::load_error::{Location, Malformed, shown};
use crate::embeddings::tokenizer::json_kind;

/// The file the sharded checkpoint's index has, beside its shards.
pub const SHARD_INDEX: &str = "model.safetensors.index.json";

/// A sharded checkpoint's index: the shard files and each tensor's shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardIndex {
    /// The shard files, relative to the index's directory, sorted.
    pub shards: Vec<String>,
    /// Each tensor's name and its shard (an index into `shards`), sorted by name.
    pub tensors: Vec<(String, usize)>,
}

impl ShardIndex {
    /// The shard (an index into `shards`) the weight map puts `tensor` in.
    pub fn shard_of(&self, tensor: &str) -> Option<usize> {
        self.tensors
            .binary_search_by(|(name, _)| name.as_str().cmp(tensor))
            .ok()
            .map(|i| self.tensors[i].1)
    }
}

/// Reads a `model.safetensors.index.json`.
///
/// `weight_map` must map tensor names to shard file names: relative paths
/// inside the checkpoint's directory (no absolute path, no `..`), ending in
/// `.safetensors`. `metadata` is not needed and not read.
///
/// # Errors
/// A [`Malformed`] at the line of a JSON syntax error, at `weight_map` when it
/// is missing, empty or not an object, and at `weight_map.<tensor>` for a shard
/// name that is not a string or not a file beside the index.
///
/// # Examples
/// ```
/// use embspace::embeddings::parse_shard_index;
///
/// let index = parse_shard_index(br#"{"weight_map": {"b": "model-2.safetensors", "a": "model-1.safetensors"}}"#).unwrap();
/// assert_eq!(index.shards, ["model-1.safetensors", "model-2.safetensors"]);
/// assert_eq!(index.shard_of("b"), Some(1));
/// let error = parse_shard_index(br#"{"weight_map": {"a": "../../etc/passwd"}}"#).unwrap_err();
/// assert_eq!(error.at.to_string(), "weight_map.a");
/// ```
pub fn parse_shard_index(bytes: &[u8]) -> Result<ShardIndex, Malformed> {
    let json: Value = serde_json::from_slice(bytes)
        .map_err(|error| Malformed::new(Location::Line(error.line().max(1)), "JSON", error.to_string()))?;
    let map = match json.get("weight_map") {
        Some(Value::Object(map)) if !map.is_empty() => map,
        other => {
            return Err(Malformed::new(
                Location::Key("weight_map".into()),
                "a map from tensor names to shard files",
                match other {
                    None => "no such key".to_string(),
                    Some(Value::Object(_)) => "an empty map".to_string(),
                    Some(value) => json_kind(value).to_string(),
                },
            ));
        }
    };
    let mut named = Vec::with_capacity(map.len());
    for (tensor, shard) in map {
        let at = || Location::Key(format!("weight_map.{tensor}"));
        let Some(shard) = shard.as_str() else {
            return Err(Malformed::new(at(), "a shard file name", json_kind(shard)));
        };
        if !is_shard_name(shard) {
            return Err(Malformed::new(
                at(),
                "a .safetensors file inside the checkpoint's directory",
                shown(shard.as_bytes()),
            ));
        }
        named.push((tensor, shard));
    }
    let mut shards: Vec<String> = named.iter().map(|(_, shard)| shard.to_string()).collect();
    shards.sort();
    shards.dedup();
    let mut tensors: Vec<(String, usize)> = named
        .into_iter()
        .map(|(tensor, shard)| {
            let position = shards
                .binary_search_by(|s| s.as_str().cmp(shard))
                .expect("listed above");
            (tensor.clone(), position)
        })
        .collect();
    tensors.sort();
    Ok(ShardIndex { shards, tensors })
}

/// Whether a weight map's shard name is a `.safetensors` file inside the
/// checkpoint's directory: relative, without `..` or empty components.
fn is_shard_name(name: &str) -> bool {
    name.ends_with(".safetensors")
        && !name.starts_with('/')
        && !name.contains('\\')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tensor_finds_its_shard() {
        let index = parse_shard_index(
            br#"{"metadata": {"total_size": 10}, "weight_map": {
                "model.embed_tokens.weight": "model-00001-of-00002.safetensors",
                "model.norm.weight": "model-00002-of-00002.safetensors",
                "lm_head.weight": "model-00002-of-00002.safetensors"}}"#,
        )
        .unwrap();
        assert_eq!(index.shards.len(), 2);
        assert_eq!(index.shard_of("lm_head.weight"), Some(1));
        assert_eq!(index.shard_of("model.embed_tokens.weight"), Some(0));
        assert_eq!(index.shard_of("missing"), None);
    }

    #[test]
    fn shard_names_must_stay_inside_the_directory() {
        for bad in [
            "/abs.safetensors",
            "../up.safetensors",
            "a/../b.safetensors",
            "x.bin",
            "a\\b.safetensors",
            "",
        ] {
            let json = serde_json::json!({"weight_map": {"w": bad}}).to_string();
            let e = parse_shard_index(json.as_bytes()).unwrap_err();
            assert_eq!(e.at, Location::Key("weight_map.w".into()), "{bad}");
        }
        let json = br#"{"weight_map": {"w": "sub/model.safetensors"}}"#;
        assert_eq!(parse_shard_index(json).unwrap().shards, ["sub/model.safetensors"]);
    }

    #[test]
    fn a_missing_or_empty_weight_map_is_refused() {
        for (json, found) in [
            (&br#"{"metadata": {}}"#[..], "no such key"),
            (br#"{"weight_map": {}}"#, "an empty map"),
            (br#"{"weight_map": []}"#, "a list"),
            (br#"{"weight_map": {"w": 3}}"#, "a number"),
        ] {
            assert_eq!(parse_shard_index(json).unwrap_err().found, found);
        }
    }
}
