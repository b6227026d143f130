//! Import runs: each `scholargraph import` records its progress here after
//! every batch, so that any server (not only the importing process) can show
//! it on `/metrics`. Times are Unix seconds.
use crate::names::{col, id, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("imports")
                .col(id())
                .col(text(col("format")))
                // RUNNING, DONE or STOPPED; a killed import stays RUNNING
                // with an old updated_at
                .col(text(col("status")))
                .col(big_integer(col("records_read")).default(0))
                .col(big_integer(col("records_rejected")).default(0))
                .col(big_integer(col("works_written")).default(0))
                .col(big_integer(col("bytes_read")).default(0))
                // None when reading stdin
                .col(big_integer_null(col("bytes_total")))
                .col(big_integer(col("started_at")))
                .col(big_integer(col("updated_at")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("imports")).if_exists().to_owned()).await
    }
}
