//! Rows read through `db::FromRow` (the loaders' decoding) come out as
//! sea-orm's own decoding makes them, on both databases; a NULL where a
//! value is required is an error naming the column; a column is found
//! wherever it stands, whatever its call site found before.
mod common;

use scholargraph::db::{Col, FromRow, Hint};
use scholargraph::entities::{author, institution, work};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, Statement};

fn col<T: Col>(row: &sea_orm::QueryResult, name: &str) -> Result<T, sea_orm::DbErr> {
    T::get(row, name, &Hint::new())
}

async fn read_back<M: FromRow>(app: &common::TestApp, table: &str) -> Vec<M> {
    let sql = format!("SELECT * FROM {table} ORDER BY id");
    let rows = app.db.read.query_all_raw(Statement::from_string(app.db.backend(), sql)).await.unwrap();
    rows.iter().map(|r| M::from_row(r).unwrap()).collect()
}

#[tokio::test]
async fn rows_decode_as_sea_orm_decodes_them() {
    common::for_each_db(|app| async move {
        let read = &app.db.read;
        let authors = author::Entity::find().order_by_asc(author::Column::Id).all(read).await.unwrap();
        assert!(authors.len() > 10 && authors.iter().any(|a| a.orcid.is_none()));
        assert_eq!(read_back::<author::Model>(&app, "authors").await, authors, "{}", app.backend());
        let works = work::Entity::find().order_by_asc(work::Column::Id).all(read).await.unwrap();
        assert!(works.iter().any(|w| w.r#abstract.is_some()));
        assert_eq!(read_back::<work::Model>(&app, "works").await, works, "{}", app.backend());
        let institutions = institution::Entity::find().order_by_asc(institution::Column::Id).all(read).await.unwrap();
        assert_eq!(read_back::<institution::Model>(&app, "institutions").await, institutions);

        let sql = "SELECT CAST(7 AS BIGINT) AS id, NULL AS name";
        let row = read.query_one_raw(Statement::from_string(app.db.backend(), sql)).await.unwrap().unwrap();
        assert_eq!(col::<i64>(&row, "id").unwrap(), 7);
        assert_eq!(col::<Option<String>>(&row, "name").unwrap(), None);
        let required = col::<String>(&row, "name").unwrap_err().to_string();
        assert!(required.contains("column name"), "{}: {required}", app.backend());
        let missing = col::<i64>(&row, "nothing").unwrap_err().to_string();
        assert!(missing.contains("column nothing"), "{}: {missing}", app.backend());

        // Dates: a stored one, and one that is no date, refused.
        let date = |text: &str| match app.db.backend() {
            sea_orm::DbBackend::Postgres => format!("SELECT DATE '{text}' AS d"),
            _ => format!("SELECT '{text}' AS d"),
        };
        let row =
            read.query_one_raw(Statement::from_string(app.db.backend(), date("2024-02-29"))).await.unwrap().unwrap();
        let leap = chrono::NaiveDate::from_ymd_opt(2024, 2, 29);
        assert_eq!(col::<Option<chrono::NaiveDate>>(&row, "d").unwrap(), leap, "{}", app.backend());
        if app.db.backend() == sea_orm::DbBackend::Sqlite {
            let row = read
                .query_one_raw(Statement::from_string(app.db.backend(), date("2023-02-29")))
                .await
                .unwrap()
                .unwrap();
            assert!(col::<chrono::NaiveDate>(&row, "d").is_err(), "not a date");
        }

        // One call site reading rows whose columns moved.
        let hint = Hint::new();
        for (sql, id) in [
            ("SELECT CAST(1 AS BIGINT) AS id, CAST(2 AS BIGINT) AS other", 1),
            ("SELECT CAST(3 AS BIGINT) AS other, CAST(4 AS BIGINT) AS id", 4),
            ("SELECT CAST(5 AS BIGINT) AS id", 5),
        ] {
            let row = read.query_one_raw(Statement::from_string(app.db.backend(), sql)).await.unwrap().unwrap();
            assert_eq!(i64::get(&row, "id", &hint).unwrap(), id, "{}: {sql}", app.backend());
        }
        // A type it did not accept before is checked again, and refused.
        let sql = "SELECT 'text' AS id";
        let row = read.query_one_raw(Statement::from_string(app.db.backend(), sql)).await.unwrap().unwrap();
        let refused = i64::get(&row, "id", &hint).unwrap_err().to_string();
        assert!(refused.contains("column id"), "{}: {refused}", app.backend());
    })
    .await;
}

/// Each type a loader reads, as sqlx itself decodes it (sea-orm's
/// `try_get`), read twice through one call site: the second time the type
/// was accepted before and, on PostgreSQL, the value is read without sqlx.
/// Extremes, NULLs, other texts and a column of another type under the
/// same call site included.
#[tokio::test]
async fn columns_read_as_sqlx_reads_them_once_their_type_is_known() {
    common::for_each_db(|app| async move {
        let pg = app.db.backend() == sea_orm::DbBackend::Postgres;
        async fn twice<T>(app: &common::TestApp, sql: &str)
        where
            T: Col + sea_orm::TryGetable + PartialEq + std::fmt::Debug,
            Option<T>: Col,
        {
            let row = app.db.read.query_one_raw(Statement::from_string(app.db.backend(), sql)).await.unwrap().unwrap();
            let sqlx: Result<Option<T>, _> = row.try_get("", "v");
            let hint = Hint::new();
            for time in ["first", "second"] {
                let ours = Option::<T>::get(&row, "v", &hint);
                match (&ours, &sqlx) {
                    (Ok(ours), Ok(sqlx)) => assert_eq!(ours, sqlx, "{} {time}: {sql}", app.backend()),
                    (Err(_), Err(_)) => {}
                    _ => panic!("{} {time}: {sql}: ours {ours:?}, sqlx {sqlx:?}", app.backend()),
                }
            }
        }
        let (int8, int4, float8) = ("BIGINT", "INTEGER", if pg { "DOUBLE PRECISION" } else { "REAL" });
        for v in ["0", "-1", "9223372036854775807", "-9223372036854775808", "NULL"] {
            twice::<i64>(&app, &format!("SELECT CAST({v} AS {int8}) AS v")).await;
        }
        for v in ["7", "-2147483648", "2147483647", "NULL"] {
            twice::<i32>(&app, &format!("SELECT CAST({v} AS {int4}) AS v")).await;
            twice::<i64>(&app, &format!("SELECT CAST({v} AS {int4}) AS v")).await;
        }
        for v in ["0.5", "-1e300", "3.141592653589793", "NULL"] {
            twice::<f64>(&app, &format!("SELECT CAST({v} AS {float8}) AS v")).await;
        }
        for v in ["TRUE", "FALSE", "NULL"] {
            twice::<bool>(&app, &format!("SELECT CAST({v} AS BOOLEAN) AS v")).await;
        }
        for v in ["''", "'plain'", "'Müller — ☃ 名前'", "NULL"] {
            twice::<String>(&app, &format!("SELECT CAST({v} AS TEXT) AS v")).await;
            twice::<String>(&app, &format!("SELECT CAST({v} AS VARCHAR(40)) AS v")).await;
        }
        if pg {
            for v in ["'2000-01-01'", "'1999-12-31'", "'0001-01-01'", "'2026-04-22'", "'9999-12-31'", "NULL"] {
                twice::<chrono::NaiveDate>(&app, &format!("SELECT CAST({v} AS DATE) AS v")).await;
            }
            // Read as types sqlx refuses.
            twice::<i32>(&app, "SELECT CAST(5 AS BIGINT) AS v").await;
            twice::<String>(&app, "SELECT CAST(5 AS BIGINT) AS v").await;
        }
    })
    .await;
}
