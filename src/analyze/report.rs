//! The analysis report: what `analyze` measured, laid out as sections of
//! prose, facts, tables and figures, and rendered like the demo report
//! (HTML with embedded figures, Markdown with `figures/*.png`, JSON).
//!
//! JSON carries the typed results ([`Analysis::results`]); HTML and Markdown
//! are rendered from the sections by `templates/analyze.{html,md}.j2`. Every
//! token is user data: templates escape it, and tokens are isolated in `<bdi>`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analyze::diagnostics::{Diagnostics, Geometry, SampleGeometry, SampleStatistics};
use crate::analyze::map::{Map, PackedMap};
use crate::chart::{Chart, Figure, Point, PointGroup, Series};
use crate::embeddings::file_name;
use crate::error::Result;
use crate::format::fixed;
use crate::record::FigureRecord;
use crate::report::references::{self, Work};
use crate::report::render::{HtmlImage, figure_files, render_pngs, render_template};
use crate::report::{DemoVerdict, Format, Rendered, prose_to_html};

/// Where the table came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    /// The file as the user named it (or the bundled sample's name).
    pub path: String,
    /// The format it was read as.
    pub format: String,
    /// Size of the file in bytes.
    pub file_bytes: u64,
    /// What the file says about its table: the tensor read, whether the
    /// model ties its output embedding, …
    pub notes: Vec<String>,
    /// Warnings from reading it (duplicates dropped, rows limited, …).
    pub warnings: Vec<String>,
}

/// A table of text cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Short heading above the table.
    pub caption: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// What each column holds.
    pub kinds: Vec<Column>,
    /// Cells, one `Vec` per row.
    pub rows: Vec<Vec<String>>,
}

/// What a table column holds, which decides how its cells are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Column {
    /// Words of ours.
    Text,
    /// Numbers, right-aligned.
    Number,
    /// One token a cell, shown exactly: a leading space (` the`) or a token
    /// of spaces is as visible as any other character.
    Token,
}

/// A token in a list of tokens: as it is, or between quotes when it would
/// not read as itself there (empty, spaces at either end or doubled, the
/// list's `, ` inside, or the quotes themselves at either end, so that a
/// token `“ sat”` does not read as the quoted ` sat`).
pub(crate) fn listed(token: &str) -> String {
    let plain = !token.is_empty()
        && token.trim() == token
        && !token.contains("  ")
        && !token.contains(", ")
        && !token.starts_with('“')
        && !token.ends_with('”');
    if plain {
        token.to_owned()
    } else {
        format!("“{token}”")
    }
}

/// One part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// Anchor and figure-name prefix.
    pub id: String,
    /// Heading.
    pub title: String,
    /// What the numbers mean, as Markdown (our text only, never a token).
    pub prose: String,
    /// `(name, value)` pairs shown as a two-column table.
    pub facts: Vec<(String, String)>,
    /// Further tables.
    pub tables: Vec<Table>,
    /// Verdicts on textbook claims, shown as the report's table of claims.
    pub verdicts: Vec<DemoVerdict>,
    /// Figures, written to `figures/analyze-<name>.png`.
    pub figures: Vec<FigureRecord>,
    /// Why what the section measures was not computed (the table is too
    /// small for it), shown after the prose.
    pub not_computed: Option<String>,
}

impl Section {
    /// An empty section with a heading and prose.
    pub fn new(id: &str, title: &str, prose: &str) -> Self {
        Section {
            id: id.into(),
            title: title.into(),
            prose: prose.into(),
            facts: Vec::new(),
            tables: Vec::new(),
            verdicts: Vec::new(),
            figures: Vec::new(),
            not_computed: None,
        }
    }

    /// Marks the section not computed, for `reason` ("needs at least 3 non-zero rows; …").
    pub fn not_computed(mut self, reason: &str) -> Self {
        self.not_computed = Some(reason.into());
        self
    }

    /// Adds a `name: value` fact.
    pub fn fact(mut self, name: &str, value: impl ToString) -> Self {
        self.facts.push((name.into(), value.to_string()));
        self
    }

    /// Adds a figure.
    pub fn figure(mut self, figure: Figure) -> Self {
        let path = format!("figures/analyze-{}.png", figure.name);
        self.figures.push(FigureRecord { figure, path });
        self
    }

