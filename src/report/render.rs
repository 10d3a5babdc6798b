//! Turns a [`Report`] into files: PNG figures (plotters), `report.html` and
//! `report.md` (minijinja templates from `templates/`, compiled into the
//! binary) and `report.json` (serde_json).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use base64::Engine;
use minijinja::{Environment, UndefinedBehavior};
use rayon::prelude::*;
use serde::Serialize;

use crate::code_span::{Piece, code_span, fence, pieces};
use crate::demos::Demo;
use crate::error::{Error, Result};
use crate::real::RealTable;
use crate::record::{DemoRecord, FigureRecord, RealPart};
use crate::report::highlight::highlight_rust;
use crate::report::markdown::prose_to_html;
use crate::report::model::{DemoVerdict, Report};
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

    /// The extension of its file: `report.html`, `analysis.md`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "md",
            Format::Json => "json",
        }
    }
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
    env.add_template(
        "report.demo.html.j2",
        include_str!("../../templates/report.demo.html.j2"),
    )
    .expect("templates/report.demo.html.j2 is valid (checked by tests)");
    env.add_template(
        "report.macros.html.j2",
        include_str!("../../templates/report.macros.html.j2"),
    )
    .expect("templates/report.macros.html.j2 is valid (checked by tests)");
    env.add_template("report.md.j2", include_str!("../../templates/report.md.j2"))
        .expect("templates/report.md.j2 is valid (checked by tests)");
    env.add_template(
        "report.macros.md.j2",
        include_str!("../../templates/report.macros.md.j2"),
    )
    .expect("templates/report.macros.md.j2 is valid (checked by tests)");
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
    env.add_filter("sentence", sentence_filter);
    env.add_filter("md_text", md_text_filter);
    env.add_filter("md_cell", md_cell_filter);
    env.add_filter("md_inline", md_inline_filter);
    env.add_filter("md_fenced", md_fenced_filter);
    env.add_filter("md_code", md_code_filter);
    env.add_filter("md_token", md_token_filter);
    env.add_filter("code_spans", code_spans_filter);
    env
}

/// Numbers in check tables: six decimals, trailing zeros trimmed; tiny values in scientific form.
fn value_filter(v: minijinja::Value) -> String {
    match f64::try_from(v.clone()) {
        Ok(x) if v.is_number() => crate::record::Value::Number(x).shown(),
        _ => v.to_string(),
    }
}

