//! GGUF metadata values: typed, length-prefixed, arrays of any type
//! (arrays included), and the cursor that reads them and the rest of a
//! header with every length checked against the bytes left.

use crate::embeddings::byte_cursor::ByteCursor;
use crate::embeddings::load_error::Malformed;

/// How deep arrays may nest: the format sets no limit, but each level is a
/// recursion and no real file nests at all.
const MAX_NESTING: usize = 8;

/// A metadata value: its type and where its encoding lies in the file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Value<'a> {
    /// The GGUF value type (0–12).
    pub kind: u32,
    /// For an array: the element type and count.
    pub array: Option<(u32, u64)>,
    /// The encoded value (for a string, its text; for an array, its
    /// elements), already checked.
    pub bytes: &'a [u8],
    /// The file offset of `bytes`.
    pub at: usize,
    /// The file offset of the whole value (a string's or array's length
    /// comes first).
    pub start: usize,
}

/// GGUF value type 9, the array.
pub(crate) const ARRAY: u32 = 9;
/// GGUF value type 8, the string.
pub(crate) const STRING: u32 = 8;
/// GGUF value type 5, the signed 32-bit integer.
pub(crate) const INT32: u32 = 5;
/// GGUF value type 4, the unsigned 32-bit integer.
pub(crate) const UINT32: u32 = 4;

/// The name of a GGUF value type, as the specification spells it.
pub(crate) fn type_name(kind: u32) -> &'static str {
    const NAMES: [&str; 13] = [
        "uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array",
        "uint64", "int64", "float64",
    ];
    NAMES.get(kind as usize).copied().unwrap_or("unknown")
}

/// `a` or `an`, as the word after it wants.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The encoded size of a fixed-size value type; `None` for strings and arrays.
fn fixed_size(kind: u32) -> Option<u64> {
    match kind {
        0 | 1 | 7 => Some(1),
        2 | 3 => Some(2),
        4..=6 => Some(4),
        10..=12 => Some(8),
        _ => None,
    }
}

impl<'a> Value<'a> {
    /// What the value is, for messages: `a uint32`, `an array of 5 string`.
    pub fn describe(&self) -> String {
        match self.array {
            Some((element, len)) => format!("an array of {len} {}", type_name(element)),
            None => format!("{} {}", article(type_name(self.kind)), type_name(self.kind)),
        }
    }

    /// The value as a `u32`, when it is one.
    pub fn as_u32(&self) -> Option<u32> {
        (self.kind == UINT32).then(|| u32::from_le_bytes(self.bytes.try_into().expect("4 bytes")))
    }

    /// The value as text, when it is a UTF-8 string.
    pub fn as_str(&self) -> Option<&'a str> {
        (self.kind == STRING && self.array.is_none())
            .then(|| std::str::from_utf8(self.bytes).ok())
            .flatten()
    }

    /// The elements of an array (none for a scalar). The header's reading
    /// checked them, so none is an error unless that check has a bug.
    pub fn elements(&self) -> impl Iterator<Item = Result<Value<'a>, Malformed>> + 'a {
        let (element, len) = self.array.unwrap_or((self.kind, 0));
        let mut reader = ByteCursor::within(self.bytes, self.at);
        (0..len).map(move |_| reader.value(element, 1))
    }
}

/// The GGUF reads: strings, counts, typed values.
impl<'a> ByteCursor<'a> {
    /// A GGUF string: a `u64` length, then that many bytes.
    pub(super) fn string(&mut self, what: impl Fn() -> String) -> Result<&'a [u8], Malformed> {
        let len = self.u64(|| format!("the length of {}", what()))?;
        self.take(len, what)
    }

    /// A count of items of at least `min` bytes each, checked against what is
    /// left, so that no loop or reservation can follow an absurd count.
    pub(super) fn count(&mut self, min: u64, noun: &str) -> Result<u64, Malformed> {
        let at = self.at();
        let count = self.u64(|| format!("the {noun}"))?;
        if count.checked_mul(min).is_none_or(|need| need > self.left()) {
            return Err(Malformed::new(
                at,
                format!(
                    "{} {noun} the file can hold (each item needs at least {min} bytes)",
                    article(noun)
                ),
                format!("{count} in the {} bytes left", self.left()),
            ));
        }
        Ok(count)
    }

    /// A value of type `kind`, checked (arrays element by element).
    pub(super) fn value(&mut self, kind: u32, depth: usize) -> Result<Value<'a>, Malformed> {
        let start = self.pos();
        let array = if kind == ARRAY {
            if depth > MAX_NESTING {
                return Err(Malformed::new(
                    self.at(),
                    format!("arrays nested at most {MAX_NESTING} deep"),
                    "a deeper array",
                ));
            }
            let element = self.kind()?;
            let min = fixed_size(element).unwrap_or(if element == STRING { 8 } else { 12 });
            let len = self.count(min, "array length")?;
            let elements = self.pos();
            match fixed_size(element) {
                Some(size) => {
                    self.take(size * len, || format!("{len} {}", type_name(element)))?;
                }
                None => {
                    for _ in 0..len {
                        self.value(element, depth + 1)?;
                    }
                }
            }
            return Ok(Value {
                kind,
                array: Some((element, len)),
                bytes: self.since(elements),
                at: elements,
                start,
            });
        } else if kind == STRING {
            self.string(|| "a string".into())?;
            None
        } else {
            let size = fixed_size(kind).expect("kind() returns types 0-12");
            self.take(size, || format!("a {} value", type_name(kind)))?;
            None
        };
        let bytes = self.since(start);
        let (bytes, at) = if kind == STRING {
            (&bytes[8..], start + 8)
        } else {
            (bytes, start)
        };
        Ok(Value {
            kind,
            array,
            bytes,
            at,
            start,
        })
    }

    /// A value type id, one of the thirteen GGUF defines.
    pub(super) fn kind(&mut self) -> Result<u32, Malformed> {
        let at = self.at();
        let kind = self.u32(|| "a value type".into())?;
        if kind > 12 {
            return Err(Malformed::new(
                at,
                "a GGUF value type (0 to 12)",
                format!("type {kind}"),
            ));
        }
        Ok(kind)
    }
}
