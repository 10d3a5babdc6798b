//! What a row of a model's embedding matrix stands for: an ordinary token, a
//! special one, a raw byte, a reserved slot, or padding past the tokenizer.
//!
//! One type for every source that knows it: a GGUF file's
//! `tokenizer.ggml.token_type` (llama.cpp's `llama_token_type`, whose codes
//! [`TokenKind::from_gguf`] reads) and a Hugging Face `tokenizer.json`
//! (added and special tokens, the unknown token, byte-fallback tokens,
//! reserved `[unusedN]` slots), plus the rows of a matrix padded past its
//! tokenizer. [`Loaded::token_kinds`](super::Loaded::token_kinds) holds one
//! per row, in row order, so diagnostics that need the rows a model never
//! sees during training (under-trained tokens) take them from here.

/// What a row of an embedding matrix stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// An ordinary token of the vocabulary.
    Normal,
    /// The unknown-token placeholder (`<unk>`, `[UNK]`).
    Unknown,
    /// A special (control) token such as `<s>`, `[CLS]` or `<|endoftext|>`,
    /// never produced from text by the tokenizer's model.
    Control,
    /// A token added to the vocabulary that is not special (GGUF's
    /// "user defined", a `tokenizer.json` added token with `special: false`).
    UserDefined,
    /// A slot the vocabulary reserves but never uses: GGUF's type 5, or a
    /// `tokenizer.json` token named like `[unused12]`, `<unused3>` or
    /// `<|reserved_special_token_7|>`.
    Unused,
    /// A raw byte token of a byte-fallback vocabulary, `<0x0A>`.
    Byte,
    /// A row past the tokenizer's last token: the matrix was padded (usually
    /// to a multiple of 64 or 128) and no text maps to it.
    Padding,
    /// GGUF's type 0: the file gives no type.
    Undefined,
    /// A GGUF type code llama.cpp does not define.
    Other(i32),
}

impl TokenKind {
    /// The kind a GGUF `tokenizer.ggml.token_type` code stands for.
    ///
    /// # Examples
    /// ```
    /// use embspace::embeddings::TokenKind;
    ///
    /// assert_eq!(TokenKind::from_gguf(3), TokenKind::Control);
    /// assert_eq!(TokenKind::from_gguf(9), TokenKind::Other(9));
    /// ```
    pub fn from_gguf(code: i32) -> TokenKind {
        match code {
            0 => TokenKind::Undefined,
            1 => TokenKind::Normal,
            2 => TokenKind::Unknown,
            3 => TokenKind::Control,
            4 => TokenKind::UserDefined,
            5 => TokenKind::Unused,
            6 => TokenKind::Byte,
            other => TokenKind::Other(other),
        }
    }

    /// A short lowercase name for reports: `normal`, `special`, `padding`, …
    pub fn name(self) -> &'static str {
        match self {
            TokenKind::Normal => "normal",
            TokenKind::Unknown => "unknown",
            TokenKind::Control => "special",
            TokenKind::UserDefined => "added",
            TokenKind::Unused => "unused",
            TokenKind::Byte => "byte",
            TokenKind::Padding => "padding",
            TokenKind::Undefined => "undefined",
            TokenKind::Other(_) => "other",
        }
    }

    /// Whether a reserved-slot name says the token is unused: `[unusedN]`
    /// (BERT), `<unusedN>` (Gemma), `<|reserved_special_token_N|>` (Llama 3).
    ///
    /// # Examples
    /// ```
    /// use embspace::embeddings::TokenKind;
    ///
    /// assert!(TokenKind::names_unused_slot("[unused993]"));
    /// assert!(TokenKind::names_unused_slot("<|reserved_special_token_0|>"));
    /// assert!(!TokenKind::names_unused_slot("unused"));
    /// ```
    pub fn names_unused_slot(token: &str) -> bool {
        let numbered = |inner: &str, prefix: &str| {
            inner
                .strip_prefix(prefix)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        };
        let within = |open: &str, close: &str| token.strip_prefix(open).and_then(|t| t.strip_suffix(close));
        within("[", "]").is_some_and(|t| numbered(t, "unused"))
            || within("<", ">").is_some_and(|t| numbered(t, "unused"))
            || within("<|", "|>").is_some_and(|t| numbered(t, "reserved_special_token_"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gguf_code_llama_cpp_defines_has_its_own_kind() {
        let kinds: Vec<TokenKind> = (0..7).map(TokenKind::from_gguf).collect();
        for (i, kind) in kinds.iter().enumerate() {
            assert!(!matches!(kind, TokenKind::Other(_)));
            assert!(!kinds[..i].contains(kind), "{kind:?} twice");
        }
        assert_eq!(TokenKind::from_gguf(-1), TokenKind::Other(-1));
    }

    #[test]
    fn unused_slots_are_recognised_by_their_numbered_names_only() {
        for unused in ["[unused0]", "<unused12>", "<|reserved_special_token_250|>"] {
            assert!(TokenKind::names_unused_slot(unused), "{unused}");
        }
        for used in [
            "[unused]",
            "[unusedX]",
            "<unused>",
            "unused0",
            "[UNK]",
            "<|reserved_special_token_|>",
        ] {
            assert!(!TokenKind::names_unused_slot(used), "{used}");
        }
    }
}
