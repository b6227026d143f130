//! Invitations to collaborate: only to authors whose record is claimed (so a
//! person receives them) and who are open to collaborate; limited per sender.
use chrono::{Duration, Utc};
use sea_orm::{EntityTrait, TransactionTrait, Value};

use super::claims::claimed_author;
use crate::db::{Db, now, one_id};
use crate::entities::{author, invitation};
use crate::error::{AppError, AppResult};

/// Invitations one account may send per hour.
pub const PER_HOUR: i64 = 10;
pub const MAX_MESSAGE: usize = 2_000;

pub async fn invite(db: &Db, from: i64, to: i64, message: &str) -> AppResult<invitation::Model> {
    let message = message.trim();
    if message.is_empty() || message.chars().count() > MAX_MESSAGE {
        return Err(AppError::bad_input(format!("the message must have 1 to {MAX_MESSAGE} characters")));
    }
    let tx = db.write.begin().await?;
    let target = author::Entity::find_by_id(to)
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no author with id {to}")))?;
    if !target.claimed {
        return Err(AppError::Forbidden(
            "this author record is not claimed: it must be claimed before it can receive invitations".into(),
        ));
    }
    if !target.open_to_collaborate {
        return Err(AppError::Forbidden("this author is not open to collaborate".into()));
    }
    if claimed_author(&tx, from).await? == Some(to) {
        return Err(AppError::bad_input("you cannot invite yourself"));
    }
    let since = Value::ChronoDateTimeUtc(Some(Utc::now() - Duration::hours(1)));
    let sent = one_id(
        &tx,
        "SELECT COUNT(*) FROM invitations WHERE from_account_id = ? AND created_at > ?",
        vec![from.into(), since],
    )
    .await?
    .unwrap_or(0);
    if sent >= PER_HOUR {
        return Err(AppError::RateLimited(format!("at most {PER_HOUR} invitations per hour; try again later")));
    }
    let id = one_id(
        &tx,
        "INSERT INTO invitations (from_account_id, to_author_id, message, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        vec![from.into(), to.into(), message.into(), now()],
    )
    .await?
    .ok_or_else(|| AppError::Internal("insert returned no id".into()))?;
    let out = invitation::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::Internal("invitation vanished".into()))?;
    tx.commit().await?;
    Ok(out)
}
