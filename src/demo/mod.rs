//! The demo corpus: the works, people, topics and institutions of the five
//! product pages, built by hand into `data/demo.json` and loaded through the
//! same writer as every import.
use anyhow::Context;
use sea_orm::FromQueryResult;

use crate::db::{Db, stmt};
use crate::ingest::{self, Document, WriteSummary};

mod feed;

pub const DEMO_JSON: &str = include_str!("../../data/demo.json");
/// The social layer of seed 002: posts, threads and readers' bios.
pub const DEMO_FEED_JSON: &str = include_str!("../../data/demo_feed.json");

pub fn document() -> Result<Document, serde_json::Error> {
    serde_json::from_str(DEMO_JSON)
}

pub async fn load(db: &Db) -> anyhow::Result<WriteSummary> {
    let doc = document().context("data/demo.json")?;
    let summary = ingest::write_document(db, &doc).await.context("loading data/demo.json")?;
    let feed: feed::Feed = serde_json::from_str(DEMO_FEED_JSON).context("data/demo_feed.json")?;
    feed::load(db, &feed).await.context("loading data/demo_feed.json")?;
    Ok(summary)
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

/// True when the database holds no works and no authors yet.
pub async fn is_empty(db: &Db) -> Result<bool, sea_orm::DbErr> {
    let sql = "SELECT (SELECT COUNT(*) FROM works) + (SELECT COUNT(*) FROM authors) AS n";
    let row = Count::find_by_statement(stmt(sea_orm::ConnectionTrait::get_database_backend(&db.read), sql, vec![]))
        .one(&db.read)
        .await?;
    Ok(row.is_none_or(|r| r.n == 0))
}
