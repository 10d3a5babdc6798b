//! The two real tables shipped in `data/real/` (see its README for source,
//! licence, citation and how the subsets were chosen), compiled into the
//! crate and read by the same `.npy` and vocabulary parsers as
//! `embspace analyze`.

use std::sync::{Arc, OnceLock};

use crate::embeddings::{parse_npy_as, parse_vocab};
use crate::real::RealTable;

/// Id of the shipped GloVe table: static word vectors.
pub const GLOVE: &str = "glove-6b-50d";
/// Id of the shipped all-MiniLM-L6-v2 table: a transformer's input (token) embeddings.
pub const MINILM: &str = "all-minilm-l6-v2";

struct Shipped {
    id: &'static str,
    name: &'static str,
    about: &'static str,
    npy: &'static [u8],
    vocab: &'static [u8],
}

const SHIPPED: [Shipped; 2] = [
    Shipped {
        id: GLOVE,
        name: "GloVe 6B 50d",
        about: "GloVe 6B 50d word vectors (Pennington, Socher & Manning 2014; PDDL-1.0): the 10 000 most \
                frequent lowercase words and words the demos need, f16",
        npy: include_bytes!("../../data/real/glove-6b-50d/vectors.npy"),
        vocab: include_bytes!("../../data/real/glove-6b-50d/vocab.txt"),
    },
    Shipped {
        id: MINILM,
        name: "MiniLM-L6 tokens",
        about: "all-MiniLM-L6-v2 input token embeddings (Wang et al. 2020; Reimers & Gurevych 2019; \
                Apache-2.0): the first WordPiece tokens from `the` on and words the demos need, f16",
        npy: include_bytes!("../../data/real/all-minilm-l6-v2/vectors.npy"),
        vocab: include_bytes!("../../data/real/all-minilm-l6-v2/vocab.txt"),
    },
];

impl Shipped {
    fn load(&self) -> RealTable {
        let matrix = parse_npy_as::<f64>(self.npy, None).expect("the shipped .npy files parse (tested)");
        let tokens = parse_vocab(self.vocab, false).expect("the shipped vocabularies parse (tested)");
        RealTable::new(self.name, self.about, tokens, matrix.vectors)
            .expect("each shipped vocabulary names every row (tested)")
            .shipped_as(self.id)
    }
}

/// The shipped tables, GloVe first, decoded once per process.
///
/// # Examples
/// ```
/// let tables = embspace::real::shipped();
/// assert_eq!(tables[0].id(), embspace::real::GLOVE);
/// assert_eq!(tables[1].dim(), 384);
/// assert!(tables.iter().all(|t| t.is_shipped() && t.id_of("queen").is_some()));
/// ```
pub fn shipped() -> &'static [Arc<RealTable>] {
    static TABLES: OnceLock<Vec<Arc<RealTable>>> = OnceLock::new();
    TABLES.get_or_init(|| decode_shipped().into_iter().map(Arc::new).collect())
}

/// Decodes the shipped tables anew (what [`shipped`] does once), for benchmarks.
pub fn decode_shipped() -> Vec<RealTable> {
    SHIPPED.iter().map(Shipped::load).collect()
}
