//! The scholarly graph: institutions, venues, topics, authors, works, ordered
//! authorships, citations, external metrics, trending features, and the
//! derived data (author topics; metrics on authors) kept current on import.
use crate::names::{col, fk, id, index, table, unique};
use ForeignKeyAction::{Cascade, SetNull};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("institutions")
                .col(id())
                .col(text_null(col("openalex_id")))
                .col(text_null(col("ror")))
                .col(text(col("name")))
                .col(text_null(col("short_name")))
                .col(text_null(col("country_code")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("venues")
                .col(id())
                .col(text_null(col("openalex_id")))
                .col(text_null(col("issn")))
                .col(text(col("name")))
                .col(text(col("kind")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("topics")
                .col(id())
                // `SCHEME:code`, or `SCHEME:name:…` for topics without a
                // code: the identity imports match on.
                .col(text(col("ident")))
                .col(text(col("scheme")))
                .col(text_null(col("code")))
                .col(text(col("name")))
                .col(big_integer_null(col("parent_id")))
                .col(integer(col("works_count")).default(0))
                .foreign_key(&mut fk("topics", "parent_id", "topics", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("authors")
                .col(id())
                .col(text(col("slug")))
                .col(text(col("display_name")))
                .col(text_null(col("given_name")))
                .col(text_null(col("family_name")))
                .col(text_null(col("orcid")))
                .col(text_null(col("openalex_id")))
                .col(text_null(col("s2_id")))
                .col(text_null(col("headline")))
                .col(text_null(col("homepage")))
                .col(boolean(col("open_to_collaborate")).default(false))
                .col(boolean(col("claimed")).default(false))
                .col(big_integer_null(col("current_institution_id")))
                .col(integer(col("works_count")).default(0))
                .col(integer(col("citation_count")).default(0))
                .col(integer(col("h_index")).default(0))
                .col(integer(col("i10_index")).default(0))
                .col(integer(col("topics_count")).default(0))
                .col(integer(col("collaborators_count")).default(0))
                .col(integer(col("close_collaborators_count")).default(0))
                .col(integer(col("followers_count")).default(0))
                .col(timestamp_with_time_zone(col("updated_at")).default(Expr::current_timestamp()))
                .foreign_key(&mut fk("authors", "current_institution_id", "institutions", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("affiliations")
                .col(id())
                .col(big_integer(col("author_id")))
                .col(big_integer(col("institution_id")))
                .col(integer_null(col("start_year")))
                .col(integer_null(col("end_year")))
                .foreign_key(&mut fk("affiliations", "author_id", "authors", Cascade))
                .foreign_key(&mut fk("affiliations", "institution_id", "institutions", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("works")
                .col(id())
                .col(text(col("title")))
                .col(text_null(col("abstract")))
                .col(text(col("work_type")))
                .col(date_null(col("publication_date")))
                .col(integer_null(col("year")))
                .col(text_null(col("doi")))
                .col(text_null(col("arxiv_id")))
                .col(text_null(col("openalex_id")))
                .col(text_null(col("s2_id")))
                .col(text_null(col("url")))
                .col(big_integer_null(col("venue_id")))
                .col(big_integer_null(col("primary_topic_id")))
                .col(integer(col("author_count")).default(0))
                .col(text(col("code_links")).default("[]"))
                .col(integer(col("cited_by_count")).default(0))
                .col(timestamp_with_time_zone(col("updated_at")).default(Expr::current_timestamp()))
                .foreign_key(&mut fk("works", "venue_id", "venues", SetNull))
                .foreign_key(&mut fk("works", "primary_topic_id", "topics", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("authorships")
                .col(id())
                .col(big_integer(col("work_id")))
                .col(integer(col("position")))
                .col(big_integer_null(col("author_id")))
                .col(text(col("raw_name")))
                .col(boolean(col("is_corresponding")).default(false))
                .foreign_key(&mut fk("authorships", "work_id", "works", Cascade))
                .foreign_key(&mut fk("authorships", "author_id", "authors", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("authorship_institutions")
                .col(big_integer(col("authorship_id")))
                .col(big_integer(col("institution_id")))
                .primary_key(Index::create().col(col("authorship_id")).col(col("institution_id")))
                .foreign_key(&mut fk("authorship_institutions", "authorship_id", "authorships", Cascade))
                .foreign_key(&mut fk("authorship_institutions", "institution_id", "institutions", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("work_topics")
                .col(big_integer(col("work_id")))
                .col(big_integer(col("topic_id")))
                .col(double_null(col("score")))
                .primary_key(Index::create().col(col("work_id")).col(col("topic_id")))
                .foreign_key(&mut fk("work_topics", "work_id", "works", Cascade))
                .foreign_key(&mut fk("work_topics", "topic_id", "topics", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("citations")
                .col(id())
                .col(big_integer(col("citing_work_id")))
                // The cited work as the source named it (e.g. `openalex:W123`,
                // `doi:10.1/x`), kept so that a reference to a work imported
                // later resolves when it arrives.
                .col(text(col("cited_ref")))
                .col(big_integer_null(col("cited_work_id")))
                // Where and why the citing work cites (Semantic Scholar's
                // contexts and intents), as JSON arrays.
                .col(text_null(col("contexts")))
                .col(text_null(col("intents")))
                .col(boolean_null(col("is_influential")))
                .foreign_key(&mut fk("citations", "citing_work_id", "works", Cascade))
                .foreign_key(&mut fk("citations", "cited_work_id", "works", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("external_metrics")
                .col(id())
                .col(big_integer(col("author_id")))
                .col(text(col("name")))
                .col(double(col("value")))
                .col(text(col("source")))
                .col(date_null(col("as_of")))
                .foreign_key(&mut fk("external_metrics", "author_id", "authors", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("work_features")
                .col(id())
                .col(big_integer(col("work_id")))
                .col(date(col("featured_on")))
                .col(text(col("source")))
                .col(integer_null(col("upvotes")))
                .foreign_key(&mut fk("work_features", "work_id", "works", Cascade))
                .to_owned(),
        )
        .await?;
        // Rows whose derived data must be refreshed: written in the same
        // transaction as the change, so a killed import leaves a to-do list.
        m.create_table(
            table("derive_queue")
                .col(text(col("kind")))
                .col(big_integer(col("item_id")))
                .primary_key(Index::create().col(col("kind")).col(col("item_id")))
                .to_owned(),
        )
        .await?;
        // Derived: how many of an author's works carry each topic.
        m.create_table(
            table("author_topics")
                .col(big_integer(col("author_id")))
                .col(big_integer(col("topic_id")))
                .col(integer(col("works_count")))
                .primary_key(Index::create().col(col("author_id")).col(col("topic_id")))
                .foreign_key(&mut fk("author_topics", "author_id", "authors", Cascade))
                .foreign_key(&mut fk("author_topics", "topic_id", "topics", Cascade))
                .to_owned(),
        )
        .await?;

        let indexes = [
            unique("institutions", &["ror"]),
            unique("institutions", &["openalex_id"]),
            index("institutions", &["name"]),
            index("institutions", &["country_code"]),
            unique("venues", &["openalex_id"]),
            unique("venues", &["issn"]),
            unique("topics", &["ident"]),
            index("topics", &["code"]),
            index("topics", &["parent_id"]),
            index("topics", &["name"]),
            index("topics", &["works_count"]),
            unique("authors", &["slug"]),
            unique("authors", &["orcid"]),
            unique("authors", &["openalex_id"]),
            unique("authors", &["s2_id"]),
            index("authors", &["display_name"]),
            index("authors", &["current_institution_id"]),
            index("authors", &["works_count"]),
            index("authors", &["citation_count"]),
            index("authors", &["h_index"]),
            unique("affiliations", &["author_id", "institution_id"]),
            index("affiliations", &["institution_id", "author_id"]),
            unique("works", &["doi"]),
            unique("works", &["arxiv_id"]),
            unique("works", &["openalex_id"]),
            unique("works", &["s2_id"]),
            index("works", &["venue_id", "publication_date"]),
            index("works", &["primary_topic_id"]),
            index("works", &["publication_date"]),
            index("works", &["year"]),
            index("works", &["cited_by_count"]),
            index("works", &["title"]),
            index("works", &["work_type"]),
            index("works", &["updated_at"]),
            unique("authorships", &["work_id", "position"]),
            index("authorships", &["author_id", "work_id"]),
            index("authorship_institutions", &["institution_id", "authorship_id"]),
            index("work_topics", &["topic_id", "work_id"]),
            unique("citations", &["citing_work_id", "cited_ref"]),
            index("citations", &["cited_work_id", "citing_work_id"]),
            index("citations", &["cited_ref"]),
            unique("external_metrics", &["author_id", "name", "source"]),
            unique("work_features", &["work_id", "featured_on", "source"]),
            index("work_features", &["featured_on"]),
            index("author_topics", &["topic_id", "works_count"]),
        ];
        for stmt in indexes {
            m.create_index(stmt).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "author_topics",
            "derive_queue",
            "work_features",
            "external_metrics",
            "citations",
            "work_topics",
            "authorship_institutions",
            "authorships",
            "works",
            "affiliations",
            "authors",
            "topics",
            "venues",
            "institutions",
        ] {
            m.drop_table(Table::drop().table(Alias::new(name)).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
