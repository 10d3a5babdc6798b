//! `embspace analyze` as a user runs it: the bundled sample, a file of their
//! own with queries and benchmarks, and bad input that must not cost them an
//! earlier analysis.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn analyze(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_embspace"))
        .arg("analyze")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(dir.join("analysis.json")).unwrap()).unwrap()
}

#[test]
fn without_a_file_the_bundled_sample_is_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyze(&["--out", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for name in ["analysis.html", "analysis.md", "figures/analyze-pca-scatter.png"] {
        assert!(dir.path().join(name).is_file(), "{name} missing");
    }
    let result = json(dir.path());
    assert_eq!(result["results"]["diagnostics"]["dim"], 32);
    assert!(result["results"]["neighbours"][0]["neighbours"].is_array());
    let total = result["results"]["analogy_benchmark"]["sections"]
        .as_array()
        .unwrap()
        .last()
        .unwrap();
    assert_eq!(total["name"], "Total accuracy");
    let html = fs::read_to_string(dir.path().join("analysis.html")).unwrap();
    assert_eq!(html.matches("data:image/png;base64,").count(), 5);
}

#[test]
fn queries_analogies_and_similarity_land_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = dir.path().join("vectors.txt");
    fs::write(
        &vectors,
        "6 3\nking 1 1 0\nqueen 1 -1 0.1\nman 0.2 1 0\nwoman 0.2 -1 0.1\ndog 0 0 1\ncat 0.1 0 1\n",
    )
    .unwrap();
    let pairs = dir.path().join("pairs.tsv");
    fs::write(
        &pairs,
        "# word1\tword2\tscore\nking\tqueen\t8\ndog\tcat\t9\nking\tdog\t1\nman\tfish\t3\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = analyze(&[
        vectors.to_str().unwrap(),
        "--quiet",
        "--query",
        "dog",
        "unicorn",
        "--analogy",
        "man:king::woman",
        "--similarity",
        pairs.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "--quiet prints nothing: {}", stderr(&out));
    let result = json(&out_dir);
    assert_eq!(
        result["results"]["neighbours"][0]["neighbours"][0]["token"],
        "cat"
    );
    assert!(
        result["results"]["neighbours"][1]["neighbours"].is_null(),
        "unknown words have no neighbours"
    );
    assert_eq!(result["results"]["analogies"][0]["cos_add"][0]["token"], "queen");
    assert_eq!(result["results"]["analogies"][0]["cos_mul"][0]["token"], "queen");
    let markdown = fs::read_to_string(out_dir.join("analysis.md")).unwrap();
    assert!(markdown.contains("Word-similarity benchmarks") && markdown.contains("man : king :: woman : ?"));
}

#[test]
fn bad_input_exits_2_names_file_and_line_and_keeps_the_earlier_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let good = analyze(&["--quiet", "--out", out_dir.to_str().unwrap()]);
    assert_eq!(good.status.code(), Some(0), "{}", stderr(&good));
    let before = fs::read(out_dir.join("analysis.json")).unwrap();

    let bad = dir.path().join("bad.txt");
    fs::write(&bad, "2 3\nok 1 2 3\nbroken 1 2\n").unwrap();
    let out = analyze(&[bad.to_str().unwrap(), "--out", out_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(
        message.contains("bad.txt:3:") && message.contains("expected 3 values"),
        "{message}"
    );
    assert!(!message.contains("panicked"), "{message}");
    assert_eq!(
        fs::read(out_dir.join("analysis.json")).unwrap(),
        before,
        "the earlier analysis is untouched"
    );
}

#[test]
fn a_malformed_analogy_argument_is_a_usage_error() {
    let out = analyze(&[
        "--quiet",
        "--analogy",
        "man:king",
        "--out",
        "/nonexistent/never-written",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("a:b::c"), "{}", stderr(&out));
}
