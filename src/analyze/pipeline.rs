//! One `analyze` run: diagnostics, then the optional neighbour queries,
//! analogy questions and benchmarks, gathered into an [`Analysis`].
//!
//! The searches read the table's rows where they are (on the heap, or in
//! place from the file's mapping) with the reciprocal of each row's norm
//! beside them ([`ScaledRows`]): the matrix is never copied.

use ndarray::{Array2, Axis};
use serde::Serialize;

use crate::analyze::claims::{claims_section, measure_claims};
use crate::analyze::diagnostics::{DiagnoseParams, diagnose, too_small_for_sample};
use crate::analyze::input_output::InputOutput;
use crate::analyze::knn::fused_top_k_shared;
use crate::analyze::map::{MapParams, build_map};
use crate::analyze::report::{Analysis, Column, Section, Source, Table};
use crate::analyze::undertrained::undertrained_section;
use crate::analyze::unused_reference::ReferenceRows;
use crate::analyze::{
    AnalogyParams, AnalogyResults, AnalogySet, Hit, ScaledRows, UnitVectors, WordPairParams, WordPairResults,
    WordPairSet, evaluate_word_analogies, evaluate_word_pairs, top_k,
};
use crate::embeddings::{Embeddings, Subwords};
use crate::error::{Error, Result};
use crate::format::fixed;
use crate::math::{COS_MUL_EPSILON, cos_mul_score};

/// What to compute beyond the diagnostics.
#[derive(Debug, Clone, Default)]
pub struct AnalyzeOptions {
    /// Diagnostics knobs.
    pub diagnose: DiagnoseParams,
    /// Words whose nearest neighbours to list.
    pub queries: Vec<String>,
    /// Vectors for query words not in the table: a fastText model's
    /// character n-grams ([`Loaded::subwords`](crate::embeddings::Loaded::subwords));
    /// without them such words are reported unknown.
    pub subwords: Option<Subwords>,
    /// `a:b::c` questions to answer.
    pub analogies: Vec<[String; 3]>,
    /// Neighbours listed per query and answers per analogy.
    pub top: usize,
    /// A Google-format analogy set, with the name of its file.
    pub analogy_set: Option<(String, AnalogySet)>,
    /// WordSim353/SimLex-style similarity sets, with the names of their files.
    pub similarity_sets: Vec<(String, WordPairSet)>,
    /// gensim's `restrict_vocab` for the benchmarks.
    pub restrict_vocab: usize,
    /// The map (`rows` 0: none).
    pub map: MapParams,
    /// The rows known to be unused, for the under-trained-token indicators;
    /// `None` finds them from the table's token names alone
    /// ([`ReferenceRows::from_tokenizer`]).
    pub unused_reference: Option<ReferenceRows>,
    /// A model's input embedding measured against its output embedding
    /// ([`input_output`](crate::analyze::input_output), computed before the
    /// analysis so the output matrix can be freed first); reported as its own
    /// section when given.
    pub input_output: Option<InputOutput>,
}

impl AnalyzeOptions {
    /// Options with gensim's defaults and nothing beyond the diagnostics.
    pub fn new() -> Self {
        AnalyzeOptions {
            top: 10,
            restrict_vocab: 300_000,
            map: MapParams::default(),
            ..AnalyzeOptions::default()
        }
    }

    fn needs_unit_rows(&self) -> bool {
        !(self.queries.is_empty()
            && self.analogies.is_empty()
            && self.analogy_set.is_none()
            && self.similarity_sets.is_empty())
    }
}

/// Parses `a:b::c` (a is to b as c is to ?).
///
/// # Errors
/// [`Error::Parameter`] when the text is not three non-empty words in that shape.
///
/// # Examples
/// ```
/// let q = embspace::analyze::parse_analogy("man:king::woman")?;
/// assert_eq!(q, ["man", "king", "woman"].map(String::from));
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn parse_analogy(text: &str) -> Result<[String; 3]> {
    let bad = || {
        Error::parameter(
            "--analogy",
            format!("expected `a:b::c` (a is to b as c is to ?), found `{text}`"),
        )
    };
    let (pair, c) = text.split_once("::").ok_or_else(bad)?;
    let (a, b) = pair.split_once(':').ok_or_else(bad)?;
    if [a, b, c].iter().any(|w| w.is_empty() || w.contains(':')) {
        return Err(bad());
    }
    Ok([a, b, c].map(String::from))
}

