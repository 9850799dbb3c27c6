//! Official forms of a dossier (receipt, supplement request, refusal, apology, stop notice,
//! control sheet) and the register of an agency: the context the forms crate needs, gathered
//! from the store, then rendered as A4 HTML or PDF in the form set of the receipt date.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use motcua_domain::dossier::{DossierState, Event, vietnam_date};
use motcua_forms::{ComponentLine, FormContext, FormData, FormKind, Issuer, RegisterRow};
use motcua_store::{Agency, DossierRow};

use crate::dossiers::state_of;
use crate::error::AppError;
use crate::state::App;

/// A rendered form: its media type and bytes.
pub struct Rendered {
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub file_name: String,
}

/// Which rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Pdf,
}

impl Format {
    pub fn parse(s: Option<&str>) -> Result<Format, AppError> {
        match s.unwrap_or("html") {
            "html" => Ok(Format::Html),
            "pdf" => Ok(Format::Pdf),
            other => Err(AppError::invalid(
                "invalid_format",
                format!("Định dạng \"{other}\" không hợp lệ (html, pdf)."),
            )),
        }
    }
}

pub fn kind(s: &str) -> Result<FormKind, AppError> {
    FormKind::parse(s)
        .filter(|k| *k != FormKind::Register)
        .ok_or_else(|| {
            AppError::invalid(
                "unknown_form",
                format!(
                    "Không có biểu mẫu \"{s}\" (receipt, supplement_request, refusal, apology, stop_notice, control_sheet)."
                ),
            )
        })
}

