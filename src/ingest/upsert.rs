//! Bulk upsert of entity rows matched on their external ids: one lookup
//! statement per id column and chunk, one multi-row INSERT per chunk of new
//! rows, and an UPDATE only for rows whose values really change. A value the
//! record does not give (`None`) never erases a stored one.
use std::collections::HashMap;
use std::future::Future;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Value};

use super::known::{Known, fingerprint};
use crate::db::{Kind, Pipe, Sink, fetch, in_chunks, insert_tuples, now, stmt};

/// A table's columns (without `id`), which of them identify a row, and
/// which identify it only when none of those is given (e.g. a title).
pub struct Spec {
    pub table: &'static str,
    pub columns: &'static [(&'static str, Kind)],
    pub keys: &'static [&'static str],
    pub fallback: Option<&'static str>,
    /// values for NOT NULL columns that a new row does not give
    pub defaults: &'static [(&'static str, fn() -> Value)],
    /// a column set to the time of writing whenever a row is created or
    /// changed (not compared)
    pub stamp: Option<&'static str>,
}

impl Spec {
    /// Where `column` is among the spec's columns (and a row's values).
    pub(crate) fn index(&self, column: &str) -> usize {
        self.columns
            .iter()
            .position(|(c, _)| *c == column)
            .unwrap_or_else(|| panic!("{} has no column {column}", self.table))
    }
}

/// One incoming row: a value per column of the spec, `None` when not given.
#[derive(Clone, Debug)]
pub struct Row(pub Vec<Option<Value>>);

