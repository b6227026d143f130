use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "topics")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `SCHEME:code` or `SCHEME:name:…`, what imports match on
    pub ident: String,
    /// ARXIV, KEYWORD or OPENALEX
    pub scheme: String,
    pub code: Option<String>,
    pub name: String,
    pub parent_id: Option<i64>,
    pub works_count: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::db::from_row!(Model { id, ident, scheme, code, name, parent_id, works_count });
