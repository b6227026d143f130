//! `Post`: what an author wrote on the social layer, with the works it
//! links to and its thread parent.
use async_graphql::{Context, ID, Object};
use std::sync::Arc;

use super::author::{Author, author};
use super::work::Work;
use crate::entities::{post, work};
use crate::error::ApiResult;
use crate::graphql::global_id::{self, Kind};
use crate::graphql::lists::NestedList;
use crate::graphql::loaders::{by_id, children, loaders};
use crate::graphql::paging::ListQuery;
use crate::graphql::scalars::DateTime;

by_id!(PostKey, post);

children!(
    WorksOfPost,
    work::Model,
    "SELECT pw.post_id AS parent__, w.* FROM post_works pw JOIN works w ON w.id = pw.work_id \
     WHERE pw.post_id IN ({ids}) ORDER BY pw.post_id, w.id"
);

/// The posts of an author, newest first.
pub struct PostsOfAuthor;

impl NestedList for PostsOfAuthor {
    type Model = post::Model;
    fn query() -> (ListQuery, &'static str) {
        (ListQuery::new("p.*", "posts p", "p.created_at DESC, p.id DESC"), "p.author_id")
    }
}

#[derive(Clone, Debug)]
pub struct Post(pub Arc<post::Model>);

/// Resolved lean in its connection, with no plain fields.
impl crate::graphql::lean::Plain for Post {}

#[Object]
impl Post {
    pub async fn id(&self) -> ID {
        global_id::encode(Kind::Post, self.0.id)
    }

    async fn author(&self, ctx: &Context<'_>) -> ApiResult<Author> {
        author(ctx, self.0.author_id).await
    }

    async fn text(&self) -> &str {
        &self.0.text
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    async fn like_count(&self) -> i32 {
        self.0.like_count
    }

    async fn repost_count(&self) -> i32 {
        self.0.repost_count
    }

    async fn reply_count(&self) -> i32 {
        self.0.reply_count
    }

    async fn quote_count(&self) -> i32 {
        self.0.quote_count
    }

    /// links found in the text, as written
    async fn links(&self) -> Vec<String> {
        serde_json::from_str(&self.0.links).unwrap_or_default()
    }

    /// the post this one replies to
    async fn reply_to(&self, ctx: &Context<'_>) -> ApiResult<Option<Post>> {
        let Some(parent) = self.0.reply_to_id else { return Ok(None) };
        Ok(loaders(ctx).load_one(PostKey(parent)).await?.map(Post))
    }

    /// works the post links to (by DOI, arXiv id or URL)
    async fn mentioned_works(&self, ctx: &Context<'_>) -> ApiResult<Vec<Work>> {
        let rows = loaders(ctx).load_one(WorksOfPost(self.0.id)).await?.unwrap_or_default();
        Ok(rows.iter().cloned().map(Work).collect())
    }
}

crate::graphql::connection::connection!(PostConnection, PostEdge, Post, "posts");
