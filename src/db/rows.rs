//! Typed rows of hand-written SELECTs, read in bulk: what the importer
//! compares against and the graph algorithms walk.
use chrono::{Datelike, NaiveDate};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Value};

use super::{MAX_PARAMS, Sink, in_list, rows_per_statement, stmt};

/// How a column is read back for comparison.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Text,
    Int,
    BigInt,
    Bool,
    Date,
    Double,
}

impl Kind {
    pub fn null(self) -> Value {
        match self {
            Kind::Text => Value::String(None),
            Kind::Int => Value::Int(None),
            Kind::BigInt => Value::BigInt(None),
            Kind::Bool => Value::Bool(None),
            Kind::Date => Value::ChronoDate(None),
            Kind::Double => Value::Double(None),
        }
    }

    fn from_json(self, v: serde_json::Value) -> Result<Value, DbErr> {
        use serde_json::Value as J;
        let bad = |v: &J| DbErr::Custom(format!("unexpected {v} for a {self:?} column"));
        Ok(match (self, &v) {
            (_, J::Null) => self.null(),
            (Kind::Text, J::String(s)) => Value::String(Some(s.clone())),
            (Kind::Int, J::Number(n)) => Value::Int(Some(n.as_i64().ok_or_else(|| bad(&v))? as i32)),
            (Kind::BigInt, J::Number(n)) => Value::BigInt(Some(n.as_i64().ok_or_else(|| bad(&v))?)),
            (Kind::Bool, J::Number(n)) => Value::Bool(Some(n.as_i64() != Some(0))),
            (Kind::Bool, J::Bool(b)) => Value::Bool(Some(*b)),
            (Kind::Double, J::Number(n)) => Value::Double(Some(n.as_f64().ok_or_else(|| bad(&v))?)),
            (Kind::Date, J::String(s)) => Value::ChronoDate(Some(
                NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").map_err(|_| bad(&v))?,
            )),
            _ => return Err(bad(&v)),
        })
    }

    fn read(self, row: &QueryResult, column: &str) -> Result<Value, DbErr> {
        Ok(match self {
            Kind::Text => Value::String(row.try_get::<Option<String>>("", column)?),
            Kind::Int => Value::Int(row.try_get::<Option<i32>>("", column)?),
            Kind::BigInt => Value::BigInt(row.try_get::<Option<i64>>("", column)?),
            Kind::Bool => Value::Bool(row.try_get::<Option<bool>>("", column)?),
            Kind::Date => Value::ChronoDate(row.try_get::<Option<NaiveDate>>("", column)?),
            Kind::Double => Value::Double(row.try_get::<Option<f64>>("", column)?),
        })
    }
}

/// Rows of `SELECT columns <from_where>`, typed. On SQLite the rows come as one
/// JSON array: sqlx hands each row of a result across threads one by one,
/// which costs more than the query itself when there are thousands.
pub async fn fetch<C: ConnectionTrait>(
    tx: &C,
    columns: &[(&str, Kind)],
    from_where: &str,
    values: Vec<Value>,
) -> Result<Vec<Vec<Value>>, DbErr> {
    let backend = tx.get_database_backend();
    let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
    if backend == DbBackend::Sqlite {
        let sql = format!("SELECT json_group_array(json_array({})) AS j {from_where}", names.join(", "));
        let Some(row) = tx.query_one_raw(stmt(backend, &sql, values)).await? else { return Ok(Vec::new()) };
        let text: String = row.try_get("", "j")?;
        let parsed: Vec<Vec<serde_json::Value>> =
            serde_json::from_str(&text).map_err(|e| DbErr::Custom(format!("reading rows as JSON: {e}")))?;
        return parsed
            .into_iter()
            .map(|r| r.into_iter().zip(columns).map(|(v, (_, kind))| kind.from_json(v)).collect())
            .collect();
    }
    let sql = format!("SELECT {} {from_where}", names.join(", "));
    let rows = tx.query_all_raw(stmt(backend, &sql, values)).await?;
    rows.iter().map(|row| columns.iter().map(|(name, kind)| kind.read(row, name)).collect()).collect()
}