/// A figure's title closed as a sentence: a full stop, unless it already ends
/// in one, a question mark or an exclamation mark.
fn sentence_filter(title: String) -> String {
    if title.ends_with(['.', '?', '!']) {
        title
    } else {
        title + "."
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

/// Text read by people, not by Markdown, for `report.md` and `analysis.md`:
/// a token, a file name, a caption quoting one. Every character Markdown could
/// take as syntax is escaped (backslashes, or entities for HTML's), and
/// newlines are folded, so it reads literally anywhere on a line, table cells
/// and image descriptions included. The colon of `://` is escaped too, which
/// keeps GitHub from turning a token such as `http://x` into a link.
fn md_text_filter(text: String) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, c) in text.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '$' | '~' => out.extend(['\\', c]),
            ':' if text[i + 1..].starts_with("//") => out.push_str("\\:"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Our prose for a Markdown table cell (a check's name, a verdict's reason):
/// its `code spans` stay code, with fences fitting what they quote, and the
/// text around them has HTML-significant characters escaped (GitHub renders
/// inline HTML) and its unpaired backticks too (a re-fenced span cannot pair
/// with them); pipes are escaped everywhere, code included, as GFM tables
/// need, and newlines folded.
fn md_cell_filter(text: String) -> String {
    md_prose(&text, true)
}

/// [`md_cell_filter`] outside a table (a note in a block quote): pipes stay.
fn md_inline_filter(text: String) -> String {
    md_prose(&text, false)
}

fn md_prose(text: &str, in_table: bool) -> String {
    let fold = |s: &str| {
        let s = s.replace(['\n', '\r'], " ");
        if in_table { s.replace('|', "\\|") } else { s }
    };
    let mut out = String::with_capacity(text.len() + 16);
    for piece in pieces(text) {
        match piece {
            Piece::Text(t) => out.push_str(
                &fold(t)
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('`', "\\`"),
            ),
            Piece::Code(c) => out.push_str(&code_span(&fold(c))),
        }
    }
    out
}

/// A name from a file (its path) as a Markdown code span, on one line.
fn md_code_filter(text: String) -> String {
    code_span(&text.replace(['\n', '\r'], " "))
}

/// A token in a Markdown table cell, as a code span: a table cell would lose
/// its leading space (` the`) and its emptiness; pipes escaped as GFM needs.
fn md_token_filter(token: String) -> String {
    md_code_filter(token).replace('|', "\\|")
}

/// `text` as a fenced Markdown code block in `language`, fenced by more
/// backticks than any run inside it, so a transcript quoting ```` ``` ```` (a
/// token of many vocabularies) cannot close it early.
fn md_fenced_filter(text: String, language: String) -> String {
    let fence = fence(&text, 3);
    format!("{fence}{language}\n{text}\n{fence}")
}

/// Text with its `code spans` set as code, for the HTML pages (Markdown
/// shows them so already), read as CommonMark reads them (see
/// [`pieces`]): escaped, so a note quoting a file (a tensor's name) cannot
/// carry markup. An unpaired backtick stays as it is.
fn code_spans_filter(text: String) -> minijinja::Value {
    let mut html = String::with_capacity(text.len() + 16);
    for piece in pieces(&text) {
        match piece {
            Piece::Text(t) => html.push_str(&minijinja::HtmlEscape(t).to_string()),
            Piece::Code(c) => html.extend(["<code>", &minijinja::HtmlEscape(c).to_string(), "</code>"]),
        }
    }
    minijinja::Value::from_safe_string(html)
}

/// Render template `name` into a buffer of `capacity` bytes: the HTML page,
/// whose size the sections it embeds give, is written once instead of
/// growing (and being copied) through every power of two up to 3 MB.
fn render_template_into(name: &str, context: &impl Serialize, capacity: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(capacity);
    ENVIRONMENT
        .get_template(name)
        .and_then(|t| {
            t.render_captured_to(minijinja::Value::from(minijinja::value::Serde(context)), &mut out)
        })
        .map_err(|e| Error::Render {
            what: format!("template `{name}`"),
            reason: format!("{e:#}"),
        })?;
    Ok(out)
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

/// What the template of a demo's section (`report.demo.html.j2`) sees, beyond its record.
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

/// The context of `report.demo.html.j2`.
#[derive(Serialize)]
struct DemoContext<'a> {
    demo: HtmlDemo<'a>,
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
    /// The table of claims' rows, as for the page.
    verdicts: &'a [DemoVerdict],
}

/// What the page template (`report.html.j2`) sees: the report's heading and
/// summary, each demo's line in the contents and the overview, and its
/// section, already rendered. The records themselves stay out: the page
/// needs none of their text, and turning them into template values again
/// took most of the page's time.
#[derive(Serialize)]
struct HtmlContext<'a> {
    report: HtmlHeading<'a>,
    demos: &'a [HtmlEntry<'a>],
    /// The demos with failing ones first, for the summary table.
    summary_order: Vec<&'a HtmlEntry<'a>>,
    /// Every verdict, in report order, with its demo.
    verdicts: &'a [DemoVerdict],
}

/// What the page shows of the report besides the demos.
#[derive(Serialize)]
struct HtmlHeading<'a> {
    title: &'a str,
    summary: &'a crate::report::Summary,
    tables: &'a [(String, String)],
    references: &'a [crate::report::references::Work],
}

/// A demo as the page lists it, with its rendered section.
#[derive(Serialize)]
struct HtmlEntry<'a> {
    id: &'a str,
    number: usize,
    title: &'a str,
    seed_demos: &'a [u32],
    passed: bool,
    checks_passed: usize,
    checks_total: usize,
    /// The demo's `<section>`, from [`demo_section`]: markup built from escaped text.
    section: minijinja::Value,
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
            data_uri: minijinja::Value::from_safe_string(data_uri(png)),
        }
    }
}

/// `data:image/png;base64,…` for `png`, encoded straight into its string.
fn data_uri(png: &[u8]) -> String {
    const PREFIX: &str = "data:image/png;base64,";
    let mut uri = String::with_capacity(PREFIX.len() + png.len().div_ceil(3) * 4);
    uri.push_str(PREFIX);
    base64::engine::general_purpose::STANDARD.encode_string(png, &mut uri);
    uri
}

/// Render the report in the requested formats.
///
/// Figures are rendered once and shared: written to `figures/` for Markdown
/// and JSON, embedded as data URIs in HTML. Nothing here touches the disk.
///
/// # Errors
/// [`Error::Render`] when a figure or a template fails to render.
pub fn render(report: &Report, formats: &[Format]) -> Result<Rendered> {
    let html = formats.contains(&Format::Html);
    let drawn = report
        .demos
        .par_iter()
        .map(|record| draw(record, html))
        .collect::<Result<Vec<_>>>()?;
    render_documents(report, drawn, formats)
}

