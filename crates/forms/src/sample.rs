//! Sample dossiers of the Thanh Hóa public administration service centre, for the example,
//! the tests and previews: a history that fits each form, a context, the form data.
//!
//! The people, the phone numbers and the look-up host are made up (`.example` is a reserved
//! top-level domain); the histories are valid under the dossier rules (a test replays them).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use uuid::Uuid;

use motcua_domain::agency::AgencyCode;
use motcua_domain::auth::Role;
use motcua_domain::catalogue::Channel;
use motcua_domain::dossier::{
    Actor, Applicant, CitizenId, DossierCode, DossierState, Event, EventEnvelope, ProcedureRef,
    ReceivedComponent, ResultForm, ReturnChannel,
};

use crate::model::{ComponentLine, FormContext, FormData, Issuer, RegisterRow};
use crate::sets::FormKind;

/// The receiving centre.
pub const CENTRE: &str = "000.00.01.H38";
/// The competent department.
pub const DEPARTMENT: &str = "000.00.12.H38";
pub const APPLICANT_NAME: &str = "Nguyễn Thị Hồng Nhung";
pub const APPLICANT_ID: &str = "038190012345";
pub const PROCEDURE_NAME: &str =
    "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam";
pub const OFFICER_NAME: &str = "Lê Thị Thu Hà";
pub const SPECIALIST_NAME: &str = "Phạm Quốc Bảo";
pub const LEADER_NAME: &str = "Trịnh Văn Minh";

const OFFICER: Uuid = Uuid::from_u128(0x0195_0000_0000_7000_8000_0000_0000_0001);
const SPECIALIST: Uuid = Uuid::from_u128(0x0195_0000_0000_7000_8000_0000_0000_0002);
const LEADER: Uuid = Uuid::from_u128(0x0195_0000_0000_7000_8000_0000_0000_0003);

fn agency(code: &str) -> AgencyCode {
    AgencyCode::parse(code).expect("sample agency codes are valid")
}

fn actor(user: Uuid, role: Role) -> Actor {
    Actor { user, role }
}

/// `hh:mm` Vietnam time on `day` (+ `days`), as an instant.
fn at(day: NaiveDate, days: i64, hh: u32, mm: u32) -> DateTime<Utc> {
    let local = (day + TimeDelta::days(days))
        .and_time(NaiveTime::from_hms_opt(hh, mm, 0).unwrap_or(NaiveTime::MIN));
    motcua_domain::vn_time::to_utc(local)
}

/// The applicant, Nguyễn Thị Hồng Nhung.
pub fn applicant() -> Applicant {
    Applicant {
        name: APPLICANT_NAME.to_owned(),
        id_number: CitizenId::parse(APPLICANT_ID).expect("the sample number is valid"),
        phone: Some("0912345678".to_owned()),
        email: Some("nhung.nguyen@example.vn".to_owned()),
        address: Some("Số 12 đường Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa".to_owned()),
    }
}

/// The first dossier of the centre on `day`: `000.00.01.H38-YYMMDD-0001`.
pub fn code(day: NaiveDate) -> DossierCode {
    DossierCode::new(&agency(CENTRE), day, 1).expect("sample dossier codes are valid")
}

