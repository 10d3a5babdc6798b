//! The committed notebooks are what the generator writes now.
//!
//! `notebooks/` is generated from the demo sources by `cargo run -- notebooks`.
//! Editing a demo without regenerating, committing a notebook whose demo is
//! gone, or saving a notebook after running it in Jupyter fails here, naming
//! the file and the command that fixes it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use embspace::demos::{self, Demo};
use embspace::notebook::{self, is_generated_name};
use embspace::report::Rendered;

fn notebooks_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("notebooks")
}

/// Every way `dir` differs from `rendered`, one line per file: stale or
/// missing generated files, and notebooks no demo generates.
fn stale(rendered: &Rendered, dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, bytes) in &rendered.files {
        let name = name.to_string_lossy();
        match fs::read(dir.join(&*name)) {
            Err(_) => problems.push(format!("notebooks/{name} is missing")),
            Ok(committed) if committed != *bytes => problems.push(format!(
                "notebooks/{name} is stale (its demo or the generator changed, or it was saved from Jupyter)"
            )),
            Ok(_) => {}
        }
    }
    let mut extra: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".ipynb") && rendered.get(name).is_none())
                .collect()
        })
        .unwrap_or_default();
    extra.sort();
    for name in extra {
        problems.push(if is_generated_name(&name) {
            format!(
                "notebooks/{name} belongs to no demo (removed, renamed or moved); regenerating deletes it"
            )
        } else {
            format!("notebooks/{name} is not generated: notebooks/ holds only generated notebooks, delete it")
        });
    }
    problems
}

/// The failure message: every problem, then the one command that fixes them.
fn explain(problems: &[String]) -> String {
    format!(
        "notebooks/ differs from what the demos generate now:\n  {}\n\
         Run `cargo run -- notebooks` and commit the result \
         (if you only ran a notebook in Jupyter, `git checkout notebooks/` restores it).",
        problems.join("\n  ")
    )
}

#[test]
fn committed_notebooks_match_the_generator() {
    let rendered = notebook::render(demos::ALL).expect("every demo has a notebook");
    let problems = stale(&rendered, &notebooks_dir());
    assert!(problems.is_empty(), "{}", explain(&problems));
}

#[test]
fn editing_a_demo_without_regenerating_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    notebook::write(dir.path(), &notebook::render(demos::ALL).unwrap()).unwrap();
    assert!(stale(&notebook::render(demos::ALL).unwrap(), dir.path()).is_empty());

    // The same demo with one number changed in its shown code.
    let original = &demos::ALL[0];
    let edited_source = original
        .source
        .replacen("ANCHOR: demo", "ANCHOR: demo\n    let _edited = 1;", 1);
    let edited = Demo {
        source: Box::leak(edited_source.into_boxed_str()),
        ..*original
    };
    let mut now = demos::ALL.to_vec();
    now[0] = edited;
    let problems = stale(&notebook::render(&now).unwrap(), dir.path());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains(&notebook::file_name(1, original)));
    assert!(explain(&problems).contains("cargo run -- notebooks"));
}

#[test]
fn a_notebook_whose_demo_is_gone_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    notebook::write(dir.path(), &notebook::render(demos::ALL).unwrap()).unwrap();
    let without_last = &demos::ALL[..demos::ALL.len() - 1];
    let problems = stale(&notebook::render(without_last).unwrap(), dir.path());
    let gone = notebook::file_name(demos::ALL.len(), demos::ALL.last().unwrap());
    // The index changed too (one link fewer), and the last notebook has no demo.
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("notebooks/README.md is stale")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains(&gone) && p.contains("belongs to no demo")),
        "{problems:?}"
    );
}

#[test]
fn the_cli_writes_what_the_library_renders() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_embspace"))
        .args(["notebooks", "--quiet", "--out", dir.path().to_str().unwrap()])
        .output()
        .expect("the binary runs");
    crate::assert_succeeded(&out);
    let rendered = notebook::render(demos::ALL).unwrap();
    assert!(stale(&rendered, dir.path()).is_empty());
}
