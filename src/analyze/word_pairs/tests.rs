use approx::assert_abs_diff_eq;
use ndarray::array;

use super::*;
use crate::analyze::UnitRows;

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

/// cat·dog = 0.6, cat·car = 0, dog·car = 0.8; `Cat` is a later case variant.
fn pets() -> (Vec<String>, UnitRows) {
    let tokens = strings(&["cat", "dog", "car", "Cat"]);
    (
        tokens,
        UnitRows::new(array![[1.0f32, 0.0], [0.6, 0.8], [0.0, 1.0], [-1.0, 0.0]].view()),
    )
}

const PAIRS: &str =
    "# word1\tword2\tscore\ncat\tdog\t8\ncat\tcar\t2\ndog\tcar\t5\nCAT\tDog\t7\ncat\tfish\t3\n";

fn evaluate(params: &WordPairParams) -> WordPairResults {
    let (tokens, unit) = pets();
    let set = WordPairSet::parse(PAIRS, "p.tsv", "\t", true).unwrap();
    evaluate_word_pairs(&tokens, &unit, &set, params).unwrap()
}

/// By hand: gold (8, 2, 5, 7), model (0.6, 0, 0.8, 0.6) — `CAT` is `cat`,
/// not `Cat` — give r = 2/√7.56 and, from ranks (4, 1, 2, 3) and
/// (2.5, 1, 4, 2.5), ρ = 1.5/√22.5; one pair in five is unknown.
#[test]
fn correlations_and_oov_ratio_match_the_hand_computation() {
    let r = evaluate(&WordPairParams::default());
    assert_abs_diff_eq!(r.pearson.statistic, 2.0 / 7.56f64.sqrt(), epsilon = 1e-6);
    assert_abs_diff_eq!(r.spearman.statistic, 1.5 / 22.5f64.sqrt(), epsilon = 1e-12);
    assert_eq!((r.pairs, r.oov), (4, 1));
    assert_abs_diff_eq!(r.oov_ratio, 20.0, epsilon = 1e-12);
}

/// With n = 4 the t-test has 2 degrees of freedom and its two-sided p-value
/// is `I_{1−r²}(1, 1/2) = 1 − |r|`.
#[test]
fn the_p_value_with_two_degrees_of_freedom_is_one_minus_r() {
    let r = evaluate(&WordPairParams::default());
    assert_abs_diff_eq!(r.pearson.p_value, 1.0 - r.pearson.statistic, epsilon = 1e-12);
    assert_abs_diff_eq!(r.spearman.p_value, 1.0 - r.spearman.statistic, epsilon = 1e-12);
}

#[test]
fn unknown_pairs_count_as_zero_similarity_with_dummy4unknown() {
    let r = evaluate(&WordPairParams {
        dummy4unknown: true,
        ..WordPairParams::default()
    });
    assert_eq!((r.pairs, r.oov), (5, 1));
    assert_abs_diff_eq!(r.oov_ratio, 20.0, epsilon = 1e-12);
    let gold = array![8.0, 2.0, 5.0, 7.0, 3.0];
    let model = array![0.6f32 as f64, 0.0, 0.8f32 as f64, 0.6f32 as f64, 0.0];
    assert_abs_diff_eq!(
        r.pearson.statistic,
        pearson(gold.view(), model.view()).unwrap(),
        epsilon = 1e-7
    );
}

#[test]
fn case_sensitive_lookups_miss_other_cases() {
    let r = evaluate(&WordPairParams {
        case_insensitive: false,
        ..WordPairParams::default()
    });
    assert_eq!((r.pairs, r.oov), (3, 2));
}

#[test]
fn malformed_lines_are_errors_with_their_line_number() {
    let e = WordPairSet::parse("a\tb\t1\na\tb\n", "p.tsv", "\t", true).unwrap_err();
    assert_eq!(
        e.to_string(),
        "p.tsv:2: expected three fields `word1 word2 score` separated by \"\\t\", found \"a\\tb\""
    );
    let e = WordPairSet::parse("a\tb\tone\n", "p.tsv", "\t", true).unwrap_err();
    assert!(matches!(e, Error::BenchmarkLine { line: 1, .. }));
    let lenient = WordPairSet::parse("a\tb\t1\na b 2\n", "p.tsv", "\t", false).unwrap();
    assert_eq!((lenient.pairs.len(), lenient.skipped_lines.clone()), (1, vec![2]));
}

#[test]
fn lines_end_as_python_universal_newlines_end_them() {
    let set = WordPairSet::parse("a\tb\t1\rc\td\t 2.5 \r\n\ne\tf\t3", "p", "\t", true).unwrap();
    let lines: Vec<(usize, f64)> = set.pairs.iter().map(|p| (p.line, p.score)).collect();
    assert_eq!(lines, vec![(1, 1.0), (2, 2.5), (4, 3.0)]);
    assert_eq!(set.pairs[1].words, ["c", "d"].map(String::from));
}

#[test]
fn a_file_with_nothing_to_correlate_is_refused_saying_why() {
    let (tokens, unit) = pets();
    let refusal = |text: &str| {
        let set = WordPairSet::parse(text, "p.tsv", "\t", false).unwrap();
        evaluate_word_pairs(&tokens, &unit, &set, &WordPairParams::default())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        refusal("x\ty\t1\n"),
        "p.tsv: no pair to correlate: 1 read, 1 with a word outside the first 300000 rows"
    );
    assert_eq!(
        refusal("cat\tdog\tvery\ncat dog 8\n"),
        "p.tsv: no pair to correlate: 0 read, 0 with a word outside the first 300000 rows; 2 lines \
         skipped as not `word1 word2 score` (first: line 1)"
    );
}

#[test]
fn skipped_lines_reach_the_results() {
    let (tokens, unit) = pets();
    let set = WordPairSet::parse(
        "cat\tdog\t8\nbad line\ncat\tcar\t2\ndog\tcar\t5\n",
        "p",
        "\t",
        false,
    )
    .unwrap();
    let r = evaluate_word_pairs(&tokens, &unit, &set, &WordPairParams::default()).unwrap();
    assert_eq!((r.pairs, r.invalid_lines), (3, vec![2]));
}
