//! The textbook claims about trained embeddings, measured on the user's
//! table: the demos' "On real embeddings" parts run on it (one
//! implementation, shared with `embspace report --vectors`), and their
//! verdicts become a section of the analysis.

use std::sync::Arc;

use ndarray::s;

use crate::analyze::report::Section;
use crate::demos::{ALL, Demo};
use crate::embeddings::Embeddings;
use crate::real::{RealTable, widened};
use crate::record::Status;
use crate::report::{DemoVerdict, Report};

/// Runs every demo's real part on the first `rows` rows of `table` (the
/// most frequent tokens) and returns the verdicts in report order. Demos
/// without a real part are not run.
pub fn measure_claims(table: &Embeddings, name: &str, rows: usize) -> Vec<DemoVerdict> {
    let n = rows.min(table.len());
    let about = format!("the {n} most frequent rows");
    let head = widened(table.vectors().slice(s![..n, ..]));
    let real = RealTable::new(name, &about, table.tokens()[..n].to_vec(), head)
        .expect("one token per row of the head");
    let demos: Vec<Demo> = ALL.iter().filter(|d| d.has_real_part()).copied().collect();
    let report = Report::run_on(&demos, Some(&[Arc::new(real)]));
    report.verdicts().collect()
}

/// The section listing every verdict.
pub fn claims_section(verdicts: &[DemoVerdict], rows: usize) -> Section {
    let count = |status| verdicts.iter().filter(|v| v.verdict.status == status).count();
    Section::new(
        "claims",
        "Textbook claims",
        &format!(
            "What the literature says trained embeddings do, measured on the {rows} most frequent rows by \
             the same code as the report's parts \"On real embeddings\" (`embspace report --vectors FILE` \
             shows each measurement with its prose, transcript and figures). A verdict is a finding \
             about this table, not a failure: GloVe, for one, holds most of these claims and the token \
             embeddings of all-MiniLM-L6-v2 do not form a cone. A claim is not tested when the table lacks \
             the words it needs, or has fewer than 3 rows with a direction or one dimension."
        ),
    )
    .fact("hold", count(Status::Holds))
    .fact("do not hold", count(Status::DoesNotHold))
    .fact("not tested", count(Status::NotTested))
    .verdicts(verdicts.to_vec())
}
