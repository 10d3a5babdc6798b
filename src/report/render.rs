//! Turns a [`Report`] into files: PNG figures (plotters), `report.html` and
//! `report.md` (minijinja templates from `templates/`, compiled into the
//! binary) and `report.json` (serde_json).

use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;
use minijinja::{Environment, UndefinedBehavior};
use rayon::prelude::*;
use serde::Serialize;

use crate::demos::Demo;
use crate::error::{Error, Result};
use crate::real::RealTable;
use crate::record::{DemoRecord, FigureRecord, RealPart, Verdict};
use crate::report::highlight::highlight_rust;
use crate::report::markdown::prose_to_html;
use crate::report::model::Report;
use crate::report::plot::{SIZE, render_png};

/// The output formats of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// `report.html`: one standalone page with embedded figures.
    Html,
    /// `report.md`: GitHub-flavoured Markdown linking `figures/`.
    Markdown,
    /// `report.json`: the machine-readable records.
    Json,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 3] = [Format::Html, Format::Markdown, Format::Json];
}

/// A rendered report: file paths relative to the output directory, with their bytes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rendered {
    /// `(relative path, contents)`, figures first.
    pub files: Vec<(PathBuf, Vec<u8>)>,
}

impl Rendered {
    /// The contents of one file, if rendered.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(p, _)| p == std::path::Path::new(path))
            .map(|(_, b)| b.as_slice())
    }
}

/// The templates, parsed once per process (each report renders two or more of them).
static ENVIRONMENT: std::sync::LazyLock<Environment<'static>> = std::sync::LazyLock::new(environment);

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Auto-escaping follows the name: `.html.j2` is escaped, `.md.j2` is not.
    env.add_template("report.html.j2", include_str!("../../templates/report.html.j2"))
        .expect("templates/report.html.j2 is valid (checked by tests)");
    env.add_template("report.md.j2", include_str!("../../templates/report.md.j2"))
        .expect("templates/report.md.j2 is valid (checked by tests)");
    #[cfg(feature = "analyze")]
    {
        env.add_template("analyze.html.j2", include_str!("../../templates/analyze.html.j2"))
            .expect("templates/analyze.html.j2 is valid (checked by tests)");
        env.add_template("analyze.md.j2", include_str!("../../templates/analyze.md.j2"))
            .expect("templates/analyze.md.j2 is valid (checked by tests)");
    }
    env.add_template("style.css", include_str!("../../templates/style.css"))
        .expect("templates/style.css is valid (checked by tests)");
    env.add_filter("value", value_filter);
    env.add_filter("relation", relation_filter);
    env.add_filter("md_cell", md_cell_filter);
    env
}

/// Numbers in check tables: six decimals, trailing zeros trimmed; tiny values in scientific form.
fn value_filter(v: minijinja::Value) -> String {
    match f64::try_from(v.clone()) {
        Ok(x) if v.is_number() => crate::record::Value::Number(x).shown(),
        _ => v.to_string(),
    }
}

fn relation_filter(name: String) -> String {
    match name.as_str() {
        "close" => "≈",
        "equal" => "=",
        "below" => "<",
        "above" => ">",
        other => other,
    }
    .to_owned()
}

/// Text safe inside a Markdown table cell: pipes escaped, newlines folded,
/// and HTML-significant characters escaped (GitHub renders inline HTML).
fn md_cell_filter(text: String) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

pub(crate) fn render_template(name: &str, context: &impl Serialize) -> Result<String> {
    ENVIRONMENT
        .get_template(name)
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(context))))
        .map_err(|e| Error::Render {
            what: format!("template `{name}`"),
            reason: format!("{e:#}"),
        })
}

/// What the HTML template sees for one demo, beyond its record.
#[derive(Serialize)]
struct HtmlDemo<'a> {
    #[serde(flatten)]
    record: &'a DemoRecord,
    passed: bool,
    /// Checks passed and run, the real part's included.
    checks_passed: usize,
    checks_total: usize,
    prose_html: String,
    /// The shown code, HTML-escaped and syntax highlighted.
    code_html: String,
    code_lines: usize,
    images: Vec<HtmlImage<'a>>,
    real: Option<HtmlReal<'a>>,
}

/// What the HTML template sees for a demo's real part, beyond its record.
#[derive(Serialize)]
struct HtmlReal<'a> {
    #[serde(flatten)]
    part: &'a RealPart,
    checks_passed: usize,
    prose_html: String,
    code_html: String,
    code_lines: usize,
    images: Vec<HtmlImage<'a>>,
}

#[derive(Serialize)]
struct MarkdownContext<'a> {
    report: &'a Report,
}

#[derive(Serialize)]
struct HtmlContext<'a> {
    report: &'a Report,
    demos: &'a [HtmlDemo<'a>],
    /// The demos with failing ones first, for the summary table.
    summary_order: Vec<&'a HtmlDemo<'a>>,
    /// Every verdict, in report order, with its demo.
    verdicts: Vec<HtmlVerdict<'a>>,
}