/// An integer value of a fetched row (0 for NULL).
pub fn int(v: &Value) -> i64 {
    match v {
        Value::BigInt(Some(n)) => *n,
        Value::Int(Some(n)) => *n as i64,
        _ => 0,
    }
}

/// The text of a text value; empty for NULL and other kinds.
pub fn text(v: &Value) -> &str {
    match v {
        Value::String(Some(s)) => s,
        _ => "",
    }
}

/// Runs `sql`, whose `{rows}` stands for as many `(?, …)` tuples of `width`
/// values as rows, in statements of a few sizes (see `rows_per_statement`)
/// under the parameter limit. PostgreSQL gets the rows as one array per
/// column instead (see `unnest`).
pub async fn insert_tuples<C: Sink>(conn: &C, sql: &str, width: usize, rows: Vec<Vec<Value>>) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    if backend == DbBackend::Postgres {
        if let Some(types) = array_types(&rows, width) {
            for chunk in rows.chunks(UNNEST_ROWS) {
                let (sql, values) = unnest(sql, &types, chunk);
                conn.send(stmt(backend, &sql, values)).await?;
            }
            return Ok(());
        }
    }
    let cap = (MAX_PARAMS / width.max(1)).clamp(1, 512);
    let tuple = format!("({})", in_list(width));
    let mut left = rows.len();
    let mut rows = rows.into_iter();
    while left > 0 {
        let n = rows_per_statement(left, cap);
        left -= n;
        let values: Vec<Value> = rows.by_ref().take(n).flatten().collect();
        let sql = sql.replace("{rows}", &vec![tuple.as_str(); n].join(", "));
        conn.send(stmt(backend, &sql, values)).await?;
    }
    Ok(())
}

/// Rows per `unnest` statement: its text is the same whatever the count.
const UNNEST_ROWS: usize = 10_000;