    /// Adds a table.
    pub fn table(mut self, table: Table) -> Self {
        self.tables.push(table);
        self
    }

    /// Sets the verdicts the section shows.
    pub fn verdicts(mut self, verdicts: Vec<DemoVerdict>) -> Self {
        self.verdicts = verdicts;
        self
    }
}

/// A finished analysis, ready to render.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Heading of the report.
    pub title: String,
    /// The file analysed (for a comparison, the first file).
    pub source: Source,
    /// For a comparison (`embspace compare`), the second file; the page's
    /// files are then `comparison.*` instead of `analysis.*`.
    pub compared_with: Option<Source>,
    /// Typed results for `analysis.json`, keyed by what they measure.
    pub results: serde_json::Map<String, serde_json::Value>,
    /// The sections shown in HTML and Markdown, in order.
    pub sections: Vec<Section>,
    /// The map, when one was made: `results.map` in the JSON, explored in
    /// the HTML (kept apart from `results` so the page packs it as binary).
    #[serde(skip)]
    pub map: Option<Map>,
}

impl Analysis {
    /// An analysis of `source` with the geometry sections of `diagnostics`;
    /// add neighbours, analogies and benchmarks with [`Analysis::push`].
    pub fn new(source: Source, diagnostics: &Diagnostics) -> Self {
        let mut analysis = Analysis {
            title: format!("Embedding analysis of {}", file_name(Path::new(&source.path))),
            source,
            compared_with: None,
            results: serde_json::Map::new(),
            sections: geometry_sections(diagnostics),
            map: None,
        };
        analysis.insert("diagnostics", diagnostics);
        analysis
    }

    /// An empty comparison of `a` with `b`; add its sections with [`Analysis::push`].
    pub fn comparison(a: Source, b: Source) -> Self {
        Analysis {
            title: {
                let [a, b] = distinct_names(&a.path, &b.path);
                format!("Comparison of {a} and {b}")
            },
            source: a,
            compared_with: Some(b),
            results: serde_json::Map::new(),
            sections: Vec::new(),
            map: None,
        }
    }

    /// The command that made it and the stem of its files.
    fn kind(&self) -> (&'static str, &'static str) {
        match self.compared_with {
            None => ("analyze", "analysis"),
            Some(_) => ("compare", "comparison"),
        }
    }

    /// The stem of its files: `analysis` (`analysis.html`, …) or `comparison`.
    pub fn file_stem(&self) -> &'static str {
        self.kind().1
    }

    /// The works its sections cite (in their prose, facts and claims).
    pub fn references(&self) -> Vec<Work> {
        let texts = self.sections.iter().flat_map(|s| {
            let facts = s
                .facts
                .iter()
                .flat_map(|(name, value)| [name.as_str(), value.as_str()]);
            let sources = s.verdicts.iter().map(|v| v.verdict.source.as_str());
            std::iter::once(s.prose.as_str()).chain(facts).chain(sources)
        });
        references::cited_in(texts).into_iter().copied().collect()
    }

    /// Adds a section and its typed result under `key` in the JSON.
    pub fn push(&mut self, key: &str, result: &impl Serialize, section: Section) {
        self.insert(key, result);
        self.sections.push(section);
    }

    /// Adds the map and its section.
    pub fn set_map(&mut self, map: Map) {
        self.sections.push(map.section());
        self.map = Some(map);
    }

    /// Adds the section saying why there is no map, and the reason as
    /// `results.map.not_computed` in the JSON.
    pub fn map_not_computed(&mut self, reason: &str) {
        self.push(
            "map",
            &serde_json::json!({ "not_computed": reason }),
            Map::not_computed_section(reason),
        );
    }

    fn insert(&mut self, key: &str, result: &impl Serialize) {
        let value = serde_json::to_value(result).expect("analysis results serialise");
        self.results.insert(key.into(), value);
    }
}

/// Names for two paths that tell them apart: their file names, or as many of
/// their last components as it takes to differ (two checkpoints' files are
/// often both `model.safetensors`); a file compared with itself is named by
/// its file name.
fn distinct_names(a: &str, b: &str) -> [String; 2] {
    fn last_first(path: &str) -> Vec<std::path::Component<'_>> {
        Path::new(path).components().rev().collect()
    }
    let (a, b) = (last_first(a), last_first(b));
    let shared = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let keep = if a == b { 1 } else { shared + 1 };
    [a, b].map(|parts| {
        let kept = parts[..keep.min(parts.len())].iter().rev();
        // Joined as a path, so a root component reads `/x`, not `//x`.
        kept.collect::<std::path::PathBuf>()
            .to_string_lossy()
            .into_owned()
    })
}

