//! Indexes shaped for bulk import: cite targets are looked up only while
//! they wait for their work, so only waiting citations are indexed (the full
//! index took every import batch to a random page of a 17 MB b-tree).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ix_citations_cited_ref").await?;
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS ix_citations_waiting_ref ON citations (cited_ref) WHERE cited_work_id IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ix_citations_waiting_ref").await?;
        db.execute_unprepared("CREATE INDEX IF NOT EXISTS ix_citations_cited_ref ON citations (cited_ref)").await?;
        Ok(())
    }
}
