//! A model's input embedding against its output embedding (the LM head):
//! the same tokens, two matrices, which an untied model trains apart.
//!
//! The input rows are rotated onto the output rows by orthogonal Procrustes
//! (the alignment `compare` uses, one implementation), since the two
//! matrices meet the residual stream at opposite ends and need agree only up
//! to a rotation.
//! A token's cosine after the rotation says how alike its two roles are;
//! the norms side by side show which matrix keeps rare tokens small.
//! Padding rows (past the tokenizer) are left out: no text reaches them.

use ndarray::ArrayView2;
use serde::Serialize;

use crate::analyze::compare::{Alignment, Summary, align_shared};
use crate::analyze::compare_sections::{cos, sci, token_values};
use crate::analyze::report::Section;
use crate::chart::{Chart, Figure};
use crate::code_span::code_span;
use crate::embeddings::{Embeddings, TokenKind, Tying};
use crate::error::{Error, Result};
use crate::format::fixed;

/// Input versus output, as `analyze` reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputOutput {
    /// One sentence on how the output embedding relates to the input one.
    pub tying: String,
    /// The output embedding's tensor, when untied and read.
    pub output_tensor: Option<String>,
    /// The input rows rotated onto the output rows; `None` when tied.
    pub alignment: Option<Alignment>,
    /// Row norms of the input embedding over the compared rows.
    pub input_norms: Option<Summary>,
    /// Row norms of the output embedding over the compared rows.
    pub output_norms: Option<Summary>,
    /// Both norm samples, for the figure.
    #[serde(skip)]
    norms: Option<[Vec<f64>; 2]>,
}

impl InputOutput {
    /// A tied (or unread) output embedding: the sentence that says so, no
    /// measurement.
    pub fn tied(tying: &Tying) -> InputOutput {
        InputOutput {
            tying: tying_sentence(tying),
            output_tensor: None,
            alignment: None,
            input_norms: None,
            output_norms: None,
            norms: None,
        }
    }
}

/// One sentence on a model's tying, for the report.
///
/// # Examples
/// ```
/// use embspace::analyze::tying_sentence;
/// use embspace::embeddings::Tying;
///
/// assert!(tying_sentence(&Tying::Tied).starts_with("The model ties its output embedding"));
/// ```
pub fn tying_sentence(tying: &Tying) -> String {
    match tying {
        Tying::Tied => "The model ties its output embedding to its input embedding: both are this matrix, \
                        so there is nothing to compare."
            .into(),
        Tying::TiedWithCopy(name) => format!(
            "The model ties its output embedding to its input embedding: the checkpoint stores {} \
             too, byte for byte equal to this matrix, so there is nothing to compare.",
            code_span(name)
        ),
        Tying::Untied(name) => format!(
            "The model has a separate output embedding {}, which was not read here \
             ({} analyses it alone).",
            code_span(name),
            code_span(&format!("--tensor {name}"))
        ),
        Tying::NoOutput => "config.json unties the output embedding, but the checkpoint stores none \
                            (a model saved without its LM head), so there is nothing to compare."
            .into(),
    }
}

