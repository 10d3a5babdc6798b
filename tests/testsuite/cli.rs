//! The `embspace` binary as a user runs it: exit codes, outputs, errors.

use std::fs;
use std::process::{Command, Output};

fn embspace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_embspace"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn list_names_every_demo() {
    let out = embspace(&["list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for demo in embspace::demos::ALL {
        assert!(text.contains(demo.id), "`list` misses {}", demo.id);
    }
}

#[test]
fn list_into_a_closed_pipe_ends_quietly() {
    // `embspace list | head -1`, without the race: the reader is gone before the first line.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_embspace"))
        .arg("list")
        .stdout(writer)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.is_empty(),
        "{:?}: {stderr}",
        out.status
    );
}

#[test]
fn report_writes_every_format_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = embspace(&["report", "--quiet", "--out", dir.path().to_str().unwrap()]);
    crate::assert_succeeded(&out);
    for name in [
        "report.html",
        "report.md",
        "report.json",
        "figures/residual_stream-bias.png",
    ] {
        assert!(dir.path().join(name).is_file(), "{name} missing");
    }
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(
        html.contains("data:image/png;base64,"),
        "figures are not embedded"
    );
    assert!(!html.contains("src=\"http"), "the HTML must work offline");
}

#[test]
fn only_and_format_restrict_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = embspace(&[
        "report",
        "-q",
        "--out",
        dir.path().to_str().unwrap(),
        "--only",
        "residual_stream",
        "--report-format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!dir.path().join("report.md").exists());
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(json["demos"].as_array().unwrap().len(), 1);
}

#[test]
fn an_unknown_demo_is_a_usage_error_that_leaves_earlier_output_intact() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("report.md"), "earlier report").unwrap();
    let out = embspace(&[
        "report",
        "--out",
        dir.path().to_str().unwrap(),
        "--only",
        "no_such_demo",
    ]);
    crate::assert_refused(&out, "unknown demo id(s): no_such_demo");
    assert_eq!(
        fs::read_to_string(dir.path().join("report.md")).unwrap(),
        "earlier report"
    );
}

#[test]
fn a_bad_format_is_a_usage_error() {
    let out = embspace(&["report", "--report-format", "pdf"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_unwritable_output_directory_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    fs::write(&blocker, "not a directory").unwrap();
    let out = embspace(&["report", "-q", "--out", blocker.to_str().unwrap()]);
    crate::assert_refused(&out, "writing the report into");
}

#[test]
fn an_html_only_run_keeps_existing_figures() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("figures")).unwrap();
    fs::write(dir.path().join("figures/keep.png"), b"png").unwrap();
    let out = embspace(&[
        "report",
        "-q",
        "--out",
        dir.path().to_str().unwrap(),
        "--report-format",
        "html",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        dir.path().join("figures/keep.png").exists(),
        "an HTML-only run deleted figures it did not write"
    );
}
