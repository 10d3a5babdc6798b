//! A [`Comparison`] laid out as the report kit's sections: vocabulary,
//! alignment and drift, neighbour overlap, added rows.

use crate::analyze::compare::{AddedRows, Comparison, MeanRuleVerdict, NeighbourOverlap, TokenValue};
use crate::analyze::report::{Analysis, Column, Section, Source, Table};
use crate::chart::{Chart, Figure};
use crate::format::fixed;

impl Comparison {
    /// The comparison of `a` with `b` as a report: one section per measure,
    /// the typed results under the same keys in `comparison.json`.
    pub fn report(&self, a: Source, b: Source) -> Analysis {
        let mut analysis = Analysis::comparison(a, b);
        analysis.push("vocabulary", &self.vocabulary, self.vocabulary_section());
        analysis.push("alignment", &self.alignment, self.alignment_section());
        analysis.push("overlap", &self.overlap, self.overlap_section());
        analysis.push("added", &self.added, self.added_section());
        analysis
    }

    fn vocabulary_section(&self) -> Section {
        let v = &self.vocabulary;
        let listed = |caption: &str, tokens: &[String]| Table {
            caption: caption.into(),
            columns: ["rank", "token"].map(String::from).to_vec(),
            kinds: vec![Column::Number, Column::Token],
            rows: tokens
                .iter()
                .enumerate()
                .map(|(i, t)| vec![(i + 1).to_string(), t.clone()])
                .collect(),
        };
        let mut section = Section::new(
            "vocabulary",
            "Vocabulary",
            "Tokens are matched by their exact text. Every measure below uses the shared tokens; the \
             lists give the tokens only one table has in that table's row order (for most formats \
             frequency order, most frequent first).",
        )
        .fact("tokens in A", v.a_tokens)
        .fact("tokens in B", v.b_tokens)
        .fact("shared", v.shared)
        .fact("only in A", v.only_a)
        .fact("only in B", v.only_b);
        if !v.only_a_first.is_empty() {
            section = section.table(listed(
                &first("Only in A", v.only_a_first.len(), v.only_a),
                &v.only_a_first,
            ));
        }
        if !v.only_b_first.is_empty() {
            section = section.table(listed(
                &first("Only in B", v.only_b_first.len(), v.only_b),
                &v.only_b_first,
            ));
        }
        section
    }

    fn alignment_section(&self) -> Section {
        let prose = "Two separately trained tables (or one table before and after fine-tuning with a \
                     re-drawn basis) agree at best up to a rotation, so A's shared rows are first \
                     rotated onto B's by orthogonal Procrustes: $R = UV^\\top$ from the SVD \
                     $A_s^\\top B_s = U\\Sigma V^\\top$, the orthogonal matrix minimising \
                     $\\lVert A_s R - B_s \\rVert_F$ (Schönemann 1966). The relative residual \
                     $\\lVert A_s R - B_s \\rVert_F / \\lVert B_s \\rVert_F$ is 0 for a rotated copy. \
                     A token's drift is the cosine between $a_i R$ and $b_i$: 1 when it kept its \
                     place relative to the others, near 0 when it moved somewhere unrelated.";
        let section = Section::new("alignment", "Alignment and drift", prose);
        let Some(alignment) = &self.alignment else {
            let [da, db] = self.dims;
            let why = if da != db {
                format!(
                    "not computed: A has {da} dimensions and B {db}, so no rotation maps one onto the \
                     other; the vocabulary, the neighbour overlap and the added rows need no alignment"
                )
            } else {
                "not computed: the tables share no token".to_string()
            };
            return section.fact("alignment", why);
        };
        let shared = self.vocabulary.shared;
        let mut section = section
            .fact("shared rows aligned", shared)
            .fact("relative residual", sci(alignment.relative_residual))
            .fact("mean cosine", cos(alignment.cosine.mean))
            .fact("median cosine", cos(alignment.cosine.median))
            .fact("lowest cosine", cos(alignment.cosine.min))
            .fact("highest cosine", cos(alignment.cosine.max));
        if let Some(caution) = &alignment.caution {
            section = section.fact("caution", caution);
        }
        section
            .figure(
                Figure::new("compare-drift", "Drift of the shared tokens", "cos(aᵢR, bᵢ)", "tokens")
                    .caption(
                        "How many shared tokens have each cosine between their aligned row in A and their row in B, \
                         counted on a logarithmic axis so that the few tokens that moved show beside the many that did not.",
                    )
                    .chart(Chart::LogHistogram {
                        samples: vec![("shared tokens".into(), alignment.cosines.clone())],
                        bins: 50,
                    }),
            )
            .table(token_values(
                "Moved most (lowest cosine first)",
                "cosine",
                &alignment.moved_most,
                cos,
            ))
            .table(token_values(
                "Moved least (highest cosine first)",
                "cosine",
                &alignment.moved_least,
                cos,
            ))
    }

