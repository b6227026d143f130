//! Signing up and in, tokens, and who a token belongs to.
use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult, SqlErr, TransactionTrait, Value};

use super::credentials::{self, check_password, handle_key, hash_password, new_token, token_digest, verify_password};
use crate::db::{Db, exec, now, one_id, stmt};
use crate::entities::account;
use crate::error::{AppError, AppResult};

/// How long a sign-in token lives.
pub const SESSION_DAYS: i64 = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// from signUp or signIn; expires
    Session,
    /// from createApiToken, for other apps; lives until revoked
    Api,
}

impl TokenKind {
    fn name(self) -> &'static str {
        match self {
            TokenKind::Session => "SESSION",
            TokenKind::Api => "API",
        }
    }
}

pub struct NewAccount<'a> {
    pub handle: &'a str,
    pub password: &'a str,
    pub display_name: Option<&'a str>,
}

fn display_name(name: Option<&str>) -> AppResult<Option<String>> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > 100) {
        return Err(AppError::bad_input("displayName has more than 100 characters"));
    }
    Ok(name.map(str::to_owned))
}

/// Creates an account and a session token for it.
pub async fn sign_up(db: &Db, new: NewAccount<'_>) -> AppResult<(String, account::Model)> {
    let key = handle_key(new.handle)?;
    check_password(new.password)?;
    let name = display_name(new.display_name)?;
    let hash = hash_password(new.password.to_owned()).await?;
    let tx = db.write.begin().await?;
    let taken = one_id(&tx, "SELECT id FROM accounts WHERE handle_key = ?", vec![key.clone().into()]).await?;
    if taken.is_some() {
        return Err(handle_taken(new.handle));
    }
    let inserted = one_id(
        &tx,
        "INSERT INTO accounts (handle, handle_key, display_name, password_hash, is_admin, created_at) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        vec![new.handle.into(), key.into(), name.into(), hash.into(), false.into(), now()],
    )
    .await;
    let id = match inserted {
        Ok(Some(id)) => id,
        Ok(None) => return Err(AppError::Internal("insert returned no id".into())),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(handle_taken(new.handle));
        }
        Err(e) => return Err(e.into()),
    };
    let token = insert_token(&tx, id, TokenKind::Session, "sign-up").await?;
    tx.commit().await?;
    Ok((token, by_id(&db.write, id).await?))
}

fn handle_taken(handle: &str) -> AppError {
    AppError::bad_input(format!("the handle {handle:?} is taken"))
}

/// A session token for the right handle and password.
pub async fn sign_in(db: &Db, handle: &str, password: &str) -> AppResult<(String, account::Model)> {
    let wrong = || AppError::Unauthenticated("wrong handle or password".into());
    let Some(account) = by_handle(&db.write, handle).await? else {
        // Same work as a real check, so timing does not tell which handles exist.
        let dummy = DUMMY_HASH.get_or_try_init(|| hash_password("not a password".into())).await?;
        let _ = verify_password(password.to_owned(), dummy.clone()).await;
        return Err(wrong());
    };
    if password.len() > credentials::MAX_PASSWORD
        || !verify_password(password.to_owned(), account.password_hash.clone()).await
    {
        return Err(wrong());
    }
    let token = insert_token(&db.write, account.id, TokenKind::Session, "sign-in").await?;
    Ok((token, account))
}

static DUMMY_HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

async fn insert_token(conn: &impl ConnectionTrait, account: i64, kind: TokenKind, name: &str) -> AppResult<String> {
    let token = new_token();
    let expires = match kind {
        TokenKind::Session => Value::ChronoDateTimeUtc(Some(Utc::now() + Duration::days(SESSION_DAYS))),
        TokenKind::Api => Value::ChronoDateTimeUtc(None),
    };
    exec(
        conn,
        "INSERT INTO tokens (account_id, token_hash, kind, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        vec![account.into(), token_digest(&token).into(), kind.name().into(), name.into(), now(), expires],
    )
    .await?;
    Ok(token)
}

/// A named token for another app, shown once.
pub async fn create_api_token(db: &Db, account: i64, name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::bad_input("a token's name has 1 to 100 characters"));
    }
    insert_token(&db.write, account, TokenKind::Api, name).await
}

/// The account a bearer token names, if the token is known, unexpired and
/// not revoked.
pub async fn authenticate(db: &Db, token: &str) -> Result<Option<account::Model>, DbErr> {
    let sql = "SELECT a.* FROM tokens t JOIN accounts a ON a.id = t.account_id \
               WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)";
    account::Model::find_by_statement(stmt(
        db.read.get_database_backend(),
        sql,
        vec![token_digest(token).into(), now()],
    ))
    .one(&db.reads())
    .await
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> AppResult<account::Model> {
    account::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| AppError::NotFound(format!("no account {id}")))
}

pub async fn by_handle(conn: &impl ConnectionTrait, handle: &str) -> Result<Option<account::Model>, DbErr> {
    account::Model::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT * FROM accounts WHERE handle_key = ?",
        vec![handle.to_ascii_lowercase().into()],
    ))
    .one(conn)
    .await
}

/// Revokes a token given in full, or every token of a handle. Returns how
/// many were revoked.
pub async fn revoke(db: &Db, token_or_handle: &str) -> AppResult<u64> {
    let by_token = exec(
        &db.write,
        "UPDATE tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
        vec![now(), token_digest(token_or_handle).into()],
    )
    .await?;
    if by_token > 0 {
        return Ok(by_token);
    }
    let Some(account) = by_handle(&db.write, token_or_handle).await? else {
        return Err(AppError::NotFound("no such token or handle".into()));
    };
    Ok(exec(
        &db.write,
        "UPDATE tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
        vec![now(), account.id.into()],
    )
    .await?)
}

/// Makes (or unmakes) an account an administrator.
pub async fn set_admin(db: &Db, handle: &str, admin: bool) -> AppResult<account::Model> {
    let Some(account) = by_handle(&db.write, handle).await? else {
        return Err(AppError::NotFound(format!("no account with handle {handle:?}")));
    };
    exec(&db.write, "UPDATE accounts SET is_admin = ? WHERE id = ?", vec![admin.into(), account.id.into()]).await?;
    by_id(&db.write, account.id).await
}
