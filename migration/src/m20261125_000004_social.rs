//! The social layer: accounts and their tokens, follows, profile claims,
//! invitations, posts (with the works they mention), upvotes, and the event
//! log that carries live updates between processes on SQLite.
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
            table("accounts")
                .col(id())
                .col(text(col("handle")))
                // lower-cased handle: handles are unique whatever their case
                .col(text(col("handle_key")))
                .col(text_null(col("display_name")))
                .col(text_null(col("bio")))
                // Argon2id PHC string; never the password itself
                .col(text(col("password_hash")))
                .col(boolean(col("is_admin")).default(false))
                .col(timestamp_with_time_zone(col("created_at")).default(Expr::current_timestamp()))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("tokens")
                .col(id())
                .col(big_integer(col("account_id")))
                // SHA-256 of the token, hex; the token itself is shown once
                .col(text(col("token_hash")))
                // SESSION (from signUp/signIn, expires) or API (createApiToken)
                .col(text(col("kind")))
                .col(text(col("name")))
                .col(timestamp_with_time_zone(col("created_at")).default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone_null(col("expires_at")))
                .col(timestamp_with_time_zone_null(col("revoked_at")))
                .foreign_key(&mut fk("tokens", "account_id", "accounts", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("follows")
                .col(big_integer(col("account_id")))
                .col(big_integer(col("author_id")))
                .col(timestamp_with_time_zone(col("created_at")).default(Expr::current_timestamp()))
                .primary_key(Index::create().col(col("account_id")).col(col("author_id")))
                .foreign_key(&mut fk("follows", "account_id", "accounts", Cascade))
                .foreign_key(&mut fk("follows", "author_id", "authors", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("claims")
                .col(id())
                .col(big_integer(col("author_id")))
                .col(big_integer(col("account_id")))
                .col(text(col("status")))
                .col(text_null(col("orcid")))
                // ORCID match (2) or an administrator's approval (3)
                .col(integer(col("verification_level")).default(0))
                .col(timestamp_with_time_zone(col("created_at")).default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone_null(col("decided_at")))
                .col(big_integer_null(col("decided_by")))
                .foreign_key(&mut fk("claims", "author_id", "authors", Cascade))
                .foreign_key(&mut fk("claims", "account_id", "accounts", Cascade))
                .foreign_key(&mut fk("claims", "decided_by", "accounts", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("invitations")
                .col(id())
                .col(big_integer(col("from_account_id")))
                .col(big_integer(col("to_author_id")))
                .col(text(col("message")))
                .col(timestamp_with_time_zone(col("created_at")).default(Expr::current_timestamp()))
                .foreign_key(&mut fk("invitations", "from_account_id", "accounts", Cascade))
                .foreign_key(&mut fk("invitations", "to_author_id", "authors", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("posts")
                .col(id())
                .col(big_integer(col("author_id")))
                // null for posts imported with the demo corpus
                .col(big_integer_null(col("account_id")))
                .col(text(col("text")))
                .col(timestamp_with_time_zone(col("created_at")).default(Expr::current_timestamp()))
                .col(integer(col("like_count")).default(0))
                .col(integer(col("repost_count")).default(0))
                .col(integer(col("reply_count")).default(0))
                .col(integer(col("quote_count")).default(0))
                // JSON array of the links in the text
                .col(text(col("links")).default("[]"))
                .col(big_integer_null(col("reply_to_id")))
                .foreign_key(&mut fk("posts", "author_id", "authors", Cascade))
                .foreign_key(&mut fk("posts", "account_id", "accounts", SetNull))
                .foreign_key(&mut fk("posts", "reply_to_id", "posts", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("post_works")
                .col(big_integer(col("post_id")))
                .col(big_integer(col("work_id")))
                .primary_key(Index::create().col(col("post_id")).col(col("work_id")))
                .foreign_key(&mut fk("post_works", "post_id", "posts", Cascade))
                .foreign_key(&mut fk("post_works", "work_id", "works", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("upvotes")
                .col(big_integer(col("account_id")))
                .col(big_integer(col("work_id")))
                .col(timestamp_with_time_zone(col("created_at")).default(Expr::current_timestamp()))
                // the day it was given, for `trending`'s windows of days
                .col(date(col("day")))
                .primary_key(Index::create().col(col("account_id")).col(col("work_id")))
                .foreign_key(&mut fk("upvotes", "account_id", "accounts", Cascade))
                .foreign_key(&mut fk("upvotes", "work_id", "works", Cascade))
                .to_owned(),
        )
        .await?;
        // What happened, in order, for live updates: Postgres also notifies,
        // SQLite subscribers poll this table.
        m.create_table(
            table("events")
                .col(id())
                .col(text(col("kind")))
                .col(big_integer(col("item_id")))
                .col(timestamp_with_time_zone(col("created_at")).default(Expr::current_timestamp()))
                .to_owned(),
        )
        .await?;
        let indexes = [
            unique("accounts", &["handle_key"]),
            unique("tokens", &["token_hash"]),
            index("tokens", &["account_id"]),
            index("follows", &["author_id", "created_at"]),
            index("claims", &["author_id", "status"]),
            index("claims", &["account_id", "status"]),
            index("claims", &["status", "created_at"]),
            index("invitations", &["to_author_id", "created_at"]),
            index("invitations", &["from_account_id", "created_at"]),
            index("posts", &["author_id", "created_at"]),
            index("posts", &["created_at"]),
            index("posts", &["reply_to_id"]),
            index("posts", &["account_id"]),
            index("post_works", &["work_id"]),
            index("upvotes", &["work_id", "day"]),
            index("upvotes", &["day"]),
            index("events", &["created_at"]),
            // posts name works by URL
            index("works", &["url"]),
        ];
        for stmt in indexes {
            m.create_index(stmt).await?;
        }
        // One verified claim per author and per account, even when two
        // requests race (partial indexes: the same SQL on both databases).
        for (name, column) in [("ux_claims_verified_author", "author_id"), ("ux_claims_verified_account", "account_id")]
        {
            m.get_connection()
                .execute_unprepared(&format!(
                    "CREATE UNIQUE INDEX IF NOT EXISTS {name} ON claims ({column}) WHERE status = 'VERIFIED'"
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in
            ["events", "upvotes", "post_works", "posts", "invitations", "claims", "follows", "tokens", "accounts"]
        {
            m.drop_table(Table::drop().table(Alias::new(name)).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
