//! From text to word ids: whitespace tokenisation, a frequency-ranked
//! vocabulary, and the small training corpus shipped in `data/corpus.txt`.

use std::collections::HashMap;

/// The training corpus shipped with the crate (`data/corpus.txt`, about 20 000
/// tokens of lowercase template sentences on people and royalty, animals, food,
/// vehicles, places, numbers and colours).
///
/// Generated deterministically by `scripts/make_corpus.py`; see that script for
/// what the corpus is designed to show. Its comment lines start with `#`, so read
/// it through [`tokenize`].
///
/// # Examples
/// ```
/// let tokens = embspace::math::tokenize(embspace::math::TRAINING_CORPUS);
/// assert!(tokens.len() > 15_000 && tokens.len() < 25_000);
/// ```
pub const TRAINING_CORPUS: &str = include_str!("../../data/corpus.txt");

/// Split text into whitespace-separated tokens, skipping comment lines.
///
/// A line whose first non-blank character is `#` is a comment and contributes no
/// tokens. Nothing else is changed: no lower-casing, no punctuation handling
/// (the shipped corpus is already lowercase and unpunctuated). Empty text gives
/// no tokens.
///
/// # Examples
/// ```
/// let t = embspace::math::tokenize("# a comment\nthe cat  sleeps\n\nthe dog\n");
/// assert_eq!(t, ["the", "cat", "sleeps", "the", "dog"]);
/// ```
pub fn tokenize(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .flat_map(str::split_whitespace)
        .collect()
}

/// A vocabulary: words numbered by descending frequency, with their counts.
///
/// Id 0 is the most frequent word; words with equal counts keep the order of
/// their first appearance. Words seen fewer than `min_count` times are left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocabulary {
    words: Vec<String>,
    counts: Vec<u64>,
    index: HashMap<String, usize>,
}

impl Vocabulary {
    /// Count the tokens and number the words by descending frequency, dropping
    /// words seen fewer than `min_count` times (`min_count` 0 or 1 keeps all).
    ///
    /// No tokens, or a `min_count` above every count, gives an empty vocabulary.
    ///
    /// # Examples
    /// ```
    /// use embspace::math::Vocabulary;
    /// let v = Vocabulary::new(["b", "a", "a", "c", "b", "a"], 2);
    /// assert_eq!(v.words(), ["a", "b"]);
    /// assert_eq!(v.counts(), [3, 2]);
    /// ```
    pub fn new<S: AsRef<str>>(tokens: impl IntoIterator<Item = S>, min_count: u64) -> Self {
        // (count, first position) for every distinct word, in order of first appearance.
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut stats: Vec<(String, u64)> = Vec::new();
        for token in tokens {
            let token = token.as_ref();
            match seen.get(token) {
                Some(&slot) => stats[slot].1 += 1,
                None => {
                    seen.insert(token.to_owned(), stats.len());
                    stats.push((token.to_owned(), 1));
                }
            }
        }
        stats.retain(|(_, count)| *count >= min_count);
        // A stable sort keeps first-appearance order among equal counts.
        stats.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
        let index = stats
            .iter()
            .enumerate()
            .map(|(id, (word, _))| (word.clone(), id))
            .collect();
        let (words, counts) = stats.into_iter().unzip();
        Vocabulary { words, counts, index }
    }

    /// The number of words.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(embspace::math::Vocabulary::new(["a", "b", "a"], 0).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the vocabulary has no words.
    ///
    /// # Examples
    /// ```
    /// assert!(embspace::math::Vocabulary::new(["a"], 2).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The id of `word`, or `None` if it is not in the vocabulary.
    ///
    /// # Examples
    /// ```
    /// let v = embspace::math::Vocabulary::new(["x", "y", "y"], 0);
    /// assert_eq!((v.id("y"), v.id("z")), (Some(0), None));
    /// ```
    pub fn id(&self, word: &str) -> Option<usize> {
        self.index.get(word).copied()
    }

