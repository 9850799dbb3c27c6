//! The feedback terms of the Decision 766 service index for a unit and period, computed from
//! the reports' events: each report folded as of the period's last day, counted where it was
//! then (the unit or an agency below it) by `motcua_domain::feedback::indicators::count`.
//!
//! Reports are read whole (bounded by [`MAX_REPORTS`] submitted before the period's end); the
//! counts are exact up to that bound. A counter kept per event, as dossiers have, is the way
//! to go beyond it.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use motcua_domain::dossier::vietnam_date;
use motcua_domain::feedback::indicators::{Counted, count};
use motcua_domain::feedback::{FeedbackEnvelope, FeedbackEvent, FeedbackState, Subject};
use motcua_store::{Agency, FeedbackQuery};
use uuid::Uuid;

use crate::calendar::calendar_error;
use crate::error::AppError;
use crate::state::App;
use crate::stats::{FeedbackFigures, IndexView, Period};

/// Most reports one computation reads.
pub const MAX_REPORTS: i64 = 100_000;

impl App {
    /// The feedback figures of `unit` (and the agencies below it) for `period`.
    pub async fn feedback_figures(
        &self,
        unit: Uuid,
        period: &Period,
    ) -> Result<FeedbackFigures, AppError> {
        let end: DateTime<Utc> = period.end();
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        let mut states: Vec<(String, FeedbackState)> = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .store
                .list_feedback(&FeedbackQuery {
                    submitted_to: Some(end),
                    limit: 500,
                    offset,
                    ..FeedbackQuery::default()
                })
                .await?;
            let n = page.items.len() as i64;
            for row in &page.items {
                let mut envelopes = Vec::new();
                for e in self.store.feedback_events(row.id).await? {
                    if e.at >= end {
                        break;
                    }
                    let event: FeedbackEvent = serde_json::from_str(&e.data).map_err(|err| {
                        AppError::Internal(format!("event {} of {}: {err}", e.seq, row.code))
                    })?;
                    envelopes.push(FeedbackEnvelope {
                        seq: e.seq as u32,
                        at: e.at,
                        // The fold does not read the actor.
                        actor: motcua_domain::feedback::FeedbackActor::Person { account: None },
                        event,
                    });
                }
                states.push((row.code.clone(), motcua_domain::feedback::fold(&envelopes)));
            }
            offset += n;
            if n < 500 || offset >= MAX_REPORTS {
                break;
            }
        }
        let complained: HashSet<String> = states
            .iter()
            .filter_map(|(_, s)| match s.report.as_ref().map(|r| &r.subject) {
                Some(Subject::Feedback { code }) => Some(code.clone()),
                _ => None,
            })
            .collect();
        let mut mine = Vec::new();
        for (code, s) in &states {
            let Some(agency) = s.agency else { continue };
            let inside = agency == unit
                || self
                    .ancestors
                    .get(self.store.as_ref(), agency)
                    .await?
                    .contains(&unit);
            if inside {
                mine.push((code, s));
            }
        }
        let within = |t: Option<DateTime<Utc>>| {
            t.map(vietnam_date)
                .is_some_and(|d| (period.from..=period.to).contains(&d))
        };
        let about_dossiers = mine
            .iter()
            .filter(|(_, s)| {
                within(s.submitted_at)
                    && matches!(
                        s.report.as_ref().map(|r| &r.subject),
                        Some(Subject::Dossier { .. })
                    )
            })
            .count() as u64;
        let counts = count(
            mine.iter().map(|(code, s)| Counted {
                state: s,
                complained_of: complained.contains(code.as_str()),
            }),
            &calendar,
            period.from,
            period.to,
        )
        .map_err(calendar_error)?;
        Ok((counts, about_dossiers))
    }

    /// The service index of `unit` for a period, with its feedback terms (not for a single
    /// procedure's drill-down: feedback is not counted per procedure).
    pub async fn service_index(
        &self,
        unit: &Agency,
        period: &Period,
        procedure: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<IndexView, AppError> {
        let feedback = match procedure {
            None => Some(self.feedback_figures(unit.id, period).await?),
            Some(_) => None,
        };
        crate::stats::index(
            self.store.as_ref(),
            unit,
            period,
            procedure,
            now,
            feedback.as_ref(),
        )
        .await
    }
}
