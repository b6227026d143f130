//! Secondary indexes and (on PostgreSQL) foreign keys set aside while an
//! import fills an empty graph, and put back from the loaded rows at the
//! end: one sort per index and one join per key, instead of a random b-tree
//! insert per row and index, and a trigger per row and key, in every batch
//! (on PostgreSQL the key checks alone were 70% of inserting author topics).
//! Their definitions wait in `deferred_schema`, written in the transaction
//! that drops them, so an import killed in between leaves them to the next
//! import or server start (`Db::migrate`).
use sea_orm::{ConnectionTrait, DbBackend, DbErr, TransactionTrait, Value};

use super::{Db, Kind, fetch, stmt, text};

/// Indexes and keys of these tables may be set aside: the ones an import fills.
const TABLES: [&str; 10] = [
    "works",
    "authors",
    "authorships",
    "authorship_institutions",
    "citations",
    "work_topics",
    "author_topics",
    "coauthor_tops",
    "author_institutions",
    "search_index",
];

/// One index or key: its name, the statement that makes it, and the one
/// that drops it.
struct Object {
    name: String,
    create: String,
    drop: String,
}

/// What an import's own statements never read: indexes neither unique
/// (those match records to rows) nor partial (the waiting citations' one is
/// read by every batch), and PostgreSQL's foreign keys (the importer makes
/// only ids it has just looked up or written).
async fn deferrable(db: &Db) -> Result<Vec<Object>, DbErr> {
    let tables = TABLES.map(|t| format!("'{t}'")).join(", ");
    let from = match db.backend() {
        DbBackend::Postgres => format!(
            "FROM (SELECT indexname AS name, indexdef AS definition, tablename AS tbl FROM pg_indexes \
               WHERE schemaname = current_schema() AND tablename IN ({tables}) \
             UNION ALL SELECT k.conname, 'FOREIGN KEY ' || pg_get_constraintdef(k.oid), c.relname \
               FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid \
               WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace AND c.relname IN ({tables})) i"
        ),
        _ => format!(
            "FROM (SELECT name, sql AS definition, tbl_name AS tbl FROM sqlite_master \
             WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({tables})) i"
        ),
    };
    let columns = [("name", Kind::Text), ("definition", Kind::Text), ("tbl", Kind::Text)];
    let mut out = Vec::new();
    for r in fetch(&db.write, &columns, &from, vec![]).await? {
        let (name, definition, table) = (text(&r[0]), text(&r[1]), text(&r[2]));
        let upper = definition.to_uppercase();
        if let Some(key) = definition.strip_prefix("FOREIGN KEY ") {
            out.push(Object {
                name: name.to_owned(),
                create: format!("ALTER TABLE {table} ADD CONSTRAINT {name} {key}"),
                drop: format!("ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}"),
            });
        } else if name.starts_with("ix_") && upper.starts_with("CREATE INDEX ") && !upper.contains(" WHERE ") {
            let create = match upper.starts_with("CREATE INDEX IF NOT EXISTS ") {
                true => definition.to_owned(),
                false => definition.replacen("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1),
            };
            out.push(Object { name: name.to_owned(), create, drop: format!("DROP INDEX IF EXISTS {name}") });
        }
    }
    Ok(out)
}

/// Sets aside what an import need not keep current; how many.
pub async fn defer(db: &Db) -> Result<usize, DbErr> {
    let objects = deferrable(db).await?;
    let backend = db.backend();
    let tx = db.write.begin().await?;
    for o in &objects {
        let sql = "INSERT INTO deferred_schema (name, definition) VALUES (?, ?) ON CONFLICT (name) DO NOTHING";
        tx.execute_raw(stmt(backend, sql, vec![Value::from(o.name.as_str()), Value::from(o.create.as_str())])).await?;
        tx.execute_unprepared(&o.drop).await?;
    }
    tx.commit().await?;
    Ok(objects.len())
}

/// Puts back everything set aside, indexes first; how many. Each is
/// forgotten once back. A key that some row breaks (a bug of ours) is put
/// back unvalidated, with a warning: it still holds for new rows, and the
/// server still starts.
pub async fn restore(db: &Db) -> Result<usize, DbErr> {
    let backend = db.backend();
    let columns = [("name", Kind::Text), ("definition", Kind::Text)];
    let mut pending: Vec<(String, String)> = fetch(&db.write, &columns, "FROM deferred_schema", vec![])
        .await?
        .iter()
        .map(|r| (text(&r[0]).to_owned(), text(&r[1]).to_owned()))
        .collect();
    pending.sort_by_key(|(name, definition)| (definition.starts_with("ALTER"), name.clone()));
    for (name, definition) in &pending {
        let started = std::time::Instant::now();
        let tx = db.write.begin().await?;
        let key = definition.split_once(" ADD CONSTRAINT ").map(|(alter, _)| alter);
        match key {
            Some(alter) => {
                // One put back by a run killed before it could forget it.
                tx.execute_unprepared(&format!("{alter} DROP CONSTRAINT IF EXISTS {name}")).await?;
                tx.execute_unprepared(&format!("{definition} NOT VALID")).await?;
            }
            None => {
                tx.execute_unprepared(definition).await?;
            }
        }
        tx.execute_raw(stmt(backend, "DELETE FROM deferred_schema WHERE name = ?", vec![Value::from(name.as_str())]))
            .await?;
        tx.commit().await?;
        if let Some(alter) = key {
            if let Err(e) = db.write.execute_unprepared(&format!("{alter} VALIDATE CONSTRAINT {name}")).await {
                tracing::warn!(key = %name, error = %e, "a foreign key put back after an import does not hold for every row");
            }
        }
        tracing::debug!(name = %name, ms = started.elapsed().as_secs_f64() * 1000.0, "put back");
    }
    Ok(pending.len())
}