/// The history of a dossier lodged at the counter on `day` that fits form `kind`:
/// received (receipt); asked to complete at the check (supplement request); refused at the
/// check (refusal); late and extended (apology); stopped (stop notice); finished and returned
/// through two workflow steps (control sheet, register).
pub fn history(kind: FormKind, day: NaiveDate) -> Vec<EventEnvelope> {
    let officer = actor(OFFICER, Role::ReceivingOfficer);
    let specialist = actor(SPECIALIST, Role::Specialist);
    let leader = actor(LEADER, Role::Leader);
    let appointment = at(day, 7, 17, 0);
    let mut events: Vec<(DateTime<Utc>, Actor, Event)> = vec![(
        at(day, 0, 8, 10),
        officer,
        Event::Submitted {
            authorisation: None,
            code: code(day),
            procedure: ProcedureRef {
                code: "1.001193".to_owned(),
                version: 1,
            },
            agency: agency(CENTRE),
            channel: Channel::Counter,
            applicant: applicant(),
            components: sample_components()
                .iter()
                .map(|c| ReceivedComponent {
                    component: c.name.clone(),
                    originals: c.originals,
                    copies: c.copies,
                    electronic: c.electronic,
                })
                .collect(),
        },
    )];
    let received = |events: &mut Vec<(DateTime<Utc>, Actor, Event)>| {
        events.push((
            at(day, 0, 8, 15),
            officer,
            Event::Received {
                appointment,
                fee_due_vnd: 0,
            },
        ));
        events.push((
            at(day, 0, 9, 30),
            officer,
            Event::Forwarded {
                from: agency(CENTRE),
                to: agency(DEPARTMENT),
            },
        ));
        events.push((
            at(day, 0, 10, 0),
            specialist,
            Event::StepAssigned {
                index: 0,
                name: "Thẩm định hồ sơ".to_owned(),
                role: Role::Specialist,
                assignee: SPECIALIST,
                due: at(day, 3, 17, 0),
            },
        ));
    };
    match kind {
        FormKind::Receipt => {
            received(&mut events);
            events.truncate(2);
        }
        FormKind::SupplementRequest => events.push((
            at(day, 0, 8, 20),
            officer,
            Event::IntakeSupplementRequested {
                reason: "Hồ sơ chưa đủ thành phần theo quy định.".to_owned(),
                missing: vec![
                    "Bản chụp Căn cước của người yêu cầu cấp Phiếu".to_owned(),
                    "Văn bản ủy quyền có chứng thực (trường hợp ủy quyền làm thủ tục)".to_owned(),
                ],
            },
        )),
        FormKind::Refusal => events.push((
            at(day, 0, 8, 20),
            officer,
            Event::Refused {
                reason: "Thủ tục không thuộc thẩm quyền tiếp nhận, giải quyết của cơ quan."
                    .to_owned(),
            },
        )),
        FormKind::Apology => {
            received(&mut events);
            events.push((
                at(day, 6, 15, 0),
                specialist,
                Event::Apologized {
                    reason:
                        "Phải xác minh thông tin lý lịch tại cơ quan công an nơi cư trú trước đây"
                            .to_owned(),
                    previous_due: appointment,
                    new_appointment: at(day, 13, 17, 0),
                },
            ));
        }
        FormKind::StopNotice => {
            received(&mut events);
            events.push((
                at(day, 2, 14, 0),
                leader,
                Event::Stopped {
                    reason: "Người yêu cầu có văn bản đề nghị dừng giải quyết hồ sơ.".to_owned(),
                },
            ));
        }
        FormKind::ControlSheet | FormKind::Register => {
            received(&mut events);
            events.extend([
                (
                    at(day, 2, 16, 0),
                    specialist,
                    Event::StepCompleted {
                        index: 0,
                        note: Some("Hồ sơ đủ điều kiện".to_owned()),
                    },
                ),
                (
                    at(day, 2, 16, 5),
                    specialist,
                    Event::StepAssigned {
                        index: 1,
                        name: "Phê duyệt, ký Phiếu".to_owned(),
                        role: Role::Leader,
                        assignee: LEADER,
                        due: at(day, 3, 17, 0),
                    },
                ),
                (at(day, 4, 9, 0), leader, Event::Approved { note: None }),
                (
                    at(day, 4, 9, 5),
                    leader,
                    Event::StepCompleted {
                        index: 1,
                        note: None,
                    },
                ),
                (
                    at(day, 4, 10, 0),
                    leader,
                    Event::ResultRecorded {
                        result_code: "1816/STP-LLTP".to_owned(),
                        form: ResultForm::Paper,
                    },
                ),
                (
                    at(day, 5, 8, 30),
                    officer,
                    Event::ResultReturned {
                        via: ReturnChannel::Counter,
                        collector: None,
                    },
                ),
            ]);
        }
    }
    events
        .into_iter()
        .enumerate()
        .map(|(n, (at, actor, event))| EventEnvelope {
            seq: u32::try_from(n + 1).unwrap_or(u32::MAX),
            at,
            actor,
            event,
        })
        .collect()
}

