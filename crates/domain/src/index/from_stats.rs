//! From the statistics counters (and a few catalogue figures) to the index inputs
//! ([`index_inputs`]), so the service layer loads counters and calls this, then
//! [`super::compute`]. What motcua does not hold is left out, and the indicators needing it
//! are "no data".
//!
//! | key | from |
//! |---|---|
//! | `dossiers_to_handle` | in progress at the start + received + moved in − moved out |
//! | `dossiers_handled_on_time` | finished on time (index) + in progress within time (index) |
//! | `dossiers_overdue` | finished late (index) + in progress late (index) |
//! | `dossiers_received`, `dossiers_received_online` | received, every channel / online |
//! | `dossiers_resolved`, `dossiers_with_electronic_result` | results issued / electronic |
//! | `dossiers_with_fees`, `dossiers_paid_online` | received with fees due / paid online (capped) |
//! | `dossiers_digitised`, `dossiers_reusing_data` | only when digitisation is tracked |
//! | catalogue keys | [`CatalogueFacts`] (`None` = not held) |
//! | `feedback_*`, and reports about dossiers in `dossiers_with_complaint` | [`add_feedback`] |

use serde::{Deserialize, Serialize};

use crate::stats::{Counters, InProgressSplit, Metric};

use super::compute::IndexInputs;
use super::keys::InputKey;

/// Catalogue-level figures of a unit for a period; `None` where motcua does not hold the
/// figure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueFacts {
    /// TTHC within the unit's competence (3.1).
    pub procedures_in_competence: Option<u64>,
    /// Of those, with an online service, partial or full (3.1).
    pub procedures_with_online_service: Option<u64>,
    /// TTHC publicised (1.3).
    pub procedures_publicised: Option<u64>,
    /// Of those, with every constituent part filled in (1.3).
    pub procedures_fully_publicised: Option<u64>,
    /// Online services (3.2).
    pub online_services: Option<u64>,
    /// Of those, with at least one online dossier received in the period (3.2).
    pub online_services_with_dossiers: Option<u64>,
    /// TTHC with fees or charges in the catalogue (3.5, 3.5b).
    pub procedures_with_fees: Option<u64>,
    /// Of those, with at least one dossier received with fees due in the period (3.5).
    pub procedures_with_fee_dossiers: Option<u64>,
    /// Of those, with at least one dossier paid online in the period (3.5b).
    pub procedures_with_online_payment: Option<u64>,
    /// Whether dossiers record digitisation and reuse (the reserved metrics); until they
    /// do, 4.2 and 4.3 are "no data" rather than 0.
    pub tracks_digitisation: bool,
}

/// What the catalogue says of one procedure of the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProcedureFacts {
    /// An online service (partial or full) is published for it.
    pub online_service: bool,
    /// Fees or charges are stated.
    pub has_fees: bool,
    /// Every constituent part (Decree 63/2010 art. 8 §2 a–g) is filled in.
    pub fully_publicised: bool,
}

impl CatalogueFacts {
    /// Tallies the unit's procedures, each with its counters inside the period (summed over
    /// the unit's agencies). Counts each procedure once: the caller passes each once, at the
    /// highest level that has it. Dossiers record digitisation and re-use (the `digitised`
    /// and `reused` counters), so 4.2 and 4.3 are computed.
    pub fn tally<'a>(
        procedures: impl IntoIterator<Item = (&'a ProcedureFacts, &'a Counters)>,
    ) -> CatalogueFacts {
        let mut n = [0u64; 9];
        for (p, c) in procedures {
            let flags = [
                true,
                p.online_service,
                true,
                p.fully_publicised,
                p.online_service,
                p.online_service && c.get(Metric::ReceivedOnline) > 0,
                p.has_fees,
                p.has_fees && c.get(Metric::FeeDue) > 0,
                p.has_fees && c.get(Metric::PaidOnline) > 0,
            ];
            for (count, flag) in n.iter_mut().zip(flags) {
                *count += u64::from(flag);
            }
        }
        CatalogueFacts {
            procedures_in_competence: Some(n[0]),
            procedures_with_online_service: Some(n[1]),
            procedures_publicised: Some(n[2]),
            procedures_fully_publicised: Some(n[3]),
            online_services: Some(n[4]),
            online_services_with_dossiers: Some(n[5]),
            procedures_with_fees: Some(n[6]),
            procedures_with_fee_dossiers: Some(n[7]),
            procedures_with_online_payment: Some(n[8]),
            tracks_digitisation: true,
        }
    }
}

