//! `embspace analyze` as a user runs it: the bundled sample, a file of their
//! own with queries and benchmarks, and bad input that must not cost them an
//! earlier analysis.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::{assert_refused, gzip};

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

/// Analyses a word2vec text table of `rows` (token and values) with the
/// default options (the map on) and `args`, and returns the directory.
fn analyze_tiny(rows: &[&str], args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let dim = rows[0].split_whitespace().count() - 1;
    let text = format!("{} {dim}\n{}\n", rows.len(), rows.join("\n"));
    let file = dir.path().join("tiny.txt");
    fs::write(&file, text).unwrap();
    let out_dir = dir.path().join("out");
    let mut all = vec![file.to_str().unwrap(), "--out", out_dir.to_str().unwrap()];
    all.extend(args);
    let out = analyze(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for name in ["analysis.html", "analysis.md", "analysis.json"] {
        assert!(out_dir.join(name).is_file(), "{name} missing");
    }
    dir
}

/// What a table too small for the sample statistics must show: the norms,
/// and for every statistic it is too small for, no number but the reason,
/// in JSON, Markdown and HTML.
fn assert_not_computed(dir: &Path, reason: &str) {
    let out = dir.join("out");
    let result = json(&out);
    let diagnostics = &result["results"]["diagnostics"];
    assert!(
        diagnostics["norm_stats"]["mean"].as_f64().unwrap() > 0.0,
        "{diagnostics}"
    );
    assert_eq!(diagnostics["not_computed"], reason);
    for statistic in ["geometry", "explained_variance", "scatter", "removed_components"] {
        assert!(diagnostics.get(statistic).is_none(), "{statistic}: {diagnostics}");
    }
    assert_eq!(result["results"]["map"]["not_computed"], reason);
    let markdown = fs::read_to_string(out.join("analysis.md")).unwrap();
    assert!(
        markdown.contains("| mean-vector norm |"),
        "the norms are reported"
    );
    // Anisotropy and isotropy, principal components, the PCA scatter, the map.
    let line = format!("**Not computed:** {reason}.");
    assert_eq!(markdown.matches(&line).count(), 4, "{markdown}");
    let html = fs::read_to_string(out.join("analysis.html")).unwrap();
    assert_eq!(
        html.matches(&format!("<strong>Not computed:</strong> {reason}."))
            .count(),
        4
    );
    assert!(!html.contains("<script"), "no map, no script");
}

#[test]
fn a_table_of_one_row_is_analysed_with_the_rest_not_computed() {
    let dir = analyze_tiny(&["king 0.1 0.2 0.3"], &["--query", "king"]);
    assert_not_computed(dir.path(), "needs at least 3 non-zero rows; the table has 1");
    let result = json(&dir.path().join("out"));
    assert_eq!(result["results"]["diagnostics"]["rows"], 1);
    assert!(
        result["results"]["diagnostics"]
            .get("cosine_of_the_two_rows")
            .is_none()
    );
    assert_eq!(
        result["results"]["neighbours"][0]["neighbours"],
        serde_json::json!([])
    );
    let markdown = fs::read_to_string(dir.path().join("out/analysis.md")).unwrap();
    assert!(markdown.contains("(no other row has a direction)"), "{markdown}");
}

#[test]
fn a_table_of_two_rows_reports_their_cosine_and_neighbours() {
    let dir = analyze_tiny(&["king 3 4", "queen 4 3"], &["--query", "king"]);
    assert_not_computed(dir.path(), "needs at least 3 non-zero rows; the table has 2");
    let result = json(&dir.path().join("out"));
    let cosine = result["results"]["diagnostics"]["cosine_of_the_two_rows"]
        .as_f64()
        .unwrap();
    assert!((cosine - 0.96).abs() < 1e-6, "{cosine}");
    assert_eq!(
        result["results"]["neighbours"][0]["neighbours"][0]["token"],
        "queen"
    );
    let markdown = fs::read_to_string(dir.path().join("out/analysis.md")).unwrap();
    assert!(
        markdown.contains("| cosine of the two non-zero rows | 0.9600 |"),
        "{markdown}"
    );
}

#[test]
fn zero_rows_do_not_count_towards_the_rows_the_statistics_need() {
    let rows = ["king 3 4 0", "zero 0 0 0", "queen 4 3 0", "nil 0 0 0"];
    let dir = analyze_tiny(&rows, &["--map-method", "pca"]);
    assert_not_computed(dir.path(), "needs at least 3 non-zero rows; the table has 2");
    let diagnostics = &json(&dir.path().join("out"))["results"]["diagnostics"];
    assert_eq!(
        (diagnostics["rows"].as_u64(), diagnostics["zero_rows"].as_u64()),
        (Some(4), Some(2))
    );
}

#[test]
fn a_table_of_one_dimension_is_analysed_with_the_rest_not_computed() {
    let dir = analyze_tiny(&["a 0.1", "b 0.2", "c -0.3"], &[]);
    assert_not_computed(dir.path(), "needs at least 2 dimensions; the table has 1");
}

/// Tokens and a file name that Markdown would read as syntax: backticks of
/// every run length, emphasis, a link, a formula, strikethrough, HTML, a pipe.
const MARKDOWN_SYNTAX: [&str; 13] = [
    "`",
    "``",
    "```",
    "a`b",
    "x|y",
    "*star*",
    "_u_",
    "[l](http://x)",
    "$x$",
    "~~del~~",
    "<b>bold</b>",
    "\\*esc",
    "&amp;",
];

#[test]
fn tokens_and_file_names_read_literally_in_the_markdown_report() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let dir = tempfile::tempdir().unwrap();
    let filler: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
    let tokens: Vec<&str> = MARKDOWN_SYNTAX
        .iter()
        .copied()
        .chain(filler.iter().map(String::as_str))
        .collect();
    // The syntax tokens on a circle in the first two dimensions, so each is
    // the nearest neighbour of the next; the filler in the other two.
    let mut text = format!("{} 4\n", tokens.len());
    for (i, token) in tokens.iter().enumerate() {
        let angle = i as f64 * std::f64::consts::TAU / MARKDOWN_SYNTAX.len() as f64;
        let (x, y) = (i as f64 * 0.37 % 1.0, i as f64 * 0.61 % 1.0);
        let row = match i < MARKDOWN_SYNTAX.len() {
            true => [angle.cos(), angle.sin(), 0.0, 0.0],
            false => [0.1 * x, 0.1 * y, 1.0 + x, 1.0 + y],
        };
        text.push_str(&format!(
            "{token} {:.4} {:.4} {:.4} {:.4}\n",
            row[0], row[1], row[2], row[3]
        ));
    }
    let file = dir.path().join("t`a*b_[c].txt");
    fs::write(&file, text).unwrap();
    let out_dir = dir.path().join("out");
    let mut args = vec![
        file.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--map",
        "0",
    ];
    for token in MARKDOWN_SYNTAX {
        args.extend(["--query", token]);
    }
    let out = analyze(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let markdown = fs::read_to_string(out_dir.join("analysis.md")).unwrap();

    // Read as GitHub would (tables, formulas, strikethrough), the page holds
    // no markup but ours: anchors, links to its sections, its figures.
    let options = Options::ENABLE_TABLES | Options::ENABLE_MATH | Options::ENABLE_STRIKETHROUGH;
    let (mut shown, mut code) = (String::new(), Vec::new());
    for event in Parser::new_ext(&markdown, options) {
        match event {
            Event::Text(t) => shown.push_str(&t),
            Event::Code(c) => code.push(c.to_string()),
            Event::End(_) => shown.push('\n'),
            Event::Html(h) | Event::InlineHtml(h) => {
                assert!(
                    h.starts_with("<a id=\"") || h == "</a>".into(),
                    "markup from text: {h}"
                )
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                assert!(dest_url.starts_with('#'), "a link to {dest_url}")
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                assert!(dest_url.starts_with("figures/"), "{dest_url}")
            }
            Event::InlineMath(m) | Event::DisplayMath(m) => assert_ne!(&*m, "x", "a formula from a token"),
            _ => {}
        }
    }
    assert!(
        code.contains(&file.to_str().unwrap().to_owned()),
        "the path as one code span: {code:?}"
    );
    for token in MARKDOWN_SYNTAX {
        assert!(
            shown.contains(&format!("Neighbours of “{token}”")),
            "{token} in its caption:\n{shown}"
        );
        assert!(
            code.iter().any(|c| c == token),
            "{token} as one code span (its table cell): {code:?}"
        );
    }
}

#[test]
fn side_files_saved_with_a_byte_order_mark_read_as_without_and_utf16_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    };
    let bom = |text: &str| [&b"\xef\xbb\xbf"[..], text.as_bytes()].concat();
    let table = write("v.txt", &bom("king 1 0 0\nqueen 1 1 0\nman 0 0 1\nwoman 0 1 1\n"));
    let analogies = write("q.txt", &bom(": royalty\nman king woman queen\n"));
    let pairs = write("pairs.txt", &bom("king\tqueen\t8\nman\twoman\t7\nking\tman\t3\n"));
    let reference = write("unused.txt", &bom("woman\n"));
    let out_dir = dir.path().join("out");
    let out = analyze(&[
        &table,
        "--query",
        "king",
        "--analogies",
        &analogies,
        "--similarity",
        &pairs,
        "--unused-reference",
        &reference,
        "--map",
        "0",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let results = &json(&out_dir)["results"];
    assert_eq!(results["neighbours"][0]["neighbours"][0]["token"], "queen");
    let total = results["analogy_benchmark"]["sections"]
        .as_array()
        .unwrap()
        .last()
        .unwrap();
    assert_eq!(total["correct"].as_array().unwrap().len(), 1, "{total}");
    assert_eq!(results["similarity_benchmarks"][&pairs]["pairs"], 3);
    // `woman` is row 3, so the list's first line named it.
    assert_eq!(
        results["undertrained"]["reference"]["rows"],
        serde_json::json!([3])
    );

    let utf16: Vec<u8> = [0xFEFF]
        .into_iter()
        .chain(": royalty\n".encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    let analogies = write("q16.txt", &utf16);
    let refused_dir = dir.path().join("refused");
    let out = analyze(&[
        &table,
        "--analogies",
        &analogies,
        "--out",
        refused_dir.to_str().unwrap(),
    ]);
    assert_refused(
        &out,
        "q16.txt: byte 0: expected UTF-8 text, found a little-endian UTF-16 byte-order mark",
    );
    // A Latin-1 file is refused where it stops being UTF-8; a missing side file
    // is named as a missing table is.
    let latin1 = write("latin1.txt", b"king\tqueen\t8\ncaf\xe9\tman\t3\n");
    let missing = dir.path().join("missing.txt");
    let missing = missing.to_str().unwrap();
    for (option, file, message) in [
        (
            "--similarity",
            latin1.as_str(),
            "latin1.txt: line 2 (byte 16): expected UTF-8 text, found the byte 0xE9".to_string(),
        ),
        (
            "--analogies",
            missing,
            format!("{missing}: cannot read the file: No such file"),
        ),
        (
            "--unused-reference",
            missing,
            format!("{missing}: cannot read the file: No such file"),
        ),
    ] {
        let out = analyze(&[&table, option, file, "--out", refused_dir.to_str().unwrap()]);
        assert_refused(&out, &message);
    }
    assert!(!refused_dir.exists(), "nothing is written");
}

/// `analyze` with `input` on its standard input.
fn analyze_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_embspace"))
        .arg("analyze")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // A reader that stops early closes the pipe: the write may then fail, the exit code says why.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

#[test]
fn a_dash_reads_the_table_from_standard_input_as_from_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let sample = include_bytes!("../../data/sample-vectors.txt");
    let file = dir.path().join("sample.txt");
    fs::write(&file, sample).unwrap();
    let from_file = dir.path().join("file");
    let out = analyze(&[
        file.to_str().unwrap(),
        "--map",
        "0",
        "--out",
        from_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let from_pipe = dir.path().join("pipe");
    let out = analyze_stdin(&["-", "--map", "0", "--out", from_pipe.to_str().unwrap()], sample);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let piped = json(&from_pipe);
    assert_eq!(piped["source"]["path"], "/dev/stdin");
    assert_eq!(
        piped["source"]["file_bytes"],
        sample.len(),
        "a pipe's size is what was read"
    );
    assert_eq!(
        piped["results"]["diagnostics"],
        json(&from_file)["results"]["diagnostics"]
    );

    // Bad input on a pipe is named as such, with its line, and nothing is written.
    let refused = dir.path().join("refused");
    let out = analyze_stdin(&["-", "--out", refused.to_str().unwrap()], b"a 1 2\nb 3\n");
    assert_refused(&out, "/dev/stdin:2: expected 2 values after the token, found 1");
    assert!(!refused.exists(), "nothing is written");
}

#[test]
fn gzip_data_and_binary_formats_piped_in_read_as_from_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/embeddings");
    let vocab = fixtures.join("vocab.txt");
    let vocab = vocab.to_str().unwrap();
    // Formats read as they arrive (text, word2vec binary, fastText models,
    // .npy), gzipped or not.
    for (name, gzipped) in [
        ("word2vec.txt", true),
        ("word2vec.bin", false),
        ("word2vec.bin", true),
        ("../fasttext/skipgram.bin", false),
        ("../fasttext/skipgram.bin", true),
        ("f32.npy", false),
        ("f32.npy", true),
    ] {
        let file = fixtures.join(name);
        let bytes = fs::read(&file).unwrap();
        let input = if gzipped { gzip(&bytes) } else { bytes };
        let (from_file, from_pipe) = (dir.path().join("file"), dir.path().join("pipe"));
        let common = ["--map", "0", "--vocab", vocab];
        let common = if name.ends_with(".npy") {
            &common[..]
        } else {
            &common[..2]
        };
        let out = analyze(
            &[
                &[file.to_str().unwrap(), "--out", from_file.to_str().unwrap()],
                common,
            ]
            .concat(),
        );
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let out = analyze_stdin(
            &[&["-", "--out", from_pipe.to_str().unwrap()], common].concat(),
            &input,
        );
        assert_eq!(out.status.code(), Some(0), "{name} ({gzipped}): {}", stderr(&out));
        let (piped, read) = (json(&from_pipe), json(&from_file));
        assert_eq!(piped["source"]["file_bytes"], input.len(), "{name} ({gzipped})");
        assert_eq!(
            piped["results"]["diagnostics"], read["results"]["diagnostics"],
            "{name} ({gzipped})"
        );
        let notes = piped["source"]["notes"].to_string();
        assert_eq!(notes.contains("gzip: "), gzipped, "{name}: {notes}");
    }

    // A truncated download piped in is refused at its compressed byte, as from its file.
    let text = b"a 1 2\nb 3 4\n".repeat(20_000);
    let whole = gzip(&text);
    let cut = &whole[..whole.len() - 50];
    let file = dir.path().join("cut.txt.gz");
    fs::write(&file, cut).unwrap();
    let refused = dir.path().join("refused");
    let out = analyze(&[file.to_str().unwrap(), "--out", refused.to_str().unwrap()]);
    let message = stderr(&out);
    let (_, reason) = message
        .split_once(":byte ")
        .unwrap_or_else(|| panic!("{message}"));
    let out = analyze_stdin(&["-", "--out", refused.to_str().unwrap()], cut);
    assert_refused(
        &out,
        &format!("/dev/stdin:byte {}", reason.lines().next().unwrap()),
    );
    assert!(!refused.exists(), "nothing is written");
}

#[test]
fn counts_that_leave_nothing_to_measure_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    for (option, value, message) in [
        ("--limit", "0", "'--limit <N>': expected at least 1, found 0"),
        ("--top", "0", "'--top <N>': expected at least 1, found 0"),
        ("--sample", "2", "'--sample <N>': expected at least 3, found 2"),
        (
            "--top",
            "ten",
            "'--top <N>': expected a whole number, found `ten`",
        ),
    ] {
        assert_refused(
            &analyze(&["no-such-file.txt", option, value, "--out", out]),
            message,
        );
    }
}

#[test]
fn pages_of_formats_not_asked_for_are_an_earlier_run_s_and_are_removed() {
    // The second table's figures replace the first's, so the first's HTML and
    // JSON beside them would describe a table the figures no longer show.
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let table = |name: &str, rows: &str| {
        let path = dir.path().join(name);
        fs::write(&path, rows).unwrap();
        path.to_str().unwrap().to_string()
    };
    let first = table("first.txt", "king 1 0 0\nqueen 1 1 0\nman 0 0 1\nwoman 0 1 1\n");
    let second = table("second.txt", "cat 1 2 0\ndog 1 1 0\nfish 0 2 1\nbird 2 1 1\n");
    let out = analyze(&[&first, "--map", "0", "--out", out_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let args = [
        &second,
        "--map",
        "0",
        "--report-format",
        "md",
        "--out",
        out_dir.to_str().unwrap(),
    ];
    let out = analyze(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("(analysis.html, analysis.json of an earlier run removed)"),
        "{}",
        stderr(&out)
    );
    assert!(!out_dir.join("analysis.html").exists());
    assert!(!out_dir.join("analysis.json").exists());
    let markdown = fs::read_to_string(out_dir.join("analysis.md")).unwrap();
    assert!(markdown.contains("second.txt"));
    // Run again: nothing left to remove, nothing said.
    let out = analyze(&args);
    assert!(!stderr(&out).contains("removed"), "{}", stderr(&out));
}
