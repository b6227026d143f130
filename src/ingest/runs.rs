//! Import runs as the `imports` table keeps them: each import records its
//! progress there after every batch, so that `/metrics` of any server
//! sharing the database shows it, not only the importing process.
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use super::import::ImportReport;
use crate::db::{Db, exec, one_id};

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// An import that has not reported for this long was killed.
const STALE_SECONDS: i64 = 15 * 60;

/// Records a new running import; its id. Runs that stopped reporting long
/// ago (killed) are marked STOPPED.
pub async fn start(db: &Db, format: &str, bytes_total: Option<u64>) -> Result<i64, DbErr> {
    let now = unix_now();
    exec(
        &db.write,
        "UPDATE imports SET status = 'STOPPED' WHERE status = 'RUNNING' AND updated_at < ?",
        vec![(now - STALE_SECONDS).into()],
    )
    .await?;
    let id = one_id(
        &db.write,
        "INSERT INTO imports (format, status, bytes_total, started_at, updated_at) VALUES (?, 'RUNNING', ?, ?, ?) \
         RETURNING id",
        vec![format.into(), bytes_total.map(|b| b as i64).into(), now.into(), now.into()],
    )
    .await?;
    id.ok_or_else(|| DbErr::Custom("imports: no id returned".into()))
}

/// Brings the run's figures up to date; `status` is RUNNING, DONE or STOPPED.
pub async fn update(db: &Db, id: i64, report: &ImportReport, bytes_read: u64, status: &str) -> Result<(), DbErr> {
    let works = report.counts.works.created + report.counts.works.updated + report.counts.works.unchanged;
    exec(
        &db.write,
        "UPDATE imports SET status = ?, records_read = ?, records_rejected = ?, works_written = ?, bytes_read = ?, \
         updated_at = ? WHERE id = ?",
        vec![
            status.into(),
            (report.read as i64).into(),
            (report.rejected as i64).into(),
            (works as i64).into(),
            (bytes_read as i64).into(),
            unix_now().into(),
            id.into(),
        ],
    )
    .await
    .map(|_| ())
}

/// The latest import, as `/metrics` shows it.
#[derive(Debug, FromQueryResult)]
pub struct Run {
    pub status: String,
    pub records_read: i64,
    pub records_rejected: i64,
    pub works_written: i64,
    pub bytes_read: i64,
    pub bytes_total: Option<i64>,
    pub started_at: i64,
    pub updated_at: i64,
}

impl Run {
    pub fn records_per_second(&self) -> f64 {
        self.records_read as f64 / (self.updated_at - self.started_at).max(1) as f64
    }

    /// Share of the input read, when its size is known.
    pub fn progress(&self) -> Option<f64> {
        self.bytes_total.filter(|t| *t > 0).map(|t| (self.bytes_read as f64 / t as f64).min(1.0))
    }
}

pub async fn latest(conn: &impl ConnectionTrait) -> Result<Option<Run>, DbErr> {
    let sql = "SELECT status, records_read, records_rejected, works_written, bytes_read, bytes_total, started_at, \
               updated_at FROM imports ORDER BY id DESC LIMIT 1";
    Run::find_by_statement(crate::db::stmt(conn.get_database_backend(), sql, vec![])).one(conn).await
}

/// How many imports are recorded as running (a killed one until the next
/// import starts, or 15 minutes after its last report).
pub async fn running(conn: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let sql = "SELECT COUNT(*) FROM imports WHERE status = 'RUNNING' AND updated_at >= ?";
    Ok(one_id(conn, sql, vec![(unix_now() - STALE_SECONDS).into()]).await?.unwrap_or(0))
}
