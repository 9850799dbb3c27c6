//! The form data: plain values, no database. [`FormData::from_state`] reads a dossier
//! ([`DossierState`]) plus what the dossier does not hold ([`FormContext`]: names of agencies
//! and people, the procedure's name, the components received, the look-up URL ...), converts
//! every instant to Vietnam time once, and leaves the wording to the renderers.
//!
//! Every field is public: a caller that knows better (a reprint of a supplement request the
//! applicant has since answered, a register row typed in by hand) sets it after the
//! constructor.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use motcua_domain::agency::AgencyCode;
use motcua_domain::dossier::{Actor, DossierState, HopKind, StepEnd};

use crate::sets::{FormKind, FormSet, form_set_for};
use crate::vi;

/// The agency that issues the form, as the top-left block of the form names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issuer {
    /// The governing body (cơ quan chủ quản), e.g. "Ủy ban nhân dân tỉnh Thanh Hóa".
    pub parent_agency: String,
    /// The issuing unit, e.g. "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa".
    pub agency: String,
    /// The place of the date line, e.g. "Thanh Hóa".
    pub place: String,
}

/// One component of the dossier as received (thành phần hồ sơ), with its counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentLine {
    pub name: String,
    /// Bản chính.
    pub originals: u32,
    /// Bản sao (chứng thực or chụp).
    pub copies: u32,
    /// Received as an electronic file.
    #[serde(default)]
    pub electronic: bool,
}

impl From<&motcua_domain::dossier::ReceivedComponent> for ComponentLine {
    fn from(c: &motcua_domain::dossier::ReceivedComponent) -> Self {
        ComponentLine {
            name: c.component.clone(),
            originals: c.originals,
            copies: c.copies,
            electronic: c.electronic,
        }
    }
}

/// Everything a form needs that the dossier state does not hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormContext {
    pub issuer: Issuer,
    /// The date of the date line (usually today, in Vietnam).
    pub issued_on: NaiveDate,
    /// The form's own number, e.g. "125/TNHS" (printed "Số: 125/TNHS"; dotted when absent).
    pub document_number: Option<String>,
    /// The procedure's name (tên thủ tục hành chính).
    pub procedure_name: String,
    /// The statutory processing time as the procedure states it, e.g. "05 ngày làm việc".
    pub processing_time: Option<String>,
    pub components: Vec<ComponentLine>,
    /// Số lượng hồ sơ (bộ); 0 is printed as 1.
    pub sets: u32,
    /// The officer who receives, guides or refuses (signs the receipt, the supplement request,
    /// the refusal).
    pub officer_name: Option<String>,
    /// The number the applicant may call about a supplement.
    pub officer_phone: Option<String>,
    /// The signatory's title on the apology and the stop notice, e.g. "Giám đốc".
    pub signatory_title: Option<String>,
    pub signatory_name: Option<String>,
    /// Where the result is returned, e.g. "Quầy số 5, Trung tâm Phục vụ hành chính công tỉnh".
    pub result_place: Option<String>,
    /// The public look-up URL of this dossier, encoded in the QR code.
    pub lookup_url: Option<String>,
    /// Agency names by agency code (`000.00.01.H38` → "Sở Tư pháp tỉnh Thanh Hóa"); a code
    /// without a name is printed as the code.
    pub agency_names: BTreeMap<String, String>,
    /// Names of people by user id, for the control sheet; someone without a name is printed
    /// as their role.
    pub people: BTreeMap<Uuid, String>,
    /// The effective appointment: the current one extended by the closed supplement pauses
    /// (the service layer's projection, computed with the calendar). It is the appointment the
    /// forms print; without it they print the current appointment, and the result row of the
    /// control sheet is classified only when no pause moved it.
    pub effective_appointment: Option<DateTime<Utc>>,
    /// The unit at fault, named on the apology.
    pub at_fault: Option<String>,
}

impl FormContext {
    /// The name of an agency, or its code.
    pub fn agency_name(&self, code: &AgencyCode) -> String {
        self.agency_names
            .get(code.as_str())
            .cloned()
            .unwrap_or_else(|| code.as_str().to_owned())
    }

