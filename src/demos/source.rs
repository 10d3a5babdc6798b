//! Splits a demo's source file into what the reader sees: the prose of its
//! `//!` module doc (title = first `# ` heading) and the code between
//! `// ANCHOR: demo` and `// ANCHOR_END: demo`; for a demo with a part on real
//! tables, the prose after its `## On real embeddings` heading and the code
//! between `// ANCHOR: real` and `// ANCHOR_END: real`.

/// The heading that starts a demo's part on real tables, exactly.
pub const REAL_HEADING: &str = "## On real embeddings";

/// The reader-facing parts of a demo source file.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The text of the first `# ` heading.
    pub title: String,
    /// The module doc after the title, as Markdown.
    pub prose: String,
    /// The anchored code, with its common indentation removed.
    pub code: String,
    /// The prose after [`REAL_HEADING`] (empty without one).
    pub real_prose: String,
    /// The code between the `real` anchors (empty without them).
    pub real_code: String,
}

/// Parse a demo source file.
///
/// A demo without a title or without anchors is a programming error caught by
/// the test suite, so this returns empty parts rather than failing at run time.
///
/// # Examples
/// ```
/// let src = "//! # Title\n//!\n//! Some *prose*.\n\nfn f() {\n    // ANCHOR: demo\n    let x = 1;\n    // ANCHOR_END: demo\n}\n";
/// let s = embspace::demos::parse_source(src);
/// assert_eq!(s.title, "Title");
/// assert_eq!(s.prose, "Some *prose*.");
/// assert_eq!(s.code, "let x = 1;");
/// ```
pub fn parse_source(source: &str) -> Source {
    let doc: Vec<&str> = source
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| {
            l.trim_start_matches("//!")
                .strip_prefix(' ')
                .unwrap_or(l.trim_start_matches("//!"))
        })
        .collect();
    let heading = doc.iter().position(|l| l.starts_with("# "));
    let title = heading.map(|i| doc[i][2..].trim().to_owned()).unwrap_or_default();
    let prose_lines = heading.map(|i| &doc[i + 1..]).unwrap_or(&doc[..]);
    let real = prose_lines.iter().position(|l| l.trim_end() == REAL_HEADING);
    let (prose_lines, real_lines) = match real {
        Some(i) => (&prose_lines[..i], &prose_lines[i + 1..]),
        None => (prose_lines, &[][..]),
    };
    Source {
        title,
        prose: prose_lines.join("\n").trim().to_owned(),
        code: anchored(source, "demo"),
        real_prose: real_lines.join("\n").trim().to_owned(),
        real_code: anchored(source, "real"),
    }
}

/// The lines between `// ANCHOR: name` and `// ANCHOR_END: name`, dedented.
fn anchored(source: &str, name: &str) -> String {
    let (start, end) = (format!("// ANCHOR: {name}"), format!("// ANCHOR_END: {name}"));
    let lines: Vec<&str> = source
        .lines()
        .skip_while(|l| l.trim() != start)
        .skip(1)
        .take_while(|l| l.trim() != end)
        .collect();
    dedent(&lines)
}

fn dedent(lines: &[&str]) -> String {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let body: Vec<&str> = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect();
    body.join("\n").trim_matches('\n').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_outside_the_anchors_is_not_shown_and_indentation_is_removed() {
        let src = "//! # T\nuse x;\nfn run() {\n    // ANCHOR: demo\n    if a {\n        b();\n    }\n\n    c();\n    // ANCHOR_END: demo\n    hidden();\n}\n";
        let s = parse_source(src);
        assert_eq!(s.code, "if a {\n    b();\n}\n\nc();");
        assert!(!s.code.contains("hidden"));
    }

    #[test]
    fn prose_keeps_blank_lines_and_markdown() {
        let s = parse_source("//! # Title here\n//!\n//! First.\n//!\n//! $x^2$\n");
        assert_eq!(s.title, "Title here");
        assert_eq!(s.prose, "First.\n\n$x^2$");
        assert_eq!((s.real_prose.as_str(), s.real_code.as_str()), ("", ""));
    }

    #[test]
    fn the_real_part_has_its_own_prose_and_code() {
        let src = "//! # T\n//!\n//! Built.\n//!\n//! ## On real embeddings\n//!\n//! Measured.\nfn run() {\n    // ANCHOR: demo\n    a();\n    // ANCHOR_END: demo\n}\nfn real() {\n    // ANCHOR: real\n    b();\n    // ANCHOR_END: real\n}\n";
        let s = parse_source(src);
        assert_eq!((s.prose.as_str(), s.code.as_str()), ("Built.", "a();"));
        assert_eq!(
            (s.real_prose.as_str(), s.real_code.as_str()),
            ("Measured.", "b();")
        );
    }
}