/// The PostgreSQL array type of each column, when every row gives each
/// column values of one supported kind.
fn array_types(rows: &[Vec<Value>], width: usize) -> Option<Vec<&'static str>> {
    let first = rows.first()?;
    let types = first
        .iter()
        .map(|v| {
            Some(match v {
                Value::BigInt(_) => "bigint[]",
                Value::Int(_) => "integer[]",
                Value::String(_) => "text[]",
                Value::Bool(_) => "boolean[]",
                Value::Double(_) => "double precision[]",
                Value::ChronoDate(_) => "date[]",
                Value::ChronoDateTimeUtc(_) => "timestamptz[]",
                _ => return None,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    // Dates PostgreSQL reads in text form only within years 1-9999.
    let fits = |v: &Value| !matches!(v, Value::ChronoDate(Some(d)) if !(1..=9999).contains(&d.year()));
    let same = |r: &Vec<Value>| {
        r.iter().zip(first).all(|(a, b)| std::mem::discriminant(a) == std::mem::discriminant(b) && fits(a))
    };
    (types.len() == width && rows.iter().all(same)).then_some(types)
}

/// `sql` with its `VALUES {rows}` (or `(VALUES {rows})`) read from one
/// array per column: a statement of a handful of parameters that
/// PostgreSQL parses and plans once, where 512-row VALUES lists of
/// thousands of parameters were parsed every time. Each array is bound as
/// its text form and cast.
fn unnest(sql: &str, types: &[&str], rows: &[Vec<Value>]) -> (String, Vec<Value>) {
    let arrays: Vec<String> = types.iter().map(|t| format!("?::{t}")).collect();
    let source = format!("unnest({})", arrays.join(", "));
    // Named as VALUES names its columns, for statements that refer to them.
    let names: Vec<String> = (1..=types.len()).map(|i| format!("column{i}")).collect();
    let select = format!("SELECT * FROM {source} AS u ({})", names.join(", "));
    let sql = sql.replace("(VALUES {rows})", &format!("({select})")).replace("VALUES {rows}", &select);
    let values = (0..types.len())
        .map(|c| {
            let mut text = String::from("{");
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                array_element(&mut text, &row[c]);
            }
            text.push('}');
            Value::from(text)
        })
        .collect();
    (sql, values)
}

/// One element of an array's text form (`array_types` admits the kinds).
fn array_element(out: &mut String, v: &Value) {
    use std::fmt::Write;
    let quoted = |out: &mut String, s: &str| {
        out.push('"');
        for ch in s.chars() {
            if ch == '"' || ch == '\\' {
                out.push('\\');
            }
            out.push(ch);
        }
        out.push('"');
    };
    let _ = match v {
        Value::BigInt(Some(n)) => write!(out, "{n}"),
        Value::Int(Some(n)) => write!(out, "{n}"),
        Value::Bool(Some(b)) => write!(out, "{}", if *b { 't' } else { 'f' }),
        Value::Double(Some(x)) if x.is_nan() => write!(out, "NaN"),
        Value::Double(Some(x)) if x.is_infinite() => write!(out, "{}Infinity", if *x < 0.0 { "-" } else { "" }),
        Value::Double(Some(x)) => write!(out, "{x}"),
        Value::ChronoDate(Some(d)) => write!(out, "{}", d.format("%Y-%m-%d")),
        Value::ChronoDateTimeUtc(Some(t)) => write!(out, "{}", t.to_rfc3339()),
        Value::String(Some(s)) => {
            quoted(out, s);
            Ok(())
        }
        _ => write!(out, "NULL"),
    };
}

/// The first column of every row, as integers (ids, counts).
pub async fn ids(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<Vec<i64>, DbErr> {
    let rows = conn.query_all_raw(stmt(conn.get_database_backend(), sql, values)).await?;
    rows.iter().map(|r| r.try_get_by_index::<i64>(0)).collect()
}

/// The one integer a statement answers, if any.
pub async fn one_id(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<Option<i64>, DbErr> {
    Ok(ids(conn, sql, values).await?.into_iter().next())
}

/// Runs a statement, returning the rows it changed.
pub async fn exec(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
    Ok(conn.execute_raw(stmt(conn.get_database_backend(), sql, values)).await?.rows_affected())
}

/// The current time as a bound value.
pub fn now() -> Value {
    Value::ChronoDateTimeUtc(Some(chrono::Utc::now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_one_array_per_column() {
        let rows = vec![
            vec![Value::from(1i64), Value::from("a \"b\" \\c, {d}"), Value::Bool(Some(true))],
            vec![Value::BigInt(None), Value::from("NULL"), Value::Bool(None)],
        ];
        let types = array_types(&rows, 3).expect("supported kinds");
        assert_eq!(types, ["bigint[]", "text[]", "boolean[]"]);
        let (sql, values) = unnest("INSERT INTO t (a, b, c) VALUES {rows} ON CONFLICT DO NOTHING", &types, &rows);
        assert_eq!(
            sql,
            "INSERT INTO t (a, b, c) SELECT * FROM unnest(?::bigint[], ?::text[], ?::boolean[]) AS u (column1, column2, \
             column3) ON CONFLICT DO NOTHING"
        );
        assert_eq!(values[0], Value::from("{1,NULL}"));
        assert_eq!(values[1], Value::from(r#"{"a \"b\" \\c, {d}","NULL"}"#));
        assert_eq!(values[2], Value::from("{t,NULL}"));
        let (sql, _) = unnest("SELECT v.a FROM (VALUES {rows}) AS v (a, b, c)", &types, &rows);
        assert_eq!(
            sql,
            "SELECT v.a FROM (SELECT * FROM unnest(?::bigint[], ?::text[], ?::boolean[]) AS u (column1, column2, \
             column3)) AS v (a, b, c)"
        );
    }

    #[test]
    fn mixed_or_unsupported_columns_keep_values_lists() {
        assert!(array_types(&[vec![Value::from(1i64)], vec![Value::from(1i32)]], 1).is_none());
        let far = NaiveDate::from_ymd_opt(12_000, 1, 1).expect("a date");
        assert!(array_types(&[vec![Value::ChronoDate(Some(far))]], 1).is_none());
        assert!(array_types(&[], 1).is_none());
    }
}
