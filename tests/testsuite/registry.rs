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
        let Some(before) = i.checked_sub(1).map(|j| words[j].trim_start_matches('(')) else {
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

/// The works `texts` cite, each citation checked to have an entry.
fn cited_works<'a>(texts: impl IntoIterator<Item = &'a str>, page: &str) -> Vec<&'static str> {
    use embspace::report::references::{WORKS, normalised};
    let mut works = Vec::new();
    for citation in texts.into_iter().flat_map(|t| citations(&normalised(t))) {
        let work = WORKS.iter().find(|w| citation.ends_with(w.cited_as));
        let work = work.unwrap_or_else(|| panic!("{page}: `{citation}` has no entry in references::WORKS"));
        works.push(work.cited_as);
    }
    works.sort_unstable();
    works.dedup();
    works
}

/// The works a page of `analyze` or `compare` cites, checked against the
/// ones its References section lists.
fn cited_on_page(markdown: &str, page: &str) -> Vec<&'static str> {
    let markdown = markdown.replace("&amp;", "&");
    let (body, listed) = markdown
        .split_once("\n## References\n")
        .unwrap_or_else(|| panic!("{page} has no References section"));
    let cited = cited_works([body], page);
    let listed: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.strip_prefix("- **")?.split_once("**").map(|(key, _)| key))
        .collect();
    assert_eq!(listed, cited, "{page} lists the works it cites, and only those");
    cited
}

#[test]
fn every_citation_has_a_reference_and_every_reference_is_cited() {
    use embspace::report::references::WORKS;
    let (report, _) = &*crate::REPORT;
    let texts = report
        .demos
        .iter()
        .flat_map(|d| d.cited_texts())
        .chain(report.tables.iter().map(|t| t.1.as_str()));
    let in_report = cited_works(texts, "the report");
    let listed: Vec<&str> = report.references.iter().map(|w| w.cited_as).collect();
    assert_eq!(
        listed, in_report,
        "the report lists the works it cites, and only those"
    );

    // analyze's page of the bundled sample, and a comparison with added rows
    // (Hewitt's rule), cite the rest.
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_embspace"))
            .args(args)
            .output()
            .unwrap();
        crate::assert_succeeded(&out);
    };
    let analysis = dir.path().join("analysis");
    run(&[
        "-q",
        "analyze",
        "--map",
        "200",
        "--out",
        analysis.to_str().unwrap(),
    ]);
    let rows = |n: usize| -> String {
        let lines: Vec<String> = (0..n).map(|i| format!("w{i} {} {} 1", i % 7, i % 5)).collect();
        format!("{n} 3\n{}\n", lines.join("\n"))
    };
    let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
    std::fs::write(&a, rows(30)).unwrap();
    std::fs::write(&b, rows(34)).unwrap();
    let comparison = dir.path().join("comparison");
    let paths = [&a, &b, &comparison].map(|p| p.to_str().unwrap().to_string());
    run(&["-q", "compare", &paths[0], &paths[1], "--out", &paths[2]]);
    let page = |path: std::path::PathBuf| std::fs::read_to_string(path).unwrap();
    let mut all = in_report;
    all.extend(cited_on_page(&page(analysis.join("analysis.md")), "analysis.md"));
    all.extend(cited_on_page(
        &page(comparison.join("comparison.md")),
        "comparison.md",
    ));
    all.sort_unstable();
    all.dedup();
    let works: Vec<&str> = WORKS.iter().map(|w| w.cited_as).collect();
    assert_eq!(all, works, "every work in references::WORKS is cited somewhere");
}
