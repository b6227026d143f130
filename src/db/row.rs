//! Rows decoded column by column straight through sqlx. sea-orm's derived
//! `FromQueryResult` reads an `Option` column as "the value, or the error
//! its NULL raises", and that error formats the column's name: on authors'
//! mostly empty columns that formatting was a sixth of the server's CPU
//! under the profile page (`perf`, 100,000 works).
use std::any::{Any, TypeId};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use chrono::NaiveDate;

use sea_orm::sqlx::postgres::{PgRow, PgValueFormat, PgValueRef};
use sea_orm::sqlx::sqlite::SqliteRow;
use sea_orm::sqlx::{Column, Decode, Postgres, Row, Sqlite, Type, ValueRef};
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
pub trait Sqlx:
    for<'r> Decode<'r, Postgres> + Type<Postgres> + for<'r> Decode<'r, Sqlite> + Type<Sqlite> + 'static
{
}
impl<T> Sqlx for T where
    T: for<'r> Decode<'r, Postgres> + Type<Postgres> + for<'r> Decode<'r, Sqlite> + Type<Sqlite> + 'static
{
}

/// Where a call site found its column last, and on PostgreSQL a column
/// type that sqlx found to decode into the call site's Rust type. Rows of
/// one statement, and mostly every statement a call site reads, keep their
/// columns in place, so a column is found by comparing one name; sqlx finds
/// it by name through a SipHash map. A column of a type already checked is
/// decoded without sqlx checking it again, which compared the type with
/// each one the Rust type accepts. Both were a fifth of reading a column,
/// and reading columns 18% of the nested benchmark query's instructions on
/// PostgreSQL (callgrind). A call site reads one Rust type.
pub struct Hint {
    at: AtomicUsize,
    /// a PostgreSQL type OID, 0 for none
    checked: AtomicU32,
}

impl Hint {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self { at: AtomicUsize::new(usize::MAX), checked: AtomicU32::new(0) }
    }
}

/// A result row as sqlx has it.
#[derive(Clone, Copy)]
enum Raw<'a> {
    Pg(&'a PgRow),
    Sqlite(&'a SqliteRow),
}

impl<'a> Raw<'a> {
    fn of(row: &'a QueryResult, name: &str) -> Result<Self, DbErr> {
        if let Some(r) = row.try_as_pg_row() {
            Ok(Raw::Pg(r))
        } else if let Some(r) = row.try_as_sqlite_row() {
            Ok(Raw::Sqlite(r))
        } else {
            Err(DbErr::Custom(format!("column {name}: not a SQLite or PostgreSQL row")))
        }
    }

    fn name_at(self, at: usize) -> Option<&'a str> {
        match self {
            Raw::Pg(r) => r.columns().get(at).map(|c| c.name()),
            Raw::Sqlite(r) => r.columns().get(at).map(|c| c.name()),
        }
    }

    fn len(self) -> usize {
        match self {
            Raw::Pg(r) => r.columns().len(),
            Raw::Sqlite(r) => r.columns().len(),
        }
    }

    /// The position of column `name`: where `hint` says, or else the
    /// first column of that name, remembered in `hint`.
    #[inline]
    fn position(self, name: &str, hint: &Hint) -> Result<usize, DbErr> {
        let last = hint.at.load(Ordering::Relaxed);
        if self.name_at(last).is_some_and(|found| same_name(found, name)) {
            return Ok(last);
        }
        self.find(name, hint)
    }

    #[cold]
    #[inline(never)]
    fn find(self, name: &str, hint: &Hint) -> Result<usize, DbErr> {
        let at = (0..self.len())
            .find(|&at| self.name_at(at) == Some(name))
            .ok_or_else(|| DbErr::Type(format!("column {name}: not in the row")))?;
        hint.at.store(at, Ordering::Relaxed);
        Ok(at)
    }
}

/// A column's Rust type: an `Option` reads NULL as `None`; any other type
/// refuses it (sqlx alone would read a NULL text on SQLite as "").
pub trait Col: Sized {
    fn get(row: &QueryResult, name: &str, hint: &Hint) -> Result<Self, DbErr>;
}