    fn overlap_section(&self) -> Section {
        let prose = "For each of the most frequent shared tokens (in A's order), its top-$k$ cosine \
                     neighbours among the shared tokens are found in A and in B separately (the fused \
                     top-k search in `f32`, the token itself excluded); the overlap is the share of \
                     neighbours both lists hold. Each table is searched in its own space, so this needs \
                     no alignment and works across dimensions: 1 means the local geometry is unchanged.";
        let section = Section::new("overlap", "Neighbour overlap", prose);
        let Some(overlap) = &self.overlap else {
            let why = match self.vocabulary.shared {
                0 | 1 => "not computed: fewer than two shared tokens",
                _ => "not computed: no tokens were asked for",
            };
            return section.fact("overlap", why);
        };
        let NeighbourOverlap { queries, k, .. } = *overlap;
        section
            .fact("tokens compared", queries)
            .fact("neighbours each (k)", k)
            .fact(&format!("mean overlap@{k}"), cos(overlap.mean))
            .fact("chance level (unrelated tables)", cos(overlap.chance))
            .figure(
                Figure::new(
                    "compare-overlap",
                    &format!("Neighbours kept of {k}"),
                    "neighbours in both top-k lists",
                    "tokens",
                )
                .caption("How many of the compared tokens keep each number of their top-k neighbours.")
                .chart(Chart::Bars {
                    categories: (0..=k).map(|j| j.to_string()).collect(),
                    series: vec![(
                        "tokens".into(),
                        overlap.counts.iter().map(|&c| c as f64).collect(),
                    )],
                }),
            )
            .table(token_values(
                "Fewest neighbours kept",
                &format!("overlap@{k}"),
                &overlap.lowest,
                cos,
            ))
    }

