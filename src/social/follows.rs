//! Following authors; an author's follower count is recounted in the same
//! transaction, so it always equals the list.
use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::db::{Db, exec, now, one_id};
use crate::error::{AppError, AppResult};

pub async fn author_exists(conn: &impl ConnectionTrait, author: i64) -> AppResult<()> {
    match one_id(conn, "SELECT id FROM authors WHERE id = ?", vec![author.into()]).await? {
        Some(_) => Ok(()),
        None => Err(AppError::NotFound(format!("no author with id {author}"))),
    }
}

/// Follows or unfollows; doing it twice changes nothing.
pub async fn set_following(db: &Db, account: i64, author: i64, follow: bool) -> AppResult<()> {
    let tx = db.write.begin().await?;
    author_exists(&tx, author).await?;
    let changed = if follow {
        exec(
            &tx,
            "INSERT INTO follows (account_id, author_id, created_at) VALUES (?, ?, ?) \
             ON CONFLICT (account_id, author_id) DO NOTHING",
            vec![account.into(), author.into(), now()],
        )
        .await?
    } else {
        exec(&tx, "DELETE FROM follows WHERE account_id = ? AND author_id = ?", vec![account.into(), author.into()])
            .await?
    };
    if changed > 0 {
        recount(&tx, author).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sets an author's follower count to the length of their follower list.
pub async fn recount(conn: &impl ConnectionTrait, author: i64) -> Result<(), sea_orm::DbErr> {
    exec(
        conn,
        "UPDATE authors SET followers_count = (SELECT COUNT(*) FROM follows f WHERE f.author_id = ?) WHERE id = ?",
        vec![author.into(), author.into()],
    )
    .await?;
    Ok(())
}
