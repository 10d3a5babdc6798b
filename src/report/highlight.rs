//! Syntax highlighting of the shown Rust code, at build time.
//!
//! Tokens come from `ra-ap-rustc_lexer`, rustc's own lexer (published
//! automatically from the Rust repository), so raw strings, nested block
//! comments, lifetimes and char literals split exactly as the compiler splits
//! them. A small classifier on top names what a reader cares about: keywords,
//! types, functions, macros, literals, comments, attributes and lifetimes.
//! Output is HTML-escaped text with `<span class="hl-…">`; the colours live in
//! `templates/style.css`, one set per theme. ARCHITECTURE.md says why this
//! lexer rather than syntect or tree-sitter.

use ra_ap_rustc_lexer::{FrontmatterAllowed, LiteralKind, TokenKind, tokenize};

use crate::report::html::escape_into;

/// Strict and reserved keywords of Rust 2024, plus `union` and the primitive
/// `self`/`Self`/`crate`/`super` paths.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "union", "unsafe", "use",
    "where", "while", "yield",
];

/// Primitive types, coloured as types although they are lower case.
const PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128",
    "isize", "f32", "f64",
];

/// What a span of source is shown as; `None` is plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Keyword,
    Function,
    Type,
    Str,
    Number,
    Comment,
    Macro,
    Attribute,
    Lifetime,
}

impl Class {
    fn css(self) -> &'static str {
        match self {
            Class::Keyword => "hl-kw",
            Class::Function => "hl-fn",
            Class::Type => "hl-ty",
            Class::Str => "hl-st",
            Class::Number => "hl-nu",
            Class::Comment => "hl-co",
            Class::Macro => "hl-ma",
            Class::Attribute => "hl-at",
            Class::Lifetime => "hl-lt",
        }
    }
}

/// A token with its text, whitespace and comments included.
#[derive(Debug, Clone, Copy)]
struct Tok<'a> {
    kind: TokenKind,
    text: &'a str,
}

fn is_trivia(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Whitespace | TokenKind::LineComment { .. } | TokenKind::BlockComment { .. }
    )
}

fn lex(code: &str) -> Vec<Tok<'_>> {
    let mut at = 0;
    tokenize(code, FrontmatterAllowed::No)
        .map(|t| {
            let len = t.len as usize;
            let tok = Tok {
                kind: t.kind,
                text: &code[at..at + len],
            };
            at += len;
            tok
        })
        .collect()
}