impl<T: Sqlx> Col for Option<T> {
    fn get(row: &QueryResult, name: &str, hint: &Hint) -> Result<Self, DbErr> {
        let raw = Raw::of(row, name)?;
        let at = raw.position(name, hint)?;
        let read = match raw {
            Raw::Pg(r) => pg_get::<T>(r, at, hint),
            // SQLite types values, not columns: each is checked.
            Raw::Sqlite(r) => sqlite_get::<T>(r, at),
        };
        read.map_err(|e| DbErr::Type(format!("column {name}: {e}")))
    }
}

/// Column `at` of `row`, checked by sqlx unless its type is the one sqlx
/// last accepted at this call site: a type OID names one type exactly.
#[inline]
fn pg_get<T: Sqlx>(row: &PgRow, at: usize, hint: &Hint) -> Result<Option<T>, sea_orm::sqlx::Error> {
    let value = row.try_get_raw(at)?;
    // sqlx checks no type for a NULL: it proves nothing, and reads None.
    if value.is_null() {
        return Ok(None);
    }
    let oid = value.type_info().oid().map_or(0, |oid| oid.0);
    if oid != 0 && oid == hint.checked.load(Ordering::Relaxed) {
        if let Some(read) = binary::<T>(&value, oid) {
            return Ok(Some(read));
        }
        return <T as Decode<Postgres>>::decode(value)
            .map(Some)
            .map_err(|source| sea_orm::sqlx::Error::ColumnDecode { index: format!("{at:?}"), source });
    }
    pg_checked(row, at, oid, hint)
}

/// [`pg_get`] of a column whose type sqlx checks, remembered in `hint`.
#[cold]
#[inline(never)]
fn pg_checked<T: Sqlx>(row: &PgRow, at: usize, oid: u32, hint: &Hint) -> Result<Option<T>, sea_orm::sqlx::Error> {
    let read = row.try_get::<Option<T>, _>(at)?;
    if oid != 0 {
        hint.checked.store(oid, Ordering::Relaxed);
    }
    Ok(read)
}

/// A binary value of a type sqlx accepted for `T` before, read directly
/// where it is one of the few column types the loaders read most (the
/// nested benchmark query reads 8,000 columns a request): sqlx copies an
/// integer through a buffer of any width, and a value reaches its decoder
/// copied whole three times. None for any other, which sqlx decodes.
fn binary<T: 'static>(value: &PgValueRef<'_>, oid: u32) -> Option<T> {
    if value.format() != PgValueFormat::Binary {
        return None;
    }
    let bytes = value.as_bytes().ok()?;
    let mut out: Option<T> = None;
    let slot = &mut out as &mut dyn Any;
    if let Some(slot) = slot.downcast_mut::<Option<i64>>() {
        *slot = Some(i64::from_be_bytes(exactly(bytes, oid, INT8)?));
    } else if let Some(slot) = slot.downcast_mut::<Option<i32>>() {
        *slot = Some(i32::from_be_bytes(exactly(bytes, oid, INT4)?));
    } else if let Some(slot) = slot.downcast_mut::<Option<f64>>() {
        *slot = Some(f64::from_be_bytes(exactly(bytes, oid, FLOAT8)?));
    } else if let Some(slot) = slot.downcast_mut::<Option<bool>>() {
        *slot = Some(exactly::<1>(bytes, oid, BOOL)?[0] != 0);
    } else if let Some(slot) = slot.downcast_mut::<Option<String>>() {
        if oid != TEXT && oid != VARCHAR {
            return None;
        }
        *slot = Some(std::str::from_utf8(bytes).ok()?.to_owned());
    } else if let Some(slot) = slot.downcast_mut::<Option<NaiveDate>>() {
        // Days since 2000-01-01, as sqlx reads them.
        let days = i32::from_be_bytes(exactly(bytes, oid, DATE)?);
        *slot =
            Some(NaiveDate::from_ymd_opt(2000, 1, 1)?.checked_add_signed(chrono::TimeDelta::try_days(days.into())?)?);
    }
    out
}

// PostgreSQL's type OIDs (pg_type.dat).
const BOOL: u32 = 16;
const INT8: u32 = 20;
const INT4: u32 = 23;
const TEXT: u32 = 25;
const FLOAT8: u32 = 701;
const VARCHAR: u32 = 1043;
const DATE: u32 = 1082;

/// `bytes` as an array of `N`, where the column is of type `want`.
fn exactly<const N: usize>(bytes: &[u8], oid: u32, want: u32) -> Option<[u8; N]> {
    if oid != want {
        return None;
    }
    bytes.try_into().ok()
}

