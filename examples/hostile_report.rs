//! A report built from hostile text, for the browser test: every piece of
//! text a demo controls (title, prose, code, transcript, check name, value,
//! figure title and caption, error, and the real part's prose, code, table
//! names, verdicts and reasons) carries markup, an event-handler
//! injection, a stylesheet breaker and a bidi override. The browser test
//! (`scripts/browser_test.sh`) opens the result and fails if any script runs
//! or if the text is not shown literally.
//!
//! ```sh
//! cargo run --example hostile_report -- target/hostile
//! # wrote target/hostile/report.html
//! ```

use std::path::PathBuf;

use embspace::chart::{Chart, Figure, Series};
use embspace::record::{Check, DemoRecord, FigureRecord, RealPart, Relation, Status, Value, Verdict};
use embspace::report::{Format, Report, render, write_atomically};

/// Markup, an attribute breaker, a stylesheet breaker and a right-to-left override,
/// with a payload that sets `window.__pwned` if it ever runs.
const HOSTILE: &str = "<script>window.__pwned='script'</script> \"onmouseover=\"window.__pwned='attr'\" x='\"' </style><img src=x onerror=\"window.__pwned='img'\"> \u{202E}txet desrever";

fn hostile(label: &str) -> String {
    format!("{label} {HOSTILE}")
}

fn record(number: usize, id: &str, passed: bool) -> DemoRecord {
    let figure = Figure::new("line", &hostile("figure title"), "x", "y")
        .chart(Chart::Lines {
            series: vec![Series::indexed(&hostile("series"), [1.0, 2.0, 4.0])],
            markers: true,
        })
        .caption(&hostile("caption"));
    DemoRecord {
        number,
        id: id.into(),
        title: hostile("title"),
        seed_demos: vec![],
        prose: format!(
            "Prose {HOSTILE}\n\nA formula $a < b$ and <b onclick=\"window.__pwned='prose'\">raw html</b>.\n\n$$x^2 \\text{{ </style><script>window.__pwned='math'</script> }}$$\n"
        ),
        code: format!("let s = {HOSTILE:?}; // {HOSTILE}"),
        transcript: vec![hostile("transcript"), "\u{202E}>tpircs<".into()],
        checks: vec![Check {
            name: hostile("check"),
            got: Value::Text(hostile("got")),
            expected: Value::Text(hostile("expected")),
            relation: Relation::Equal,
            tolerance: None,
            passed,
        }],
        figures: vec![FigureRecord {
            figure,
            path: format!("figures/{id}-line.png"),
        }],
        real: Some(RealPart {
            prose: format!("Real prose {HOSTILE}"),
            code: format!("let t = {HOSTILE:?};"),
            tables: vec![hostile("table")],
            transcript: vec![hostile("real transcript")],
            checks: vec![],
            verdicts: [Status::Holds, Status::DoesNotHold, Status::NotTested]
                .map(|status| Verdict {
                    claim: hostile("claim"),
                    source: hostile("source"),
                    table: hostile("table"),
                    status,
                    measured: (status != Status::NotTested).then_some(Value::Number(0.5)),
                    relation: Relation::Above,
                    threshold: Value::Number(0.1),
                    reason: (status == Status::NotTested).then(|| hostile("reason")),
                })
                .to_vec(),
            figures: vec![],
        }),
        error: (!passed).then(|| hostile("error")),
    }
}

fn main() -> anyhow::Result<()> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "target/hostile".into()));
    let mut report = Report::from_records(
        vec![record(1, "hostile_fail", false), record(2, "hostile_pass", true)],
        None,
    );
    report.tables = vec![(hostile("table"), hostile("about the table"))];
    let rendered = render(&report, &[Format::Html])?;
    write_atomically(&out, &rendered, false)?;
    println!("wrote {}", out.join("report.html").display());
    Ok(())
}
