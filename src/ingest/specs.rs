//! The entity tables as the bulk upsert sees them: columns, identities.
use sea_orm::Value;

use super::upsert::Spec;
use crate::db::Kind;

pub const INSTITUTIONS: Spec = Spec {
    table: "institutions",
    columns: &[
        ("openalex_id", Kind::Text),
        ("ror", Kind::Text),
        ("name", Kind::Text),
        ("short_name", Kind::Text),
        ("country_code", Kind::Text),
    ],
    keys: &["ror", "openalex_id"],
    fallback: Some("name"),
    defaults: &[],
    stamp: None,
};

pub const VENUES: Spec = Spec {
    table: "venues",
    columns: &[("openalex_id", Kind::Text), ("issn", Kind::Text), ("name", Kind::Text), ("kind", Kind::Text)],
    keys: &["openalex_id", "issn"],
    fallback: Some("name"),
    defaults: &[],
    stamp: None,
};

pub const TOPICS: Spec = Spec {
    table: "topics",
    columns: &[("ident", Kind::Text), ("scheme", Kind::Text), ("code", Kind::Text), ("name", Kind::Text)],
    keys: &["ident"],
    fallback: None,
    defaults: &[],
    stamp: None,
};

pub const AUTHORS: Spec = Spec {
    table: "authors",
    columns: &[
        ("slug", Kind::Text),
        ("display_name", Kind::Text),
        ("given_name", Kind::Text),
        ("family_name", Kind::Text),
        ("orcid", Kind::Text),
        ("openalex_id", Kind::Text),
        ("s2_id", Kind::Text),
        ("headline", Kind::Text),
        ("homepage", Kind::Text),
        ("open_to_collaborate", Kind::Bool),
        ("current_institution_id", Kind::BigInt),
    ],
    keys: &["openalex_id", "orcid", "s2_id", "slug"],
    fallback: None,
    defaults: &[("open_to_collaborate", || Value::from(false))],
    stamp: Some("updated_at"),
};

pub const WORKS: Spec = Spec {
    table: "works",
    columns: &[
        ("title", Kind::Text),
        ("abstract", Kind::Text),
        ("work_type", Kind::Text),
        ("publication_date", Kind::Date),
        ("year", Kind::Int),
        ("doi", Kind::Text),
        ("arxiv_id", Kind::Text),
        ("openalex_id", Kind::Text),
        ("s2_id", Kind::Text),
        ("url", Kind::Text),
        ("venue_id", Kind::BigInt),
        ("primary_topic_id", Kind::BigInt),
        ("author_count", Kind::Int),
        ("code_links", Kind::Text),
    ],
    keys: &["openalex_id", "doi", "arxiv_id", "s2_id"],
    fallback: Some("title"),
    defaults: &[("author_count", || Value::from(0i32)), ("code_links", || Value::from("[]"))],
    stamp: Some("updated_at"),
};
