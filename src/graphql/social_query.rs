//! Query fields of the social layer: who is signed in, accounts by handle,
//! and the viewer's feed.
use async_graphql::{Context, Object};
use sea_orm::Value;

use super::loaders::db;
use super::paging::{ListQuery, Window};
use super::types::account::Account;
use super::types::post::{Post, PostConnection};
use super::viewer::{require, viewer};
use crate::entities::post;
use crate::error::ApiResult;
use crate::social::accounts;

#[derive(Default)]
pub struct SocialQuery;

#[Object]
impl SocialQuery {
    /// the signed-in account; null when anonymous
    async fn viewer(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        Ok(viewer(ctx).await?.cloned().map(Account::from))
    }

    /// an account by handle, whatever its case; null when unknown
    async fn account(&self, ctx: &Context<'_>, handle: String) -> ApiResult<Option<Account>> {
        Ok(accounts::by_handle(&db(ctx).reads(), &handle).await?.map(Account::from))
    }

    /// posts by the authors the viewer follows, newest first
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn feed(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> ApiResult<PostConnection> {
        let account = require(ctx).await?;
        let window = Window::forward(first, after.as_deref())?;
        let mut list = ListQuery::new("p.*", "posts p", "p.created_at DESC, p.id DESC");
        list.and(
            "p.author_id IN (SELECT f.author_id FROM follows f WHERE f.account_id = ?)",
            [Value::from(account.id)],
        );
        let page = list.fetch::<post::Model>(db(ctx), window).await?;
        Ok(PostConnection(page.map(Post::from)))
    }
}
