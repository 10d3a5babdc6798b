//! The textbook claims about trained embeddings, measured on the user's
//! table: the demos' "On real embeddings" parts run on it (one
//! implementation, shared with `embspace report --vectors`), and their
//! verdicts become a section of the analysis.

use std::sync::Arc;

use ndarray::s;
use serde::Serialize;

use crate::analyze::report::{Section, Table};
use crate::demos::ALL;
use crate::embeddings::Embeddings;
use crate::format::fixed;
use crate::real::RealTable;
use crate::record::{Relation, Status, Value};
use crate::report::Report;

/// One claim's verdict on the user's table, with the demo that measures it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimVerdict {
    /// The demo's id (its section in the report).
    pub demo: String,
    /// The claim.
    pub claim: String,
    /// Who made it.
    pub source: String,
    /// `HOLDS`, `DOES NOT HOLD` or `NOT TESTED`.
    pub status: Status,
    /// The measured value, when tested.
    pub measured: Option<f64>,
    /// How the value must relate to the threshold for the claim to hold.
    pub relation: Relation,
    /// The threshold.
    pub threshold: f64,
    /// Why the claim was not tested.
    pub reason: Option<String>,
}

/// Runs every demo's real part on the first `rows` rows of `table` (the
/// most frequent tokens) and returns the verdicts in report order.
pub fn measure_claims(table: &Embeddings, name: &str, rows: usize) -> Vec<ClaimVerdict> {
    let n = rows.min(table.len());
    let about = format!("the {n} most frequent rows");
    let head = table.vectors().slice(s![..n, ..]).to_owned();
    let real = RealTable::new(name, &about, table.tokens()[..n].to_vec(), head)
        .expect("one token per row of the head");
    let report = Report::run_on(ALL, Some(&[Arc::new(real)]));
    let number = |v: &Value| match v {
        Value::Number(x) => *x,
        Value::Text(_) => f64::NAN,
    };
    report
        .demos
        .iter()
        .flat_map(|d| {
            d.real
                .iter()
                .flat_map(move |r| r.verdicts.iter().map(move |v| (d, v)))
        })
        .map(|(d, v)| ClaimVerdict {
            demo: d.id.clone(),
            claim: v.claim.clone(),
            source: v.source.clone(),
            status: v.status,
            measured: v.measured.as_ref().map(number),
            relation: v.relation,
            threshold: number(&v.threshold),
            reason: v.reason.clone(),
        })
        .collect()
}

/// The section listing every verdict.
pub fn claims_section(verdicts: &[ClaimVerdict], rows: usize) -> Section {
    let count = |status| verdicts.iter().filter(|v| v.status == status).count();
    Section::new(
        "claims",
        "Textbook claims",
        &format!(
            "What the literature says trained embeddings do, measured on the {rows} most frequent rows by \
             the same code as the report's parts \"On real embeddings\" (`embspace report --vectors FILE` \
             shows each measurement with its prose, transcript and figures). A verdict is a finding \
             about this table, not a failure: GloVe, for one, holds most of these claims and the token \
             embeddings of all-MiniLM-L6-v2 do not form a cone. A claim is not tested when the table lacks \
             the words it needs."
        ),
    )
    .fact("hold", count(Status::Holds))
    .fact("do not hold", count(Status::DoesNotHold))
    .fact("not tested", count(Status::NotTested))
    .table(Table {
        caption: "Verdicts".into(),
        columns: ["demo", "claim", "source", "measured", "", "threshold", "verdict"]
            .map(String::from)
            .to_vec(),
        numeric: vec![false, false, false, true, false, true, false],
        rows: verdicts
            .iter()
            .map(|v| {
                vec![
                    v.demo.clone(),
                    v.claim.clone(),
                    v.source.clone(),
                    v.measured
                        .map_or_else(|| v.reason.clone().unwrap_or_default(), |m| fixed(m, 4)),
                    v.relation.symbol().into(),
                    fixed(v.threshold, 4),
                    v.status.label().into(),
                ]
            })
            .collect(),
    })
}
