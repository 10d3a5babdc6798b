//! The report as data: every demo record plus a summary. This is exactly what
//! `report.json` contains and what the templates see.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use std::sync::Arc;

use crate::demos::Demo;
use crate::real::{RealTable, shipped};
use crate::record::{DemoRecord, Status, Verdict};
use crate::report::references::{self, Work};

/// A verdict with the demo whose real part measured it: a row of the report's
/// table of claims and of `analyze`'s section "Textbook claims".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoVerdict {
    /// The demo's id (its section in the report).
    pub demo: String,
    /// The demo's title.
    pub demo_title: String,
    /// The verdict, as the demo records it.
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// Counts of demos and checks, and which demos failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Number of demos run.
    pub demos: usize,
    /// Demos whose checks all passed and that raised no error.
    pub demos_passed: usize,
    /// Number of checks run.
    pub checks: usize,
    /// Checks that passed.
    pub checks_passed: usize,
    /// Ids of failing demos, in report order.
    pub failed: Vec<String>,
    /// True when everything passed.
    pub all_passed: bool,
    /// Verdicts of the claims measured on real tables, by kind.
    pub verdicts: VerdictCounts,
}

/// How many claims hold, do not hold, or could not be tested.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VerdictCounts {
    /// Claims that hold.
    pub holds: usize,
    /// Claims that do not hold.
    pub does_not_hold: usize,
    /// Claims not tested (the table lacks what they need).
    pub not_tested: usize,
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Heading of the report.
    pub title: String,
    /// Totals.
    pub summary: Summary,
    /// For each seed-notebook demo number, the id of the demo where its check now lives.
    pub seed_map: BTreeMap<u32, String>,
    /// The tables the real parts measured: name and where they came from.
    pub tables: Vec<(String, String)>,
    /// Every demo's record, in report order.
    pub demos: Vec<DemoRecord>,
    /// The works the demos and the tables' descriptions cite.
    pub references: Vec<Work>,
}

impl Report {
    /// Run the given demos (numbered in the order given) and collect their records.
    ///
    /// # Examples
    /// ```
    /// let demo = embspace::demos::find("one_hot_lookup").unwrap();
    /// let report = embspace::report::Report::run(&[*demo]);
    /// assert!(report.summary.all_passed);
    /// assert_eq!(report.seed_map[&2], "one_hot_lookup");
    /// ```
    pub fn run(demos: &[Demo]) -> Report {
        Report::run_on(demos, None)
    }

    /// Run the given demos with their real parts on `tables` (the shipped
    /// tables when `None`), as `embspace report --vectors` does.
    pub fn run_on(demos: &[Demo], tables: Option<&[Arc<RealTable>]>) -> Report {
        // Each demo seeds its own generator, so running them in parallel keeps
        // every record identical; `collect` keeps the input order.
        let records = demos
            .par_iter()
            .enumerate()
            .map(|(i, d)| d.record_on(i + 1, tables))
            .collect();
        Report::from_records(records, tables)
    }

    /// Every verdict of every demo's real part, in report order, with its demo.
    pub fn verdicts(&self) -> impl Iterator<Item = DemoVerdict> + '_ {
        self.demos.iter().flat_map(|d| {
            d.verdicts().map(|v| DemoVerdict {
                demo: d.id.clone(),
                demo_title: d.title.clone(),
                verdict: v.clone(),
            })
        })
    }

    /// Build a report from records that were already produced, with their
    /// real parts measured on `tables` (the shipped ones when `None`).
    pub fn from_records(demos: Vec<DemoRecord>, tables: Option<&[Arc<RealTable>]>) -> Report {
        let verdicts =
            demos
                .iter()
                .flat_map(DemoRecord::verdicts)
                .fold(VerdictCounts::default(), |mut n, v| {
                    match v.status {
                        Status::Holds => n.holds += 1,
                        Status::DoesNotHold => n.does_not_hold += 1,
                        Status::NotTested => n.not_tested += 1,
                    }
                    n
                });
        let tables: Vec<(String, String)> = tables
            .unwrap_or(shipped())
            .iter()
            .map(|t| (t.name().to_string(), t.about().to_string()))
            .collect();
        let references = references::cited_in(
            demos
                .iter()
                .flat_map(DemoRecord::cited_texts)
                .chain(tables.iter().map(|t| t.1.as_str())),
        )
        .into_iter()
        .copied()
        .collect();
        let checks = demos.iter().map(|d| d.all_checks().count()).sum();
        let checks_passed = demos
            .iter()
            .flat_map(DemoRecord::all_checks)
            .filter(|c| c.passed)
            .count();
        let failed: Vec<String> = demos
            .iter()
            .filter(|d| !d.passed())
            .map(|d| d.id.clone())
            .collect();
        let seed_map = demos
            .iter()
            .flat_map(|d| d.seed_demos.iter().map(|&n| (n, d.id.clone())))
            .collect();
        Report {
            title: "Embedding Space Math".into(),
            summary: Summary {
                demos: demos.len(),
                demos_passed: demos.len() - failed.len(),
                checks,
                checks_passed,
                all_passed: failed.is_empty(),
                failed,
                verdicts,
            },
            seed_map,
            tables,
            demos,
            references,
        }
    }
}
