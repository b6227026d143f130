use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub handle: String,
    /// the handle lower-cased: unique
    pub handle_key: String,
    pub display_name: Option<String>,
    pub bio: Option<String>,
    /// Argon2id PHC string
    pub password_hash: String,
    pub is_admin: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::db::from_row!(Model { id, handle, handle_key, display_name, bio, password_hash, is_admin, created_at });
