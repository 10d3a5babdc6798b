//! Code spans, the way messages quote a name: writing one around text that
//! may itself hold backticks (a token such as ```` ``` ````, a tensor name
//! from a file), and finding them again when a message is shown as HTML or
//! Markdown. Both follow CommonMark: a span opens with a run of backticks and
//! closes at the next run of the same length.

/// `text` as a Markdown code span: fenced by one backtick more than its
/// longest run of backticks, with a space inside each fence when the text
/// starts or ends with a backtick (or with a space on both sides, which
/// CommonMark would strip). Empty text, which no code span can hold, is
/// shown as one space.
///
/// # Examples
/// ```
/// use embspace::code_span::code_span;
/// assert_eq!(code_span("king"), "`king`");
/// assert_eq!(code_span("a`b"), "``a`b``");
/// assert_eq!(code_span("```"), "```` ``` ````");
/// ```
pub fn code_span(text: &str) -> String {
    if text.is_empty() {
        return "` `".into();
    }
    let fence = fence(text, 1);
    let padded = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && text.trim() != "");
    let pad = if padded { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A run of backticks longer than any in `text`, and at least `at_least`
/// long: a code span's fence (1) or a fenced code block's (3).
pub fn fence(text: &str, at_least: usize) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(at_least.max(longest + 1))
}

/// A piece of a message: plain text, or the content of a code span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text outside any code span (an unpaired run of backticks included).
    Text(&'a str),
    /// What a code span holds, its fences and padding removed.
    Code(&'a str),
}

/// Splits `text` into plain text and code spans, as CommonMark reads them:
/// a run of n backticks opens a span that the next run of exactly n closes;
/// a run with no partner is text. One space is removed from each end of a
/// span's content when both ends have one and it is not all spaces.
///
/// # Examples
/// ```
/// use embspace::code_span::{Piece, pieces};
/// assert_eq!(
///     pieces("no row for ``a`b`` or `x"),
///     [Piece::Text("no row for "), Piece::Code("a`b"), Piece::Text(" or `x")]
/// );
/// ```
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut start = 0; // where the text not yet emitted begins
    let mut at = 0; // where to look for the next opening run
    while let Some(found) = text[at..].find('`') {
        let open = at + found;
        let length = run_length(&text[open..]);
        let content_start = open + length;
        match closing_run(&text[content_start..], length) {
            Some(close) => {
                if start < open {
                    pieces.push(Piece::Text(&text[start..open]));
                }
                pieces.push(Piece::Code(strip_one_space(
                    &text[content_start..content_start + close],
                )));
                start = content_start + close + length;
                at = start;
            }
            None => at = content_start,
        }
    }
    if start < text.len() {
        pieces.push(Piece::Text(&text[start..]));
    }
    pieces
}

/// The number of backticks `text` starts with.
fn run_length(text: &str) -> usize {
    text.bytes().take_while(|&b| b == b'`').count()
}

/// Where in `text` the first run of exactly `length` backticks starts.
fn closing_run(text: &str, length: usize) -> Option<usize> {
    let mut at = 0;
    while let Some(found) = text[at..].find('`') {
        let run = at + found;
        let n = run_length(&text[run..]);
        if n == length {
            return Some(run);
        }
        at = run + n;
    }
    None
}

fn strip_one_space(content: &str) -> &str {
    if content.starts_with(' ') && content.ends_with(' ') && content.trim() != "" {
        &content[1..content.len() - 1]
    } else {
        content
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_reads_back_from_its_code_span() {
        for text in [
            "king", "a`b", "`", "``", "```", " x ", " ` ", "`a", "b`", "a``b`c", "x|y", "<b>",
        ] {
            let span = code_span(text);
            assert_eq!(pieces(&span), [Piece::Code(text)], "{text:?} as {span:?}");
            let message = format!("no row for {span}, then `more`");
            assert_eq!(
                pieces(&message),
                [
                    Piece::Text("no row for "),
                    Piece::Code(text),
                    Piece::Text(", then "),
                    Piece::Code("more")
                ],
                "{message:?}"
            );
        }
    }

    #[test]
    fn every_short_text_of_backticks_letters_and_spaces_reads_back() {
        let alphabet = ['`', 'a', ' '];
        let mut texts = vec![String::new()];
        for _ in 0..8 {
            texts = texts
                .iter()
                .flat_map(|t| alphabet.map(|c| format!("{t}{c}")))
                .collect();
            for text in &texts {
                assert_eq!(pieces(&code_span(text)), [Piece::Code(text)], "{text:?}");
            }
        }
        assert_eq!(pieces(&code_span("")), [Piece::Code(" ")]);
    }

    #[test]
    fn unpaired_runs_are_text_and_runs_only_close_spans_of_their_length() {
        assert_eq!(pieces("a ` b"), [Piece::Text("a ` b")]);
        assert_eq!(pieces("``x`y``"), [Piece::Code("x`y")]);
        assert_eq!(pieces("`x``y`"), [Piece::Code("x``y")]);
        assert_eq!(pieces("``x`"), [Piece::Text("``x`")]);
        assert_eq!(pieces(""), []);
        assert_eq!(pieces("plain"), [Piece::Text("plain")]);
    }

    #[test]
    fn one_space_is_stripped_only_from_both_ends_and_not_from_spaces_alone() {
        assert_eq!(pieces("`  a  `"), [Piece::Code(" a ")]);
        assert_eq!(pieces("` a`"), [Piece::Code(" a")]);
        assert_eq!(pieces("`   `"), [Piece::Code("   ")]);
    }
}
