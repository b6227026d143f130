use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "work_topics")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub work_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub topic_id: i64,
    pub score: Option<f64>,
    /// the work's publication date and year, copied here by the importer
    /// so that a topic's works are listed newest first by index
    pub work_date: Option<Date>,
    pub work_year: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::db::from_row!(Model { work_id, topic_id, score, work_date, work_year });
