//! Word-analogy accuracy ("a is to b as c is to ?") with the semantics of
//! gensim 4.4's `KeyedVectors.evaluate_word_analogies`, batched through the
//! fused top-k search.
//!
//! What gensim does, and so what this does:
//! - the file is the Google format: `: section` lines, then lines of four
//!   words `a b c expected`;
//! - `ok_vocab` holds the first `restrict_vocab` tokens, upper-cased when
//!   `case_insensitive` (the first, most frequent case variant wins);
//! - a question with a word outside `ok_vocab` is counted as OOV and skipped,
//!   or, with `dummy4unknown`, counted as incorrect;
//! - the candidates are the 5 best of the first `restrict_vocab` rows, without
//!   the rows of `a`, `b` and `c`; the prediction is the first candidate whose
//!   folded token is none of the three folded query words (so a case variant
//!   of a query word is passed over too); if all 5 are, gensim's loop leaves
//!   the last one as the prediction;
//! - 3CosAdd: the query is `b̂ + ĉ − â` summed in `f32` in that order, divided
//!   by 3 and unit-normalised in `f64`, then rounded to `f32` (gensim's
//!   `get_mean_vector` under numpy 2 promotion); rows are ranked by cosine.
//!
//! gensim ranks by `f32` scores from BLAS; here the fused `f32` search keeps
//! the 12 best and those are rescored in `f64` and re-sorted, so the result
//! does not depend on the product kernel. The two can differ only when two
//! candidates' cosines are within `f32` rounding (~1e-7) of each other;
//! [`AnalogyAnswer::margin`] reports how close each call was.
//!
//! 3CosMul (Levy & Goldberg) is an option gensim's evaluator does not offer
//! (its `similarity_function` argument is accepted and ignored): scores are
//! `(1+cos b)/2 · (1+cos c)/2 / ((1+cos a)/2 + ε)` as in `most_similar_cosmul`,
//! searched over the first `restrict_vocab` rows (`most_similar_cosmul`
//! itself searches all rows).

use std::path::Path;

use ndarray::ArrayView1;

use super::benchmark::{fold, is_python_space, ok_vocab, read_utf8, skipped, split_python};
use super::knn::{UnitVectors, fused_top_k_shared};
use crate::error::{Error, Result};
use crate::math::{COS_MUL_EPSILON, cos_mul_score};

/// gensim's `topn` in `evaluate_word_analogies`.
const TOP_N: usize = 5;
/// Extra candidates kept from the `f32` search for the `f64` rescoring.
const SLACK: usize = 7;

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum AnalogyMethod {
    /// 3CosAdd: cosine with `b̂ − â + ĉ`, gensim's `most_similar` (the default).
    #[default]
    CosAdd,
    /// 3CosMul: gensim's `most_similar_cosmul` objective.
    CosMul,
}

/// Options of [`evaluate_word_analogies`]; the defaults are gensim's.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AnalogyParams {
    /// Only the first this many rows are searched and form the vocabulary (300 000).
    pub restrict_vocab: usize,
    /// Compare upper-cased words (true).
    pub case_insensitive: bool,
    /// Count a question with an unknown word as incorrect instead of skipping it (false).
    pub dummy4unknown: bool,
    /// 3CosAdd (default) or 3CosMul.
    pub method: AnalogyMethod,
}

impl Default for AnalogyParams {
    fn default() -> Self {
        AnalogyParams {
            restrict_vocab: 300_000,
            case_insensitive: true,
            dummy4unknown: false,
            method: AnalogyMethod::CosAdd,
        }
    }
}

/// One question as written in the file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AnalogyQuestion {
    /// `a`, `b`, `c` and the expected answer, as in the file.
    pub words: [String; 4],
    /// 1-based line number.
    pub line: usize,
}

