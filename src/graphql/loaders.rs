//! Batched data access. One `DataLoader<Batch>` per request; every relation
//! is a typed key implementing `Loader` (in the file of the type it loads),
//! and each batch of keys is one SQL statement.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Lookahead};
use std::hash::Hash;

use sea_orm::{DbErr, QueryResult, Value};

use super::paging::{ListQuery, Page, Window, split_nested};
use crate::db::{Db, FromRow, padded_in, padded_in_table, stmt};

pub struct Batch {
    pub db: Db,
}

pub type Loaders = DataLoader<Batch>;

pub type LoadResult<K, V> = Result<HashMap<K, V>, Arc<DbErr>>;

/// Rows of a batch by id (their parent's, their own): hashed by foldhash,
/// where std's SipHash, made to withstand keys chosen against it, was 7 %
/// of the nested benchmark query's instructions (1.1 of 16.6 million),
/// most of it here: a statement's rows grouped by parent and shared by
/// id, each hashed once or twice, and every map rehashed as it grew. The
/// ids come from the database and from keys bounded by the query's cost,
/// and foldhash is still seeded per process. A DataLoader's own maps stay
/// std's (its `Loader` trait returns one).
pub type IdMap<V> = HashMap<i64, V, foldhash::fast::RandomState>;

/// An empty [`IdMap`] with room for `n` ids.
pub fn id_map<V>(n: usize) -> IdMap<V> {
    IdMap::with_capacity_and_hasher(n, Default::default())
}

/// A parent's rows as a loader hands them out: shared, because the
/// DataLoader clones a value for every `load_one` waiting on it (the
/// authors and institutions of each authorship of a page: hundreds), and
/// each row shared again by the GraphQL object made of it.
pub type Rows<M> = Arc<[Arc<M>]>;

/// [`Rows`] of a parent's rows, none if it has none.
pub fn rows<M>(found: Option<Vec<Arc<M>>>) -> Rows<M> {
    found.unwrap_or_default().into()
}

pub fn new(db: &Db) -> Loaders {
    DataLoader::new(Batch { db: db.clone() }, tokio::spawn)
}

pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

pub fn db<'a>(ctx: &Context<'a>) -> &'a Db {
    ctx.data_unchecked::<Db>()
}

impl Batch {
    /// Runs `sql`, whose `{ids}` stands for the parents' ids and whose rows
    /// name their parent in `parent__`, and groups the rows by parent in
    /// the order the statement returned them.
    pub async fn children<M: FromRow>(
        &self,
        sql: &str,
        ids: impl Iterator<Item = i64>,
    ) -> Result<IdMap<Vec<Arc<M>>>, DbErr> {
        self.children_with(sql, ids, shared_rows()).await
    }

    /// [`Batch::children`] with rows made by `decode`.
    pub async fn children_with<T>(
        &self,
        sql: &str,
        ids: impl Iterator<Item = i64>,
        mut decode: impl FnMut(&QueryResult) -> Result<T, DbErr>,
    ) -> Result<IdMap<Vec<T>>, DbErr> {
        let mut ids: Vec<Value> = ids.map(Value::from).collect();
        let mut out: IdMap<Vec<T>> = id_map(ids.len());
        let sql = sql.replace("{ids}", &padded_in(&mut ids));
        let rows = self.db.rows(stmt(self.db.backend(), &sql, ids)).await?;
        for row in rows {
            let parent: i64 = crate::db::col!(&row, "parent__")?;
            out.entry(parent).or_default().push(decode(&row)?);
        }
        Ok(out)
    }

    /// The rows of `table` with these ids, by id.
    pub async fn by_ids<M: FromRow>(
        &self,
        table: &str,
        ids: impl Iterator<Item = i64>,
    ) -> Result<IdMap<Arc<M>>, DbErr> {
        self.by_ids_of(table, "*", ids, M::from_row).await
    }

    /// [`Batch::by_ids`] reading only `columns` (`id` among them), each
    /// row made by `decode`.
    pub async fn by_ids_of<M>(
        &self,
        table: &str,
        columns: &str,
        ids: impl Iterator<Item = i64>,
        decode: impl Fn(&QueryResult) -> Result<M, DbErr>,
    ) -> Result<IdMap<Arc<M>>, DbErr> {
        let ids: Vec<i64> = ids.collect();
        let backend = self.db.read.get_database_backend();
        let mut found = id_map(ids.len());
        // Padded like every IN list, so a few statement texts serve every
        // batch size and stay prepared.
        for chunk in ids.chunks(crate::db::MAX_IN) {
            let mut ids: Vec<Value> = chunk.iter().map(|&id| id.into()).collect();
            let sql =
                format!("SELECT {columns} FROM {table} WHERE id IN ({})", padded_in_table(backend, table, &mut ids));
            for row in self.db.rows(stmt(backend, &sql, ids)).await? {
                found.insert(crate::db::col!(&row, "id")?, Arc::new(decode(&row)?));
            }
        }
        Ok(found)
    }
}

