//! `scholargraph bench`: generates N works, imports them into SQLite and
//! PostgreSQL, serves each with this binary, drives a fixed query mix with
//! a real HTTP load generator on loopback at several concurrencies, runs
//! PostGraphile on the same PostgreSQL database with the shared queries,
//! measures the SQL floor, and writes the tables to `BENCHMARKS.md`.
mod floor;
mod load;
mod peer;
mod process;
mod queries;
mod report;

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use sea_orm::{ConnectionTrait, DbBackend, Value};
use serde_json::Value as Json;

use crate::db::{Db, DbOptions, exec};
use crate::ingest::formats::Format;
use crate::ingest::import::{self, ImportOptions};
pub use load::{Figures, Tool};
use queries::{Picks, Query};
pub use report::{Measured, Row};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Works to generate and import.
    #[arg(long, default_value_t = 1_000_000)]
    pub works: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Seconds of load per query and concurrency.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Concurrent connections, one run each.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    pub concurrency: Vec<usize>,
    /// Databases to measure.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    pub databases: Vec<BenchDb>,
    /// A PostgreSQL database the benchmark may drop and recreate.
    #[arg(
        long,
        env = "SCHOLARGRAPH_BENCH_POSTGRES",
        default_value = "postgres://postgres@127.0.0.1:5432/scholargraph_bench?sslmode=disable"
    )]
    pub postgres_url: String,
    /// Also measure PostGraphile on the PostgreSQL database (installed from npm).
    #[arg(long, value_enum, default_value_t = Peer::Postgraphile)]
    pub peer: Peer,
    /// Where PostGraphile is installed (outside the repository).
    #[arg(long)]
    pub peer_dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Tool::Auto)]
    pub load_tool: Tool,
    /// Generated files, SQLite databases and logs.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Keep databases imported by an earlier run with the same works and seed.
    #[arg(long)]
    pub reuse: bool,
    /// Runs of each query for the SQL floor.
    #[arg(long, default_value_t = 200)]
    pub floor_runs: usize,
    /// Write the tables into this Markdown file (between markers, keeping
    /// the rest of it); they are printed to stdout either way.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchDb {
    Sqlite,
    Postgres,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Peer {
    Postgraphile,
    None,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let dir = args.work_dir.clone().unwrap_or_else(|| std::env::temp_dir().join("scholargraph-bench"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let file = dir.join(format!("works-{}-{}.jsonl", args.works, args.seed));
    if !file.exists() {
        eprintln!("bench: generating {} works into {}", args.works, file.display());
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        crate::ingest::generate::generate(args.works, args.seed, &mut out)?;
        std::io::Write::flush(&mut out)?;
    }
    let mut measured = Measured::new(&args, load::Tool::resolve(args.load_tool));
    for which in &args.databases {
        let url = match which {
            BenchDb::Sqlite => format!("sqlite://{}?mode=rwc", dir.join(format!("bench-{}.db", args.works)).display()),
            BenchDb::Postgres => args.postgres_url.clone(),
        };
        let db = prepare(&args, *which, &url, &file, &dir).await?;
        let picks = measure_ours(&args, &db, &url, &dir, &mut measured).await?;
        if *which == BenchDb::Postgres && args.peer == Peer::Postgraphile {
            measure_peer(&args, &url, &dir, &picks, &mut measured).await?;
        }
    }
    let markdown = measured.markdown();
    println!("{markdown}");
    if let Some(out) = &args.out {
        report::write_into(out, args.works, &markdown)?;
        eprintln!("bench: tables written to {}", out.display());
    }
    Ok(())
}

/// A fresh database holding the generated works, the demo corpus and 30
/// featured days (unless `--reuse` finds one from an earlier run).
async fn prepare(
    args: &BenchArgs,
    which: BenchDb,
    url: &str,
    file: &std::path::Path,
    dir: &std::path::Path,
) -> anyhow::Result<Db> {
    let marker = dir.join(format!("{which:?}-{}-{}.ready", args.works, args.seed).to_lowercase());
    if args.reuse && marker.exists() && std::fs::read_to_string(&marker)? == url {
        let db = Db::connect(url).await?;
        // Another run with the same URL and another --works may have
        // refilled the database since: its last generated work tells.
        if holds_generated(&db, args.works).await? {
            eprintln!("bench: reusing {url}");
            return Ok(db);
        }
        eprintln!("bench: {url} no longer holds {} generated works; importing again", args.works);
    }
    let _ = std::fs::remove_file(&marker);
    match which {
        BenchDb::Sqlite => {
            let path = url.trim_start_matches("sqlite://").split('?').next().unwrap_or_default();
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
        }
        BenchDb::Postgres => recreate_postgres(url).await?,
    }
    let db = Db::connect_with(url, DbOptions::default()).await.with_context(|| format!("connecting to {url}"))?;
    db.migrate().await?;
    eprintln!("bench: importing {} into {url}", file.display());
    let options = ImportOptions { progress: true, ..ImportOptions::default() };
    let report = import::import(&db, Format::OpenAlex, &[file.display().to_string()], &options).await;
    anyhow::ensure!(report.exit_code() == 0, "import failed: {}", report.summary());
    eprintln!("bench: {}", report.summary());
    crate::demo::load(&db).await?;
    feature_works(&db).await?;
    if db.backend() == DbBackend::Postgres {
        // Vacuumed too, as autovacuum would: trending's counts and other
        // index-only scans skip the heap once the visibility map is set.
        db.write.execute_unprepared("VACUUM (ANALYZE)").await?;
    }
    std::fs::write(&marker, url)?;
    Ok(db)
}

/// Whether the database holds exactly `works` generated works (W1 … WN).
async fn holds_generated(db: &Db, works: usize) -> anyhow::Result<bool> {
    let from = "FROM works WHERE openalex_id IN (?, ?)";
    let values = vec![format!("W{works}").into(), format!("W{}", works + 1).into()];
    let found = crate::db::fetch(&db.read, &[("openalex_id", crate::db::Kind::Text)], from, values).await?;
    Ok(found.len() == 1 && crate::db::text(&found[0][0]) == format!("W{works}"))
}

/// Drops and creates the database named in `url`, through the server's
/// `postgres` database.
async fn recreate_postgres(url: &str) -> anyhow::Result<()> {
    let mut admin = url::Url::parse(url).context("--postgres-url")?;
    let name = admin.path().trim_start_matches('/').to_owned();
    anyhow::ensure!(
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "--postgres-url must name a database (letters, digits, _): {url}"
    );
    admin.set_path("/postgres");
    let db = Db::connect(admin.as_str()).await.with_context(|| format!("connecting to {admin}"))?;
    db.write.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
    db.write.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
    Ok(())
}

/// One work in 3,000 featured on each of the 30 days up to 2026-04-22 (the
/// trending page of seed 004), with upvotes, so trending has work to do.
pub async fn feature_works(db: &Db) -> anyhow::Result<()> {
    let end = chrono::NaiveDate::from_ymd_opt(2026, 4, 22).context("date")?;
    let cast = if db.backend() == DbBackend::Postgres { "CAST(id % 997 AS INTEGER)" } else { "id % 997" };
    let sql = format!(
        "INSERT INTO work_features (work_id, featured_on, source, upvotes) \
         SELECT id, ?, 'bench', {cast} FROM works WHERE id % 3000 = ?"
    );
    for day in 0..30i64 {
        let values = vec![Value::ChronoDate(Some(end - chrono::Duration::days(day))), Value::BigInt(Some(day * 7))];
        exec(&db.write, &sql, values).await?;
    }
    // Written behind the importer's back: their trending scores too.
    crate::ingest::derive::trends(&db.write, crate::ingest::derive::Scope::All).await?;
    Ok(())
}

async fn graphql(url: &str, query: &str, variables: Json) -> anyhow::Result<Json> {
    let body: Json = reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({ "query": query, "variables": variables }))
        .send()
        .await?
        .json()
        .await?;
    anyhow::ensure!(body["errors"].is_null() && !body["data"].is_null(), "{query}: {body}");
    Ok(body)
}

/// A prolific author (the profile and the center of the graph), one further
/// down the list (the other end of the path) and a word of a title.
async fn picks(url: &str) -> anyhow::Result<Picks> {
    let q = r#"{ authors(first: 50, orderBy: {field: WORKS_COUNT, direction: DESC}) {
        nodes { id slug works(first: 1) { nodes { title } } } } }"#;
    let body = graphql(url, q, Json::Null).await?;
    let nodes = body["data"]["authors"]["nodes"].as_array().context("authors")?;
    let (first, last) = (nodes.first().context("no authors")?, nodes.last().context("no authors")?);
    let title = first["works"]["nodes"][0]["title"].as_str().unwrap_or("graph");
    let word = title.split_whitespace().find(|w| w.len() >= 5).unwrap_or("graph").to_lowercase();
    Ok(Picks {
        slug: first["slug"].as_str().context("slug")?.to_owned(),
        author_id: first["id"].as_str().context("id")?.to_owned(),
        other_author_id: last["id"].as_str().context("id")?.to_owned(),
        word: word.trim_matches(|c: char| !c.is_alphanumeric()).to_owned(),
        trending_date: "2026-04-22".to_owned(),
    })
}

