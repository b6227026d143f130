//! Small builders that keep the migrations readable: every table has a
//! bigint id, foreign keys are declared (so other tools can follow them) and
//! every foreign key column gets an index.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

pub fn id() -> ColumnDef {
    schema::big_pk_auto(Alias::new("id"))
}

pub fn table(name: &str) -> TableCreateStatement {
    Table::create().table(Alias::new(name)).if_not_exists().to_owned()
}

pub fn fk(table: &str, column: &str, target: &str, on_delete: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(target), Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}

pub fn index(table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", columns.join("_"))).table(Alias::new(table)).if_not_exists();
    for column in columns {
        stmt.col(Alias::new(*column));
    }
    stmt.to_owned()
}

pub fn unique(table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut stmt = index(table, columns);
    stmt.name(format!("ux_{table}_{}", columns.join("_"))).unique();
    stmt
}

pub fn col(name: &str) -> Alias {
    Alias::new(name)
}

/// Runs `statements` in order. On PostgreSQL they go in one call with the
/// server's statement timeout lifted (one call, so one connection): a
/// statement rewriting every row of a large graph outlasts it.
pub async fn run_unbounded(m: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
    let conn = m.get_connection();
    match m.get_database_backend() {
        DbBackend::Postgres => {
            let sql = format!("SET statement_timeout = 0; {}; RESET statement_timeout", statements.join("; "));
            conn.execute_unprepared(&sql).await?;
        }
        _ => {
            for sql in statements {
                conn.execute_unprepared(sql).await?;
            }
        }
    }
    Ok(())
}
