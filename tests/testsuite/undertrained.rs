//! The "Under-trained tokens" section through the command line: on a table
//! where rows were left at a shared initialisation, those rows lead the
//! ranking in `analysis.json`, with the reference set found from the token
//! names or given with `--unused-reference`.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// Rows never trained: the first five named `[unusedN]`, the rest with ordinary names.
const UNUSED: [usize; 5] = [3, 50, 51, 200, 390];
const GLITCHES: [usize; 5] = [7, 120, 121, 260, 399];

/// A word2vec text table of 400 × 8: trained rows spread by a deterministic
/// pseudo-random structure, untrained ones at one small shared initial vector
/// plus a little noise (distinct rows, the same direction).
fn planted(path: &Path) {
    let mut text = String::from("400 8\n");
    for i in 0..400 {
        let token = if let Some(k) = UNUSED.iter().position(|&r| r == i) {
            format!("[unused{k}]")
        } else if let Some(k) = GLITCHES.iter().position(|&r| r == i) {
            format!("glitch{k}")
        } else {
            format!("w{i}")
        };
        text.push_str(&token);
        let untrained = UNUSED.contains(&i) || GLITCHES.contains(&i);
        for j in 0..8 {
            let (i, jf) = (i as f64, j as f64);
            let v = if untrained {
                0.05 * [1.0, -1.0, 0.5, 0.3, -0.7, 0.2, 0.9, -0.4][j] + 0.001 * (i * 0.9 + jf).sin()
            } else {
                2.0 * (0.37 * i * (jf + 1.0) + jf).sin()
            };
            text.push_str(&format!(" {v:.6}"));
        }
        text.push('\n');
    }
    fs::write(path, text).unwrap();
}

fn analyze(table: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_embspace"))
        .args(["--quiet", "analyze"])
        .arg(table)
        .args(["--map", "0", "--report-format", "json,md", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("the binary runs")
}

fn undertrained(out: &Path) -> serde_json::Value {
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("analysis.json")).unwrap()).unwrap();
    json["results"]["undertrained"].clone()
}

/// The `n` rows outside the reference set with the lowest indicator in `values`, sorted.
fn lowest_rows(result: &serde_json::Value, n: usize) -> Vec<usize> {
    let values: Vec<f64> = serde_json::from_value(result["values"].clone()).unwrap();
    let reference: Vec<usize> = serde_json::from_value(result["reference"]["rows"].clone()).unwrap();
    let mut rows: Vec<usize> = (0..values.len()).filter(|r| !reference.contains(r)).collect();
    rows.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    rows.truncate(n);
    rows.sort_unstable();
    rows
}

#[test]
fn rows_left_untrained_come_first_with_the_unused_names_as_reference() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("planted.txt");
    planted(&table);
    let out = analyze(&table, &dir.path().join("a"), &[]);
    crate::assert_succeeded(&out);
    let result = undertrained(&dir.path().join("a"));
    assert_eq!(result["indicator"], "unused_distance");
    let reference: Vec<usize> = serde_json::from_value(result["reference"]["rows"].clone()).unwrap();
    assert_eq!(reference, UNUSED);
    assert_eq!(lowest_rows(&result, GLITCHES.len()), GLITCHES);
    let candidates: Vec<usize> = result["candidates"].as_array().unwrap()[..GLITCHES.len()]
        .iter()
        .map(|c| c["row"].as_u64().unwrap() as usize)
        .collect();
    assert_eq!(lowest_rows(&result, GLITCHES.len()), {
        let mut sorted = candidates;
        sorted.sort_unstable();
        sorted
    });
    // 395 ranked rows: the 2nd percentile sits at position 7.88, so 8 rows are candidates.
    assert_eq!(result["candidates"].as_array().unwrap().len(), 8);
    assert_eq!(result["values"].as_array().unwrap().len(), 400);
    let markdown = fs::read_to_string(dir.path().join("a/analysis.md")).unwrap();
    assert!(markdown.contains("## Under-trained tokens") && markdown.contains("| `glitch"));
    assert!(dir.path().join("a/figures/analyze-undertrained.png").is_file());
}

#[test]
fn a_given_reference_list_replaces_the_names_and_reports_unknown_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("planted.txt");
    planted(&table);
    let list = dir.path().join("reference.txt");
    fs::write(
        &list,
        "glitch0\r\nglitch1\n\nglitch2\nglitch3\nglitch4\nnot-a-token\n",
    )
    .unwrap();
    let out = analyze(
        &table,
        &dir.path().join("b"),
        &["--unused-reference", list.to_str().unwrap()],
    );
    crate::assert_succeeded(&out);
    let result = undertrained(&dir.path().join("b"));
    let reference: Vec<usize> = serde_json::from_value(result["reference"]["rows"].clone()).unwrap();
    assert_eq!(reference, GLITCHES);
    assert_eq!(result["reference"]["not_in_table"][0], "not-a-token");
    assert_eq!(lowest_rows(&result, UNUSED.len()), UNUSED);
}

#[test]
fn without_reference_rows_the_norm_ranks_and_the_page_says_not_tested() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("planted.txt");
    planted(&table);
    let renamed = fs::read_to_string(&table).unwrap().replace("[unused", "[used");
    fs::write(&table, renamed).unwrap();
    let out = analyze(&table, &dir.path().join("c"), &[]);
    crate::assert_succeeded(&out);
    let result = undertrained(&dir.path().join("c"));
    assert_eq!(result["indicator"], "input_norm");
    let mut untrained = [UNUSED, GLITCHES].concat();
    untrained.sort_unstable();
    assert_eq!(lowest_rows(&result, untrained.len()), untrained);
    let markdown = fs::read_to_string(dir.path().join("c/analysis.md")).unwrap();
    assert!(markdown.contains("none: NOT TESTED"), "{markdown}");
}

#[test]
fn a_reference_list_that_is_not_text_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("planted.txt");
    planted(&table);
    let list = dir.path().join("reference.txt");
    fs::write(&list, b"glitch0\n\xff\xfe\n").unwrap();
    let out = analyze(
        &table,
        &dir.path().join("d"),
        &["--unused-reference", list.to_str().unwrap()],
    );
    crate::assert_refused(&out, "reference.txt:2: expected a UTF-8 token");
    crate::assert_refused(&out, "at byte offset 8");
    assert!(!dir.path().join("d").exists(), "nothing is written");
}

#[test]
fn a_gguf_model_names_its_reference_rows_and_an_output_matrix_too_narrow_says_why() {
    // gguf-py's fixture: 32 tokens × 64 dimensions; `[unused0]` (type "unused") is row 4, `<0xFF>` row 6.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gguf/f32.gguf");
    let dir = tempfile::tempdir().unwrap();
    let out = analyze(&fixture, dir.path(), &[]);
    crate::assert_succeeded(&out);
    let result = undertrained(dir.path());
    let reference: Vec<usize> = serde_json::from_value(result["reference"]["rows"].clone()).unwrap();
    assert_eq!(reference, [4, 6]);
    // Untied: ranked by the input norm, which any number of rows allows.
    assert_eq!(result["indicator"], "input_norm");
    assert!(result["not_computed"].is_null());
    // The output matrix's distance: fewer rows than dimensions, no principal
    // component worth the name (magikarp asserts the same).
    let reason = result["distances_not_computed"].as_str().unwrap();
    assert!(reason.contains("more rows than the 64 dimensions"), "{reason}");
    let markdown = fs::read_to_string(dir.path().join("analysis.md")).unwrap();
    assert!(
        markdown.contains("| output-matrix distance | NOT COMPUTED"),
        "{markdown}"
    );
}
