use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "authorship_institutions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub authorship_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub institution_id: i64,
    /// the authorship's work, copied here by the importer so that a page's
    /// institutions are read by work
    pub work_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::db::from_row!(Model { authorship_id, institution_id, work_id });
