//! Demo prose (Markdown with `$…$` formulas) to HTML with MathML.
//!
//! Formulas are converted at build time by `pulldown-latex`, so the HTML
//! report needs no JavaScript and no network: browsers render MathML Core
//! natively. pulldown-latex marks a bad command inside a formula with
//! `<merror>`; a formula it cannot convert at all is shown as its source in
//! `<code class="math-error">`. The browser test refuses both.

use pulldown_cmark::{Event, Options, Parser, html};
use pulldown_latex::config::DisplayMode;
use pulldown_latex::{RenderConfig, Storage, push_mathml};

use crate::report::html::escape;

/// Convert one LaTeX formula to a `<math>` element.
fn mathml(latex: &str, display: bool) -> String {
    let storage = Storage::new();
    let parser = pulldown_latex::Parser::new(latex, &storage);
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        annotation: Some(latex),
        xml: false,
        ..RenderConfig::default()
    };
    let mut out = String::new();
    match push_mathml(&mut out, parser, config) {
        Ok(()) => out,
        Err(_) => format!("<code class=\"math-error\">{}</code>", escape(latex)),
    }
}

/// Render Markdown prose to HTML, formulas in `$…$` / `$$…$$` as MathML.
///
/// Raw HTML in the prose is escaped, not passed through: prose is text.
///
/// # Examples
/// ```
/// let html = embspace::report::prose_to_html("The norm $\\lVert x \\rVert$ is *positive*.");
/// assert!(html.contains("<math"));
/// assert!(html.contains("<em>positive</em>"));
/// ```
pub fn prose_to_html(markdown: &str) -> String {
    let options = Options::ENABLE_MATH | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::InlineMath(latex) => Event::InlineHtml(mathml(&latex, false).into()),
        Event::DisplayMath(latex) => Event::Html(mathml(&latex, true).into()),
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_mathml_without_external_urls() {
        let html = prose_to_html("Inline $a^2 + b^2$ and display\n\n$$\\frac{1}{n}\\sum_i x_i$$\n");
        assert_eq!(html.matches("<math").count(), 2);
        assert!(!html.contains("http"), "{html}");
    }

    /// pulldown-latex reports an unknown command inside the formula as `<merror>`;
    /// the browser test refuses both that and the `math-error` fallback.
    #[test]
    fn a_formula_that_does_not_parse_is_marked_as_an_error() {
        let html = prose_to_html("Broken $\\nosuchcommand{a}$ here.");
        assert!(html.contains("<merror") || html.contains("math-error"), "{html}");
    }

    #[test]
    fn raw_html_in_prose_is_escaped() {
        let html = prose_to_html("a <script>alert(1)</script> b");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
    }
}
