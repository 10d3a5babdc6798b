//! Writes the sample `embspace analyze` runs on when given no file:
//! `data/sample-vectors.txt`, word2vec vectors trained on the shipped corpus
//! (word2vec text format, rows in frequency order), and
//! `data/sample-analogies.txt`, gender analogies over the corpus's paired words
//! in Google's format. Deterministic; regenerate with
//!
//!     cargo run --release --example make_sample_vectors

use std::fmt::Write as _;

use embspace::math::{TRAINING_CORPUS, Vocabulary, Word2VecParams, tokenize, train_word2vec};
use rand::SeedableRng;

/// The corpus's gendered pairs (see scripts/make_corpus.py).
const PAIRS: [(&str, &str); 14] = [
    ("king", "queen"),
    ("prince", "princess"),
    ("lord", "lady"),
    ("duke", "duchess"),
    ("emperor", "empress"),
    ("man", "woman"),
    ("boy", "girl"),
    ("father", "mother"),
    ("son", "daughter"),
    ("brother", "sister"),
    ("husband", "wife"),
    ("uncle", "aunt"),
    ("grandfather", "grandmother"),
    ("nephew", "niece"),
];

fn main() -> anyhow::Result<()> {
    let tokens = tokenize(TRAINING_CORPUS);
    let vocab = Vocabulary::new(&tokens, 1);
    let params = Word2VecParams {
        dim: 32,
        window: 3,
        negatives: 5,
        epochs: 20,
        learning_rate: 0.05,
        ..Default::default()
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let model = train_word2vec(&vocab.encode(&tokens), vocab.len(), &params, &mut rng)?;

    let mut vectors = format!("{} {}\n", vocab.len(), params.dim);
    for (word, row) in vocab.words().iter().zip(model.input_vectors.rows()) {
        vectors.push_str(word);
        for v in row {
            write!(vectors, " {:.6}", *v as f32)?;
        }
        vectors.push('\n');
    }
    std::fs::write("data/sample-vectors.txt", vectors)?;

    let mut analogies = String::from(": gender\n");
    for &(a, b) in &PAIRS {
        for &(c, d) in PAIRS.iter().filter(|p| p.0 != a) {
            writeln!(analogies, "{a} {b} {c} {d}")?;
        }
    }
    std::fs::write("data/sample-analogies.txt", analogies)?;
    eprintln!(
        "wrote data/sample-vectors.txt ({}×{}) and data/sample-analogies.txt; final epoch loss {:.4}",
        vocab.len(),
        params.dim,
        model.epoch_loss.last().unwrap_or(&f64::NAN)
    );
    Ok(())
}
