//! Writes one nbformat-4 notebook per demo for the evcxr kernel, and the index
//! `README.md` that links them in report order.
//!
//! The bytes depend only on the demo sources: no timestamps, no execution
//! counts, no outputs, keys sorted and one-space indentation as nbformat itself
//! writes them, so a committed notebook can be compared with a fresh one.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use crate::demos::{Demo, REAL_HEADING, parse_source};
use crate::error::Result;
use crate::notebook::split::split_demo;
use crate::report::{Rendered, write_atomically};

/// The name of the index the generator writes beside the notebooks.
pub const INDEX: &str = "README.md";

/// evcxr's artifact cache for compiled dependencies, in MiB: enough for
/// embspace's dependency tree several times over, so a second session starts
/// from the cache instead of recompiling.
const CACHE_MIB: u32 = 500;

/// How a notebook loads this crate: from the checkout, without the default
/// features (`analyze`, `cli`) that no demo uses. evcxr caches compiled
/// registry crates but recompiles a path dependency in every session, so
/// every line left out here is time saved at each notebook's first cell.
pub const DEP: &str = ":dep embspace = { path = \"..\", default-features = false }";

/// The file name of a demo's notebook: its report position, two digits, and its id.
///
/// # Examples
/// ```
/// let demo = embspace::demos::find("batch_shapes").unwrap();
/// assert_eq!(embspace::notebook::file_name(5, demo), "05-batch_shapes.ipynb");
/// ```
pub fn file_name(number: usize, demo: &Demo) -> String {
    format!("{number:02}-{}.ipynb", demo.id)
}

/// True for names the generator writes (`NN-<id>.ipynb`); only these are
/// removed when stale, so a reader's own notebooks are left alone.
///
/// # Examples
/// ```
/// use embspace::notebook::is_generated_name;
/// assert!(is_generated_name("05-batch_shapes.ipynb"));
/// assert!(!is_generated_name("scratch.ipynb"));
/// ```
pub fn is_generated_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".ipynb") else {
        return false;
    };
    let Some((number, id)) = stem.split_once('-') else {
        return false;
    };
    number.len() >= 2
        && number.bytes().all(|b| b.is_ascii_digit())
        && !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// One notebook cell. Field order is alphabetical, so the JSON keys come out
/// sorted however serde_json is configured.
#[derive(Serialize)]
struct Cell {
    cell_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    execution_count: Option<Option<u32>>,
    id: &'static str,
    metadata: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    outputs: Option<Vec<Value>>,
    source: Vec<String>,
}

impl Cell {
    fn markdown(id: &'static str, text: &str) -> Cell {
        Cell {
            cell_type: "markdown",
            execution_count: None,
            id,
            metadata: json!({}),
            outputs: None,
            source: lines(text),
        }
    }

    fn code(id: &'static str, text: &str) -> Cell {
        Cell {
            cell_type: "code",
            execution_count: Some(None),
            id,
            metadata: json!({}),
            outputs: Some(Vec::new()),
            source: lines(text),
        }
    }
}

/// nbformat's multi-line string: a list of lines, each but the last ending in `\n`.
fn lines(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    if let Some(last) = out.last_mut()
        && last.ends_with('\n')
    {
        last.pop();
    }
    out
}