    /// The name of a person, or their role ("Chuyên viên").
    pub fn person(&self, actor: &Actor) -> String {
        self.people
            .get(&actor.user)
            .cloned()
            .unwrap_or_else(|| actor.role.label_vi().to_owned())
    }
}

/// The applicant as forms show them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantInfo {
    pub name: String,
    /// The personal identification number in full (internal forms).
    pub id_number: Option<String>,
    /// The same masked, `0381******23` (forms handed to the applicant).
    pub id_number_masked: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

impl ApplicantInfo {
    /// The identification number as `kind` shows it: masked on what goes to the applicant, in
    /// full on internal records ([`FormKind::is_for_applicant`]).
    pub fn id_for(&self, kind: FormKind) -> Option<&str> {
        if kind.is_for_applicant() {
            self.id_number_masked.as_deref()
        } else {
            self.id_number.as_deref()
        }
    }
}

/// A supplement request (at the check or during processing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplementInfo {
    pub requested_at: Option<NaiveDateTime>,
    /// Asked before receipt (at the check) rather than during processing.
    pub at_intake: bool,
    pub reason: String,
    /// What to supplement or complete, one item a line.
    pub missing: Vec<String>,
}

/// A refusal or a stop.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosureInfo {
    pub at: Option<NaiveDateTime>,
    pub reason: String,
}

/// The apology and the new appointment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApologyInfo {
    pub at: Option<NaiveDateTime>,
    pub reason: String,
    /// The appointment that will be missed.
    pub previous_appointment: Option<NaiveDateTime>,
    pub new_appointment: Option<NaiveDateTime>,
    /// The unit at fault, if named.
    pub at_fault: Option<String>,
}

/// On time or late, as the control sheet writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Finished on a day before the due day.
    Early,
    /// Finished on the due day, not after the due time.
    OnTime,
    /// Finished after the due time.
    Late,
}

impl Outcome {
    /// `finished` against `due` (both Vietnam time), with the convention of the dossier state
    /// machine: a day before the due day is early, the due day is on time, later is late.
    pub fn classify(finished: NaiveDateTime, due: NaiveDateTime) -> Outcome {
        if finished > due {
            Outcome::Late
        } else if finished.date() < due.date() {
            Outcome::Early
        } else {
            Outcome::OnTime
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Outcome::Early => "Trước hạn",
            Outcome::OnTime => "Đúng hạn",
            Outcome::Late => "Quá hạn",
        }
    }
}

/// One hand-over or step on the control sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineRow {
    /// What was done: "Tiếp nhận hồ sơ", "Chuyển hồ sơ", the step's name ...
    pub action: String,
    /// Who handed over (agency, and person where known).
    pub giver: String,
    /// Who took it.
    pub receiver: String,
    /// When it was handed over or started.
    pub at: Option<NaiveDateTime>,
    /// When it was due.
    pub due: Option<NaiveDateTime>,
    /// When it was finished.
    pub finished_at: Option<NaiveDateTime>,
    pub outcome: Option<Outcome>,
    pub note: String,
}

/// One dossier of the register (sổ theo dõi hồ sơ).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRow {
    pub code: String,
    pub procedure_name: String,
    pub sets: u32,
    pub applicant_name: String,
    /// Address and phone number.
    pub applicant_contact: String,
    /// The agency that leads the handling (cơ quan chủ trì giải quyết).
    pub handling_agency: String,
    pub received_at: Option<NaiveDateTime>,
    pub appointment: Option<NaiveDateTime>,
    /// Forwarded to the competent agency.
    pub forwarded_at: Option<NaiveDateTime>,
    /// Result issued by the competent agency.
    pub result_at: Option<NaiveDateTime>,
    /// Result returned to the applicant.
    pub returned_at: Option<NaiveDateTime>,
    /// Who collected it at the counter ("Nguyễn Văn A (nhận thay)"), when recorded.
    #[serde(default)]
    pub collector: String,
    pub note: String,
}