/// A neighbour as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Neighbour {
    /// The token.
    pub token: String,
    /// Its cosine (3CosAdd) or 3CosMul score.
    pub score: f64,
}

/// The neighbours of one query word (`None` when it has no vector).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryResult {
    /// The word asked for.
    pub query: String,
    /// When the word is not in the table but the model composed its vector
    /// from its character n-grams (fastText): how many n-grams.
    pub ngrams: Option<usize>,
    /// Its neighbours, best first; `None` for a word without a vector.
    pub neighbours: Option<Vec<Neighbour>>,
}

/// The answers to one `a:b::c` question by both objectives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalogyAnswers {
    /// `a`, `b`, `c`.
    pub question: [String; 3],
    /// Unknown words among them (then there are no answers).
    pub unknown: Vec<String>,
    /// 3CosAdd answers, best first.
    pub cos_add: Vec<Neighbour>,
    /// 3CosMul answers, best first.
    pub cos_mul: Vec<Neighbour>,
}

/// Run everything `options` asks for on `table` (and on `output`, an untied
/// model's output matrix, for the under-trained tokens). `progress` hears the
/// name of each step as it starts.
///
/// The searches read the table's rows with their norms beside them, so
/// memory stays at one copy of the matrix (none, for a table read in place).
///
/// A table too small for the sample statistics and the map (fewer than 3
/// non-zero rows, or dimension 1) is analysed all the same: those sections
/// say why they are not computed.
///
/// # Errors
/// Diagnostics parameters out of range, and benchmark files that cannot be
/// read or parsed (naming the file and line).
pub fn analyze(
    table: Embeddings,
    output: Option<Array2<f32>>,
    source: Source,
    options: &AnalyzeOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<Analysis> {
    // The output matrix serves only the under-trained indicators: measured
    // first and freed, so the rest of the analysis holds one matrix.
    progress("under-trained tokens");
    let reference = match &options.unused_reference {
        Some(reference) => reference.clone(),
        None => ReferenceRows::from_tokenizer(table.tokens(), None),
    };
    let undertrained = undertrained_section(&table, output.as_ref().map(|o| o.view()), reference);
    drop(output);
    // The map is built on its own thread while the diagnostics and claims,
    // mostly serial, run on this one: its parallel kNN graph and layout fill
    // the cores they leave idle. Each part is deterministic on its own.
    let map_not_computed = too_small_for_sample(&table).filter(|_| options.map.rows > 0);
    let mut analysis = std::thread::scope(|scope| {
        let map = (options.map.rows > 0 && map_not_computed.is_none())
            .then(|| scope.spawn(|| build_map(&table, &options.map)));
        progress("diagnostics");
        let diagnostics = diagnose(&table, &options.diagnose)?;
        let name = source.path.clone();
        let mut analysis = Analysis::new(source, &diagnostics);
        progress("textbook claims");
        let rows = options.diagnose.sample_rows;
        let claims = measure_claims(&table, &name, rows);
        analysis.push("claims", &claims, claims_section(&claims, rows.min(table.len())));
        if let Some(compared) = &options.input_output {
            analysis.push("input_output", compared, compared.section());
        }
        analysis.push("undertrained", &undertrained.0, undertrained.1);
        if let Some(map) = map {
            progress("map");
            let map = map
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            analysis.set_map(map?);
        }
        if let Some(reason) = &map_not_computed {
            analysis.map_not_computed(reason);
        }
        Ok::<_, Error>(analysis)
    })?;
    if !options.needs_unit_rows() {
        return Ok(analysis);
    }
    progress("row norms");
    let unit = ScaledRows::new(table.vectors());
    let tokens = table.tokens();
    let table = Searchable::new(&table, &unit);
    if !options.queries.is_empty() {
        progress("nearest neighbours");
        let results = neighbours(&table, options.subwords.as_ref(), &options.queries, options.top)?;
        analysis.push("neighbours", &results, neighbours_section(&results));
    }
    if !options.analogies.is_empty() {
        progress("analogies");
        let results = options
            .analogies
            .iter()
            .map(|q| answer(&table, q, options.top))
            .collect::<Result<Vec<_>>>()?;
        analysis.push("analogies", &results, analogies_section(&results));
    }
    if let Some((name, set)) = &options.analogy_set {
        progress("analogy benchmark");
        let params = AnalogyParams {
            restrict_vocab: options.restrict_vocab,
            ..AnalogyParams::default()
        };
        let results = evaluate_word_analogies(tokens, &unit, set, &params)?;
        let json = AnalogyBenchmark {
            summary: results.summary(),
            results: &results,
        };
        analysis.push(
            "analogy_benchmark",
            &json,
            analogy_benchmark_section(name, &results),
        );
    }
    let mut similarity = Vec::new();
    for (name, set) in &options.similarity_sets {
        progress("similarity benchmark");
        let params = WordPairParams {
            restrict_vocab: options.restrict_vocab,
            ..WordPairParams::default()
        };
        similarity.push((name.clone(), evaluate_word_pairs(tokens, &unit, set, &params)?));
    }
    if !similarity.is_empty() {
        let section = similarity_section(&similarity);
        let results: serde_json::Map<String, serde_json::Value> = similarity
            .into_iter()
            .map(|(name, r)| (name, serde_json::to_value(r).expect("results serialise")))
            .collect();
        analysis.push("similarity_benchmarks", &results, section);
    }
    Ok(analysis)
}

/// The analogy benchmark in `analysis.json`: the page's numbers, then
/// gensim's lists of questions.
#[derive(Serialize)]
struct AnalogyBenchmark<'a> {
    summary: crate::analyze::AnalogySummary,
    #[serde(flatten)]
    results: &'a AnalogyResults,
}

