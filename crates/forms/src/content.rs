//! The wording of each form: [`build`] turns form data into the blocks both renderers draw.
//!
//! The fields each form carries follow `legal-rules.md` §1.2 (the official titles and the
//! fields seen in production-style templates); the sentences around them are motcua's own and
//! not the official text of the circulars, which the sources reached did not give in full.

use crate::doc::{Block, CodeLine, Column, Doc, Header, Para, Run, Signature, Table, b, i, r};
use crate::error::FormError;
use crate::model::FormData;
use crate::qr::QrMatrix;
use crate::sets::{FormEntry, FormKind, FormSet};
use crate::vi;

/// What a blank field prints.
pub(crate) const BLANK: &str = "……………………";

const SIGN: &str = "(Ký và ghi rõ họ tên)";
const SIGN_SEAL: &str = "(Ký, ghi rõ họ tên và đóng dấu)";

/// The form `kind` of `set` for `data`.
pub(crate) fn build(data: &FormData, kind: FormKind, set: &FormSet) -> Result<Doc, FormError> {
    let entry = set.form(kind).ok_or_else(|| FormError::NotInSet {
        kind,
        circular: set.circular.clone(),
    })?;
    if kind != FormKind::Register && data.code.trim().is_empty() {
        return Err(FormError::Missing {
            kind,
            field: "mã hồ sơ",
        });
    }
    let mut blocks = vec![header(data), title(entry, data)];
    let body = match kind {
        FormKind::Receipt => receipt(data, entry)?,
        FormKind::SupplementRequest => supplement(data)?,
        FormKind::Refusal => refusal(data)?,
        FormKind::Apology => apology(data, entry)?,
        FormKind::StopNotice => stop(data)?,
        FormKind::ControlSheet => control_sheet(data),
        FormKind::Register => register(data),
    };
    blocks.extend(body);
    Ok(Doc {
        title: entry.title.clone(),
        label: entry.label(),
        reference: set.source(),
        landscape: kind.is_landscape(),
        blocks,
    })
}

fn header(data: &FormData) -> Block {
    Block::Header(Header {
        parent: vi::upper(data.issuer.parent_agency.trim()),
        agency: vi::upper(data.issuer.agency.trim()),
        number: format!(
            "Số: {}",
            data.document_number
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or("………/………")
        ),
        date_line: vi::date_line(&data.issuer.place, data.issued_on),
    })
}

fn title(entry: &FormEntry, data: &FormData) -> Block {
    let subtitle = match entry.kind {
        FormKind::Register => data.register_period.clone(),
        _ => None,
    };
    Block::Title(vi::upper(&entry.title), subtitle)
}

fn or_blank(s: Option<&str>) -> String {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(BLANK)
        .to_owned()
}

fn field(label: &str, value: Option<&str>) -> Block {
    Block::Para(Para::plain(vec![
        r(format!("{label}: ")),
        r(or_blank(value)),
    ]))
}

fn field_bold(label: &str, value: Option<&str>) -> Block {
    Block::Para(Para::plain(vec![
        r(format!("{label}: ")),
        b(or_blank(value)),
    ]))
}

fn para(runs: Vec<Run>) -> Block {
    Block::Para(Para::new(runs))
}

fn code_line(data: &FormData, entry: &FormEntry) -> Result<Block, FormError> {
    let qr = match (&data.lookup_url, entry.qr) {
        (Some(url), true) if !url.trim().is_empty() => {
            Some((QrMatrix::encode(url.trim())?, url.trim().to_owned()))
        }
        _ => None,
    };
    Ok(Block::Code(CodeLine {
        code: data.code.clone(),
        qr,
    }))
}

fn plain_code(data: &FormData) -> Block {
    Block::Para(Para::plain(vec![r("Mã hồ sơ: "), b(data.code.clone())]))
}

/// "Số điện thoại: …  Thư điện tử: …".
fn contacts(data: &FormData) -> Block {
    Block::Para(Para::plain(vec![
        r("Số điện thoại: "),
        r(or_blank(data.applicant.phone.as_deref())),
        r("; Thư điện tử: "),
        r(or_blank(data.applicant.email.as_deref())),
    ]))
}

fn signature(title: &str, hint: &str, name: Option<&str>) -> Signature {
    Signature {
        title: vi::upper(title),
        hint: hint.to_owned(),
        name: name.map(str::trim).unwrap_or_default().to_owned(),
    }
}