/// A verdict in the report-wide table of claims, with the demo it belongs to.
#[derive(Serialize)]
struct HtmlVerdict<'a> {
    #[serde(flatten)]
    verdict: &'a Verdict,
    demo_id: &'a str,
    demo_title: &'a str,
}

/// A figure embedded in an HTML page.
#[derive(Serialize)]
pub(crate) struct HtmlImage<'a> {
    /// `<demo-id>-<name>`, the PNG's file stem: unique in the report.
    id: String,
    title: &'a str,
    caption: &'a str,
    width: u32,
    height: u32,
    data_uri: minijinja::Value,
}

impl<'a> HtmlImage<'a> {
    /// `figure` rendered as `png`, with an id unique under `prefix`.
    pub(crate) fn new(prefix: &str, figure: &'a crate::chart::Figure, png: &[u8]) -> Self {
        HtmlImage {
            id: format!("{prefix}-{}", figure.name),
            title: &figure.title,
            caption: &figure.caption,
            width: SIZE.0,
            height: SIZE.1,
            data_uri: minijinja::Value::from_safe_string(format!(
                "data:image/png;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(png)
            )),
        }
    }
}

/// Render the report in the requested formats.
///
/// Figures are rendered once and shared: written to `figures/` for Markdown
/// and JSON, embedded as data URIs in HTML. Nothing here touches the disk.
///
/// # Errors
/// [`Error::Render`] when a figure or a template fails to render.
pub fn render(report: &Report, formats: &[Format]) -> Result<Rendered> {
    let figures: Vec<_> = report.demos.iter().flat_map(DemoRecord::all_figures).collect();
    render_with_figures(report, &render_pngs(&figures)?, formats)
}

/// The PNGs of `figures`, drawn on every core; `collect` keeps the input
/// order, so the bytes do not depend on the thread count.
pub(crate) fn render_pngs(figures: &[&FigureRecord]) -> Result<Vec<Vec<u8>>> {
    figures.par_iter().map(|f| render_png(&f.figure)).collect()
}

/// A demo's record and its figures' PNGs (or the error drawing them).
type RecordAndPngs = (DemoRecord, Result<Vec<Vec<u8>>>);

/// Run `demos` and render the report, drawing each demo's figures as soon as
/// that demo finishes, so drawing overlaps the slow demos (training) instead
/// of waiting for all of them. The real parts measure `tables` (the shipped
/// ones when `None`). The result equals `render(&Report::run_on(demos, tables), formats)`.
///
/// # Errors
/// As [`render`].
pub fn run_and_render(
    demos: &[Demo],
    tables: Option<&[Arc<RealTable>]>,
    formats: &[Format],
) -> Result<(Report, Rendered)> {
    // The shipped tables are decoded on one core while the other starts on
    // the demos, rather than inside the first demo that asks for them.
    let (_, done): (_, Vec<RecordAndPngs>) = rayon::join(
        || tables.is_none().then(crate::real::shipped),
        || {
            demos
                .par_iter()
                .enumerate()
                .map(|(i, demo)| {
                    let record = demo.record_on(i + 1, tables);
                    let pngs = render_pngs(&record.all_figures().collect::<Vec<_>>());
                    (record, pngs)
                })
                .collect()
        },
    );
    let mut pngs = Vec::new();
    let mut records = Vec::with_capacity(done.len());
    for (record, figures) in done {
        pngs.extend(figures?);
        records.push(record);
    }
    let report = Report::from_records(records, tables);
    let rendered = render_with_figures(&report, &pngs, formats)?;
    Ok((report, rendered))
}

/// The files of `report` given its figures' PNGs, in report order.
fn render_with_figures(report: &Report, pngs: &[Vec<u8>], formats: &[Format]) -> Result<Rendered> {
    let figures: Vec<_> = report.demos.iter().flat_map(DemoRecord::all_figures).collect();
    let mut files = figure_files(&figures, pngs, formats);
    // The three documents are independent: rendered side by side.
    let documents = formats
        .par_iter()
        .map(|format| {
            let (name, text) = match format {
                Format::Json => (
                    "report.json",
                    serde_json::to_string_pretty(report).expect("the report serialises") + "\n",
                ),
                Format::Markdown => (
                    "report.md",
                    render_template("report.md.j2", &MarkdownContext { report })?,
                ),
                Format::Html => ("report.html", html(report, pngs)?),
            };
            Ok((PathBuf::from(name), text.into_bytes()))
        })
        .collect::<Result<Vec<OutputFile>>>()?;
    files.extend(documents);
    Ok(Rendered { files })
}

/// A file to write: its path relative to the output directory, and its bytes.
pub(crate) type OutputFile = (PathBuf, Vec<u8>);

