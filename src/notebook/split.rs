//! Splits a demo's source file into the pieces a notebook needs: its `use`
//! items, its private helpers, and its `run` function, with paths rewritten so
//! they resolve from outside the crate.
//!
//! Demo files are small, rustfmt-formatted and follow one shape (module doc,
//! `use` items, helpers, `pub fn run`, maybe tests), so a tiny lexer that knows
//! comments, strings and character literals is enough to find top-level items
//! by bracket depth; a full Rust parser would add a dependency to every
//! notebook's first compile.

use std::ops::Range;

use crate::error::{Error, Result};

/// Crates `embspace` re-exports at its root (`embspace::ndarray`, …), so a
/// notebook can name them without its own `:dep` and gets exactly the
/// versions the crate was built with.
pub const REEXPORTED: &[&str] = &["ndarray", "ndarray_rand", "rand"];

/// Path roots that need no dependency in a notebook.
const BUILT_IN: &[&str] = &["std", "core", "alloc", "embspace", "crate", "super", "self"];

/// The parts of a demo source a notebook shows.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoParts {
    /// `use` items, paths rewritten (`crate::` → `embspace::`), one string
    /// each; an item that follows a blank line in the source starts with `\n`.
    pub uses: Vec<String>,
    /// Re-exported crates the demo names (`ndarray`, …), to bring into scope
    /// with `use embspace::{…};`.
    pub crates: Vec<String>,
    /// Top-level items other than `use`, `run` and `#[cfg(test)]` ones, with
    /// their doc comments, paths rewritten.
    pub helpers: Vec<String>,
    /// The `run` function as written, with its doc comment, without the
    /// anchor comments, paths rewritten.
    pub run: String,
}

/// Split a demo source into its notebook parts.
///
/// # Errors
/// [`Error::Render`] when the source has no `fn run`, or names a crate that
/// `embspace` does not re-export (the notebook could not compile).
///
/// # Examples
/// ```
/// let src = "//! # T\nuse crate::demos::Ctx;\n\npub fn run(ctx: &mut Ctx) -> crate::Result<()> {\n    // ANCHOR: demo\n    ctx.say(\"hi\");\n    // ANCHOR_END: demo\n    Ok(())\n}\n";
/// let parts = embspace::notebook::split_demo("t", src)?;
/// assert_eq!(parts.uses, ["use embspace::demos::Ctx;"]);
/// assert_eq!(parts.run, "pub fn run(ctx: &mut Ctx) -> embspace::Result<()> {\n    ctx.say(\"hi\");\n    Ok(())\n}");
/// # Ok::<(), embspace::Error>(())
/// ```
pub fn split_demo(id: &str, source: &str) -> Result<DemoParts> {
    let fail = |reason: String| Error::Render {
        what: format!("the notebook of demo `{id}`"),
        reason,
    };
    let mask = code_mask(source);
    let mut parts = DemoParts {
        uses: Vec::new(),
        crates: Vec::new(),
        helpers: Vec::new(),
        run: String::new(),
    };
    let mut found_run = false;
    for span in items(source, &mask) {
        let text = &source[span.clone()];
        let head = head(text, &mask[span.clone()]);
        if head.is_test {
            continue;
        }
        match head.keyword.as_str() {
            "use" => {
                let root = use_root(text, &mask[span.clone()]);
                if let Some(root) = root.filter(|r| !BUILT_IN.contains(&r.as_str()))
                    && !REEXPORTED.contains(&root.as_str())
                {
                    return Err(fail(format!(
                        "it uses crate `{root}`, which embspace does not re-export; add \
                         `pub use {root};` to src/lib.rs and `{root}` to notebook::REEXPORTED"
                    )));
                }
                // Keep the blank lines that group `use` items in the source.
                let spaced = source[..span.start]
                    .trim_end_matches([' ', '\t'])
                    .ends_with("\n\n");
                let gap = if spaced && !parts.uses.is_empty() {
                    "\n"
                } else {
                    ""
                };
                parts.uses.push(format!("{gap}{}", rewrite_paths(text)));
            }
            "fn" if head.name == "run" => {
                found_run = true;
                parts.run = rewrite_paths(&without_anchors(text));
            }
            _ => parts.helpers.push(rewrite_paths(&without_anchors(text))),
        }
    }
    if !found_run {
        return Err(fail("the source has no `fn run`".into()));
    }
    let everything = [parts.uses.join("\n"), parts.helpers.join("\n"), parts.run.clone()].join("\n");
    parts.crates = REEXPORTED
        .iter()
        .filter(|c| names_root(&everything, c))
        .map(|c| c.to_string())
        .collect();
    Ok(parts)
}

