//! Rows decoded column by column straight through sqlx. sea-orm's derived
//! `FromQueryResult` reads an `Option` column as "the value, or the error
//! its NULL raises", and that error formats the column's name: on authors'
//! mostly empty columns that formatting was a sixth of the server's CPU
//! under the profile page (`perf`, 100,000 works).
use sea_orm::sqlx::{Decode, Postgres, Row, Sqlite, Type};
use sea_orm::{DbErr, QueryResult};

/// A model made from one result row by column name.
pub trait FromRow: Sized {
    fn from_row(row: &QueryResult) -> Result<Self, DbErr>;

    /// The row's `id` for models that have one: rows of one statement with
    /// the same id are the same model, decoded once and shared (a page's
    /// works share most of their authors, institutions and topics).
    fn shared_id(_row: &QueryResult) -> Result<Option<i64>, DbErr> {
        Ok(None)
    }
}

/// A type sqlx decodes on both databases.
pub trait Sqlx: for<'r> Decode<'r, Postgres> + Type<Postgres> + for<'r> Decode<'r, Sqlite> + Type<Sqlite> {}
impl<T> Sqlx for T where T: for<'r> Decode<'r, Postgres> + Type<Postgres> + for<'r> Decode<'r, Sqlite> + Type<Sqlite> {}

/// A column's Rust type: an `Option` reads NULL as `None`; any other type
/// refuses it (sqlx alone would read a NULL text on SQLite as "").
pub trait Col: Sized {
    fn get(row: &QueryResult, name: &str) -> Result<Self, DbErr>;
}

impl<T: Sqlx> Col for Option<T> {
    fn get(row: &QueryResult, name: &str) -> Result<Self, DbErr> {
        let read = if let Some(r) = row.try_as_pg_row() {
            r.try_get::<Option<T>, _>(name)
        } else if let Some(r) = row.try_as_sqlite_row() {
            r.try_get::<Option<T>, _>(name)
        } else {
            return Err(DbErr::Custom(format!("column {name}: not a SQLite or PostgreSQL row")));
        };
        read.map_err(|e| DbErr::Type(format!("column {name}: {e}")))
    }
}

macro_rules! required {
    ($($t:ty),*) => {$(
        impl Col for $t {
            fn get(row: &QueryResult, name: &str) -> Result<Self, DbErr> {
                Option::<$t>::get(row, name)?
                    .ok_or_else(|| DbErr::Type(format!("column {name}: NULL where a value is required")))
            }
        }
    )*};
}
required!(i64, i32, f64, bool, String, chrono::NaiveDate, chrono::DateTime<chrono::Utc>);

/// The column `name` of `row`.
pub fn col<T: Col>(row: &QueryResult, name: &str) -> Result<T, DbErr> {
    T::get(row, name)
}

/// `from_row!(Model { id, name, r#abstract as "abstract", … })`:
/// [`FromRow`] reading each field from the column of its name. Every field
/// must be listed (a struct literal), so a field added to the model without
/// its column here does not build. A model listed with `id` first shares
/// rows by it ([`FromRow::shared_id`]).
macro_rules! from_row {
    (@column $field:ident) => { stringify!($field) };
    (@column $field:ident $column:literal) => { $column };
    (@impl $model:ty, $keyed:literal, $($field:ident $(as $column:literal)?),*) => {
        impl $crate::db::FromRow for $model {
            fn from_row(row: &sea_orm::QueryResult) -> Result<Self, sea_orm::DbErr> {
                Ok(Self { $($field: $crate::db::col(row, $crate::db::from_row!(@column $field $($column)?))?),* })
            }

            fn shared_id(row: &sea_orm::QueryResult) -> Result<Option<i64>, sea_orm::DbErr> {
                if $keyed { $crate::db::col(row, "id").map(Some) } else { Ok(None) }
            }
        }
    };
    ($model:ty { id $(, $field:ident $(as $column:literal)?)* $(,)? }) => {
        $crate::db::from_row!(@impl $model, true, id $(, $field $(as $column)?)*);
    };
    ($model:ty { $($field:ident $(as $column:literal)?),* $(,)? }) => {
        $crate::db::from_row!(@impl $model, false, $($field $(as $column)?),*);
    };
}
pub(crate) use from_row;
