//! PDF output with [krilla]: A4 pages (landscape for the register) with the margins of
//! administrative documents, Liberation Serif (metric-compatible with Times New Roman, the
//! face Vietnamese administrative documents use) embedded as a subset CID TrueType font with a
//! `ToUnicode` map, so the text is searchable and copyable with its diacritics; the QR code as
//! vector rectangles.
//!
//! krilla places glyphs; it does not break lines. The small layout engine here does: words
//! are measured with the font's advance widths (read with `skrifa`, the font reader krilla
//! itself uses), lines are filled greedily (a word longer than a line is cut between
//! characters), tables repeat their header row on each page and rows are not split, signature
//! blocks are kept together. Text is normalised to NFC first, so every Vietnamese letter is
//! one precomposed glyph of the font (Liberation Serif covers U+1EA0–U+1EF9 and the other
//! Vietnamese letters). Kerning is not applied.

use std::sync::LazyLock;

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};
use unicode_normalization::UnicodeNormalization;

use crate::FONT_FILES;
use crate::doc::{
    Align, Block, CodeLine, Doc, Header, MOTTO_1, MOTTO_2, Para, Run, Signature, Style, Table,
};
use crate::error::FormError;
use crate::qr::QUIET_ZONE;

static REGULAR: &[u8] = FONT_FILES[0].1;
static BOLD: &[u8] = FONT_FILES[1].1;
static ITALIC: &[u8] = FONT_FILES[2].1;

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;
const A4_SHORT: f32 = 210.0 * MM;
const A4_LONG: f32 = 297.0 * MM;
const MARGIN_TOP: f32 = 20.0 * MM;
const MARGIN_RIGHT: f32 = 15.0 * MM;
const MARGIN_BOTTOM: f32 = 20.0 * MM;
const MARGIN_LEFT: f32 = 30.0 * MM;

/// Body text size and line height factor.
const BODY: f32 = 13.0;
const LEADING: f32 = 1.2;
/// The QR code's side, quiet zone included.
const QR_SIDE: f32 = 22.0 * MM;
const RULE: f32 = 0.6;

/// One face: krilla's font for drawing, skrifa's reader for measuring.
struct Face {
    font: Font,
    reader: FontRef<'static>,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8]) -> Face {
        let reader = FontRef::new(data).expect("the embedded font is a valid TrueType font");
        let units_per_em = reader
            .head()
            .map(|h| f32::from(h.units_per_em()))
            .unwrap_or(2048.0);
        let font = Font::new(data.into(), 0).expect("the embedded font is readable by krilla");
        Face {
            font,
            reader,
            units_per_em,
        }
    }

    /// Glyph id and advance (in em) of each character; a character the font lacks is drawn
    /// as the missing-glyph box but keeps its text for extraction.
    fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        let charmap = self.reader.charmap();
        let metrics = self
            .reader
            .glyph_metrics(Size::unscaled(), LocationRef::default());
        text.char_indices()
            .map(|(i, c)| {
                let gid = charmap.map(c).unwrap_or_default();
                let advance = metrics.advance_width(gid).unwrap_or(0.0) / self.units_per_em;
                KrillaGlyph::new(
                    GlyphId::new(gid.to_u32()),
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    i..i + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }

    /// The width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let charmap = self.reader.charmap();
        let metrics = self
            .reader
            .glyph_metrics(Size::unscaled(), LocationRef::default());
        text.chars()
            .map(|c| {
                metrics
                    .advance_width(charmap.map(c).unwrap_or_default())
                    .unwrap_or(0.0)
            })
            .sum::<f32>()
            / self.units_per_em
            * size
    }
}

struct Fonts {
    regular: Face,
    bold: Face,
    italic: Face,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| Fonts {
    regular: Face::load(REGULAR),
    bold: Face::load(BOLD),
    italic: Face::load(ITALIC),
});