/// The PNG files to write for `figures` (none for HTML alone, which embeds them).
pub(crate) fn figure_files(
    figures: &[&FigureRecord],
    pngs: &[Vec<u8>],
    formats: &[Format],
) -> Vec<OutputFile> {
    if formats.iter().all(|f| *f == Format::Html) {
        return Vec::new();
    }
    figures
        .iter()
        .zip(pngs)
        .map(|(f, png)| (PathBuf::from(&f.path), png.clone()))
        .collect()
}

fn html<'a>(report: &'a Report, pngs: &'a [Vec<u8>]) -> Result<String> {
    // Each demo's PNGs, in report order, so the demos can be prepared in parallel.
    let mut rest = pngs;
    let demo_pngs: Vec<&[Vec<u8>]> = report
        .demos
        .iter()
        .map(|record| {
            let (own, later) = rest.split_at(record.all_figures().count());
            rest = later;
            own
        })
        .collect();
    let demos: Vec<HtmlDemo> = report
        .demos
        .par_iter()
        .zip(demo_pngs)
        .map(|(record, pngs)| {
            let (own, real_pngs) = pngs.split_at(record.figures.len());
            let images = |figures: &'a [FigureRecord], pngs: &'a [Vec<u8>]| -> Vec<HtmlImage<'a>> {
                figures
                    .iter()
                    .zip(pngs)
                    .map(|(f, png)| HtmlImage::new(&record.id, &f.figure, png))
                    .collect()
            };
            HtmlDemo {
                record,
                passed: record.passed(),
                checks_passed: record.all_checks().filter(|c| c.passed).count(),
                checks_total: record.all_checks().count(),
                prose_html: prose_to_html(&record.prose),
                code_html: highlight_rust(&record.code),
                code_lines: record.code.lines().count(),
                images: images(&record.figures, own),
                real: record.real.as_ref().map(|part| HtmlReal {
                    part,
                    checks_passed: part.checks.iter().filter(|c| c.passed).count(),
                    prose_html: prose_to_html(&part.prose),
                    code_html: highlight_rust(&part.code),
                    code_lines: part.code.lines().count(),
                    images: images(&part.figures, real_pngs),
                }),
            }
        })
        .collect();
    let failed_first: Vec<&HtmlDemo> = demos
        .iter()
        .filter(|d| !d.passed)
        .chain(demos.iter().filter(|d| d.passed))
        .collect();
    render_template(
        "report.html.j2",
        &HtmlContext {
            report,
            demos: &demos,
            summary_order: failed_first,
            verdicts: report
                .verdicts()
                .map(|(d, verdict)| HtmlVerdict {
                    verdict,
                    demo_id: &d.id,
                    demo_title: &d.title,
                })
                .collect(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Check, Relation, Value};

    fn record(title: &str, passed: bool) -> DemoRecord {
        DemoRecord {
            number: 1,
            id: "demo".into(),
            title: title.into(),
            seed_demos: vec![],
            prose: "Text with $x^2$.".into(),
            code: "let x = 1;".into(),
            transcript: vec![title.into()],
            checks: vec![Check {
                name: title.into(),
                got: Value::Number(1.0),
                expected: Value::Number(1.0),
                relation: Relation::Equal,
                tolerance: None,
                passed,
            }],
            figures: vec![],
            real: None,
            error: None,
        }
    }

    fn html_of(records: Vec<DemoRecord>) -> String {
        let rendered = render(&Report::from_records(records, None), &[Format::Html]).unwrap();
        String::from_utf8(rendered.get("report.html").unwrap().to_vec()).unwrap()
    }

    #[test]
    fn html_escapes_and_isolates_text_a_demo_wrote() {
        let hostile = "<script>x</script> \"onmouseover=y </style> \u{202E}z";
        let html = html_of(vec![record(hostile, true)]);
        assert!(!html.contains("<script>"), "a demo's text became markup");
        assert!(
            !html.contains("\"onmouseover"),
            "a demo's text left its attribute"
        );
        assert_eq!(
            html.matches("</style>").count(),
            1,
            "a demo's text closed the stylesheet"
        );
        assert!(
            html.contains("<bdi class=\"title\">&lt;script&gt;x"),
            "title not isolated"
        );
    }

    #[test]
    fn html_has_highlighted_code_and_no_url() {
        let html = html_of(vec![record("T", true)]);
        assert!(html.contains("<span class=\"hl-kw\">let</span>"));
        assert!(html.contains("<math"));
        assert!(!html.contains("http:") && !html.contains("https:") && !html.contains("xmlns"));
    }

    #[test]
    fn failing_demos_come_first_in_the_summary_table() {
        let mut pass = record("Passing", true);
        pass.id = "pass".into();
        let mut fail = record("Failing", false);
        fail.id = "fail".into();
        fail.number = 2;
        let html = html_of(vec![pass, fail]);
        let table = &html[html.find("class=\"overview\"").unwrap()..];
        assert!(table.find("#fail").unwrap() < table.find("#pass").unwrap());
    }
}
