//! `Authorship`: one author's place on a work, as printed.
use async_graphql::{Context, Object};
use std::sync::Arc;

use super::author::{Author, AuthorKey};
use super::institution::Institution;
use crate::entities::{author, authorship, institution};
use crate::error::ApiResult;
use crate::graphql::loaders::{Rows, children, loaders};

children!(
    InstitutionsOfAuthorship,
    institution::Model,
    "SELECT ai.authorship_id AS parent__, i.* FROM authorship_institutions ai \
     JOIN institutions i ON i.id = ai.institution_id \
     WHERE ai.authorship_id IN ({ids}) ORDER BY ai.authorship_id, i.id"
);

/// One author's place on a work, with its author and institutions when the
/// work's authorships were loaded knowing they would be asked for.
pub struct Authorship {
    pub row: Arc<authorship::Model>,
    author: Option<Option<Arc<author::Model>>>,
    institutions: Option<Rows<institution::Model>>,
}

/// A work's authorships; `author` and `institutions` say which of theirs to
/// fetch along, each in one `load_many` for the whole list where a
/// `load_one` per authorship cost a DataLoader request each (hundreds on a
/// profile page).
pub async fn authorships(
    ctx: &Context<'_>,
    rows: Rows<authorship::Model>,
    author: bool,
    institutions: bool,
) -> ApiResult<Vec<Authorship>> {
    let authors = async {
        let keys = rows.iter().filter_map(|a| a.author_id).map(AuthorKey);
        if author { loaders(ctx).load_many(keys).await.map(Some) } else { Ok(None) }
    };
    let places = async {
        let keys = rows.iter().map(|a| InstitutionsOfAuthorship(a.id));
        if institutions { loaders(ctx).load_many(keys).await.map(Some) } else { Ok(None) }
    };
    let (authors, places) = futures_util::try_join!(authors, places)?;
    Ok(rows
        .iter()
        .map(|row| Authorship {
            row: row.clone(),
            author: authors.as_ref().map(|found| row.author_id.and_then(|id| found.get(&AuthorKey(id)).cloned())),
            institutions: places
                .as_ref()
                .map(|found| found.get(&InstitutionsOfAuthorship(row.id)).cloned().unwrap_or_default()),
        })
        .collect())
}

#[Object]
impl Authorship {
    /// 1-based
    async fn position(&self) -> i32 {
        self.row.position
    }

    /// the author record, when the name is resolved to one
    async fn author(&self, ctx: &Context<'_>) -> ApiResult<Option<Author>> {
        let found = match (&self.author, self.row.author_id) {
            (Some(found), _) => found.clone(),
            (None, None) => None,
            (None, Some(id)) => loaders(ctx).load_one(AuthorKey(id)).await?,
        };
        Ok(found.map(Author))
    }

    /// the name as printed on the work
    async fn raw_name(&self) -> &str {
        &self.row.raw_name
    }

    /// the author's institutions on this work
    async fn institutions(&self, ctx: &Context<'_>) -> ApiResult<Vec<Institution>> {
        let rows = match &self.institutions {
            Some(rows) => rows.clone(),
            None => loaders(ctx).load_one(InstitutionsOfAuthorship(self.row.id)).await?.unwrap_or_default(),
        };
        Ok(rows.iter().cloned().map(Institution).collect())
    }

    /// whether this author is marked as corresponding author
    async fn is_corresponding(&self) -> bool {
        self.row.is_corresponding
    }
}