impl RegisterRow {
    /// The register's row for one dossier (`ctx` gives the procedure name, the number of sets
    /// and agency names).
    pub fn from_state(state: &DossierState, ctx: &FormContext) -> RegisterRow {
        let applicant = state.applicant.as_ref();
        let contact = applicant
            .map(|a| {
                [a.address.as_deref(), a.phone.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        let mut note = state.status.label_vi().to_owned();
        if matches!((state.finished_at, effective_due(state, ctx)), (Some(end), Some(due)) if end > due)
        {
            note.push_str("; Quá hạn");
        }
        RegisterRow {
            code: state
                .code
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            procedure_name: ctx.procedure_name.clone(),
            sets: ctx.sets.max(1),
            applicant_name: applicant.map(|a| a.name.clone()).unwrap_or_default(),
            applicant_contact: contact,
            handling_agency: state
                .agency
                .as_ref()
                .map(|a| ctx.agency_name(a))
                .unwrap_or_default(),
            received_at: state.received_at.map(vi::vietnam_time),
            appointment: shown_due(state, ctx).map(vi::vietnam_time),
            forwarded_at: state
                .hops
                .iter()
                .find(|h| h.via == HopKind::Forwarded)
                .map(|h| vi::vietnam_time(h.since)),
            result_at: state.result.as_ref().map(|r| vi::vietnam_time(r.at)),
            returned_at: state.returned_at.map(vi::vietnam_time),
            collector: collector_text(state).unwrap_or_default(),
            note,
        }
    }
}

/// Who collected the result, as forms print it ("Trần Văn B (nhận thay)").
fn collector_text(state: &DossierState) -> Option<String> {
    state.returned_to.as_ref().map(|c| {
        if c.on_behalf {
            format!("{} (nhận thay)", c.name)
        } else {
            c.name.clone()
        }
    })
}

/// Everything any form prints. Built by [`FormData::from_state`] (one dossier) or
/// [`FormData::register`] (the register); rendered by [`crate::render_html`] and
/// [`crate::render_pdf`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormData {
    pub issuer: Issuer,
    /// The date of the date line.
    pub issued_on: NaiveDate,
    pub document_number: Option<String>,
    /// The dossier code, `000.00.01.H38-261124-0001` (empty for the register).
    pub code: String,
    /// The Vietnam date the dossier was received (lodged, when it never was received): the
    /// date that chooses the form set.
    pub receipt_date: Option<NaiveDate>,
    pub procedure_name: String,
    /// How it was lodged ("Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính").
    pub channel: Option<String>,
    pub applicant: ApplicantInfo,
    pub components: Vec<ComponentLine>,
    pub sets: u32,
    pub processing_time: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub received_at: Option<NaiveDateTime>,
    /// The current appointment (the receipt's, or the apology's new one).
    pub appointment: Option<NaiveDateTime>,
    /// The appointment given at receipt.
    pub original_appointment: Option<NaiveDateTime>,
    pub result_place: Option<String>,
    /// The agency that holds the dossier now.
    pub handling_agency: Option<String>,
    pub supplement: Option<SupplementInfo>,
    pub refusal: Option<ClosureInfo>,
    pub stop: Option<ClosureInfo>,
    pub apology: Option<ApologyInfo>,
    pub officer_name: Option<String>,
    pub officer_phone: Option<String>,
    pub signatory_title: Option<String>,
    pub signatory_name: Option<String>,
    /// The control sheet's rows, in time order.
    pub timeline: Vec<TimelineRow>,
    /// The register's rows.
    pub register: Vec<RegisterRow>,
    /// The register's period, e.g. "Từ ngày 01/11/2026 đến ngày 30/11/2026".
    pub register_period: Option<String>,
    /// The public look-up URL (the QR code's content).
    pub lookup_url: Option<String>,
    /// The dossier's status as people read it.
    pub status: String,
    /// Lodged by a representative: who, under which authorisation (#20).
    #[serde(default)]
    pub authorisation: Option<AuthorisationInfo>,
    /// The fees due (as last adjusted), in đồng; 0: none.
    #[serde(default)]
    pub fee_due_vnd: u64,
}

/// A representative who lodged under an authorisation (ủy quyền).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorisationInfo {
    pub representative_name: String,
    pub representative_id_masked: String,
    pub scope: String,
    pub document_number: String,
}

impl FormData {
    /// The data of every per-dossier form, from the dossier and its context.
    pub fn from_state(state: &DossierState, ctx: &FormContext) -> FormData {
        let vt = vi::vietnam_time;
        let applicant = state
            .applicant
            .as_ref()
            .map(|a| ApplicantInfo {
                name: a.name.clone(),
                id_number: Some(a.id_number.to_string()),
                id_number_masked: Some(a.id_number.masked()),
                phone: a.phone.clone(),
                email: a.email.clone(),
                address: a.address.clone(),
            })
            .unwrap_or_default();
        let received_at = state.received_at.map(vt);
        let submitted_at = state.submitted_at.map(vt);
        let handling_agency = state.agency.as_ref().map(|a| ctx.agency_name(a));
        FormData {
            issuer: ctx.issuer.clone(),
            issued_on: ctx.issued_on,
            document_number: ctx.document_number.clone(),
            code: state
                .code
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            receipt_date: received_at.or(submitted_at).map(|t| t.date()),
            procedure_name: ctx.procedure_name.clone(),
            channel: state.channel.map(|c| c.label_vi().to_owned()),
            applicant,
            // What was received as recorded with the dossier; the context's list only for
            // dossiers lodged before components were recorded.
            components: if state.components.is_empty() {
                ctx.components.clone()
            } else {
                state.components.iter().map(ComponentLine::from).collect()
            },
            sets: ctx.sets.max(1),
            processing_time: ctx.processing_time.clone(),
            submitted_at,
            received_at,
            appointment: shown_due(state, ctx).map(vt),
            original_appointment: state.original_appointment.map(vt),
            result_place: ctx.result_place.clone(),
            handling_agency,
            supplement: state.open_request.as_ref().map(|r| SupplementInfo {
                requested_at: Some(vt(r.at)),
                at_intake: r.at_intake,
                reason: r.reason.clone(),
                missing: r.missing.clone(),
            }),
            refusal: state.refusal.as_ref().map(|c| ClosureInfo {
                at: Some(vt(c.at)),
                reason: c.reason.clone().unwrap_or_default(),
            }),
            stop: state.stop.as_ref().map(|c| ClosureInfo {
                at: Some(vt(c.at)),
                reason: c.reason.clone().unwrap_or_default(),
            }),
            apology: state.apology.as_ref().map(|a| ApologyInfo {
                at: Some(vt(a.at)),
                reason: a.reason.clone(),
                previous_appointment: Some(vt(a.previous_due)),
                new_appointment: Some(vt(a.new_appointment)),
                at_fault: ctx.at_fault.clone(),
            }),
            officer_name: ctx.officer_name.clone(),
            authorisation: state.authorisation.as_ref().map(|a| AuthorisationInfo {
                representative_name: a.representative_name.clone(),
                representative_id_masked: a
                    .representative_id
                    .as_ref()
                    .map(|id| id.masked())
                    .unwrap_or_default(),
                scope: a.scope.clone(),
                document_number: a.document_number.clone(),
            }),
            officer_phone: ctx.officer_phone.clone(),
            signatory_title: ctx.signatory_title.clone(),
            signatory_name: ctx.signatory_name.clone(),
            timeline: timeline(state, ctx),
            register: Vec::new(),
            register_period: None,
            lookup_url: ctx.lookup_url.clone(),
            status: state.status.label_vi().to_owned(),
            fee_due_vnd: state.fee_due_vnd,
        }
    }