/// The table as the searches read it: its tokens and its rows as unit vectors.
struct Searchable<'a> {
    table: &'a Embeddings,
    unit: &'a ScaledRows<'a>,
    /// The rows without a direction (zero, or not finite): their cosine with
    /// anything is undefined (gensim's is NaN, which it never lists), so no
    /// query or analogy returns them.
    undirected: Vec<usize>,
}

impl<'a> Searchable<'a> {
    fn new(table: &'a Embeddings, unit: &'a ScaledRows<'a>) -> Self {
        Searchable {
            table,
            unit,
            undirected: unit.undirected(),
        }
    }

    /// `rows` and the rows without a direction: what a search must not return.
    fn excluding(&self, rows: &[usize]) -> Vec<usize> {
        [rows, &self.undirected].concat()
    }

    fn id(&self, word: &str) -> Option<usize> {
        self.table.id(word)
    }

    fn named(&self, hits: Vec<Hit>) -> Vec<Neighbour> {
        hits.into_iter()
            .map(|h| Neighbour {
                token: self.table.token(h.index).to_string(),
                score: f64::from(h.score),
            })
            .collect()
    }
}

/// Where a query word's vector comes from.
enum QueryVector {
    /// Its row in the table (excluded from its neighbours).
    Row(usize),
    /// The mean of its character n-grams' vectors, from that many n-grams.
    Subwords(ndarray::Array1<f32>, usize),
}