impl Fonts {
    fn face(&self, style: Style) -> &Face {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
            Style::Italic => &self.italic,
        }
    }

    /// Breaks runs into lines of at most `width` points (the first line `indent` shorter).
    fn wrap(&self, runs: &[Run], size: f32, width: f32, indent: f32) -> Vec<Line> {
        // Words with their style and whether a space precedes them.
        let mut words: Vec<(Style, String, bool)> = Vec::new();
        let mut space = false;
        for run in runs {
            let mut word = String::new();
            for c in run.text.nfc() {
                if c.is_whitespace() {
                    if !word.is_empty() {
                        words.push((run.style, std::mem::take(&mut word), space));
                    }
                    space = true;
                } else {
                    word.push(c);
                }
            }
            if !word.is_empty() {
                words.push((run.style, word, space));
                space = false;
            }
        }
        let mut lines: Vec<Line> = Vec::new();
        let mut line = Line::default();
        for (style, word, space_before) in words {
            let face = self.face(style);
            let avail = |lines: &Vec<Line>| {
                if lines.is_empty() {
                    (width - indent).max(1.0)
                } else {
                    width
                }
            };
            let word_w = face.width(&word, size);
            let mut space_w = if space_before && !line.pieces.is_empty() {
                face.width(" ", size)
            } else {
                0.0
            };
            if !line.pieces.is_empty() && line.width + space_w + word_w > avail(&lines) {
                lines.push(std::mem::take(&mut line));
                space_w = 0.0;
            }
            if line.pieces.is_empty() && word_w > avail(&lines) {
                // Too long for any line: cut between characters.
                let mut chunk = String::new();
                for c in word.chars() {
                    let mut candidate = chunk.clone();
                    candidate.push(c);
                    if !chunk.is_empty() && face.width(&candidate, size) > avail(&lines) {
                        line.push(style, &chunk, 0.0, face.width(&chunk, size));
                        lines.push(std::mem::take(&mut line));
                        chunk.clear();
                    }
                    chunk.push(c);
                }
                let w = face.width(&chunk, size);
                line.push(style, &chunk, 0.0, w);
                continue;
            }
            line.push(style, &word, space_w, word_w);
        }
        if !line.pieces.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// A laid-out line: pieces of one style each, at their offsets from the line's start.
#[derive(Debug, Default)]
struct Line {
    pieces: Vec<(Style, String, f32)>,
    width: f32,
}

impl Line {
    fn push(&mut self, style: Style, word: &str, space_w: f32, word_w: f32) {
        let space = if space_w > 0.0 { " " } else { "" };
        match self.pieces.last_mut() {
            Some((s, text, _)) if *s == style => {
                text.push_str(space);
                text.push_str(word);
            }
            _ => self
                .pieces
                .push((style, format!("{space}{word}"), self.width)),
        }
        self.width += space_w + word_w;
    }
}

/// A box to draw lines in: left edge, top, width.
#[derive(Debug, Clone, Copy)]
struct Frame {
    x: f32,
    top: f32,
    width: f32,
}

/// A table's columns: left edges, widths, cell padding, font size.
#[derive(Debug, Clone, Copy)]
struct Grid<'a> {
    xs: &'a [f32],
    widths: &'a [f32],
    pad: f32,
    size: f32,
}

/// What is drawn on a page, in points from the top-left corner.
enum Op {
    Text {
        x: f32,
        baseline: f32,
        style: Style,
        size: f32,
        text: String,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
    },
    /// Filled rectangles `(x, y, w, h)` (the QR code).
    Rects(Vec<(f32, f32, f32, f32)>),
}

struct Layout<'f> {
    fonts: &'f Fonts,
    width: f32,
    height: f32,
    pages: Vec<Vec<Op>>,
    /// Top of the next thing to draw.
    y: f32,
}