/// A parsed analogy file: sections in file order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AnalogySet {
    /// The file, as given (it names the file in errors).
    pub path: String,
    /// `(section name, questions)` in file order.
    pub sections: Vec<(String, Vec<AnalogyQuestion>)>,
    /// Lines gensim would skip as invalid (not four words), when parsed leniently.
    pub skipped_lines: Vec<usize>,
}

impl AnalogySet {
    /// Parses the Google analogy format.
    ///
    /// `path` only names the file in errors. Blank lines are ignored. With
    /// `strict`, a line that is not four words is an error; without, it is
    /// skipped and listed in `skipped_lines`, as gensim skips it.
    ///
    /// # Errors
    /// [`Error::BenchmarkLine`] for a question before the first `: section`
    /// line (gensim refuses it too) and, when `strict`, for a line that is not
    /// four words.
    ///
    /// # Examples
    /// ```
    /// use embspace::analyze::AnalogySet;
    /// let set = AnalogySet::parse(": capitals\nAthens Greece Rome Italy\n", "q.txt", true)?;
    /// assert_eq!(set.sections[0].1[0].words[3], "Italy");
    /// let bad = AnalogySet::parse(": capitals\nAthens Greece\n", "q.txt", true).unwrap_err();
    /// assert_eq!(bad.to_string(), "q.txt:2: expected four words `a b c expected`, found \"Athens Greece\"");
    /// # Ok::<(), embspace::Error>(())
    /// ```
    pub fn parse(text: &str, path: &str, strict: bool) -> Result<Self> {
        let mut set = AnalogySet {
            path: path.to_string(),
            sections: Vec::new(),
            skipped_lines: Vec::new(),
        };
        let error = |line: usize, expected: &str, found: &str| Error::BenchmarkLine {
            path: path.to_string(),
            line,
            expected: expected.to_string(),
            found: found.trim_end_matches(['\r', '\n']).to_string(),
        };
        // gensim reads bytes and splits on `\n` only.
        for (i, line) in text.split_terminator('\n').enumerate() {
            if let Some(rest) = line.strip_prefix(": ") {
                let name = rest.trim_start_matches([':', ' ']).trim_matches(is_python_space);
                set.sections.push((name.to_string(), Vec::new()));
                continue;
            }
            let words = split_python(line);
            if words.is_empty() {
                continue;
            }
            let Some((_, questions)) = set.sections.last_mut() else {
                return Err(error(i + 1, "a `: section` line before the first question", line));
            };
            match <[&str; 4]>::try_from(words) {
                Ok(words) => questions.push(AnalogyQuestion {
                    words: words.map(str::to_string),
                    line: i + 1,
                }),
                Err(_) if strict => return Err(error(i + 1, "four words `a b c expected`", line)),
                Err(_) => set.skipped_lines.push(i + 1),
            }
        }
        Ok(set)
    }

    /// Reads and parses a file; see [`AnalogySet::parse`].
    ///
    /// # Errors
    /// [`Error::Read`] when the file cannot be read or is not UTF-8, and the
    /// errors of [`AnalogySet::parse`].
    pub fn read(path: impl AsRef<Path>, strict: bool) -> Result<Self> {
        let path = path.as_ref();
        AnalogySet::parse(&read_utf8(path)?, &path.display().to_string(), strict)
    }
}

/// One evaluated question.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AnalogyAnswer {
    /// The four words as compared (folded when case-insensitive), as gensim lists them.
    pub words: [String; 4],
    /// 1-based line in the file.
    pub line: usize,
    /// The predicted token (folded); `None` for an OOV question under `dummy4unknown`.
    pub predicted: Option<String>,
    /// Score of the prediction minus that of the next candidate (`f64`
    /// rescoring); below ~1e-6 the call could go either way in `f32`.
    pub margin: Option<f64>,
}

/// Correct and incorrect answers of one section (or of the total).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AnalogySection {
    /// Section name; `"Total accuracy"` for the total.
    pub name: String,
    /// Correctly answered questions, in file order.
    pub correct: Vec<AnalogyAnswer>,
    /// Wrongly answered questions (and OOV ones under `dummy4unknown`).
    pub incorrect: Vec<AnalogyAnswer>,
}