    fn added_section(&self) -> Section {
        let prose = format!(
            "Tokens B has and A lacks are rows B added (vocabulary resizing). Hewitt (2021) initialises \
             them at the mean $\\mu$ of the old rows (here B's rows for A's tokens), possibly plus noise \
             from $N(0, 10^{{-5}}\\Sigma)$. Then, if B is a model's output (or tied) embedding, the \
             next-token distribution over the old tokens changes by at most \
             $\\mathrm{{KL}} \\le \\ln(1 + n/V)$ for every hidden state, $n$ rows added to $V$ (by \
             Jensen's inequality). **Criterion:** with $s = \\sqrt{{\\operatorname{{mean}}_i \\lVert b_i - \
             \\mu \\rVert^2}}$ the spread of the old rows, the rule's noise puts a row about \
             $\\sqrt{{10^{{-5}}}}\\,s \\approx 0.003\\,s$ from $\\mu$, while an old row, or a fresh random \
             row of the same scale, sits about $s$ away or more; a row counts as placed by the rule \
             when $\\lVert x - \\mu \\rVert \\le {}\\,s$, thirty times the rule's noise and a tenth of \
             where an old row sits. Its cosine with $\\mu$ is then near 1 whenever $\\mu$ is not \
             small against $s$. Rows trained after they were added move away from $\\mu$: \
             \"not by the rule\" can also mean \"trained since\".",
            fixed(crate::analyze::compare::MEAN_RULE_TOLERANCE, 1)
        );
        let section = Section::new("added", "Rows B added", &prose);
        let Some(added) = &self.added else {
            let why = if self.vocabulary.only_b == 0 {
                "none: every token of B is in A"
            } else {
                "not measured: B shares no token with A, so there are no old rows to take the mean of"
            };
            return section.fact("added rows", why);
        };
        let AddedRows { added: n, old, .. } = *added;
        let verdict = match added.verdict {
            MeanRuleVerdict::Mixed => format!("{}: {} of {n} rows", added.verdict, added.at_mean),
            _ => added.verdict.to_string(),
        };
        section
            .fact("rows added (n)", n)
            .fact("old rows (V)", old)
            .fact("norm of the old rows' mean ‖μ‖", fixed(added.mean_norm, 4))
            .fact("spread of the old rows s", fixed(added.spread, 4))
            .fact("criterion", format!("‖x − μ‖ ≤ {} s", fixed(added.tolerance, 1)))
            .fact("rows at the mean", format!("{} of {n}", added.at_mean))
            .fact("verdict", verdict)
            .fact("mean cos(x, μ)", cos(added.cosine.mean))
            .fact("largest ‖x − μ‖ / s", fixed(added.distance_to_spread.max, 4))
            .fact("KL bound ln(1 + n/V) of the rule", fixed(added.kl_bound, 6))
            .table(Table {
                caption: first("Added rows", added.first.len(), n),
                columns: ["token", "cos(x, μ)", "‖x − μ‖ / ‖μ‖", "‖x − μ‖ / s"]
                    .map(String::from)
                    .to_vec(),
                kinds: vec![Column::Token, Column::Number, Column::Number, Column::Number],
                rows: added
                    .first
                    .iter()
                    .map(|r| {
                        vec![
                            r.token.clone(),
                            cos(r.cosine),
                            ratio(r.distance_to_mean_norm),
                            ratio(r.distance_to_spread),
                        ]
                    })
                    .collect(),
            })
    }
}

/// `"Only in A (first 20 of 31)"`, or just `"Only in A"` when all are listed.
fn first(what: &str, listed: usize, total: usize) -> String {
    if listed < total {
        format!("{what} (first {listed} of {total})")
    } else {
        what.into()
    }
}

pub(crate) fn token_values(
    caption: &str,
    value: &str,
    rows: &[TokenValue],
    show: fn(f64) -> String,
) -> Table {
    Table {
        caption: caption.into(),
        columns: ["rank", "token", value].map(String::from).to_vec(),
        kinds: vec![Column::Number, Column::Token, Column::Number],
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, t)| vec![(i + 1).to_string(), t.token.clone(), show(t.value)])
            .collect(),
    }
}

pub(crate) fn cos(x: f64) -> String {
    fixed(x, 4)
}

/// A ratio, `–` when undefined (a zero mean or spread).
fn ratio(x: f64) -> String {
    if x.is_finite() { fixed(x, 4) } else { "–".into() }
}

/// A number that may be tiny (a residual of `3.10e-8`) or ordinary (`0.8123`):
/// scientific notation only below 0.01 or from 10 000 up.
pub(crate) fn sci(x: f64) -> String {
    if !x.is_finite() {
        "–".into()
    } else if x == 0.0 {
        "0".into()
    } else if (1e-2..1e4).contains(&x.abs()) {
        fixed(x, 4)
    } else {
        format!("{x:.2e}")
    }
}

#[cfg(test)]
mod tests {
    use super::sci;

    #[test]
    fn sci_uses_exponents_only_for_tiny_and_huge_numbers() {
        assert_eq!(sci(3.1e-8), "3.10e-8");
        assert_eq!(sci(1.0123), "1.0123");
        assert_eq!(sci(0.0123), "0.0123");
        assert_eq!(sci(0.0), "0");
        assert_eq!(sci(12_345.0), "1.23e4");
        assert_eq!(sci(f64::NAN), "–");
    }
}
