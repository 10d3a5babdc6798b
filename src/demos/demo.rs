//! A registered demo and how it is run into a [`DemoRecord`].

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::chart::Figure;
use crate::demos::context::Ctx;
use crate::demos::source::parse_source;
use crate::real::RealTable;
use crate::record::{DemoRecord, FigureRecord, RealPart};

/// One demo: an id, the seed notebook demos it stands for, its source and its body.
#[derive(Debug, Clone, Copy)]
pub struct Demo {
    /// The id: the demo's file name in `src/demos/` without `.rs`.
    pub id: &'static str,
    /// Numbers of the seed notebook's demos whose computation and check live here.
    pub seed_demos: &'static [u32],
    /// The demo's full source file (`include_str!`), from which prose and shown code come.
    pub source: &'static str,
    /// The demo body.
    pub run: fn(&mut Ctx) -> crate::Result<()>,
}

impl Demo {
    /// The title: the first heading of the module doc.
    pub fn title(&self) -> String {
        parse_source(self.source).title
    }

    /// Whether the demo has a part on real tables (code between `// ANCHOR: real` markers).
    pub fn has_real_part(&self) -> bool {
        self.source.lines().any(|l| l.trim() == "// ANCHOR: real")
    }

    /// Run the demo and record what it produced.
    ///
    /// A returned error or a panic inside the demo becomes the record's
    /// `error`; it never escapes, so one broken demo cannot stop a report.
    pub fn record(&self, number: usize) -> DemoRecord {
        self.record_on(number, None)
    }

    /// Run the demo with its real part on `tables` (the shipped tables when
    /// `None`) and record what it produced.
    pub fn record_on(&self, number: usize, tables: Option<&[Arc<RealTable>]>) -> DemoRecord {
        let source = parse_source(self.source);
        let mut ctx = tables.map_or_else(Ctx::new, |t| Ctx::with_tables(t.to_vec()));
        let outcome = catch_unwind(AssertUnwindSafe(|| (self.run)(&mut ctx)));
        let error = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(format!("error: {e}")),
            Err(payload) => Some(format!("panic: {}", panic_message(payload.as_ref()))),
        };
        let figure_records = |figures: Vec<Figure>| {
            figures
                .into_iter()
                .map(|figure| FigureRecord {
                    path: format!("figures/{}-{}.png", self.id, figure.name),
                    figure,
                })
                .collect()
        };
        let real = ctx.real_start.map(|(transcript, checks, figures)| {
            let names = ctx.real_table_names();
            let mut real_figures = ctx.figures.split_off(figures);
            if tables.is_some() {
                // The captions read the shipped tables' figures; a reader's table gets a plain one.
                for figure in &mut real_figures {
                    figure.caption = format!(
                        "Measured on {}. (`embspace report` without `--vectors` draws this figure for the \
                         shipped tables and explains what it shows there.)",
                        names.join(" and ")
                    );
                }
            }
            // The prose reads the shipped tables' results; say so before a reader takes them for
            // theirs. (Never the table's name here: prose is rendered as Markdown, a name is not ours.)
            let prose = match tables {
                Some(_) => format!(
                    "*The text is about the shipped tables, as `embspace report` without `--vectors` shows \
                     them; the output, verdicts and figures below are your table's.*\n\n{}",
                    source.real_prose
                ),
                None => source.real_prose.clone(),
            };
            RealPart {
                prose,
                code: source.real_code.clone(),
                tables: names,
                transcript: ctx.transcript.split_off(transcript),
                checks: ctx.checks.split_off(checks),
                verdicts: std::mem::take(&mut ctx.verdicts),
                figures: figure_records(real_figures),
            }
        });
        DemoRecord {
            number,
            id: self.id.into(),
            title: source.title,
            seed_demos: self.seed_demos.to_vec(),
            prose: source.prose,
            code: source.code,
            transcript: ctx.transcript,
            checks: ctx.checks,
            figures: figure_records(ctx.figures),
            real,
            error,
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "//! # Broken\n";

    fn panics(_: &mut Ctx) -> crate::Result<()> {
        panic!("deliberately broken")
    }

    fn fails(ctx: &mut Ctx) -> crate::Result<()> {
        ctx.check_close("one is two", 1.0, 2.0, 1e-9);
        Err(crate::Error::parameter("k", "too large"))
    }

    #[test]
    fn a_panicking_demo_is_recorded_as_an_error() {
        let demo = Demo {
            id: "broken",
            seed_demos: &[],
            source: SOURCE,
            run: panics,
        };
        let record = demo.record(1);
        assert_eq!(record.error.as_deref(), Some("panic: deliberately broken"));
        assert!(!record.passed());
    }

    #[test]
    fn a_failing_demo_keeps_its_checks_and_error() {
        let demo = Demo {
            id: "broken",
            seed_demos: &[],
            source: SOURCE,
            run: fails,
        };
        let record = demo.record(1);
        assert_eq!(record.checks.len(), 1);
        assert!(!record.checks[0].passed);
        assert_eq!(
            record.error.as_deref(),
            Some("error: invalid parameter `k`: too large")
        );
    }
}
