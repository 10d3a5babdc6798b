//! A Hugging Face `config.json`, as far as the embedding matrices need it:
//! whether the output embedding is tied to the input one, and the sizes the
//! tensors must have.

use serde_json::Value;

use crate::embeddings::load_error::{Location, Malformed};
use crate::embeddings::tokenizer::json_kind;

/// What `config.json` says about a model's embeddings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelConfig {
    /// `model_type`, e.g. `llama` (empty when absent).
    pub model_type: String,
    /// `tie_word_embeddings` as written; `None` when absent, which
    /// transformers reads as `true` ([`ModelConfig::ties_embeddings`]).
    pub tie_word_embeddings: Option<bool>,
    /// `vocab_size`: the rows of the input embedding.
    pub vocab_size: Option<(String, u64)>,
    /// The model width (`hidden_size`, or `n_embd` in GPT-2, `d_model` in
    /// T5 and OPT, `dim` in DistilBERT), with the key it came from.
    pub hidden_size: Option<(String, u64)>,
}

/// The keys a model's width goes by, tried in this order.
const WIDTH_KEYS: [&str; 4] = ["hidden_size", "n_embd", "d_model", "dim"];

impl ModelConfig {
    /// Whether the model ties its output embedding to its input one:
    /// `tie_word_embeddings`, `true` when absent (transformers'
    /// `PretrainedConfig` default, which `save_pretrained` leaves out).
    pub fn ties_embeddings(&self) -> bool {
        self.tie_word_embeddings.unwrap_or(true)
    }
}

/// Reads a `config.json`. Sizes come from the top level or, for multimodal
/// models (LLaVA, Gemma 3), from `text_config`, where their language model's
/// are; `tie_word_embeddings` from the top level, as transformers reads it.
///
/// # Errors
/// A [`Malformed`] at the line of a JSON syntax error, for a top level that
/// is not an object, or at a key whose value has the wrong type (a size that
/// is not a positive integer, a `tie_word_embeddings` that is not a boolean).
///
/// # Examples
/// ```
/// use embspace::embeddings::parse_model_config;
///
/// let config = parse_model_config(br#"{"model_type": "gpt2", "n_embd": 768, "vocab_size": 50257}"#).unwrap();
/// assert!(config.ties_embeddings());
/// assert_eq!(config.hidden_size, Some(("n_embd".to_string(), 768)));
/// let error = parse_model_config(br#"{"vocab_size": "many"}"#).unwrap_err();
/// assert_eq!((error.expected.as_str(), error.found.as_str()), ("a positive integer", "a string"));
/// ```
pub fn parse_model_config(bytes: &[u8]) -> Result<ModelConfig, Malformed> {
    let json: Value = serde_json::from_slice(bytes)
        .map_err(|error| Malformed::new(Location::Line(error.line().max(1)), "JSON", error.to_string()))?;
    let Value::Object(top) = &json else {
        return Err(Malformed::new(
            Location::Line(1),
            "a JSON object",
            json_kind(&json),
        ));
    };
    let tie_word_embeddings = match top.get("tie_word_embeddings") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(tie)) => Some(*tie),
        Some(other) => {
            return Err(Malformed::new(
                Location::Key("tie_word_embeddings".into()),
                "true or false",
                json_kind(other),
            ));
        }
    };
    let text = top.get("text_config").and_then(Value::as_object);
    let size = |key: &str| -> Result<Option<(String, u64)>, Malformed> {
        let found = top.get(key).map(|v| (key.to_string(), v)).or_else(|| {
            text.and_then(|t| t.get(key))
                .map(|v| (format!("text_config.{key}"), v))
        });
        match found {
            None => Ok(None),
            Some((_, Value::Null)) => Ok(None),
            Some((at, value)) => match value.as_u64().filter(|&n| n > 0) {
                Some(n) => Ok(Some((at, n))),
                None => Err(Malformed::new(
                    Location::Key(at),
                    "a positive integer",
                    match value {
                        Value::Number(n) => n.to_string(),
                        other => json_kind(other).to_string(),
                    },
                )),
            },
        }
    };
    let mut hidden_size = None;
    for key in WIDTH_KEYS {
        if let Some(found) = size(key)? {
            hidden_size = Some(found);
            break;
        }
    }
    Ok(ModelConfig {
        model_type: top
            .get("model_type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        tie_word_embeddings,
        vocab_size: size("vocab_size")?,
        hidden_size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absent_tie_word_embeddings_ties_as_in_transformers() {
        assert!(parse_model_config(b"{}").unwrap().ties_embeddings());
        let config = parse_model_config(br#"{"tie_word_embeddings": false, "hidden_size": 4096}"#).unwrap();
        assert!(!config.ties_embeddings());
        assert_eq!(config.hidden_size, Some(("hidden_size".into(), 4096)));
    }

    #[test]
    fn a_multimodal_model_s_sizes_come_from_its_text_config() {
        let config =
            parse_model_config(br#"{"text_config": {"hidden_size": 2560, "vocab_size": 262208}}"#).unwrap();
        assert_eq!(
            config.vocab_size,
            Some(("text_config.vocab_size".into(), 262_208))
        );
        assert_eq!(config.hidden_size.unwrap().0, "text_config.hidden_size");
    }

    #[test]
    fn wrong_types_are_refused_at_their_key() {
        let e = parse_model_config(br#"{"tie_word_embeddings": "yes"}"#).unwrap_err();
        assert_eq!(e.at, Location::Key("tie_word_embeddings".into()));
        let e = parse_model_config(br#"{"hidden_size": -3}"#).unwrap_err();
        assert_eq!(
            (e.at, e.found),
            (Location::Key("hidden_size".into()), "-3".to_string())
        );
        let e = parse_model_config(b"[1]").unwrap_err();
        assert_eq!(e.found, "a list");
        let e = parse_model_config(b"{\n\"a\": }").unwrap_err();
        assert_eq!(e.at, Location::Line(2));
    }
}