/// Classify every token; `prev`/`next` are the neighbouring non-trivia tokens.
fn classify(tokens: &[Tok<'_>]) -> Vec<Option<Class>> {
    let significant: Vec<usize> = (0..tokens.len())
        .filter(|&i| !is_trivia(tokens[i].kind))
        .collect();
    let mut classes = vec![None; tokens.len()];
    let mut attribute_depth: Option<usize> = None;
    for (n, &i) in significant.iter().enumerate() {
        let tok = tokens[i];
        let prev = n.checked_sub(1).map(|p| tokens[significant[p]]);
        let next = significant.get(n + 1).map(|&j| tokens[j]);
        let next_is = |k: TokenKind| next.is_some_and(|t| t.kind == k);
        // `#[…]` and `#![…]`: the whole attribute in one colour.
        if tok.kind == TokenKind::Pound && (next_is(TokenKind::OpenBracket) || next_is(TokenKind::Bang)) {
            attribute_depth = Some(0);
        }
        if let Some(depth) = attribute_depth.as_mut() {
            classes[i] = Some(Class::Attribute);
            match tok.kind {
                TokenKind::OpenBracket => *depth += 1,
                TokenKind::CloseBracket => {
                    *depth -= 1;
                    if *depth == 0 {
                        attribute_depth = None;
                    }
                }
                _ => {}
            }
            continue;
        }
        classes[i] = match tok.kind {
            TokenKind::Literal { kind, .. } => Some(match kind {
                LiteralKind::Int { .. } | LiteralKind::Float { .. } => Class::Number,
                _ => Class::Str,
            }),
            TokenKind::Lifetime { .. } | TokenKind::RawLifetime => Some(Class::Lifetime),
            TokenKind::Ident | TokenKind::RawIdent => {
                let word = tok.text.trim_start_matches("r#");
                let after_fn = prev.is_some_and(|p| p.text == "fn");
                if tok.kind == TokenKind::Ident && KEYWORDS.contains(&word) {
                    Some(Class::Keyword)
                } else if next_is(TokenKind::Bang) && !after_fn {
                    Some(Class::Macro)
                } else if PRIMITIVES.contains(&word) || word.starts_with(char::is_uppercase) {
                    // `CONSTANTS` are upper case too: show them as values.
                    if word.len() > 1 && word.chars().all(|c| !c.is_lowercase()) {
                        Some(Class::Number)
                    } else {
                        Some(Class::Type)
                    }
                } else if after_fn || next_is(TokenKind::OpenParen) || is_turbofish(tokens, &significant, n) {
                    Some(Class::Function)
                } else {
                    None
                }
            }
            _ => None,
        };
        // The `!` of a macro call belongs to the macro.
        if tok.kind == TokenKind::Bang && prev.is_some_and(|p| p.kind == TokenKind::Ident) {
            let p = significant[n - 1];
            if classes[p] == Some(Class::Macro) {
                classes[i] = Some(Class::Macro);
            }
        }
    }
    for (i, tok) in tokens.iter().enumerate() {
        if matches!(
            tok.kind,
            TokenKind::LineComment { .. } | TokenKind::BlockComment { .. }
        ) {
            classes[i] = Some(Class::Comment);
        }
    }
    classes
}

/// `name::<T>(…)`: an identifier followed by a turbofish is a function too.
fn is_turbofish(tokens: &[Tok<'_>], significant: &[usize], n: usize) -> bool {
    let kinds: Vec<TokenKind> = significant[n + 1..]
        .iter()
        .take(3)
        .map(|&j| tokens[j].kind)
        .collect();
    kinds.starts_with(&[TokenKind::Colon, TokenKind::Colon, TokenKind::Lt])
}

/// Rust source to HTML: escaped text, with `<span class="hl-…">` around the
/// tokens a reader distinguishes. Adjacent tokens of one class share a span.
/// Never fails: text the lexer does not know stays plain, and the output's
/// text content is always exactly `code`.
pub fn highlight_rust(code: &str) -> String {
    let tokens = lex(code);
    let classes = classify(&tokens);
    let mut out = String::with_capacity(code.len() * 2);
    let mut open: Option<Class> = None;
    for (i, tok) in tokens.iter().enumerate() {
        // Whitespace between two tokens of one class stays inside their span.
        let class = if tok.kind == TokenKind::Whitespace && !tok.text.contains('\n') {
            open.filter(|&c| classes.get(i + 1) == Some(&Some(c)))
        } else {
            classes[i]
        };
        if class != open {
            if open.is_some() {
                out.push_str("</span>");
            }
            if let Some(c) = class {
                out.push_str("<span class=\"");
                out.push_str(c.css());
                out.push_str("\">");
            }
            open = class;
        }
        escape_into(&mut out, tok.text);
    }
    if open.is_some() {
        out.push_str("</span>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text the browser shows: tags removed, entities decoded.
    fn text_of(html: &str) -> String {
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    fn spans(html: &str, class: &str) -> Vec<String> {
        let open = format!("<span class=\"{class}\">");
        html.split(&open)
            .skip(1)
            .map(|rest| text_of(rest.split("</span>").next().unwrap()))
            .collect()
    }

    #[test]
    fn highlighting_never_changes_the_text() {
        let code = "#[derive(Debug)]\nstruct P<'a> { s: &'a str }\nfn f<T>(x: T) -> Vec<u8> { let s = r#\"a \"<b>\" & c\"#; println!(\"{s}\"); /* c /* nested */ */ vec![b'x'] }\n";
        assert_eq!(text_of(&highlight_rust(code)), code);
    }

    #[test]
    fn keywords_types_functions_macros_and_literals_are_told_apart() {
        let html = highlight_rust(
            "pub fn run(ctx: &mut Ctx) -> Result<f64> { let v = top_k(3, 1.5); println!(\"x\"); Ok(v) }",
        );
        assert_eq!(spans(&html, "hl-kw"), ["pub fn", "mut", "let"]);
        assert_eq!(spans(&html, "hl-fn"), ["run", "top_k"]);
        assert_eq!(spans(&html, "hl-ty"), ["Ctx", "Result", "f64", "Ok"]);
        assert_eq!(spans(&html, "hl-nu"), ["3", "1.5"]);
        assert_eq!(spans(&html, "hl-ma"), ["println!"]);
        assert_eq!(spans(&html, "hl-st"), ["\"x\""]);
    }

    #[test]
    fn comments_attributes_and_lifetimes_get_their_own_class() {
        let html = highlight_rust("#[inline]\nfn f<'a>(x: &'a str) -> &'a str { x } // done");
        assert_eq!(spans(&html, "hl-at"), ["#[inline]"]);
        assert_eq!(spans(&html, "hl-lt"), ["'a", "'a", "'a"]);
        assert_eq!(spans(&html, "hl-co"), ["// done"]);
    }

    #[test]
    fn markup_in_code_is_escaped() {
        let html = highlight_rust("let s = \"</code><script>alert(1)</script>\";");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;/code&gt;&lt;script&gt;"), "{html}");
    }

    #[test]
    fn unterminated_input_still_shows_all_of_it() {
        for code in ["let s = \"open", "/* open", "r#\"open", "'", "#[cfg("] {
            assert_eq!(text_of(&highlight_rust(code)), code);
        }
    }
}
