//! The demo feed (seed 002): posts of the demo feed author with their dates,
//! counts and threads, and readers (accounts with the page's bios) who
//! follow that author. Loaded once, in one transaction.
use std::collections::HashMap;

use sea_orm::TransactionTrait;
use serde::Deserialize;

use crate::db::{Db, exec, now, one_id};
use crate::social::follows;
use crate::social::posts::{self, NewPost};

#[derive(Deserialize)]
pub struct Feed {
    /// slug of the author the posts are by
    author: String,
    posts: Vec<FeedPost>,
    readers: Vec<Reader>,
}

#[derive(Deserialize)]
struct FeedPost {
    key: String,
    text: String,
    created_at: chrono::DateTime<chrono::Utc>,
    like_count: i32,
    repost_count: i32,
    reply_count: i32,
    quote_count: i32,
    /// key of an earlier post of the file
    reply_to: Option<String>,
}

#[derive(Deserialize)]
struct Reader {
    handle: String,
    bio: String,
}

/// Readers cannot sign in: their password hash matches no password.
const NO_PASSWORD: &str = "!";

pub async fn load(db: &Db, feed: &Feed) -> anyhow::Result<()> {
    let tx = db.write.begin().await?;
    let Some(author) = one_id(&tx, "SELECT id FROM authors WHERE slug = ?", vec![feed.author.clone().into()]).await?
    else {
        anyhow::bail!("no author {:?} for the demo feed", feed.author);
    };
    if one_id(&tx, "SELECT id FROM posts WHERE author_id = ?", vec![author.into()]).await?.is_some() {
        return Ok(());
    }
    let mut ids: HashMap<&str, i64> = HashMap::new();
    for p in &feed.posts {
        let reply_to = match &p.reply_to {
            Some(key) => {
                Some(*ids.get(key.as_str()).ok_or_else(|| anyhow::anyhow!("post {} replies to unknown {key}", p.key))?)
            }
            None => None,
        };
        let new = NewPost {
            author,
            account: None,
            text: &p.text,
            reply_to,
            created_at: Some(p.created_at),
            counts: [p.like_count, p.repost_count, p.reply_count, p.quote_count],
        };
        let id = posts::write(&tx, new).await.map_err(|e| anyhow::anyhow!("post {}: {e}", p.key))?;
        ids.insert(&p.key, id);
    }
    for r in &feed.readers {
        let account = one_id(
            &tx,
            "INSERT INTO accounts (handle, handle_key, bio, password_hash, is_admin, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (handle_key) DO UPDATE SET bio = excluded.bio RETURNING id",
            vec![
                r.handle.clone().into(),
                r.handle.to_ascii_lowercase().into(),
                r.bio.clone().into(),
                NO_PASSWORD.into(),
                false.into(),
                now(),
            ],
        )
        .await?
        .ok_or_else(|| anyhow::anyhow!("reader {} not written", r.handle))?;
        exec(
            &tx,
            "INSERT INTO follows (account_id, author_id, created_at) VALUES (?, ?, ?) \
             ON CONFLICT (account_id, author_id) DO NOTHING",
            vec![account.into(), author.into(), now()],
        )
        .await?;
    }
    follows::recount(&tx, author).await?;
    tx.commit().await?;
    Ok(())
}