impl<'f> Layout<'f> {
    fn new(fonts: &'f Fonts, landscape: bool) -> Layout<'f> {
        let (width, height) = if landscape {
            (A4_LONG, A4_SHORT)
        } else {
            (A4_SHORT, A4_LONG)
        };
        Layout {
            fonts,
            width,
            height,
            pages: vec![Vec::new()],
            y: MARGIN_TOP,
        }
    }

    fn left(&self) -> f32 {
        MARGIN_LEFT
    }

    fn content_width(&self) -> f32 {
        self.width - MARGIN_LEFT - MARGIN_RIGHT
    }

    fn bottom(&self) -> f32 {
        self.height - MARGIN_BOTTOM
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
    }

    /// Starts a new page unless `h` more points fit on this one (or the page is still empty).
    fn ensure(&mut self, h: f32) {
        if self.y + h > self.bottom() && self.y > MARGIN_TOP {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, baseline: f32, style: Style, size: f32, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let text: String = text.nfc().collect();
        self.ops().push(Op::Text {
            x,
            baseline,
            style,
            size,
            text,
        });
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32)) {
        self.ops().push(Op::Line { from, to });
    }

    /// Draws wrapped lines in a box from `top`, without page breaks; returns the height used.
    fn draw_lines(
        &mut self,
        lines: &[Line],
        frame: Frame,
        align: Align,
        size: f32,
        indent: f32,
    ) -> f32 {
        let Frame { x, top, width } = frame;
        let lh = size * LEADING;
        for (n, line) in lines.iter().enumerate() {
            let dx = match align {
                Align::Center => ((width - line.width) / 2.0).max(0.0),
                _ if n == 0 => indent,
                _ => 0.0,
            };
            let baseline = top + lh * n as f32 + size * 0.98;
            for (style, text, offset) in &line.pieces {
                self.text(x + dx + offset, baseline, *style, size, text);
            }
        }
        lh * lines.len() as f32
    }

    /// Wraps and draws centred runs in a box; returns the height used.
    fn centered(&mut self, runs: &[Run], x: f32, top: f32, width: f32, size: f32) -> f32 {
        let lines = self.fonts.wrap(runs, size, width, 0.0);
        self.draw_lines(&lines, Frame { x, top, width }, Align::Center, size, 0.0)
    }

    fn label(&mut self, doc: &Doc) {
        let right = self.left() + self.content_width();
        let size = 12.0;
        let w = self.fonts.bold.width(&doc.label, size);
        let y = self.y;
        self.text(right - w, y + size * 0.98, Style::Bold, size, &doc.label);
        let small = 10.0;
        let w = self.fonts.italic.width(&doc.reference, small);
        self.text(
            right - w,
            y + size * LEADING + small * 0.98,
            Style::Italic,
            small,
            &doc.reference,
        );
        self.y += size * LEADING + small * LEADING + 4.0;
    }

    fn header(&mut self, h: &Header) {
        let size = 12.0;
        let x = self.left();
        let w = self.content_width();
        let (left_w, right_w) = (w * 0.4, w * 0.6);
        let top = self.y;
        // Left: governing body, issuing unit, a short rule.
        let mut left_h = self.centered(&[crate::doc::r(h.parent.clone())], x, top, left_w, size);
        left_h += self.centered(
            &[crate::doc::b(h.agency.clone())],
            x,
            top + left_h,
            left_w,
            size,
        );
        let rule_w = left_w * 0.35;
        let rule_y = top + left_h + 2.0;
        self.line(
            (x + (left_w - rule_w) / 2.0, rule_y),
            (x + (left_w + rule_w) / 2.0, rule_y),
        );
        left_h += 4.0;
        // Right: the national motto, its second line underlined.
        let rx = x + left_w;
        let mut right_h = self.centered(&[crate::doc::b(MOTTO_1)], rx, top, right_w, size);
        let size_2 = 13.0;
        right_h += self.centered(
            &[crate::doc::b(MOTTO_2)],
            rx,
            top + right_h,
            right_w,
            size_2,
        );
        let motto_w = self.fonts.bold.width(MOTTO_2, size_2).min(right_w);
        let rule_y = top + right_h + 1.0;
        self.line(
            (rx + (right_w - motto_w) / 2.0, rule_y),
            (rx + (right_w + motto_w) / 2.0, rule_y),
        );
        right_h += 4.0;
        let top = top + left_h.max(right_h) + 8.0;
        // Number and the place and date line.
        let number_h = self.centered(&[crate::doc::r(h.number.clone())], x, top, left_w, BODY);
        let date_h = self.centered(
            &[crate::doc::i(h.date_line.clone())],
            rx,
            top,
            right_w,
            BODY,
        );
        self.y = top + number_h.max(date_h) + 10.0;
    }

    fn title(&mut self, title: &str, subtitle: Option<&str>) {
        let x = self.left();
        let w = self.content_width();
        let lines = self.fonts.wrap(&[crate::doc::b(title)], 14.0, w, 0.0);
        self.ensure(14.0 * LEADING * lines.len() as f32 + 40.0);
        let top = self.y;
        self.y += self.draw_lines(&lines, Frame { x, top, width: w }, Align::Center, 14.0, 0.0);
        if let Some(sub) = subtitle {
            let top = self.y;
            self.y += self.centered(&[crate::doc::b(sub)], x, top, w, BODY);
        }
        self.y += 8.0;
    }

    fn code(&mut self, c: &CodeLine) {
        let x = self.left();
        let w = self.content_width();
        let runs = [crate::doc::r("Mã hồ sơ: "), crate::doc::b(c.code.clone())];
        let Some((qr, url)) = &c.qr else {
            self.para(&Para::plain(runs.to_vec()));
            return;
        };
        let text_w = w - QR_SIDE - 10.0;
        let code_lines = self.fonts.wrap(&runs, BODY, text_w, 0.0);
        let url_runs = [crate::doc::i(format!("Tra cứu hồ sơ: {url}"))];
        let url_lines = self.fonts.wrap(&url_runs, 10.5, text_w, 0.0);
        let text_h =
            BODY * LEADING * code_lines.len() as f32 + 10.5 * LEADING * url_lines.len() as f32;
        self.ensure(QR_SIDE.max(text_h) + 6.0);
        let top = self.y + 3.0;
        let text_top = top + ((QR_SIDE - text_h) / 2.0).max(0.0);
        let h = self.draw_lines(
            &code_lines,
            Frame {
                x,
                top: text_top,
                width: text_w,
            },
            Align::Left,
            BODY,
            0.0,
        );
        self.draw_lines(
            &url_lines,
            Frame {
                x,
                top: text_top + h,
                width: text_w,
            },
            Align::Left,
            10.5,
            0.0,
        );
        // The QR code, right-aligned, quiet zone included in its side.
        let modules = (qr.width() + 2 * QUIET_ZONE) as f32;
        let m = QR_SIDE / modules;
        let qx = x + w - QR_SIDE;
        let rects = qr
            .runs()
            .into_iter()
            .map(|(mx, my, len)| {
                (
                    qx + (mx + QUIET_ZONE) as f32 * m,
                    top + (my + QUIET_ZONE) as f32 * m,
                    len as f32 * m,
                    m,
                )
            })
            .collect();
        self.ops().push(Op::Rects(rects));
        self.y = top + QR_SIDE.max(text_h) + 3.0;
    }

    fn para(&mut self, p: &Para) {
        let x = self.left();
        let w = self.content_width();
        let indent = if p.indent { 10.0 * MM } else { 0.0 };
        let lines = self.fonts.wrap(&p.runs, BODY, w, indent);
        let lh = BODY * LEADING;
        for (n, line) in lines.iter().enumerate() {
            self.ensure(lh);
            let top = self.y;
            let first = if n == 0 { indent } else { 0.0 };
            let one = std::slice::from_ref(line);
            self.draw_lines(one, Frame { x, top, width: w }, p.align, BODY, first);
            self.y += lh;
        }
        self.y += 2.0;
    }

    fn table(&mut self, t: &Table) {
        let x0 = self.left();
        let w = self.content_width();
        let total: f32 = t.columns.iter().map(|c| c.width).sum::<f32>().max(1.0);
        let widths: Vec<f32> = t.columns.iter().map(|c| w * c.width / total).collect();
        let xs: Vec<f32> = widths
            .iter()
            .scan(x0, |acc, cw| {
                let at = *acc;
                *acc += cw;
                Some(at)
            })
            .collect();
        let pad = 3.0;
        let size = t.size;
        let lh = size * LEADING;
        let wrap_cell = |fonts: &Fonts, lines: &[String], style: Style, cw: f32| -> Vec<Line> {
            lines
                .iter()
                .flat_map(|l| {
                    fonts.wrap(
                        &[Run {
                            text: l.clone(),
                            style,
                        }],
                        size,
                        (cw - 2.0 * pad).max(1.0),
                        0.0,
                    )
                })
                .collect()
        };
        let header: Vec<Vec<Line>> = t
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, cw)| wrap_cell(self.fonts, std::slice::from_ref(&c.title), Style::Bold, *cw))
            .collect();
        let header_h = header.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
        let rows: Vec<Vec<Vec<Line>>> = t
            .rows
            .iter()
            .map(|row| {
                widths
                    .iter()
                    .enumerate()
                    .map(|(i, cw)| {
                        let cell = row.get(i).map(Vec::as_slice).unwrap_or_default();
                        wrap_cell(self.fonts, cell, Style::Regular, *cw)
                    })
                    .collect()
            })
            .collect();
        let row_h = |cells: &Vec<Vec<Line>>| {
            cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * lh + 2.0 * pad
        };
        let first_h = rows.first().map(row_h).unwrap_or(0.0);
        self.ensure(header_h + first_h);
        let grid = Grid {
            xs: &xs,
            widths: &widths,
            pad,
            size,
        };
        self.table_row(&header, &grid, header_h, |_| Align::Center);
        for cells in &rows {
            let h = row_h(cells);
            if self.y + h > self.bottom() {
                self.new_page();
                self.table_row(&header, &grid, header_h, |_| Align::Center);
            }
            self.table_row(cells, &grid, h, |i| {
                if t.columns.get(i).is_some_and(|c| c.center) {
                    Align::Center
                } else {
                    Align::Left
                }
            });
        }
        self.y += 6.0;
    }

    fn table_row(
        &mut self,
        cells: &[Vec<Line>],
        grid: &Grid<'_>,
        h: f32,
        align: impl Fn(usize) -> Align,
    ) {
        let Grid {
            xs,
            widths,
            pad,
            size,
        } = *grid;
        let top = self.y;
        for (i, lines) in cells.iter().enumerate() {
            let (Some(&x), Some(&cw)) = (xs.get(i), widths.get(i)) else {
                continue;
            };
            let frame = Frame {
                x: x + pad,
                top: top + pad,
                width: cw - 2.0 * pad,
            };
            self.draw_lines(lines, frame, align(i), size, 0.0);
        }
        let x0 = xs.first().copied().unwrap_or(self.left());
        let x1 = x0 + widths.iter().sum::<f32>();
        self.line((x0, top), (x1, top));
        self.line((x0, top + h), (x1, top + h));
        for &x in xs.iter().chain(std::iter::once(&x1)) {
            self.line((x, top), (x, top + h));
        }
        self.y = top + h;
    }

    fn signatures(&mut self, signatures: &[Signature]) {
        if signatures.is_empty() {
            return;
        }
        let w = self.content_width();
        let (x0, cw) = if signatures.len() == 1 {
            (self.left() + w / 2.0, w / 2.0)
        } else {
            (self.left(), w / signatures.len() as f32)
        };
        let space = 18.0 * MM;
        let heights: Vec<f32> = signatures
            .iter()
            .map(|s| {
                let t = self
                    .fonts
                    .wrap(&[crate::doc::b(s.title.clone())], BODY, cw, 0.0);
                let hint = self
                    .fonts
                    .wrap(&[crate::doc::i(s.hint.clone())], 12.0, cw, 0.0);
                (t.len() as f32) * BODY * LEADING
                    + (hint.len() as f32) * 12.0 * LEADING
                    + space
                    + BODY * LEADING
            })
            .collect();
        let h = heights.iter().copied().fold(0.0, f32::max);
        self.y += 10.0;
        self.ensure(h);
        let top = self.y;
        for (n, s) in signatures.iter().enumerate() {
            let x = x0 + cw * n as f32;
            let mut y = top;
            y += self.centered(&[crate::doc::b(s.title.clone())], x, y, cw, BODY);
            y += self.centered(&[crate::doc::i(s.hint.clone())], x, y, cw, 12.0);
            y += space;
            self.centered(&[crate::doc::b(s.name.clone())], x, y, cw, BODY);
        }
        self.y = top + h;
    }

    /// "Trang 1/2" at the foot of every page of a document longer than a page.
    fn page_numbers(&mut self) {
        let count = self.pages.len();
        if count < 2 {
            return;
        }
        let size = 10.0;
        for n in 0..count {
            let label = format!("Trang {}/{count}", n + 1);
            let w = self.fonts.italic.width(&label, size);
            let x = self.left() + (self.content_width() - w) / 2.0;
            let baseline = self.height - MARGIN_BOTTOM / 2.0;
            if let Some(ops) = self.pages.get_mut(n) {
                ops.push(Op::Text {
                    x,
                    baseline,
                    style: Style::Italic,
                    size,
                    text: label,
                });
            }
        }
    }
}

