//! Rich output in evcxr notebooks: a demo's context shows as one HTML block
//! (transcript, check table with PASS/FAIL, figures as inline PNGs), a single
//! figure as a PNG.
//!
//! evcxr calls `evcxr_display(&self)` on the value a cell ends with; the method
//! prints `EVCXR_BEGIN_CONTENT <mime>`, the content, and `EVCXR_END_CONTENT`.
//! One cell yields one rich result per MIME type, so several figures go into
//! one `text/html` block rather than several `image/png` ones. The HTML is one
//! line (newlines in text are written as `&#10;`), so no text a demo writes can
//! end the block early, and every piece of text is escaped.

use base64::Engine;

use crate::chart::Figure;
use crate::demos::Ctx;
use crate::record::{Check, Status, Verdict};
use crate::report::render_png;

const PASS_STYLE: &str = "color:#117733;font-weight:bold";
const FAIL_STYLE: &str = "color:#cc3311;font-weight:bold";

impl Ctx {
    /// Everything the demo wrote, as one self-contained HTML fragment.
    ///
    /// A `<pre>` with the transcript, a table of checks (value, relation,
    /// expected, tolerance, PASS or FAIL), the verdicts of the claims measured
    /// on real tables, and every figure as an inline PNG.
    /// Each check row carries its record as JSON in `data-check` (the same
    /// serialisation as `report.json`) and the transcript carries its lines in
    /// `data-transcript`, so tools can compare a notebook's results with the
    /// report's. All text is escaped; the fragment is a single line.
    ///
    /// # Examples
    /// ```
    /// let mut ctx = embspace::demos::Ctx::new();
    /// ctx.say("<b>not bold</b>");
    /// ctx.check_close("one is one", 1.0, 1.0, 1e-9);
    /// let html = ctx.to_html();
    /// assert!(html.contains("&lt;b&gt;not bold&lt;/b&gt;"));
    /// assert!(html.contains(">PASS<"));
    /// assert!(!html.contains('\n'));
    /// ```
    pub fn to_html(&self) -> String {
        let mut html = String::from("<div class=\"embspace-ctx\">");
        if !self.transcript().is_empty() {
            let lines = serde_json::to_string(self.transcript()).expect("strings serialise");
            html += &format!(
                "<pre class=\"embspace-transcript\" data-transcript=\"{}\">{}</pre>",
                escape(&lines),
                escape(&self.transcript().join("\n"))
            );
        }
        if !self.checks().is_empty() {
            html += &checks_table(self.checks());
        }
        if !self.verdicts().is_empty() {
            html += &verdicts_table(self.verdicts());
        }
        for figure in self.figures() {
            html += &figure_html(figure);
        }
        html + "</div>"
    }

    /// Show the context in an evcxr notebook: one `text/html` block (see [`Ctx::to_html`]).
    ///
    /// evcxr calls this when a cell's last expression is a `Ctx`.
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT",
            self.to_html()
        );
    }
}

impl Figure {
    /// Show the figure in an evcxr notebook as a PNG (the report's renderer),
    /// or its rendering error as text.
    ///
    /// evcxr calls this when a cell's last expression is a `Figure`.
    pub fn evcxr_display(&self) {
        match render_png(self) {
            Ok(png) => println!(
                "EVCXR_BEGIN_CONTENT image/png\n{}\nEVCXR_END_CONTENT",
                base64::engine::general_purpose::STANDARD.encode(png)
            ),
            Err(e) => println!("EVCXR_BEGIN_CONTENT text/plain\n{e}\nEVCXR_END_CONTENT"),
        }
    }
}

fn checks_table(checks: &[Check]) -> String {
    let passed = checks.iter().filter(|c| c.passed).count();
    let mut html = format!(
        "<table class=\"embspace-checks\"><caption>{passed} of {} checks passed</caption><thead><tr>\
         <th style=\"text-align:left\">check</th><th>got</th><th></th><th>expected</th>\
         <th>tolerance</th><th>result</th></tr></thead><tbody>",
        checks.len()
    );
    for check in checks {
        let record = serde_json::to_string(check).expect("a check serialises");
        let (verdict, style) = if check.passed {
            ("PASS", PASS_STYLE)
        } else {
            ("FAIL", FAIL_STYLE)
        };
        html += &format!(
            "<tr data-check=\"{}\"><td style=\"text-align:left\">{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td style=\"{style}\">{verdict}</td></tr>",
            escape(&record),
            escape(&check.name),
            escape(&value(&check.got)),
            escape(check.relation.symbol()),
            escape(&value(&check.expected)),
            check.tolerance.map(number).unwrap_or_default(),
        );
    }
    html + "</tbody></table>"
}