fn applicant_signatory(data: &FormData) -> Signature {
    signature("Người nộp hồ sơ", SIGN, Some(&data.applicant.name))
}

fn head_signatory(data: &FormData) -> Signature {
    let title = data
        .signatory_title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("Thủ trưởng cơ quan, đơn vị");
    signature(title, SIGN_SEAL, data.signatory_name.as_deref())
}

fn missing(kind: FormKind, field: &'static str) -> FormError {
    FormError::Missing { kind, field }
}

fn agency(data: &FormData) -> String {
    let a = data.issuer.agency.trim();
    if a.is_empty() {
        "Bộ phận Một cửa".to_owned()
    } else {
        a.to_owned()
    }
}

fn receipt(data: &FormData, entry: &FormEntry) -> Result<Vec<Block>, FormError> {
    let kind = FormKind::Receipt;
    let received = data
        .received_at
        .ok_or_else(|| missing(kind, "thời gian tiếp nhận"))?;
    let appointment = data
        .appointment
        .ok_or_else(|| missing(kind, "ngày hẹn trả kết quả"))?;
    let code = code_line(data, entry)?;
    let has_qr = matches!(&code, Block::Code(c) if c.qr.is_some());
    let mut blocks = vec![
        code,
        para(vec![r(format!("{} tiếp nhận hồ sơ của:", agency(data)))]),
        field_bold("Ông/Bà", Some(&data.applicant.name)),
        field("Số định danh cá nhân", data.applicant.id_for(kind)),
        field("Địa chỉ", data.applicant.address.as_deref()),
        contacts(data),
        field_bold("Nội dung yêu cầu giải quyết", Some(&data.procedure_name)),
    ];
    if let Some(a) = &data.authorisation {
        // A partner organisation (post office) is named without a person's number.
        let who = if a.representative_id_masked.is_empty() {
            a.representative_name.clone()
        } else {
            format!(
                "{} (số định danh cá nhân {})",
                a.representative_name, a.representative_id_masked
            )
        };
        let line = format!(
            "{who}, theo văn bản ủy quyền số {}; phạm vi ủy quyền: {}",
            a.document_number, a.scope
        );
        blocks.push(field("Người được ủy quyền nộp hồ sơ", Some(&line)));
    }
    if let Some(channel) = &data.channel {
        blocks.push(field("Hình thức nộp hồ sơ", Some(channel)));
    }
    if data.fee_due_vnd > 0 {
        blocks.push(field(
            "Phí, lệ phí phải nộp",
            Some(&format!("{} đồng", vi::integer(data.fee_due_vnd))),
        ));
    }
    blocks.push(Block::Para(Para::plain(vec![r(
        "1. Thành phần hồ sơ nộp gồm:",
    )])));
    blocks.push(components(data));
    blocks.extend([
        Block::Para(Para::plain(vec![r(format!(
            "2. Số lượng hồ sơ: {} bộ.",
            vi::count(u64::from(data.sets.max(1)))
        ))])),
        Block::Para(Para::plain(vec![
            r("3. Thời gian giải quyết hồ sơ theo quy định: "),
            r(or_blank(data.processing_time.as_deref())),
            r("."),
        ])),
        Block::Para(Para::plain(vec![
            r("4. Thời gian nhận hồ sơ: "),
            r(vi::datetime_words(received)),
            r("."),
        ])),
        Block::Para(Para::plain(vec![
            r("5. Thời gian trả kết quả giải quyết hồ sơ: "),
            b(vi::datetime_words(appointment)),
            r("."),
        ])),
        Block::Para(Para::plain(vec![
            r("6. Nơi trả kết quả: "),
            r(or_blank(data.result_place.as_deref())),
            r("."),
        ])),
        Block::Para(Para::new(vec![i(format!(
            "Khi đến nhận kết quả, ông/bà mang theo Giấy tiếp nhận này; người nhận thay mang \
             theo giấy ủy quyền theo quy định. Ông/bà tra cứu tình trạng hồ sơ bằng mã hồ sơ{}.",
            if has_qr {
                " hoặc mã QR ở trên"
            } else {
                ""
            }
        ))])),
        Block::Signatures(vec![
            applicant_signatory(data),
            signature("Người tiếp nhận hồ sơ", SIGN, data.officer_name.as_deref()),
        ]),
    ]);
    Ok(blocks)
}

