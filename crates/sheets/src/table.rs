//! A generic table-to-XLSX writer: one worksheet per [`Table`], with a bold frozen header row,
//! an autofilter, wrapped text, column widths fitted to the content and A4 landscape printing.

use std::borrow::Cow;

use rust_xlsxwriter::{
    ColNum, Color, Format, FormatAlign, FormatBorder, RowNum, Workbook, Worksheet,
};

use crate::DocsError;

/// Excel's limits.
const MAX_ROWS: usize = 1_048_576;
const MAX_COLUMNS: usize = 16_384;
/// Longest text a cell holds, in UTF-16 code units.
const MAX_TEXT_UTF16: usize = 32_767;

/// Column widths, in Excel character units.
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 50;
/// Headers wrap, so a long header widens its column only up to this.
const HEADER_WIDTH_CAP: usize = 20;
/// A4 in Excel's paper-size numbering.
const PAPER_A4: u8 = 9;

/// One worksheet: an optional title line, a header row and data rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Worksheet name. Excel allows at most 31 characters and none of `[ ] : * ? / \`; names
    /// must differ within a workbook.
    pub sheet: String,
    /// A title written above the header row, across all columns. With a title the header is the
    /// second row.
    pub title: Option<String>,
    /// Column headers. Must not be empty.
    pub headers: Vec<String>,
    /// Data rows. A row may be shorter than the headers (the rest is empty), never longer.
    pub rows: Vec<Vec<Cell>>,
}

/// One data cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, wrapped. Text longer than Excel's 32,767-character limit is cut and ends with "…".
    Text(String),
    /// A whole number, stored as a number. Excel keeps 15 significant digits.
    Int(i64),
    /// A number, stored as is.
    Float(f64),
    /// A fraction (0.7303 for 73,03 %), stored as the number with the format `0.00%`; the
    /// spreadsheet shows it with the reader's decimal separator.
    Percent(f64),
    /// Nothing written.
    Empty,
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl Table {
    /// A table with the given sheet name and headers, no title and no rows.
    pub fn new<S: Into<String>>(
        sheet: impl Into<String>,
        headers: impl IntoIterator<Item = S>,
    ) -> Self {
        Table {
            sheet: sheet.into(),
            title: None,
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Zero-based worksheet row of the header.
    fn header_row(&self) -> usize {
        usize::from(self.title.is_some())
    }

    fn validate(&self) -> Result<(), DocsError> {
        if self.headers.is_empty() {
            return Err(DocsError::NoHeaders {
                sheet: self.sheet.clone(),
            });
        }
        let rows = self.header_row() + 1 + self.rows.len();
        if rows > MAX_ROWS || self.headers.len() > MAX_COLUMNS {
            return Err(DocsError::TooLarge {
                sheet: self.sheet.clone(),
                rows,
                columns: self.headers.len(),
            });
        }
        if let Some((row, cells)) = self
            .rows
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() > self.headers.len())
        {
            return Err(DocsError::RowTooWide {
                sheet: self.sheet.clone(),
                row,
                cells: cells.len(),
                headers: self.headers.len(),
            });
        }
        Ok(())
    }
}

/// An XLSX workbook with one worksheet per table, in order, as bytes.
///
/// Every table is checked before anything is written, so a caller mistake fails the same way
/// whatever its position.
pub fn tables_xlsx(tables: &[Table]) -> Result<Vec<u8>, DocsError> {
    if tables.is_empty() {
        return Err(DocsError::NoTables);
    }
    for table in tables {
        table.validate()?;
    }
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    for table in tables {
        write_table(workbook.add_worksheet(), table, &styles)?;
    }
    Ok(workbook.save_to_buffer()?)
}

struct Styles {
    title: Format,
    header: Format,
    text: Format,
    number: Format,
    percent: Format,
}

impl Styles {
    fn new() -> Self {
        let cell = Format::new().set_align(FormatAlign::Top);
        Styles {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::VerticalCenter),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter)
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border(FormatBorder::Thin),
            text: cell.clone().set_text_wrap(),
            number: cell.clone(),
            percent: cell.set_num_format("0.00%"),
        }
    }
}

// Indices below fit in `RowNum` (u32) and `ColNum` (u16): `Table::validate` checked them
// against Excel's limits.
fn write_table(ws: &mut Worksheet, table: &Table, styles: &Styles) -> Result<(), DocsError> {
    ws.set_name(&table.sheet)?;
    let last_col = (table.headers.len() - 1) as ColNum;
    let header_row = table.header_row() as RowNum;

    if let Some(title) = &table.title {
        let title = clip(title);
        if last_col > 0 {
            ws.merge_range(0, 0, 0, last_col, &title, &styles.title)?;
        } else {
            ws.write_string_with_format(0, 0, title, &styles.title)?;
        }
        ws.set_row_height(0, 24)?;
    }

    for (col, header) in table.headers.iter().enumerate() {
        ws.write_string_with_format(header_row, col as ColNum, clip(header), &styles.header)?;
    }

    for (i, cells) in table.rows.iter().enumerate() {
        let row = header_row + 1 + i as RowNum;
        for (col, cell) in cells.iter().enumerate() {
            let col = col as ColNum;
            match cell {
                Cell::Text(s) => {
                    ws.write_string_with_format(row, col, clip(s), &styles.text)?;
                }
                // Excel numbers are doubles; beyond 2^53 precision is lost, as in Excel itself.
                Cell::Int(n) => {
                    ws.write_number_with_format(row, col, *n as f64, &styles.number)?;
                }
                Cell::Float(x) => {
                    ws.write_number_with_format(row, col, *x, &styles.number)?;
                }
                Cell::Percent(p) => {
                    ws.write_number_with_format(row, col, *p, &styles.percent)?;
                }
                Cell::Empty => {}
            }
        }
    }

    let last_row = header_row + table.rows.len() as RowNum;
    ws.set_freeze_panes(header_row + 1, 0)?;
    ws.autofilter(header_row, 0, last_row, last_col)?;

    for (col, width) in column_widths(table).into_iter().enumerate() {
        ws.set_column_width(col as ColNum, width as f64)?;
    }

    ws.set_paper_size(PAPER_A4)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_repeat_rows(header_row, header_row)?;
    Ok(())
}

