//! Correlation with human similarity judgements (WordSim353, SimLex-999) with
//! the semantics of gensim 4.4's `KeyedVectors.evaluate_word_pairs`.
//!
//! What gensim does, and so what this does:
//! - lines are `word1<delimiter>word2<delimiter>score` (tab by default), read
//!   with Python's universal newlines; lines starting with `#` are comments;
//!   the words are not trimmed, the score is (Python's `float`);
//! - words are upper-cased when `case_insensitive` and looked up in the first
//!   `restrict_vocab` tokens, the first case variant winning;
//! - a pair with an unknown word is skipped, or with `dummy4unknown` given
//!   model similarity 0; the OOV ratio is `oov / (kept + oov)` in percent, or
//!   `oov / kept` with `dummy4unknown` (gensim's two formulas);
//! - the model similarity is the cosine, an `f32` as gensim's is;
//! - Pearson's r and Spearman's ρ as `scipy.stats` computes them, each with
//!   its two-sided p-value `I_{1−r²}((n−2)/2, 1/2)` (the regularised
//!   incomplete beta, equal to scipy's beta / Student-t tails).

use std::path::Path;

use ndarray::{Array1, ArrayView1};

use super::benchmark::{fold, is_python_space, ok_vocab, read_utf8, skipped};
use super::knn::UnitVectors;
use crate::error::{Error, Result};
use crate::math::{pearson, spearman};

/// One judged pair as written in the file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WordPair {
    /// The two words, untrimmed, as in the file.
    pub words: [String; 2],
    /// The human score.
    pub score: f64,
    /// 1-based line number (counting lines as Python's universal newlines do).
    pub line: usize,
}

/// A parsed word-pair file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WordPairSet {
    /// The file, as given (it names the file in errors).
    pub path: String,
    /// Pairs in file order.
    pub pairs: Vec<WordPair>,
    /// Lines gensim would skip as invalid, when parsed leniently.
    pub skipped_lines: Vec<usize>,
}

impl WordPairSet {
    /// Parses `word1 word2 score` lines split by `delimiter` (gensim's default is `"\t"`).
    ///
    /// `path` only names the file in errors. `#` comments and blank lines are
    /// ignored. With `strict`, any other line that is not two words and a
    /// number is an error; without, it is skipped and listed, as gensim does.
    ///
    /// # Errors
    /// [`Error::BenchmarkLine`] (when `strict`) naming the line and what was expected.
    ///
    /// # Examples
    /// ```
    /// use embspace::analyze::WordPairSet;
    /// let set = WordPairSet::parse("# comment\ntiger\tcat\t7.35\n", "ws.tsv", "\t", true)?;
    /// assert_eq!((set.pairs[0].score, set.pairs[0].line), (7.35, 2));
    /// let bad = WordPairSet::parse("tiger\tcat\tvery\n", "ws.tsv", "\t", true).unwrap_err();
    /// assert!(bad.to_string().starts_with("ws.tsv:1: expected a number as the third field"));
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn parse(text: &str, path: &str, delimiter: &str, strict: bool) -> Result<Self> {
        let mut set = WordPairSet {
            path: path.to_string(),
            pairs: Vec::new(),
            skipped_lines: Vec::new(),
        };
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        for (i, line) in text.split_terminator('\n').enumerate() {
            if line.starts_with('#') || line.trim_matches(is_python_space).is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split(delimiter).collect();
            let problem = match fields[..] {
                [a, b, score] => match python_float(score) {
                    Some(score) => {
                        let words = [a.to_string(), b.to_string()];
                        set.pairs.push(WordPair {
                            words,
                            score,
                            line: i + 1,
                        });
                        continue;
                    }
                    None => "a number as the third field",
                },
                _ => "three fields `word1 word2 score`",
            };
            if strict {
                return Err(Error::BenchmarkLine {
                    path: path.to_string(),
                    line: i + 1,
                    expected: format!("{problem} separated by {delimiter:?}"),
                    found: line.to_string(),
                });
            }
            set.skipped_lines.push(i + 1);
        }
        Ok(set)
    }

    /// Reads and parses a file; see [`WordPairSet::parse`].
    ///
    /// # Errors
    /// [`Error::Read`] when the file cannot be read or is not UTF-8, and the
    /// errors of [`WordPairSet::parse`].
    pub fn read(path: impl AsRef<Path>, delimiter: &str, strict: bool) -> Result<Self> {
        let path = path.as_ref();
        WordPairSet::parse(&read_utf8(path)?, &path.display().to_string(), delimiter, strict)
    }
}

/// Python's `float(text)` for the usual spellings: surrounding whitespace,
/// sign, decimals, exponent, `inf`/`nan` (not Python's digit underscores).
fn python_float(text: &str) -> Option<f64> {
    text.trim_matches(is_python_space).parse().ok()
}

/// Options of [`evaluate_word_pairs`]; the defaults are gensim's.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WordPairParams {
    /// Only the first this many rows form the vocabulary (300 000).
    pub restrict_vocab: usize,
    /// Compare upper-cased words (true).
    pub case_insensitive: bool,
    /// Give a pair with an unknown word similarity 0 instead of skipping it (false).
    pub dummy4unknown: bool,
}

impl Default for WordPairParams {
    fn default() -> Self {
        WordPairParams {
            restrict_vocab: 300_000,
            case_insensitive: true,
            dummy4unknown: false,
        }
    }
}

