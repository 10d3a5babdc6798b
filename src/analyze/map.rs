//! The map of `analyze`: the `--map N` most frequent non-zero rows laid out in
//! 2-D from their cosine neighbour graph, each with its exact top-10 cosine
//! neighbours, norm and cluster. `analysis.html` explores it
//! (`templates/map.js`), `analysis.json` carries it for reuse, and a static
//! PNG of the same layout keeps the page readable without scripts.

use base64::Engine as _;
use ndarray::Axis;
use serde::Serialize;

use crate::analyze::clusters::spherical_kmeans;
use crate::analyze::report::{Column, Section, Table, label, listed};
use crate::analyze::{MAP_NEIGHBOURS, MapMethod, UnitRows, knn_graph, pca_layout};
use crate::chart::{Chart, Figure, Point, PointGroup};
use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::format::fixed;
use crate::math::{UmapParams, umap_layout};

/// Neighbours listed for each mapped token (the graph keeps more for the layout).
pub const LISTED: usize = 10;
/// Tokens whose neighbours the page lists as a table, readable without scripts.
const TABLED: usize = 20;
/// Tokens labelled on the static PNG.
const LABELLED: usize = 25;

/// What to map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapParams {
    /// Rows to map: the first (most frequent) non-zero rows; 0 turns the map off.
    pub rows: usize,
    /// The layout method.
    pub method: MapMethod,
    /// Clusters to colour by (fewer on small maps).
    pub clusters: usize,
    /// Seed of every random choice (layout, clusters).
    pub seed: u64,
}

impl Default for MapParams {
    fn default() -> Self {
        MapParams {
            rows: 20_000,
            method: MapMethod::default(),
            clusters: 12,
            seed: 42,
        }
    }
}

/// A mapped table: index `i` of every list is the `i`-th mapped token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Map {
    /// How the layout was computed.
    pub method: MapMethod,
    /// The tokens, most frequent first.
    pub tokens: Vec<String>,
    /// Each token's row in the table (its frequency rank minus one).
    pub rows: Vec<u32>,
    /// Layout coordinates.
    pub x: Vec<f32>,
    /// Layout coordinates.
    pub y: Vec<f32>,
    /// Norm of each token's vector.
    pub norms: Vec<f32>,
    /// Each token's cluster (an index into `cluster_names`).
    pub clusters: Vec<u8>,
    /// Each cluster named by its three most frequent tokens.
    pub cluster_names: Vec<String>,
    /// Each token's exact top-10 cosine neighbours among the mapped tokens
    /// (indices into these lists), best first; all lists have one length
    /// (fewer than 10 only on a map of 10 tokens or fewer).
    pub neighbours: Vec<Vec<u32>>,
    /// Their cosines.
    pub scores: Vec<Vec<f32>>,
}

/// Maps the first `params.rows` non-zero rows of `table`.
///
/// # Errors
/// [`Error::Parameter`] when fewer than 3 non-zero rows are available, or
/// `params.clusters` is 0.
pub fn build_map(table: &Embeddings, params: &MapParams) -> Result<Map> {
    let vectors = table.vectors();
    let chosen: Vec<usize> = (0..table.len())
        .filter(|&r| vectors.row(r).iter().any(|&v| v != 0.0))
        .take(params.rows)
        .collect();
    if chosen.len() < 3 {
        return Err(Error::parameter(
            "--map",
            format!("a map needs at least 3 non-zero rows, found {}", chosen.len()),
        ));
    }
    if params.clusters == 0 {
        return Err(Error::parameter("clusters", "at least one cluster is needed"));
    }
    let unit = UnitRows::from_owned(vectors.select(Axis(0), &chosen));
    // umap-learn's 15 neighbours with the row itself, fewer on a map of 15 rows or fewer.
    let graph = knn_graph(&unit, MAP_NEIGHBOURS.min(chosen.len() - 1))?;
    let clusters = params
        .clusters
        .min(chosen.len().div_ceil(50))
        .clamp(1, u8::MAX as usize);
    // The clustering (serial) runs beside the layout (parallel where it can be).
    let (layout, assignment) = std::thread::scope(|scope| {
        let assignment = scope.spawn(|| spherical_kmeans(unit.view(), clusters, params.seed));
        let layout = match params.method {
            MapMethod::Umap => umap_layout(&graph, &UmapParams::default(), params.seed),
            MapMethod::Pca => pca_layout(&unit),
        };
        let assignment = assignment
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (layout, assignment)
    });
    let layout = layout?;
    let cluster_names = (0..clusters)
        .map(|c| {
            let members: Vec<&str> = assignment
                .iter()
                .zip(&chosen)
                .filter(|&(&a, _)| usize::from(a) == c)
                .take(3)
                .map(|(_, &r)| table.tokens()[r].as_str())
                .collect();
            members.join(" · ")
        })
        .collect();
    Ok(Map {
        method: params.method,
        tokens: chosen.iter().map(|&r| table.tokens()[r].clone()).collect(),
        rows: chosen.iter().map(|&r| r as u32).collect(),
        x: layout.column(0).to_vec(),
        y: layout.column(1).to_vec(),
        norms: chosen
            .iter()
            .map(|&r| {
                vectors
                    .row(r)
                    .iter()
                    .map(|&v| f64::from(v) * f64::from(v))
                    .sum::<f64>()
                    .sqrt() as f32
            })
            .collect(),
        clusters: assignment,
        cluster_names,
        neighbours: graph
            .indices()
            .rows()
            .into_iter()
            .map(|row| row.iter().take(LISTED).copied().collect())
            .collect(),
        scores: graph
            .similarities()
            .rows()
            .into_iter()
            .map(|row| row.iter().take(LISTED).copied().collect())
            .collect(),
    })
}

