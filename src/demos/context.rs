//! The context a demo runs in: where it writes its transcript, checks and
//! figures, the seeded generator it draws randomness from, and the real
//! tables its "On real embeddings" part measures.

use std::sync::Arc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::chart::Figure;
use crate::real::{Claim, RealTable, shipped};
use crate::record::{Check, Relation, Status, Value, Verdict};

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
    pub(crate) verdicts: Vec<Verdict>,
    /// The reader's tables (`report --vectors`); `None` means the shipped ones.
    tables: Option<Vec<Arc<RealTable>>>,
    /// Where the real part began: lengths of transcript, checks and figures then.
    pub(crate) real_start: Option<(usize, usize, usize)>,
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
            verdicts: Vec::new(),
            tables: None,
            real_start: None,
        }
    }

    /// A fresh context whose real part measures `tables` instead of the shipped ones.
    pub fn with_tables(tables: Vec<Arc<RealTable>>) -> Self {
        Ctx {
            tables: Some(tables),
            ..Ctx::new()
        }
    }

    /// Starts the demo's "On real embeddings" part and gives the tables it
    /// measures: the shipped ones, or the reader's (`report --vectors`).
    /// What is recorded from here on belongs to that part.
    pub fn real_tables(&mut self) -> Vec<Arc<RealTable>> {
        self.real_start
            .get_or_insert((self.transcript.len(), self.checks.len(), self.figures.len()));
        self.tables.clone().unwrap_or_else(|| shipped().to_vec())
    }

    /// The names of the tables the real part measures.
    #[cfg(feature = "report")]
    pub(crate) fn real_table_names(&self) -> Vec<String> {
        let tables = self.tables.as_deref().unwrap_or(shipped());
        tables.iter().map(|t| t.name().to_string()).collect()
    }

    /// Records the verdict of `table` on `claim` for a measured value and
    /// returns it; a measurement that failed (a word without a row, too few
    /// rows) makes the claim NOT TESTED, with the error as the reason, and so
    /// does a table too small for any claim about its rows
    /// ([`RealTable::too_small`]: fewer than 3 rows with a direction, or one
    /// dimension), whatever was measured.
    /// On a shipped table the verdict is also a check that it is the known one
    /// (`claim.expected`): a failed check means the table no longer does what
    /// the prose says.
    pub fn claim(&mut self, table: &RealTable, claim: &Claim, measured: crate::Result<f64>) -> Status {
        // Every claim is about a population of rows: one or two rows, or one dimension, decide none.
        if let Some(reason) = table.too_small() {
            self.not_tested(table, claim, reason);
            return Status::NotTested;
        }
        let measured = match measured {
            Ok(value) if !value.is_nan() => value,
            Ok(_) => {
                self.not_tested(table, claim, "the measurement is not a number (NaN)");
                return Status::NotTested;
            }
            Err(e) => {
                self.not_tested(table, claim, e.explanation());
                return Status::NotTested;
            }
        };
        let status = claim.status(measured);
        self.verdict(table, claim, status, Some(measured), None);
        if table.is_shipped() {
            let expected = claim.expected_on(table.id());
            let relation = match expected {
                Some(false) => claim.relation.opposite(),
                _ => claim.relation,
            };
            let holds = expected.map_or(
                "(no known verdict)",
                |h| if h { "holds" } else { "does not hold" },
            );
            let name = format!("{}: {} ({}) {holds}", table.name(), claim.statement, claim.source);
            let passed =
                expected.is_some_and(|h| h == (status == Status::Holds)) && status != Status::NotTested;
            self.record(
                &name,
                Value::Number(measured),
                Value::Number(claim.threshold),
                relation,
                None,
                passed,
            );
        }
        status
    }

    /// Records that `claim` could not be tested on `table`, and why (for
    /// example, "no row for `queen`"). On a shipped table that is a failed check.
    fn not_tested(&mut self, table: &RealTable, claim: &Claim, reason: impl ToString) {
        let reason = reason.to_string();
        if table.is_shipped() {
            let name = format!(
                "{}: {} ({}) could be tested",
                table.name(),
                claim.statement,
                claim.source
            );
            self.check_eq(&name, &reason, "");
        }
        self.verdict(table, claim, Status::NotTested, None, Some(reason));
    }

    fn verdict(
        &mut self,
        table: &RealTable,
        claim: &Claim,
        status: Status,
        measured: Option<f64>,
        reason: Option<String>,
    ) {
        self.verdicts.push(Verdict {
            claim: claim.statement.into(),
            source: claim.source.into(),
            table: table.name().into(),
            status,
            measured: measured.map(Value::Number),
            relation: claim.relation,
            threshold: Value::Number(claim.threshold),
            reason,
        });
    }

    /// The verdicts recorded so far.
    pub fn verdicts(&self) -> &[Verdict] {
        &self.verdicts
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
    ///
    /// In the real part, a figure the table gave no data (a reader's table
    /// lacking every word it plots) is left out with a transcript line, so a
    /// small table still gets its report.
    pub fn figure(&mut self, figure: Figure) {
        if self.real_start.is_some() && !figure.chart.has_data() {
            self.say(format!(
                "(figure “{}” not drawn: no data from these tables)",
                figure.title
            ));
            return;
        }
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

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;
    use crate::real::{GLOVE, MINILM};

    const CLAIM: Claim =
        Claim::above("the value is large", "Someone 2020", 0.5).expecting(&[(GLOVE, true), (MINILM, false)]);

    fn reader_table() -> Arc<RealTable> {
        let table = RealTable::new(
            "mine.txt",
            "three rows",
            vec!["a".into(), "b".into(), "c".into()],
            array![[1.0, 0.0], [2.0, 1.0], [0.0, 1.0]],
        );
        Arc::new(table.unwrap())
    }

    #[test]
    fn a_table_too_small_for_any_claim_leaves_every_claim_not_tested() {
        let tables = [
            (
                array![[1.0, 0.0], [2.0, 1.0], [0.0, 0.0]],
                "needs at least 3 non-zero rows; the table has 2",
            ),
            (
                array![[1.0], [2.0], [3.0]],
                "needs at least 2 dimensions; the table has 1",
            ),
        ];
        for (vectors, reason) in tables {
            let tokens = vec!["a".into(), "b".into(), "c".into()];
            let table = Arc::new(RealTable::new("tiny.txt", "tiny", tokens, vectors).unwrap());
            let mut ctx = Ctx::with_tables(vec![table]);
            let tables = ctx.real_tables();
            // Whatever was measured: with two directions (or one axis) the value says nothing.
            assert_eq!(ctx.claim(&tables[0], &CLAIM, Ok(0.9)), Status::NotTested);
            assert_eq!(ctx.verdicts()[0].reason.as_deref(), Some(reason));
        }
    }

    #[test]
    fn a_shipped_verdict_is_checked_against_what_the_table_is_known_to_do() {
        let mut ctx = Ctx::new();
        let tables = ctx.real_tables();
        assert_eq!(ctx.claim(&tables[0], &CLAIM, Ok(0.9)), Status::Holds);
        assert_eq!(ctx.claim(&tables[1], &CLAIM, Ok(0.9)), Status::Holds);
        assert_eq!(ctx.verdicts().len(), 2);
        // GloVe is expected to hold it, MiniLM not: the second check fails.
        let passed: Vec<bool> = ctx.checks().iter().map(|c| c.passed).collect();
        assert_eq!(passed, [true, false]);
        assert_eq!(ctx.checks()[1].relation, Relation::Below);
    }

    #[test]
    fn a_readers_verdict_is_a_finding_not_a_check() {
        let mut ctx = Ctx::with_tables(vec![reader_table()]);
        let tables = ctx.real_tables();
        assert_eq!(tables[0].name(), "mine.txt");
        assert_eq!(ctx.claim(&tables[0], &CLAIM, Ok(0.1)), Status::DoesNotHold);
        let missing = tables[0].rows(&["a", "queen"]).map(|_| 1.0);
        assert_eq!(ctx.claim(&tables[0], &CLAIM, missing), Status::NotTested);
        assert!(ctx.checks().is_empty());
        let reasons: Vec<Option<&str>> = ctx.verdicts().iter().map(|v| v.reason.as_deref()).collect();
        assert_eq!(reasons, [None, Some("no row for `queen`")]);
    }

    #[test]
    fn a_shipped_table_that_cannot_be_measured_fails_its_check() {
        let mut ctx = Ctx::new();
        let tables = ctx.real_tables();
        ctx.claim(
            &tables[0],
            &CLAIM,
            Err(crate::Error::parameter("rows", "too few")),
        );
        assert_eq!(ctx.verdicts()[0].status, Status::NotTested);
        assert!(!ctx.checks()[0].passed);
    }

    #[test]
    fn an_empty_figure_in_the_real_part_is_left_out_with_a_note() {
        let mut ctx = Ctx::with_tables(vec![reader_table()]);
        ctx.figure(Figure::new("before", "Built", "x", "y"));
        ctx.real_tables();
        ctx.figure(Figure::new("after", "Nothing to draw", "x", "y"));
        assert_eq!(
            ctx.figures().len(),
            1,
            "only the constructed part's figure is kept as requested"
        );
        assert!(ctx.transcript()[0].contains("Nothing to draw"));
    }
}