/// The neighbours of each query word: of its row, or, for a word not in the
/// table, of the vector its n-grams give it (as gensim's `most_similar` on a
/// `FastTextKeyedVectors`, which excludes nothing then).
fn neighbours(
    table: &Searchable,
    subwords: Option<&Subwords>,
    queries: &[String],
    top: usize,
) -> Result<Vec<QueryResult>> {
    let found: Vec<Option<QueryVector>> = queries
        .iter()
        .map(|word| match table.id(word) {
            Some(row) => Some(QueryVector::Row(row)),
            None => subwords
                .and_then(|s| s.vector(word))
                .map(|(vector, ngrams)| QueryVector::Subwords(vector, ngrams)),
        })
        .collect();
    let vectors: Vec<&QueryVector> = found.iter().flatten().collect();
    let mut query_vectors = Array2::zeros((vectors.len(), table.unit.dim()));
    let mut exclude = Vec::with_capacity(vectors.len());
    for (mut out, vector) in query_vectors.rows_mut().into_iter().zip(&vectors) {
        match vector {
            QueryVector::Row(row) => {
                out.assign(&table.unit.row(*row));
                exclude.push(table.excluding(&[*row]));
            }
            QueryVector::Subwords(vector, _) => {
                out.assign(vector);
                exclude.push(table.excluding(&[]));
            }
        }
    }
    let mut hits = top_k(table.unit, query_vectors.view(), top, usize::MAX, &exclude)?.into_iter();
    Ok(queries
        .iter()
        .zip(&found)
        .map(|(word, vector)| QueryResult {
            query: word.clone(),
            ngrams: match vector {
                Some(QueryVector::Subwords(_, ngrams)) => Some(*ngrams),
                _ => None,
            },
            neighbours: vector
                .as_ref()
                .map(|_| table.named(hits.next().expect("one hit list per query with a vector"))),
        })
        .collect())
}

fn answer(table: &Searchable, question: &[String; 3], top: usize) -> Result<AnalogyAnswers> {
    let unknown: Vec<String> = question
        .iter()
        .filter(|w| table.id(w).is_none())
        .cloned()
        .collect();
    let mut answers = AnalogyAnswers {
        question: question.clone(),
        unknown,
        cos_add: Vec::new(),
        cos_mul: Vec::new(),
    };
    if !answers.unknown.is_empty() {
        return Ok(answers);
    }
    let rows = question.each_ref().map(|w| table.id(w).expect("checked above"));
    let exclude = table.excluding(&rows);
    answers.cos_add = table.named(cos_add(table.unit, rows, &exclude, top)?);
    answers.cos_mul = table.named(cos_mul(table.unit, rows, &exclude, top));
    Ok(answers)
}

/// 3CosAdd: the rows nearest to `b̂ − â + ĉ`, `exclude` (the question
/// words among them) left out.
fn cos_add(unit: &ScaledRows, [a, b, c]: [usize; 3], exclude: &[usize], top: usize) -> Result<Vec<Hit>> {
    let query = (unit.row(b) - unit.row(a) + unit.row(c)).insert_axis(Axis(0));
    Ok(top_k(unit, query.view(), top, usize::MAX, &[exclude.to_vec()])?.remove(0))
}

/// 3CosMul (gensim's `most_similar_cosmul`) over every row by the fused
/// search the analogy benchmark uses, `exclude` (the question words among
/// them) left out.
fn cos_mul(unit: &ScaledRows, [a, b, c]: [usize; 3], exclude: &[usize], top: usize) -> Vec<Hit> {
    let words = unit.select(&[b, c, a]);
    let exclude = |_| exclude.to_vec();
    let combine =
        |[b, c, a]: [f32; 3]| cos_mul_score(f64::from(b), f64::from(c), f64::from(a), COS_MUL_EPSILON) as f32;
    fused_top_k_shared(
        unit,
        words.view(),
        &[[0, 1, 2]],
        top,
        usize::MAX,
        exclude,
        combine,
    )
    .remove(0)
}

fn score(x: f64) -> String {
    fixed(x, 4)
}

fn percent(x: f64) -> String {
    format!("{}%", fixed(100.0 * x, 2))
}

