//! Live updates across processes. Writers append to the `events` table in
//! their own transaction (`social::events`); one task per server reads what
//! is new — woken by Postgres `NOTIFY`, or every `POLL` on SQLite — loads
//! the works and posts once, and broadcasts them to this process's
//! subscribers. A subscriber that falls `BUFFER` events behind is dropped,
//! so memory stays bounded whatever the clients do.
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Value};
use tokio::sync::{OnceCell, broadcast};

use crate::db::{Db, padded_in, stmt};
use crate::entities::{post, work};
use crate::social::events::{CHANNEL, EventKind};

/// Events a subscriber may fall behind before it is dropped.
pub const BUFFER: usize = 1_024;
/// How often SQLite is polled (and Postgres, should a notification be lost).
pub const POLL: Duration = Duration::from_millis(250);
/// Events read per round.
const ROUND: i64 = 1_000;
/// Ids below the highest seen that are read again: on Postgres a
/// transaction that took its ids earlier may commit later.
const LOOKBACK: i64 = 500;
/// Events older than this are deleted.
const KEEP: Duration = Duration::from_secs(3_600);

#[derive(Debug)]
pub struct WorkAdded {
    pub work: work::Model,
    pub authors: Vec<i64>,
    pub topics: Vec<i64>,
}

#[derive(Debug)]
pub struct PostAdded {
    pub post: post::Model,
}

/// The broadcast of this process; its reader starts with the first subscriber.
#[derive(Clone)]
pub struct Live {
    db: Db,
    works: broadcast::Sender<Arc<WorkAdded>>,
    posts: broadcast::Sender<Arc<PostAdded>>,
    started: Arc<OnceCell<()>>,
}

impl Live {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            works: broadcast::channel(BUFFER).0,
            posts: broadcast::channel(BUFFER).0,
            started: Arc::new(OnceCell::new()),
        }
    }

    async fn start(&self) {
        self.started
            .get_or_init(|| async {
                let from = last_id(&self.db).await.unwrap_or(0);
                tokio::spawn(run(self.clone(), from));
            })
            .await;
    }

    pub async fn works(&self) -> broadcast::Receiver<Arc<WorkAdded>> {
        let rx = self.works.subscribe();
        self.start().await;
        rx
    }

    pub async fn posts(&self) -> broadcast::Receiver<Arc<PostAdded>> {
        let rx = self.posts.subscribe();
        self.start().await;
        rx
    }
}

/// Ids delivered, for the lookback; nothing at or below `floor` (what
/// existed before anyone listened) is delivered.
struct Seen {
    floor: i64,
    ids: HashSet<i64>,
}

impl Seen {
    fn trim(&mut self) {
        if self.ids.len() > 4 * (ROUND + LOOKBACK) as usize {
            let max = self.ids.iter().copied().max().unwrap_or(self.floor);
            self.floor = self.floor.max(max - 2 * LOOKBACK);
            let floor = self.floor;
            self.ids.retain(|id| *id > floor);
        }
    }
}

#[derive(FromQueryResult)]
struct Event {
    id: i64,
    kind: String,
    item_id: i64,
}

async fn last_id(db: &Db) -> Result<i64, sea_orm::DbErr> {
    Ok(crate::db::one_id(&db.read, "SELECT COALESCE(MAX(id), 0) FROM events", vec![]).await?.unwrap_or(0))
}

async fn run(live: Live, mut last: i64) {
    let mut listener = match live.db.backend() {
        DbBackend::Postgres => listen(&live.db).await,
        _ => None,
    };
    let mut seen = Seen { floor: last, ids: HashSet::new() };
    let mut pruned = std::time::Instant::now();
    loop {
        match &mut listener {
            Some(l) => {
                let _ = tokio::time::timeout(Duration::from_secs(1), l.recv()).await;
            }
            None => tokio::time::sleep(POLL).await,
        }
        if live.works.receiver_count() == 0 && live.posts.receiver_count() == 0 {
            // Nobody listens: skip what happened meanwhile.
            if let Ok(id) = last_id(&live.db).await {
                last = id;
                seen = Seen { floor: id, ids: HashSet::new() };
            }
            continue;
        }
        loop {
            match round(&live, last, &mut seen).await {
                Ok((high, n)) => {
                    last = last.max(high);
                    if n < ROUND as usize {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "reading live events");
                    break;
                }
            }
        }
        if pruned.elapsed() > Duration::from_secs(60) {
            pruned = std::time::Instant::now();
            if let Err(e) = crate::social::events::prune(&live.db.write, KEEP).await {
                tracing::warn!(error = %e, "pruning old events");
            }
        }
    }
}

