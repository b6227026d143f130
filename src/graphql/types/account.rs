//! `Account`: a person signed up here, the author record they claimed, who
//! they follow, and the invitations they received.
use async_graphql::{Context, ID, Object};
use std::sync::Arc;

use super::author::{Author, AuthorConnection};
use super::invitation::InvitationConnection;
use crate::entities::{account, author, invitation};
use crate::error::{ApiResult, AppError};
use crate::graphql::global_id::{self, Kind};
use crate::graphql::lists::{NestedList, page_of};
use crate::graphql::loaders::{by_id, children, loaders};
use crate::graphql::paging::{ListQuery, Window};
use crate::graphql::scalars::DateTime;
use crate::graphql::viewer::viewer_id;

by_id!(AccountKey, account);

children!(
    ClaimedAuthorOfAccount,
    author::Model,
    "SELECT c.account_id AS parent__, au.* FROM claims c JOIN authors au ON au.id = c.author_id \
     WHERE c.status = 'VERIFIED' AND c.account_id IN ({ids})"
);

/// Authors an account follows, latest first.
pub struct Following;

impl NestedList for Following {
    type Model = author::Model;
    fn query() -> (ListQuery, &'static str) {
        (
            ListQuery::new("au.*", "follows f JOIN authors au ON au.id = f.author_id", "f.created_at DESC, au.id DESC"),
            "f.account_id",
        )
    }
}

/// Invitations to the author an account has claimed, latest first.
pub struct Received;

impl NestedList for Received {
    type Model = invitation::Model;
    fn query() -> (ListQuery, &'static str) {
        (
            ListQuery::new(
                "i.*",
                "invitations i JOIN claims c ON c.author_id = i.to_author_id AND c.status = 'VERIFIED'",
                "i.created_at DESC, i.id DESC",
            ),
            "c.account_id",
        )
    }
}

#[derive(Clone, Debug)]
pub struct Account(pub Arc<account::Model>);

/// Resolved lean in its connection, with no plain fields.
impl crate::graphql::lean::Plain for Account {}

#[Object]
impl Account {
    pub async fn id(&self) -> ID {
        global_id::encode(Kind::Account, self.0.id)
    }

    async fn handle(&self) -> &str {
        &self.0.handle
    }

    async fn display_name(&self) -> Option<&str> {
        self.0.display_name.as_deref()
    }

    async fn bio(&self) -> Option<&str> {
        self.0.bio.as_deref()
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// the public author record this account has claimed, if any
    async fn author(&self, ctx: &Context<'_>) -> ApiResult<Option<Author>> {
        let rows = loaders(ctx).load_one(ClaimedAuthorOfAccount(self.0.id)).await?.unwrap_or_default();
        Ok(rows.first().cloned().map(Author))
    }

    /// authors this account follows, latest first
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn following(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<AuthorConnection> {
        let page = page_of::<Following>(ctx, self.0.id, Window::forward(first, after.as_deref())?).await?;
        Ok(AuthorConnection(page.map(Author::from)))
    }

    /// invitations to collaborate sent to this account's author record,
    /// latest first; only the account itself may read them
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn invitations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<InvitationConnection> {
        if viewer_id(ctx).await? != Some(self.0.id) {
            return Err(AppError::Forbidden("only the account itself may read its invitations".into()).into());
        }
        let page = page_of::<Received>(ctx, self.0.id, Window::forward(first, after.as_deref())?).await?;
        Ok(InvitationConnection(page.map(super::invitation::Invitation::from)))
    }
}

crate::graphql::connection::connection!(AccountConnection, AccountEdge, Account, "accounts");

/// An account in a list; an account, whoever asks.
pub async fn account(ctx: &Context<'_>, id: i64) -> ApiResult<Account> {
    let row = loaders(ctx).load_one(AccountKey(id)).await?;
    row.map(Account).ok_or_else(|| AppError::Internal(format!("account {id} is gone")).into())
}
