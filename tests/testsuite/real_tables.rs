//! The demos' parts on real tables, and `embspace report --vectors` on a
//! reader's own: at least ten demos measure their claims on both shipped
//! tables, every shipped verdict is checked, and the reader's table gets the
//! same verdicts whatever format it comes in.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use embspace::demos::{self, REAL_HEADING, parse_source};
use embspace::real::{GLOVE, shipped};
use serde_json::Value as Json;

fn report(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_embspace"))
        .arg("report")
        .args(args)
        .output()
        .expect("the binary runs")
}

/// `report --vectors FILE --out OUT_DIR`, which must exit 0: its report.json.
fn report_on(file: &std::path::Path, out_dir: &std::path::Path) -> Json {
    let out = report(&[
        "-q",
        "--vectors",
        file.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&fs::read(out_dir.join("report.json")).unwrap()).unwrap()
}

/// `(demo, claim, status, measured)` of every verdict in a report.json for `table`.
fn verdicts(report: &Json, table: &str) -> Vec<(String, String, String, Json)> {
    let mut found = Vec::new();
    for demo in report["demos"].as_array().unwrap() {
        for v in demo["real"]["verdicts"].as_array().into_iter().flatten() {
            if v["table"] == table {
                let text = |key: &str| v[key].as_str().unwrap_or_default().to_string();
                found.push((
                    demo["id"].as_str().unwrap().into(),
                    text("claim"),
                    text("status"),
                    v["measured"].clone(),
                ));
            }
        }
    }
    found
}

fn golden_json() -> Json {
    let (_, rendered) = &*crate::REPORT;
    serde_json::from_slice(rendered.get("report.json").unwrap()).unwrap()
}

#[test]
fn at_least_ten_demos_measure_their_claims_on_both_shipped_tables() {
    let (report, _) = &*crate::REPORT;
    let names: Vec<&str> = shipped().iter().map(|t| t.name()).collect();
    let mut with_real = 0;
    for (demo, record) in demos::ALL.iter().zip(&report.demos) {
        let source = parse_source(demo.source);
        let has_heading = demo
            .source
            .lines()
            .any(|l| l.trim_start_matches("//!").trim() == REAL_HEADING);
        let Some(real) = &record.real else {
            assert!(
                !has_heading,
                "{}: a `{REAL_HEADING}` heading without a real part",
                demo.id
            );
            continue;
        };
        with_real += 1;
        assert!(
            has_heading,
            "{}: a real part without the `{REAL_HEADING}` heading",
            demo.id
        );
        let words = source.real_prose.split_whitespace().count();
        assert!(
            (60..=400).contains(&words),
            "{}: real prose has {words} words",
            demo.id
        );
        assert!(
            !source.real_code.is_empty(),
            "{}: no code between the `real` anchors",
            demo.id
        );
        assert!(
            !real.figures.is_empty(),
            "{}: the real part draws no figure",
            demo.id
        );
        assert!(
            !real.transcript.is_empty(),
            "{}: the real part says nothing",
            demo.id
        );
        for name in &names {
            assert!(
                real.verdicts.iter().any(|v| v.table == *name),
                "{}: no verdict on {name}",
                demo.id
            );
        }
        assert_eq!(
            real.checks.len(),
            real.verdicts.len(),
            "{}: every verdict on a shipped table is a check",
            demo.id
        );
        assert!(
            real.checks.iter().all(|c| c.passed),
            "{}: a shipped verdict changed",
            demo.id
        );
    }
    assert!(
        with_real >= 10,
        "only {with_real} demos have a part on real tables"
    );
}

/// The shipped GloVe table written in every format `analyze` reads, exactly
/// (its f16 values are exact in f32, and `{:?}` prints an f32 that parses back to itself).
fn glove_in_every_format(dir: &Path) -> Vec<std::path::PathBuf> {
    let table = shipped().iter().find(|t| t.id() == GLOVE).unwrap();
    let (rows, dim) = (table.len(), table.dim());
    let values = |r: usize| table.vector(r).iter().map(|&v| v as f32).collect::<Vec<f32>>();
    let text_rows: String = (0..rows)
        .map(|r| {
            let numbers: Vec<String> = values(r).iter().map(|v| format!("{v:?}")).collect();
            format!("{} {}\n", table.tokens()[r], numbers.join(" "))
        })
        .collect();
    let mut binary = format!("{rows} {dim}\n").into_bytes();
    let mut raw = Vec::new();
    for r in 0..rows {
        binary.extend(table.tokens()[r].as_bytes());
        binary.push(b' ');
        for v in values(r) {
            binary.extend(v.to_le_bytes());
            raw.extend(v.to_le_bytes());
        }
    }
    let npy_dir = dir.join("npy");
    fs::create_dir_all(&npy_dir).unwrap();
    let npy = crate::analyze_input::npy("<f4", &format!("({rows}, {dim})"), &raw);
    let vocab: String = table.tokens().iter().map(|t| format!("{t}\n")).collect();
    let tokens: Vec<&str> = table.tokens().iter().map(String::as_str).collect();
    let gguf = crate::gguf::model(
        &[crate::gguf::entry(
            "tokenizer.ggml.tokens",
            9,
            &crate::gguf::strings(&tokens),
        )],
        &[crate::gguf::Tensor {
            name: "token_embd.weight",
            dims: vec![dim as u64, rows as u64],
            ggml_type: 0,
            data: raw,
        }],
    );
    let files = [
        ("vectors.txt", format!("{rows} {dim}\n{text_rows}").into_bytes()),
        ("vectors.vec", format!("{rows} {dim}\n{text_rows}").into_bytes()),
        ("glove.6B.50d.txt", text_rows.into_bytes()),
        ("vectors.bin", binary),
        ("npy/vectors.npy", npy),
        ("npy/vocab.txt", vocab.into_bytes()),
        ("model.gguf", gguf),
    ];
    for (name, bytes) in &files {
        fs::write(dir.join(name), bytes).unwrap();
    }
    let shipped_npy = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/real/glove-6b-50d/vectors.npy");
    let mut paths = vec![shipped_npy];
    paths.extend(
        [
            "vectors.txt",
            "vectors.vec",
            "glove.6B.50d.txt",
            "vectors.bin",
            "npy/vectors.npy",
            "model.gguf",
        ]
        .map(|n| dir.join(n)),
    );
    paths
}

#[test]
fn report_vectors_gives_the_reports_glove_verdicts_in_every_format() {
    let expected = verdicts(&golden_json(), "GloVe 6B 50d");
    assert!(expected.len() >= 10);
    let dir = tempfile::tempdir().unwrap();
    for path in glove_in_every_format(dir.path()) {
        let out_dir = dir.path().join("out");
        let json = report_on(&path, &out_dir);
        // Named by its file name; the introduction gives the whole path.
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(json["tables"][0][0], name);
        assert!(
            json["tables"][0][1]
                .as_str()
                .unwrap()
                .starts_with(&format!("`{}`: ", path.display()))
        );
        let got = verdicts(&json, name);
        assert_eq!(got, expected, "{}", path.display());
        // A reader's verdicts are findings: none of them is a check.
        assert!(
            json["demos"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["real"]["checks"].as_array().is_none_or(|c| c.is_empty()))
        );
    }
}

#[test]
fn a_table_missing_the_claims_words_gets_not_tested_with_reasons_and_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tiny.txt");
    fs::write(&file, "3 3\nalpha 1 0 0\nbeta 0 1 0\ngamma 0 0 1\n").unwrap();
    let out_dir = dir.path().join("out");
    let json = report_on(&file, &out_dir);
    let all = verdicts(&json, "tiny.txt");
    assert!(all.len() >= 10);
    let untested: Vec<_> = all.iter().filter(|v| v.2 == "NOT TESTED").collect();
    assert!(!untested.is_empty());
    let reasons: Vec<&Json> = json["demos"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["real"]["verdicts"].as_array().into_iter().flatten())
        .filter(|v| v["status"] == "NOT TESTED")
        .map(|v| &v["reason"])
        .collect();
    assert!(reasons.iter().all(|r| r.as_str().is_some_and(|r| !r.is_empty())));
    assert!(
        reasons
            .iter()
            .any(|r| r.as_str().unwrap().starts_with("no row for") && r.as_str().unwrap().contains("`queen`")),
        "{reasons:?}"
    );
    let html = fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(html.contains("NOT TESTED"));
    // What cannot be measured is said, never printed as a NaN.
    let transcripts: Vec<&str> = json["demos"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["real"]["transcript"].as_array().into_iter().flatten())
        .filter_map(Json::as_str)
        .collect();
    assert!(!transcripts.is_empty());
    for line in transcripts {
        assert!(!line.contains("NaN"), "{line}");
    }
    // The prose, written about the shipped tables, says so.
    for demo in json["demos"].as_array().unwrap() {
        if let Some(prose) = demo["real"]["prose"].as_str() {
            assert!(
                prose.starts_with("*The text is about the shipped tables"),
                "{prose}"
            );
        }
    }
    // The real parts' figures are captioned for this table, not with what the shipped ones show.
    let captions: Vec<&str> = json["demos"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["real"]["figures"].as_array().into_iter().flatten())
        .map(|f| f["caption"].as_str().unwrap())
        .collect();
    assert!(!captions.is_empty());
    for caption in captions {
        assert!(caption.starts_with("Measured on tiny.txt."), "{caption}");
    }
}