/// The PNGs of `figures`, drawn on every core; `collect` keeps the input
/// order, so the bytes do not depend on the thread count.
pub(crate) fn render_pngs(figures: &[&FigureRecord]) -> Result<Vec<Vec<u8>>> {
    figures.par_iter().map(|f| render_png(&f.figure)).collect()
}

/// What a demo adds to the documents once it has run: its figures' PNGs and,
/// when the report has an HTML page, its section of that page.
struct Drawn {
    pngs: Vec<Vec<u8>>,
    /// The section as the page's template takes it, made here, on the demo's
    /// core, rather than copied into a template value at the serial end.
    section: Option<minijinja::Value>,
}

/// Draw `record`'s figures and, for an HTML page, render its section.
fn draw(record: &DemoRecord, html: bool) -> Result<Drawn> {
    let pngs = render_pngs(&record.all_figures().collect::<Vec<_>>())?;
    let section = if html {
        Some(minijinja::Value::from_safe_string(demo_section(record, &pngs)?))
    } else {
        None
    };
    Ok(Drawn { pngs, section })
}

/// A demo's record and what it adds to the documents (or the error drawing it).
type RecordAndDrawn = (DemoRecord, Result<Drawn>);

/// The demos that take longest to run and draw, slowest first (CPU time in
/// release on this project's 2-core machine: word2vec ~35 ms, the others
/// 8–25 ms; every demo not listed takes under 6 ms).
///
/// [`run_and_render`] starts them first, so no thread is left with a long
/// demo while the other has run out of work: word2vec alone is a third of
/// what a core does in a report, and in report order it came 22nd of 25.
/// Only the order of work depends on this list, never a result.
const SLOWEST_FIRST: [&str; 11] = [
    "word2vec",
    "norms_and_frequency",
    "glove",
    "subspaces_and_probes",
    "isotropy",
    "euclidean_distance",
    "nearest_neighbors",
    "centering_and_whitening",
    "dot_product",
    "vocabulary_resizing",
    "analogy_directions",
];

/// A piece of [`run_and_render`]'s work.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Task {
    /// Decode the shipped tables (the real parts wait for them).
    DecodeTables,
    /// Run demo `i` (of the demos asked for) and draw its figures.
    Demo(usize),
}

/// The order in which [`run_and_render`] starts its work: the slowest demo,
/// then the shipped tables (when `decode_tables`), which the demos that come
/// next read, then the other slow demos, then the rest in report order.
/// Greedy longest-first: each thread takes the next task when it is free.
fn schedule(demos: &[Demo], decode_tables: bool) -> Vec<Task> {
    let rank = |id: &str| SLOWEST_FIRST.iter().position(|&slow| slow == id);
    let mut order: Vec<usize> = (0..demos.len()).collect();
    // Listed demos by rank, then the rest (`None` sorts last) in report order.
    order.sort_by_key(|&i| (rank(demos[i].id).is_none(), rank(demos[i].id)));
    let mut tasks: Vec<Task> = order.into_iter().map(Task::Demo).collect();
    if decode_tables {
        tasks.insert(tasks.len().min(1), Task::DecodeTables);
    }
    tasks
}

/// Run `demos` and render the report. Each demo's figures are drawn, and its
/// section of the HTML page rendered, as soon as that demo finishes, so all of
/// it runs on every core while the slow demos train; the slowest start first
/// (slowest first, see `schedule`). The real parts measure `tables` (the shipped ones when
/// `None`). The result equals `render(&Report::run_on(demos, tables), formats)`,
/// whatever the number of threads.
///
/// # Errors
/// As [`render`].
pub fn run_and_render(
    demos: &[Demo],
    tables: Option<&[Arc<RealTable>]>,
    formats: &[Format],
) -> Result<(Report, Rendered)> {
    let html = formats.contains(&Format::Html);
    let tasks = schedule(demos, tables.is_none());
    let next = AtomicUsize::new(0);
    let done: Vec<OnceLock<RecordAndDrawn>> = demos.iter().map(|_| OnceLock::new()).collect();
    let work = || {
        while let Some(&task) = tasks.get(next.fetch_add(1, Ordering::Relaxed)) {
            match task {
                Task::DecodeTables => {
                    crate::real::shipped();
                }
                Task::Demo(i) => {
                    let record = demos[i].record_on(i + 1, tables);
                    let drawn = draw(&record, html);
                    let _ = done[i].set((record, drawn));
                }
            }
        }
    };
    // One worker per thread, each taking the next task when it is free; the
    // results land in their demo's slot, so their order is the report's.
    rayon::scope(|scope| {
        for _ in 0..rayon::current_num_threads() {
            scope.spawn(|_| work());
        }
    });
    let mut drawn = Vec::with_capacity(demos.len());
    let mut records = Vec::with_capacity(demos.len());
    for slot in done {
        let (record, figures) = slot.into_inner().expect("every demo is a task");
        drawn.push(figures?);
        records.push(record);
    }
    let report = Report::from_records(records, tables);
    let rendered = render_documents(&report, drawn, formats)?;
    Ok((report, rendered))
}

