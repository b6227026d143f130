use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "authors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub slug: String,
    pub display_name: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub orcid: Option<String>,
    pub openalex_id: Option<String>,
    /// Semantic Scholar author id
    pub s2_id: Option<String>,
    pub headline: Option<String>,
    pub homepage: Option<String>,
    pub open_to_collaborate: bool,
    pub claimed: bool,
    pub current_institution_id: Option<i64>,
    // Derived metrics, kept current by `ingest::derive`.
    pub works_count: i32,
    pub citation_count: i32,
    pub h_index: i32,
    pub i10_index: i32,
    pub topics_count: i32,
    pub collaborators_count: i32,
    pub close_collaborators_count: i32,
    pub followers_count: i32,
    /// when an import last created or changed the record
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::db::from_row!(Model {
    id,
    slug,
    display_name,
    given_name,
    family_name,
    orcid,
    openalex_id,
    s2_id,
    headline,
    homepage,
    open_to_collaborate,
    claimed,
    current_institution_id,
    works_count,
    citation_count,
    h_index,
    i10_index,
    topics_count,
    collaborators_count,
    close_collaborators_count,
    followers_count,
    updated_at
});
