use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "venues")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub openalex_id: Option<String>,
    pub issn: Option<String>,
    pub name: String,
    /// REPOSITORY, JOURNAL, CONFERENCE or OTHER
    pub kind: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::db::from_row!(Model { id, openalex_id, issn, name, kind });
