//! The social layer's rules, shared by the GraphQL mutations and the CLI:
//! accounts and tokens, follows, profile claims, invitations, posts,
//! upvotes, the trust score, and the event log behind live updates.
pub mod accounts;
pub mod claims;
pub mod credentials;
pub mod events;
pub mod follows;
pub mod invitations;
pub mod links;
pub mod posts;
pub mod profile;
pub mod trust;
pub mod upvotes;

use sea_orm::{ConnectionTrait, DbErr, Value};

use crate::db::stmt;

/// Rows of one column of integers.
pub async fn ids(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<Vec<i64>, DbErr> {
    let rows = conn.query_all_raw(stmt(conn.get_database_backend(), sql, values)).await?;
    rows.iter().map(|r| r.try_get_by_index::<i64>(0)).collect()
}

/// The one integer a statement answers, if any.
pub async fn one_id(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<Option<i64>, DbErr> {
    Ok(ids(conn, sql, values).await?.into_iter().next())
}

/// Runs a statement, returning the rows it changed.
pub async fn exec(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
    Ok(conn.execute_raw(stmt(conn.get_database_backend(), sql, values)).await?.rows_affected())
}

pub fn now() -> Value {
    Value::ChronoDateTimeUtc(Some(chrono::Utc::now()))
}