impl Row {
    pub(crate) fn text(&self, i: usize) -> Option<&str> {
        match &self.0[i] {
            Some(Value::String(Some(s))) => Some(s.as_str()),
            _ => None,
        }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// What became of each incoming row.
pub struct Outcome {
    pub ids: Vec<i64>,
    /// per incoming row: true when its row was created or changed
    pub changed: Vec<bool>,
    /// per incoming row: true when its row was created
    pub created: Vec<bool>,
    /// the rows created, once each: id and a value per column of the spec
    pub inserted: Vec<(i64, Vec<Value>)>,
    pub counts: Counts,
}

impl Outcome {
    /// The ids of the stored rows that changed (not those created).
    pub fn updated(&self) -> impl Iterator<Item = i64> + '_ {
        let rows = self.ids.iter().zip(&self.changed).zip(&self.created);
        rows.filter(|((_, changed), created)| **changed && !**created).map(|((id, _), _)| *id)
    }
}

/// Fills in values of the rows about to be created (e.g. unique slugs). It
/// sees only those, given as (slot, index of the first incoming row of
/// that slot), so that rows matching stored ones cost it nothing.
pub trait BeforeInsert {
    fn fill(
        &mut self,
        tx: &Pipe,
        known: &Known,
        rows: &mut [Row],
        new: &[(usize, usize)],
    ) -> impl Future<Output = Result<(), DbErr>> + Send;
}

/// New rows inserted with the values they came with.
pub struct AsGiven;

impl BeforeInsert for AsGiven {
    async fn fill(&mut self, _: &Pipe, _: &Known, _: &mut [Row], _: &[(usize, usize)]) -> Result<(), DbErr> {
        Ok(())
    }
}

/// Upserts `rows`, finding stored rows in `known` when it tracks the table;
/// `before_insert` fills in what the rows about to be created lack.
pub async fn upsert(
    tx: &Pipe,
    spec: &Spec,
    rows: Vec<Row>,
    known: &mut Known,
    mut before_insert: impl BeforeInsert,
) -> Result<Outcome, DbErr> {
    let key_idx: Vec<usize> = spec.keys.iter().map(|k| spec.index(k)).collect();
    let fallback_idx = spec.fallback.map(|f| spec.index(f));

    // 1. Rows naming the same thing become one slot; later values win.
    let mut slots: Vec<Row> = Vec::new();
    let mut slot_of_row = Vec::with_capacity(rows.len());
    let mut first_row_of_slot: Vec<usize> = Vec::new();
    let mut by_key: HashMap<(usize, String), usize> = HashMap::new();
    for row in rows {
        let idents = identities(&row, &key_idx, fallback_idx);
        let slot = idents.iter().find_map(|ident| by_key.get(ident).copied());
        let slot = match slot {
            Some(s) => {
                for (i, v) in row.0.into_iter().enumerate() {
                    if v.is_some() {
                        slots[s].0[i] = v;
                    }
                }
                s
            }
            None => {
                slots.push(row);
                first_row_of_slot.push(slot_of_row.len());
                slots.len() - 1
            }
        };
        for ident in identities(&slots[slot], &key_idx, fallback_idx) {
            by_key.entry(ident).or_insert(slot);
        }
        slot_of_row.push(slot);
    }

    // 2. Find the stored rows: in what this import wrote (`Known`) while the
    // table holds nothing else, in the database otherwise.
    let tracked = known.tracks(spec.table);
    let prints: Vec<u64> = match tracked {
        true => slots.iter().map(|r| fingerprint(&r.0)).collect(),
        false => Vec::new(),
    };
    let mut found: Vec<Option<i64>> = vec![None; slots.len()];
    // a slot whose record is the one last matched to its row
    let mut same = vec![false; slots.len()];
    let stored = match tracked {
        true => {
            let k = &*known;
            let mut ask = Vec::new();
            for (s, row) in slots.iter().enumerate() {
                found[s] = identity_refs(row, &key_idx, fallback_idx).iter().find_map(|(c, v)| k.id(spec.table, *c, v));
                if let Some(id) = found[s] {
                    same[s] = k.print(spec.table, id) == Some(prints[s]);
                    if !same[s] {
                        ask.push(id);
                    }
                }
            }
            tracing::trace!(table = spec.table, slots = slots.len(), asked = ask.len(), "known rows");
            rows_by_id(tx, spec, &ask).await?
        }
        false => {
            let existing = find_existing(tx, spec, &slots, &key_idx, fallback_idx).await?;
            for (s, row) in slots.iter().enumerate() {
                found[s] = identities(row, &key_idx, fallback_idx)
                    .iter()
                    .find_map(|ident| existing.by_key.get(ident).copied());
            }
            existing.rows
        }
    };
    let mut slot_ids: Vec<Option<i64>> = vec![None; slots.len()];
    let mut slot_changed = vec![false; slots.len()];
    let mut slot_created = vec![false; slots.len()];
    let mut counts = Counts::default();
    let mut new_slots = Vec::new();
    for (s, row) in slots.iter().enumerate() {
        let Some(id) = found[s] else {
            new_slots.push(s);
            continue;
        };
        slot_ids[s] = Some(id);
        if same[s] {
            counts.unchanged += 1;
            continue;
        }
        let old = stored.get(&id).ok_or_else(|| DbErr::Custom(format!("{}: row {id} is gone", spec.table)))?;
        let merged: Vec<Value> =
            row.0.iter().zip(old).map(|(new, old)| new.clone().unwrap_or_else(|| old.clone())).collect();
        if &merged != old {
            update(tx, spec, id, &merged).await?;
            counts.updated += 1;
            slot_changed[s] = true;
        } else {
            counts.unchanged += 1;
        }
        if tracked {
            known.note(spec.table, id, prints[s], all_identities(&key_idx, fallback_idx, &merged));
        }
    }

    // 3. Insert the new ones with ids allocated up front, in few statements.
    let mut inserted = Vec::with_capacity(new_slots.len());
    if !new_slots.is_empty() {
        let new_with_rows: Vec<(usize, usize)> = new_slots.iter().map(|&s| (s, first_row_of_slot[s])).collect();
        before_insert.fill(tx, known, &mut slots, &new_with_rows).await?;
        let ids = allocate_ids(tx, spec.table, new_slots.len(), known).await?;
        let mut columns: Vec<&str> = vec!["id"];
        columns.extend(spec.columns.iter().map(|(c, _)| *c));
        columns.extend(spec.stamp);
        let stamp = now();
        let mut values = Vec::with_capacity(new_slots.len());
        for (&s, &id) in new_slots.iter().zip(&ids) {
            let mut row = vec![Value::from(id)];
            for (i, (name, kind)) in spec.columns.iter().enumerate() {
                let v = slots[s].0[i].take().unwrap_or_else(|| {
                    spec.defaults.iter().find(|(c, _)| c == name).map_or_else(|| kind.null(), |(_, f)| f())
                });
                row.push(v);
            }
            if spec.stamp.is_some() {
                row.push(stamp.clone());
            }
            if tracked {
                known.note(spec.table, id, prints[s], all_identities(&key_idx, fallback_idx, &row[1..]));
            }
            inserted.push((id, row[1..=spec.columns.len()].to_vec()));
            values.push(row);
            slot_ids[s] = Some(id);
            slot_changed[s] = true;
            slot_created[s] = true;
        }
        insert_rows(tx, spec.table, &columns, values, "").await?;
        counts.created += new_slots.len();
    }

    let ids = slot_of_row.iter().map(|&s| slot_ids[s].unwrap_or_default()).collect();
    let changed = slot_of_row.iter().map(|&s| slot_changed[s]).collect();
    let created = slot_of_row.iter().map(|&s| slot_created[s]).collect();
    Ok(Outcome { ids, changed, created, inserted, counts })
}

/// The identities an incoming row gives: its keys, or its fallback when it
/// gives none.
fn identity_refs<'a>(row: &'a Row, keys: &[usize], fallback: Option<usize>) -> Vec<(usize, &'a str)> {
    let mut out: Vec<(usize, &str)> = keys.iter().filter_map(|&k| row.text(k).map(|v| (k, v))).collect();
    if out.is_empty() {
        out.extend(fallback.and_then(|f| row.text(f).map(|v| (f, v))));
    }
    out
}

