//! `cargo bench --bench import`: imports generated works (`scholargraph
//! generate`, default 100,000; `IMPORT_BENCH_WORKS` to change) into a fresh
//! SQLite file and, with `TEST_DATABASE_URL`, into a fresh Postgres schema;
//! then imports the same file again. Reports works/s and peak memory.
use std::time::Instant;

use scholargraph::db::{Db, DbOptions};
use scholargraph::ingest::formats::Format;
use scholargraph::ingest::generate::generate;
use scholargraph::ingest::import::{ImportOptions, import};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn bench(name: &str, db: &Db, file: &str, works: usize) {
    db.migrate().await.expect("migrate");
    for pass in ["first import", "re-import"] {
        let t = Instant::now();
        let report = import(db, Format::OpenAlex, &[file.to_owned()], &ImportOptions::default()).await;
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(report.exit_code(), 0, "{}", report.summary());
        println!(
            "{name}, {pass}: {works} works in {secs:.1} s = {:.0} works/s; peak RSS so far {:.0} MB",
            works as f64 / secs,
            peak_rss_mb()
        );
        println!("  {}", report.summary());
    }
    let mut sizes = Vec::new();
    for table in [
        "works",
        "authors",
        "authorships",
        "authorship_institutions",
        "citations",
        "work_topics",
        "author_topics",
        "affiliations",
        "institutions",
        "topics",
        "venues",
        "work_features",
        "external_metrics",
    ] {
        let row = sea_orm::ConnectionTrait::query_one_raw(
            &db.read,
            sea_orm::Statement::from_string(
                db.read.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ),
        )
        .await
        .expect("count");
        let n: i64 = row.and_then(|r| r.try_get("", "n").ok()).unwrap_or(0);
        sizes.push(format!("{table} {n}"));
    }
    println!("  rows: {}", sizes.join(", "));
}

#[tokio::main]
async fn main() {
    if std::env::var("RUST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).try_init();
    }
    let works: usize = std::env::var("IMPORT_BENCH_WORKS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("works.jsonl");
    let t = Instant::now();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).expect("create"));
    generate(works, 42, &mut out).expect("generate");
    drop(out);
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!(
        "generated {works} works ({:.0} MB) in {:.1} s; peak RSS {:.0} MB",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
    let file = file.display().to_string();

    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
    bench("SQLite", &Db::connect(&url).await.expect("sqlite"), &file, works).await;

    if let Ok(pg) = std::env::var("TEST_DATABASE_URL") {
        let admin = Db::connect(&pg).await.expect("postgres");
        let schema = format!("import_bench_{}", std::process::id());
        sea_orm::ConnectionTrait::execute_unprepared(&admin.write, &format!("CREATE SCHEMA {schema}"))
            .await
            .expect("schema");
        let db = Db::connect_with(
            &pg,
            DbOptions { schema: Some(schema.clone()), max_connections: Some(8), ..DbOptions::default() },
        )
        .await
        .expect("postgres");
        bench("Postgres", &db, &file, works).await;
        sea_orm::ConnectionTrait::execute_unprepared(&admin.write, &format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .expect("drop");
    }
}