/// The issuing unit of an agency: its name, its governing body's, and the province's name.
async fn issuer(state: &App, agency: &Agency) -> Result<Issuer, AppError> {
    let parent = match agency.parent_id {
        Some(id) => state.store.get_agency(id).await?.name,
        None => String::new(),
    };
    let place = match &agency.province_code {
        Some(p) => state
            .store
            .get_unit(&format!("2025:province:{p}"))
            .await
            .map(|u| u.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(Issuer {
        parent_agency: parent,
        agency: agency.name.clone(),
        place,
    })
}

/// Everything the dossier's forms need beyond its state.
async fn context(
    state: &App,
    row: &DossierRow,
    ds: &DossierState,
) -> Result<FormContext, AppError> {
    let intake = state.store.get_agency(row.intake_agency_id).await?;
    let procedure = crate::catalogue::record_version(
        state.store.as_ref(),
        &row.procedure_code,
        row.procedure_version,
    )
    .await?;
    let channel = ds.channel;
    let processing_time = procedure
        .channels
        .iter()
        .find(|c| Some(c.channel) == channel)
        .or(procedure.channels.first())
        .map(|c| c.time_text.clone())
        .filter(|t| !t.is_empty());
    // For a dossier lodged before components were recorded: the components it has files for
    // (never the catalogue's whole list: the receipt lists only what was received).
    let mut components: Vec<ComponentLine> = Vec::new();
    for d in &ds.documents {
        if !components.iter().any(|c| c.name == d.component) {
            components.push(ComponentLine {
                name: d.component.clone(),
                originals: 0,
                copies: 0,
                electronic: true,
            });
        }
    }
    // Names of the agencies it went through and of the people who acted.
    let mut agency_names = BTreeMap::new();
    let mut people = BTreeMap::new();
    let events = state.store.dossier_events(row.id).await?;
    let mut receiver = None;
    for e in &events {
        if let Ok(ev) = serde_json::from_str::<Event>(&e.data) {
            match &ev {
                Event::Forwarded { from, to } | Event::Transferred { from, to, .. } => {
                    for code in [from, to] {
                        if let Some(a) = state
                            .lookups
                            .agency(state.store.as_ref(), code.as_str())
                            .await?
                        {
                            agency_names.insert(code.as_str().to_string(), a.name.clone());
                        }
                    }
                }
                Event::Received { .. } => receiver = e.actor_id,
                _ => {}
            }
        }
        if let Some(id) = e.actor_id
            && !people.contains_key(&id)
            && let Ok(u) = state.store.get_user(id).await
        {
            people.insert(id, u.full_name);
        }
    }
    agency_names.insert(intake.code.clone(), intake.name.clone());
    Ok(FormContext {
        issuer: issuer(state, &intake).await?,
        issued_on: vietnam_date(Utc::now()),
        procedure_name: procedure.name.clone(),
        processing_time,
        components,
        sets: 1,
        officer_name: receiver.and_then(|id| people.get(&id).cloned()),
        result_place: Some(intake.name.clone()),
        lookup_url: Some(lookup_url(state, &row.code)),
        agency_names,
        people,
        effective_appointment: row.appointment,
        ..Default::default()
    })
}

/// The public look-up address of a dossier (encoded in the receipt's QR code).
pub fn lookup_url(state: &App, code: &str) -> String {
    format!(
        "{}/tra-cuu/{code}",
        state.config.public_url.trim_end_matches('/')
    )
}

fn render(
    data: &FormData,
    kind: FormKind,
    format: Format,
    name: &str,
) -> Result<Rendered, AppError> {
    let err =
        |e: motcua_forms::FormError| match e {
            e @ (motcua_forms::FormError::NotInSet { .. }
            | motcua_forms::FormError::Missing { .. }) => AppError::Conflict {
                kind: e.code(),
                message: e.message_vi(),
            },
            e => AppError::Internal(e.to_string()),
        };
    Ok(match format {
        Format::Html => Rendered {
            content_type: "text/html; charset=utf-8",
            body: motcua_forms::render_html_with_options(
                data,
                kind,
                data.form_set(),
                &motcua_forms::HtmlOptions {
                    font_base_url: Some("/static/fonts".into()),
                },
            )
            .map_err(err)?
            .into_bytes(),
            file_name: format!("{name}.html"),
        },
        Format::Pdf => Rendered {
            content_type: "application/pdf",
            body: motcua_forms::render_pdf(data, kind).map_err(err)?,
            file_name: format!("{name}.pdf"),
        },
    })
}

/// One form of a dossier.
pub async fn dossier_form(
    state: &App,
    row: &DossierRow,
    kind: FormKind,
    format: Format,
) -> Result<Rendered, AppError> {
    let ds = state_of(row)?;
    let ctx = context(state, row, &ds).await?;
    let data = FormData::from_state(&ds, &ctx);
    render(
        &data,
        kind,
        format,
        &format!("{}-{}", row.code, kind.as_str()),
    )
}

/// The register (sổ theo dõi hồ sơ) of an agency: the dossiers it received between two days.
pub async fn register(
    state: &App,
    agency: &Agency,
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
) -> Result<Rendered, AppError> {
    let rows = state.store.dossiers_received(agency.id, from, to).await?;
    let ctx = FormContext {
        issuer: issuer(state, agency).await?,
        issued_on: vietnam_date(Utc::now()),
        ..Default::default()
    };
    let mut lines = Vec::with_capacity(rows.len());
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for row in &rows {
        let ds = state_of(row)?;
        if !names.contains_key(&row.procedure_code)
            && let Ok(p) = state.store.procedure(&row.procedure_code).await
        {
            names.insert(row.procedure_code.clone(), p.name);
        }
        let row_ctx = FormContext {
            procedure_name: names.get(&row.procedure_code).cloned().unwrap_or_default(),
            effective_appointment: row.appointment,
            ..ctx.clone()
        };
        lines.push(RegisterRow::from_state(&ds, &row_ctx));
    }
    let period = Some(format!(
        "Từ ngày {} đến ngày {}",
        from.format("%d/%m/%Y"),
        to.format("%d/%m/%Y")
    ));
    let data = FormData::register(&ctx, lines, period);
    render(
        &data,
        FormKind::Register,
        format,
        &format!("so-theo-doi-{}-{}-{}", agency.code, from, to),
    )
}
