use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "citations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub citing_work_id: i64,
    /// the cited work as the source named it, e.g. `doi:10.1/x`
    pub cited_ref: String,
    pub cited_work_id: Option<i64>,
    /// JSON array of the sentences that cite
    pub contexts: Option<String>,
    /// JSON array, e.g. ["methodology"]
    pub intents: Option<String>,
    pub is_influential: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::db::from_row!(Model { id, citing_work_id, cited_ref, cited_work_id, contexts, intents, is_influential });
