use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub author_id: i64,
    /// the account that wrote it; none for imported posts
    pub account_id: Option<i64>,
    pub text: String,
    pub created_at: DateTimeUtc,
    pub like_count: i32,
    pub repost_count: i32,
    pub reply_count: i32,
    pub quote_count: i32,
    /// JSON array of the links in the text
    pub links: String,
    pub reply_to_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::db::from_row!(Model {
    id,
    author_id,
    account_id,
    text,
    created_at,
    like_count,
    repost_count,
    reply_count,
    quote_count,
    links,
    reply_to_id
});