/// `text` without the anchor lines that mark the code the report shows
/// (`// ANCHOR: demo`, `// ANCHOR_END: real`, …): a notebook shows all of it.
fn without_anchors(text: &str) -> String {
    let anchor = |line: &str| {
        let line = line.trim();
        line.starts_with("// ANCHOR: ") || line.starts_with("// ANCHOR_END: ")
    };
    text.lines().filter(|l| !anchor(l)).collect::<Vec<_>>().join("\n")
}

/// For every byte of `source`: true when it is code, false inside comments
/// and string or character literals.
fn code_mask(source: &str) -> Vec<bool> {
    let b = source.as_bytes();
    let mut mask = vec![true; b.len()];
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let ident_before = i > 0 && is_ident(b[i - 1]);
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                while i < b.len() {
                    if b[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if b[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            b'r' if !ident_before && raw_string_hashes(&b[i + 1..]).is_some() => {
                let hashes = raw_string_hashes(&b[i + 1..]).unwrap_or(0);
                i += 2 + hashes;
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                while i < b.len() && !b[i..].starts_with(&close) {
                    i += 1;
                }
                i = (i + close.len()).min(b.len());
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
            }
            b'\'' => {
                // A character literal ('x', '\n', '\u{1F600}', 'é') or a lifetime ('a).
                let rest = &source[i + 1..];
                let mut chars = rest.char_indices();
                match chars.next() {
                    Some((_, '\\')) => {
                        let close = rest[1..].find('\'').map_or(rest.len(), |p| p + 2);
                        i += 1 + close;
                    }
                    Some((_, c)) if rest[c.len_utf8()..].starts_with('\'') => i += 2 + c.len_utf8(),
                    _ => i += 1,
                }
                if i - start == 1 {
                    continue; // a lifetime is code
                }
            }
            _ => {
                i += 1;
                continue;
            }
        }
        mask[start..i.min(b.len())].iter_mut().for_each(|m| *m = false);
    }
    mask
}

/// `Some(number of #)` when `after_r` continues a raw string opener (`"`, `#"`, `##"`…).
fn raw_string_hashes(after_r: &[u8]) -> Option<usize> {
    let hashes = after_r.iter().take_while(|&&c| c == b'#').count();
    (after_r.get(hashes) == Some(&b'"')).then_some(hashes)
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Byte ranges of the top-level items after the module doc. Each range starts
/// at the first line after the previous item (so doc comments and attributes
/// belong to the item they precede) and ends with the item's `;` or `}`.
fn items(source: &str, mask: &[bool]) -> Vec<Range<usize>> {
    let b = source.as_bytes();
    let doc_end: usize = source
        .lines()
        .take_while(|l| l.starts_with("//!") || l.starts_with("#!["))
        .map(|l| l.len() + 1)
        .sum();
    let mut spans = Vec::new();
    let first = doc_end.min(b.len());
    let (mut start, mut depth) = (first, 0i32);
    for i in first..b.len() {
        if !mask[i] {
            continue;
        }
        let ends = match b[i] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                false
            }
            b')' | b']' => {
                depth -= 1;
                false
            }
            b'}' => {
                depth -= 1;
                depth == 0 && !ends_with_semicolon(&head(&source[start..i], &mask[start..i]).keyword)
            }
            b';' => depth == 0,
            _ => false,
        };
        if ends {
            let text_start = start + source[start..i].len() - source[start..i].trim_start().len();
            spans.push(text_start..i + 1);
            start = i + 1;
        }
    }
    spans
}

/// Items that end at a `;` even when they contain braces (`const X: T = T { … };`).
fn ends_with_semicolon(keyword: &str) -> bool {
    matches!(keyword, "use" | "const" | "static" | "type" | "let")
}

