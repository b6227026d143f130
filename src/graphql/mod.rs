//! The GraphQL API: types (one file per type), loaders (batched data access),
//! query roots (one per domain), and the schema built from them.
pub mod global_id;
pub mod paging;
pub mod scalars;

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

use crate::db::Db;

/// Limits applied when the schema is built.
#[derive(Clone, Debug)]
pub struct SchemaLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
}

impl Default for SchemaLimits {
    fn default() -> Self {
        Self { max_depth: 20, max_complexity: 20_000 }
    }
}

pub struct QueryRoot;

#[Object]
impl QueryRoot {
    async fn placeholder(&self) -> bool {
        true
    }
}

pub type AppSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

pub fn build_schema(db: Db, limits: &SchemaLimits) -> AppSchema {
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .data(db)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .finish()
}

/// Per-request data (the request's DataLoader and its cache); the server adds
/// it to every request.
pub fn request_data(db: &Db) -> Loaders {
    Loaders { _db: db.clone() }
}

pub struct Loaders {
    _db: Db,
}
