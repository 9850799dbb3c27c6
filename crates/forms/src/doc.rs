//! A form as a short list of blocks (header, title, paragraphs, tables, signatures), written
//! once per form by [`crate::content`] and drawn twice: as HTML by the askama template
//! (`templates/form.html`) and as PDF by [`crate::pdf`]. One source of wording, so the
//! printed HTML and the PDF never say different things.

use crate::qr::QrMatrix;

/// The type face of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Regular,
    Bold,
    Italic,
}

impl Style {
    /// The CSS class of the template.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Style::Regular => "r",
            Style::Bold => "b",
            Style::Italic => "i",
        }
    }
}

/// Text of one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run {
    pub text: String,
    pub style: Style,
}

pub(crate) fn r(text: impl Into<String>) -> Run {
    Run {
        text: text.into(),
        style: Style::Regular,
    }
}

pub(crate) fn b(text: impl Into<String>) -> Run {
    Run {
        text: text.into(),
        style: Style::Bold,
    }
}

pub(crate) fn i(text: impl Into<String>) -> Run {
    Run {
        text: text.into(),
        style: Style::Italic,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    /// Justified in HTML; left in the PDF (the PDF writer does not stretch spaces).
    Justify,
}

impl Align {
    pub(crate) fn class(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Center => "center",
            Align::Justify => "justify",
        }
    }
}

/// A paragraph of runs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Para {
    pub runs: Vec<Run>,
    pub align: Align,
    /// Indent the first line (body paragraphs of administrative documents).
    pub indent: bool,
}

impl Para {
    pub(crate) fn new(runs: Vec<Run>) -> Para {
        Para {
            runs,
            align: Align::Justify,
            indent: true,
        }
    }

    pub(crate) fn plain(runs: Vec<Run>) -> Para {
        Para {
            runs,
            align: Align::Left,
            indent: false,
        }
    }

    pub(crate) fn center(runs: Vec<Run>) -> Para {
        Para {
            runs,
            align: Align::Center,
            indent: false,
        }
    }

    /// The CSS classes of the template.
    pub(crate) fn class(&self) -> String {
        if self.indent {
            format!("{} indent", self.align.class())
        } else {
            self.align.class().to_owned()
        }
    }
}

/// The top block: governing body and issuing unit on the left, the national motto on the
/// right, then the form's number and the place and date line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub parent: String,
    pub agency: String,
    /// "Số: 125/TNHS".
    pub number: String,
    /// "Thanh Hóa, ngày 24 tháng 11 năm 2026".
    pub date_line: String,
}

/// The motto, as every administrative document heads it.
pub(crate) const MOTTO_1: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
pub(crate) const MOTTO_2: &str = "Độc lập - Tự do - Hạnh phúc";

/// A column of a table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub title: String,
    /// Share of the table's width, in percent.
    pub width: f32,
    pub center: bool,
}

/// A ruled table; a cell is a list of lines.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Vec<String>>>,
    /// Font size in points (the HTML uses the same).
    pub size: f32,
}

impl Table {
    pub(crate) fn column_class(&self, i: &usize) -> &'static str {
        if self.columns.get(*i).is_some_and(|c| c.center) {
            "center"
        } else {
            "left"
        }
    }
}

/// A signature column: title, hint, space to sign, name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    pub title: String,
    pub hint: String,
    pub name: String,
}

/// The dossier code, with the QR of the look-up URL beside it on forms that carry one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodeLine {
    pub code: String,
    pub qr: Option<(QrMatrix, String)>,
}

impl CodeLine {
    pub(crate) fn qr_svg(&self) -> String {
        self.qr
            .as_ref()
            .map(|(m, url)| m.svg("22mm", url))
            .unwrap_or_default()
    }

    pub(crate) fn url(&self) -> &str {
        self.qr
            .as_ref()
            .map(|(_, u)| u.as_str())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    Header(Header),
    Title(String, Option<String>),
    Code(CodeLine),
    Para(Para),
    Table(Table),
    /// Signature columns side by side; one signature sits in the right half.
    Signatures(Vec<Signature>),
}

/// A whole form.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Doc {
    /// The form's title, for the HTML `<title>` and the PDF metadata.
    pub title: String,
    /// "Mẫu số 01".
    pub label: String,
    /// "(Phụ lục I, Thông tư số 03/2025/TT-VPCP)".
    pub reference: String,
    pub landscape: bool,
    pub blocks: Vec<Block>,
}
