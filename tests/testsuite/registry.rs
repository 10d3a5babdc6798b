//! Invariants of the demo registry: every demo is well-formed literate text.

use embspace::demos::{self, parse_source};

#[test]
fn every_demo_has_a_title_prose_and_shown_code() {
    for demo in demos::ALL {
        let source = parse_source(demo.source);
        assert!(
            !source.title.is_empty(),
            "{}: no `# ` title in the module doc",
            demo.id
        );
        let words = source.prose.split_whitespace().count();
        assert!(
            (80..=250).contains(&words),
            "{}: prose has {words} words, expected 80-250",
            demo.id
        );
        assert!(
            !source.code.is_empty(),
            "{}: no code between the ANCHOR markers",
            demo.id
        );
    }
}

#[test]
fn ids_are_unique_and_seed_demos_are_claimed_at_most_once() {
    let mut ids: Vec<&str> = demos::ALL.iter().map(|d| d.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), demos::ALL.len(), "duplicate demo ids");
    let mut seeds: Vec<u32> = demos::ALL
        .iter()
        .flat_map(|d| d.seed_demos.iter().copied())
        .collect();
    seeds.sort();
    let claimed = seeds.len();
    seeds.dedup();
    assert_eq!(seeds.len(), claimed, "a seed demo is claimed twice");
    assert_eq!(
        seeds,
        (1..=25).collect::<Vec<_>>(),
        "every seed demo 1-25 must live somewhere"
    );
}

#[test]
fn figure_names_are_unique_within_each_demo() {
    let (report, _) = &*crate::REPORT;
    for demo in &report.demos {
        let mut paths: Vec<&str> = demo.figures.iter().map(|f| f.path.as_str()).collect();
        paths.sort();
        let n = paths.len();
        paths.dedup();
        assert_eq!(paths.len(), n, "{}: two figures share a name", demo.id);
    }
}