impl AnalogySection {
    /// `correct / (correct + incorrect)`, or 0 when nothing was evaluated (as gensim).
    pub fn accuracy(&self) -> f64 {
        let n = self.correct.len() + self.incorrect.len();
        if n == 0 {
            0.0
        } else {
            self.correct.len() as f64 / n as f64
        }
    }
}

/// The outcome of [`evaluate_word_analogies`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AnalogyResults {
    /// Per-section results in file order, then the `"Total accuracy"` section
    /// last (gensim's returned list).
    pub sections: Vec<AnalogySection>,
    /// Valid questions read (gensim's `quadruplets_no`).
    pub questions: usize,
    /// Questions with a word outside the vocabulary.
    pub oov: usize,
    /// Lines skipped as invalid (not four words), as gensim skips them (1-based).
    pub invalid_lines: Vec<usize>,
}

/// The numbers the analysis page shows for one section (or the total).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SectionSummary {
    /// Section name; `"Total accuracy"` for the total.
    pub name: String,
    /// Questions answered correctly.
    pub correct: usize,
    /// Questions answered wrongly.
    pub incorrect: usize,
    /// `correct / (correct + incorrect)`, 0 when none was answered.
    pub accuracy: f64,
}

/// The benchmark's numbers: accuracy per section and in total, and the
/// questions skipped for an unknown word.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AnalogySummary {
    /// Valid questions read.
    pub questions: usize,
    /// Questions answered (all four words known).
    pub answered: usize,
    /// Questions skipped because a word is not in the searched vocabulary.
    pub skipped: usize,
    /// Per section, in file order.
    pub sections: Vec<SectionSummary>,
    /// All sections together.
    pub total: Option<SectionSummary>,
}

impl AnalogyResults {
    /// The numbers a reader reads on the page (see [`AnalogySummary`]).
    pub fn summary(&self) -> AnalogySummary {
        let summarise = |s: &AnalogySection| SectionSummary {
            name: s.name.clone(),
            correct: s.correct.len(),
            incorrect: s.incorrect.len(),
            accuracy: s.accuracy(),
        };
        let (total, sections) = match self.sections.split_last() {
            Some((total, sections)) => (Some(summarise(total)), sections.iter().map(summarise).collect()),
            None => (None, Vec::new()),
        };
        AnalogySummary {
            questions: self.questions,
            answered: total.as_ref().map_or(0, |t| t.correct + t.incorrect),
            skipped: self.oov,
            sections,
            total,
        }
    }

    /// The total accuracy (gensim's returned score).
    pub fn score(&self) -> f64 {
        self.sections.last().map_or(0.0, AnalogySection::accuracy)
    }

    /// OOV questions in percent of all questions (gensim logs it).
    pub fn oov_ratio(&self) -> f64 {
        100.0 * self.oov as f64 / self.questions as f64
    }
}

/// A question whose four words are all in the vocabulary.
struct Known {
    section: usize,
    words: [String; 4],
    line: usize,
    rows: [usize; 3],
}

