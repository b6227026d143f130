//! Posts: written by an account as the author it has claimed; the works its
//! links name are kept as `mentionedWorks`; a reply counts on its parent.
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, TransactionTrait, Value};

use super::claims::claimed_author;
use super::events::{self, EventKind};
use super::links::{self, WorkRef};
use crate::db::{Db, exec, one_id};
use crate::entities::post;
use crate::error::{AppError, AppResult};

pub const MAX_TEXT: usize = 3_000;

/// A post to write: by `author`, from `account` (none for imported posts).
pub struct NewPost<'a> {
    pub author: i64,
    pub account: Option<i64>,
    pub text: &'a str,
    pub reply_to: Option<i64>,
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    /// like, repost, reply and quote counts, for imported posts
    pub counts: [i32; 4],
}

/// Posts as the author the account has a verified claim on.
pub async fn create(db: &Db, account: i64, text: &str, reply_to: Option<i64>) -> AppResult<post::Model> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        return Err(AppError::bad_input(format!("a post has 1 to {MAX_TEXT} characters")));
    }
    let tx = db.write.begin().await?;
    let Some(author) = claimed_author(&tx, account).await? else {
        return Err(AppError::Forbidden(
            "only an account with a verified claim on an author record may post; claim your record first".into(),
        ));
    };
    let id = write(&tx, NewPost { author, account: Some(account), text, reply_to, created_at: None, counts: [0; 4] })
        .await?;
    let out = by_id(&tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// Writes a post, its mentioned works, its parent's reply count and its event.
pub async fn write(tx: &sea_orm::DatabaseTransaction, new: NewPost<'_>) -> AppResult<i64> {
    if let Some(parent) = new.reply_to {
        if one_id(tx, "SELECT id FROM posts WHERE id = ?", vec![parent.into()]).await?.is_none() {
            return Err(AppError::bad_input(format!("replyTo names no post (id {parent})")));
        }
    }
    let links = links::extract(new.text);
    let [likes, reposts, replies, quotes] = new.counts;
    let created = Value::ChronoDateTimeUtc(Some(new.created_at.unwrap_or_else(chrono::Utc::now)));
    let id = one_id(
        tx,
        "INSERT INTO posts (author_id, account_id, text, created_at, like_count, repost_count, reply_count, \
         quote_count, links, reply_to_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            new.author.into(),
            new.account.into(),
            new.text.into(),
            created,
            likes.into(),
            reposts.into(),
            replies.into(),
            quotes.into(),
            serde_json::to_string(&links).unwrap_or_else(|_| "[]".into()).into(),
            new.reply_to.into(),
        ],
    )
    .await?
    .ok_or_else(|| AppError::Internal("insert returned no id".into()))?;
    for work in mentioned(tx, &links).await? {
        exec(
            tx,
            "INSERT INTO post_works (post_id, work_id) VALUES (?, ?) ON CONFLICT (post_id, work_id) DO NOTHING",
            vec![id.into(), work.into()],
        )
        .await?;
    }
    // Imported posts bring their own counts; a new reply adds one.
    if let (Some(parent), None) = (new.reply_to, new.created_at) {
        exec(tx, "UPDATE posts SET reply_count = reply_count + 1 WHERE id = ?", vec![parent.into()]).await?;
    }
    events::record(tx, EventKind::Post, &[id]).await?;
    Ok(id)
}

/// The works here that links name.
async fn mentioned(conn: &impl ConnectionTrait, links: &[String]) -> Result<Vec<i64>, DbErr> {
    let mut out = Vec::new();
    for link in links {
        let (sql, value) = match links::work_ref(link) {
            WorkRef::Doi(doi) => ("SELECT id FROM works WHERE doi = ?", doi),
            WorkRef::Arxiv(id) => ("SELECT id FROM works WHERE arxiv_id = ?", id),
            WorkRef::Url(url) => ("SELECT id FROM works WHERE url = ?", url),
        };
        if let Some(id) = one_id(conn, sql, vec![value.into()]).await? {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    Ok(out)
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> AppResult<post::Model> {
    post::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| AppError::NotFound(format!("no post {id}")))
}
