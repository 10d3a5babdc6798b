//! The "Under-trained tokens" section: the indicators of Land & Bartolo
//! (2024) on the table (see [`crate::math::undertrained_tokens`]), with the
//! reference rows from [`ReferenceRows`], as a ranked list, the paper's
//! threshold and a figure.

use ndarray::ArrayView2;
use serde::Serialize;

use crate::analyze::report::{Column, Section, Table, label};
use crate::analyze::unused_reference::ReferenceRows;
use crate::chart::{Chart, Figure, Point, PointGroup, Series};
use crate::embeddings::Embeddings;
use crate::format::fixed;
use crate::math::{CANDIDATE_PERCENTILE, Indicator, Undertrained, undertrained_tokens};

/// Candidates listed on the page; `analysis.json` lists every candidate.
const LISTED: usize = 50;

/// Rows outside the candidates and the reference drawn in the figure, evenly
/// spaced (every candidate and reference row is drawn).
const FIGURE_ROWS: usize = 20_000;

/// One ranked row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// 1 for the most under-trained-looking row.
    pub rank: usize,
    /// The row (token id).
    pub row: usize,
    /// Its token.
    pub token: String,
    /// The ranking indicator.
    pub value: f64,
    /// `‖Eᵢ‖` of the input row.
    pub input_norm: f64,
    /// The cosine distance to the raw reference mean (magikarp's
    /// `cosine_distance`), when there is a reference set.
    pub raw_distance: Option<f64>,
}

/// What the section shows, as `analysis.json` carries it (`results.undertrained`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UndertrainedTokens {
    /// The reference rows and where they came from.
    pub reference: ReferenceRows,
    /// Why the indicators could not be computed (then every other field is empty).
    pub not_computed: Option<String>,
    /// Why an untied model's output matrix gave no distances beside its
    /// input-norm ranking, when there were reference rows.
    pub distances_not_computed: Option<String>,
    /// The ranking indicator.
    pub indicator: Option<Indicator>,
    /// The candidate percentile (the paper's 2).
    pub percentile: f64,
    /// The indicator at that percentile over the rows outside the reference set.
    pub threshold: Option<f64>,
    /// Every row at or below the threshold, lowest first.
    pub candidates: Vec<Candidate>,
    /// The ranking indicator of every row, in row order.
    pub values: Vec<f64>,
}

/// Ranks `table`'s rows (and `output`'s, the LM head of an untied model) by
/// the paper's indicators, `reference` giving the known unused rows, and lays
/// the result out; a table the indicators cannot be computed on gets a
/// section that says why.
pub fn undertrained_section(
    table: &Embeddings,
    output: Option<ArrayView2<f32>>,
    reference: ReferenceRows,
) -> (UndertrainedTokens, Section) {
    let found = undertrained_tokens(table.vectors(), output, &reference.rows);
    let result = match &found {
        Ok(found) => UndertrainedTokens {
            indicator: Some(found.indicator),
            percentile: CANDIDATE_PERCENTILE,
            threshold: Some(found.threshold),
            candidates: found.ranking[..found.candidates]
                .iter()
                .enumerate()
                .map(|(i, &row)| candidate(table, found, i, row))
                .collect(),
            values: found.values.to_vec(),
            not_computed: None,
            distances_not_computed: found.distances_not_computed.clone(),
            reference,
        },
        Err(error) => UndertrainedTokens {
            indicator: None,
            percentile: CANDIDATE_PERCENTILE,
            threshold: None,
            candidates: Vec::new(),
            values: Vec::new(),
            not_computed: Some(error.to_string()),
            distances_not_computed: None,
            reference,
        },
    };
    let section = section(table, &result, found.ok().as_ref(), output.is_some());
    (result, section)
}

fn candidate(table: &Embeddings, found: &Undertrained, index: usize, row: usize) -> Candidate {
    Candidate {
        rank: index + 1,
        row,
        token: table.token(row).to_string(),
        value: found.values[row],
        input_norm: found.input_norms[row],
        raw_distance: found.distances.as_ref().map(|d| d.raw[row]),
    }
}

/// The indicator's name as the page shows it, and its short form for the figure's axis.
fn indicator_name(indicator: Indicator) -> (&'static str, &'static str) {
    match indicator {
        Indicator::InputNorm => ("input-embedding norm ‖Eᵢ‖", "input norm ‖Eᵢ‖"),
        Indicator::UnusedDistance => (
            "cosine distance to the unused mean, first component removed",
            "cosine distance (first component removed)",
        ),
    }
}

