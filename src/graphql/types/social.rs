//! The social fields of `Author` and `Work` that depend on who asks, and the
//! per-request loaders behind them: whether the viewer follows an author or
//! upvoted a work (one statement per batch), and upvote counts.
use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use sea_orm::Value;

use crate::db::{padded_in, stmt};
use crate::entities::account;
use crate::graphql::lists::NestedList;
use crate::graphql::loaders::{Batch, LoadResult, children};
use crate::graphql::paging::ListQuery;

/// (account, item) pairs that exist in a table of such pairs.
macro_rules! viewer_pairs {
    ($key:ident, $sql:literal) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key {
            pub account: i64,
            pub item: i64,
        }

        impl Loader<$key> for Batch {
            type Value = bool;
            type Error = std::sync::Arc<sea_orm::DbErr>;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, bool> {
                crate::graphql::loaders::name_batch::<$key>(keys.len());
                let mut by_account: HashMap<i64, Vec<i64>> = HashMap::new();
                for k in keys {
                    by_account.entry(k.account).or_default().push(k.item);
                }
                let mut out = HashMap::with_capacity(keys.len());
                for (account, items) in by_account {
                    let mut values: Vec<Value> = items.iter().map(|i| Value::from(*i)).collect();
                    let list = padded_in(&mut values);
                    values.insert(0, account.into());
                    let sql = $sql.replace("{ids}", &list);
                    let rows = self.db.rows(stmt(self.db.backend(), &sql, values)).await?;
                    let found: Vec<i64> = rows.iter().filter_map(|r| r.try_get_by_index::<i64>(0).ok()).collect();
                    for item in items {
                        out.insert($key { account, item }, found.contains(&item));
                    }
                }
                Ok(out)
            }
        }
    };
}

viewer_pairs!(ViewerFollows, "SELECT author_id FROM follows WHERE account_id = ? AND author_id IN ({ids})");
viewer_pairs!(ViewerUpvoted, "SELECT work_id FROM upvotes WHERE account_id = ? AND work_id IN ({ids})");

#[derive(Clone, Debug)]
pub struct Count {
    pub n: i64,
}
crate::db::from_row!(Count { n });

children!(
    UpvotesOfWork,
    Count,
    "SELECT w.id AS parent__, (SELECT COUNT(*) FROM upvotes u WHERE u.work_id = w.id) \
       + COALESCE((SELECT MAX(f.upvotes) FROM work_features f WHERE f.work_id = w.id), 0) AS n \
     FROM works w WHERE w.id IN ({ids})"
);

/// The accounts following an author, latest first.
pub struct Followers;

impl NestedList for Followers {
    type Model = account::Model;
    fn query() -> (ListQuery, &'static str) {
        (
            ListQuery::new(
                "ac.*",
                "follows f JOIN accounts ac ON ac.id = f.account_id",
                "f.created_at DESC, ac.id DESC",
            ),
            "f.author_id",
        )
    }
}