/// Render the analysis in the requested formats; nothing touches the disk.
///
/// Files: `analysis.html`, `analysis.md`, `analysis.json` (`comparison.*`
/// for a comparison) and, for Markdown and JSON, `figures/analyze-*.png`.
///
/// # Errors
/// [`crate::Error::Render`] when a figure or template fails.
pub fn render(analysis: &Analysis, formats: &[Format]) -> Result<Rendered> {
    let figures: Vec<&FigureRecord> = analysis.sections.iter().flat_map(|s| &s.figures).collect();
    let pngs = render_pngs(&figures)?;
    let mut files = figure_files(&figures, pngs.clone(), formats);
    let stem = analysis.file_stem();
    let references = analysis.references();
    for format in formats {
        let text = match format {
            Format::Json => {
                let json = Json {
                    title: &analysis.title,
                    source: &analysis.source,
                    compared_with: analysis.compared_with.as_ref(),
                    results: JsonResults {
                        results: &analysis.results,
                        map: analysis.map.as_ref(),
                    },
                    figures: figures.iter().map(|f| &f.path).collect(),
                    references: &references,
                };
                readable_json(&json)
            }
            Format::Markdown => render_template(
                "analyze.md.j2",
                &Page {
                    analysis: Heading::of(analysis, &references),
                    sections: &[],
                    map: None,
                },
            )?,
            Format::Html => {
                let mut png = pngs.iter();
                let sections: Vec<HtmlSection> = analysis
                    .sections
                    .iter()
                    .map(|section| HtmlSection {
                        section,
                        prose_html: prose_to_html(&section.prose),
                        images: section
                            .figures
                            .iter()
                            .map(|f| {
                                HtmlImage::new("analyze", &f.figure, png.next().expect("one PNG per figure"))
                            })
                            .collect(),
                    })
                    .collect();
                render_template(
                    "analyze.html.j2",
                    &Page {
                        analysis: Heading::of(analysis, &references),
                        sections: &sections,
                        map: analysis.map.as_ref().map(Map::packed),
                    },
                )?
            }
        };
        files.push((
            PathBuf::from(format!("{stem}.{}", format.extension())),
            text.into_bytes(),
        ));
    }
    Ok(Rendered { files })
}

/// `analysis.json`: the typed results (the map among them) and the figures' files.
#[derive(Serialize)]
struct Json<'a> {
    title: &'a str,
    source: &'a Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    compared_with: Option<&'a Source>,
    results: JsonResults<'a>,
    figures: Vec<&'a String>,
    references: &'a [Work],
}

#[derive(Serialize)]
struct JsonResults<'a> {
    #[serde(flatten)]
    results: &'a serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    map: Option<&'a Map>,
}

