//! Derived: how many of each author's authorships name each institution,
//! kept by the derived-data step (`src/ingest/derive`), so that an
//! author's institution ties (the research graph) are read, not grouped
//! from every authorship of theirs on every view (20 of the 21 ms of a
//! hub's ties on PostgreSQL, 5,413 authorships, 1,000,000 works).
use crate::names::{col, fk, index, run_unbounded, table};
use ForeignKeyAction::Cascade;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("author_institutions")
                .col(big_integer(col("author_id")))
                .col(big_integer(col("institution_id")))
                .col(integer(col("authorships_count")))
                .primary_key(Index::create().col(col("author_id")).col(col("institution_id")))
                .foreign_key(&mut fk("author_institutions", "author_id", "authors", Cascade))
                .foreign_key(&mut fk("author_institutions", "institution_id", "institutions", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("author_institutions", &["institution_id"])).await?;
        // Filled once from the authorships here; the derived-data step keeps it.
        let fill =
            format!("INSERT INTO author_institutions (author_id, institution_id, authorships_count) {}", GROUPED);
        run_unbounded(m, &[&fill.replace("{authors}", "a.author_id IS NOT NULL")]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("author_institutions")).if_exists().to_owned()).await
    }
}

/// The rows of `author_institutions` for the authors `{authors}` selects
/// (a condition on `a`), as the derived-data step wrote them when this
/// migration was made (`ingest::derive::author_institutions`).
const GROUPED: &str = "SELECT a.author_id, ai.institution_id, CAST(COUNT(*) AS INTEGER) \
     FROM authorships a JOIN authorship_institutions ai ON ai.authorship_id = a.id \
     WHERE {authors} GROUP BY a.author_id, ai.institution_id";
