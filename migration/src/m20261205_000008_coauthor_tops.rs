//! Derived: the first coauthors of the authors with the most, kept by the
//! derived-data step (`src/ingest/derive`), so that a hub's profile page
//! does not group thousands of coauthor pairs on every view.
use crate::names::{col, fk, index, table};
use ForeignKeyAction::Cascade;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("coauthor_tops")
                .col(big_integer(col("author_id")))
                // 1-based, in the order of the author's coauthor list
                .col(integer(col("position")))
                .col(big_integer(col("coauthor_id")))
                .col(integer(col("shared_works_count")))
                .col(integer_null(col("first_year")))
                .col(integer_null(col("last_year")))
                .primary_key(Index::create().col(col("author_id")).col(col("position")))
                .foreign_key(&mut fk("coauthor_tops", "author_id", "authors", Cascade))
                .foreign_key(&mut fk("coauthor_tops", "coauthor_id", "authors", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("coauthor_tops", &["coauthor_id"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("coauthor_tops")).if_exists().to_owned()).await
    }
}