/// Evaluates analogies like gensim's `evaluate_word_analogies` (see the module doc).
///
/// `tokens[i]` names row `i` of `unit`.
///
/// # Errors
/// [`Error::Shape`] when `tokens` and `unit` differ in length;
/// [`Error::Benchmark`] when the set holds no question (gensim divides by zero).
///
/// # Examples
/// ```
/// use embspace::analyze::{AnalogyParams, AnalogySet, UnitRows, evaluate_word_analogies};
/// use embspace::ndarray::array;
/// let tokens: Vec<String> = ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec();
/// let unit = UnitRows::new(array![[1.0f32, 0.0, 0.1], [-1.0, 0.0, 0.1], [1.0, 1.0, 0.0], [-1.0, 1.0, 0.0], [0.0, -1.0, 1.0]].view());
/// let set = AnalogySet::parse(": royals\nman king woman queen\n", "q", true)?;
/// let results = evaluate_word_analogies(&tokens, &unit, &set, &AnalogyParams::default())?;
/// assert_eq!(results.score(), 1.0);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn evaluate_word_analogies(
    tokens: &[String],
    unit: &impl UnitVectors,
    set: &AnalogySet,
    params: &AnalogyParams,
) -> Result<AnalogyResults> {
    if tokens.len() != unit.len() {
        return Err(Error::shape(
            "evaluate_word_analogies",
            format!("{} tokens", unit.len()),
            format!("{} tokens", tokens.len()),
        ));
    }
    let ci = params.case_insensitive;
    let vocab = ok_vocab(tokens, params.restrict_vocab, ci);
    let mut sections: Vec<AnalogySection> = set
        .sections
        .iter()
        .map(|(name, _)| AnalogySection {
            name: name.clone(),
            correct: Vec::new(),
            incorrect: Vec::new(),
        })
        .collect();
    let (mut questions, mut oov) = (0, 0);
    let mut known = Vec::new();
    let mut dummies = Vec::new();
    for (s, (_, qs)) in set.sections.iter().enumerate() {
        for q in qs {
            questions += 1;
            let words = q.words.clone().map(|w| fold(&w, ci));
            let rows = words.each_ref().map(|w| vocab.get(w).copied());
            match rows {
                [Some(a), Some(b), Some(c), Some(_)] => known.push(Known {
                    section: s,
                    words,
                    line: q.line,
                    rows: [a, b, c],
                }),
                _ => {
                    oov += 1;
                    if params.dummy4unknown {
                        let predicted = None;
                        let answer = AnalogyAnswer {
                            words,
                            line: q.line,
                            predicted,
                            margin: None,
                        };
                        dummies.push((s, false, answer));
                    }
                }
            }
        }
    }
    if questions == 0 {
        return Err(Error::Benchmark {
            path: set.path.clone(),
            reason: format!(
                "no question to evaluate{}",
                skipped(&set.skipped_lines, "four words `a b c expected`")
            ),
        });
    }
    // All questions at once: they share few words, and one product per word serves them all.
    let answers = answer_batch(tokens, unit, &known, params);
    // Answers go back in file order (known questions interleave with OOV ones).
    let mut all: Vec<(usize, bool, AnalogyAnswer)> = known
        .iter()
        .zip(answers)
        .map(|(q, a)| (q.section, a.predicted.as_deref() == Some(q.words[3].as_str()), a))
        .collect();
    all.extend(dummies);
    all.sort_by_key(|(s, _, a)| (*s, a.line));
    for (s, correct, answer) in all {
        if correct {
            sections[s].correct.push(answer);
        } else {
            sections[s].incorrect.push(answer);
        }
    }
    let total = AnalogySection {
        name: "Total accuracy".to_string(),
        correct: sections.iter().flat_map(|s| s.correct.clone()).collect(),
        incorrect: sections.iter().flat_map(|s| s.incorrect.clone()).collect(),
    };
    sections.push(total);
    Ok(AnalogyResults {
        sections,
        questions,
        oov,
        invalid_lines: set.skipped_lines.clone(),
    })
}

/// 3CosAdd query as gensim builds it: `f32` sum `b̂ + ĉ − â`, then `/3` and
/// unit-normalised in `f64`, rounded to `f32`.
fn cos_add_query(b: ArrayView1<f32>, c: ArrayView1<f32>, a: ArrayView1<f32>, out: &mut [f32]) {
    let sum: Vec<f64> = (0..out.len())
        .map(|i| f64::from(((0.0 + b[i]) + c[i]) - a[i]) / 3.0)
        .collect();
    let norm = sum.iter().map(|x| x * x).sum::<f64>().sqrt();
    let scale = if norm > 0.0 { 1.0 / norm } else { 1.0 };
    for (o, x) in out.iter_mut().zip(&sum) {
        *o = (x * scale) as f32;
    }
}

