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
    assert_eq!(html.matches("data:image/png;base64,").count(), 7);
    // The map, on by default: every non-zero row of the 338, with 10 neighbours each.
    let map = &result["results"]["map"];
    assert_eq!(map["tokens"].as_array().unwrap().len(), 338);
    assert_eq!(map["neighbours"][0].as_array().unwrap().len(), 10);
    assert!(html.contains(r#"<div class="map-app" id="map-app" hidden>"#) && html.contains("<script>"));
}

#[test]
fn map_zero_leaves_the_map_and_every_script_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyze(&["--out", dir.path().to_str().unwrap(), "--map", "0"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(json(dir.path())["results"].get("map").is_none());
    let html = fs::read_to_string(dir.path().join("analysis.html")).unwrap();
    assert!(!html.contains("<script") && !html.contains(r#"id="map-app""#));
}

#[test]
fn the_analysis_is_the_same_bytes_on_one_core_and_on_all() {
    // `taskset -c 0` pins the process to one core: rayon and the kNN engine
    // both size their threads by the cores the process may use.
    let run = |one_core: bool| {
        let dir = tempfile::tempdir().unwrap();
        let binary = env!("CARGO_BIN_EXE_embspace");
        let mut command = if one_core {
            Command::new("taskset")
        } else {
            Command::new(binary)
        };
        if one_core {
            command.args(["-c", "0", binary]);
        }
        let out = command
            .args(["--quiet", "analyze", "--out", dir.path().to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        ["analysis.json", "analysis.html"].map(|f| fs::read(dir.path().join(f)).unwrap())
    };
    assert!(
        run(true) == run(false),
        "analysis.json or analysis.html differ between one core and all"
    );
}
