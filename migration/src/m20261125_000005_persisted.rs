//! Persisted queries: operations stored by the SHA-256 of their text, either
//! registered by clients (automatic persisted queries) or by the operator
//! (`scholargraph persisted add`, the allow-list).
use crate::names::{col, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("persisted_queries")
                // lower-case hex SHA-256 of the query text
                .col(text(col("hash")).primary_key())
                .col(text(col("query")))
                // ALLOWED (registered by the operator) or APQ (by a client)
                .col(text(col("source")))
                .col(timestamp_with_time_zone(col("created_at")).default(Expr::current_timestamp()))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("persisted_queries")).if_exists().to_owned()).await
    }
}
