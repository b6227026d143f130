//! Nested lists whose rows are one table's models, paged per parent in one
//! statement per batch: a list is a marker type naming its query, and
//! `ListKey<L>` loads pages of it.
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::Loader;

use super::loaders::{Batch, LoadResult};
use super::paging::{ListQuery, Page, Window};
use crate::db::FromRow;

pub trait NestedList: Send + Sync + 'static {
    type Model: FromRow + Clone + Send + Sync + 'static;
    /// The list and the SQL expression naming each row's parent.
    fn query() -> (ListQuery, &'static str);
}

pub struct ListKey<L> {
    pub parent: i64,
    pub window: Window,
    list: PhantomData<fn() -> L>,
}

impl<L> ListKey<L> {
    pub fn new(parent: i64, window: Window) -> Self {
        Self { parent, window, list: PhantomData }
    }
}

impl<L> Clone for ListKey<L> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<L> Copy for ListKey<L> {}
impl<L> PartialEq for ListKey<L> {
    fn eq(&self, other: &Self) -> bool {
        (self.parent, self.window) == (other.parent, other.window)
    }
}
impl<L> Eq for ListKey<L> {}
impl<L> Hash for ListKey<L> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.parent, self.window).hash(state);
    }
}

impl<L: NestedList> Loader<ListKey<L>> for Batch {
    // Shared rows: the DataLoader clones a value for each `load_one`.
    type Value = Page<Arc<L::Model>>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[ListKey<L>]) -> LoadResult<ListKey<L>, Self::Value> {
        crate::graphql::loaders::name_batch::<ListKey<L>>(keys.len());
        Ok(self
            .nested_pages(
                keys,
                |k| (k.window, k.parent),
                |window| {
                    let (list, parent) = L::query();
                    (list, parent, *window)
                },
                |_, r| L::Model::from_row(r).map(Arc::new),
                |window, parent| ListKey::new(parent, *window),
            )
            .await?)
    }
}

/// A page of `L` under `parent`.
pub async fn page_of<L: NestedList>(
    ctx: &async_graphql::Context<'_>,
    parent: i64,
    window: Window,
) -> crate::error::ApiResult<Page<Arc<L::Model>>> {
    let page = super::loaders::loaders(ctx).load_one(ListKey::<L>::new(parent, window)).await?;
    Ok(page.unwrap_or_else(super::types::work::empty_page))
}