#[test]
fn a_table_of_two_rows_leaves_every_claim_not_tested_for_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.txt");
    // Two rows: after centring they point in opposite directions whatever they are, so even the
    // claims whose words are present say nothing.
    fs::write(&file, "2 3\nking 1 0.5 0\nqueen 0.9 0.6 0.1\n").unwrap();
    let out_dir = dir.path().join("out");
    let json = report_on(&file, &out_dir);
    let reasons: Vec<&Json> = json["demos"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["real"]["verdicts"].as_array().into_iter().flatten())
        .map(|v| {
            assert_eq!(v["status"], "NOT TESTED", "{v}");
            &v["reason"]
        })
        .collect();
    assert!(reasons.len() >= 10);
    assert!(
        reasons
            .iter()
            .all(|r| *r == "needs at least 3 non-zero rows; the table has 2"),
        "{reasons:?}"
    );
    // Again as JSON alone: the HTML and Markdown of the run before are removed, and said so.
    let args = [
        "--vectors",
        file.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ];
    let out = report(&[&args[..], &["--report-format", "json"]].concat());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("(report.html, report.md of an earlier run removed)"),
        "{said}"
    );
    assert!(!out_dir.join("report.html").exists() && !out_dir.join("report.md").exists());
}

#[test]
fn bad_vectors_exit_2_name_file_and_line_and_keep_the_earlier_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.txt");
    fs::write(&file, "2 3\nalpha 1 0 0\nbeta 0 1\n").unwrap();
    fs::write(dir.path().join("report.md"), "earlier report").unwrap();
    let out = report(&[
        "-q",
        "--vectors",
        file.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    crate::assert_refused(&out, "bad.txt:3: expected 3 values after the token, found 2");
    assert_eq!(
        fs::read_to_string(dir.path().join("report.md")).unwrap(),
        "earlier report"
    );
}

#[test]
fn file_options_without_vectors_are_a_usage_error() {
    let out = report(&["-q", "--format", "glove", "--out", "/nonexistent/never-written"]);
    crate::assert_refused(&out, "--vectors");
}