/// A correlation coefficient and its two-sided p-value.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Correlation {
    /// r or ρ, in `[-1, 1]`.
    pub statistic: f64,
    /// Two-sided p-value against no correlation.
    pub p_value: f64,
}

/// The outcome of [`evaluate_word_pairs`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WordPairResults {
    /// Pearson's r of human scores and model cosines.
    pub pearson: Correlation,
    /// Spearman's ρ of the same.
    pub spearman: Correlation,
    /// Pairs with an unknown word, in percent (gensim's formula, see the module doc).
    pub oov_ratio: f64,
    /// Pairs with an unknown word.
    pub oov: usize,
    /// Pairs correlated (including the zero-similarity dummies).
    pub pairs: usize,
    /// Lines skipped as invalid, as gensim skips them (1-based).
    pub invalid_lines: Vec<usize>,
}

/// Two-sided p-value of a correlation `r` over `n` pairs: `I_{1−r²}((n−2)/2, 1/2)`.
///
/// With two pairs there is no degree of freedom: scipy's `pearsonr` returns 1
/// and `spearmanr` NaN (`0/0` in its t statistic); `at_two` is that value.
fn p_value(r: f64, n: usize, at_two: f64) -> f64 {
    if n <= 2 {
        return at_two;
    }
    let x = (1.0 - r * r).clamp(0.0, 1.0);
    statrs::function::beta::checked_beta_reg((n as f64 - 2.0) / 2.0, 0.5, x).unwrap_or(f64::NAN)
}

/// Correlates the model's cosines with human scores, as gensim's
/// `evaluate_word_pairs` (see the module doc). `tokens[i]` names row `i` of `unit`.
///
/// # Errors
/// [`Error::Shape`] when `tokens` and `unit` differ in length;
/// [`Error::Parameter`] when no pair is left (gensim raises too) or only one;
/// [`Error::Numerical`] when either side is constant (scipy returns NaN).
///
/// # Examples
/// ```
/// use embspace::analyze::{UnitRows, WordPairParams, WordPairSet, evaluate_word_pairs};
/// use embspace::ndarray::array;
/// let tokens: Vec<String> = ["cat", "dog", "car"].map(String::from).to_vec();
/// let unit = UnitRows::new(array![[1.0f32, 0.1], [0.9, 0.3], [0.0, 1.0]].view());
/// let set = WordPairSet::parse("cat\tdog\t8\ncat\tcar\t2\ndog\tcar\t3\ncat\tfish\t5\n", "p", "\t", true)?;
/// let r = evaluate_word_pairs(&tokens, &unit, &set, &WordPairParams::default())?;
/// assert!((r.spearman.statistic - 1.0).abs() < 1e-12);
/// assert_eq!(r.oov_ratio, 25.0);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn evaluate_word_pairs(
    tokens: &[String],
    unit: &impl UnitVectors,
    set: &WordPairSet,
    params: &WordPairParams,
) -> Result<WordPairResults> {
    if tokens.len() != unit.len() {
        return Err(Error::shape(
            "evaluate_word_pairs",
            format!("{} tokens", unit.len()),
            format!("{} tokens", tokens.len()),
        ));
    }
    let ci = params.case_insensitive;
    let vocab = ok_vocab(tokens, params.restrict_vocab, ci);
    let (mut gold, mut model) = (Vec::new(), Vec::new());
    let mut oov = 0;
    for pair in &set.pairs {
        let rows = pair.words.each_ref().map(|w| vocab.get(&fold(w, ci)).copied());
        match rows {
            [Some(a), Some(b)] => {
                gold.push(pair.score);
                model.push(f64::from(cosine32(unit.row(a).view(), unit.row(b).view())));
            }
            _ => {
                oov += 1;
                if params.dummy4unknown {
                    gold.push(pair.score);
                    model.push(0.0);
                }
            }
        }
    }
    if gold.is_empty() {
        return Err(Error::Benchmark {
            path: set.path.clone(),
            reason: format!(
                "no pair to correlate: {} read, {oov} with a word outside the first {} rows{}",
                set.pairs.len(),
                params.restrict_vocab,
                skipped(&set.skipped_lines, "`word1 word2 score`")
            ),
        });
    }
    let (gold, model) = (Array1::from(gold), Array1::from(model));
    let n = gold.len();
    let r = pearson(gold.view(), model.view())?;
    let rho = spearman(gold.view(), model.view())?;
    let denominator = if params.dummy4unknown { n } else { n + oov };
    Ok(WordPairResults {
        pearson: Correlation {
            statistic: r,
            p_value: p_value(r, n, 1.0),
        },
        spearman: Correlation {
            statistic: rho,
            p_value: p_value(rho, n, f64::NAN),
        },
        oov_ratio: 100.0 * oov as f64 / denominator as f64,
        oov,
        pairs: n,
        invalid_lines: set.skipped_lines.clone(),
    })
}

/// Cosine of two unit rows, accumulated in `f64` and returned as gensim's `f32`.
fn cosine32(x: ArrayView1<f32>, y: ArrayView1<f32>) -> f32 {
    x.iter()
        .zip(y.iter())
        .map(|(&p, &q)| f64::from(p) * f64::from(q))
        .sum::<f64>() as f32
}

#[cfg(test)]
mod tests;
