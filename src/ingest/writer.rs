//! The one way records are written: check a document (`prepare`), write it
//! in a transaction (`batch`), then bring derived data up to date (`derive`).
use sea_orm::DbErr;

use super::batch::{BatchCounts, Queue, write_batch};
use super::derive;
use super::known::Known;
use super::model::Document;
use super::prepare::prepare;
use crate::db::{Db, Pipe};

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("record {key:?}: {reason}")]
    BadRecord { key: String, reason: String },
    #[error(transparent)]
    Database(#[from] DbErr),
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteSummary {
    pub created: usize,
    pub updated: usize,
    pub counts: BatchCounts,
}

/// Writes one document whole or not at all, and refreshes derived data.
pub async fn write_document(db: &Db, doc: &Document) -> Result<WriteSummary, IngestError> {
    let prepared = prepare(doc)?;
    let tx = Pipe::begin(&db.write).await?;
    let counts = match write_batch(&tx, &[prepared], Queue::Rows, &mut Known::default()).await {
        Ok(counts) => counts,
        Err(e) => {
            tx.rollback().await;
            return Err(e.into());
        }
    };
    tx.commit().await?;
    derive::flush(db).await?;
    Ok(WriteSummary { created: counts.created(), updated: counts.updated(), counts })
}
