//! What running one demo produced: the serialisable record that the report,
//! the JSON file, the notebooks and the golden tests all read.

use serde::{Serialize, Serializer};

use crate::chart::Figure;
use crate::format::stable;

/// A value a check compared: a number or a piece of text (a word, a shape).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number; golden files keep 10 significant digits (see [`crate::format::stable`]).
    Number(f64),
    /// Anything compared as text.
    Text(String),
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Number(x) if x.is_finite() => s.serialize_f64(stable(*x)),
            Value::Number(x) => s.serialize_str(&x.to_string()),
            Value::Text(t) => s.serialize_str(t),
        }
    }
}

impl Value {
    /// The value as a table shows it: numbers to six decimals without
    /// trailing zeros (`0.5`, `0.916725`), tiny ones in scientific notation.
    pub fn shown(&self) -> String {
        match self {
            Value::Number(x) if *x != 0.0 && x.abs() < 1e-4 => format!("{x:.1e}"),
            Value::Number(x) => {
                let s = crate::format::fixed(*x, 6);
                s.trim_end_matches('0').trim_end_matches('.').to_owned()
            }
            Value::Text(t) => t.clone(),
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Number(x) => write!(f, "{}", crate::format::fixed(*x, 6)),
            Value::Text(t) => f.write_str(t),
        }
    }
}

/// How `got` must relate to `expected` for a check to pass.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// `|got − expected| ≤ tolerance`.
    Close,
    /// Exactly equal.
    Equal,
    /// `got < expected`.
    Below,
    /// `got > expected`.
    Above,
}

impl Relation {
    /// The relation that holds when this one does not (equality aside):
    /// above ↔ below; close and equal stay.
    pub fn opposite(self) -> Relation {
        match self {
            Relation::Above => Relation::Below,
            Relation::Below => Relation::Above,
            other => other,
        }
    }

    /// The symbol shown in check tables.
    pub fn symbol(self) -> &'static str {
        match self {
            Relation::Close => "≈",
            Relation::Equal => "=",
            Relation::Below => "<",
            Relation::Above => ">",
        }
    }
}

/// One named, asserted claim of a demo.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// What the check claims, as a sentence fragment.
    pub name: String,
    /// The computed value.
    pub got: Value,
    /// The value it is compared with.
    pub expected: Value,
    /// The comparison.
    pub relation: Relation,
    /// Absolute tolerance for [`Relation::Close`].
    #[serde(serialize_with = "serialize_tolerance")]
    pub tolerance: Option<f64>,
    /// Whether the claim holds.
    pub passed: bool,
}

fn serialize_tolerance<S: Serializer>(t: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_f64(stable(*t)),
        None => s.serialize_none(),
    }
}

/// What a real table says about a published claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The measured value is on the claim's side of its threshold.
    Holds,
    /// The measured value is on the other side.
    DoesNotHold,
    /// The table lacks what the claim needs (a word, enough rows).
    NotTested,
}

impl Status {
    /// The verdict as shown: `HOLDS`, `DOES NOT HOLD` or `NOT TESTED`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Holds => "HOLDS",
            Status::DoesNotHold => "DOES NOT HOLD",
            Status::NotTested => "NOT TESTED",
        }
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// A published claim measured on one real table: a finding, not a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// The claim, as a sentence.
    pub claim: String,
    /// Who made it (author and year).
    pub source: String,
    /// The table's display name.
    pub table: String,
    /// The verdict.
    pub status: Status,
    /// The measured value (absent when not tested).
    pub measured: Option<Value>,
    /// How the measured value must relate to the threshold for the claim to hold.
    pub relation: Relation,
    /// The threshold.
    pub threshold: Value,
    /// Why the claim was not tested.
    pub reason: Option<String>,
}

/// The part of a demo that measures its claims on real trained tables (its
/// prose follows the `## On real embeddings` heading of the demo's doc).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RealPart {
    /// The prose under the heading, Markdown.
    pub prose: String,
    /// The code shown (between the demo's `real` anchors).
    pub code: String,
    /// The tables measured, by display name.
    pub tables: Vec<String>,
    /// Lines written.
    pub transcript: Vec<String>,
    /// Checks (only on the shipped tables, whose verdicts are known).
    pub checks: Vec<Check>,
    /// One verdict per claim and table.
    pub verdicts: Vec<Verdict>,
    /// Figures.
    pub figures: Vec<FigureRecord>,
}

/// A figure as recorded: its description and the path of its PNG relative to the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureRecord {
    /// The figure description.
    #[serde(flatten)]
    pub figure: Figure,
    /// `figures/<demo-id>-<name>.png`.
    pub path: String,
}

/// Everything one demo run produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoRecord {
    /// Position in the report, from 1.
    pub number: usize,
    /// The demo id: its file name in `src/demos/`.
    pub id: String,
    /// The title (the first heading of the demo's prose).
    pub title: String,
    /// The numbers of the seed notebook's demos whose checks live here.
    pub seed_demos: Vec<u32>,
    /// The prose, Markdown.
    pub prose: String,
    /// The code the reader is shown (between the demo's anchors).
    pub code: String,
    /// Lines the demo wrote.
    pub transcript: Vec<String>,
    /// Named checks, in the order they ran.
    pub checks: Vec<Check>,
    /// Figures requested, in order.
    pub figures: Vec<FigureRecord>,
    /// What the demo measured on real tables, when it has such a part.
    pub real: Option<RealPart>,
    /// Set when the demo returned an error or panicked.
    pub error: Option<String>,
}

impl DemoRecord {
    /// True when the demo finished and every check passed, real part included.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.all_checks().all(|c| c.passed)
    }

    /// The checks of the demo and of its real part, in order.
    pub fn all_checks(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().chain(self.real.iter().flat_map(|r| &r.checks))
    }

    /// The verdicts of the demo's real part (none without one).
    pub fn verdicts(&self) -> impl Iterator<Item = &Verdict> {
        self.real.iter().flat_map(|r| &r.verdicts)
    }

    /// The text that may cite a work: the prose, the real part's prose and its
    /// claims' sources.
    pub fn cited_texts(&self) -> impl Iterator<Item = &str> {
        let real = self.real.iter().flat_map(|r| {
            std::iter::once(r.prose.as_str()).chain(r.verdicts.iter().map(|v| v.source.as_str()))
        });
        std::iter::once(self.prose.as_str()).chain(real)
    }

    /// The figures of the demo and of its real part, in order.
    pub fn all_figures(&self) -> impl Iterator<Item = &FigureRecord> {
        self.figures
            .iter()
            .chain(self.real.iter().flat_map(|r| &r.figures))
    }
}