/// The files of `report` given what each demo drew, in report order.
fn render_documents(report: &Report, drawn: Vec<Drawn>, formats: &[Format]) -> Result<Rendered> {
    let (pngs, sections): (Vec<_>, Vec<_>) = drawn.into_iter().map(|d| (d.pngs, d.section)).unzip();
    let sections: Vec<minijinja::Value> = sections
        .into_iter()
        .map(|s| s.unwrap_or_else(|| minijinja::Value::from_safe_string(String::new())))
        .collect();
    let verdicts: Vec<DemoVerdict> = report.verdicts().collect();
    // The three documents are independent: rendered side by side.
    let documents = formats
        .par_iter()
        .map(|format| {
            let bytes = match format {
                Format::Json => {
                    (serde_json::to_string_pretty(report).expect("the report serialises") + "\n").into_bytes()
                }
                Format::Markdown => render_template(
                    "report.md.j2",
                    &MarkdownContext {
                        report,
                        verdicts: &verdicts,
                    },
                )?
                .into_bytes(),
                Format::Html => html(report, &sections, &verdicts)?,
            };
            Ok((PathBuf::from(format!("report.{}", format.extension())), bytes))
        })
        .collect::<Result<Vec<OutputFile>>>()?;
    let figures: Vec<_> = report.demos.iter().flat_map(DemoRecord::all_figures).collect();
    let mut files = figure_files(&figures, pngs.into_iter().flatten().collect(), formats);
    files.extend(documents);
    Ok(Rendered { files })
}

/// A file to write: its path relative to the output directory, and its bytes.
pub(crate) type OutputFile = (PathBuf, Vec<u8>);

/// The PNG files to write for `figures` (none for HTML alone, which embeds them).
pub(crate) fn figure_files(
    figures: &[&FigureRecord],
    pngs: Vec<Vec<u8>>,
    formats: &[Format],
) -> Vec<OutputFile> {
    if formats.iter().all(|f| *f == Format::Html) {
        return Vec::new();
    }
    figures
        .iter()
        .zip(pngs)
        .map(|(f, png)| (PathBuf::from(&f.path), png))
        .collect()
}

/// One demo's `<section>` of the HTML page, its figures embedded.
fn demo_section<'a>(record: &'a DemoRecord, pngs: &[Vec<u8>]) -> Result<String> {
    let (own, real_pngs) = pngs.split_at(record.figures.len());
    let images = |figures: &'a [FigureRecord], pngs: &[Vec<u8>]| -> Vec<HtmlImage<'a>> {
        figures
            .iter()
            .zip(pngs)
            .map(|(f, png)| HtmlImage::new(&record.id, &f.figure, png))
            .collect()
    };
    let demo = HtmlDemo {
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
    };
    render_template("report.demo.html.j2", &DemoContext { demo })
}