/// The index inputs of a unit for a period: `before` are its cumulative counters up to the
/// day before the period, `within` the sums over the period, `in_progress` the split of the
/// dossiers in progress at the period's end as the index counts it
/// ([`crate::dossier::timeliness::Standing::index_late`]); without it 2.1 and 5.4 are "no
/// data".
pub fn index_inputs(
    before: &Counters,
    within: &Counters,
    in_progress: Option<InProgressSplit>,
    catalogue: &CatalogueFacts,
) -> IndexInputs {
    use InputKey as K;
    let mut inputs = IndexInputs::new();
    let mut set = |key, value: i64| inputs.set(key, value as f64);

    let to_handle =
        before.in_progress() + within.received() + within.moved_in() - within.moved_out();
    set(K::DossiersToHandle, to_handle);
    if let Some(split) = in_progress {
        set(
            K::DossiersHandledOnTime,
            within.get(Metric::FinishedIndexOnTime) + split.within_time,
        );
        set(
            K::DossiersOverdue,
            within.get(Metric::FinishedIndexLate) + split.overdue,
        );
    }
    let received = within.received();
    set(K::DossiersReceived, received);
    set(
        K::DossiersReceivedOnline,
        within.get(Metric::ReceivedOnline),
    );
    set(K::DossiersResolved, within.get(Metric::Resolved));
    set(
        K::DossiersWithElectronicResult,
        within.get(Metric::ElectronicResult),
    );
    // 5.4's dossiers "rated dissatisfied or with a PAKN": the dislikes given in the period
    // (motcua holds no PAKN about a dossier).
    set(K::DossiersWithComplaint, within.get(Metric::Dissatisfied));
    // Payments are counted on their own day, fees at receipt: a dossier received last period
    // and paid in this one must not push the rate above 100%.
    let with_fees = within.get(Metric::FeeDue);
    set(K::DossiersWithFees, with_fees);
    set(
        K::DossiersPaidOnline,
        within.get(Metric::PaidOnline).min(with_fees),
    );
    if catalogue.tracks_digitisation {
        set(
            K::DossiersDigitised,
            within.get(Metric::Digitised).min(received),
        );
        set(
            K::DossiersReusingData,
            within.get(Metric::Reused).min(received),
        );
    }

    let catalogue_keys = [
        (
            K::ProceduresInCompetence,
            catalogue.procedures_in_competence,
        ),
        (
            K::ProceduresWithOnlineService,
            catalogue.procedures_with_online_service,
        ),
        (K::ProceduresPublicised, catalogue.procedures_publicised),
        (
            K::ProceduresFullyPublicised,
            catalogue.procedures_fully_publicised,
        ),
        (K::OnlineServices, catalogue.online_services),
        (
            K::OnlineServicesWithDossiers,
            catalogue.online_services_with_dossiers,
        ),
        (K::ProceduresWithFees, catalogue.procedures_with_fees),
        (
            K::ProceduresWithFeeDossiers,
            catalogue.procedures_with_fee_dossiers,
        ),
        (
            K::ProceduresWithOnlinePayment,
            catalogue.procedures_with_online_payment,
        ),
    ];
    for (key, value) in catalogue_keys {
        if let Some(v) = value {
            inputs.set(key, v as f64);
        }
    }
    inputs
}