fn neighbours_section(results: &[QueryResult]) -> Section {
    let mut section = Section::new(
        "neighbours",
        "Nearest neighbours",
        "The tokens with the highest cosine to each query word (the word itself excluded), found by one \
         normalised matrix product with the top-k selection fused in. Ties go to the more frequent \
         token (the lower row); rows without a direction (all zero) have no cosine and are never listed, \
         as in gensim. A word not in a fastText model's table gets the mean of its character n-gram \
         vectors, as gensim's `wv[word]` gives it, and no row is excluded from its neighbours.",
    );
    for r in results {
        let rows = match &r.neighbours {
            None => vec![vec!["–".into(), "(not in the table)".into(), String::new()]],
            Some(list) if list.is_empty() => {
                vec![vec![
                    "–".into(),
                    "(no other row has a direction)".into(),
                    String::new(),
                ]]
            }
            Some(list) => list
                .iter()
                .enumerate()
                .map(|(i, n)| vec![(i + 1).to_string(), n.token.clone(), score(n.score)])
                .collect(),
        };
        let caption = match r.ngrams {
            Some(n) => format!(
                "Neighbours of “{}” (not in the table: the mean of its {n} character n-gram vectors)",
                r.query
            ),
            None => format!("Neighbours of “{}”", r.query),
        };
        section = section.table(Table {
            caption,
            columns: ["rank", "token", "cosine"].map(String::from).to_vec(),
            kinds: vec![Column::Number, Column::Token, Column::Number],
            rows,
        });
    }
    section
}

fn analogies_section(results: &[AnalogyAnswers]) -> Section {
    let mut section = Section::new(
        "analogies",
        "Analogies",
        "For `a:b::c` the answer is the token $d$ that best completes *a is to b as c is to d*, the three \
         question words excluded. 3CosAdd maximises $\\cos(d, b) - \\cos(d, a) + \\cos(d, c)$ (the cosine \
         with $\\hat b - \\hat a + \\hat c$, gensim's `most_similar`); 3CosMul (Levy & Goldberg 2014a) \
         maximises $\\cos'(d,b)\\,\\cos'(d,c) / (\\cos'(d,a) + \\varepsilon)$ with cosines shifted to \
         $[0, 1]$ and $\\varepsilon = 10^{-6}$ (gensim's `most_similar_cosmul`).",
    );
    for r in results {
        let [a, b, c] = &r.question;
        let rows = if r.unknown.is_empty() {
            r.cos_add
                .iter()
                .zip(&r.cos_mul)
                .enumerate()
                .map(|(i, (add, mul))| {
                    vec![
                        (i + 1).to_string(),
                        add.token.clone(),
                        score(add.score),
                        mul.token.clone(),
                        score(mul.score),
                    ]
                })
                .collect()
        } else {
            vec![vec![
                "–".into(),
                format!("not in the table: {}", r.unknown.join(", ")),
                String::new(),
                String::new(),
                String::new(),
            ]]
        };
        section = section.table(Table {
            caption: format!("{a} : {b} :: {c} : ?"),
            columns: ["rank", "3CosAdd", "score", "3CosMul", "score"]
                .map(String::from)
                .to_vec(),
            kinds: vec![
                Column::Number,
                Column::Token,
                Column::Number,
                Column::Token,
                Column::Number,
            ],
            rows,
        });
    }
    section
}

fn analogy_benchmark_section(name: &str, r: &AnalogyResults) -> Section {
    let total = r.sections.last();
    Section::new(
        "analogy-benchmark",
        "Analogy benchmark",
        "Accuracy on a Google-format analogy file with the semantics of gensim 4.4's \
         `evaluate_word_analogies`: only the first `restrict_vocab` rows are searched, words are \
         compared upper-cased (the most frequent case variant wins), the answer is the best 3CosAdd \
         candidate that is not a question word, and questions with an unknown word are skipped and \
         counted. The numbers equal gensim's on the same file and vectors (checked in CI by \
         `scripts/compare_gensim.sh`).",
    )
    .fact("file", name)
    .fact("questions", r.questions)
    .fact(
        "invalid lines skipped (as gensim skips them)",
        match r.invalid_lines.first() {
            Some(first) => format!("{} (first: line {first})", r.invalid_lines.len()),
            None => "0".into(),
        },
    )
    .fact(
        "skipped (unknown word)",
        format!("{} ({})", r.oov, percent(r.oov_ratio() / 100.0)),
    )
    .fact(
        "total accuracy",
        total.map_or("–".into(), |t| percent(t.accuracy())),
    )
    .table(Table {
        caption: "Accuracy per section".into(),
        columns: ["section", "correct", "answered", "accuracy"]
            .map(String::from)
            .to_vec(),
        kinds: vec![Column::Text, Column::Number, Column::Number, Column::Number],
        rows: r
            .sections
            .iter()
            .map(|s| {
                let answered = s.correct.len() + s.incorrect.len();
                vec![
                    s.name.clone(),
                    s.correct.len().to_string(),
                    answered.to_string(),
                    percent(s.accuracy()),
                ]
            })
            .collect(),
    })
}