fn components(data: &FormData) -> Block {
    // Only what was received; a count not recorded (a supplemented component) stays blank.
    let pieces = |n: u32| {
        if n == 0 {
            String::new()
        } else {
            vi::count(u64::from(n))
        }
    };
    let electronic = data.components.iter().any(|c| c.electronic);
    let mut rows: Vec<Vec<Vec<String>>> = data
        .components
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let mut row = vec![
                vec![(n + 1).to_string()],
                vec![c.name.clone()],
                vec![pieces(c.originals)],
                vec![pieces(c.copies)],
            ];
            if electronic {
                row.push(vec![if c.electronic {
                    "Có".into()
                } else {
                    String::new()
                }]);
            }
            row
        })
        .collect();
    if rows.is_empty() {
        rows.push(vec![
            vec![String::new()],
            vec![BLANK.to_owned()],
            vec![],
            vec![],
        ]);
    }
    let columns = if electronic {
        vec![
            col("TT", 8.0, true),
            col("Tên giấy tờ", 50.0, false),
            col("Bản chính", 14.0, true),
            col("Bản sao", 14.0, true),
            col("Bản điện tử", 14.0, true),
        ]
    } else {
        vec![
            col("TT", 8.0, true),
            col("Tên giấy tờ", 62.0, false),
            col("Bản chính", 15.0, true),
            col("Bản sao", 15.0, true),
        ]
    };
    Block::Table(Table {
        columns,
        rows,
        size: 12.0,
    })
}

fn col(title: &str, width: f32, center: bool) -> Column {
    Column {
        title: title.to_owned(),
        width,
        center,
    }
}

fn supplement(data: &FormData) -> Result<Vec<Block>, FormError> {
    let kind = FormKind::SupplementRequest;
    let request = data
        .supplement
        .as_ref()
        .filter(|s| !s.missing.is_empty() || !s.reason.trim().is_empty())
        .ok_or_else(|| missing(kind, "nội dung yêu cầu bổ sung"))?;
    let mut blocks = vec![
        plain_code(data),
        field_bold("Hồ sơ của", Some(&data.applicant.name)),
        field("Nội dung yêu cầu giải quyết", Some(&data.procedure_name)),
        field("Địa chỉ", data.applicant.address.as_deref()),
        contacts(data),
        field(
            "Ngày nộp hồ sơ",
            data.submitted_at.map(|t| vi::date(t.date())).as_deref(),
        ),
        para(vec![r(format!(
            "Sau khi xem xét hồ sơ, {} đề nghị ông/bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:",
            agency(data)
        ))]),
    ];
    for (n, item) in request.missing.iter().enumerate() {
        blocks.push(Block::Para(Para::plain(vec![
            r(format!("{}. ", n + 1)),
            b(item.trim()),
        ])));
    }
    if !request.reason.trim().is_empty() {
        blocks.push(para(vec![r("Lý do: "), r(request.reason.trim())]));
    }
    if let (false, Some(at)) = (request.at_intake, request.requested_at) {
        blocks.push(para(vec![r(format!(
            "Thời gian giải quyết hồ sơ tạm dừng từ {} cho đến khi nhận đủ hồ sơ bổ sung.",
            vi::datetime_words(at)
        ))]));
    }
    blocks.push(para(vec![
        r("Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ với "),
        r(or_blank(data.officer_name.as_deref())),
        r(", số điện thoại "),
        r(or_blank(data.officer_phone.as_deref())),
        r(" để được hướng dẫn."),
    ]));
    blocks.push(Block::Signatures(vec![signature(
        "Người hướng dẫn",
        SIGN,
        data.officer_name.as_deref(),
    )]));
    Ok(blocks)
}

fn refusal(data: &FormData) -> Result<Vec<Block>, FormError> {
    let kind = FormKind::Refusal;
    let refusal = data
        .refusal
        .as_ref()
        .filter(|c| !c.reason.trim().is_empty())
        .ok_or_else(|| missing(kind, "lý do từ chối"))?;
    Ok(vec![
        plain_code(data),
        para(vec![r(format!("{} tiếp nhận hồ sơ của:", agency(data)))]),
        field_bold("Ông/Bà", Some(&data.applicant.name)),
        field("Địa chỉ", data.applicant.address.as_deref()),
        contacts(data),
        field("Nội dung yêu cầu giải quyết", Some(&data.procedure_name)),
        para(vec![r(format!(
            "Qua nghiên cứu, đối chiếu với quy định hiện hành, {} từ chối tiếp nhận, giải quyết \
             hồ sơ này với lý do cụ thể như sau:",
            agency(data)
        ))]),
        para(vec![b(refusal.reason.trim())]),
        para(vec![r("Xin thông báo để ông/bà được biết và thực hiện./.")]),
        Block::Signatures(vec![signature(
            "Người tiếp nhận hồ sơ",
            SIGN,
            data.officer_name.as_deref(),
        )]),
    ])
}

