//! The context a demo runs in: where it writes its transcript, checks and
//! figures, and the seeded generator it draws randomness from.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::chart::Figure;
use crate::record::{Check, Relation, Value};

/// Every demo starts from a generator seeded with this, so a demo's numbers do
/// not depend on which other demos ran before it.
pub const SEED: u64 = 42;

/// What a demo writes to instead of printing.
#[derive(Debug)]
pub struct Ctx {
    rng: ChaCha8Rng,
    pub(crate) transcript: Vec<String>,
    pub(crate) checks: Vec<Check>,
    pub(crate) figures: Vec<Figure>,
}

impl Default for Ctx {
    fn default() -> Self {
        Ctx::new()
    }
}

impl Ctx {
    /// A fresh context with the generator seeded from [`SEED`].
    pub fn new() -> Self {
        Ctx {
            rng: ChaCha8Rng::seed_from_u64(SEED),
            transcript: Vec::new(),
            checks: Vec::new(),
            figures: Vec::new(),
        }
    }

    /// The demo's seeded random generator (ChaCha8: the same stream on every platform).
    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }

    /// Append text to the transcript; several lines may be given at once.
    pub fn say(&mut self, text: impl AsRef<str>) {
        self.transcript.extend(text.as_ref().lines().map(str::to_owned));
    }

    fn record(
        &mut self,
        name: &str,
        got: Value,
        expected: Value,
        relation: Relation,
        tolerance: Option<f64>,
        passed: bool,
    ) -> bool {
        self.checks.push(Check {
            name: name.into(),
            got,
            expected,
            relation,
            tolerance,
            passed,
        });
        passed
    }

    /// Check `|got − expected| ≤ tolerance`. Returns whether it passed.
    pub fn check_close(&mut self, name: &str, got: f64, expected: f64, tolerance: f64) -> bool {
        let passed = (got - expected).abs() <= tolerance;
        self.record(
            name,
            Value::Number(got),
            Value::Number(expected),
            Relation::Close,
            Some(tolerance),
            passed,
        )
    }

    /// Check that two values are exactly equal, comparing their text (words, shapes, counts).
    pub fn check_eq(&mut self, name: &str, got: impl ToString, expected: impl ToString) -> bool {
        let (got, expected) = (got.to_string(), expected.to_string());
        let passed = got == expected;
        self.record(
            name,
            Value::Text(got),
            Value::Text(expected),
            Relation::Equal,
            None,
            passed,
        )
    }

    /// Check `got < bound`.
    pub fn check_below(&mut self, name: &str, got: f64, bound: f64) -> bool {
        self.record(
            name,
            Value::Number(got),
            Value::Number(bound),
            Relation::Below,
            None,
            got < bound,
        )
    }

    /// Check `got > bound`.
    pub fn check_above(&mut self, name: &str, got: f64, bound: f64) -> bool {
        self.record(
            name,
            Value::Number(got),
            Value::Number(bound),
            Relation::Above,
            None,
            got > bound,
        )
    }

    /// Request a figure; its PNG is written as `<demo-id>-<name>.png`.
    pub fn figure(&mut self, figure: Figure) {
        self.figures.push(figure);
    }

    /// The transcript lines written so far.
    ///
    /// # Examples
    /// ```
    /// let mut ctx = embspace::demos::Ctx::new();
    /// ctx.say("one\ntwo");
    /// assert_eq!(ctx.transcript(), ["one", "two"]);
    /// ```
    pub fn transcript(&self) -> &[String] {
        &self.transcript
    }

    /// The checks recorded so far, in the order they ran.
    ///
    /// # Examples
    /// ```
    /// let mut ctx = embspace::demos::Ctx::new();
    /// ctx.check_below("one is below two", 1.0, 2.0);
    /// assert!(ctx.checks()[0].passed);
    /// ```
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// The figures requested so far.
    ///
    /// # Examples
    /// ```
    /// use embspace::chart::Figure;
    /// let mut ctx = embspace::demos::Ctx::new();
    /// ctx.figure(Figure::new("empty", "Nothing yet", "x", "y"));
    /// assert_eq!(ctx.figures()[0].name, "empty");
    /// ```
    pub fn figures(&self) -> &[Figure] {
        &self.figures
    }
}
