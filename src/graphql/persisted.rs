//! Persisted queries. Automatic persisted queries (Apollo's protocol): a
//! client sends `extensions.persistedQuery = {version: 1, sha256Hash}`,
//! with the query text the first time (it is checked against the hash and
//! stored) and without it afterwards (`PERSISTED_QUERY_NOT_FOUND` tells it
//! to send the text again). In allow-list mode only operations registered by
//! the operator (`scholargraph persisted add FILE`) run, by hash or by text;
//! clients cannot register any. Queries live in the database, so every
//! replica knows them; a small cache in front spares the lookups.
use std::num::NonZeroUsize;
use std::sync::Mutex;

use async_graphql::{Request, Value};
use lru::LruCache;
use sea_orm::{ConnectionTrait, DbErr};

use super::limits::Refusal;
use crate::db::{Db, stmt};
use crate::social::credentials::sha256_hex;

pub const ALLOWED: &str = "ALLOWED";
pub const APQ: &str = "APQ";

pub struct Persisted {
    db: Db,
    allow_list: bool,
    cache: Mutex<LruCache<String, (String, bool)>>,
}

fn refusal(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal { code, message: message.into() }
}

impl Persisted {
    pub fn new(db: Db, allow_list: bool) -> Self {
        let cache = Mutex::new(LruCache::new(NonZeroUsize::new(1_000).unwrap_or(NonZeroUsize::MIN)));
        Self { db, allow_list, cache }
    }

    /// Fills in the text of a hash-only request, stores a new one, and in
    /// allow-list mode refuses what is not registered.
    pub async fn resolve(&self, request: &mut Request) -> Result<(), Refusal> {
        let hash = match request.extensions.get("persistedQuery") {
            Some(Value::Object(pq)) => {
                if pq.get("version") != Some(&Value::from(1)) {
                    return Err(refusal("PERSISTED_QUERY_NOT_SUPPORTED", "only persistedQuery version 1 is supported"));
                }
                match pq.get("sha256Hash") {
                    Some(Value::String(h)) if h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()) => {
                        Some(h.to_ascii_lowercase())
                    }
                    _ => return Err(refusal("BAD_USER_INPUT", "persistedQuery.sha256Hash must be 64 hex digits")),
                }
            }
            Some(_) => return Err(refusal("BAD_USER_INPUT", "extensions.persistedQuery must be an object")),
            None => None,
        };
        let text_given = !request.query.trim().is_empty();
        match (hash, text_given) {
            (Some(hash), false) => match self.lookup(&hash).await? {
                Some((query, allowed)) if allowed || !self.allow_list => request.query = query,
                _ => return Err(refusal("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")),
            },
            (Some(hash), true) => {
                if sha256_hex(&request.query) != hash {
                    return Err(refusal("BAD_USER_INPUT", "persistedQuery.sha256Hash is not the SHA-256 of the query"));
                }
                if self.allow_list {
                    self.check_allowed(&hash).await?;
                } else {
                    store(&self.db, &hash, &request.query, APQ).await.map_err(unavailable)?;
                }
            }
            (None, _) if self.allow_list => self.check_allowed(&sha256_hex(&request.query)).await?,
            (None, _) => {}
        }
        Ok(())
    }

    async fn check_allowed(&self, hash: &str) -> Result<(), Refusal> {
        match self.lookup(hash).await? {
            Some((_, true)) => Ok(()),
            _ => Err(refusal("PERSISTED_QUERY_NOT_ALLOWED", "this server runs only registered operations")),
        }
    }

    async fn lookup(&self, hash: &str) -> Result<Option<(String, bool)>, Refusal> {
        if let Some(hit) = self.cache.lock().ok().and_then(|mut c| c.get(hash).cloned()) {
            return Ok(Some(hit));
        }
        let row = self
            .db
            .reads()
            .query_one_raw(stmt(
                self.db.backend(),
                "SELECT query, source FROM persisted_queries WHERE hash = ?",
                vec![hash.into()],
            ))
            .await
            .map_err(unavailable)?;
        let Some(row) = row else { return Ok(None) };
        let query: String = row.try_get("", "query").map_err(unavailable)?;
        let source: String = row.try_get("", "source").map_err(unavailable)?;
        let found = (query, source == ALLOWED);
        if let Ok(mut cache) = self.cache.lock() {
            cache.put(hash.to_owned(), found.clone());
        }
        Ok(Some(found))
    }
}

fn unavailable(e: DbErr) -> Refusal {
    tracing::warn!(error = %e, "persisted queries");
    refusal("DATABASE_UNAVAILABLE", "the database is unavailable, try again shortly")
}

/// Stores a query under its hash; an operator's registration wins over a client's.
pub async fn store(db: &Db, hash: &str, query: &str, source: &str) -> Result<(), DbErr> {
    let sql = if source == ALLOWED {
        "INSERT INTO persisted_queries (hash, query, source, created_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (hash) DO UPDATE SET source = excluded.source"
    } else {
        "INSERT INTO persisted_queries (hash, query, source, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING"
    };
    let values = vec![hash.into(), query.into(), source.into(), crate::db::now()];
    db.write.execute_raw(stmt(db.backend(), sql, values)).await?;
    Ok(())
}

/// Applies [`Persisted`] to requests that did not come through HTTP (which
/// resolves them itself, before its own checks): WebSocket subscriptions.
pub struct PersistedQueries(pub std::sync::Arc<Persisted>);

impl async_graphql::extensions::ExtensionFactory for PersistedQueries {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(PersistedExtension(self.0.clone()))
    }
}

struct PersistedExtension(std::sync::Arc<Persisted>);

#[async_graphql::async_trait::async_trait]
impl async_graphql::extensions::Extension for PersistedExtension {
    async fn prepare_request(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        mut request: Request,
        next: async_graphql::extensions::NextPrepareRequest<'_>,
    ) -> async_graphql::ServerResult<Request> {
        self.0.resolve(&mut request).await?;
        next.run(ctx, request).await
    }
}
