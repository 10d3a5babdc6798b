//! A published claim about trained embeddings: the statement, who made it,
//! and the measurement and threshold that decide it on a table.

use crate::record::{Relation, Status};

/// A claim from the literature, decided by comparing one measured value with a threshold.
///
/// `expected` records what each shipped table does (its id and whether the
/// claim holds there): the report checks those on every run, so a claim that
/// fails on a shipped table is shown failing, with the prose saying why, and
/// never dropped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Claim {
    /// The claim, as a sentence.
    pub statement: &'static str,
    /// Who made it: author(s) and year.
    pub source: &'static str,
    /// [`Relation::Above`] or [`Relation::Below`]: where the measured value
    /// must lie for the claim to hold.
    pub relation: Relation,
    /// The threshold.
    pub threshold: f64,
    /// For each shipped table id: whether the claim holds there.
    pub expected: &'static [(&'static str, bool)],
}

impl Claim {
    /// The claim holds when the measured value is above `threshold`.
    pub const fn above(statement: &'static str, source: &'static str, threshold: f64) -> Claim {
        Claim {
            statement,
            source,
            relation: Relation::Above,
            threshold,
            expected: &[],
        }
    }

    /// The claim holds when the measured value is below `threshold`.
    pub const fn below(statement: &'static str, source: &'static str, threshold: f64) -> Claim {
        Claim {
            relation: Relation::Below,
            ..Claim::above(statement, source, threshold)
        }
    }

    /// The same claim with what each shipped table is known to do.
    pub const fn expecting(self, expected: &'static [(&'static str, bool)]) -> Claim {
        Claim { expected, ..self }
    }

    /// The verdict for a measured value.
    ///
    /// # Examples
    /// ```
    /// use embspace::real::Claim;
    /// use embspace::record::Status;
    ///
    /// let cone = Claim::above("random pairs have a positive mean cosine", "Ethayarajh 2019", 0.05);
    /// assert_eq!(cone.status(0.2), Status::Holds);
    /// assert_eq!(cone.status(0.01), Status::DoesNotHold);
    /// assert_eq!(cone.status(f64::NAN), Status::NotTested);
    /// ```
    pub fn status(&self, measured: f64) -> Status {
        let holds = match self.relation {
            Relation::Below => measured < self.threshold,
            _ => measured > self.threshold,
        };
        match (measured.is_nan(), holds) {
            (true, _) => Status::NotTested,
            (false, true) => Status::Holds,
            (false, false) => Status::DoesNotHold,
        }
    }

    /// Whether the claim is known to hold on the shipped table `table_id`.
    pub fn expected_on(&self, table_id: &str) -> Option<bool> {
        self.expected
            .iter()
            .find(|(id, _)| *id == table_id)
            .map(|&(_, holds)| holds)
    }
}