/// The map section's id and title.
const ID: &str = "map";
const TITLE: &str = "Map of the embedding space";

impl Map {
    /// The map section of a table too small for a map, saying why.
    pub fn not_computed_section(reason: &str) -> Section {
        Section::new(
            ID,
            TITLE,
            "The most frequent non-zero tokens laid out in two dimensions from their cosine neighbours.",
        )
        .not_computed(reason)
    }

    /// The section of the report: prose, facts, the static PNG of the layout
    /// and the neighbours of the most frequent tokens as a table.
    pub fn section(&self) -> Section {
        let n = self.tokens.len();
        let method = match self.method {
            MapMethod::Umap => {
                "UMAP (McInnes, Healy & Melville 2018) on the exact cosine 15-nearest-neighbour graph"
            }
            MapMethod::Pca => "the first two principal components of the unit rows",
        };
        let mut section = Section::new(
            ID,
            TITLE,
            &format!(
                "The {n} most frequent non-zero tokens, laid out in two dimensions by {method}. In the \
                 interactive map, drag to pan, scroll or pinch to zoom, hover a point for its token, and \
                 click it (or search for a token) to list its 10 nearest neighbours by cosine in the full \
                 space (exact, among the mapped tokens): 2-D distance is only a guide. Points are \
                 coloured by frequency rank, norm or cluster (spherical k-means on the unit vectors, \
                 each cluster named by its three most frequent tokens). Where scripts do not run, the \
                 figure shows the same layout and the table lists the neighbours of the most frequent \
                 tokens."
            ),
        )
        .fact("tokens mapped", n)
        .fact("layout", method)
        .fact("clusters", self.cluster_names.len())
        .figure(self.figure());
        section = section.table(Table {
            caption: format!(
                "Nearest neighbours of the {} most frequent mapped tokens",
                TABLED.min(n)
            ),
            columns: ["token", "nearest neighbours (cosine)"]
                .map(String::from)
                .to_vec(),
            kinds: vec![Column::Token, Column::Text],
            rows: (0..TABLED.min(n))
                .map(|i| {
                    let listed = self.neighbours[i]
                        .iter()
                        .zip(&self.scores[i])
                        .map(|(&j, &s)| {
                            format!("{} {}", listed(&self.tokens[j as usize]), fixed(f64::from(s), 3))
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    vec![self.tokens[i].clone(), listed]
                })
                .collect(),
        });
        section
    }

    /// The static map: every point, the most frequent labelled.
    fn figure(&self) -> Figure {
        let point = |i: usize, label: &str| Point::new(f64::from(self.x[i]), f64::from(self.y[i]), label);
        let shown = LABELLED.min(self.tokens.len());
        let groups = vec![
            PointGroup::new(
                "mapped tokens",
                (shown..self.tokens.len()).map(|i| point(i, "")).collect(),
            ),
            PointGroup::new(
                &format!("the {shown} most frequent"),
                (0..shown).map(|i| point(i, &label(&self.tokens[i]))).collect(),
            ),
        ];
        Figure::new("map", "Map of the most frequent tokens", "map x", "map y")
            .caption("The layout of the interactive map; the most frequent tokens are labelled.")
            .chart(Chart::Scatter {
                groups,
                lines: Vec::new(),
                arrows: Vec::new(),
            })
    }

    /// The map as the page reads it: little-endian arrays in base64 and the
    /// tokens as JSON made safe inside a `<script>` element.
    pub(crate) fn packed(&self) -> PackedMap {
        fn base64<T: Copy>(values: impl IntoIterator<Item = T>, bytes: fn(T) -> [u8; 4]) -> String {
            let raw: Vec<u8> = values.into_iter().flat_map(bytes).collect();
            base64::engine::general_purpose::STANDARD.encode(raw)
        }
        let meta = serde_json::json!({ "k": self.neighbours[0].len(), "clusters": self.cluster_names });
        PackedMap {
            tokens: script_json(&serde_json::to_string(&self.tokens).expect("strings serialise")),
            meta: script_json(&meta.to_string()),
            xy: base64(
                self.x.iter().zip(&self.y).flat_map(|(&x, &y)| [x, y]),
                f32::to_le_bytes,
            ),
            neighbours: base64(self.neighbours.iter().flatten().copied(), u32::to_le_bytes),
            scores: base64(self.scores.iter().flatten().copied(), f32::to_le_bytes),
            norms: base64(self.norms.iter().copied(), f32::to_le_bytes),
            rows: base64(self.rows.iter().copied(), u32::to_le_bytes),
            clusters: base64::engine::general_purpose::STANDARD.encode(&self.clusters),
            script: SCRIPT,
        }
    }
}

/// The page's script: pan, zoom, hover, search, pin and colour.
const SCRIPT: &str = include_str!("../../templates/map.js");

/// JSON that can sit inside `<script type="application/json">`: `<`, `>` and
/// `&` become `\u` escapes, so no token can close the element or open a comment.
fn script_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The map's data for `analysis.html` (see `templates/map.js`).
#[derive(Debug, Serialize)]
pub(crate) struct PackedMap {
    /// `templates/map.js`, inserted as it is (it holds no `</script`; a test checks).
    script: &'static str,
    tokens: String,
    meta: String,
    xy: String,
    neighbours: String,
    scores: String,
    norms: String,
    rows: String,
    clusters: String,
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use ndarray::Array2;

    use super::*;

    /// Three tight groups of 20 rows around orthogonal directions, one zero row first.
    fn grouped() -> Embeddings {
        let tokens = (0..61).map(|i| format!("t{i}")).collect();
        let vectors = Array2::from_shape_fn((61, 6), |(i, j)| {
            if i == 0 {
                0.0
            } else {
                let group = (i - 1) / 20;
                (if j == 2 * group { 2.0 } else { 0.0 }) + 0.05 * (((i * 7 + j * 3) % 11) as f32 - 5.0) / 5.0
            }
        });
        Embeddings::new(tokens, vectors).unwrap().0
    }

    fn decode(text: &str) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD.decode(text).unwrap()
    }

    #[test]
    fn the_map_skips_zero_rows_and_lists_exact_neighbours() {
        let table = grouped();
        let map = build_map(
            &table,
            &MapParams {
                method: MapMethod::Pca,
                ..MapParams::default()
            },
        )
        .unwrap();
        assert_eq!(map.tokens.len(), 60);
        assert_eq!((map.tokens[0].as_str(), map.rows[0]), ("t1", 1));
        // Every listed neighbour is in the token's own group, scores best first.
        for (i, (list, scores)) in map.neighbours.iter().zip(&map.scores).enumerate() {
            assert_eq!(list.len(), LISTED);
            assert!(list.iter().all(|&j| j as usize / 20 == i / 20 && j as usize != i));
            assert!(scores.windows(2).all(|w| w[0] >= w[1]));
        }
        let expected = table.vectors().row(5).dot(&table.vectors().row(5)).sqrt();
        assert!((map.norms[4] - expected).abs() < 1e-6);
        assert!(
            map.clusters
                .iter()
                .all(|&c| usize::from(c) < map.cluster_names.len())
        );
    }

    #[test]
    fn the_packed_arrays_decode_to_the_map() {
        let map = build_map(
            &grouped(),
            &MapParams {
                method: MapMethod::Pca,
                ..MapParams::default()
            },
        )
        .unwrap();
        let packed = map.packed();
        let floats = |text: &str| -> Vec<f32> {
            decode(text)
                .chunks(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
                .collect()
        };
        let ints = |text: &str| -> Vec<u32> {
            decode(text)
                .chunks(4)
                .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
                .collect()
        };
        let xy = floats(&packed.xy);
        assert_eq!((xy[0], xy[1], xy.len()), (map.x[0], map.y[0], 120));
        assert_eq!(ints(&packed.neighbours), map.neighbours.concat());
        assert_eq!(floats(&packed.scores), map.scores.concat());
        assert_eq!(ints(&packed.rows), map.rows);
        assert_eq!(decode(&packed.clusters), map.clusters);
        let tokens: Vec<String> = serde_json::from_str(&packed.tokens).unwrap();
        assert_eq!(tokens, map.tokens);
    }

    #[test]
    fn tokens_cannot_close_the_script_element_they_sit_in() {
        let hostile = r#"</script><script>alert(1)</script><!-- & "quoted""#;
        let json = script_json(&serde_json::to_string(&[hostile]).unwrap());
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
        assert_eq!(serde_json::from_str::<Vec<String>>(&json).unwrap(), [hostile]);
        assert!(!SCRIPT.to_ascii_lowercase().contains("</script"));
    }

    #[test]
    fn a_map_needs_three_non_zero_rows() {
        let (table, _) = Embeddings::new(
            vec!["a".into(), "b".into(), "c".into()],
            ndarray::array![[1.0f32, 0.0], [0.0, 0.0], [0.0, 1.0]],
        )
        .unwrap();
        let error = build_map(&table, &MapParams::default()).unwrap_err();
        assert!(
            error.to_string().contains("at least 3 non-zero rows, found 2"),
            "{error}"
        );
    }

    #[test]
    fn methods_parse_by_name() {
        assert_eq!("pca".parse::<MapMethod>().unwrap(), MapMethod::Pca);
        assert_eq!("umap".parse::<MapMethod>().unwrap(), MapMethod::Umap);
        assert!(
            "tsne"
                .parse::<MapMethod>()
                .unwrap_err()
                .to_string()
                .contains("`umap` or `pca`")
        );
    }
}
