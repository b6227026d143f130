//! Typed rows of hand-written SELECTs, read in bulk: what the importer
//! compares against and the graph algorithms walk.
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Value};

use super::{MAX_PARAMS, in_list, rows_per_statement, stmt};

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
/// under the parameter limit.
pub async fn insert_tuples<C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    width: usize,
    rows: Vec<Vec<Value>>,
) -> Result<(), DbErr> {
    let cap = (MAX_PARAMS / width.max(1)).clamp(1, 512);
    let tuple = format!("({})", in_list(width));
    let mut left = rows.len();
    let mut rows = rows.into_iter();
    while left > 0 {
        let n = rows_per_statement(left, cap);
        left -= n;
        let values: Vec<Value> = rows.by_ref().take(n).flatten().collect();
        let sql = sql.replace("{rows}", &vec![tuple.as_str(); n].join(", "));
        conn.execute_raw(stmt(conn.get_database_backend(), &sql, values)).await?;
    }
    Ok(())
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