/// `a == b` for the short texts that column names are, by a few word
/// loads where `==` calls `memcmp` (a fifth of finding a column where it
/// was last).
#[inline]
fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    // Two loads from either end cover the text, overlapping in the middle.
    fn word<const W: usize>(t: &[u8], at: usize) -> [u8; W] {
        t[at..at + W].try_into().unwrap_or([0; W])
    }
    match n {
        8..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        4..8 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        _ => a == b,
    }
}

/// Column `at` of a SQLite row, checked by sqlx. A date stored as
/// `YYYY-MM-DD` text is read here: sqlx reads it with chrono's general
/// format parser, about 2,000 instructions a date (3% of a trending request
/// on SQLite, 1.7% of the shared profile). Any other form goes to sqlx.
fn sqlite_get<T: Sqlx>(row: &SqliteRow, at: usize) -> Result<Option<T>, sea_orm::sqlx::Error> {
    if TypeId::of::<T>() == TypeId::of::<NaiveDate>() {
        let value = row.try_get_raw(at)?;
        let text = !value.is_null() && <NaiveDate as Type<Sqlite>>::compatible(&value.type_info());
        if let Some(date) = text.then(|| <&str as Decode<Sqlite>>::decode(value).ok().and_then(iso_date)).flatten() {
            let mut out: Option<T> = None;
            if let Some(slot) = (&mut out as &mut dyn Any).downcast_mut::<Option<NaiveDate>>() {
                *slot = Some(date);
                return Ok(out);
            }
        }
    }
    row.try_get::<Option<T>, _>(at)
}

/// `YYYY-MM-DD` exactly, as a valid date.
fn iso_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number =
        |digits: &[u8]| digits.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')));
    NaiveDate::from_ymd_opt(number(&b[0..4])? as i32, number(&b[5..7])?, number(&b[8..10])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_as_texts_do() {
        let names =
            ["", "a", "id", "abc", "slug", "title", "parent__", "work_year", "card_display_name__", "card_orcid__"];
        for a in names {
            for b in names {
                assert_eq!(same_name(a, b), a == b, "{a} {b}");
            }
            for at in 0..a.len() {
                let mut changed = a.as_bytes().to_vec();
                changed[at] ^= 1;
                let changed = String::from_utf8(changed).unwrap();
                assert!(!same_name(a, &changed), "{a} {changed}");
            }
        }
    }

    #[test]
    fn iso_dates_are_read_as_chrono_reads_them() {
        for text in ["2024-02-29", "1999-12-31", "0001-01-01", "2026-04-22"] {
            assert_eq!(iso_date(text), NaiveDate::parse_from_str(text, "%F").ok(), "{text}");
        }
        for text in
            ["2023-02-29", "2024-13-01", "2024-1-05", "2024-01-05T00:00:00", "20240105", "2024/01/05", "+024-01-05"]
        {
            assert_eq!(iso_date(text), None, "{text}");
        }
    }
}

macro_rules! required {
    ($($t:ty),*) => {$(
        impl Col for $t {
            fn get(row: &QueryResult, name: &str, hint: &Hint) -> Result<Self, DbErr> {
                Option::<$t>::get(row, name, hint)?
                    .ok_or_else(|| DbErr::Type(format!("column {name}: NULL where a value is required")))
            }
        }
    )*};
}
required!(i64, i32, f64, bool, String, chrono::NaiveDate, chrono::DateTime<chrono::Utc>);

/// The column `name` of `row`, remembering its place for the next row
/// read at the same call site ([`Hint`]): `col!(row, "name")`, or
/// `col!(row, "name", i64)` to name the type.
macro_rules! col {
    ($row:expr, $name:expr $(, $t:ty)?) => {{
        static HINT: $crate::db::Hint = $crate::db::Hint::new();
        <$crate::db::col!(@type $($t)?) as $crate::db::Col>::get($row, $name, &HINT)
    }};
    (@type) => { _ };
    (@type $t:ty) => { $t };
}
pub(crate) use col;

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
                Ok(Self { $($field: $crate::db::col!(row, $crate::db::from_row!(@column $field $($column)?))?),* })
            }

            fn shared_id(row: &sea_orm::QueryResult) -> Result<Option<i64>, sea_orm::DbErr> {
                if $keyed { $crate::db::col!(row, "id").map(Some) } else { Ok(None) }
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
