use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "works")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub r#abstract: Option<String>,
    /// ARTICLE, PREPRINT, … (the GraphQL `WorkType` names)
    pub work_type: String,
    pub publication_date: Option<Date>,
    pub year: Option<i32>,
    pub doi: Option<String>,
    pub arxiv_id: Option<String>,
    pub openalex_id: Option<String>,
    /// Semantic Scholar paper id (40 hex digits)
    pub s2_id: Option<String>,
    pub url: Option<String>,
    pub venue_id: Option<i64>,
    pub primary_topic_id: Option<i64>,
    pub author_count: i32,
    /// JSON array of URLs
    pub code_links: String,
    pub cited_by_count: i32,
    /// when an import last created or changed the record
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

crate::db::from_row!(Model { id, title, r#abstract as "abstract", work_type, publication_date, year, doi, arxiv_id, openalex_id, s2_id, url, venue_id, primary_topic_id, author_count, code_links, cited_by_count, updated_at });
