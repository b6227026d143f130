//! Upvotes of works by accounts: one per account and work; they count in
//! `Work.upvotes` and in `trending` on the day they were given.
use sea_orm::{TransactionTrait, Value};

use crate::db::{Db, exec, now, one_id};
use crate::error::{AppError, AppResult};
use crate::ingest::derive::{Scope, trends};

pub async fn upvote(db: &Db, account: i64, work: i64) -> AppResult<()> {
    if one_id(&db.write, "SELECT id FROM works WHERE id = ?", vec![work.into()]).await?.is_none() {
        return Err(AppError::NotFound(format!("no work with id {work}")));
    }
    // The work's trending scores change with it, visible at once.
    let tx = db.write.begin().await?;
    let added = exec(
        &tx,
        "INSERT INTO upvotes (account_id, work_id, created_at, day) VALUES (?, ?, ?, ?) \
         ON CONFLICT (account_id, work_id) DO NOTHING",
        vec![account.into(), work.into(), now(), Value::ChronoDate(Some(chrono::Utc::now().date_naive()))],
    )
    .await?;
    if added > 0 {
        trends(&tx, Scope::Ids(&[work])).await?;
    }
    tx.commit().await?;
    Ok(())
}