/// JSON laid out for reading: objects and arrays of objects or arrays one
/// member a line, arrays of plain values on one line. `serde_json`'s pretty
/// printer gives every number a line of its own, which made the map's
/// coordinates and neighbour lists a 50 MB file at 100 000 tokens.
fn readable_json(value: &impl Serialize) -> String {
    let compact = serde_json::to_string(value).expect("JSON values serialise");
    let bytes = compact.as_bytes();
    let mut out = String::with_capacity(compact.len() * 5 / 4);
    let mut inline = false; // inside an array of plain values, written as it is
    let mut indent = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        // A string, copied whole (its brackets and commas are text).
        if c == b'"' {
            let start = i;
            i += 1;
            while bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            out.push_str(&compact[start..=i]);
            i += 1;
            continue;
        }
        let newline = |out: &mut String, indent: usize| {
            out.push('\n');
            out.extend(std::iter::repeat_n("  ", indent));
        };
        match c {
            b'[' if plain_array(&bytes[i..]) => inline = true,
            b'[' | b'{' => {
                let empty = matches!(bytes.get(i + 1), Some(b']' | b'}'));
                out.push(c as char);
                if empty {
                    out.push(bytes[i + 1] as char);
                    i += 2;
                } else {
                    indent += 1;
                    newline(&mut out, indent);
                    i += 1;
                }
                continue;
            }
            b']' if inline => inline = false,
            b']' | b'}' => {
                indent -= 1;
                newline(&mut out, indent);
            }
            b',' if !inline => {
                out.push(',');
                newline(&mut out, indent);
                i += 1;
                continue;
            }
            b':' if !inline => {
                out.push_str(": ");
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(c as char);
        i += 1;
    }
    out.push('\n');
    out
}

/// Whether the array opening `json` holds only plain values (no array or
/// object, strings skipped over), so it can stay on one line.
fn plain_array(json: &[u8]) -> bool {
    let mut i = 1;
    while let Some(&c) = json.get(i) {
        match c {
            b']' => return true,
            b'[' | b'{' => return false,
            b'"' => {
                i += 1;
                while json[i] != b'"' {
                    i += if json[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// What the templates see: the analysis without its typed results, and for
/// HTML its sections with prose as HTML and figures as data URIs, and the
/// map packed for `templates/map.js`.
#[derive(Serialize)]
struct Page<'a> {
    analysis: Heading<'a>,
    sections: &'a [HtmlSection<'a>],
    map: Option<PackedMap>,
}

/// The analysis as the templates read it.
#[derive(Serialize)]
struct Heading<'a> {
    title: &'a str,
    command: &'static str,
    sources: Vec<&'a Source>,
    sections: &'a [Section],
    references: &'a [Work],
}

impl<'a> Heading<'a> {
    fn of(analysis: &'a Analysis, references: &'a [Work]) -> Self {
        Heading {
            title: &analysis.title,
            command: analysis.kind().0,
            sources: std::iter::once(&analysis.source)
                .chain(&analysis.compared_with)
                .collect(),
            sections: &analysis.sections,
            references,
        }
    }
}

#[derive(Serialize)]
struct HtmlSection<'a> {
    #[serde(flatten)]
    section: &'a Section,
    prose_html: String,
    images: Vec<HtmlImage<'a>>,
}

/// Numbers for people: `digits` decimals.
fn num(x: f64, digits: u32) -> String {
    fixed(x, digits)
}

fn geometry_sections(d: &Diagnostics) -> Vec<Section> {
    let n = &d.norm_stats;
    let shape = Section::new(
        "shape",
        "Shape and memory",
        "The table as read: one row per token in file order (for word2vec, GloVe and fastText files \
         that is frequency order, so the row rank stands in for frequency below). Vectors are held \
         as 32-bit floats. All-zero rows carry no direction: they are counted here and left out of \
         every cosine statistic.",
    )
    .fact("tokens", d.rows)
    .fact("dimension", d.dim)
    .fact("f32 matrix", crate::format::bytes(d.matrix_bytes))
    .fact("all-zero rows", d.zero_rows);

    let norms = Section::new(
        "norms",
        "Norms",
        "In trained embeddings the norm of a word vector tracks how often, and how consistently, the \
         word was seen: frequent words are pulled in many directions and often end up shorter or \
         longer than rare ones depending on the method. The histogram shows the spread; the line \
         shows the mean norm by frequency rank (row order), on a log scale.",
    )
    .fact("min", num(n.min, 4))
    .fact("median", num(n.median, 4))
    .fact("mean", num(n.mean, 4))
    .fact("max", num(n.max, 4))
    .fact("standard deviation", num(n.std, 4))
    .fact("mean-vector norm", num(d.mean_vector_norm, 4))
    .fact("mean-vector norm / mean norm", num(d.mean_vector_ratio, 4))
    .figure(
        Figure::new(
            "norm-histogram",
            "Distribution of vector norms",
            "norm ‖w‖",
            "tokens",
        )
        .caption("How many tokens have each norm; all rows, zero rows included.")
        .chart(Chart::Histogram {
            samples: vec![("all tokens".into(), d.norms.clone())],
            bins: 50,
        }),
    )
    .figure(
        Figure::new(
            "norm-by-rank",
            "Mean norm by frequency rank",
            "log₁₀ rank (row order)",
            "mean norm",
        )
        .caption("Rows grouped in bins of equal width in log rank; each point is the bin's mean norm.")
        .chart(Chart::Lines {
            series: vec![Series::new("mean norm", norms_by_log_rank(&d.norms, 30))],
            markers: true,
        }),
    );

    let mut sections = vec![shape, norms];
    match &d.sample {
        SampleStatistics::Computed(sample) => sections.extend(sample_sections(d, sample)),
        SampleStatistics::NotComputed {
            not_computed,
            cosine_of_the_two_rows,
        } => sections.extend(not_computed_sections(not_computed, *cosine_of_the_two_rows)),
    }
    sections
}

/// The titles of the sections built on the covariance sample, by id.
const ISOTROPY: (&str, &str) = ("isotropy", "Anisotropy, isotropy and post-processing");
const COMPONENTS: (&str, &str) = ("components", "Principal components");
const SCATTER: (&str, &str) = ("pca-scatter", "The most frequent tokens on the principal plane");

/// Anisotropy and isotropy, principal components and the PCA scatter.
fn sample_sections(d: &Diagnostics, sample: &SampleGeometry) -> [Section; 3] {
    let geometry = &sample.geometry;
    let isotropy = Section::new(
        ISOTROPY.0,
        ISOTROPY.1,
        &format!(
            "Anisotropy is the mean cosine of random pairs of distinct tokens: near 0 when directions \
             are spread out, near 1 when every vector shares one direction. The isotropy score of Mu & \
             Viswanath (2018) is $I = \\min_c Z(c) / \\max_c Z(c)$ with $Z(c) = \\sum_w \\exp(c^\\top w)$ \
             over the principal directions $c$: 1 for a perfectly isotropic space. Both are measured on \
             the {} most frequent non-zero rows, raw, centred (the mean vector subtracted) and after \
             all-but-the-top (centred, then the top {} principal direction{} projected out). The same \
             {} random pairs are used for each version.{}",
            d.sample_rows,
            sample.removed_components,
            if sample.removed_components == 1 { "" } else { "s" },
            geometry.first().map_or(0, |g| g.cosines.len()),
            if sample.principal_directions < d.dim {
                format!(
                    " With {} dimensions only the leading {} principal directions are computed (a full \
                     eigendecomposition would take minutes), so the isotropy score ranges over those: an \
                     upper bound on the score over all {}.",
                    d.dim, sample.principal_directions, d.dim
                )
            } else {
                String::new()
            },
        ),
    )
    .table(Table {
        caption: "Random-pair cosines and isotropy".into(),
        columns: ["version", "mean cosine", "std of cosines", "isotropy score"]
            .map(String::from)
            .to_vec(),
        kinds: vec![Column::Text, Column::Number, Column::Number, Column::Number],
        rows: geometry
            .iter()
            .map(|g| {
                vec![
                    g.label.clone(),
                    num(g.anisotropy.mean, 4),
                    num(g.anisotropy.std, 4),
                    num(g.isotropy, 4),
                ]
            })
            .collect(),
    })
    .figure(
        Figure::new("pair-cosines", "Cosines of random token pairs", "cosine", "pairs")
            .caption(&pair_cosines_caption(geometry))
            .chart(Chart::Histogram {
                samples: geometry
                    .iter()
                    .map(|g| (g.label.clone(), g.cosines.clone()))
                    .collect(),
                bins: 60,
            }),
    );

    // Above EXACT_DIM only the leading directions are computed.
    let components_for = |count: Option<usize>| match count {
        Some(count) => count.to_string(),
        None => format!("more than the {} computed", sample.principal_directions),
    };
    let components = Section::new(
        COMPONENTS.0,
        COMPONENTS.1,
        "The share of the variance (of the centred sample) along each principal direction. A few \
         dominant directions, which often encode frequency rather than meaning, are what \
         all-but-the-top removes.",
    )
    .fact(
        "components for 50% of the variance",
        components_for(sample.components_for_half),
    )
    .fact(
        "components for 90% of the variance",
        components_for(sample.components_for_90_percent),
    )
    .fact(
        "largest share",
        sample
            .explained_variance
            .first()
            .map_or("–".into(), |v| num(*v, 4)),
    )
    .figure(
        Figure::new(
            "explained-variance",
            "Explained variance of the leading components",
            "component",
            "share of variance",
        )
        .caption("The share of each component and the running total.")
        .chart(Chart::Lines {
            series: vec![
                Series::new(
                    "share",
                    sample
                        .explained_variance
                        .iter()
                        .enumerate()
                        .map(|(i, v)| ((i + 1) as f64, *v)),
                ),
                Series::new(
                    "cumulative",
                    sample
                        .explained_variance
                        .iter()
                        .scan(0.0, |s, v| {
                            *s += v;
                            Some(*s)
                        })
                        .enumerate()
                        .map(|(i, v)| ((i + 1) as f64, v)),
                ),
            ],
            markers: true,
        }),
    );

    let scatter = Section::new(
        SCATTER.0,
        SCATTER.1,
        &format!(
            "The {} most frequent tokens projected on the first two principal directions of the \
             centred sample. Neighbours here are only a hint: two components keep a small share of \
             the variance.",
            sample.scatter.len()
        ),
    )
    .figure(
        Figure::new(
            "pca-scatter",
            "Most frequent tokens on the first two principal components",
            "PC 1",
            "PC 2",
        )
        .caption("Each point is a token, labelled; the axes are the two leading principal directions.")
        .chart(Chart::Scatter {
            groups: vec![PointGroup::new(
                "most frequent tokens",
                sample
                    .scatter
                    .iter()
                    .map(|p| Point::new(p.x, p.y, &label(&p.token)))
                    .collect(),
            )],
            lines: Vec::new(),
            arrows: Vec::new(),
        }),
    );
    [isotropy, components, scatter]
}

/// The same three sections on a table too small for them: what each would
/// show, why it is not computed, and the cosine of the two rows when there
/// are two (the one pair there is).
fn not_computed_sections(reason: &str, cosine_of_the_two_rows: Option<f64>) -> [Section; 3] {
    let mut isotropy = Section::new(
        ISOTROPY.0,
        ISOTROPY.1,
        "Anisotropy (the mean cosine of random pairs of distinct tokens) and the isotropy score of Mu & \
         Viswanath (2018), raw, centred and after all-but-the-top.",
    )
    .not_computed(reason);
    if let Some(cosine) = cosine_of_the_two_rows {
        isotropy = isotropy.fact("cosine of the two non-zero rows", num(cosine, 4));
    }
    let components = Section::new(
        COMPONENTS.0,
        COMPONENTS.1,
        "The share of the variance along each principal direction of the centred sample.",
    )
    .not_computed(reason);
    let scatter = Section::new(
        SCATTER.0,
        SCATTER.1,
        "The most frequent tokens projected on the first two principal directions of the centred sample.",
    )
    .not_computed(reason);
    [isotropy, components, scatter]
}

/// What the random-pair cosine histogram shows, in this table's numbers (whether
/// they make a cone is the isotropy claim's verdict, in the claims section).
fn pair_cosines_caption(geometry: &[Geometry]) -> String {
    let means: Vec<String> = geometry
        .iter()
        .map(|g| format!("{} {}", g.label, num(g.anisotropy.mean, 3)))
        .collect();
    format!(
        "Mean cosine of the pairs: {}. Directions spread evenly give 0; a cone, where every \
         vector shares one direction, shifts the cosines right.",
        means.join(", ")
    )
}

/// A token as a plot label: control characters made visible, at most 24 characters.
pub(crate) fn label(token: &str) -> String {
    let mut shown: String = token
        .chars()
        .map(|c| if c.is_control() { '�' } else { c })
        .take(24)
        .collect();
    if token.chars().count() > 24 {
        shown.push('…');
    }
    shown
}

/// `(log₁₀ rank, mean norm)` over `bins` equal-width bins of log rank (ranks from 1).
fn norms_by_log_rank(norms: &[f64], bins: usize) -> Vec<(f64, f64)> {
    let top = (norms.len().max(1) as f64).log10();
    let width = (top / bins as f64).max(f64::MIN_POSITIVE);
    let mut sums = vec![(0.0, 0usize); bins];
    for (i, norm) in norms.iter().enumerate() {
        let bin = (((i + 1) as f64).log10() / width).floor() as usize;
        let slot = &mut sums[bin.min(bins - 1)];
        slot.0 += norm;
        slot.1 += 1;
    }
    sums.iter()
        .enumerate()
        .filter(|(_, (_, count))| *count > 0)
        .map(|(b, (sum, count))| ((b as f64 + 0.5) * width, sum / *count as f64))
        .collect()
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::*;
    use crate::analyze::{DiagnoseParams, diagnose};
    use crate::embeddings::Embeddings;

    #[test]
    fn a_listed_token_reads_as_itself_and_no_two_read_alike() {
        let tokens = [
            "sat",
            " sat",
            "“ sat”",
            "",
            "a, b",
            "a  b",
            "“sat",
            "sat”",
            "\u{201c}",
        ];
        let shown: Vec<String> = tokens.iter().map(|t| listed(t)).collect();
        assert_eq!(shown[0], "sat");
        assert_eq!(shown[1], "“ sat”");
        assert_eq!(shown[2], "““ sat””");
        assert_eq!(shown[3], "“”");
        let mut distinct = shown.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), tokens.len(), "{shown:?}");
    }

    fn hostile_analysis() -> Analysis {
        let mut tokens: Vec<String> = (0..60).map(|i| format!("w{i}")).collect();
        tokens[0] = "<script>alert(1)</script>".into();
        tokens[1] = "\u{202e}evil|pipe\"quote".into();
        let vectors = Array2::from_shape_fn((60, 4), |(i, j)| ((i * 7 + j * 3) % 11) as f32 - 4.0 + j as f32);
        let (table, _) = Embeddings::new(tokens, vectors).unwrap();
        let diagnostics = diagnose(&table, &DiagnoseParams::default()).unwrap();
        let source = Source {
            path: "dir/<b>vectors.txt".into(),
            format: "word2vec".into(),
            file_bytes: 123,
            notes: vec!["tensor `<b>x`".into()],
            warnings: vec!["2 duplicate tokens <i>dropped</i>".into()],
        };
        Analysis::new(source, &diagnostics)
    }

    #[test]
    fn every_format_renders_and_tokens_are_escaped() {
        let analysis = hostile_analysis();
        let rendered = render(&analysis, &Format::ALL).unwrap();
        let html = String::from_utf8(rendered.get("analysis.html").unwrap().to_vec()).unwrap();
        assert!(!html.contains("<script>") && !html.contains("<b>vectors") && !html.contains("<i>dropped"));
        assert!(
            html.contains("tensor <code>&lt;b&gt;x</code>"),
            "notes are shown, escaped, code spans as code"
        );
        assert!(html.contains("&lt;b&gt;vectors.txt"));
        assert_eq!(html.matches("<img ").count(), 5);
        let markdown = String::from_utf8(rendered.get("analysis.md").unwrap().to_vec()).unwrap();
        assert!(markdown.contains("](figures/analyze-pca-scatter.png)"));
        assert!(!markdown.contains("<i>dropped"));
        let json: serde_json::Value = serde_json::from_slice(rendered.get("analysis.json").unwrap()).unwrap();
        assert_eq!(json["results"]["diagnostics"]["rows"], 60);
        assert!(json.get("compared_with").is_none(), "an analysis names one file");
        assert!(rendered.get("figures/analyze-norm-histogram.png").is_some());
    }

    #[test]
    fn claims_show_as_the_reports_table_of_verdicts() {
        use crate::analyze::{claims_section, measure_claims};
        let mut analysis = hostile_analysis();
        let (table, _) = Embeddings::new(
            vec!["king".into(), "<b>man".into(), "woman".into()],
            Array2::from_shape_fn((3, 2), |(i, j)| (i + 2 * j) as f32),
        )
        .unwrap();
        let claims = measure_claims(&table, "tiny.txt", 3);
        analysis.push("claims", &claims, claims_section(&claims, 3));
        let rendered = render(&analysis, &Format::ALL).unwrap();
        let html = String::from_utf8(rendered.get("analysis.html").unwrap().to_vec()).unwrap();
        let section = &html[html.find("id=\"claims\"").unwrap()..];
        let section = &section[..section.find("</section>").unwrap()];
        let untested = claims.iter().filter(|c| c.verdict.reason.is_some()).count();
        assert_eq!(section.matches("<span class=\"verdict ").count(), claims.len());
        assert_eq!(
            section.matches("<span class=\"verdict not-tested\">").count(),
            untested
        );
        assert!(
            section.contains("no row for <code>man</code>, <code>queen</code>"),
            "reasons set code as code: {section}"
        );
        // One table, and no part of a report to link to.
        assert!(!section.contains("<th>Table</th>"));
        assert!(!section.contains("-real\""), "no links to the report's parts");
        let markdown = String::from_utf8(rendered.get("analysis.md").unwrap().to_vec()).unwrap();
        assert!(markdown.contains("| Demo | Claim | Measured | | Threshold | Verdict |"));
        assert_eq!(markdown.matches("| **NOT TESTED** |").count(), untested);
    }

    #[test]
    fn two_paths_are_named_by_as_many_components_as_tell_them_apart() {
        let names = distinct_names;
        assert_eq!(names("x/a.npy", "y/b.npy"), ["a.npy", "b.npy"]);
        assert_eq!(
            names("runs/1/model.safetensors", "runs/2/model.safetensors"),
            ["1/model.safetensors", "2/model.safetensors"]
        );
        assert_eq!(
            names("model.npy", "old/model.npy"),
            ["model.npy", "old/model.npy"]
        );
        assert_eq!(names("ckpt/", "other/ckpt"), ["ckpt", "other/ckpt"]);
        assert_eq!(names("/x.npy", "y/x.npy"), ["/x.npy", "y/x.npy"]);
        assert_eq!(names("/data/t.npy", "/data/t.npy"), ["t.npy", "t.npy"]);
    }

    #[test]
    fn a_comparison_names_both_files_and_writes_comparison_files() {
        let source = |path: &str| Source {
            path: path.into(),
            format: "npy".into(),
            file_bytes: 1,
            notes: vec![format!("tensor of {path}")],
            warnings: Vec::new(),
        };
        let analysis = Analysis::comparison(source("<b>a.npy"), source("b.npy"));
        assert_eq!(analysis.title, "Comparison of <b>a.npy and b.npy");
        let rendered = render(&analysis, &Format::ALL).unwrap();
        assert!(rendered.get("analysis.html").is_none());
        let html = String::from_utf8(rendered.get("comparison.html").unwrap().to_vec()).unwrap();
        assert!(
            html.contains(
                "Generated by <code>embspace compare</code> from <code><bdi>&lt;b&gt;a.npy</bdi></code> \
                 (npy, 1 bytes) and <code><bdi>b.npy</bdi></code> (npy, 1 bytes)."
            ),
            "{html}"
        );
        assert!(html.contains("<code><bdi>b.npy</bdi></code>: <bdi>tensor of b.npy</bdi>"));
        let markdown = String::from_utf8(rendered.get("comparison.md").unwrap().to_vec()).unwrap();
        assert!(markdown.contains("> `b.npy`: tensor of b.npy"), "{markdown}");
        let json: serde_json::Value =
            serde_json::from_slice(rendered.get("comparison.json").unwrap()).unwrap();
        assert_eq!(json["compared_with"]["path"], "b.npy");
    }

    #[test]
    fn json_keeps_plain_arrays_on_one_line_and_reads_back_equal() {
        let value = serde_json::json!({
            "map": {"x": [1.5, -2.0], "lists": [[1, 2], [3]], "tokens": ["a,b", "[c]", "q\"]{"]},
            "empty": [], "none": {}, "rows": [{"a": 1}, {"b": [true, null]}],
        });
        let text = readable_json(&value);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), value);
        assert!(text.contains("\"x\": [1.5,-2.0]"), "{text}");
        assert!(
            text.contains("\"tokens\": [\"a,b\",\"[c]\",\"q\\\"]{\"]"),
            "{text}"
        );
        assert!(
            text.contains("\"lists\": [\n      [1,2],\n      [3]\n    ]"),
            "{text}"
        );
        assert!(
            text.contains("\"empty\": []") && text.contains("\"none\": {}"),
            "{text}"
        );
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn html_only_writes_no_figure_files() {
        let rendered = render(&hostile_analysis(), &[Format::Html]).unwrap();
        assert_eq!(rendered.files.len(), 1);
    }

    #[test]
    fn log_rank_bins_average_the_norms_they_hold() {
        // Ranks 1..=100, log₁₀ from 0 to 2: two bins hold ranks 1–9 and 10–100.
        let norms: Vec<f64> = (1..=100).map(|r| if r < 10 { 1.0 } else { 3.0 }).collect();
        let points = norms_by_log_rank(&norms, 2);
        assert_eq!(points, vec![(0.5, 1.0), (1.5, 3.0)]);
    }

    #[test]
    fn labels_show_control_characters_and_stay_short() {
        assert_eq!(label("a\u{7}b"), "a�b");
        assert_eq!(label(&"x".repeat(30)).chars().count(), 25);
    }
}
