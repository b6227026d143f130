//! The publication date and year of each work, copied onto its authorships
//! and topic links (kept by the importer), with an index per parent in the
//! default order, newest first: an author's or topic's first works are then
//! an index range, where the works of the most prolific of 100,000 works'
//! authors (1,204) were each looked up and sorted for a page of 20 (4.0
//! against 0.4 ms on PostgreSQL, 2.0 against 0.2 ms on SQLite).
use crate::names::{col, run_unbounded};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (link table, parent column)
const LINKS: [(&str, &str); 2] = [("authorships", "author_id"), ("work_topics", "topic_id")];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let backend = m.get_database_backend();
        for (table, parent) in LINKS {
            // One column per statement: SQLite alters no more at once.
            for column in [date_null(col("work_date")), integer_null(col("work_year"))] {
                m.alter_table(Table::alter().table(Alias::new(table)).add_column(column).to_owned()).await?;
            }
            let copy = format!(
                "UPDATE {table} SET work_date = w.publication_date, work_year = w.year \
                 FROM works w WHERE w.id = {table}.work_id"
            );
            // SQLite puts NULLs last in a descending index by itself.
            let nulls = if backend == DbBackend::Postgres { " NULLS LAST" } else { "" };
            let index = format!(
                "CREATE INDEX IF NOT EXISTS ix_{table}_{parent}_newest ON {table} \
                 ({parent}, work_date DESC{nulls}, work_year DESC{nulls}, work_id DESC)"
            );
            // Every link is rewritten.
            run_unbounded(m, &[&copy, &index]).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, parent) in LINKS {
            m.drop_index(Index::drop().name(format!("ix_{table}_{parent}_newest")).table(Alias::new(table)).to_owned())
                .await?;
            for column in ["work_date", "work_year"] {
                m.alter_table(Table::alter().table(Alias::new(table)).drop_column(Alias::new(column)).to_owned())
                    .await?;
            }
        }
        Ok(())
    }
}
