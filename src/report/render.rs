//! Turns a [`Report`] into files: PNG figures (plotters), `report.html` and
//! `report.md` (minijinja templates from `templates/`, compiled into the
//! binary) and `report.json` (serde_json).

use std::path::PathBuf;

use base64::Engine;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::record::DemoRecord;
use crate::report::markdown::prose_to_html;
use crate::report::model::Report;
use crate::report::plot::render_png;

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

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Auto-escaping follows the name: `.html.j2` is escaped, `.md.j2` is not.
    env.add_template("report.html.j2", include_str!("../../templates/report.html.j2"))
        .expect("templates/report.html.j2 is valid (checked by tests)");
    env.add_template("report.md.j2", include_str!("../../templates/report.md.j2"))
        .expect("templates/report.md.j2 is valid (checked by tests)");
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
        Ok(x) if v.is_number() => {
            if x != 0.0 && x.abs() < 1e-4 {
                format!("{x:.1e}")
            } else {
                let s = crate::format::fixed(x, 6);
                s.trim_end_matches('0').trim_end_matches('.').to_owned()
            }
        }
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

fn render_template(name: &str, context: &impl Serialize) -> Result<String> {
    environment()
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
    prose_html: String,
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
}

#[derive(Serialize)]
struct HtmlImage<'a> {
    title: &'a str,
    caption: &'a str,
    data_uri: String,
}

/// Render the report in the requested formats.
///
/// Figures are rendered once and shared: written to `figures/` for Markdown
/// and JSON, embedded as data URIs in HTML. Nothing here touches the disk.
///
/// # Errors
/// [`Error::Render`] when a figure or a template fails to render.
pub fn render(report: &Report, formats: &[Format]) -> Result<Rendered> {
    let figures: Vec<_> = report.demos.iter().flat_map(|d| &d.figures).collect();
    let pngs = render_figures(&figures.iter().map(|f| &f.figure).collect::<Vec<_>>())?;
    let mut files = Vec::new();
    if formats.iter().any(|f| *f != Format::Html) {
        files.extend(
            figures
                .iter()
                .zip(&pngs)
                .map(|(f, png)| (PathBuf::from(&f.path), png.clone())),
        );
    }
    for format in formats {
        let (name, text) = match format {
            Format::Json => (
                "report.json",
                serde_json::to_string_pretty(report).expect("the report serialises") + "\n",
            ),
            Format::Markdown => (
                "report.md",
                render_template("report.md.j2", &MarkdownContext { report })?,
            ),
            Format::Html => ("report.html", html(report, &pngs)?),
        };
        files.push((PathBuf::from(name), text.into_bytes()));
    }
    Ok(Rendered { files })
}

/// Render figures on every core: each figure is independent and the output
/// order is the input order, so the bytes do not depend on the thread count.
fn render_figures(figures: &[&crate::chart::Figure]) -> Result<Vec<Vec<u8>>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = figures.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = figures
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|f| render_png(f)).collect::<Result<Vec<_>>>()))
            .collect();
        let mut pngs = Vec::with_capacity(figures.len());
        for worker in workers {
            pngs.extend(worker.join().expect("rendering a figure does not panic")?);
        }
        Ok(pngs)
    })
}

fn html(report: &Report, pngs: &[Vec<u8>]) -> Result<String> {
    let mut png = pngs.iter();
    let demos: Vec<HtmlDemo> = report
        .demos
        .iter()
        .map(|record| HtmlDemo {
            record,
            passed: record.passed(),
            prose_html: prose_to_html(&record.prose),
            images: record
                .figures
                .iter()
                .map(|f| HtmlImage {
                    title: &f.figure.title,
                    caption: &f.figure.caption,
                    data_uri: format!(
                        "data:image/png;base64,{}",
                        base64::engine::general_purpose::STANDARD
                            .encode(png.next().expect("one PNG per figure"))
                    ),
                })
                .collect(),
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
        },
    )
}
