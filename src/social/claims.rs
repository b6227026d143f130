//! Claiming a public author record. A claim whose ORCID iD equals the
//! record's is verified at once (verification level 2); any other waits for
//! an administrator (level 3 when approved). One verified claim per author
//! and per account.
use sea_orm::{ConnectionTrait, DatabaseTransaction, EntityTrait, FromQueryResult, SqlErr, TransactionTrait};

use super::follows::author_exists;
use crate::db::{Db, exec, now, one_id, stmt};
use crate::entities::{account, claim};
use crate::error::{AppError, AppResult};
use crate::ids;

pub const PENDING: &str = "PENDING";
pub const VERIFIED: &str = "VERIFIED";
pub const REJECTED: &str = "REJECTED";

async fn find(conn: &impl ConnectionTrait, sql: &str, values: Vec<sea_orm::Value>) -> AppResult<Option<claim::Model>> {
    Ok(claim::Model::find_by_statement(stmt(conn.get_database_backend(), sql, values)).one(conn).await?)
}

/// The author an account holds a verified claim on.
pub async fn claimed_author(conn: &impl ConnectionTrait, account: i64) -> AppResult<Option<i64>> {
    Ok(one_id(conn, "SELECT author_id FROM claims WHERE account_id = ? AND status = 'VERIFIED'", vec![account.into()])
        .await?)
}

pub async fn claim(db: &Db, account: i64, author: i64, orcid: Option<&str>) -> AppResult<claim::Model> {
    let orcid = orcid
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| ids::orcid(o).map_err(|e| AppError::bad_input(e.to_string())))
        .transpose()?;
    let tx = db.write.begin().await?;
    author_exists(&tx, author).await?;
    if let Some(held) =
        find(&tx, "SELECT * FROM claims WHERE author_id = ? AND status = 'VERIFIED'", vec![author.into()]).await?
    {
        if held.account_id == account {
            return Ok(held);
        }
        return Err(AppError::Forbidden("this author record is already claimed by another account".into()));
    }
    if claimed_author(&tx, account).await?.is_some() {
        return Err(AppError::Forbidden("this account already holds a verified claim on another author".into()));
    }
    let record_orcid: Option<String> = tx
        .query_one_raw(stmt(tx.get_database_backend(), "SELECT orcid FROM authors WHERE id = ?", vec![author.into()]))
        .await?
        .and_then(|r| r.try_get::<Option<String>>("", "orcid").ok().flatten());
    let matches = orcid.is_some() && orcid == record_orcid;
    let (status, level) = if matches { (VERIFIED, 2) } else { (PENDING, 0) };
    let pending = find(
        &tx,
        "SELECT * FROM claims WHERE author_id = ? AND account_id = ? AND status = 'PENDING'",
        vec![author.into(), account.into()],
    )
    .await?;
    let id = match pending {
        Some(p) => {
            exec(
                &tx,
                "UPDATE claims SET status = ?, orcid = ?, verification_level = ?, decided_at = ? WHERE id = ?",
                vec![
                    status.into(),
                    orcid.clone().into(),
                    level.into(),
                    if matches { now() } else { sea_orm::Value::ChronoDateTimeUtc(None) },
                    p.id.into(),
                ],
            )
            .await
            .map_err(race)?;
            p.id
        }
        None => one_id(
            &tx,
            "INSERT INTO claims (author_id, account_id, status, orcid, verification_level, created_at, decided_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                author.into(),
                account.into(),
                status.into(),
                orcid.into(),
                level.into(),
                now(),
                if matches { now() } else { sea_orm::Value::ChronoDateTimeUtc(None) },
            ],
        )
        .await
        .map_err(race)?
        .ok_or_else(|| AppError::Internal("insert returned no id".into()))?,
    };
    if matches {
        mark_claimed(&tx, author).await?;
    }
    let out = by_id(&tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// Another request verified a claim on the same author or by the same account first.
fn race(e: sea_orm::DbErr) -> AppError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Forbidden("the author or the account already has a verified claim".into())
        }
        _ => e.into(),
    }
}

async fn mark_claimed(tx: &DatabaseTransaction, author: i64) -> AppResult<()> {
    exec(tx, "UPDATE authors SET claimed = ? WHERE id = ?", vec![true.into(), author.into()]).await?;
    Ok(())
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> AppResult<claim::Model> {
    claim::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| AppError::NotFound(format!("no claim {id}")))
}

/// An administrator approves (verification level 3) or rejects a pending
/// claim: `admin` is their account, or none from the command line.
pub async fn decide(db: &Db, admin: Option<&account::Model>, claim_id: i64, approve: bool) -> AppResult<claim::Model> {
    if admin.is_some_and(|a| !a.is_admin) {
        return Err(AppError::Forbidden("only administrators decide claims".into()));
    }
    let tx = db.write.begin().await?;
    let claim = by_id(&tx, claim_id).await?;
    if claim.status != PENDING {
        return Err(AppError::bad_input(format!("claim {claim_id} is {}, not PENDING", claim.status)));
    }
    let (status, level) = if approve { (VERIFIED, 3) } else { (REJECTED, 0) };
    exec(
        &tx,
        "UPDATE claims SET status = ?, verification_level = ?, decided_at = ?, decided_by = ? WHERE id = ?",
        vec![status.into(), level.into(), now(), admin.map(|a| a.id).into(), claim_id.into()],
    )
    .await
    .map_err(race)?;
    if approve {
        mark_claimed(&tx, claim.author_id).await?;
    }
    let out = by_id(&tx, claim_id).await?;
    tx.commit().await?;
    Ok(out)
}

/// Claims waiting for an administrator, oldest first.
pub async fn pending(db: &Db) -> AppResult<Vec<claim::Model>> {
    Ok(claim::Model::find_by_statement(stmt(
        db.read.get_database_backend(),
        "SELECT * FROM claims WHERE status = 'PENDING' ORDER BY created_at, id",
        vec![],
    ))
    .all(&db.reads())
    .await?)
}