/// The notebook of one demo as nbformat-4 JSON text.
///
/// Cells: the title and prose (Markdown); a setup cell that turns on evcxr's
/// cache, compiles without optimisation (the demos are small; compiling is what
/// takes time), loads the crate from the checkout ([`DEP`], relative to the
/// notebook's directory) and repeats the demo's `use`
/// items; the demo's private helpers, if any; and the demo cell: the demo's
/// `run` function as written, then a block that runs it in a fresh
/// [`Ctx`](crate::demos::Ctx) and ends with the context, which evcxr shows as
/// transcript, check table and inline figures (see
/// [`Ctx::to_html`](crate::demos::Ctx::to_html)).
///
/// The demo cell defines no session variable: evcxr infers the type of each
/// one with rust-analyzer, whose first use in a session costs about ten
/// seconds, and a block keeps the cell at a second or two. Its last
/// expression has no `?`: evcxr would then fall back from `evcxr_display` to
/// `Debug`, so a failing demo panics with its error instead.
///
/// # Errors
/// [`Error::Render`](crate::Error::Render) when the demo's source cannot be
/// split (see [`split_demo`]).
///
/// # Examples
/// ```
/// let demo = embspace::demos::find("one_hot_lookup").unwrap();
/// let json = embspace::notebook::notebook(4, demo)?;
/// let nb: serde_json::Value = serde_json::from_str(&json).unwrap();
/// assert_eq!(nb["nbformat"], 4);
/// assert_eq!(nb["metadata"]["kernelspec"]["name"], "rust");
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn notebook(number: usize, demo: &Demo) -> Result<String> {
    let source = parse_source(demo.source);
    let parts = split_demo(demo.id, demo.source)?;
    let mut prose = source.prose.clone();
    if !source.real_prose.is_empty() {
        prose = format!(
            "{prose}\n\n{REAL_HEADING}\n\n{}\n\nThe tables are the two shipped in `data/real/` \
             (GloVe 6B 50d and all-MiniLM-L6-v2's token embeddings), compiled into the crate.",
            source.real_prose
        );
    }

    let mut cells = vec![Cell::markdown(
        "prose",
        &format!(
            "# {number}. {title}\n\n{prose}\n\n---\n\n*Generated from [`src/demos/{id}.rs`](../src/demos/{id}.rs) \
             by `cargo run -- notebooks`: edit the demo, not this notebook. Run the cells in order; the \
             first compiles the crate (about a minute the first time, 20 seconds or so once evcxr's \
             cache is warm). Change a number in the last cell and run it again. \
             [All notebooks](README.md).*",
            title = source.title,
            id = demo.id,
        ),
    )];

    let mut setup = format!(":cache {CACHE_MIB}\n:opt 0\n{DEP}\n");
    match parts.crates.as_slice() {
        [] => {}
        [one] => setup += &format!("use embspace::{one};\n"),
        many => setup += &format!("use embspace::{{{}}};\n", many.join(", ")),
    }
    setup += &parts.uses.join("\n");
    cells.push(Cell::code("setup", &setup));

    if !parts.helpers.is_empty() {
        cells.push(Cell::code("helpers", &parts.helpers.join("\n\n")));
    }

    cells.push(Cell::code(
        "demo",
        &format!(
            "{run}\n\n\
             // Run it in a fresh context and show what it wrote: transcript, checks, figures.\n\
             {{\n    let mut ctx = embspace::demos::Ctx::new();\n    if let Err(e) = run(&mut ctx) {{\n        \
             panic!(\"the demo failed: {{e}}\");\n    }}\n    ctx\n}}",
            run = parts.run
        ),
    ));

    let notebook = json!({
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Rust", "language": "rust", "name": "rust"},
            "language_info": {
                "codemirror_mode": "rust",
                "file_extension": ".rs",
                "mimetype": "text/rust",
                "name": "rust",
                "pygment_lexer": "rust",
            },
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    });
    Ok(to_nbformat_json(&notebook))
}

/// JSON as nbformat writes it: keys sorted, one space of indentation, a final newline.
fn to_nbformat_json(value: &Value) -> String {
    let mut bytes = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(
        &mut bytes,
        serde_json::ser::PrettyFormatter::with_indent(b" "),
    );
    value.serialize(&mut serializer).expect("a JSON value serialises");
    String::from_utf8(bytes).expect("serde_json writes UTF-8") + "\n"
}