/// `f64` dot product of two `f32` vectors.
fn dot64(x: ArrayView1<f32>, y: ArrayView1<f32>) -> f64 {
    x.iter()
        .zip(y.iter())
        .map(|(&p, &q)| f64::from(p) * f64::from(q))
        .sum()
}

/// Answers the known questions with one fused search over the
/// distinct words they use, then rescores the candidates as gensim scores them.
fn answer_batch(
    tokens: &[String],
    unit: &impl UnitVectors,
    batch: &[Known],
    params: &AnalogyParams,
) -> Vec<AnalogyAnswer> {
    let mut word_rows: Vec<usize> = batch.iter().flat_map(|q| q.rows).collect();
    word_rows.sort_unstable();
    word_rows.dedup();
    let position = |row: usize| {
        word_rows
            .binary_search(&row)
            .expect("every question row is a word")
    };
    // [b, c, a]: the positive words first, as both objectives read them.
    let members: Vec<[usize; 3]> = batch
        .iter()
        .map(|q| {
            let [a, b, c] = q.rows;
            [position(b), position(c), position(a)]
        })
        .collect();
    let words = unit.select(&word_rows);
    let exclude = |j: usize| batch[j].rows.to_vec();
    let k = TOP_N + SLACK;
    let hits = match params.method {
        // The cosine with normalise(b̂ + ĉ − â) ranks rows as b̂·u + ĉ·u − â·u does.
        AnalogyMethod::CosAdd => fused_top_k_shared(
            unit,
            words.view(),
            &members,
            k,
            params.restrict_vocab,
            exclude,
            |[b, c, a]| b + c - a,
        ),
        AnalogyMethod::CosMul => fused_top_k_shared(
            unit,
            words.view(),
            &members,
            k,
            params.restrict_vocab,
            exclude,
            // Ranked in f32 for speed; the candidates are rescored in f64 below.
            |[b, c, a]| cos_mul_score(b, c, a, COS_MUL_EPSILON as f32),
        ),
    };
    let mut query = vec![0.0f32; unit.dim()];
    batch
        .iter()
        .zip(hits)
        .map(|(q, hits)| {
            let [a, b, c] = q.rows;
            let [a, b, c] = [a, b, c].map(|w| words.row(position(w)));
            if params.method == AnalogyMethod::CosAdd {
                cos_add_query(b, c, a, &mut query);
            }
            let mut rescored: Vec<(f64, usize)> = hits
                .iter()
                .map(|h| {
                    let row = unit.row(h.index);
                    let row = row.view();
                    let score = match params.method {
                        AnalogyMethod::CosAdd => dot64(row, ArrayView1::from(&query[..])),
                        AnalogyMethod::CosMul => {
                            cos_mul_score(dot64(row, b), dot64(row, c), dot64(row, a), COS_MUL_EPSILON)
                        }
                    };
                    (score, h.index)
                })
                .collect();
            rescored.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            rescored.truncate(TOP_N);
            predict(tokens, q, &rescored, params.case_insensitive)
        })
        .collect()
}

/// gensim's loop: the first candidate whose folded token is not a query word;
/// if there is none, the last candidate (the loop variable gensim leaves behind).
fn predict(tokens: &[String], q: &Known, candidates: &[(f64, usize)], ci: bool) -> AnalogyAnswer {
    let ignore = &q.words[..3];
    let folded: Vec<String> = candidates.iter().map(|&(_, i)| fold(&tokens[i], ci)).collect();
    let pick = folded.iter().position(|w| !ignore.contains(w));
    let at = pick.or(candidates.len().checked_sub(1));
    AnalogyAnswer {
        words: q.words.clone(),
        line: q.line,
        predicted: at.map(|i| folded[i].clone()),
        margin: at.map(|i| {
            candidates
                .get(i + 1)
                .map_or(f64::INFINITY, |next| candidates[i].0 - next.0)
        }),
    }
}

#[cfg(test)]
mod tests;