fn identities(row: &Row, keys: &[usize], fallback: Option<usize>) -> Vec<(usize, String)> {
    identity_refs(row, keys, fallback).into_iter().map(|(c, v)| (c, v.to_owned())).collect()
}

/// Every identity a stored row holds: its keys and its fallback.
fn all_identities<'a>(
    keys: &'a [usize],
    fallback: Option<usize>,
    values: &'a [Value],
) -> impl Iterator<Item = (usize, &'a str)> + 'a {
    keys.iter().copied().chain(fallback).filter_map(move |c| match &values[c] {
        Value::String(Some(v)) => Some((c, v.as_str())),
        _ => None,
    })
}

struct Existing {
    by_key: HashMap<(usize, String), i64>,
    rows: HashMap<i64, Vec<Value>>,
}

async fn find_existing(
    tx: &Pipe,
    spec: &Spec,
    slots: &[Row],
    keys: &[usize],
    fallback: Option<usize>,
) -> Result<Existing, DbErr> {
    let mut existing = Existing { by_key: HashMap::new(), rows: HashMap::new() };
    let slot_idents: Vec<Vec<(usize, String)>> = slots.iter().map(|r| identities(r, keys, fallback)).collect();
    // Column by column in priority order, asking only for the slots that no
    // earlier column has matched yet.
    for col in keys.iter().copied().chain(fallback) {
        let mut values: Vec<String> = slot_idents
            .iter()
            .filter(|idents| !idents.iter().any(|i| existing.by_key.contains_key(i)))
            .flat_map(|idents| idents.iter().filter(|(c, _)| *c == col).map(|(_, v)| v.clone()))
            .collect();
        values.sort();
        values.dedup();
        let col_name = spec.columns[col].0;
        for (list, values) in in_chunks(&values) {
            let filter = format!("FROM {} WHERE {col_name} IN ({list})", spec.table);
            for (id, row) in read_rows(tx, spec, &filter, values).await? {
                // A fallback match (e.g. by title) also counts when the
                // stored row has ids of its own.
                for (k, v) in all_identities(keys, fallback, &row) {
                    existing.by_key.entry((k, v.to_owned())).or_insert(id);
                }
                existing.rows.insert(id, row);
            }
        }
    }
    Ok(existing)
}

/// Stored rows by id.
async fn rows_by_id(tx: &Pipe, spec: &Spec, ids: &[i64]) -> Result<HashMap<i64, Vec<Value>>, DbErr> {
    let mut out = HashMap::new();
    for (list, values) in in_chunks(ids) {
        out.extend(read_rows(tx, spec, &format!("FROM {} WHERE id IN ({list})", spec.table), values).await?);
    }
    Ok(out)
}

/// The id and the spec's columns of each row `filter` selects.
async fn read_rows(tx: &Pipe, spec: &Spec, filter: &str, values: Vec<Value>) -> Result<Vec<(i64, Vec<Value>)>, DbErr> {
    let mut columns: Vec<(&str, Kind)> = vec![("id", Kind::BigInt)];
    columns.extend(spec.columns.iter().copied());
    let mut out = Vec::new();
    for mut row in fetch(tx, &columns, filter, values).await? {
        match row.remove(0) {
            Value::BigInt(Some(id)) => out.push((id, row)),
            other => return Err(DbErr::Custom(format!("{}: unexpected id {other:?}", spec.table))),
        }
    }
    Ok(out)
}

async fn update(tx: &Pipe, spec: &Spec, id: i64, values: &[Value]) -> Result<(), DbErr> {
    let mut sets: Vec<String> = spec.columns.iter().map(|(c, _)| format!("{c} = ?")).collect();
    let mut params = values.to_vec();
    if let Some(stamp) = spec.stamp {
        sets.push(format!("{stamp} = ?"));
        params.push(now());
    }
    let sql = format!("UPDATE {} SET {} WHERE id = ?", spec.table, sets.join(", "));
    params.push(id.into());
    tx.send(stmt(tx.get_database_backend(), &sql, params)).await?;
    Ok(())
}

/// Ids for `n` new rows of `table`, taken before the rows are written so
/// that children can refer to them in the same batch.
pub async fn allocate_ids(tx: &Pipe, table: &str, n: usize, known: &mut Known) -> Result<Vec<i64>, DbErr> {
    let backend = tx.get_database_backend();
    if backend == DbBackend::Postgres {
        // Sequences ignore transactions: asked outside, the answer does not
        // wait for the writes queued before it.
        let sql = format!("SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, ?)");
        let rows = tx.outside().query_all_raw(stmt(backend, &sql, vec![Value::from(n as i64)])).await?;
        return rows.iter().map(|r| r.try_get::<i64>("", "id")).collect();
    }
    if let Some(ids) = known.take_ids(table, n) {
        return Ok(ids.collect());
    }
    // SQLite has one writer at a time: once this transaction has written,
    // MAX(id) cannot move under it. The no-op DELETE takes the write lock.
    tx.execute_unprepared("DELETE FROM derive_queue WHERE 1 = 0").await?;
    let row =
        tx.query_one_raw(stmt(backend, &format!("SELECT COALESCE(MAX(id), 0) AS m FROM {table}"), vec![])).await?;
    let max: i64 = match row {
        Some(r) => r.try_get("", "m")?,
        None => 0,
    };
    Ok((1..=n as i64).map(|i| max + i).collect())
}

/// Multi-row INSERT, chunked under the parameter limit; `suffix` may add an
/// `ON CONFLICT …` clause.
pub async fn insert_rows(
    tx: &Pipe,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    suffix: &str,
) -> Result<(), DbErr> {
    let sql = format!("INSERT INTO {table} ({}) VALUES {{rows}} {suffix}", columns.join(", "));
    insert_tuples(tx, &sql, columns.len(), rows).await
}

impl Spec {
    /// A row from (column, value) pairs; columns not named are not given.
    pub fn row(&self, pairs: Vec<(&str, Option<Value>)>) -> Row {
        let mut values = vec![None; self.columns.len()];
        for (name, value) in pairs {
            values[self.index(name)] = value;
        }
        Row(values)
    }
}
