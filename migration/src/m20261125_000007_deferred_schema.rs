//! Indexes and foreign keys that an import into an empty graph sets aside
//! while it loads and puts back at the end (see `src/db/deferred.rs`): their
//! definitions wait here, so that an import killed in between leaves them
//! to be put back.
use crate::names::{col, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("deferred_schema").col(text(col("name")).primary_key()).col(text(col("definition"))).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("deferred_schema")).if_exists().to_owned()).await
    }
}
