//! Writes the sample receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả) as PDF and HTML.
//!
//! ```text
//! cargo run -p motcua-forms --example render_receipt -- OUT_DIR [all]
//! ```
//!
//! Writes `OUT_DIR/receipt.pdf` and `OUT_DIR/receipt.html` (with the embedded fonts in
//! `OUT_DIR/fonts/`, which the HTML declares with `@font-face`, so a browser prints it with the
//! same face as the PDF); with `all`, every form of both form sets as
//! `OUT_DIR/<set>-<form>.{pdf,html}` too.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use motcua_forms::{
    FONT_FILES, FormKind, HtmlOptions, form_sets, render_html_with_options, render_pdf,
    render_pdf_with, sample,
};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: render_receipt OUT_DIR [all]");
        return ExitCode::from(2);
    };
    let all = args.next().as_deref() == Some("all");
    match run(&dir, all) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("render_receipt: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &std::path::Path, all: bool) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir.join("fonts"))?;
    for (name, bytes) in FONT_FILES {
        std::fs::write(dir.join("fonts").join(name), bytes)?;
    }
    let options = HtmlOptions {
        font_base_url: Some("fonts".to_owned()),
    };
    let day = NaiveDate::from_ymd_opt(2026, 11, 24).ok_or("bad date")?;
    let data = sample::data(FormKind::Receipt, day);
    let pdf = dir.join("receipt.pdf");
    let html = dir.join("receipt.html");
    std::fs::write(&pdf, render_pdf(&data, FormKind::Receipt)?)?;
    std::fs::write(
        &html,
        render_html_with_options(&data, FormKind::Receipt, data.form_set(), &options)?,
    )?;
    println!("{}", pdf.display());
    println!("{}", html.display());
    if all {
        for set in form_sets() {
            for entry in &set.forms {
                let data = sample::data(entry.kind, day);
                let stem = format!("{}-{}", set.id, entry.kind);
                let pdf = dir.join(format!("{stem}.pdf"));
                std::fs::write(&pdf, render_pdf_with(&data, entry.kind, set)?)?;
                std::fs::write(
                    dir.join(format!("{stem}.html")),
                    render_html_with_options(&data, entry.kind, set, &options)?,
                )?;
                println!("{}", pdf.display());
            }
        }
    }
    Ok(())
}
