//! The report as data: every demo record plus a summary. This is exactly what
//! `report.json` contains and what the templates see.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::demos::Demo;
use crate::record::DemoRecord;

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
    /// Every demo's record, in report order.
    pub demos: Vec<DemoRecord>,
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
        // Each demo seeds its own generator, so running them in parallel keeps
        // every record identical; `collect` keeps the input order.
        let records = demos
            .par_iter()
            .enumerate()
            .map(|(i, d)| d.record(i + 1))
            .collect();
        Report::from_records(records)
    }

    /// Build a report from records that were already produced.
    pub fn from_records(demos: Vec<DemoRecord>) -> Report {
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
            },
            seed_map,
            demos,
        }
    }
}