const PROSE: &str = "Tokens the model (almost) never saw during training keep rows close to their \
    initialisation, and such tokens make models misbehave (the *SolidGoldMagikarp* tokens). Land & \
    Bartolo (2024, “Fishing for Magikarp”, §2.2–2.3, and their code, cohere-ai/magikarp) find them \
    from the weights alone. For a tied matrix (or an untied model's output matrix) $U$: remove the \
    first principal component $u_1$ from every row, $U' = U - (U u_1) u_1^\\top$, take the mean $m'$ \
    of the rows of tokens known to be unused (the *reference set*), and score each row by the cosine \
    distance $1 - \\cos(U'_i, m')$. For an untied model the input-embedding norm $\\lVert E_i \\rVert$ \
    is their main indicator. Low values look under-trained. The paper sets no cut-off on the \
    indicator: it verifies by prompting the lowest 2% of the tokens, which are the candidates below. \
    The candidates are suspects, not verdicts; rare tokens that are merely rare rank among them too.";

/// What the rows are, the last sentence of [`PROSE`].
fn matrices(untied: bool) -> &'static str {
    if untied {
        "This model is untied: its rows are ranked by the input norm, and with reference rows the \
         output matrix's distance is listed beside it."
    } else {
        "This table is treated as the model's tied matrix: every token's row is also its output row."
    }
}

fn section(
    table: &Embeddings,
    result: &UndertrainedTokens,
    found: Option<&Undertrained>,
    untied: bool,
) -> Section {
    let reference = &result.reference;
    let prose = format!("{PROSE} {}", matrices(untied));
    let mut section = Section::new("undertrained", "Under-trained tokens", &prose).fact(
        "reference rows (known unused)",
        if reference.rows.is_empty() {
            "none: NOT TESTED — the paper's distance indicator needs them; \
             give them with --unused-reference FILE"
                .to_string()
        } else {
            reference.rows.len().to_string()
        },
    );
    for (rule, count) in &reference.rules {
        section = section.fact(&format!("reference: {rule}"), count);
    }
    if reference.not_in_table_count > 0 {
        section = section.fact(
            "listed tokens not in the table",
            format!(
                "{} (e.g. {})",
                reference.not_in_table_count,
                reference.not_in_table.join(", ")
            ),
        );
    }
    let Some(found) = found else {
        let reason = result.not_computed.as_deref().unwrap_or("no rows");
        return section.fact("indicators", format!("NOT COMPUTED: {reason}"));
    };
    let (name, short) = indicator_name(found.indicator);
    section = section
        .fact("indicator (ranking)", name)
        .fact(
            "why this indicator",
            match (found.indicator, untied) {
                (Indicator::UnusedDistance, _) => "the paper's indicator for a tied or output matrix",
                (Indicator::InputNorm, true) => "the paper's main indicator for an untied model",
                (Indicator::InputNorm, false) => {
                    "no reference rows: the norm ranking only (the paper proposes no indicator for a \
                     tied matrix without reference rows)"
                }
            },
        )
        .fact(
            &format!("threshold: percentile {CANDIDATE_PERCENTILE} of the other rows"),
            fixed(found.threshold, 6),
        )
        .fact("rows at or below it (candidates)", found.candidates);
    if let Some(reason) = &found.distances_not_computed {
        section = section.fact("output-matrix distance", format!("NOT COMPUTED: {reason}"));
    }
    let with_raw = found.distances.is_some();
    let mut columns = vec![
        ("rank", Column::Number),
        ("row", Column::Number),
        ("token", Column::Token),
        ("indicator", Column::Number),
        ("‖Eᵢ‖", Column::Number),
    ];
    if with_raw {
        columns.push(("raw cosine distance", Column::Number));
    }
    section = section.table(Table {
        caption: match result.candidates.len() {
            1 => "The candidate".into(),
            n if n <= LISTED => format!("The {n} candidates, lowest first"),
            n => format!("The {LISTED} lowest of {n} candidates"),
        },
        kinds: columns.iter().map(|c| c.1).collect(),
        columns: columns.iter().map(|c| c.0.to_string()).collect(),
        rows: result
            .candidates
            .iter()
            .take(LISTED)
            .map(|c| {
                let mut cells = vec![
                    c.rank.to_string(),
                    c.row.to_string(),
                    c.token.clone(),
                    fixed(c.value, 6),
                    fixed(c.input_norm, 4),
                ];
                cells.extend(c.raw_distance.map(|d| fixed(d, 6)));
                cells
            })
            .collect(),
    });
    section.figure(figure(table, found, &reference.rows, short))
}