async fn listen(db: &Db) -> Option<sea_orm::sqlx::postgres::PgListener> {
    let pool = db.read.get_postgres_connection_pool();
    match sea_orm::sqlx::postgres::PgListener::connect_with(pool).await {
        Ok(mut l) => match l.listen(CHANNEL).await {
            Ok(()) => Some(l),
            Err(e) => {
                tracing::warn!(error = %e, "LISTEN failed; polling instead");
                None
            }
        },
        Err(e) => {
            tracing::warn!(error = %e, "no listener connection; polling instead");
            None
        }
    }
}

/// Reads and broadcasts the events after `last`; returns the highest id read
/// and how many rows came back.
async fn round(live: &Live, last: i64, seen: &mut Seen) -> Result<(i64, usize), sea_orm::DbErr> {
    // The LIMIT written out: SQLite plans a bound one anew at every run
    // (see `db::limit`).
    let events = Event::find_by_statement(stmt(
        live.db.backend(),
        &format!("SELECT id, kind, item_id FROM events WHERE id > ? ORDER BY id LIMIT {}", ROUND + LOOKBACK),
        vec![(last - LOOKBACK).max(0).into()],
    ))
    .all(&live.db.read)
    .await?;
    let n = events.iter().filter(|e| e.id > last).count();
    let high = events.iter().map(|e| e.id).max().unwrap_or(last);
    let fresh: Vec<&Event> = events.iter().filter(|e| e.id > seen.floor && seen.ids.insert(e.id)).collect();
    seen.trim();
    let ids_of = |kind: EventKind| -> Vec<i64> {
        fresh.iter().filter(|e| EventKind::parse(&e.kind) == Some(kind)).map(|e| e.item_id).collect()
    };
    let (works, posts) = (ids_of(EventKind::Work), ids_of(EventKind::Post));
    if !works.is_empty() && live.works.receiver_count() > 0 {
        for w in load_works(&live.db, &works).await? {
            let _ = live.works.send(Arc::new(w));
        }
    }
    if !posts.is_empty() && live.posts.receiver_count() > 0 {
        let rows = post::Entity::find().filter(post::Column::Id.is_in(posts)).all(&live.db.read).await?;
        for p in rows {
            let _ = live.posts.send(Arc::new(PostAdded { post: p }));
        }
    }
    Ok((high, n))
}

async fn load_works(db: &Db, ids: &[i64]) -> Result<Vec<WorkAdded>, sea_orm::DbErr> {
    let works = work::Entity::find().filter(work::Column::Id.is_in(ids.iter().copied())).all(&db.read).await?;
    let mut values: Vec<Value> = ids.iter().map(|i| Value::from(*i)).collect();
    let list = padded_in(&mut values);
    let sql = format!(
        "SELECT work_id, author_id AS item FROM authorships WHERE author_id IS NOT NULL AND work_id IN ({list}) \
         UNION ALL SELECT work_id, -topic_id AS item FROM work_topics WHERE work_id IN ({list})"
    );
    let mut both = values.clone();
    both.extend(values);
    let rows = db.read.query_all_raw(stmt(db.backend(), &sql, both)).await?;
    let mut authors: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut topics: HashMap<i64, Vec<i64>> = HashMap::new();
    for r in rows {
        let (w, item): (i64, i64) = (r.try_get("", "work_id")?, r.try_get("", "item")?);
        if item > 0 {
            authors.entry(w).or_default().push(item);
        } else {
            topics.entry(w).or_default().push(-item);
        }
    }
    Ok(works
        .into_iter()
        .map(|w| WorkAdded {
            authors: authors.remove(&w.id).unwrap_or_default(),
            topics: topics.remove(&w.id).unwrap_or_default(),
            work: w,
        })
        .collect())
}