    /// The data of the register: the issuer and date from `ctx`, one row per dossier.
    pub fn register(ctx: &FormContext, rows: Vec<RegisterRow>, period: Option<String>) -> FormData {
        FormData {
            issuer: ctx.issuer.clone(),
            issued_on: ctx.issued_on,
            document_number: ctx.document_number.clone(),
            register: rows,
            register_period: period,
            ..FormData::default()
        }
    }

    /// The form set in force for this dossier: by its receipt date, or by the date line for the
    /// register.
    pub fn form_set(&self) -> &'static FormSet {
        form_set_for(self.receipt_date.unwrap_or(self.issued_on))
    }
}

/// The control sheet's rows: receipt, every hand-over between agencies, every workflow step,
/// supplement pauses, the apology, the result, the return and any closure, in time order.
fn timeline(state: &DossierState, ctx: &FormContext) -> Vec<TimelineRow> {
    let vt = vi::vietnam_time;
    let applicant = state
        .applicant
        .as_ref()
        .map(|a| a.name.clone())
        .unwrap_or_default();
    let mut rows: Vec<(DateTime<Utc>, TimelineRow)> = Vec::new();
    let lodged_at = state.hops.first();
    if let (Some(at), Some(first)) = (state.received_at, lodged_at) {
        let officer = ctx.officer_name.clone();
        rows.push((
            at,
            TimelineRow {
                action: "Tiếp nhận hồ sơ".to_owned(),
                giver: applicant.clone(),
                receiver: join_name(&ctx.agency_name(&first.agency), officer.as_deref()),
                at: Some(vt(at)),
                ..TimelineRow::default()
            },
        ));
    }
    for pair in state.hops.windows(2) {
        let [from, to] = pair else { continue };
        let transferred = to.via == HopKind::Transferred;
        rows.push((
            to.since,
            TimelineRow {
                action: if transferred {
                    "Chuyển liên thông".to_owned()
                } else {
                    "Chuyển hồ sơ đến cơ quan giải quyết".to_owned()
                },
                giver: join_name(&ctx.agency_name(&from.agency), Some(&ctx.person(&to.by))),
                receiver: ctx.agency_name(&to.agency),
                at: Some(vt(to.since)),
                ..TimelineRow::default()
            },
        ));
    }
    for step in &state.steps {
        let agency = step
            .agency
            .as_ref()
            .map(|a| ctx.agency_name(a))
            .unwrap_or_default();
        let assignee = ctx
            .people
            .get(&step.assignee)
            .cloned()
            .unwrap_or_else(|| step.role.label_vi().to_owned());
        let due = vt(step.due);
        let end = vt(step.ended_at);
        let mut note = step.note.clone().unwrap_or_default();
        if step.ended == StepEnd::Transferred && note.is_empty() {
            note = "Chuyển liên thông".to_owned();
        }
        rows.push((
            step.assigned_at,
            TimelineRow {
                action: step.name.clone(),
                giver: agency,
                receiver: assignee,
                at: Some(vt(step.assigned_at)),
                due: Some(due),
                finished_at: Some(end),
                outcome: Some(Outcome::classify(end, due)),
                note,
            },
        ));
    }
    if let Some(step) = &state.active_step {
        let agency = state
            .agency
            .as_ref()
            .map(|a| ctx.agency_name(a))
            .unwrap_or_default();
        rows.push((
            step.assigned_at,
            TimelineRow {
                action: step.name.clone(),
                giver: agency,
                receiver: ctx
                    .people
                    .get(&step.assignee)
                    .cloned()
                    .unwrap_or_else(|| step.role.label_vi().to_owned()),
                at: Some(vt(step.assigned_at)),
                due: Some(vt(step.due)),
                note: "Đang xử lý".to_owned(),
                ..TimelineRow::default()
            },
        ));
    }
    for pause in &state.pauses {
        rows.push((
            pause.start,
            TimelineRow {
                action: "Yêu cầu bổ sung hồ sơ (tạm dừng tính thời gian)".to_owned(),
                giver: state
                    .agency
                    .as_ref()
                    .map(|a| ctx.agency_name(a))
                    .unwrap_or_default(),
                receiver: applicant.clone(),
                at: Some(vt(pause.start)),
                finished_at: pause.end.map(vt),
                note: if pause.end.is_some() {
                    "Đã bổ sung".to_owned()
                } else {
                    "Chờ bổ sung".to_owned()
                },
                ..TimelineRow::default()
            },
        ));
    }
    if let Some(a) = &state.apology {
        rows.push((
            a.at,
            TimelineRow {
                action: "Xin lỗi và hẹn lại ngày trả kết quả".to_owned(),
                giver: ctx.person(&a.by),
                receiver: applicant.clone(),
                at: Some(vt(a.at)),
                due: Some(vt(a.new_appointment)),
                note: a.reason.clone(),
                ..TimelineRow::default()
            },
        ));
    }
    if let Some(result) = &state.result {
        let due = effective_due(state, ctx);
        let end = vt(result.at);
        rows.push((
            result.at,
            TimelineRow {
                action: "Có kết quả giải quyết".to_owned(),
                giver: state
                    .agency
                    .as_ref()
                    .map(|a| ctx.agency_name(a))
                    .unwrap_or_default(),
                receiver: lodged_at
                    .map(|h| ctx.agency_name(&h.agency))
                    .unwrap_or_default(),
                at: Some(end),
                due: due.map(vt),
                finished_at: Some(end),
                outcome: due.map(|d| Outcome::classify(end, vt(d))),
                note: result.result_code.clone(),
            },
        ));
    }
    if let Some(at) = state.returned_at {
        rows.push((
            at,
            TimelineRow {
                action: "Trả kết quả".to_owned(),
                giver: lodged_at
                    .map(|h| join_name(&ctx.agency_name(&h.agency), ctx.officer_name.as_deref()))
                    .unwrap_or_default(),
                receiver: collector_text(state).unwrap_or_else(|| applicant.clone()),
                at: Some(vt(at)),
                note: state
                    .returned_via
                    .map(|v| v.label_vi().to_owned())
                    .unwrap_or_default(),
                ..TimelineRow::default()
            },
        ));
    }
    for (label, closure) in [
        ("Từ chối tiếp nhận", &state.refusal),
        ("Dừng giải quyết hồ sơ", &state.stop),
        ("Rút hồ sơ", &state.withdrawal),
    ] {
        if let Some(c) = closure {
            rows.push((
                c.at,
                TimelineRow {
                    action: label.to_owned(),
                    giver: ctx.person(&c.by),
                    receiver: applicant.clone(),
                    at: Some(vt(c.at)),
                    note: c.reason.clone().unwrap_or_default(),
                    ..TimelineRow::default()
                },
            ));
        }
    }
    // Stable: rows of the same instant keep the order above.
    rows.sort_by_key(|(at, _)| *at);
    rows.into_iter().map(|(_, row)| row).collect()
}