/// The indicator of every row against its row, reference rows and candidates
/// in their own colours, the threshold as a line.
fn figure(table: &Embeddings, found: &Undertrained, reference: &[usize], name: &str) -> Figure {
    let n = table.len();
    let mut is_marked = vec![false; n];
    let candidates = &found.ranking[..found.candidates];
    for &row in reference.iter().chain(candidates) {
        is_marked[row] = true;
    }
    let point = |row: usize| Point::new(row as f64, found.values[row], "");
    let unmarked: Vec<usize> = (0..n).filter(|&r| !is_marked[r]).collect();
    let stride = unmarked.len().div_ceil(FIGURE_ROWS).max(1);
    let mut groups = vec![PointGroup::new(
        if stride == 1 {
            "other rows".to_string()
        } else {
            format!("other rows (1 in {stride})")
        }
        .as_str(),
        unmarked.iter().step_by(stride).map(|&r| point(r)).collect(),
    )];
    // Every group is there, empty or not, so each keeps its colour on every page
    // (an empty group draws nothing and has no legend entry).
    groups.push(PointGroup::new(
        "reference rows (known unused)",
        reference.iter().map(|&r| point(r)).collect(),
    ));
    groups.push(PointGroup::new(
        "candidates",
        candidates.iter().map(|&r| point(r)).collect(),
    ));
    let last = n.saturating_sub(1) as f64;
    Figure::new(
        "undertrained",
        "Under-trained token indicator by row",
        "row (token id)",
        name,
    )
    .caption(&format!(
        "Each point is a token's {name}; the line is the paper's threshold (percentile \
             {CANDIDATE_PERCENTILE} of the rows outside the reference set). {}",
        match candidates.first() {
            Some(&row) => format!("Lowest: row {row}, “{}”.", label(table.token(row))),
            None => String::new(),
        }
    ))
    .chart(Chart::Scatter {
        groups,
        lines: vec![Series::new(
            &format!("threshold (percentile {CANDIDATE_PERCENTILE})"),
            [(0.0, found.threshold), (last, found.threshold)],
        )],
        arrows: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::*;

    /// 300 trained rows and five at a tiny shared initialisation, two of them named `[unusedN]`.
    fn planted() -> Embeddings {
        let untrained = [10, 20, 30, 40, 50];
        let tokens: Vec<String> = (0..305)
            .map(|i| match i {
                10 => "[unused0]".into(),
                20 => "[unused1]".into(),
                i => format!("w{i}"),
            })
            .collect();
        let vectors = Array2::from_shape_fn((305, 6), |(i, j)| {
            if untrained.contains(&i) {
                0.01 + 0.001 * j as f32
            } else {
                ((i * 37 + j * 101) % 29) as f32 / 7.0 - 2.0 + j as f32
            }
        });
        Embeddings::new(tokens, vectors).unwrap().0
    }

    #[test]
    fn the_unnamed_untrained_rows_are_the_first_candidates() {
        let table = planted();
        let reference = ReferenceRows::from_tokenizer(table.tokens(), None);
        assert_eq!(reference.rows, vec![10, 20]);
        let (result, section) = undertrained_section(&table, None, reference);
        assert_eq!(result.indicator, Some(Indicator::UnusedDistance));
        let first: Vec<usize> = result.candidates[..3].iter().map(|c| c.row).collect();
        let mut sorted = first.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![30, 40, 50], "{first:?}");
        assert_eq!(result.values.len(), 305);
        assert_eq!(section.figures.len(), 1);
        assert!(section.tables[0].rows[0][2].starts_with('w'));
    }

    #[test]
    fn without_reference_rows_the_section_says_not_tested_and_ranks_by_norm() {
        let table = planted();
        let reference = ReferenceRows::from_tokenizer(&table.tokens()[..0], None);
        let (result, section) = undertrained_section(&table, None, reference);
        assert_eq!(result.indicator, Some(Indicator::InputNorm));
        assert!(section.facts[0].1.starts_with("none: NOT TESTED"));
        let first: Vec<usize> = result.candidates[..5].iter().map(|c| c.row).collect();
        assert_eq!(first, vec![10, 20, 30, 40, 50]);
        assert!(result.candidates[0].raw_distance.is_none());
    }

    #[test]
    fn a_table_too_small_for_the_indicators_gets_a_reason_not_a_panic() {
        let (table, _) = Embeddings::new(vec!["[unused0]".into(), "a".into()], Array2::eye(2)).unwrap();
        let reference = ReferenceRows::from_tokenizer(table.tokens(), None);
        let (result, section) = undertrained_section(&table, None, reference);
        assert!(result.not_computed.is_some() && result.candidates.is_empty());
        assert!(section.facts.last().unwrap().1.starts_with("NOT COMPUTED"));
        assert!(section.figures.is_empty());
    }
}
