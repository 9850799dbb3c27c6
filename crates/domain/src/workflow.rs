//! An agency's internal workflow (quy trình nội bộ) for one procedure: ordered steps, each
//! handled by a role, each with its share of the statutory processing time. The shares must add
//! up to the statutory time exactly, as the province's internal-process decision publishes them.

use serde::{Deserialize, Serialize};

use crate::auth::Role;

/// A share of processing time in hundredths of the procedure's time unit (0.5 day = 50), so
/// sums are exact.
pub type Centi = u32;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    pub steps: Vec<WorkflowStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowStep {
    /// What happens in this step, e.g. "Thẩm định hồ sơ".
    pub name: String,
    /// Who handles it.
    pub role: Role,
    /// The handling unit inside the agency, if named (e.g. "Phòng Hộ tịch").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Share of the statutory time, in hundredths of its unit.
    pub share: Centi,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("a workflow needs at least one step")]
    Empty,
    #[error("step {0} has no name")]
    UnnamedStep(usize),
    #[error("the shares add up to {sum}, the statutory time is {total} (hundredths)")]
    SharesMismatch { sum: u64, total: Centi },
}

impl WorkflowError {
    pub fn code(&self) -> &'static str {
        match self {
            WorkflowError::Empty => "workflow_empty",
            WorkflowError::UnnamedStep(_) => "workflow_unnamed_step",
            WorkflowError::SharesMismatch { .. } => "workflow_shares_mismatch",
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            WorkflowError::Empty => "Quy trình nội bộ phải có ít nhất một bước.".into(),
            WorkflowError::UnnamedStep(i) => format!("Bước {} chưa có tên.", i + 1),
            WorkflowError::SharesMismatch { sum, total } => format!(
                "Tổng thời gian các bước ({}) phải bằng thời hạn giải quyết theo quy định ({}).",
                centi_text(*sum),
                centi_text(u64::from(*total))
            ),
        }
    }
}

/// `150` → "1,5" (Vietnamese decimal comma).
pub fn centi_text(c: u64) -> String {
    let (whole, frac) = (c / 100, c % 100);
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole},{}", f / 10),
        f => format!("{whole},{f:02}"),
    }
}

impl Workflow {
    /// Checks the workflow against the statutory time (hundredths of its unit).
    pub fn validate(&self, total: Centi) -> Result<(), WorkflowError> {
        if self.steps.is_empty() {
            return Err(WorkflowError::Empty);
        }
        if let Some(i) = self.steps.iter().position(|s| s.name.trim().is_empty()) {
            return Err(WorkflowError::UnnamedStep(i));
        }
        let sum: u64 = self.steps.iter().map(|s| u64::from(s.share)).sum();
        if sum != u64::from(total) {
            return Err(WorkflowError::SharesMismatch { sum, total });
        }
        Ok(())
    }

    /// The default one-stop workflow: receive → process → approve → return, sharing `total`
    /// (hundredths) as 5% / 75% / 15% / 5%, each step at least one hundredth when possible.
    pub fn default_for(total: Centi) -> Workflow {
        let part = |pct: u32| (total * pct / 100).max(u32::from(total >= 4));
        let (receive, approve, ret) = (part(5), part(15), part(5));
        let process = total.saturating_sub(receive + approve + ret);
        let step = |name: &str, role, share| WorkflowStep {
            name: name.into(),
            role,
            unit: None,
            share,
        };
        Workflow {
            steps: vec![
                step("Tiếp nhận hồ sơ", Role::ReceivingOfficer, receive),
                step("Thẩm định, xử lý hồ sơ", Role::Specialist, process),
                step("Phê duyệt kết quả", Role::Leader, approve),
                step("Trả kết quả", Role::ReceivingOfficer, ret),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shares_must_add_up() {
        let mut w = Workflow::default_for(500);
        assert_eq!(w.validate(500), Ok(()));
        let shares: Vec<u32> = w.steps.iter().map(|s| s.share).collect();
        assert_eq!(shares, vec![25, 375, 75, 25]);
        w.steps[1].share -= 50;
        let e = w.validate(500).unwrap_err();
        assert_eq!(e.code(), "workflow_shares_mismatch");
        assert!(
            e.message_vi().contains("4,5") && e.message_vi().contains("(5)"),
            "{}",
            e.message_vi()
        );
        assert_eq!(
            Workflow { steps: vec![] }.validate(0).unwrap_err().code(),
            "workflow_empty"
        );
    }

    proptest! {
        #[test]
        fn the_default_workflow_is_always_valid(total in 0u32..100_000) {
            prop_assert_eq!(Workflow::default_for(total).validate(total), Ok(()));
        }
    }
}