fn addressee(data: &FormData) -> Block {
    Block::Para(Para::center(vec![
        r("Kính gửi: Ông/Bà "),
        b(data.applicant.name.trim()),
        r("."),
    ]))
}

fn apology(data: &FormData, entry: &FormEntry) -> Result<Vec<Block>, FormError> {
    let kind = FormKind::Apology;
    let a = data
        .apology
        .as_ref()
        .ok_or_else(|| missing(kind, "văn bản xin lỗi và hẹn lại ngày trả kết quả"))?;
    let new = a
        .new_appointment
        .ok_or_else(|| missing(kind, "ngày hẹn trả kết quả mới"))?;
    let previous = a.previous_appointment.or(data.original_appointment);
    let received = data.received_at.map(|t| vi::date(t.date()));
    let at_fault = a
        .at_fault
        .clone()
        .or_else(|| data.handling_agency.clone())
        .unwrap_or_else(|| agency(data));
    // Circular 03/2025 renamed the form: the apology now asks for an extension of the
    // processing time rather than announcing a new date.
    let extension = entry.variant.as_deref() == Some("extension");
    let promise = if extension {
        vec![
            r(format!(
                "Sự chậm trễ này đã gây phiền hà cho ông/bà. {} trân trọng xin lỗi ông/bà và đề \
                 nghị gia hạn thời gian giải quyết hồ sơ đến ",
                agency(data)
            )),
            b(vi::datetime_words(new)),
            r("."),
        ]
    } else {
        vec![
            r(format!(
                "Sự chậm trễ này đã gây phiền hà cho ông/bà. {} xin lỗi ông/bà và hẹn lại thời \
                 gian trả kết quả giải quyết hồ sơ vào ",
                agency(data)
            )),
            b(vi::datetime_words(new)),
            r("."),
        ]
    };
    Ok(vec![
        addressee(data),
        para(vec![
            r(format!(
                "Ngày {}, {} tiếp nhận giải quyết hồ sơ của ông/bà, mã hồ sơ ",
                or_blank(received.as_deref()),
                agency(data)
            )),
            b(data.code.clone()),
            r(format!(
                ", nội dung yêu cầu giải quyết: {}.",
                data.procedure_name.trim()
            )),
        ]),
        para(vec![
            r("Thời gian hẹn trả kết quả giải quyết hồ sơ: "),
            r(or_blank(previous.map(vi::datetime_words).as_deref())),
            r("."),
        ]),
        para(vec![r(format!(
            "Tuy nhiên, đến nay {at_fault} chưa trả kết quả giải quyết hồ sơ của ông/bà đúng hạn \
             với lý do: {}.",
            a.reason.trim().trim_end_matches('.')
        ))]),
        para(promise),
        para(vec![r("Kính mong nhận được sự thông cảm của ông/bà./.")]),
        Block::Signatures(vec![head_signatory(data)]),
    ])
}

fn stop(data: &FormData) -> Result<Vec<Block>, FormError> {
    let kind = FormKind::StopNotice;
    let stop = data
        .stop
        .as_ref()
        .filter(|c| !c.reason.trim().is_empty())
        .ok_or_else(|| missing(kind, "lý do dừng giải quyết"))?;
    Ok(vec![
        addressee(data),
        para(vec![r(format!(
            "{} thông báo dừng giải quyết hồ sơ của ông/bà như sau:",
            agency(data)
        ))]),
        field_bold("Mã hồ sơ", Some(&data.code)),
        field("Nội dung yêu cầu giải quyết", Some(&data.procedure_name)),
        field(
            "Thời gian tiếp nhận",
            data.received_at.map(vi::datetime_words).as_deref(),
        ),
        field(
            "Thời gian dừng giải quyết",
            stop.at.map(vi::datetime_words).as_deref(),
        ),
        Block::Para(Para::plain(vec![
            r("Lý do dừng giải quyết: "),
            b(stop.reason.trim()),
        ])),
        para(vec![r(format!(
            "Mọi vướng mắc, ông/bà liên hệ {} để được hướng dẫn./.",
            agency(data)
        ))]),
        Block::Signatures(vec![head_signatory(data)]),
    ])
}

