//! The search index (see `src/search`): on SQLite a contentless FTS5 table
//! whose tokenizer folds case and diacritics, with prefix indexes for
//! type-ahead and a vocabulary view for typo correction; on Postgres a
//! `tsvector` per document under a GIN index, and the vocabulary as a table.
//! Documents are filled by the application (`scholargraph reindex`, or on
//! first start after this migration).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Sqlite {
            db.execute_unprepared(
                "CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(name, body, content = '', \
                 contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
            )
            .await?;
            db.execute_unprepared(
                "CREATE VIRTUAL TABLE IF NOT EXISTS search_vocab USING fts5vocab(search_index, 'row')",
            )
            .await?;
        } else {
            db.execute_unprepared(
                "CREATE TABLE IF NOT EXISTS search_index (id BIGINT PRIMARY KEY, tsv TSVECTOR NOT NULL)",
            )
            .await?;
            db.execute_unprepared("CREATE INDEX IF NOT EXISTS ix_search_index_tsv ON search_index USING GIN (tsv)")
                .await?;
            db.execute_unprepared("CREATE TABLE IF NOT EXISTS search_terms (term TEXT PRIMARY KEY)").await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for table in ["search_vocab", "search_index", "search_terms"] {
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}")).await?;
        }
        Ok(())
    }
}
