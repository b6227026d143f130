//! The event log behind live updates. Every write that subscribers may
//! want (a work created by an import, a post) adds rows here in its own
//! transaction; on Postgres it also notifies, so listeners in any process
//! wake at once, while on SQLite they poll. See `crate::live`.
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Value};

use crate::db::{Sink, insert_tuples, stmt};

pub const CHANNEL: &str = "scholargraph_events";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Work,
    Post,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Work => "work",
            EventKind::Post => "post",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "work" => Some(EventKind::Work),
            "post" => Some(EventKind::Post),
            _ => None,
        }
    }
}

pub async fn record<C: Sink>(conn: &C, kind: EventKind, ids: &[i64]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let at = crate::db::now();
    let rows = ids.iter().map(|id| vec![kind.name().into(), (*id).into(), at.clone()]).collect();
    insert_tuples(conn, "INSERT INTO events (kind, item_id, created_at) VALUES {rows}", 3, rows).await?;
    if conn.get_database_backend() == DbBackend::Postgres {
        // Delivered on commit; notifications of one transaction are merged.
        conn.send(stmt(DbBackend::Postgres, &format!("SELECT pg_notify('{CHANNEL}', '')"), vec![])).await?;
    }
    Ok(())
}

/// Deletes events older than `keep`: they have been delivered or nobody
/// was listening.
pub async fn prune<C: ConnectionTrait>(conn: &C, keep: std::time::Duration) -> Result<u64, DbErr> {
    let before = chrono::Utc::now() - chrono::Duration::from_std(keep).unwrap_or(chrono::Duration::hours(1));
    let sql = "DELETE FROM events WHERE created_at < ?";
    Ok(conn
        .execute_raw(stmt(conn.get_database_backend(), sql, vec![Value::ChronoDateTimeUtc(Some(before))]))
        .await?
        .rows_affected())
}