fn verdicts_table(verdicts: &[Verdict]) -> String {
    let mut html = String::from(
        "<table class=\"embspace-verdicts\"><caption>Claims on real embeddings</caption><thead><tr>\
         <th style=\"text-align:left\">claim</th><th style=\"text-align:left\">table</th><th>measured</th>\
         <th></th><th>threshold</th><th>verdict</th></tr></thead><tbody>",
    );
    for v in verdicts {
        let measured = v
            .measured
            .as_ref()
            .map_or_else(|| v.reason.clone().unwrap_or_default(), value);
        let style = match v.status {
            Status::Holds => PASS_STYLE,
            Status::DoesNotHold => FAIL_STYLE,
            Status::NotTested => "font-weight:bold",
        };
        html += &format!(
            "<tr><td style=\"text-align:left\">{} ({})</td><td style=\"text-align:left\">{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td style=\"{style}\">{}</td></tr>",
            escape(&v.claim),
            escape(&v.source),
            escape(&v.table),
            escape(&measured),
            escape(v.relation.symbol()),
            escape(&value(&v.threshold)),
            v.status.label(),
        );
    }
    html + "</tbody></table>"
}

fn figure_html(figure: &Figure) -> String {
    let heading = format!("<p><strong>{}</strong></p>", escape(&figure.title));
    match render_png(figure) {
        Ok(png) => format!(
            "{heading}<img data-figure=\"{}\" alt=\"{}\" style=\"max-width:100%\" src=\"data:image/png;base64,{}\">",
            escape(&figure.name),
            escape(&figure.caption),
            base64::engine::general_purpose::STANDARD.encode(png)
        ),
        Err(e) => format!(
            "{heading}<p class=\"embspace-error\">{}</p>",
            escape(&e.to_string())
        ),
    }
}

fn value(v: &crate::record::Value) -> String {
    match v {
        crate::record::Value::Number(x) => number(*x),
        crate::record::Value::Text(t) => t.clone(),
    }
}

/// Numbers as the report's check tables print them: six decimals with
/// trailing zeros trimmed, tiny values in scientific form.
fn number(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-4 {
        format!("{x:.1e}")
    } else {
        let s = crate::format::fixed(x, 6);
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// Escape text for HTML element content and quoted attributes; line breaks
/// become character references so the fragment stays on one line.
fn escape(text: &str) -> String {
    crate::report::html::escape(text)
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{Chart, Series};

    const HOSTILE: &str = "<script>alert('x')</script>\"&\nEVCXR_END_CONTENT\r";

    #[test]
    fn hostile_text_is_escaped_everywhere_and_cannot_end_the_block() {
        let mut ctx = Ctx::new();
        ctx.say(HOSTILE);
        ctx.check_eq(HOSTILE, HOSTILE, "<i>");
        ctx.figure(
            Figure::new("x", HOSTILE, "x", "y")
                .caption(HOSTILE)
                .chart(Chart::Lines {
                    series: vec![Series::indexed("y", [1.0, 2.0])],
                    markers: false,
                }),
        );
        let html = ctx.to_html();
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<i>"));
        assert!(!html.contains('\n') && !html.contains('\r'));
        assert!(!html.contains("'x'"));
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;&#10;EVCXR_END_CONTENT")
        );
        // Every attribute value is quoted and contains no raw quote.
        assert_eq!(html.matches("data-check=\"").count(), 1);
    }

    #[test]
    fn checks_show_pass_or_fail_and_carry_their_report_record() {
        let mut ctx = Ctx::new();
        ctx.check_close("close enough", 1.0, 1.0 + 1e-12, 1e-9);
        ctx.check_below("two is below one", 2.0, 1.0);
        let html = ctx.to_html();
        assert!(html.contains("1 of 2 checks passed"));
        assert!(html.contains(&format!("style=\"{PASS_STYLE}\">PASS<")));
        assert!(html.contains(&format!("style=\"{FAIL_STYLE}\">FAIL<")));
        let record = serde_json::to_string(&ctx.checks()[0]).unwrap();
        assert!(html.contains(&escape(&record)));
        assert!(
            html.contains("<td>1.0e-9</td>"),
            "tolerance in scientific form: {html}"
        );
    }

    #[test]
    fn every_figure_is_an_inline_png() {
        let mut ctx = Ctx::new();
        for name in ["a", "b"] {
            ctx.figure(Figure::new(name, "t", "x", "y").chart(Chart::Lines {
                series: vec![Series::indexed("y", [1.0, 3.0])],
                markers: true,
            }));
        }
        let html = ctx.to_html();
        assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 2);
        assert!(html.contains("data-figure=\"b\""));
    }

    #[test]
    fn a_figure_that_cannot_render_shows_its_error_instead() {
        let mut ctx = Ctx::new();
        ctx.figure(Figure::new("empty", "Nothing", "x", "y"));
        let html = ctx.to_html();
        assert!(html.contains("embspace-error"), "{html}");
        assert!(!html.contains("data:image/png"));
    }

    #[test]
    fn an_empty_context_is_an_empty_block() {
        assert_eq!(Ctx::new().to_html(), "<div class=\"embspace-ctx\"></div>");
    }
}