fn opt_time(t: Option<chrono::NaiveDateTime>) -> Vec<String> {
    t.map(|t| vec![vi::time_short(t), vi::date(t.date())])
        .unwrap_or_default()
}

fn control_sheet(data: &FormData) -> Vec<Block> {
    let kind = FormKind::ControlSheet;
    let rows = data
        .timeline
        .iter()
        .enumerate()
        .map(|(n, row)| {
            let mut action = vec![row.action.clone()];
            if !row.note.trim().is_empty() {
                action.push(format!("({})", row.note.trim()));
            }
            let mut due = Vec::new();
            if let Some(d) = row.due {
                due.push(format!("Hạn: {}", vi::datetime_short(d)));
            }
            if let Some(f) = row.finished_at {
                due.push(format!("Xong: {}", vi::datetime_short(f)));
            }
            vec![
                vec![(n + 1).to_string()],
                action,
                vec![
                    format!("Giao: {}", row.giver),
                    format!("Nhận: {}", row.receiver),
                ],
                opt_time(row.at),
                due,
                row.outcome
                    .map(|o| vec![o.label_vi().to_owned()])
                    .unwrap_or_default(),
            ]
        })
        .collect();
    vec![
        Block::Para(Para::plain(vec![
            r("Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả, mã hồ sơ: "),
            b(data.code.clone()),
        ])),
        field_bold("Người nộp hồ sơ", Some(&data.applicant.name)),
        field("Số định danh cá nhân", data.applicant.id_for(kind)),
        field("Nội dung yêu cầu giải quyết", Some(&data.procedure_name)),
        field(
            "Thời gian tiếp nhận",
            data.received_at.map(vi::datetime_words).as_deref(),
        ),
        field(
            "Thời gian giải quyết theo quy định",
            data.processing_time.as_deref(),
        ),
        field(
            "Thời gian hẹn trả kết quả",
            data.appointment.map(vi::datetime_words).as_deref(),
        ),
        field("Cơ quan giải quyết", data.handling_agency.as_deref()),
        Block::Table(Table {
            columns: vec![
                col("TT", 6.0, true),
                col("Nội dung công việc", 22.0, false),
                col("Bên giao, bên nhận", 28.0, false),
                col("Thời gian giao, nhận", 13.0, true),
                col("Hạn xử lý, hoàn thành", 17.0, true),
                col("Kết quả (trước hạn, đúng hạn, quá hạn)", 14.0, true),
            ],
            rows,
            size: 11.0,
        }),
    ]
}

fn register(data: &FormData) -> Vec<Block> {
    let t = |x: Option<chrono::NaiveDateTime>| opt_time(x);
    let rows = data
        .register
        .iter()
        .enumerate()
        .map(|(n, row)| {
            vec![
                vec![vi::integer((n + 1) as u64)],
                vec![row.code.clone()],
                vec![row.procedure_name.clone()],
                vec![vi::count(u64::from(row.sets.max(1)))],
                vec![row.applicant_name.clone()],
                vec![row.applicant_contact.clone()],
                vec![row.handling_agency.clone()],
                t(row.received_at),
                t(row.appointment),
                t(row.forwarded_at),
                t(row.result_at),
                {
                    let mut cell = t(row.returned_at);
                    if !row.collector.is_empty() {
                        cell.push(row.collector.clone());
                    }
                    cell
                },
                vec![row.note.clone()],
            ]
        })
        .collect();
    vec![
        Block::Para(Para::plain(vec![
            r("Số hồ sơ trong sổ: "),
            b(vi::integer(data.register.len() as u64)),
        ])),
        Block::Table(Table {
            columns: vec![
                col("STT", 3.5, true),
                col("Mã hồ sơ", 17.0, false),
                col("Tên thủ tục hành chính", 10.0, false),
                col("Số lượng hồ sơ (bộ)", 4.5, true),
                col("Tên cá nhân, tổ chức", 8.0, false),
                col("Địa chỉ, số điện thoại", 8.5, false),
                col("Cơ quan chủ trì giải quyết", 8.0, false),
                col("Nhận hồ sơ", 7.0, true),
                col("Hẹn trả kết quả", 7.0, true),
                col("Chuyển hồ sơ đến cơ quan giải quyết", 7.0, true),
                col("Nhận kết quả từ cơ quan giải quyết", 7.0, true),
                col("Trả kết quả cho cá nhân, tổ chức", 7.0, true),
                col("Ghi chú", 5.5, false),
            ],
            rows,
            size: 9.0,
        }),
    ]
}
