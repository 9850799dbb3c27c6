//! The procedure catalogue: import from the national portal's crawl format, versions and
//! lifecycle, search, per-agency application with internal workflows, export.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use chrono::NaiveDate;
use motcua_domain::auth::Action;
use motcua_domain::catalogue::ProcedureStatus;
use motcua_domain::catalogue::search::{self, Doc, SearchIndex};
use motcua_domain::catalogue::{
    Level, Procedure, TimeReading, TimeUnit, parse_dvc_lines, parse_time,
};
use motcua_domain::text::search_fold;
use motcua_domain::workflow::{Centi, Workflow};
use motcua_store::{
    DbError, Page, ProcedureHit, ProcedureRow, ProcedureSearch, ProcedureVersion, ProcedureWrite,
    Store, WriteOutcome,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::{Caller, require};
use crate::changes::Changed;
use crate::error::AppError;

const RECHECK: StdDuration = StdDuration::from_secs(5);

pub fn level_key(l: &Level) -> &'static str {
    match l {
        Level::Ministry => "ministry",
        Level::Province => "province",
        Level::District => "district",
        Level::Commune => "commune",
        Level::OtherBody => "other_body",
        Level::Unknown(_) => "unknown",
    }
}

/// The issuing ministry of a crawled record, from the crawl's folder name.
const ISSUERS: [(&str, &str); 7] = [
    ("bo-cong-an", "Bộ Công an"),
    ("bo-nong-nghiep-mt", "Bộ Nông nghiệp và Môi trường"),
    ("bo-tai-chinh", "Bộ Tài chính"),
    ("bo-tu-phap", "Bộ Tư pháp"),
    ("bo-xay-dung", "Bộ Xây dựng"),
    ("ngan-hang-nha-nuoc", "Ngân hàng Nhà nước Việt Nam"),
    ("toa-an-nhan-dan", "Tòa án nhân dân tối cao"),
];

/// The body a procedure belongs to in the statistics: its issuing ministry when known, else
/// its competent body.
pub fn issuing_body(p: &Procedure) -> String {
    ISSUERS
        .iter()
        .find(|(folder, _)| *folder == p.agency_folder)
        .map(|(_, name)| name.to_string())
        .unwrap_or_else(|| p.competent_body.clone())
}