/// What an item is: its keyword (`fn`, `use`, `struct`, …), its name, and
/// whether it is compiled only for tests.
struct Head {
    keyword: String,
    name: String,
    is_test: bool,
}

fn head(text: &str, mask: &[bool]) -> Head {
    let code: String = text
        .char_indices()
        .map(|(i, c)| if mask[i] { c } else { ' ' })
        .collect();
    let mut rest = code.trim_start();
    let mut is_test = false;
    // Attributes, then visibility and qualifiers.
    while let Some(attr) = rest.strip_prefix("#[") {
        let end = attr.find(']').map_or(attr.len(), |e| e + 1);
        is_test |= attr[..end].replace(' ', "").contains("cfg(test)");
        rest = attr[end..].trim_start();
    }
    let mut words = rest
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '!'))
        .filter(|w| !w.is_empty())
        .peekable();
    let mut keyword = String::new();
    while let Some(word) = words.next() {
        let qualifier = matches!(
            word,
            "pub" | "crate" | "super" | "in" | "self" | "async" | "unsafe" | "extern"
        ) || (word == "const" && words.peek() == Some(&"fn"));
        if !qualifier {
            keyword = word.to_owned();
            break;
        }
    }
    let name = words.next().unwrap_or_default().to_owned();
    Head {
        keyword,
        name,
        is_test,
    }
}

/// The first segment of a `use` item's path (`ndarray` in `use ndarray::{…};`),
/// or `None` for a grouped root (`use {a::b, c::d};`).
fn use_root(text: &str, mask: &[bool]) -> Option<String> {
    let code: String = text
        .char_indices()
        .map(|(i, c)| if mask[i] { c } else { ' ' })
        .collect();
    let after = code.split_once("use ")?.1.trim_start();
    let after = after.strip_prefix("::").unwrap_or(after);
    let root: String = after
        .chars()
        .take_while(|&c| c.is_alphanumeric() || c == '_')
        .collect();
    (!root.is_empty()).then_some(root)
}

