//! Derived: how many works each stored trending window ranks (kept with
//! `trend_scores` by the derived-data step), so that `trending`'s
//! `totalCount` is one row, where counting the window's index range grew
//! with the works a day features (0.04 ms at 100,000 works, 0.25 ms at
//! 1,000,000 on PostgreSQL).
use crate::names::{col, run_unbounded, table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("trend_windows")
                .col(integer(col("length")))
                .col(date(col("end_day")))
                .col(big_integer(col("works_count")))
                .primary_key(Index::create().col(col("length")).col(col("end_day")))
                .to_owned(),
        )
        .await?;
        let fill = "INSERT INTO trend_windows (length, end_day, works_count) \
                    SELECT length, end_day, COUNT(*) FROM trend_scores GROUP BY length, end_day";
        run_unbounded(m, &[fill]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("trend_windows")).if_exists().to_owned()).await
    }
}
