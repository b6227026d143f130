//! What an import has written into tables that were empty when it began:
//! the row each identity (external id, slug, title) names, a fingerprint of
//! the record last matched to each row, and the references its citations
//! still wait for. While a table holds nothing but what this import wrote,
//! its batches find rows here instead of asking the database: an identity
//! not known is new, and a record equal to the one last seen for its row
//! changes nothing. Those lookups were about a sixth of a first import's
//! time.
//!
//! Kept correct by forgetting: a table that outgrows its share of memory,
//! or any batch the database refuses (its rows are rolled back, but were
//! noted here), sends the rest of the import back to the database.
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use sea_orm::{ConnectionTrait, DbErr, Value};
use xxhash_rust::xxh3::Xxh3Default;

use crate::db::{Kind, fetch};

/// The entity tables whose rows are matched on identities.
pub const TABLES: [&str; 5] = ["institutions", "venues", "topics", "authors", "works"];

/// Identities and fingerprints held at most, all tables together: about
/// 60 MB, the identities of some 150,000 generated works and their authors.
const MAX_ENTRIES: usize = 2_000_000;

/// A 128-bit hash of an identity: collisions are out of reach (2^-64 at
/// billions of entries), and it takes a fifth of the memory of the text.
type Key = [u64; 2];

fn key(column: usize, value: &str) -> Key {
    let mut h = Xxh3Default::new();
    h.update(&[column as u8]);
    h.update(value.as_bytes());
    let h = h.digest128();
    [h as u64, (h >> 64) as u64]
}

/// A fingerprint of an incoming row's values.
pub fn fingerprint(values: &[Option<Value>]) -> u64 {
    let mut h = Xxh3Default::new();
    values.hash(&mut h);
    h.finish()
}

#[derive(Default)]
struct Table {
    ids: HashMap<Key, i64>,
    prints: HashMap<i64, u64>,
}

#[derive(Default)]
pub struct Known {
    tables: HashMap<&'static str, Table>,
    /// the next free id of tables empty at the start (SQLite: ids are
    /// MAX(id) + 1, and asking for it waited for the batch's writes)
    next_ids: HashMap<&'static str, i64>,
    /// parent of each topic written
    parents: Option<HashMap<i64, i64>>,
    /// references of citations written without the work they cite
    waiting: Option<HashSet<Key>>,
    entries: usize,
}

impl Known {
    /// Tracks the entity tables, and the citations, that hold no rows yet.
    pub async fn of_empty_tables<C: ConnectionTrait>(conn: &C) -> Result<Self, DbErr> {
        let mut known = Known::default();
        for table in TABLES {
            if is_empty(conn, table).await? {
                known.tables.insert(table, Table::default());
                known.next_ids.insert(table, 1);
            }
        }
        if is_empty(conn, "authorships").await? {
            known.next_ids.insert("authorships", 1);
        }
        if known.tracks("topics") {
            known.parents = Some(HashMap::new());
        }
        if is_empty(conn, "citations").await? {
            known.waiting = Some(HashSet::new());
        }
        Ok(known)
    }

    pub fn tracks(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }

    /// The row `value` names in `column` (an index into the table's spec).
    pub fn id(&self, table: &str, column: usize, value: &str) -> Option<i64> {
        self.tables.get(table)?.ids.get(&key(column, value)).copied()
    }

    pub fn print(&self, table: &str, id: i64) -> Option<u64> {
        self.tables.get(table)?.prints.get(&id).copied()
    }

    /// Notes that row `id` holds these identities and was last matched by a
    /// record with this fingerprint.
    pub fn note<'a>(
        &mut self,
        table: &str,
        id: i64,
        print: u64,
        identities: impl IntoIterator<Item = (usize, &'a str)>,
    ) {
        let Some(t) = self.tables.get_mut(table) else { return };
        let mut added = usize::from(t.prints.insert(id, print).is_none());
        for (column, value) in identities {
            added += usize::from(t.ids.insert(key(column, value), id).is_none());
        }
        self.entries += added;
        if self.entries > MAX_ENTRIES {
            tracing::debug!(entries = self.entries, "import stops keeping identities in memory");
            // Counters take no room, and stay right while only this import writes.
            let next_ids = std::mem::take(&mut self.next_ids);
            self.forget();
            self.next_ids = next_ids;
        }
    }

    /// Whether a citation may wait for `reference` (always, when untracked).
    pub fn may_wait_for(&self, reference: &str) -> bool {
        self.waiting.as_ref().is_none_or(|w| w.contains(&key(0, reference)))
    }

    pub fn note_waiting(&mut self, reference: &str) {
        if let Some(w) = &mut self.waiting {
            if w.insert(key(0, reference)) {
                self.entries += 1;
            }
        }
    }

    /// Ids for `n` new rows of `table`, when it was empty at the start.
    pub fn take_ids(&mut self, table: &str, n: usize) -> Option<std::ops::Range<i64>> {
        let next = self.next_ids.get_mut(table)?;
        let first = *next;
        *next += n as i64;
        Some(first..*next)
    }

    /// The parents of these topics, where known; `None` when untracked.
    pub fn parents(&self) -> Option<&HashMap<i64, i64>> {
        self.parents.as_ref()
    }

    pub fn note_parent(&mut self, topic: i64, parent: i64) {
        if let Some(p) = &mut self.parents {
            p.insert(topic, parent);
        }
    }

    /// From now on, the database answers everything.
    pub fn forget(&mut self) {
        *self = Known::default();
    }
}

async fn is_empty<C: ConnectionTrait>(conn: &C, table: &str) -> Result<bool, DbErr> {
    let sql = format!("FROM (SELECT 1 AS one FROM {table} LIMIT 1) t");
    Ok(fetch(conn, &[("one", Kind::Int)], &sql, vec![]).await?.is_empty())
}