/// Turns a record into what the store writes: search folds, filter keys, content hash.
pub fn to_write(
    p: &Procedure,
    effective_from: NaiveDate,
    by: &str,
    status_if_new: motcua_domain::catalogue::ProcedureStatus,
) -> ProcedureWrite {
    let record = serde_json::to_string(p).expect("a procedure serialises");
    let hash: String = Sha256::digest(record.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut levels = String::from(" ");
    for l in &p.levels {
        levels.push_str(level_key(l));
        levels.push(' ');
    }
    ProcedureWrite {
        code: p.code.clone(),
        name: p.name.clone(),
        field: p.field.clone(),
        levels,
        online_level: p.online_level.key().to_string(),
        body: issuing_body(p),
        record,
        content_hash: hash,
        search_name: search_fold(&format!("{} {}", p.code, p.name)),
        search_body: search_fold(&search::body_text(p)),
        effective_from,
        by: by.to_string(),
        status_if_new,
    }
}

/// What one record of an import became.
#[derive(Debug, Clone, Serialize)]
pub struct RecordReport {
    pub line: usize,
    pub code: Option<String>,
    /// created | amended | unchanged | failed
    pub outcome: &'static str,
    pub needs_review: bool,
    /// Issue codes and messages (parsing) or the error (failed).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub records: usize,
    pub created: usize,
    pub amended: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub needs_review: usize,
    pub channels_stating_time: usize,
    pub channels_time_parsed: usize,
    pub details: Vec<RecordReport>,
}

/// Imports crawl-format JSON lines (one file's text). Records that fail to parse are reported
/// and skipped; all others are written, in batches, each batch one transaction.
pub async fn import_dvc(
    store: &dyn Store,
    text: &str,
    effective_from: NaiveDate,
    by: &str,
) -> Result<ImportReport, AppError> {
    let mut report = ImportReport::default();
    let mut batch: Vec<(usize, ProcedureWrite, bool, Vec<String>)> = Vec::new();
    for (line, parsed) in parse_dvc_lines(text) {
        report.records += 1;
        match parsed {
            Ok(p) => {
                for c in &p.procedure.channels {
                    let stated =
                        !matches!(parse_time(&c.time_text).reading, TimeReading::NotStated);
                    if stated {
                        report.channels_stating_time += 1;
                        if c.time.is_some() {
                            report.channels_time_parsed += 1;
                        }
                    }
                }
                let review = p.needs_review();
                let notes = p
                    .issues
                    .iter()
                    .map(|i| format!("{}: {}", i.kind.code(), i.message))
                    .collect();
                batch.push((
                    line,
                    to_write(
                        &p.procedure,
                        effective_from,
                        by,
                        motcua_domain::catalogue::ProcedureStatus::Published,
                    ),
                    review,
                    notes,
                ));
            }
            Err(e) => {
                report.failed += 1;
                report.details.push(RecordReport {
                    line,
                    code: None,
                    outcome: "failed",
                    needs_review: true,
                    notes: vec![format!("{}: {}", e.code(), e.message_vi())],
                });
            }
        }
        if batch.len() >= 500 {
            flush(store, &mut batch, &mut report).await?;
        }
    }
    flush(store, &mut batch, &mut report).await?;
    report.details.sort_by_key(|d| d.line);
    Ok(report)
}

async fn flush(
    store: &dyn Store,
    batch: &mut Vec<(usize, ProcedureWrite, bool, Vec<String>)>,
    report: &mut ImportReport,
) -> Result<(), AppError> {
    if batch.is_empty() {
        return Ok(());
    }
    let writes: Vec<ProcedureWrite> = batch.iter().map(|(_, w, _, _)| w.clone()).collect();
    let outcomes = store.write_procedures(&writes).await?;
    for ((line, w, review, notes), outcome) in batch.drain(..).zip(outcomes) {
        let outcome = match outcome {
            WriteOutcome::Created => {
                report.created += 1;
                "created"
            }
            WriteOutcome::Amended { .. } => {
                report.amended += 1;
                "amended"
            }
            WriteOutcome::Unchanged => {
                report.unchanged += 1;
                "unchanged"
            }
        };
        if review {
            report.needs_review += 1;
        }
        report.details.push(RecordReport {
            line,
            code: Some(w.code),
            outcome,
            needs_review: review,
            notes,
        });
    }
    Ok(())
}

/// What search keeps in memory: every procedure's search row (for filters and the result
/// items, by code) and their in-memory index. Rebuilt when the catalogue changes: at once after
/// a change made through this process, within seconds after one made by another.
pub struct CatalogueIndex {
    /// Every procedure (any status), by code: the index's document numbers.
    pub hits: Vec<Arc<ProcedureHit>>,
    pub index: SearchIndex,
}

impl CatalogueIndex {
    pub fn build(mut rows: Vec<ProcedureHit>) -> CatalogueIndex {
        // Sorted here, not by the database, so both backends give the same ties.
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        let index = SearchIndex::build(rows.iter().map(|h| Doc {
            code: &h.code,
            name: &h.name,
            body: &h.search_body,
        }));
        CatalogueIndex {
            hits: rows.into_iter().map(Arc::new).collect(),
            index,
        }
    }
}

/// The procedures the agencies of one province apply, by code (what its centres receive).
pub type Receivers = HashMap<String, Vec<Uuid>>;

#[derive(Default)]
pub struct SearchCache {
    inner: Mutex<Option<(String, Instant, Arc<CatalogueIndex>)>>,
    /// Answers to recent searches of the current index (people repeat the popular ones).
    results: Mutex<HashMap<String, Arc<SearchResult>>>,
    /// Receivers by province, each read at most every few seconds.
    receivers: Mutex<HashMap<String, (Instant, Arc<Receivers>)>>,
}

/// How many distinct searches are remembered before the memory is cleared.
const RESULT_CACHE: usize = 4096;

impl SearchCache {
    pub async fn index(&self, store: &dyn Store) -> Result<Arc<CatalogueIndex>, AppError> {
        if let Some((_, checked, v)) = self.inner.lock().expect("search cache").as_ref()
            && checked.elapsed() < RECHECK
        {
            return Ok(v.clone());
        }
        let version = store.catalogue_version().await?;
        if let Some((ver, checked, v)) = self.inner.lock().expect("search cache").as_mut()
            && *ver == version
        {
            *checked = Instant::now();
            return Ok(v.clone());
        }
        let rows = store.procedure_hits().await?;
        let index = Arc::new(
            tokio::task::spawn_blocking(move || CatalogueIndex::build(rows))
                .await
                .map_err(|e| AppError::Internal(format!("search index: {e}")))?,
        );
        *self.inner.lock().expect("search cache") = Some((version, Instant::now(), index.clone()));
        self.results.lock().expect("search cache").clear();
        Ok(index)
    }

    /// Forgets the index and the remembered answers (after this process changed the catalogue).
    pub fn invalidate(&self) {
        *self.inner.lock().expect("search cache") = None;
        self.results.lock().expect("search cache").clear();
        self.forget_receivers();
    }

    /// Forgets who receives what (after this process applied a procedure at an agency).
    pub fn forget_receivers(&self) {
        self.receivers.lock().expect("search cache").clear();
    }

    /// The procedures the agencies of `province` apply, and by which agencies.
    pub async fn receivers(
        &self,
        store: &dyn Store,
        province: &str,
    ) -> Result<Arc<Receivers>, AppError> {
        if let Some((at, r)) = self.receivers.lock().expect("search cache").get(province)
            && at.elapsed() < RECHECK
        {
            return Ok(r.clone());
        }
        let mut map = Receivers::new();
        for (code, agency) in store.applied_in_province(province).await? {
            map.entry(code).or_default().push(agency);
        }
        let map = Arc::new(map);
        self.receivers
            .lock()
            .expect("search cache")
            .insert(province.to_string(), (Instant::now(), map.clone()));
        Ok(map)
    }

    fn remembered(&self, key: &str) -> Option<Arc<SearchResult>> {
        self.results.lock().expect("search cache").get(key).cloned()
    }

    fn remember(&self, key: String, result: Arc<SearchResult>) {
        let full = {
            let mut map = self.results.lock().expect("search cache");
            let full = (map.len() >= RESULT_CACHE).then(|| std::mem::take(&mut *map));
            map.insert(key, result);
            full
        };
        // Freeing thousands of answers takes milliseconds: not under the lock, and not on the
        // request's worker thread, where every search would wait for it.
        if let Some(old) = full {
            match tokio::runtime::Handle::try_current() {
                Ok(rt) => drop(rt.spawn_blocking(move || drop(old))),
                Err(_) => drop(old),
            }
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SearchParams {
    pub q: Option<String>,
    pub level: Option<String>,
    pub field: Option<String>,
    pub online_level: Option<String>,
    pub agency: Option<Uuid>,
    /// Procedures ranked first among equally good answers (a centre's: those it receives).
    pub prefer: Option<Arc<Receivers>>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub items: Vec<ProcedureHit>,
    pub total: i64,
    /// Query words matched nothing in the catalogue and were left out.
    pub ignored_words: Vec<String>,
}

/// Searches the catalogue in memory (see `catalogue::search`), identically on both backends;
/// without words, lists it by code from the database.
pub async fn search(
    store: &dyn Store,
    cache: &SearchCache,
    p: SearchParams,
) -> Result<SearchResult, AppError> {
    let q = p.q.clone().unwrap_or_default();
    if motcua_domain::text::words(&q).next().is_none() {
        let Page { items, total } = store
            .list_procedures(&ProcedureSearch {
                terms: Vec::new(),
                level: p.level,
                field: p.field,
                online_level: p.online_level,
                agency: p.agency,
                any_status: false,
                limit: p.limit,
                offset: p.offset,
            })
            .await?;
        return Ok(SearchResult {
            items,
            total,
            ignored_words: Vec::new(),
        });
    }
    let index = cache.index(store).await?;
    // Accents rank (exact beats folded), so the key keeps them.
    let words: Vec<String> = motcua_domain::text::words(&q)
        .map(str::to_lowercase)
        .collect();
    let key = format!(
        "{}|{:?}|{:?}|{:?}|{:?}|{}|{}",
        words.join(" "),
        p.level,
        p.field,
        p.online_level,
        p.agency,
        p.limit,
        p.offset
    );
    let remember = p.prefer.is_none();
    if remember && let Some(r) = cache.remembered(&key) {
        return Ok((*r).clone());
    }
    let applied: Option<HashSet<String>> = match p.agency {
        Some(a) => Some(
            store
                .agency_procedures(a)
                .await?
                .into_iter()
                .map(|r| r.code)
                .collect(),
        ),
        None => None,
    };
    let level = p.level.as_ref().map(|l| format!(" {l} "));
    let keep = |d: usize| {
        let h = &index.hits[d];
        h.status == motcua_domain::catalogue::ProcedureStatus::Published
            && level.as_ref().is_none_or(|l| h.levels.contains(l.as_str()))
            && p.field.as_ref().is_none_or(|f| h.field == *f)
            && p.online_level.as_ref().is_none_or(|o| h.online_level == *o)
            && applied.as_ref().is_none_or(|a| a.contains(&h.code))
    };
    let prefer = |d: usize| {
        p.prefer
            .as_ref()
            .is_some_and(|r| r.contains_key(&index.hits[d].code))
    };
    let (offset, limit) = (p.offset.max(0) as usize, p.limit.max(0) as usize);
    let answer = index
        .index
        .search(&q, keep, prefer, offset.saturating_add(limit));
    let result = SearchResult {
        items: answer
            .top
            .iter()
            .skip(offset)
            .map(|f| (*index.hits[f.doc]).clone())
            .collect(),
        total: answer.total as i64,
        ignored_words: answer.ignored,
    };
    if remember {
        cache.remember(key, Arc::new(result.clone()));
    }
    Ok(result)
}

/// The statutory processing time of a procedure in hundredths of its unit, for workflows: the
/// counter channel's parsed time, else the first parsed one. "In the day" counts as one day.
pub fn statutory_time(p: &Procedure) -> Option<(Centi, TimeUnit)> {
    let parsed: Vec<_> = p
        .channels
        .iter()
        .filter_map(|c| c.time.as_ref().map(|t| (c.channel, t)))
        .collect();
    let (_, t) = parsed
        .iter()
        .find(|(c, _)| *c == motcua_domain::catalogue::Channel::Counter)
        .or_else(|| parsed.first())?;
    match t.unit {
        TimeUnit::InTheDay => Some((100, TimeUnit::WorkingDays)),
        unit => Some(((t.amount * 100.0).round() as Centi, unit)),
    }
}

pub fn not_found(e: DbError) -> AppError {
    match e {
        DbError::NotFound => AppError::NotFound("thủ tục hành chính"),
        e => e.into(),
    }
}

/// The current record of a procedure (in force on `at`, or the latest).
pub async fn record(
    store: &dyn Store,
    code: &str,
    at: Option<NaiveDate>,
) -> Result<(Procedure, i32, NaiveDate), AppError> {
    let v = store.procedure_version(code, at).await.map_err(not_found)?;
    let p: Procedure = serde_json::from_str(&v.record)
        .map_err(|e| AppError::Internal(format!("stored record: {e}")))?;
    Ok((p, v.version, v.effective_from))
}

/// A procedure record as it was in a given version (what a dossier lodged under it follows).
pub async fn record_version(
    store: &dyn Store,
    code: &str,
    version: i32,
) -> Result<Procedure, AppError> {
    let v = store
        .procedure_versions(code)
        .await?
        .into_iter()
        .find(|v| v.version == version)
        .ok_or(AppError::NotFound("phiên bản thủ tục"))?;
    serde_json::from_str(&v.record).map_err(|e| AppError::Internal(format!("stored record: {e}")))
}

/// Applies a procedure at an agency with its workflow (the default one when `None`), checking
/// the shares against the statutory time.
pub async fn apply(
    store: &dyn Store,
    code: &str,
    agency: Uuid,
    workflow: Option<Workflow>,
) -> Result<Workflow, AppError> {
    let (p, _, _) = record(store, code, None).await?;
    let (total, _) = statutory_time(&p).ok_or_else(|| {
        AppError::invalid(
            "no_statutory_time",
            format!("Thủ tục {code} chưa có thời hạn giải quyết có cấu trúc; không thể phân bổ thời gian cho quy trình."),
        )
    })?;
    let workflow = workflow.unwrap_or_else(|| Workflow::default_for(total));
    workflow
        .validate(total)
        .map_err(|e| AppError::invalid(e.code(), e.message_vi()))?;
    let json = serde_json::to_string(&workflow).expect("workflow serialises");
    store.apply_procedure(code, agency, &json).await?;
    Ok(workflow)
}

/// The procedures of stored catalogue records (`Store::procedure_records`).
pub fn parse_records(records: &[String]) -> Result<Vec<Procedure>, AppError> {
    records
        .iter()
        .map(|r| {
            serde_json::from_str(r).map_err(|e| AppError::Internal(format!("stored record: {e}")))
        })
        .collect()
}

/// A procedure code of the national database: `1.001193`.
pub fn is_procedure_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 8
        && b[1] == b'.'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 1 || c.is_ascii_digit())
}

/// A procedure row as a search answer.
fn hit_of(row: ProcedureRow) -> ProcedureHit {
    ProcedureHit {
        code: row.code,
        name: row.name,
        field: row.field,
        levels: row.levels,
        online_level: row.online_level,
        body: row.body,
        status: row.status,
        search_name: String::new(),
        search_body: String::new(),
    }
}

/// Checks a record before it is written: its code's shape and its name.
pub fn check_record(p: &Procedure) -> Result<(), AppError> {
    if !is_procedure_code(&p.code) {
        return Err(AppError::invalid(
            "invalid_procedure_code",
            format!(
                "Mã thủ tục \"{}\" không đúng dạng (ví dụ: 1.001193).",
                p.code
            ),
        ));
    }
    if p.name.trim().is_empty() {
        return Err(AppError::invalid(
            "invalid_name",
            "Tên thủ tục không được để trống.",
        ));
    }
    Ok(())
}

/// A procedure with its current record and all its versions.
#[derive(Debug, Clone)]
pub struct ProcedureDetail {
    pub row: ProcedureRow,
    pub record: Procedure,
    pub version: i32,
    pub effective_from: NaiveDate,
    pub versions: Vec<ProcedureVersion>,
}

/// A procedure applied at an agency, with its internal workflow.
#[derive(Debug, Clone)]
pub struct AppliedProcedure {
    pub code: String,
    pub name: String,
    pub workflow: Workflow,
}

/// The workflow page of a procedure at an agency: the saved workflow (`applied`) or the
/// default one for the statutory time.
#[derive(Debug, Clone)]
pub struct WorkflowSetup {
    pub row: ProcedureRow,
    pub agency: motcua_store::Agency,
    pub applied: bool,
    pub workflow: Option<Workflow>,
    pub statutory: Option<(Centi, TimeUnit)>,
}

/// Counts of lifecycle changes in a month: the store's rows (kind, field, body, count).
pub type ProcedureChanges = Vec<motcua_store::ChangeCount>;

impl crate::state::App {
    /// Searches the catalogue; a full procedure code goes straight to its procedure (any
    /// status when `any_status`, else only a published one).
    pub async fn search_procedures(
        &self,
        p: SearchParams,
        any_status: bool,
    ) -> Result<SearchResult, AppError> {
        if let Some(code) = p.q.as_deref().map(str::trim)
            && is_procedure_code(code)
            && let Some(hit) = self.exact_procedure(code, any_status).await
        {
            return Ok(SearchResult {
                items: vec![hit],
                total: 1,
                ignored_words: vec![],
            });
        }
        search(self.store.as_ref(), &self.search, p).await
    }

    /// The procedure of exactly this code, when there is one (published unless `any_status`).
    pub async fn exact_procedure(&self, code: &str, any_status: bool) -> Option<ProcedureHit> {
        match self.store.procedure(code).await {
            Ok(row)
                if any_status
                    || row.status == motcua_domain::catalogue::ProcedureStatus::Published =>
            {
                Some(hit_of(row))
            }
            _ => None,
        }
    }

    /// A procedure's row (status, version, dates).
    pub async fn procedure_row(&self, code: &str) -> Result<ProcedureRow, AppError> {
        self.store.procedure(code).await.map_err(not_found)
    }

    /// A procedure with its record (in force on `at`, or the latest) and its versions.
    pub async fn procedure_detail(
        &self,
        code: &str,
        at: Option<NaiveDate>,
    ) -> Result<ProcedureDetail, AppError> {
        let row = self.procedure_row(code).await?;
        let (record, version, effective_from) = record(self.store.as_ref(), code, at).await?;
        let versions = self.store.procedure_versions(code).await?;
        Ok(ProcedureDetail {
            row,
            record,
            version,
            effective_from,
            versions,
        })
    }

    /// Creates a procedure as a draft (system administrators).
    pub async fn create_procedure(
        &self,
        caller: &Caller,
        record: &Procedure,
    ) -> Result<(), AppError> {
        require(caller, Action::ManageCatalogue)?;
        check_record(record)?;
        if self.store.procedure(&record.code).await.is_ok() {
            return Err(AppError::conflict(
                "procedure_exists",
                format!("Thủ tục mã {} đã có trong danh mục.", record.code),
            ));
        }
        let w = to_write(
            record,
            motcua_domain::vn_time::today(),
            &caller.user.username,
            ProcedureStatus::Draft,
        );
        self.store.write_procedures(&[w]).await?;
        self.changed(Changed::Catalogue).await;
        Ok(())
    }

    /// Amends a procedure: a new version from `effective_from` (system administrators).
    pub async fn amend_procedure(
        &self,
        caller: &Caller,
        code: &str,
        record: &Procedure,
        effective_from: NaiveDate,
    ) -> Result<(), AppError> {
        require(caller, Action::ManageCatalogue)?;
        check_record(record)?;
        if record.code != code {
            return Err(AppError::invalid(
                "code_mismatch",
                "Mã thủ tục trong nội dung khác mã trên địa chỉ.",
            ));
        }
        let row = self.procedure_row(code).await?;
        if row.status == ProcedureStatus::Abolished {
            return Err(AppError::conflict(
                "procedure_abolished",
                "Thủ tục đã bị bãi bỏ, không sửa đổi được.",
            ));
        }
        let w = to_write(
            record,
            effective_from,
            &caller.user.username,
            ProcedureStatus::Draft,
        );
        self.store.write_procedures(&[w]).await?;
        self.changed(Changed::Catalogue).await;
        Ok(())
    }

    /// Publishes or abolishes a procedure on `on` (today by default), as its lifecycle allows.
    pub async fn change_procedure_status(
        &self,
        caller: &Caller,
        code: &str,
        to: ProcedureStatus,
        on: Option<NaiveDate>,
    ) -> Result<(), AppError> {
        require(caller, Action::ManageCatalogue)?;
        let row = self.procedure_row(code).await?;
        if !row.status.can_transition_to(to) {
            return Err(AppError::conflict(
                "invalid_transition",
                format!(
                    "Không thể chuyển thủ tục từ trạng thái \"{}\" sang \"{}\".",
                    row.status.label_vi(),
                    to.label_vi()
                ),
            ));
        }
        let on = on.unwrap_or_else(motcua_domain::vn_time::today);
        self.store.set_procedure_status(code, to, on).await?;
        self.changed(Changed::Catalogue).await;
        Ok(())
    }

    /// Lifecycle changes of the catalogue in a month (`YYYY-MM`), optionally of the
    /// procedures one agency applies.
    pub async fn procedure_changes(
        &self,
        month: &str,
        agency: Option<Uuid>,
    ) -> Result<ProcedureChanges, AppError> {
        Ok(self.store.procedure_changes(month, agency).await?)
    }

    /// The records of the whole catalogue (current versions), as stored JSON.
    pub async fn catalogue_records(&self) -> Result<Vec<String>, AppError> {
        Ok(self.store.procedure_records().await?)
    }

    /// The procedures an agency applies, with their workflows.
    pub async fn applied_procedures(
        &self,
        agency: Uuid,
    ) -> Result<Vec<AppliedProcedure>, AppError> {
        let rows = self.store.agency_procedures(agency).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let workflow = serde_json::from_str(&r.workflow)
                .map_err(|e| AppError::Internal(format!("stored workflow: {e}")))?;
            out.push(AppliedProcedure {
                code: r.code,
                name: r.name,
                workflow,
            });
        }
        Ok(out)
    }

    /// Applies a published procedure at an agency with its workflow (administrators of the
    /// agency); the default workflow when `None`.
    pub async fn apply_procedure(
        &self,
        caller: &Caller,
        agency: Uuid,
        code: &str,
        workflow: Option<Workflow>,
    ) -> Result<AppliedProcedure, AppError> {
        let scope = crate::auth::ResolvedScope::of(self, agency).await?;
        require(caller, Action::ConfigureAgency(scope.scope()))?;
        let row = self.procedure_row(code).await?;
        if row.status != ProcedureStatus::Published {
            return Err(AppError::conflict(
                "procedure_not_published",
                "Chỉ áp dụng được thủ tục đang công khai.",
            ));
        }
        let workflow = apply(self.store.as_ref(), code, agency, workflow).await?;
        self.changed(Changed::Receivers).await;
        Ok(AppliedProcedure {
            code: row.code,
            name: row.name,
            workflow,
        })
    }

    /// What the workflow page of a procedure at an agency shows.
    pub async fn workflow_setup(
        &self,
        code: &str,
        agency_code: &str,
    ) -> Result<WorkflowSetup, AppError> {
        let row = self.procedure_row(code).await?;
        let agency = self.agency(agency_code.trim()).await?;
        let (record, _, _) = record(self.store.as_ref(), code, None).await?;
        let statutory = statutory_time(&record);
        let (applied, workflow) = match self.store.applied_workflow(code, agency.id).await {
            Ok(json) => (
                true,
                Some(
                    serde_json::from_str::<Workflow>(&json)
                        .map_err(|e| AppError::Internal(format!("stored workflow: {e}")))?,
                ),
            ),
            Err(DbError::NotFound) => (false, statutory.map(|(t, _)| Workflow::default_for(t))),
            Err(e) => return Err(e.into()),
        };
        Ok(WorkflowSetup {
            row,
            agency,
            applied,
            workflow,
            statutory,
        })
    }

    /// The procedure with its record in force on `day` (cached).
    pub async fn in_force(
        &self,
        code: &str,
        day: NaiveDate,
    ) -> Result<Arc<crate::lookups::InForce>, AppError> {
        self.lookups.in_force(self.store.as_ref(), code, day).await
    }

    /// The agencies applying a procedure (at most `limit`).
    pub async fn agencies_applying(
        &self,
        code: &str,
        limit: i64,
    ) -> Result<Vec<motcua_store::Agency>, AppError> {
        Ok(self.store.agencies_applying(code, limit).await?)
    }
}

/// A procedure found by the desk's picker.
#[derive(Debug, Clone)]
pub struct DeskHit {
    pub code: String,
    pub name: String,
    pub field: String,
    /// Said of the best match when the desk's agency does not apply it itself: who does.
    pub elsewhere: Option<String>,
}

impl crate::state::App {
    /// The desk's procedure search: the whole catalogue, ranked as the portal ranks it, except
    /// that among equally good answers the procedures received in the agency's province come
    /// first (under Decree 118/2025 a centre receives regardless of administrative boundary);
    /// the best match says who applies it when the agency does not. A full code goes straight
    /// to its procedure.
    pub async fn desk_search(
        &self,
        q: &str,
        agency: Option<&motcua_store::Agency>,
    ) -> Result<Vec<DeskHit>, AppError> {
        let q = q.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(h) = self.exact_procedure(q, false).await {
            return Ok(vec![DeskHit {
                code: h.code,
                name: h.name,
                field: h.field,
                elsewhere: None,
            }]);
        }
        let receivers = match agency {
            Some(motcua_store::Agency {
                province_code: Some(province),
                ..
            }) => Some(self.search.receivers(self.store.as_ref(), province).await?),
            Some(a) => Some(Arc::new(
                self.store
                    .agency_procedures(a.id)
                    .await?
                    .into_iter()
                    .map(|r| (r.code, vec![a.id]))
                    .collect(),
            )),
            None => None,
        };
        let found = search(
            self.store.as_ref(),
            &self.search,
            SearchParams {
                q: Some(q.to_string()),
                prefer: receivers.clone(),
                limit: 12,
                ..Default::default()
            },
        )
        .await?;
        let mut hits: Vec<DeskHit> = found
            .items
            .into_iter()
            .map(|h| DeskHit {
                code: h.code,
                name: h.name,
                field: h.field,
                elsewhere: None,
            })
            .collect();
        if let (Some(best), Some(agency), Some(receivers)) = (hits.first_mut(), agency, receivers) {
            let by = receivers.get(&best.code).map(Vec::as_slice).unwrap_or(&[]);
            if !by.contains(&agency.id) {
                best.elsewhere = Some(match by.first() {
                    Some(other) => format!(
                        "Thủ tục này do {} giải quyết; {} vẫn tiếp nhận hồ sơ không phụ thuộc địa giới hành chính (Nghị định 118/2025/NĐ-CP).",
                        self.store.get_agency(*other).await?.name,
                        agency.name
                    ),
                    None => "Chưa có cơ quan nào trong tỉnh áp dụng thủ tục này.".to_string(),
                });
            }
        }
        Ok(hits)
    }
}