/// The HTML page around the demos' `sections` (in report order), with the table of `verdicts`.
fn html(report: &Report, sections: &[minijinja::Value], verdicts: &[DemoVerdict]) -> Result<Vec<u8>> {
    /// Room for the page around the sections: style sheet, contents, overview, claims.
    const AROUND: usize = 256 * 1024;
    let capacity = AROUND
        + sections
            .iter()
            .filter_map(|s| s.as_str())
            .map(str::len)
            .sum::<usize>();
    let demos: Vec<HtmlEntry> = report
        .demos
        .iter()
        .zip(sections)
        .map(|(record, section)| HtmlEntry {
            id: &record.id,
            number: record.number,
            title: &record.title,
            seed_demos: &record.seed_demos,
            passed: record.passed(),
            checks_passed: record.all_checks().filter(|c| c.passed).count(),
            checks_total: record.all_checks().count(),
            section: section.clone(),
        })
        .collect();
    let failed_first: Vec<&HtmlEntry> = demos
        .iter()
        .filter(|d| !d.passed)
        .chain(demos.iter().filter(|d| d.passed))
        .collect();
    render_template_into(
        "report.html.j2",
        &HtmlContext {
            report: HtmlHeading {
                title: &report.title,
                summary: &report.summary,
                tables: &report.tables,
                references: &report.references,
            },
            demos: &demos,
            summary_order: failed_first,
            verdicts,
        },
        capacity,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Check, Relation, Value};

    #[test]
    fn code_spans_become_code_after_escaping_and_a_lone_backtick_stays() {
        let html = |text: &str| code_spans_filter(text.into()).to_string();
        assert_eq!(html("tensor `a<b>`"), "tensor <code>a&lt;b&gt;</code>");
        assert_eq!(
            html("`x` and `y`, then `"),
            "<code>x</code> and <code>y</code>, then `"
        );
        assert_eq!(html("no code & no tags"), "no code &amp; no tags");
        assert_eq!(html("no row for ``a`b``"), "no row for <code>a`b</code>");
        assert_eq!(html("tensor ```` ``` ````"), "tensor <code>```</code>");
    }

    #[test]
    fn a_token_keeps_its_spaces_in_a_markdown_table() {
        assert_eq!(md_token_filter(" the".into()), "` the`");
        assert_eq!(md_token_filter("a|b".into()), "`a\\|b`");
        assert_eq!(md_token_filter("`".into()), "`` ` ``");
    }

    #[test]
    fn a_title_ends_as_one_sentence() {
        assert_eq!(sentence_filter("Norms by rank".into()), "Norms by rank.");
        assert_eq!(sentence_filter("Which sense wins?".into()), "Which sense wins?");
        assert_eq!(sentence_filter("Done.".into()), "Done.");
    }

    #[test]
    fn markdown_text_reads_literally_and_prose_keeps_its_code_spans() {
        assert_eq!(md_text_filter("see https://x.org".into()), "see https\\://x.org");
        assert_eq!(
            md_text_filter("*a* _b_ [c](d) `e` $f$ x|y <g> ~h~ \\i\nj".into()),
            "\\*a\\* \\_b\\_ \\[c\\](d) \\`e\\` \\$f\\$ x\\|y &lt;g&gt; \\~h\\~ \\\\i j"
        );
        assert_eq!(
            md_cell_filter("no row for ``a`b``, `x|y` & <z>".into()),
            "no row for ``a`b``, `x\\|y` &amp; &lt;z&gt;"
        );
        assert_eq!(md_inline_filter("tensor `<b>|x`".into()), "tensor `<b>|x`");
        assert_eq!(
            md_inline_filter("a lone ` stays text".into()),
            "a lone \\` stays text"
        );
        assert_eq!(
            md_fenced_filter("a\n```\nb".into(), "text".into()),
            "````text\na\n```\nb\n````"
        );
        assert_eq!(
            md_fenced_filter("plain".into(), "rust".into()),
            "```rust\nplain\n```"
        );
    }

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
    fn the_slowest_demo_starts_first_then_the_tables_and_every_demo_runs_once() {
        for id in SLOWEST_FIRST {
            assert!(
                crate::demos::find(id).is_some(),
                "`{id}` in SLOWEST_FIRST is no demo"
            );
        }
        let all = crate::demos::ALL;
        let tasks = schedule(all, true);
        let word2vec = all.iter().position(|d| d.id == "word2vec").unwrap();
        assert_eq!(tasks[..2], [Task::Demo(word2vec), Task::DecodeTables]);
        let mut demos: Vec<usize> = tasks
            .iter()
            .filter_map(|t| match t {
                Task::Demo(i) => Some(*i),
                Task::DecodeTables => None,
            })
            .collect();
        demos.sort_unstable();
        assert_eq!(demos, (0..all.len()).collect::<Vec<_>>());
        // The demos not listed keep report order; a reader's table needs no decoding.
        let one_hot = all.iter().position(|d| d.id == "one_hot_lookup").unwrap();
        let batch = all.iter().position(|d| d.id == "batch_shapes").unwrap();
        let at = |i| tasks.iter().position(|t| *t == Task::Demo(i)).unwrap();
        assert!(at(one_hot) < at(batch));
        assert!(!schedule(all, false).contains(&Task::DecodeTables));
    }

    #[test]
    fn every_file_is_the_same_on_one_thread_and_on_three() {
        // A demo with a real part, one with figures, one without.
        let demos: Vec<Demo> = ["cosine_similarity", "batch_shapes", "one_hot_lookup"]
            .iter()
            .map(|id| *crate::demos::find(id).unwrap())
            .collect();
        let on = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| run_and_render(&demos, None, &Format::ALL).unwrap())
        };
        let ((report, one), (_, three)) = (on(1), on(3));
        assert_eq!(one, three);
        assert_eq!(one, render(&report, &Format::ALL).unwrap());
        assert!(
            one.get("report.html").is_some() && one.get("figures/batch_shapes-score-vs-offset.png").is_some()
        );
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