/// The appointment a finish is judged against: the context's effective appointment, else the
/// current appointment when no supplement pause has moved it since it was set.
fn effective_due(state: &DossierState, ctx: &FormContext) -> Option<DateTime<Utc>> {
    ctx.effective_appointment.or_else(|| {
        state
            .pauses_since_appointment()
            .is_empty()
            .then_some(state.appointment)
            .flatten()
    })
}

/// The appointment printed: the effective one when the context has it.
fn shown_due(state: &DossierState, ctx: &FormContext) -> Option<DateTime<Utc>> {
    ctx.effective_appointment.or(state.appointment)
}

/// "Trung tâm PVHCC (Nguyễn Văn An)".
fn join_name(agency: &str, person: Option<&str>) -> String {
    match person.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) if !agency.is_empty() => format!("{agency} ({p})"),
        Some(p) => p.to_owned(),
        None => agency.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn outcomes() {
        let due = t("2026-11-30 17:00");
        assert_eq!(
            Outcome::classify(t("2026-11-27 10:00"), due),
            Outcome::Early
        );
        assert_eq!(
            Outcome::classify(t("2026-11-30 08:00"), due),
            Outcome::OnTime
        );
        assert_eq!(
            Outcome::classify(t("2026-11-30 17:00"), due),
            Outcome::OnTime
        );
        assert_eq!(Outcome::classify(t("2026-11-30 17:01"), due), Outcome::Late);
        assert_eq!(Outcome::Late.label_vi(), "Quá hạn");
    }

    #[test]
    fn names_fall_back() {
        assert_eq!(
            join_name("Sở Tư pháp", Some("Lê Văn Bình")),
            "Sở Tư pháp (Lê Văn Bình)"
        );
        assert_eq!(join_name("Sở Tư pháp", Some(" ")), "Sở Tư pháp");
        assert_eq!(join_name("", Some("Lê Văn Bình")), "Lê Văn Bình");
    }
}
