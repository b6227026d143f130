//! Hand-written SQL runs on both databases: queries are written with `?`
//! placeholders and numbered (`$1`, `$2`, …) for PostgreSQL here.
use sea_orm::{DbBackend, Statement, Value};

pub fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres { number_placeholders(sql) } else { sql.to_owned() };
    Statement::from_sql_and_values(backend, sql, values)
}

fn number_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// `LIMIT n`: written out on SQLite, a placeholder with its value pushed
/// onto `values` on PostgreSQL. SQLite (3.46 and on) reads a bound LIMIT
/// while planning, and so marks the statement to be planned again whenever
/// that parameter is bound: every run of a cached statement parsed and
/// planned it anew (`sqlite3Reprepare`, 6% of a trending request's
/// instructions). Pages come in few sizes, so the texts still repeat.
/// PostgreSQL keeps one generic plan either way.
pub fn limit(backend: DbBackend, n: i64, values: &mut Vec<Value>) -> String {
    if backend == DbBackend::Sqlite {
        return format!("LIMIT {n}");
    }
    values.push(n.into());
    "LIMIT ?".to_owned()
}

/// `?, ?, ?` for `n` values, for `IN (…)` lists.
pub fn in_list(n: usize) -> String {
    let mut s = String::with_capacity(n * 3);
    for i in 0..n {
        if i > 0 {
            s.push_str(", ");
        }
        s.push('?');
    }
    s
}

/// Longest `IN (…)` list [`padded_in`] makes.
pub const MAX_IN: usize = 16_384;

/// Placeholders for `values` in an `IN (…)` list, padded to a power of two
/// (at least 8) with NULLs of the same type: lists of a few lengths make
/// statements that repeat, so they are prepared once and the prepared-
/// statement cache stays small (one per length had grown it by 100 MB during
/// an import). A NULL matches nothing; padding by repeating the last value
/// had PostgreSQL count that value eight times when it planned for the
/// values given, and choose a hash join over every authorship for one
/// prolific author (219 against 53 ms). Only for `IN` in a condition, never
/// `NOT IN`. Callers keep lists at most [`MAX_IN`] long.
pub fn padded_in(values: &mut Vec<Value>) -> String {
    debug_assert!(values.len() <= MAX_IN);
    let Some(pad) = values.last().map(Value::as_null) else { return "NULL".to_owned() };
    values.resize(values.len().next_power_of_two().max(8), pad);
    in_list(values.len())
}

/// Tables of hundreds or thousands of rows, whose lookups by id PostgreSQL
/// may answer by reading them whole (see [`padded_in_table`]).
const SMALL_TABLES: [&str; 3] = ["topics", "venues", "institutions"];

/// [`padded_in`] for ids of `table`. A small table PostgreSQL reads whole
/// (a few hundred topics or venues): there each row rebuilt the list's
/// array and compared its id with every value (223 topics against 128 ids:
/// 0.37 ms, a tenth of the nested benchmark query's statements), so its ids
/// come as rows of `VALUES`, hashed once (0.08 ms); where an index serves
/// better, the planner still takes it. SQLite hashes an `IN` list once
/// either way.
pub fn padded_in_table(backend: DbBackend, table: &str, values: &mut Vec<Value>) -> String {
    let list = padded_in(values);
    if backend != DbBackend::Postgres || values.is_empty() || !SMALL_TABLES.contains(&table) {
        return list;
    }
    format!("SELECT column1 FROM (VALUES {}) v", list.replace('?', "(?)"))
}

/// `items` in chunks of at most [`MAX_IN`], each as placeholders and values
/// for an `IN (…)` list (see [`padded_in`]).
pub fn in_chunks<T: Clone + Into<Value>>(items: &[T]) -> impl Iterator<Item = (String, Vec<Value>)> + '_ {
    items.chunks(MAX_IN).map(|chunk| {
        let mut values: Vec<Value> = chunk.iter().cloned().map(Into::into).collect();
        let list = padded_in(&mut values);
        (list, values)
    })
}

/// Bound parameters per statement: under SQLite's 32,766 and Postgres' 65,535.
pub const MAX_PARAMS: usize = 30_000;

/// Rows per statement for `n` rows left: the largest power of two within
/// `n` and `cap`, so that multi-row statements come in a few sizes (see
/// [`padded_in`]).
pub fn rows_per_statement(n: usize, cap: usize) -> usize {
    let limit = n.min(cap).max(1);
    1 << (usize::BITS - 1 - limit.leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(number_placeholders("a = ? AND b IN (?, ?)"), "a = $1 AND b IN ($2, $3)");
        assert_eq!(in_list(3), "?, ?, ?");
    }

    #[test]
    fn lists_come_in_few_lengths() {
        let mut values: Vec<Value> = (1..=9).map(|i: i64| i.into()).collect();
        assert_eq!(padded_in(&mut values).matches('?').count(), 16);
        assert_eq!(values[8], Value::from(9i64));
        assert_eq!(values[15], Value::BigInt(None), "padded with NULLs, which match nothing");
        let mut small: Vec<Value> = vec![Value::from(1i64), Value::from(2i64)];
        assert_eq!(padded_in_table(DbBackend::Sqlite, "topics", &mut small.clone()), padded_in(&mut small.clone()));
        assert_eq!(padded_in_table(DbBackend::Postgres, "works", &mut small.clone()), padded_in(&mut small.clone()));
        let rows = padded_in_table(DbBackend::Postgres, "topics", &mut small);
        assert_eq!(rows, "SELECT column1 FROM (VALUES (?), (?), (?), (?), (?), (?), (?), (?)) v");
        assert_eq!(small.len(), 8);
        let mut one = vec![Value::from(1i64)];
        assert_eq!(padded_in(&mut one).matches('?').count(), 8);
        assert_eq!(padded_in(&mut Vec::new()), "NULL");
        assert_eq!(rows_per_statement(1000, 512), 512);
        assert_eq!(rows_per_statement(488, 512), 256);
        assert_eq!(rows_per_statement(1, 512), 1);
    }
}