/// Widths fitted to the longest line of each column, between [`MIN_WIDTH`] and [`MAX_WIDTH`];
/// longer text wraps.
fn column_widths(table: &Table) -> Vec<usize> {
    let mut widths: Vec<usize> = table
        .headers
        .iter()
        .map(|h| display_width(h).min(HEADER_WIDTH_CAP))
        .collect();
    for row in &table.rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell_width(cell));
        }
    }
    widths
        .into_iter()
        .map(|w| (w + 2).clamp(MIN_WIDTH, MAX_WIDTH))
        .collect()
}

fn cell_width(cell: &Cell) -> usize {
    match cell {
        Cell::Text(s) => display_width(s),
        Cell::Int(n) => n.to_string().len(),
        Cell::Float(x) => x.to_string().len(),
        Cell::Percent(p) => format!("{:.2}%", p * 100.0).len(),
        Cell::Empty => 0,
    }
}

/// Characters of the longest line, not counting combining marks (text in decomposed form).
fn display_width(s: &str) -> usize {
    s.lines()
        .map(|line| {
            line.chars()
                .filter(|c| !matches!(*c, '\u{0300}'..='\u{036F}'))
                .count()
        })
        .max()
        .unwrap_or(0)
}

/// The text, cut to Excel's cell limit with a closing "…" when it is longer.
fn clip(s: &str) -> Cow<'_, str> {
    if s.encode_utf16().count() <= MAX_TEXT_UTF16 {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut units = 0;
    for c in s.chars() {
        if units + c.len_utf16() > MAX_TEXT_UTF16 - 1 {
            break;
        }
        units += c.len_utf16();
        out.push(c);
    }
    out.push('…');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_short_text_and_cuts_long_text_to_the_limit() {
        assert!(matches!(clip("Thủ tục"), Cow::Borrowed("Thủ tục")));
        let long = "ệ".repeat(MAX_TEXT_UTF16 + 10);
        let cut = clip(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_TEXT_UTF16);
        assert!(cut.ends_with("ệ…"));
        // A character outside the BMP takes two UTF-16 units and is never split.
        let astral = "𝄞".repeat(MAX_TEXT_UTF16);
        let cut = clip(&astral);
        assert!(cut.encode_utf16().count() <= MAX_TEXT_UTF16);
        assert!(cut.ends_with("𝄞…"));
    }

    #[test]
    fn widths_follow_the_longest_line_within_bounds() {
        let mut t = Table::new(
            "S",
            ["Mã", "Tên thủ tục hành chính rất dài ở tiêu đề", "Tỷ lệ"],
        );
        t.rows.push(vec![
            Cell::from("1.001193"),
            Cell::Text("x".repeat(200)),
            Cell::Percent(0.7303),
        ]);
        t.rows.push(vec![Cell::from("ab\ncdefghijklmnop")]);
        // "cdefghijklmnop" (14) + 2; header capped at 20 then + 2 would be 22 but content 200 is
        // clamped to 50; "73.03%" (6) + 2 < 8.
        assert_eq!(column_widths(&t), vec![16, 50, 8]);
        // Decomposed "ệ" (e + two combining marks) counts as one character.
        assert_eq!(display_width("e\u{0323}\u{0302}"), 1);
    }

    #[test]
    fn validation_rejects_caller_mistakes() {
        assert!(matches!(tables_xlsx(&[]), Err(DocsError::NoTables)));
        let none: [&str; 0] = [];
        assert!(matches!(
            tables_xlsx(&[Table::new("S", none)]),
            Err(DocsError::NoHeaders { .. })
        ));
        let mut wide = Table::new("S", ["A"]);
        wide.rows.push(vec![Cell::Empty]);
        wide.rows.push(vec![Cell::Int(1), Cell::Int(2)]);
        assert!(matches!(
            tables_xlsx(&[wide]),
            Err(DocsError::RowTooWide {
                row: 1,
                cells: 2,
                headers: 1,
                ..
            })
        ));
        let bad_name = Table::new("a/b", ["A"]);
        assert!(matches!(tables_xlsx(&[bad_name]), Err(DocsError::Xlsx(_))));
    }
}
