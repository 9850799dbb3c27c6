//! Fee lines: what a dossier owes, one line per fee or charge (name, legal basis, amount in
//! đồng, exemption or reduction as the catalogue states it). Lines are made from the
//! catalogue's parsed [`Fee`] of the channel used; which line applies to the applicant's case
//! (the catalogue often states alternatives, e.g. by aircraft weight) is chosen by staff.

use serde::{Deserialize, Serialize};

use crate::catalogue::model::{Fee, FeeKind};

use super::error::PaymentError;

/// Most lines on one dossier.
pub const MAX_FEE_LINES: usize = 20;
/// Longest line name, in characters.
pub const MAX_FEE_NAME_CHARS: usize = 200;
/// Longest legal basis, description or exemption of a line, in characters.
pub const MAX_FEE_TEXT_CHARS: usize = 500;
/// Largest amount of a line (10,000 tỷ đồng): anything above is a typing error.
pub const MAX_FEE_LINE_VND: u64 = 10_000_000_000_000;

/// One fee or charge due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    /// "Lệ phí", "Phí thẩm định", …
    pub name: String,
    pub kind: FeeKind,
    /// The legal document setting the amount, when known ("Thông tư 40/2026/TT-BTC").
    pub legal_basis: Option<String>,
    /// Integer đồng.
    pub amount_vnd: u64,
    /// An exemption or reduction the catalogue states for this line, as written.
    pub exemption: Option<String>,
    /// The catalogue's text of the line, as written.
    pub description: String,
}

impl FeeLine {
    /// Checks the limits of every field.
    pub fn validate(&self) -> Result<(), PaymentError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_FEE_NAME_CHARS {
            return Err(PaymentError::InvalidLine {
                field: "name",
                max: MAX_FEE_NAME_CHARS,
            });
        }
        for (field, text) in [
            ("legal_basis", self.legal_basis.as_deref().unwrap_or("")),
            ("exemption", self.exemption.as_deref().unwrap_or("")),
            ("description", self.description.as_str()),
        ] {
            if text.chars().count() > MAX_FEE_TEXT_CHARS {
                return Err(PaymentError::InvalidLine {
                    field,
                    max: MAX_FEE_TEXT_CHARS,
                });
            }
        }
        if self.amount_vnd > MAX_FEE_LINE_VND {
            return Err(PaymentError::AmountTooLarge {
                max: MAX_FEE_LINE_VND,
            });
        }
        Ok(())
    }
}

/// The name of a kind of line on a receipt.
pub fn kind_name(kind: FeeKind) -> &'static str {
    match kind {
        FeeKind::Fee => "Phí",
        FeeKind::Charge => "Lệ phí",
        FeeKind::ServicePrice => "Giá dịch vụ",
        FeeKind::Unspecified => "Phí, lệ phí",
    }
}

/// One line per positive amount in đồng of a channel's fee, with the procedure's legal basis
/// when given. Amounts in a foreign currency, of doubtful scale or in prose make no line: the
/// record needs review, and staff state the amount.
pub fn lines_from_fee(fee: &Fee, legal_basis: Option<&str>) -> Vec<FeeLine> {
    let clip = |s: &str| {
        s.trim()
            .chars()
            .take(MAX_FEE_TEXT_CHARS)
            .collect::<String>()
    };
    fee.items
        .iter()
        .filter_map(|item| {
            let amount = u64::try_from(item.amount_vnd?).ok().filter(|a| *a > 0)?;
            Some(FeeLine {
                name: kind_name(item.kind).to_owned(),
                kind: item.kind,
                legal_basis: legal_basis.map(clip).filter(|s| !s.is_empty()),
                amount_vnd: amount,
                exemption: item.exemption.as_deref().map(clip),
                description: clip(&item.text),
            })
        })
        .take(MAX_FEE_LINES)
        .collect()
}

/// The sum of the lines; `None` on overflow.
pub fn total_vnd(lines: &[FeeLine]) -> Option<u64> {
    lines
        .iter()
        .try_fold(0u64, |sum, l| sum.checked_add(l.amount_vnd))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::parse_fee;

    #[test]
    fn lines_of_record_1_003708() {
        let fee = parse_fee(
            "4,500,000 VNĐ",
            "Giấy chứng nhận đối với loại tàu bay từ 5.700 kg trở lên, Lệ phí: 1,500,000 (Giấy \
             chứng nhận đối với loại tàu bay dưới 5.700 kg (Miễn phí từ ngày 07/4/2026 đến \
             30/6/2026 theo quy định tại Thông tư 40/2026/TT-BTC)",
        )
        .fee
        .unwrap();
        let lines = lines_from_fee(&fee, Some("Thông tư 40/2026/TT-BTC"));
        let got: Vec<_> = lines
            .iter()
            .map(|l| (l.name.as_str(), l.amount_vnd, l.exemption.is_some()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Phí, lệ phí", 4_500_000, false),
                ("Lệ phí", 1_500_000, true)
            ]
        );
        assert_eq!(total_vnd(&lines), Some(6_000_000));
        assert!(lines.iter().all(|l| l.validate().is_ok()));
        assert_eq!(
            lines[1].legal_basis.as_deref(),
            Some("Thông tư 40/2026/TT-BTC")
        );
    }

    #[test]
    fn free_and_foreign_fees_make_no_line() {
        assert!(lines_from_fee(&parse_fee("Miễn phí", "").fee.unwrap(), None).is_empty());
        assert!(lines_from_fee(&parse_fee("10 USD", "/bản").fee.unwrap(), None).is_empty());
    }

    #[test]
    fn limits() {
        let line = FeeLine {
            name: "Lệ phí".into(),
            kind: FeeKind::Charge,
            legal_basis: None,
            amount_vnd: 1,
            exemption: None,
            description: String::new(),
        };
        assert!(line.validate().is_ok());
        let long = FeeLine {
            name: "x".repeat(MAX_FEE_NAME_CHARS + 1),
            ..line.clone()
        };
        assert!(matches!(
            long.validate(),
            Err(PaymentError::InvalidLine { field: "name", .. })
        ));
        let blank = FeeLine {
            name: "  ".into(),
            ..line.clone()
        };
        assert!(blank.validate().is_err());
        let huge = FeeLine {
            amount_vnd: MAX_FEE_LINE_VND + 1,
            ..line
        };
        assert!(matches!(
            huge.validate(),
            Err(PaymentError::AmountTooLarge { .. })
        ));
        assert_eq!(
            total_vnd(&[
                FeeLine {
                    amount_vnd: u64::MAX,
                    ..long.clone()
                },
                FeeLine {
                    amount_vnd: 1,
                    ..long
                }
            ]),
            None
        );
    }
}
