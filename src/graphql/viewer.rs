//! Who is asking: the bearer token a request carried, checked at most once
//! per request and only when a field needs it.
use async_graphql::Context;
use tokio::sync::OnceCell;

use super::loaders::db;
use crate::entities::account;
use crate::error::{ApiResult, AppError};
use crate::social::accounts;

/// Request data: the token sent, and the account it names once looked up.
#[derive(Default)]
pub struct Viewer {
    token: Option<String>,
    account: OnceCell<Option<account::Model>>,
}

impl Viewer {
    pub fn new(token: Option<String>) -> Self {
        Self { token, account: OnceCell::new() }
    }

    /// The same token, to be looked up again (for running a request again).
    pub fn again(&self) -> Self {
        Self::new(self.token.clone())
    }

    /// An already known account (e.g. a WebSocket connection's).
    pub fn signed_in(account: Option<account::Model>) -> Self {
        Self { token: None, account: OnceCell::new_with(Some(account)) }
    }
}

/// The signed-in account; `None` when anonymous or the token is not valid.
pub async fn viewer<'a>(ctx: &Context<'a>) -> ApiResult<Option<&'a account::Model>> {
    let Some(v) = ctx.data_opt::<Viewer>() else { return Ok(None) };
    let found = v
        .account
        .get_or_try_init(|| async {
            match &v.token {
                Some(token) => accounts::authenticate(db(ctx), token).await,
                None => Ok(None),
            }
        })
        .await?;
    Ok(found.as_ref())
}

/// The signed-in account, or `UNAUTHENTICATED`.
pub async fn require<'a>(ctx: &Context<'a>) -> ApiResult<&'a account::Model> {
    let given = ctx.data_opt::<Viewer>().is_some_and(|v| v.token.is_some());
    match viewer(ctx).await? {
        Some(account) => Ok(account),
        None if given => {
            Err(AppError::Unauthenticated("the token is not valid: unknown, expired or revoked".into()).into())
        }
        None => Err(AppError::Unauthenticated("sign in: send Authorization: Bearer <token>".into()).into()),
    }
}

pub async fn viewer_id(ctx: &Context<'_>) -> ApiResult<Option<i64>> {
    Ok(viewer(ctx).await?.map(|a| a.id))
}
