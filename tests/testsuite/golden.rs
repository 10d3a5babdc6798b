//! Golden files: the committed `reports/` directory is the golden copy.
//!
//! Every demo's record (transcript + checks + figure list), the rendered
//! `report.md` and every PNG (byte for byte: rendering is deterministic) must
//! equal what is committed. To accept a change, run `UPDATE_GOLDEN=1 cargo test`
//! (or `cargo run report`) and read the diff before committing.

use std::fs;
use std::path::{Path, PathBuf};

use embspace::record::Value;
use embspace::report::{Format, Rendered, Report, write_atomically};
use serde_json::Value as Json;

use crate::REPORT;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("reports")
}

/// The first line where two texts differ, cut to the neighbourhood of the
/// first differing character so long lines stay readable.
fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let i = (0..e.len().max(a.len()))
        .find(|&i| e.get(i) != a.get(i))
        .unwrap_or(0);
    let (el, al) = (
        e.get(i).copied().unwrap_or("<end of file>"),
        a.get(i).copied().unwrap_or("<end of file>"),
    );
    let at = el.chars().zip(al.chars()).take_while(|(x, y)| x == y).count();
    let window = |line: &str| -> String {
        let start = at.saturating_sub(40);
        let cut: String = line.chars().skip(start).take(100).collect();
        if start > 0 { format!("…{cut}") } else { cut }
    };
    format!(
        "line {}, column {}:\n    golden: {}\n    now:    {}",
        i + 1,
        at + 1,
        window(el),
        window(al)
    )
}

/// Every difference between a rendered report and the golden directory.
fn mismatches(rendered: &Rendered, golden: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let read = |name: &str| fs::read(golden.join(name)).unwrap_or_default();

    // Records, demo by demo, so a failure names the demo.
    let ours: Json =
        serde_json::from_slice(rendered.get("report.json").expect("JSON rendered")).expect("our JSON parses");
    let theirs: Json = serde_json::from_slice(&read("report.json")).unwrap_or(Json::Null);
    let by_id = |report: &Json| -> Vec<(String, Json)> {
        report["demos"]
            .as_array()
            .map(|demos| {
                demos
                    .iter()
                    .map(|d| (d["id"].as_str().unwrap_or("?").to_owned(), d.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let golden_demos = by_id(&theirs);
    for (id, demo) in by_id(&ours) {
        match golden_demos.iter().find(|(gid, _)| *gid == id) {
            None => problems.push(format!("demo `{id}` has no golden record")),
            Some((_, golden)) if *golden != demo => {
                let (g, d) = (
                    serde_json::to_string_pretty(golden).unwrap(),
                    serde_json::to_string_pretty(&demo).unwrap(),
                );
                problems.push(format!(
                    "demo `{id}` differs from its golden record at {}",
                    first_difference(&g, &d)
                ));
            }
            Some(_) => {}
        }
    }
    if ours != theirs && problems.is_empty() {
        let (g, d) = (
            serde_json::to_string_pretty(&theirs).unwrap(),
            serde_json::to_string_pretty(&ours).unwrap(),
        );
        problems.push(format!("report.json differs at {}", first_difference(&g, &d)));
    }

    // The rendered Markdown.
    let markdown =
        String::from_utf8_lossy(rendered.get("report.md").expect("Markdown rendered")).into_owned();
    let golden_markdown = String::from_utf8_lossy(&read("report.md")).into_owned();
    if markdown != golden_markdown {
        problems.push(format!(
            "report.md differs at {}",
            first_difference(&golden_markdown, &markdown)
        ));
    }

    // Figures, byte for byte, and no stale figure left in the golden directory.
    let mut produced = Vec::new();
    for (path, bytes) in rendered
        .files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "png"))
    {
        produced.push(golden.join(path));
        if read(path.to_str().unwrap()) != *bytes {
            problems.push(format!("figure {} differs from its golden PNG", path.display()));
        }
    }
    if let Ok(entries) = fs::read_dir(golden.join("figures")) {
        for path in entries.filter_map(|e| e.ok()).map(|e| e.path()) {
            if !produced.contains(&path) {
                problems.push(format!("golden figure {} is no longer produced", path.display()));
            }
        }
    }
    problems
}

#[test]
fn the_report_matches_the_committed_goldens() {
    let (_, rendered) = &*REPORT;
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI never writes goldens: unset UPDATE_GOLDEN"
        );
        write_atomically(&golden_dir(), rendered, true).expect("goldens written");
        eprintln!(
            "goldens rewritten in {}: review `git diff reports/` before committing",
            golden_dir().display()
        );
        return;
    }
    let problems = mismatches(rendered, &golden_dir());
    assert!(
        problems.is_empty(),
        "{} golden mismatch(es); if the change is intended, run `UPDATE_GOLDEN=1 cargo test` and review the diff:\n  - {}",
        problems.len(),
        problems.join("\n  - ")
    );
}

#[test]
fn a_one_digit_change_in_a_value_fails_the_golden_comparison() {
    let (report, _) = &*REPORT;
    let mut changed = report.clone();
    let check = changed
        .demos
        .iter_mut()
        .flat_map(|d| d.checks.iter_mut())
        .find(|c| matches!(c.got, Value::Number(_)))
        .expect("some check compares numbers");
    let Value::Number(x) = check.got else {
        unreachable!()
    };
    check.got = Value::Number(x + 1e-6);
    let rendered = embspace::report::render(
        &Report::from_records(changed.demos, None),
        &[Format::Markdown, Format::Json],
    )
    .unwrap();
    let problems = mismatches(&rendered, &golden_dir());
    assert!(!problems.is_empty(), "changing a value by 1e-6 went unnoticed");
    assert!(problems.iter().any(|p| p.starts_with("demo `")), "{problems:?}");
}

#[test]
fn two_runs_render_byte_identical_files() {
    let (_, first) = &*REPORT;
    let again = embspace::report::render(
        &Report::run(embspace::demos::ALL),
        &[Format::Markdown, Format::Json],
    )
    .unwrap();
    assert_eq!(first.files.len(), again.files.len());
    for ((path, a), (_, b)) in first.files.iter().zip(&again.files) {
        assert!(a == b, "{} differs between two runs", path.display());
    }
}

#[test]
fn every_check_of_every_demo_passes() {
    let (report, _) = &*REPORT;
    let failures: Vec<String> = report
        .demos
        .iter()
        .flat_map(|d| {
            let error = d.error.iter().map(move |e| format!("{}: {e}", d.id));
            let checks = d
                .checks
                .iter()
                .filter(|c| !c.passed)
                .map(move |c| format!("{}: {} (got {}, expected {})", d.id, c.name, c.got, c.expected));
            error.chain(checks)
        })
        .collect();
    assert!(failures.is_empty(), "failing:\n{}", failures.join("\n"));
}