/// The form as a PDF file.
pub(crate) fn render(doc: &Doc) -> Result<Vec<u8>, FormError> {
    let fonts: &Fonts = &FONTS;
    let mut layout = Layout::new(fonts, doc.landscape);
    layout.label(doc);
    for block in &doc.blocks {
        match block {
            Block::Header(h) => layout.header(h),
            Block::Title(title, subtitle) => layout.title(title, subtitle.as_deref()),
            Block::Code(c) => layout.code(c),
            Block::Para(p) => layout.para(p),
            Block::Table(t) => layout.table(t),
            Block::Signatures(s) => layout.signatures(s),
        }
    }
    layout.page_numbers();
    let (width, height) = (layout.width, layout.height);

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(doc.title.clone())
            .language("vi".to_owned())
            .creator("motcua".to_owned()),
    );
    for ops in layout.pages {
        let settings = PageSettings::from_wh(width, height)
            .ok_or_else(|| FormError::Pdf("invalid page size".to_owned()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    baseline,
                    style,
                    size,
                    text,
                } => {
                    let face = fonts.face(style);
                    let glyphs = face.glyphs(&text);
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill::default()));
                    surface.draw_glyphs(
                        Point::from_xy(x, baseline),
                        &glyphs,
                        face.font.clone(),
                        &text,
                        size,
                        false,
                    );
                }
                Op::Line { from, to } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(from.0, from.1);
                    pb.line_to(to.0, to.1);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            width: RULE,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Rects(rects) => {
                    let mut pb = PathBuilder::new();
                    for (x, y, w, h) in rects {
                        if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                            pb.push_rect(rect);
                        }
                    }
                    if let Some(path) = pb.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill::default()));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| FormError::Pdf(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIETNAMESE: &str =
        "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ";

    #[test]
    fn every_face_has_every_vietnamese_letter() {
        let fonts: &Fonts = &FONTS;
        let upper: String = VIETNAMESE.chars().flat_map(char::to_uppercase).collect();
        for face in [&fonts.regular, &fonts.bold, &fonts.italic] {
            let charmap = face.reader.charmap();
            for c in VIETNAMESE
                .chars()
                .chain(upper.chars())
                .chain("0123456789.,;:()/-–…*".chars())
            {
                assert!(charmap.map(c).is_some_and(|g| g.to_u32() != 0), "{c:?}");
            }
        }
    }

    #[test]
    fn decomposed_text_is_drawn_precomposed() {
        // "Nguyễn" typed with combining marks (NFD) becomes one glyph per letter.
        let nfd = "Nguye\u{302}\u{303}n";
        let mut layout = Layout::new(&FONTS, false);
        layout.text(0.0, 0.0, Style::Regular, 13.0, nfd);
        let Some(Op::Text { text, .. }) = layout.pages[0].first() else {
            panic!("no text drawn");
        };
        assert_eq!(text, "Nguyễn");
        assert_eq!(FONTS.regular.glyphs(text).len(), 6);
    }

    #[test]
    fn lines_wrap_within_the_width() {
        let fonts: &Fonts = &FONTS;
        let runs = [crate::doc::r(
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
        )];
        let lines = fonts.wrap(&runs, 13.0, 200.0, 20.0);
        assert!(lines.len() > 2);
        assert!(lines[0].width <= 180.0);
        assert!(lines.iter().all(|l| l.width <= 200.0));
        let joined: Vec<String> = lines
            .iter()
            .map(|l| {
                l.pieces
                    .iter()
                    .map(|p| p.1.trim())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(
            joined.join(" "),
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"
        );
        // A word longer than the line is cut between characters.
        let long = fonts.wrap(&[crate::doc::r("x".repeat(200))], 13.0, 100.0, 0.0);
        assert!(long.len() > 1 && long.iter().all(|l| l.width <= 100.0));
    }
}
