//! `Authorship`: one author's place on a work, as printed.
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Object};
use std::collections::HashMap;
use std::sync::Arc;

use super::author::{Author, AuthorKey};
use super::institution::Institution;
use super::work::AuthorshipsOfWork;
use crate::db::col;
use crate::entities::{author, authorship, institution};
use crate::error::ApiResult;
use crate::graphql::loaders::{Batch, LoadResult, Rows, children, loaders, name_batch, shared_rows};

children!(
    InstitutionsOfAuthorship,
    institution::Model,
    "SELECT ai.authorship_id AS parent__, i.* FROM authorship_institutions ai \
     JOIN institutions i ON i.id = ai.institution_id \
     WHERE ai.authorship_id IN ({ids}) ORDER BY ai.authorship_id, i.id"
);

// The authors and the institutions of a work's authorships, keyed by the
// work: they load beside the authorships themselves, in the same level of
// the query, where keys taken from the authorships would wait for them and
// cost the query one more round of statements.
children!(
    AuthorsOfWork,
    author::Model,
    "SELECT a.work_id AS parent__, au.* FROM authorships a JOIN authors au ON au.id = a.author_id \
     WHERE a.work_id IN ({ids}) ORDER BY a.work_id, a.position"
);

/// The institutions of a work's authorships, each with its authorship's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InstitutionsOfWork(pub i64);

impl Loader<InstitutionsOfWork> for Batch {
    type Value = Arc<[(i64, Arc<institution::Model>)]>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[InstitutionsOfWork]) -> LoadResult<InstitutionsOfWork, Self::Value> {
        name_batch::<InstitutionsOfWork>(keys.len());
        let sql = "SELECT a.work_id AS parent__, ai.authorship_id AS authorship__, i.* FROM authorships a \
                   JOIN authorship_institutions ai ON ai.authorship_id = a.id \
                   JOIN institutions i ON i.id = ai.institution_id \
                   WHERE a.work_id IN ({ids}) ORDER BY a.work_id, ai.authorship_id, i.id";
        let mut institution = shared_rows::<institution::Model>();
        let mut grouped = self
            .children_with(sql, keys.iter().map(|k| k.0), move |row| Ok((col(row, "authorship__")?, institution(row)?)))
            .await?;
        Ok(keys.iter().map(|k| (*k, grouped.remove(&k.0).unwrap_or_default().into())).collect())
    }
}

/// One author's place on a work, with its author and institutions when the
/// work's authorships were loaded knowing they would be asked for.
pub struct Authorship {
    pub row: Arc<authorship::Model>,
    author: Option<Option<Arc<author::Model>>>,
    institutions: Option<Rows<institution::Model>>,
}

/// A work's authorships; `author` and `institutions` say which of theirs to
/// fetch along. Both load by the work, beside its authorships, where a
/// `load_one` per authorship cost a DataLoader request each (hundreds on a
/// profile page) and keys taken from the loaded authorships a level more.
pub async fn authorships(
    ctx: &Context<'_>,
    work_id: i64,
    author: bool,
    institutions: bool,
) -> ApiResult<Vec<Authorship>> {
    let loaders = loaders(ctx);
    let authors = async { if author { loaders.load_one(AuthorsOfWork(work_id)).await.map(Some) } else { Ok(None) } };
    let places =
        async { if institutions { loaders.load_one(InstitutionsOfWork(work_id)).await.map(Some) } else { Ok(None) } };
    let (found, authors, places) =
        futures_util::try_join!(loaders.load_one(AuthorshipsOfWork(work_id)), authors, places)?;
    let authors: Option<HashMap<i64, Arc<author::Model>>> =
        authors.map(|found| found.unwrap_or_default().iter().map(|a| (a.id, a.clone())).collect());
    let mut places: Option<HashMap<i64, Vec<Arc<institution::Model>>>> = places.map(|found| {
        let mut by_authorship: HashMap<i64, Vec<_>> = HashMap::new();
        for (authorship, place) in found.unwrap_or_default().iter() {
            by_authorship.entry(*authorship).or_default().push(place.clone());
        }
        by_authorship
    });
    Ok(found
        .unwrap_or_default()
        .iter()
        .map(|row| Authorship {
            row: row.clone(),
            author: authors.as_ref().map(|found| row.author_id.and_then(|id| found.get(&id).cloned())),
            institutions: places.as_mut().map(|found| found.remove(&row.id).unwrap_or_default().into()),
        })
        .collect())
}

impl Authorship {
    /// The author record loaded along, if any.
    pub fn person(&self) -> Option<&author::Model> {
        self.author.as_ref().and_then(|found| found.as_deref())
    }
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