/// The dossier after [`history`].
pub fn state(kind: FormKind, day: NaiveDate) -> DossierState {
    let mut state = DossierState::new();
    for envelope in history(kind, day) {
        state.apply(&envelope);
    }
    state
}

/// The context of the centre, the date line on `issued_on`, for the dossier of `day`.
pub fn context(day: NaiveDate, issued_on: NaiveDate) -> FormContext {
    let code = code(day);
    FormContext {
        issuer: Issuer {
            parent_agency: "Ủy ban nhân dân tỉnh Thanh Hóa".to_owned(),
            agency: "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa".to_owned(),
            place: "Thanh Hóa".to_owned(),
        },
        issued_on,
        document_number: Some("0001/TNHS".to_owned()),
        procedure_name: PROCEDURE_NAME.to_owned(),
        processing_time: Some("10 ngày làm việc".to_owned()),
        components: sample_components(),
        sets: 1,
        officer_name: Some(OFFICER_NAME.to_owned()),
        officer_phone: Some("0237 3720 123".to_owned()),
        signatory_title: Some("Giám đốc".to_owned()),
        signatory_name: Some(LEADER_NAME.to_owned()),
        result_place: Some(
            "Quầy số 5, Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa".to_owned(),
        ),
        lookup_url: Some(format!("https://motcua.thanhhoa.example/tra-cuu/{code}")),
        agency_names: BTreeMap::from([
            (
                CENTRE.to_owned(),
                "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa".to_owned(),
            ),
            (
                DEPARTMENT.to_owned(),
                "Sở Tư pháp tỉnh Thanh Hóa".to_owned(),
            ),
        ]),
        people: BTreeMap::from([
            (OFFICER, OFFICER_NAME.to_owned()),
            (SPECIALIST, SPECIALIST_NAME.to_owned()),
            (LEADER, LEADER_NAME.to_owned()),
        ]),
        effective_appointment: None,
        at_fault: Some("Sở Tư pháp tỉnh Thanh Hóa".to_owned()),
    }
}

/// The data of form `kind` for the sample dossier received on `day` (for the register:
/// three dossiers of that day and the next two), the date line on the same day.
pub fn data(kind: FormKind, day: NaiveDate) -> FormData {
    let ctx = context(day, day);
    if kind == FormKind::Register {
        let rows = (0..3)
            .map(|n| {
                let d = day + TimeDelta::days(n);
                RegisterRow::from_state(&state(FormKind::Register, d), &context(d, d))
            })
            .collect();
        return FormData::register(
            &ctx,
            rows,
            Some(format!(
                "Từ ngày {} đến ngày {}",
                crate::vi::date(day),
                crate::vi::date(day + TimeDelta::days(2))
            )),
        );
    }
    FormData::from_state(&state(kind, day), &ctx)
}

/// The components the sample dossier was received with.
fn sample_components() -> Vec<ComponentLine> {
    vec![
        ComponentLine {
            name: "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp".to_owned(),
            originals: 1,
            copies: 0,
            electronic: false,
        },
        ComponentLine {
            name: "Bản chụp Căn cước của người yêu cầu cấp Phiếu".to_owned(),
            originals: 0,
            copies: 1,
            electronic: false,
        },
        ComponentLine {
            name: "Bản chụp giấy tờ chứng minh nơi thường trú hoặc tạm trú".to_owned(),
            originals: 0,
            copies: 1,
            electronic: false,
        },
    ]
}

#[cfg(test)]
mod tests {
    use motcua_domain::dossier::replay;

    use super::*;

    #[test]
    fn the_sample_histories_are_valid() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        for kind in FormKind::ALL {
            let history = history(kind, day);
            let replayed = replay(&history).unwrap_or_else(|e| panic!("{kind}: {e:?}"));
            assert_eq!(replayed, state(kind, day), "{kind}");
        }
        assert_eq!(code(day).to_string(), "000.00.01.H38-261124-0001");
    }
}
