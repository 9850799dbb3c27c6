//! Charts drawn on the server as inline SVG: no script, nothing to download, readable on a
//! cheap phone and on a wall screen (the drawing scales with its box through `viewBox`).
//!
//! Every chart is an image for assistive technology (`role="img"` named by its `<title>` and
//! described by its `<desc>`); the page puts the same numbers in a table next to it. Texts
//! arrive already translated and numbers already formatted the page's way (`1.816`, `73,03%`):
//! this module only lays them out and escapes them.

use std::fmt::Write;

/// Escapes text for SVG/HTML content and attributes.
pub fn esc(s: &str) -> String {
    crate::security::escape_markup(s, "&#39;")
}

/// One series of a bar chart: its name, colour (CSS) and one value per category.
pub struct Series<'a> {
    pub name: &'a str,
    pub color: &'static str,
    pub values: Vec<i64>,
}

/// A round upper bound for an axis (1, 2 or 5 × 10ⁿ steps, four of them) and its step.
pub fn nice_axis(max: i64) -> (i64, i64) {
    if max <= 0 {
        return (4, 1);
    }
    let raw = (max as f64 / 4.0).max(1.0);
    let pow = 10f64.powi(raw.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * pow)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * pow)
        .max(1.0) as i64;
    let top = (max + step - 1) / step * step;
    (top.max(step), step)
}

fn open(out: &mut String, id: &str, title: &str, desc: &str, w: u32, h: u32) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" id="{id}" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMidYMid meet"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

/// The legend of a chart's series, in a row from `left`.
fn legend(out: &mut String, left: f64, series: &[Series<'_>]) {
    let mut lx = left;
    for s in series {
        let _ = write!(
            out,
            r#"<rect x="{lx:.1}" y="8" width="16" height="16" fill="{}"/><text x="{:.1}" y="21" class="c-legend">{}</text>"#,
            s.color,
            lx + 22.0,
            esc(s.name)
        );
        lx += 30.0 + 8.5 * s.name.chars().count() as f64;
    }
}

/// Vertical bars, one group per category with one bar per series, a value axis with round
/// ticks and a legend. `fmt` formats a count the page's way.
pub fn grouped_bars(
    id: &str,
    title: &str,
    desc: &str,
    categories: &[String],
    series: &[Series<'_>],
    fmt: &dyn Fn(i64) -> String,
) -> String {
    let (w, h) = (760u32, 330u32);
    let (left, right, top, bottom) = (58.0, 10.0, 40.0, 36.0);
    let plot_w = w as f64 - left - right;
    let plot_h = h as f64 - top - bottom;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0);
    let (axis_top, step) = nice_axis(max);
    let y = |v: i64| top + plot_h - plot_h * (v as f64 / axis_top as f64);
    let mut out = String::with_capacity(4096);
    open(&mut out, id, title, desc, w, h);
    legend(&mut out, left, series);
    // Grid and value axis.
    let mut v = 0;
    while v <= axis_top {
        let yy = y(v);
        let _ = write!(
            out,
            r#"<line x1="{left}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" class="c-grid"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="c-tick">{}</text>"#,
            left + plot_w,
            left - 6.0,
            yy + 4.5,
            esc(&fmt(v))
        );
        v += step;
    }
    // Bars.
    let n = categories.len().max(1) as f64;
    let group = plot_w / n;
    let bar = (group * 0.8) / series.len().max(1) as f64;
    for (i, cat) in categories.iter().enumerate() {
        let gx = left + group * i as f64 + group * 0.1;
        for (k, s) in series.iter().enumerate() {
            let value = s.values.get(i).copied().unwrap_or(0);
            if value <= 0 {
                continue;
            }
            let yy = y(value);
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{yy:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}, {}: {}</title></rect>"#,
                gx + bar * k as f64,
                (bar - 1.0).max(1.0),
                (top + plot_h - yy).max(0.5),
                s.color,
                esc(s.name),
                esc(cat),
                esc(&fmt(value))
            );
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="c-tick">{}</text>"#,
            left + group * (i as f64 + 0.5),
            top + plot_h + 20.0,
            esc(cat)
        );
    }
    let _ = write!(
        out,
        r#"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" class="c-axis"/></svg>"#,
        left + plot_w,
        top + plot_h,
        top + plot_h
    );
    out
}

/// One row of a horizontal bar chart: the bar is `value` of `max`, `text` is written at its
/// end (already formatted, e.g. `14,00 / 20` or `1.234 (45,67%)`).
pub struct HBar {
    pub label: String,
    pub value: f64,
    pub max: f64,
    pub text: String,
    pub color: &'static str,
}

/// Horizontal bars on a light track showing each row's maximum; each row's label above its
/// bar (labels may be long), the figure at the bar's end.
pub fn hbars(id: &str, title: &str, desc: &str, rows: &[HBar]) -> String {
    let row_h = 62.0;
    let (w, text_w) = (560.0, 150.0);
    let h = (rows.len().max(1) as f64 * row_h + 6.0) as u32;
    let track_w = w - text_w - 10.0;
    let mut out = String::with_capacity(2048);
    open(&mut out, id, title, desc, w as u32, h);
    for (i, r) in rows.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let share = if r.max > 0.0 {
            (r.value / r.max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let _ = write!(
            out,
            r#"<text x="0" y="{:.1}" class="c-label">{}</text><rect x="0" y="{:.1}" width="{track_w:.1}" height="24" class="c-track"/>"#,
            y + 17.0,
            esc(&r.label),
            y + 26.0,
        );
        if share > 0.0 {
            let _ = write!(
                out,
                r#"<rect x="0" y="{:.1}" width="{:.1}" height="24" fill="{}"><title>{}: {}</title></rect>"#,
                y + 26.0,
                track_w * share,
                r.color,
                esc(&r.label),
                esc(&r.text)
            );
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" class="c-value">{}</text>"#,
            track_w + 10.0,
            y + 44.0,
            esc(&r.text)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_round() {
        assert_eq!(nice_axis(0), (4, 1));
        assert_eq!(nice_axis(3), (3, 1));
        assert_eq!(nice_axis(10), (10, 5));
        assert_eq!(nice_axis(1816), (2000, 500));
        assert_eq!(nice_axis(73), (80, 20));
    }

    #[test]
    fn charts_are_accessible_images_with_escaped_text() {
        let svg = grouped_bars(
            "t",
            "Xu hướng <12 tháng>",
            "Mô tả",
            &["11/2026".to_string()],
            &[Series {
                name: "Tiếp nhận",
                color: "#000",
                values: vec![1816],
            }],
            &|n| n.to_string(),
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img" aria-labelledby="t-title t-desc""#));
        assert!(svg.contains("Xu hướng &lt;12 tháng&gt;"));
        assert!(svg.contains("Tiếp nhận, 11/2026: 1816"));
        let svg = hbars(
            "h",
            "Chỉ số",
            "d",
            &[HBar {
                label: "Công khai, minh bạch".into(),
                value: 5.0,
                max: 10.0,
                text: "5,00 / 10".into(),
                color: "#000",
            }],
        );
        assert!(svg.contains("5,00 / 10") && svg.contains("Công khai, minh bạch"));
    }
}
