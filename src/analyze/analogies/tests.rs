use ndarray::array;

use super::*;
use crate::analyze::UnitRows;

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

/// man − woman is the x axis, royalty the y axis. The later case variants
/// `Man` (pointing exactly where king − man + woman points) and `KING` (next
/// to `king`) have their own vectors.
fn royals() -> (Vec<String>, UnitRows) {
    let tokens = strings(&["man", "woman", "king", "queen", "apple", "Man", "KING", "prince"]);
    let vectors = array![
        [1.0f32, 0.0, 0.1],
        [-1.0, 0.0, 0.1],
        [1.0, 1.0, 0.0],
        [-1.0, 1.0, 0.0],
        [0.0, -1.0, 1.0],
        [-1.283, 0.707, 0.0],
        [1.0, 1.0, 0.02],
        [0.5, 1.0, 0.0],
    ];
    (tokens, UnitRows::new(vectors.view()))
}

fn evaluate(text: &str, params: &AnalogyParams) -> AnalogyResults {
    let (tokens, unit) = royals();
    let set = AnalogySet::parse(text, "q.txt", true).unwrap();
    evaluate_word_analogies(&tokens, &unit, &set, params).unwrap()
}

#[test]
fn the_offset_answers_a_hand_made_analogy() {
    let r = evaluate(
        ": royals\nman king woman queen\nwoman queen man king\n",
        &AnalogyParams::default(),
    );
    assert_eq!(r.sections.len(), 2);
    assert_eq!(r.sections[1].name, "Total accuracy");
    assert_eq!((r.sections[0].correct.len(), r.score()), (2, 1.0));
    assert_eq!(r.sections[0].correct[0].predicted.as_deref(), Some("QUEEN"));
}

#[test]
fn case_folding_uses_the_first_variant_and_skips_variants_of_query_words() {
    // `MAN` maps to row 0 (`man`), not row 5 (`Man`). Row 5 is the best
    // candidate, but it folds to the query word `MAN`, so it is passed over.
    let r = evaluate(": royals\nMAN King Woman QUEEN\n", &AnalogyParams::default());
    assert_eq!(r.sections[0].correct.len(), 1);
    let answer = &r.sections[0].correct[0];
    assert_eq!(answer.words, ["MAN", "KING", "WOMAN", "QUEEN"].map(String::from));
    // Case-sensitive, `King` and `QUEEN` are unknown.
    let params = AnalogyParams {
        case_insensitive: false,
        ..AnalogyParams::default()
    };
    let r = evaluate(": royals\nMAN King Woman QUEEN\nman king woman queen\n", &params);
    assert_eq!((r.oov, r.questions, r.sections[0].correct.len()), (1, 2, 0));
    // `Man` (row 5) is the closest non-query row and is not a query word when case matters.
    assert_eq!(r.sections[0].incorrect[0].predicted.as_deref(), Some("Man"));
}

#[test]
fn query_words_are_never_predicted() {
    // b − a + c with a = c: the query is king itself; the rows of the query
    // words are excluded and `KING` (row 6, next to king) folds to a query word.
    let r = evaluate(": x\nman king man prince\n", &AnalogyParams::default());
    assert_eq!(r.sections[0].correct[0].predicted.as_deref(), Some("PRINCE"));
    assert_eq!(r.sections[0].correct[0].margin.map(|m| m > 0.0), Some(true));
}

#[test]
fn unknown_words_are_counted_and_skipped_or_marked_wrong() {
    let text = ": a\nman king woman queen\nman king woman duchess\n: b\nfoo bar baz qux\n";
    let r = evaluate(text, &AnalogyParams::default());
    assert_eq!((r.questions, r.oov), (3, 2));
    assert_eq!(r.sections.iter().map(|s| s.incorrect.len()).sum::<usize>(), 0);
    assert!((r.oov_ratio() - 200.0 / 3.0).abs() < 1e-12);
    assert_eq!((r.sections[1].accuracy(), r.score()), (0.0, 1.0));
    let dummy = AnalogyParams {
        dummy4unknown: true,
        ..AnalogyParams::default()
    };
    let r = evaluate(text, &dummy);
    assert_eq!(r.sections[0].incorrect.len(), 1);
    assert_eq!(r.sections[1].incorrect[0].predicted, None);
    assert!((r.score() - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn restrict_vocab_limits_the_vocabulary_and_the_search() {
    let params = AnalogyParams {
        restrict_vocab: 3,
        ..AnalogyParams::default()
    };
    let r = evaluate(": r\nman king woman queen\n", &params);
    assert_eq!((r.oov, r.sections[0].correct.len()), (1, 0));
}

#[test]
fn cos_mul_answers_the_hand_made_analogy_too() {
    let params = AnalogyParams {
        method: AnalogyMethod::CosMul,
        ..AnalogyParams::default()
    };
    let r = evaluate(": royals\nman king woman queen\n", &params);
    assert_eq!(r.score(), 1.0);
}

#[test]
fn a_file_without_a_valid_question_is_refused_saying_why() {
    let (tokens, unit) = royals();
    let set = AnalogySet::parse(": s\nman king woman\n", "q.txt", false).unwrap();
    let e = evaluate_word_analogies(&tokens, &unit, &set, &AnalogyParams::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "q.txt: no question to evaluate; 1 line skipped as not four words `a b c expected` (line 2)"
    );
    let set = AnalogySet::parse(": s\nman king woman queen\nman king\n", "q.txt", false).unwrap();
    let r = evaluate_word_analogies(&tokens, &unit, &set, &AnalogyParams::default()).unwrap();
    assert_eq!((r.questions, r.invalid_lines), (1, vec![3]));
}

#[test]
fn malformed_lines_are_errors_with_their_line_number() {
    let e = AnalogySet::parse(": s\na b c d\n\na b c\n", "q.txt", true).unwrap_err();
    assert!(matches!(e, Error::BenchmarkLine { line: 4, .. }), "{e}");
    let e = AnalogySet::parse("a b c d\n", "q.txt", true).unwrap_err();
    assert!(
        e.to_string().starts_with("q.txt:1: expected a `: section` line"),
        "{e}"
    );
    let lenient = AnalogySet::parse(": s\na b c d\na b c d e\n", "q.txt", false).unwrap();
    assert_eq!(
        (lenient.sections[0].1.len(), lenient.skipped_lines.clone()),
        (1, vec![3])
    );
}

#[test]
fn section_names_are_stripped_as_gensim_strips_them() {
    let set = AnalogySet::parse(": : family \r\nboy girl son daughter\r\n", "q", true).unwrap();
    assert_eq!(set.sections[0].0, "family");
    assert_eq!(set.sections[0].1[0].words[3], "daughter");
}

#[test]
fn an_empty_question_set_is_refused() {
    let (tokens, unit) = royals();
    let set = AnalogySet::parse(": empty\n", "q", true).unwrap();
    assert!(evaluate_word_analogies(&tokens, &unit, &set, &AnalogyParams::default()).is_err());
}