/// Compares `input`'s rows with the untied output embedding `output` (same
/// rows, same order), skipping padding rows (`kinds`), and lists the
/// `listed` tokens whose two rows differ most and least after the rotation.
/// `progress` hears each pass of the alignment and how far it is.
///
/// # Errors
/// [`Error::Shape`] when the matrices' shapes differ; [`Error::Numerical`]
/// if the Procrustes SVD does not converge.
///
/// # Examples
/// ```
/// use embspace::analyze::input_output;
/// use embspace::embeddings::Embeddings;
/// use embspace::ndarray::array;
///
/// let tokens = ["a", "b", "c"].map(String::from).to_vec();
/// let (input, _) = Embeddings::new(tokens, array![[1.0f32, 0.0], [0.0, 2.0], [1.0, 1.0]])?;
/// // The output embedding is the input one turned a quarter.
/// let output = array![[0.0f32, 1.0], [-2.0, 0.0], [-1.0, 1.0]];
/// let compared = input_output(&input, "lm_head.weight", output.view(), None, 5, &mut |_| {})?;
/// assert!(compared.alignment.unwrap().cosine.min > 0.999_999);
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn input_output(
    input: &Embeddings,
    tensor: &str,
    output: ArrayView2<f32>,
    kinds: Option<&[TokenKind]>,
    listed: usize,
    progress: &mut dyn FnMut(&str),
) -> Result<InputOutput> {
    if output.dim() != (input.len(), input.dim()) {
        return Err(Error::shape(
            "output embedding",
            format!("{}×{}, the input embedding's shape", input.len(), input.dim()),
            format!("{}×{}", output.nrows(), output.ncols()),
        ));
    }
    let compared: Vec<(usize, usize)> = (0..input.len())
        .filter(|&row| kinds.is_none_or(|k| k.get(row) != Some(&TokenKind::Padding)))
        .map(|row| (row, row))
        .collect();
    let alignment = align_shared(input, output, &compared, listed, progress)?;
    let norm = |m: ArrayView2<f32>, row: usize| {
        m.row(row)
            .iter()
            .map(|&v| f64::from(v).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let input_norms: Vec<f64> = compared
        .iter()
        .map(|&(row, _)| norm(input.vectors(), row))
        .collect();
    let output_norms: Vec<f64> = compared.iter().map(|&(row, _)| norm(output, row)).collect();
    Ok(InputOutput {
        tying: format!(
            "The model's output embedding is {}, a matrix of its own.",
            code_span(tensor)
        ),
        output_tensor: Some(tensor.to_string()),
        alignment: Some(alignment),
        input_norms: Some(Summary::of(&input_norms)),
        output_norms: Some(Summary::of(&output_norms)),
        norms: Some([input_norms, output_norms]),
    })
}

impl InputOutput {
    /// The report section: the tying sentence, and for an untied model the
    /// cosines after alignment, the tokens that differ most and least, and
    /// both norm distributions.
    pub fn section(&self) -> Section {
        let prose = "An untied model reads a token through its input embedding and predicts it through \
                     its output embedding (the LM head). The input rows are rotated onto the output rows \
                     by orthogonal Procrustes ($R = UV^\\top$ from $E_{in}^\\top E_{out} = U\\Sigma V^\\top$), \
                     since the two matrices need agree only up to a rotation; a token's cosine between \
                     $e^{in}_i R$ and $e^{out}_i$ says how alike its two roles are. Padding rows are left out.";
        let (Some(alignment), Some([input_norms, output_norms]), Some(tensor)) =
            (&self.alignment, &self.norms, &self.output_tensor)
        else {
            // A tied model: one sentence says so.
            return Section::new("input-output", "Input versus output embedding", &self.tying);
        };
        // The tying sentence leads the prose (its tensor names render as code there), the tensor is a fact.
        let prose = format!("{} {prose}", self.tying);
        let section = Section::new("input-output", "Input versus output embedding", &prose)
            .fact("output embedding", tensor);
        let summary = |s: &Option<Summary>| {
            s.map_or("–".to_string(), |s| {
                format!("mean {}, median {}", fixed(s.mean, 4), fixed(s.median, 4))
            })
        };
        let mut section = section
            .fact("rows compared", alignment.cosines.len())
            .fact("relative residual", sci(alignment.relative_residual))
            .fact("mean cosine", cos(alignment.cosine.mean))
            .fact("median cosine", cos(alignment.cosine.median))
            .fact("lowest cosine", cos(alignment.cosine.min));
        if let Some(caution) = &alignment.caution {
            section = section.fact("caution", caution);
        }
        section
            .fact("input norms", summary(&self.input_norms))
            .fact("output norms", summary(&self.output_norms))
            .figure(
                Figure::new("input-output-cosine", "Input against output, per token", "cos(eᵢⁱⁿR, eᵢᵒᵘᵗ)", "tokens")
                    .caption("How many tokens have each cosine between their rotated input row and their output row.")
                    .chart(Chart::Histogram {
                        samples: vec![("tokens".into(), alignment.cosines.clone())],
                        bins: 50,
                    }),
            )
            .figure(
                Figure::new("input-output-norms", "Row norms, input and output", "norm", "tokens")
                    .caption("How many tokens have each row norm in the input embedding and in the output embedding, on shared bins.")
                    .chart(Chart::Histogram {
                        samples: vec![
                            ("input embedding".into(), input_norms.clone()),
                            ("output embedding".into(), output_norms.clone()),
                        ],
                        bins: 50,
                    }),
            )
            .table(token_values(
                "Differ most (lowest cosine first)",
                "cosine",
                &alignment.moved_most,
                cos,
            ))
            .table(token_values(
                "Differ least (highest cosine first)",
                "cosine",
                &alignment.moved_least,
                cos,
            ))
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::*;

    fn table(rows: usize, dim: usize) -> Embeddings {
        let tokens = (0..rows).map(|i| format!("t{i}")).collect();
        let values = Array2::from_shape_fn((rows, dim), |(r, c)| {
            ((r * 5 + c * 3) % 7) as f32 - 3.0 + r as f32 * 0.1
        });
        Embeddings::new(tokens, values).unwrap().0
    }

    #[test]
    fn a_rotated_output_matches_every_token_and_a_changed_row_differs_most() {
        let input = table(40, 3);
        // A permutation of the columns with a sign flip is a rotation.
        let mut output = Array2::from_shape_fn((40, 3), |(r, c)| {
            let v = input.vector(r)[(c + 1) % 3];
            if c == 0 { -v } else { v }
        });
        output.row_mut(4).assign(&ndarray::array![5.0f32, -5.0, 5.0]);
        let compared = input_output(&input, "lm_head.weight", output.view(), None, 3, &mut |_| {}).unwrap();
        let alignment = compared.alignment.as_ref().unwrap();
        assert_eq!(alignment.moved_most[0].token, "t4");
        assert!(
            alignment.moved_least.iter().all(|t| t.value > 0.99),
            "{:?}",
            alignment.moved_least
        );
        assert_eq!(compared.section().figures.len(), 2);
    }

    #[test]
    fn padding_rows_are_left_out() {
        let input = table(5, 2);
        let mut kinds = vec![TokenKind::Normal; 5];
        kinds[4] = TokenKind::Padding;
        let compared = input_output(&input, "o", input.vectors(), Some(&kinds), 10, &mut |_| {}).unwrap();
        assert_eq!(compared.alignment.unwrap().cosines.len(), 4);
    }

    #[test]
    fn a_tied_model_gets_one_sentence_and_no_figure() {
        let tied = InputOutput::tied(&Tying::Tied);
        let section = tied.section();
        assert!(section.figures.is_empty() && section.facts.is_empty());
        assert_eq!(
            section.prose, tied.tying,
            "the section is the tying sentence alone"
        );
    }
}