/// The index: every notebook in report order, and how to run them.
///
/// # Examples
/// ```
/// let index = embspace::notebook::index(embspace::demos::ALL);
/// assert!(index.contains("(01-token_ids_to_vectors.ipynb)"));
/// ```
pub fn index(demos: &[Demo]) -> String {
    let mut text = String::from(
        "# Notebooks\n\n\
         One [evcxr](https://github.com/evcxr/evcxr) notebook per demo of the [report](../reports/report.md), \
         in report order. Each loads `embspace` from this checkout, runs the demo's code as the report \
         does, and shows its transcript, its checks (PASS/FAIL) and its figures inline. Change a number \
         and run the cell again to see what moves. The demos cite their sources by author and year \
         (Mu & Viswanath 2018); the works are listed in full at the end of the report, under \
         [References](../reports/report.md#references).\n\n\
         These files are generated from `src/demos/` by `cargo run -- notebooks`; do not edit them. \
         `cargo test` fails when they differ from what the demos would generate. Running them needs \
         the evcxr kernel: `cargo install evcxr_jupyter --locked && evcxr_jupyter --install`.\n\n\
         | # | Notebook | Demo source |\n|---|---|---|\n",
    );
    for (i, demo) in demos.iter().enumerate() {
        let title = parse_source(demo.source).title;
        let title: String = title
            .chars()
            .flat_map(|c| match c {
                '|' | '[' | ']' | '\\' | '*' | '_' | '`' | '<' | '>' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        text += &format!(
            "| {n} | [{title}]({file}) | [`{id}.rs`](../src/demos/{id}.rs) |\n",
            n = i + 1,
            file = file_name(i + 1, demo),
            id = demo.id,
        );
    }
    text += "\n## Running them\n\n\
             Once per machine (compiling the kernel takes about 20 minutes on two cores):\n\n\
             ```sh\n\
             cargo install evcxr_jupyter --locked\n\
             evcxr_jupyter --install          # registers the `rust` Jupyter kernel\n\
             python3 -m pip install jupyterlab\n\
             ```\n\n\
             Then, from the repository root:\n\n\
             ```sh\n\
             jupyter lab notebooks/\n\
             ```\n\n\
             Open a notebook and run its cells in order. The first cell compiles `embspace` and its \
             dependencies; that takes about a minute in a fresh environment and 20 seconds or so once \
             evcxr's cache (`:cache`) holds the dependencies. Later cells take a second or two. See \
             \"Interactive notebooks\" in the [README](../README.md#interactive-notebooks) for measured \
             times.\n\n\
             Saving a notebook after running it changes the committed file (outputs); \
             `git checkout notebooks/` restores it.\n";
    text
}

/// Every notebook and the index, ready for [`write()`].
///
/// # Errors
/// The first demo whose notebook cannot be generated (see [`notebook`]).
///
/// # Examples
/// ```
/// let rendered = embspace::notebook::render(embspace::demos::ALL)?;
/// assert_eq!(rendered.files.len(), embspace::demos::ALL.len() + 1);
/// assert!(rendered.get("README.md").is_some());
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn render(demos: &[Demo]) -> Result<Rendered> {
    let mut files = Vec::with_capacity(demos.len() + 1);
    for (i, demo) in demos.iter().enumerate() {
        files.push((
            PathBuf::from(file_name(i + 1, demo)),
            notebook(i + 1, demo)?.into_bytes(),
        ));
    }
    files.push((PathBuf::from(INDEX), index(demos).into_bytes()));
    Ok(Rendered { files })
}

/// Write rendered notebooks into `dir` atomically (see
/// [`write_atomically`]), then remove generated-looking notebooks
/// ([`is_generated_name`]) that were not written now: those of demos that were
/// removed, renamed or moved.
///
/// Returns the paths written.
///
/// # Errors
/// The first I/O error, with the path it concerns.
pub fn write(dir: &Path, rendered: &Rendered) -> std::io::Result<Vec<PathBuf>> {
    let written = write_atomically(dir, rendered, false)?;
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if is_generated_name(name) && !written.contains(&path) {
            fs::remove_file(&path)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demos::ALL;

    fn parsed(number: usize, demo: &Demo) -> Value {
        serde_json::from_str(&notebook(number, demo).unwrap()).unwrap()
    }

    fn sources(nb: &Value) -> Vec<(String, String)> {
        nb["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let text: String = c["source"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l.as_str().unwrap())
                    .collect();
                (c["id"].as_str().unwrap().to_owned(), text)
            })
            .collect()
    }

    #[test]
    fn every_demo_gives_a_valid_nbformat_4_notebook_for_the_rust_kernel() {
        for (i, demo) in ALL.iter().enumerate() {
            let nb = parsed(i + 1, demo);
            assert_eq!(nb["nbformat"], 4);
            assert_eq!(nb["nbformat_minor"], 5);
            assert_eq!(
                nb["metadata"]["kernelspec"],
                json!({"display_name": "Rust", "language": "rust", "name": "rust"})
            );
            assert_eq!(nb["metadata"]["language_info"]["name"], "rust");
            let mut ids = Vec::new();
            for cell in nb["cells"].as_array().unwrap() {
                let id = cell["id"].as_str().unwrap();
                assert!(
                    id.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                );
                ids.push(id);
                assert_eq!(cell["metadata"], json!({}));
                assert!(cell["source"].as_array().unwrap().iter().all(Value::is_string));
                match cell["cell_type"].as_str().unwrap() {
                    "code" => {
                        assert_eq!(cell["outputs"], json!([]), "no outputs are committed");
                        assert!(cell["execution_count"].is_null());
                    }
                    "markdown" => assert!(cell.get("outputs").is_none()),
                    other => panic!("unexpected cell type {other}"),
                }
            }
            let n = ids.len();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), n, "{}: cell ids must be unique", demo.id);
        }
    }

    #[test]
    fn cells_carry_the_prose_the_setup_and_the_shown_code_and_end_with_the_context() {
        for (i, demo) in ALL.iter().enumerate() {
            let source = parse_source(demo.source);
            let cells = sources(&parsed(i + 1, demo));
            assert!(
                cells[0]
                    .1
                    .starts_with(&format!("# {}. {}\n\n{}", i + 1, source.title, source.prose))
            );
            assert!(cells[1].1.starts_with(
                ":cache 500\n:opt 0\n:dep embspace = { path = \"..\", default-features = false }\n"
            ));
            assert!(
                !cells[1].1.contains("crate::"),
                "{}: setup still names crate::",
                demo.id
            );
            let (id, demo_cell) = cells.last().unwrap();
            assert_eq!(id, "demo");
            assert!(demo_cell.contains("fn run(ctx: &mut Ctx) -> embspace::Result<()> {\n"));
            // The shown code is there line by line, in order, with crate paths rewritten.
            let mut rest = demo_cell.as_str();
            for line in source.code.lines().filter(|l| !l.trim().is_empty()) {
                let expected = crate::notebook::rewrite_paths(line.trim());
                let at = rest
                    .find(&expected)
                    .unwrap_or_else(|| panic!("{}: missing `{line}`", demo.id));
                rest = &rest[at + expected.len()..];
            }
            assert!(!demo_cell.contains("ANCHOR"));
            assert!(demo_cell.ends_with(
                "{\n    let mut ctx = embspace::demos::Ctx::new();\n    if let Err(e) = run(&mut ctx) {\n        \
                 panic!(\"the demo failed: {e}\");\n    }\n    ctx\n}"
            ));
        }
    }

    #[test]
    fn a_demo_with_helpers_gets_a_helpers_cell() {
        let demo = crate::demos::find("isotropy").unwrap();
        let cells = sources(&parsed(1, demo));
        let helpers = &cells.iter().find(|(id, _)| id == "helpers").unwrap().1;
        assert!(helpers.contains("fn pairwise_cosines(x: ArrayView2<f64>) -> embspace::Result<Vec<f64>>"));
        assert!(
            cells[1]
                .1
                .contains("use embspace::{ndarray, ndarray_rand};\nuse ndarray::")
        );
    }

    #[test]
    fn the_bytes_are_deterministic_sorted_and_newline_terminated() {
        let demo = &ALL[0];
        let (a, b) = (notebook(1, demo).unwrap(), notebook(1, demo).unwrap());
        assert_eq!(a, b);
        assert!(a.ends_with("}\n"));
        assert!(
            a.starts_with("{\n \"cells\": [\n  {\n   \"cell_type\": \"markdown\",\n   \"id\": \"prose\",")
        );
        let meta = a.find("\"metadata\": {\n  \"kernelspec\"").unwrap();
        assert!(a.find("\"nbformat\": 4").unwrap() > meta);
    }

    #[test]
    fn multi_line_strings_are_lists_of_lines() {
        assert_eq!(lines("a\nb\n"), ["a\n", "b"]);
        assert_eq!(lines("a"), ["a"]);
        assert!(lines("").is_empty());
    }

    #[test]
    fn the_index_links_every_notebook_in_order_and_escapes_titles() {
        let index = index(ALL);
        let positions: Vec<usize> = ALL
            .iter()
            .enumerate()
            .map(|(i, d)| index.find(&format!("({})", file_name(i + 1, d))).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));
        let odd = Demo {
            id: "odd",
            seed_demos: &[],
            source: "//! # A | B [c]\n",
            run: |_| Ok(()),
        };
        assert!(super::index(&[odd]).contains("[A \\| B \\[c\\]](01-odd.ipynb)"));
    }

    #[test]
    fn writing_removes_stale_generated_notebooks_but_keeps_other_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("09-gone.ipynb"), "{}").unwrap();
        fs::write(dir.path().join("scratch.ipynb"), "{}").unwrap();
        let rendered = render(&ALL[..1]).unwrap();
        write(dir.path(), &rendered).unwrap();
        assert!(!dir.path().join("09-gone.ipynb").exists());
        assert!(dir.path().join("scratch.ipynb").exists());
        assert!(dir.path().join(file_name(1, &ALL[0])).exists());
        assert!(dir.path().join(INDEX).exists());
    }
}