/// Rewrite paths that only resolve inside the crate: `crate::` becomes
/// `embspace::` and `super::` (the demos module) becomes `embspace::demos::`.
/// Comments and string literals are left alone.
///
/// # Examples
/// ```
/// use embspace::notebook::rewrite_paths;
/// assert_eq!(rewrite_paths("use crate::math::cosine;"), "use embspace::math::cosine;");
/// assert_eq!(rewrite_paths("let s = \"crate::x\"; // crate::y"), "let s = \"crate::x\"; // crate::y");
/// assert_eq!(rewrite_paths("my_crate::f(); super::Ctx::new()"), "my_crate::f(); embspace::demos::Ctx::new()");
/// ```
pub fn rewrite_paths(code: &str) -> String {
    let mask = code_mask(code);
    let b = code.as_bytes();
    let mut out = String::with_capacity(code.len() + 32);
    let (mut last, mut i) = (0, 0);
    while i < b.len() {
        let boundary = i == 0 || !(is_ident(b[i - 1]) || b[i - 1] == b':' || b[i - 1] == b'$');
        let hit = [("crate::", "embspace::"), ("super::", "embspace::demos::")]
            .into_iter()
            .find(|(word, _)| boundary && mask[i] && b[i..].starts_with(word.as_bytes()));
        if let Some((word, replacement)) = hit {
            out.push_str(&code[last..i]);
            out.push_str(replacement);
            i += word.len();
            last = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&code[last..]);
    out
}

/// True when `code` names `root` as the first segment of a path (`root::…`)
/// outside comments and strings.
fn names_root(code: &str, root: &str) -> bool {
    let mask = code_mask(code);
    let b = code.as_bytes();
    let needle = format!("{root}::");
    code.match_indices(&needle)
        .any(|(i, _)| mask[i] && (i == 0 || !(is_ident(b[i - 1]) || b[i - 1] == b':')))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = r#"//! # A demo
//!
//! Prose with `crate::` in it.

use ndarray::{Array1, array};
use ndarray_rand::rand_distr::{
    Normal, StandardNormal,
};

use crate::demos::Ctx;
use crate::math::{
    cosine, top_k_cosine,
};

/// A helper with braces in a string: "{".
fn helper(x: &[f64]) -> crate::Result<f64> {
    let s = "}}}";
    let c = '}';
    Ok(x.iter().sum::<f64>() + s.len() as f64 + (c as u8) as f64)
}

const TABLE: [f64; 2] = [1.0, 2.0];

/// Runs.
pub fn run(ctx: &mut Ctx) -> crate::Result<()> {
    // ANCHOR: demo
    let v = array![1.0, 2.0];
    if v.len() > 1 {
        ctx.say(format!("{} {}", v.len(), helper(&TABLE)?));
    }
    // ANCHOR_END: demo
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hidden() {}
}
"#;

    #[test]
    fn uses_are_split_whole_and_rewritten_to_the_crate_name() {
        let parts = split_demo("a_demo", DEMO).unwrap();
        assert_eq!(parts.uses.len(), 4);
        assert_eq!(parts.uses[0], "use ndarray::{Array1, array};");
        assert!(parts.uses[1].starts_with("use ndarray_rand::rand_distr::{\n"));
        assert_eq!(parts.uses[2], "\nuse embspace::demos::Ctx;");
        assert_eq!(
            parts.uses[3],
            "use embspace::math::{\n    cosine, top_k_cosine,\n};"
        );
        assert_eq!(parts.crates, ["ndarray", "ndarray_rand"]);
    }

    #[test]
    fn helpers_keep_their_docs_and_braces_in_literals_do_not_confuse_the_split() {
        let parts = split_demo("a_demo", DEMO).unwrap();
        assert_eq!(parts.helpers.len(), 2, "{:#?}", parts.helpers);
        assert!(parts.helpers[0].starts_with("/// A helper with braces in a string: \"{\".\nfn helper("));
        assert!(parts.helpers[0].contains("-> embspace::Result<f64>"));
        assert!(parts.helpers[0].ends_with('}'));
        assert_eq!(parts.helpers[1], "const TABLE: [f64; 2] = [1.0, 2.0];");
    }

    #[test]
    fn run_is_kept_whole_without_its_anchors_and_tests_are_skipped() {
        let parts = split_demo("a_demo", DEMO).unwrap();
        assert_eq!(
            parts.run,
            "/// Runs.\npub fn run(ctx: &mut Ctx) -> embspace::Result<()> {\n    let v = array![1.0, 2.0];\n    \
             if v.len() > 1 {\n        ctx.say(format!(\"{} {}\", v.len(), helper(&TABLE)?));\n    }\n    Ok(())\n}"
        );
        assert!(!parts.helpers.iter().any(|h| h.contains("hidden")));
    }

    #[test]
    fn a_crate_embspace_does_not_reexport_is_refused_with_the_fix() {
        let src = "//! # T\nuse nalgebra::DMatrix;\npub fn run(ctx: &mut Ctx) -> crate::Result<()> {\n    Ok(())\n}\n";
        let err = split_demo("t", src).unwrap_err().to_string();
        assert!(
            err.contains("crate `nalgebra`") && err.contains("pub use nalgebra;"),
            "{err}"
        );
    }

    #[test]
    fn a_source_without_run_is_refused() {
        let err = split_demo("t", "//! # T\nfn other() {}\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no `fn run`"), "{err}");
    }

    #[test]
    fn lifetimes_raw_strings_and_char_escapes_are_lexed() {
        let src = "fn f<'a>(x: &'a str) -> char { let _ = r#\"}\"#; let _ = '\\''; '{' }";
        let mask = code_mask(src);
        let code: String = src
            .char_indices()
            .filter(|(i, _)| mask[*i])
            .map(|(_, c)| c)
            .collect();
        assert_eq!(code.matches('{').count(), code.matches('}').count());
        assert!(code.contains("'a"));
    }

    #[test]
    fn crate_inside_another_identifier_is_not_rewritten() {
        assert_eq!(rewrite_paths("a::crate::b; xcrate::c"), "a::crate::b; xcrate::c");
        assert!(names_root("let x = ndarray::s![..];", "ndarray"));
        assert!(!names_root("let x = my_ndarray::y; // ndarray::z", "ndarray"));
    }
}
