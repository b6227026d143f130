//! Typed errors and the one place where they become GraphQL errors with a
//! stable `extensions.code`. Internal details are logged, never sent.

use async_graphql::ErrorExtensions;
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadUserInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    RateLimited(String),
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("database unavailable: {0}")]
    DatabaseUnavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadUserInput(message.into())
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput(_) => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::RateLimited(_) => "RATE_LIMITED",
            Self::DatabaseUnavailable(_) => "DATABASE_UNAVAILABLE",
            Self::Database(err) if is_unavailable(err) => "DATABASE_UNAVAILABLE",
            Self::Database(err) if is_timeout(err) => "TIMEOUT",
            Self::Database(_) | Self::Internal(_) => "INTERNAL",
        }
    }

    /// What a client may see: user errors verbatim, everything else masked.
    pub fn public_message(&self) -> String {
        match self.code() {
            "INTERNAL" => "internal server error".to_owned(),
            "DATABASE_UNAVAILABLE" => "the database is unavailable, try again shortly".to_owned(),
            "TIMEOUT" => "the request took too long and was cancelled; ask for less".to_owned(),
            _ => self.to_string(),
        }
    }
}

/// The database is down, restarting, unreachable or busy, as opposed to a
/// statement being wrong: the client may try again.
pub fn is_unavailable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{DbErr, RuntimeErr};
    let runtime = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(r) | DbErr::Query(r) => r,
        _ => return false,
    };
    let RuntimeErr::SqlxError(e) = runtime else { return false };
    match e.as_ref() {
        Sqlx::Io(_)
        | Sqlx::Tls(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed
        | Sqlx::Protocol(_) => true,
        Sqlx::Database(db) => {
            let code = db.code().unwrap_or_default();
            // Postgres: connection exceptions (08…), shutting down or not yet
            // accepting (57P01–57P03); SQLite: busy or locked past its timeout.
            code.starts_with("08")
                || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
                || SQLITE_BUSY.contains(&code.as_ref())
        }
        _ => false,
    }
}

/// SQLite refused a lock another connection holds (BUSY, LOCKED, or a
/// snapshot too old to write from): trying the transaction again may work.
pub fn is_busy(err: &AppError) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    let AppError::Database(DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = err else {
        return false;
    };
    matches!(e.as_ref(), sea_orm::sqlx::Error::Database(db)
        if db.code().is_some_and(|c| SQLITE_BUSY.contains(&c.as_ref())))
}

/// SQLite's codes for a lock held elsewhere: BUSY, LOCKED, BUSY_SNAPSHOT,
/// LOCKED_SHAREDCACHE.
const SQLITE_BUSY: [&str; 4] = ["5", "6", "517", "262"];

/// A request-level GraphQL error (no field path) with its stable code, for
/// the checks that run before any resolver.
pub fn server_error(code: &'static str, message: impl Into<String>) -> async_graphql::ServerError {
    let mut error = async_graphql::ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

/// Runs a write transaction again while SQLite says another process holds
/// the lock, for at most `BUSY_RETRY` in all; then the error stands (and
/// reaches the client as `DATABASE_UNAVAILABLE`).
pub async fn retry_busy<T, F, Fut>(mut write: F) -> AppResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = AppResult<T>>,
{
    let started = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(10);
    loop {
        match write().await {
            Err(e) if is_busy(&e) && started.elapsed() < BUSY_RETRY => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(std::time::Duration::from_millis(250));
            }
            result => return result,
        }
    }
}

pub const BUSY_RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// A statement cancelled by the statement timeout.
fn is_timeout(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            matches!(e.as_ref(), sea_orm::sqlx::Error::Database(db) if db.code().as_deref() == Some("57014"))
        }
        _ => false,
    }
}

impl From<std::sync::Arc<sea_orm::DbErr>> for AppError {
    fn from(err: std::sync::Arc<sea_orm::DbErr>) -> Self {
        match std::sync::Arc::try_unwrap(err) {
            Ok(err) => Self::Database(err),
            Err(shared) if is_unavailable(&shared) => Self::DatabaseUnavailable(shared.to_string()),
            Err(shared) => Self::Internal(shared.to_string()),
        }
    }
}

/// What a resolver returns: the code and public message of an [`AppError`].
/// It has no `Display` on purpose, so that async-graphql's blanket
/// `From<impl Display>` cannot turn an error into one without a code.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub code: &'static str,
    pub message: String,
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        let code = err.code();
        if code == "INTERNAL" || code == "DATABASE_UNAVAILABLE" {
            tracing::error!(error = %err, code, "request failed");
        }
        Self { code, message: err.public_message() }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::from(err).into()
    }
}

impl From<std::sync::Arc<sea_orm::DbErr>> for ApiError {
    fn from(err: std::sync::Arc<sea_orm::DbErr>) -> Self {
        AppError::from(err).into()
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        let code = err.code;
        async_graphql::Error::new(err.message).extend_with(|_, ext| ext.set("code", code))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_internal_details_are_masked() {
        let err = AppError::Database(sea_orm::DbErr::Custom("secret table".into()));
        assert_eq!(err.code(), "INTERNAL");
        assert!(!err.public_message().contains("secret"));
        assert_eq!(AppError::bad_input("first must be 1..100").code(), "BAD_USER_INPUT");
        assert_eq!(AppError::Unauthenticated("sign in".into()).code(), "UNAUTHENTICATED");
        let gql: async_graphql::Error = ApiError::from(AppError::bad_input("nope")).into();
        assert_eq!(gql.message, "nope");
        let masked = ApiError::from(AppError::Internal("/etc/passwd".into()));
        assert_eq!((masked.code, masked.message.as_str()), ("INTERNAL", "internal server error"));
    }
}