/// Adds the feedback terms to a unit's inputs: 5.1–5.3 from the reports' counts
/// ([`crate::feedback::indicators::count`]), and to 5.4's "dossiers with a PAKN" the reports
/// about one of the unit's dossiers received in the period.
pub fn add_feedback(
    inputs: &mut IndexInputs,
    counts: &crate::feedback::FeedbackCounts,
    reports_about_dossiers: u64,
) {
    use InputKey as K;
    inputs.set(K::FeedbackReceived, counts.received as f64);
    inputs.set(K::FeedbackAboutRegulations, counts.about_regulations as f64);
    inputs.set(K::FeedbackToHandle, counts.to_handle as f64);
    inputs.set(K::FeedbackHandledOnTime, counts.handled_on_time as f64);
    inputs.set(K::FeedbackSatisfactory, counts.satisfactory as f64);
    let complaints = inputs.get(K::DossiersWithComplaint).unwrap_or(0.0);
    inputs.set(
        K::DossiersWithComplaint,
        complaints + reports_about_dossiers as f64,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_fills_5_1_to_5_3_and_adds_dossier_reports_to_5_4() {
        let mut inputs = IndexInputs::new();
        inputs.set(InputKey::DossiersWithComplaint, 2.0);
        let counts = crate::feedback::FeedbackCounts {
            received: 5,
            about_regulations: 4,
            to_handle: 6,
            handled_on_time: 3,
            satisfactory: 1,
        };
        add_feedback(&mut inputs, &counts, 1);
        assert_eq!(inputs.get(InputKey::DossiersWithComplaint), Some(3.0));
        assert_eq!(inputs.get(InputKey::FeedbackToHandle), Some(6.0));
        assert_eq!(inputs.get(InputKey::FeedbackSatisfactory), Some(1.0));
    }

    #[test]
    fn index_tally_counts_procedures_once_each() {
        let online_fee = ProcedureFacts {
            online_service: true,
            has_fees: true,
            fully_publicised: true,
        };
        let plain = ProcedureFacts::default();
        let busy = Counters::new()
            .with(Metric::ReceivedOnline, 3)
            .with(Metric::FeeDue, 2)
            .with(Metric::PaidOnline, 1);
        let quiet = Counters::new().with(Metric::ReceivedCounter, 4);
        let facts =
            CatalogueFacts::tally([(&online_fee, &busy), (&online_fee, &quiet), (&plain, &busy)]);
        assert_eq!(
            facts,
            CatalogueFacts {
                procedures_in_competence: Some(3),
                procedures_with_online_service: Some(2),
                procedures_publicised: Some(3),
                procedures_fully_publicised: Some(2),
                online_services: Some(2),
                online_services_with_dossiers: Some(1),
                procedures_with_fees: Some(2),
                procedures_with_fee_dossiers: Some(1),
                procedures_with_online_payment: Some(1),
                tracks_digitisation: true,
            }
        );
    }

    #[test]
    fn index_inputs_leave_out_what_is_not_held() {
        let within = Counters::new()
            .with(Metric::ReceivedOnline, 2)
            .with(Metric::FeeDue, 1)
            .with(Metric::PaidOnline, 2)
            .with(Metric::Digitised, 1)
            .with(Metric::Rated, 2)
            .with(Metric::Dissatisfied, 1);
        let inputs = index_inputs(&Counters::new(), &within, None, &CatalogueFacts::default());
        assert_eq!(inputs.get(InputKey::DossiersWithComplaint), Some(1.0));
        assert_eq!(inputs.get(InputKey::DossiersToHandle), Some(2.0));
        assert_eq!(inputs.get(InputKey::DossiersHandledOnTime), None);
        assert_eq!(inputs.get(InputKey::DossiersOverdue), None);
        // Clamped to the dossiers with fees of the period.
        assert_eq!(inputs.get(InputKey::DossiersPaidOnline), Some(1.0));
        assert_eq!(inputs.get(InputKey::DossiersDigitised), None);
        assert_eq!(inputs.get(InputKey::ProceduresInCompetence), None);
        for (key, _) in inputs.iter() {
            assert_ne!(
                key.source(),
                super::super::keys::InputSource::External,
                "{key}"
            );
            assert_ne!(
                key.source(),
                super::super::keys::InputSource::Feedback,
                "{key}"
            );
        }
        let tracked = CatalogueFacts {
            tracks_digitisation: true,
            ..CatalogueFacts::default()
        };
        let inputs = index_inputs(&Counters::new(), &within, None, &tracked);
        assert_eq!(inputs.get(InputKey::DossiersDigitised), Some(1.0));
        assert_eq!(inputs.get(InputKey::DossiersReusingData), Some(0.0));
    }
}
