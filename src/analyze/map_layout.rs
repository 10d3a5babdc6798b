//! The map's 2-D layouts of a table's unit rows: UMAP on the exact cosine
//! k-nearest-neighbour graph ([`knn_graph`] + [`umap_layout`]), or the
//! first two principal components, the cheap one.

use std::str::FromStr;

use ndarray::{Array2, Axis, s};

use crate::analyze::{UnitRows, UnitVectors, knn_graph};
use crate::error::{Error, Result};
use crate::math::{KnnGraph, UmapParams, covariance, symmetric_eigen, umap_layout};

/// Neighbours per row in the map's graph besides the row itself:
/// umap-learn's default `n_neighbors = 15` counts the row too.
pub const MAP_NEIGHBOURS: usize = 14;
/// Rows in the principal-component sample: the first ones, the most frequent
/// tokens in the usual formats (the diagnostics' rule).
const PCA_SAMPLE: usize = 10_000;

/// How the map places the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MapMethod {
    /// UMAP on the exact cosine kNN graph.
    #[default]
    Umap,
    /// The first two principal components of the unit rows.
    Pca,
}

impl FromStr for MapMethod {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        match name {
            "umap" => Ok(MapMethod::Umap),
            "pca" => Ok(MapMethod::Pca),
            other => Err(Error::parameter(
                "--map-method",
                format!("expected `umap` or `pca`, found `{other}`"),
            )),
        }
    }
}

/// A map: the rows' coordinates and the graph of their nearest neighbours
/// (the page lists a pinned row's neighbours from it, whatever the method).
#[derive(Debug, Clone)]
pub struct MapLayout {
    /// Every row's [`MAP_NEIGHBOURS`] nearest rows by cosine.
    pub graph: KnnGraph,
    /// `n × 2` coordinates, in row order.
    pub coordinates: Array2<f32>,
}

/// Lays out the rows of `unit` by `method`; `seed` fixes UMAP's random choices.
///
/// # Errors
/// [`Error::Parameter`] when the table has no more rows than
/// [`MAP_NEIGHBOURS`] or fewer than 2 columns; [`Error::Numerical`] if the
/// principal axes cannot be computed.
pub fn map_layout(unit: &UnitRows, method: MapMethod, params: &UmapParams, seed: u64) -> Result<MapLayout> {
    let graph = knn_graph(unit, MAP_NEIGHBOURS)?;
    let coordinates = match method {
        MapMethod::Umap => umap_layout(&graph, params, seed)?,
        MapMethod::Pca => pca_layout(unit)?,
    };
    Ok(MapLayout { graph, coordinates })
}

/// The rows on the first two principal axes of a sample of them (the first
/// 10 000 rows, widened to `f64`), centred on the sample's mean.
/// Each axis points so that its largest-magnitude entry is positive.
///
/// # Errors
/// [`Error::Parameter`] for fewer than 3 rows or 2 columns;
/// [`Error::Numerical`] if the eigensolver fails.
pub fn pca_layout(unit: &UnitRows) -> Result<Array2<f32>> {
    if unit.len() < 3 || unit.dim() < 2 {
        return Err(Error::parameter(
            "table",
            format!(
                "a PCA map needs at least 3 rows of dimension 2, found {} × {}",
                unit.len(),
                unit.dim()
            ),
        ));
    }
    let sample = unit
        .view()
        .slice(s![..PCA_SAMPLE.min(unit.len()), ..])
        .mapv(f64::from);
    let mean = sample.mean_axis(Axis(0)).expect("the sample has rows");
    let (_, axes) = symmetric_eigen("principal axes of the map", covariance(sample.view())?.view())?;
    let mut plane = axes.slice(s![.., ..2]).to_owned();
    for mut axis in plane.columns_mut() {
        let pivot = axis
            .iter()
            .fold(0.0f64, |best, &v| if v.abs() > best.abs() { v } else { best });
        if pivot < 0.0 {
            axis.mapv_inplace(|v| -v);
        }
    }
    let shift = mean.dot(&plane);
    let mut layout = Array2::<f32>::zeros((unit.len(), 2));
    for (row, mut out) in unit.view().rows().into_iter().zip(layout.rows_mut()) {
        for c in 0..2 {
            let along: f64 = row
                .iter()
                .zip(plane.column(c))
                .map(|(&x, &a)| f64::from(x) * a)
                .sum();
            out[c] = (along - shift[c]) as f32;
        }
    }
    Ok(layout)
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::*;

    /// Rows spread along two orthogonal directions, the second narrower and
    /// unrelated to the first: the PCA map's x follows the wide direction
    /// (pointing the way of its largest entry, here +) and spreads wider than y.
    #[test]
    fn the_pca_map_lays_the_widest_direction_along_x() {
        let x = Array2::from_shape_fn((200, 3), |(i, j)| match j {
            0 => 1.0,
            1 => 0.8 * (i as f32 / 199.0 - 0.5),
            _ => 0.3 * ((i * 37 % 200) as f32 / 199.0 - 0.5),
        });
        let unit = UnitRows::new(x.view());
        let layout = pca_layout(&unit).unwrap().mapv(f64::from);
        let wide = unit.view().column(1).mapv(f64::from);
        assert!(crate::math::pearson(layout.column(0), wide.view()).unwrap() > 0.99);
        let spread = |c: usize| layout.column(c).iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(spread(0) > 2.0 * spread(1));
    }

    #[test]
    fn methods_parse_by_name() {
        assert_eq!("umap".parse::<MapMethod>().unwrap(), MapMethod::Umap);
        assert_eq!("pca".parse::<MapMethod>().unwrap(), MapMethod::Pca);
        assert!("tsne".parse::<MapMethod>().is_err());
    }

    #[test]
    fn a_map_keeps_the_graph_whatever_the_method() {
        let x = Array2::from_shape_fn((40, 4), |(i, j)| ((i * 7 + j * 3) % 11) as f32 + 0.1 * j as f32);
        let unit = UnitRows::new(x.view());
        let pca = map_layout(&unit, MapMethod::Pca, &UmapParams::default(), 1).unwrap();
        let umap = map_layout(&unit, MapMethod::Umap, &UmapParams::default(), 1).unwrap();
        assert_eq!(pca.graph, umap.graph);
        assert_eq!(pca.graph.k(), MAP_NEIGHBOURS);
        assert_eq!(
            (pca.coordinates.dim(), umap.coordinates.dim()),
            ((40, 2), (40, 2))
        );
        assert!(pca_layout(&UnitRows::new(Array2::<f32>::ones((2, 3)).view())).is_err());
    }
}