/// Decodes the rows of one statement, each model once by its
/// [`FromRow::shared_id`] and handed out shared after.
pub fn shared_rows<M: FromRow>() -> impl FnMut(&QueryResult) -> Result<Arc<M>, DbErr> {
    let mut seen: IdMap<Arc<M>> = IdMap::default();
    move |row| {
        let Some(id) = M::shared_id(row)? else { return Ok(Arc::new(M::from_row(row)?)) };
        if let Some(model) = seen.get(&id) {
            return Ok(model.clone());
        }
        let model = Arc::new(M::from_row(row)?);
        seen.insert(id, model.clone());
        Ok(model)
    }
}

impl Batch {
    /// Pages of nested lists for a batch of keys, one statement per group of
    /// keys that differ only in their parent. `split` gives a key's group
    /// and parent, `query` a group's list, parent column and window,
    /// `decode` a row of a group's statement, `join` makes the key back.
    pub async fn nested_pages<K: Hash + Eq, G: Hash + Eq, T>(
        &self,
        keys: &[K],
        split: impl Fn(&K) -> (G, i64),
        query: impl Fn(&G) -> (ListQuery, &'static str, Window),
        decode: impl Fn(&G, &QueryResult) -> Result<T, DbErr>,
        join: impl Fn(&G, i64) -> K,
    ) -> Result<HashMap<K, Page<T>>, DbErr> {
        let mut groups: HashMap<G, Vec<i64>> = HashMap::new();
        for k in keys {
            let (group, parent) = split(k);
            groups.entry(group).or_default().push(parent);
        }
        let conn = &self.db.read;
        let mut out = HashMap::with_capacity(keys.len());
        for (group, parents) in groups {
            let (list, parent, window) = query(&group);
            let rows = self.db.rows(list.nested_statement(conn, parent, &parents, window)).await?;
            for (p, page) in split_nested(conn, &list, parent, &parents, window, rows, |row| decode(&group, row))? {
                out.insert(join(&group, p), page);
            }
        }
        Ok(out)
    }
}

/// Whether every selection of `selection` asks only for `fields` of its
/// type (none at all included).
pub fn selects_only(selection: &Lookahead<'_>, fields: &[&str]) -> bool {
    selection.selection_fields().iter().all(|f| f.selection_set().all(|f| fields.contains(&f.name())))
}

/// Tells the batch's span (`loader_batch`) which loader runs, by its key
/// type (e.g. `ListKey<WorksOfAuthor>`), and for how many keys.
/// async-graphql's own loader spans (its `tracing` feature) are off: two
/// spans per `load_one`, one per field of every list item, were 7% of a
/// profile page's CPU.
pub fn name_batch<K>(keys: usize) {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let full = std::any::type_name::<K>();
    let mut short = String::with_capacity(full.len());
    for part in full.split_inclusive(['<', '>', ',', ' ']) {
        short.push_str(part.rsplit("::").next().unwrap_or(part));
    }
    tracing::debug!(loader = short.as_str(), keys, "loader batch");
}

/// A loader of rows by primary key: `by_id!(AuthorKey, author)` makes
/// `AuthorKey(i64)` load `entities::author::Model`.
macro_rules! by_id {
    ($key:ident, $entity:ident) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl async_graphql::dataloader::Loader<$key> for $crate::graphql::loaders::Batch {
            type Value = std::sync::Arc<$crate::entities::$entity::Model>;
            type Error = std::sync::Arc<sea_orm::DbErr>;

            async fn load(&self, keys: &[$key]) -> $crate::graphql::loaders::LoadResult<$key, Self::Value> {
                $crate::graphql::loaders::name_batch::<$key>(keys.len());
                use sea_orm::EntityName;
                let table = $crate::entities::$entity::Entity.table_name();
                let found = self.by_ids::<$crate::entities::$entity::Model>(table, keys.iter().map(|k| k.0)).await?;
                Ok(found.into_iter().map(|(id, model)| ($key(id), model)).collect())
            }
        }
    };
}
pub(crate) use by_id;

/// A loader of each parent's list of children: one statement per batch,
/// `children!(AuthorshipsOfWork, authorship::Model, "SELECT … WHERE work_id IN ({ids}) …")`.
macro_rules! children {
    ($key:ident, $model:ty, $sql:expr) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl async_graphql::dataloader::Loader<$key> for $crate::graphql::loaders::Batch {
            type Value = $crate::graphql::loaders::Rows<$model>;
            type Error = std::sync::Arc<sea_orm::DbErr>;

            async fn load(&self, keys: &[$key]) -> $crate::graphql::loaders::LoadResult<$key, Self::Value> {
                $crate::graphql::loaders::name_batch::<$key>(keys.len());
                let mut grouped = self.children::<$model>($sql, keys.iter().map(|k| k.0)).await?;
                Ok(keys.iter().map(|k| (*k, $crate::graphql::loaders::rows(grouped.remove(&k.0)))).collect())
            }
        }
    };
}
pub(crate) use children;
