use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "authorships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub work_id: i64,
    /// 1-based, in printed order
    pub position: i32,
    pub author_id: Option<i64>,
    pub raw_name: String,
    pub is_corresponding: bool,
    /// the work's publication date and year, copied here by the importer
    /// so that an author's works are listed newest first by index
    pub work_date: Option<Date>,
    pub work_year: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::db::from_row!(Model { id, work_id, position, author_id, raw_name, is_corresponding, work_date, work_year });
