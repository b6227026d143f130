//! Database schema of scholargraph, as sea-orm migrations that run unchanged
//! on SQLite and PostgreSQL.
pub use sea_orm_migration::prelude::*;

mod m20261124_000001_graph;
mod m20261124_000002_import_indexes;
mod m20261124_000003_search;
mod m20261125_000004_social;
mod m20261125_000005_persisted;
mod m20261125_000006_imports;
mod m20261125_000007_deferred_schema;
mod m20261205_000008_coauthor_tops;
mod m20261205_000009_author_topic_positions;
mod m20261205_000010_link_dates;
mod m20261205_000011_author_institutions;
mod m20261206_000012_trend_scores;
mod m20261206_000013_trend_windows;
mod m20261206_000014_institution_work;
mod names;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_graph::Migration),
            Box::new(m20261124_000002_import_indexes::Migration),
            Box::new(m20261124_000003_search::Migration),
            Box::new(m20261125_000004_social::Migration),
            Box::new(m20261125_000005_persisted::Migration),
            Box::new(m20261125_000006_imports::Migration),
            Box::new(m20261125_000007_deferred_schema::Migration),
            Box::new(m20261205_000008_coauthor_tops::Migration),
            Box::new(m20261205_000009_author_topic_positions::Migration),
            Box::new(m20261205_000010_link_dates::Migration),
            Box::new(m20261205_000011_author_institutions::Migration),
            Box::new(m20261206_000012_trend_scores::Migration),
            Box::new(m20261206_000013_trend_windows::Migration),
            Box::new(m20261206_000014_institution_work::Migration),
        ]
    }
}
