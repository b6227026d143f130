//! Prometheus metrics at `/metrics`: requests by operation and outcome,
//! their latency, SQL statements, database pool use, rate-limit refusals and
//! the progress of the latest import (from the `imports` table).
//! The recorder is process-wide, installed by the first server.
use std::sync::OnceLock;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sea_orm::DbBackend;

use super::AppState;
use crate::ingest::runs;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Seconds: from a cached lookup to a search over a million works.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new().set_buckets(&BUCKETS).ok()?;
            match builder.install_recorder() {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

/// An operation name as a label: client-chosen, so only short plain names
/// are kept (the rest would let clients grow the metric set at will).
fn label(operation: Option<&str>) -> String {
    match operation {
        Some(name) if name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
            name.to_owned()
        }
        Some(_) => "other".to_owned(),
        None => "anonymous".to_owned(),
    }
}

/// One GraphQL request: its operation, outcome (`ok` or an error code) and time.
pub fn record_request(operation: Option<&str>, outcome: &str, seconds: f64) {
    let operation = label(operation);
    metrics::counter!("scholargraph_requests_total", "operation" => operation.clone(), "outcome" => outcome.to_owned())
        .increment(1);
    metrics::histogram!("scholargraph_request_duration_seconds", "operation" => operation).record(seconds);
    if outcome == "RATE_LIMITED" {
        metrics::counter!("scholargraph_rate_limited_total").increment(1);
    }
}

pub async fn render(State(state): State<AppState>) -> Response {
    let Some(handle) = install() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "metrics are not available in this process").into_response();
    };
    let db = &state.db;
    metrics::counter!("scholargraph_sql_statements_total").absolute(db.statement_count());
    for (name, conn) in [("read", &db.read), ("write", &db.write)] {
        let (size, idle) = match db.backend() {
            DbBackend::Sqlite => {
                let pool = conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DbBackend::Postgres => {
                let pool = conn.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => (0, 0),
        };
        pool_gauges(name, size as usize, idle);
    }
    if let Some((size, idle)) = db.rows_pool() {
        pool_gauges("rows", size, idle);
    }
    record_imports(db).await;
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render()).into_response()
}

fn pool_gauges(pool: &'static str, open: usize, idle: usize) {
    metrics::gauge!("scholargraph_db_pool_connections", "pool" => pool, "state" => "open").set(open as f64);
    metrics::gauge!("scholargraph_db_pool_connections", "pool" => pool, "state" => "idle").set(idle as f64);
}

/// The latest import into this database, by whichever process ran it.
async fn record_imports(db: &crate::db::Db) {
    if let Ok(running) = runs::running(&db.read).await {
        metrics::gauge!("scholargraph_imports_running").set(running as f64);
    }
    let Ok(Some(run)) = runs::latest(&db.read).await else {
        return;
    };
    for status in ["RUNNING", "DONE", "STOPPED"] {
        let value = if run.status == status { 1.0 } else { 0.0 };
        metrics::gauge!("scholargraph_import_last_status", "status" => status).set(value);
    }
    metrics::gauge!("scholargraph_import_last_records", "state" => "read").set(run.records_read as f64);
    metrics::gauge!("scholargraph_import_last_records", "state" => "rejected").set(run.records_rejected as f64);
    metrics::gauge!("scholargraph_import_last_works").set(run.works_written as f64);
    metrics::gauge!("scholargraph_import_last_records_per_second").set(run.records_per_second());
    if let Some(progress) = run.progress() {
        metrics::gauge!("scholargraph_import_last_progress_ratio").set(progress);
    }
    metrics::gauge!("scholargraph_import_last_update_timestamp_seconds").set(run.updated_at as f64);
}