fn similarity_section(results: &[(String, WordPairResults)]) -> Section {
    Section::new(
        "similarity-benchmarks",
        "Word-similarity benchmarks",
        "Correlation between the cosine of each word pair and human similarity judgements, with the \
         semantics of gensim 4.4's `evaluate_word_pairs`: pairs with an unknown word are left out and \
         reported as the OOV ratio. Pearson's $r$ compares values, Spearman's $\\rho$ their ranks.",
    )
    .table(Table {
        caption: "Correlation with human judgements".into(),
        columns: [
            "file",
            "Pearson r",
            "p",
            "Spearman ρ",
            "p",
            "OOV",
            "invalid lines skipped",
        ]
        .map(String::from)
        .to_vec(),
        kinds: vec![
            Column::Text,
            Column::Number,
            Column::Number,
            Column::Number,
            Column::Number,
            Column::Number,
            Column::Number,
        ],
        rows: results
            .iter()
            .map(|(name, r)| {
                vec![
                    name.clone(),
                    score(r.pearson.statistic),
                    format!("{:.2e}", r.pearson.p_value),
                    score(r.spearman.statistic),
                    format!("{:.2e}", r.spearman.p_value),
                    format!("{}%", fixed(r.oov_ratio, 2)),
                    r.invalid_lines.len().to_string(),
                ]
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    /// `a` along x, `b` at 53°, `zero` without a direction, `c` nearly opposite `a`.
    fn table() -> Embeddings {
        let tokens = ["a", "b", "zero", "c"].map(String::from).to_vec();
        let vectors = array![[2.0f32, 0.0], [0.6, 0.8], [0.0, 0.0], [-1.0, 0.1]];
        Embeddings::new(tokens, vectors).unwrap().0
    }

    fn tokens(result: &QueryResult) -> Vec<&str> {
        let list = result.neighbours.as_ref().expect("neighbours");
        list.iter().map(|n| n.token.as_str()).collect()
    }

    #[test]
    fn a_row_without_a_direction_is_never_a_neighbour() {
        let table = table();
        let unit = ScaledRows::new(table.vectors());
        let table = Searchable::new(&table, &unit);
        // The zero row's score, 0, would rank above c's -0.995.
        let results = neighbours(&table, None, &["a".into()], 5).unwrap();
        assert_eq!(tokens(&results[0]), ["b", "c"]);
        let answers = answer(&table, &["b", "a", "c"].map(String::from), 5).unwrap();
        assert!(
            answers.cos_add.is_empty() && answers.cos_mul.is_empty(),
            "{answers:?}"
        );
    }

    #[test]
    fn a_word_outside_the_table_is_searched_with_its_subword_vector() {
        let table = table();
        let unit = ScaledRows::new(table.vectors());
        let table = Searchable::new(&table, &unit);
        // Every bucket points along a, so any word's n-gram mean does too.
        let subwords = Subwords::new(1, 2, array![[3.0f32, 0.0], [1.0, 0.0]]);
        let queries = ["x".to_string(), "a".to_string()];
        let results = neighbours(&table, Some(&subwords), &queries, 5).unwrap();
        assert_eq!(results[0].ngrams, Some(3)); // <x, x, x> (at most 2 characters)
        assert_eq!(tokens(&results[0]), ["a", "b", "c"]);
        assert_eq!(results[0].neighbours.as_ref().unwrap()[0].score, 1.0);
        assert_eq!((results[1].ngrams, tokens(&results[1])), (None, vec!["b", "c"]));
        let unknown = neighbours(&table, None, &queries, 5).unwrap();
        assert_eq!((unknown[0].ngrams, &unknown[0].neighbours), (None, &None));
    }
}
