use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "claims")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub author_id: i64,
    pub account_id: i64,
    /// PENDING, VERIFIED or REJECTED
    pub status: String,
    pub orcid: Option<String>,
    /// 2: the ORCID iD matched the record's; 3: approved by an administrator
    pub verification_level: i32,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::db::from_row!(Model {
    id,
    author_id,
    account_id,
    status,
    orcid,
    verification_level,
    created_at,
    decided_at,
    decided_by
});
