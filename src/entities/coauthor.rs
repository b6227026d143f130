use sea_orm::entity::prelude::*;

/// Derived: one row per ordered pair of authors who share a work.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coauthors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub author_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub coauthor_id: i64,
    pub shared_works_count: i32,
    pub first_year: Option<i32>,
    pub last_year: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
