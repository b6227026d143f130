//! `Authorship`: one author's place on a work, as printed.
use async_graphql::{Context, Object};

use super::author::{Author, AuthorKey};
use super::institution::Institution;
use crate::entities::{authorship, institution};
use crate::error::ApiResult;
use crate::graphql::loaders::{children, loaders};

children!(
    InstitutionsOfAuthorship,
    institution::Model,
    "SELECT ai.authorship_id AS parent__, i.* FROM authorship_institutions ai \
     JOIN institutions i ON i.id = ai.institution_id \
     WHERE ai.authorship_id IN ({ids}) ORDER BY ai.authorship_id, i.id"
);

/// One author's place on a work.
pub struct Authorship(pub authorship::Model);

#[Object]
impl Authorship {
    /// 1-based
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// the author record, when the name is resolved to one
    async fn author(&self, ctx: &Context<'_>) -> ApiResult<Option<Author>> {
        let Some(id) = self.0.author_id else { return Ok(None) };
        Ok(loaders(ctx).load_one(AuthorKey(id)).await?.map(Author))
    }

    /// the name as printed on the work
    async fn raw_name(&self) -> &str {
        &self.0.raw_name
    }

    /// the author's institutions on this work
    async fn institutions(&self, ctx: &Context<'_>) -> ApiResult<Vec<Institution>> {
        let rows = loaders(ctx).load_one(InstitutionsOfAuthorship(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(Institution).collect())
    }

    /// whether this author is marked as corresponding author
    async fn is_corresponding(&self) -> bool {
        self.0.is_corresponding
    }
}
