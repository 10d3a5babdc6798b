//! The integration test binary: goldens, seed parity, committed notebooks, the registry's
//! invariants, the command line and the loaders of `analyze` (GGUF against gguf-py in `gguf`,
//! fastText models against gensim in `fasttext`).

mod analyze_cli;
mod analyze_input;
mod cli;
mod compare_cli;
mod fasttext;
mod gguf;
mod golden;
mod model_dir;
mod notebooks;
mod real_tables;
mod registry;
mod seed_parity;
mod undertrained;

use std::sync::LazyLock;

use embspace::demos;
use embspace::report::{Format, Rendered, Report};

/// Every demo run once per test binary, and its Markdown/JSON/PNG rendering.
pub static REPORT: LazyLock<(Report, Rendered)> = LazyLock::new(|| {
    let report = Report::run(demos::ALL);
    let rendered =
        embspace::report::render(&report, &[Format::Markdown, Format::Json]).expect("the report renders");
    (report, rendered)
});

/// A file under `tests/fixtures/`.
pub fn fixture(relative: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// `bytes` as gzip, as `gzip` writes them.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Asserts that a run of the binary succeeded (exit code 0), showing its
/// standard error when it did not.
#[track_caller]
pub fn assert_succeeded(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts that a run of the binary was refused: exit code 2 and `message`
/// in its standard error (shown when it is not).
#[track_caller]
pub fn assert_refused(out: &std::process::Output, message: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(message), "expected `{message}` in: {stderr}");
}