/// The SQL statements a server ran per request of `query`, from the
/// difference of its `/metrics` counter over serial requests (less the
/// statements of reading the metrics themselves).
async fn statements_per_request(url: &str, query: &Query) -> anyhow::Result<f64> {
    let metrics_url = url.replace("/graphql", "/metrics");
    let scrape = || async {
        let text = reqwest::get(&metrics_url).await?.text().await?;
        let line = text.lines().find(|l| l.starts_with("scholargraph_sql_statements_total")).context("counter")?;
        line.rsplit(' ').next().context("value")?.parse::<f64>().context("value")
    };
    let a = scrape().await?;
    let b = scrape().await?;
    let own = b - a;
    const N: usize = 10;
    for _ in 0..N {
        graphql(url, query.text, query.variables.clone()).await?;
    }
    let c = scrape().await?;
    Ok((c - b - own) / N as f64)
}

async fn measure_ours(
    args: &BenchArgs,
    db: &Db,
    url: &str,
    dir: &std::path::Path,
    measured: &mut Measured,
) -> anyhow::Result<Picks> {
    let backend = if db.backend() == DbBackend::Postgres { "PostgreSQL" } else { "SQLite" };
    let server = process::serve(url, &dir.join(format!("serve-{backend}.log"))).await?;
    let picks = picks(&server.url).await?;
    let mix = queries::ours(&picks);
    for query in &mix {
        graphql(&server.url, query.text, query.variables.clone()).await?;
        let statements = statements_per_request(&server.url, query).await?;
        for &c in &args.concurrency {
            eprintln!("bench: scholargraph {backend}: {} at {c}", query.name);
            server.settle().await;
            let figures = load::run(args.load_tool, &server.url, &query.body(), c, args.seconds, dir).await?;
            measured.rows.push(Row {
                server: "scholargraph",
                database: backend,
                query: query.name,
                concurrency: c,
                figures,
                statements: Some(statements),
            });
        }
    }
    measured.peak_mb.push((format!("scholargraph, {backend}"), server.peak_mb()));
    drop(server);
    for query in &mix {
        let floor = floor::measure(db, query, args.floor_runs).await?;
        measured.floors.push((backend, query.name, floor));
    }
    Ok(picks)
}

async fn measure_peer(
    args: &BenchArgs,
    url: &str,
    dir: &std::path::Path,
    picks: &Picks,
    measured: &mut Measured,
) -> anyhow::Result<()> {
    let peer_dir = args.peer_dir.clone().unwrap_or_else(peer::default_dir);
    peer::install(&peer_dir)?;
    let peer = peer::start(&peer_dir, url, &dir.join("postgraphile.log")).await?;
    for query in queries::peer(picks) {
        graphql(&peer.url, query.text, query.variables.clone()).await?;
        for &c in &args.concurrency {
            eprintln!("bench: PostGraphile: {} at {c}", query.name);
            peer.settle().await;
            let figures = load::run(args.load_tool, &peer.url, &query.body(), c, args.seconds, dir).await?;
            measured.rows.push(Row {
                server: "PostGraphile 5",
                database: "PostgreSQL",
                query: query.name,
                concurrency: c,
                figures,
                statements: None,
            });
        }
    }
    measured.peak_mb.push(("PostGraphile 5, PostgreSQL".to_owned(), peer.peak_mb()));
    Ok(())
}
