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

/// The author–year citations in `text` (already normalised): each year
/// (`2016`, `2014a`) with the names before it, back to the citation's start.
fn citations(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split(' ').collect();
    let mut found = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let year = word.trim_end_matches([')', ';', ',', '.', ':']);
        let digits = year.trim_end_matches(['a', 'b']);
        let is_year = digits.len() == 4
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits.starts_with("19") || digits.starts_with("20"));
        // A citation's last name starts with a capital (or is "al."); "in 2016" is no citation.
        let Some(before) = i.checked_sub(1).map(|j| words[j]) else {
            continue;
        };
        if !is_year || !(before == "al." || before.starts_with(|c: char| c.is_uppercase())) {
            continue;
        }
        // Back over names (`Levy,`), `et`, `&`, to an opening parenthesis or
        // the word before that is none of them.
        let mut start = i - 1;
        while start > 0 && !words[start].starts_with('(') {
            let previous = words[start - 1].trim_start_matches('(');
            let name =
                previous.starts_with(|c: char| c.is_uppercase()) && !previous.ends_with(['.', ';', ':']);
            if !(name || previous == "&" || previous == "et") {
                break;
            }
            start -= 1;
        }
        let cited = words[start..i].join(" ").trim_start_matches('(').to_string();
        found.push(format!("{cited} {year}"));
    }
    found
}

#[test]
fn every_citation_has_a_reference_and_every_reference_is_cited() {
    use embspace::report::references::{WORKS, normalised};
    let (report, _) = &*crate::REPORT;
    let texts = report
        .demos
        .iter()
        .flat_map(|d| d.cited_texts())
        .chain(report.tables.iter().map(|t| t.1.as_str()));
    let mut cited: Vec<String> = texts.flat_map(|t| citations(&normalised(t))).collect();
    cited.sort();
    cited.dedup();
    for citation in &cited {
        assert!(
            WORKS.iter().any(|w| citation.ends_with(w.cited_as)),
            "`{citation}` has no entry in report::references::WORKS"
        );
    }
    let listed: Vec<&str> = report.references.iter().map(|w| w.cited_as).collect();
    let all: Vec<&str> = WORKS.iter().map(|w| w.cited_as).collect();
    assert_eq!(listed, all, "every work is cited, so the report lists them all");
    assert!(cited.len() >= all.len(), "{cited:#?}");
}