    /// The word with id `id`, or `None` if `id >= len()`.
    ///
    /// # Examples
    /// ```
    /// let v = embspace::math::Vocabulary::new(["x", "y", "y"], 0);
    /// assert_eq!((v.word(1), v.word(2)), (Some("x"), None));
    /// ```
    pub fn word(&self, id: usize) -> Option<&str> {
        self.words.get(id).map(String::as_str)
    }

    /// All words, indexed by id.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(embspace::math::Vocabulary::new(["a", "b", "b"], 0).words(), ["b", "a"]);
    /// ```
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The corpus count of every word, indexed by id (non-increasing).
    ///
    /// # Examples
    /// ```
    /// assert_eq!(embspace::math::Vocabulary::new(["a", "b", "b"], 0).counts(), [2, 1]);
    /// ```
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The total count of the words kept (tokens of dropped words are not included).
    ///
    /// # Examples
    /// ```
    /// let v = embspace::math::Vocabulary::new(["x", "y", "y", "z"], 2);
    /// assert_eq!(v.total(), 2);
    /// ```
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Map tokens to ids, skipping tokens that are not in the vocabulary.
    ///
    /// Skipping (rather than mapping to an "unknown" id) is what word2vec and
    /// GloVe do with words below the minimum count: the neighbours of a dropped
    /// word become neighbours of each other.
    ///
    /// # Examples
    /// ```
    /// let v = embspace::math::Vocabulary::new(["a", "b", "b", "c"], 1);
    /// assert_eq!(v.encode(["c", "q", "b"]), vec![2, 0]);
    /// ```
    pub fn encode<S: AsRef<str>>(&self, tokens: impl IntoIterator<Item = S>) -> Vec<usize> {
        tokens.into_iter().filter_map(|t| self.id(t.as_ref())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_descending_frequency_with_ties_in_order_of_first_appearance() {
        let v = Vocabulary::new("d c b a b c d d c".split(' '), 0);
        assert_eq!(v.words(), ["d", "c", "b", "a"]);
        assert_eq!(v.counts(), [3, 3, 2, 1]);
        for (id, word) in v.words().iter().enumerate() {
            assert_eq!(v.id(word), Some(id));
            assert_eq!(v.word(id), Some(word.as_str()));
        }
    }

    #[test]
    fn min_count_drops_rare_words_and_encoding_skips_them() {
        let tokens = ["a", "rare", "a", "b", "b", "a"];
        let v = Vocabulary::new(tokens, 2);
        assert_eq!(v.len(), 2);
        assert_eq!(v.id("rare"), None);
        assert_eq!(v.encode(tokens), vec![0, 0, 1, 1, 0]);
        assert_eq!(v.total(), 5);
    }

    #[test]
    fn empty_input_gives_an_empty_vocabulary() {
        let v = Vocabulary::new(Vec::<&str>::new(), 0);
        assert!(v.is_empty());
        assert_eq!(v.total(), 0);
        assert!(Vocabulary::new(["a"], 2).is_empty());
    }

    #[test]
    fn tokenize_skips_comment_lines_only() {
        assert_eq!(tokenize("  # indented comment\na #b\n\tc\n"), ["a", "#b", "c"]);
        assert!(tokenize("").is_empty());
    }

    #[test]
    fn shipped_corpus_is_zipf_like_with_function_words_on_top() {
        let v = Vocabulary::new(tokenize(TRAINING_CORPUS), 0);
        assert_eq!(v.word(0), Some("the"));
        assert!((200..400).contains(&v.len()), "vocabulary size {}", v.len());
        // Rank-frequency falls steeply: the top 10 words cover more than a third of the tokens.
        let top: u64 = v.counts()[..10].iter().sum();
        assert!(top * 3 > v.total());
        for word in [
            "king", "queen", "man", "woman", "prince", "princess", "dog", "bread", "car",
        ] {
            assert!(v.id(word).is_some(), "{word} is missing");
        }
    }
}
