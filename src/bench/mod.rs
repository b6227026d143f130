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
    /// Seconds of load per server, query and concurrency, split into
    /// `--rounds` rounds (of a second at least).
    #[arg(long, default_value_t = 6)]
    pub seconds: u64,
    /// Rounds per query and concurrency, each taking the servers in turn.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
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

impl BenchArgs {
    /// Seconds of one round (wrk takes whole seconds).
    pub fn round_seconds(&self) -> u64 {
        (self.seconds / self.rounds.max(1) as u64).max(1)
    }
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
    anyhow::ensure!(args.rounds >= 1, "--rounds must be at least 1");
    let dir = args.work_dir.clone().unwrap_or_else(|| std::env::temp_dir().join("scholargraph-bench"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let file = dir.join(format!("works-{}-{}.jsonl", args.works, args.seed));
    if !file.exists() {
        eprintln!("bench: generating {} works into {}", args.works, file.display());
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        crate::ingest::generate::generate(args.works, args.seed, &mut out)?;
        std::io::Write::flush(&mut out)?;
    }
    // Every database before any measurement: an import's pages still being
    // written out slowed whatever ran beside them (the first database's
    // nested query measured 7.0 ms at 1 connection while the second was
    // imported, 4.5 ms after).
    let mut databases = Vec::new();
    for which in &args.databases {
        let url = match which {
            BenchDb::Sqlite => format!("sqlite://{}?mode=rwc", dir.join(format!("bench-{}.db", args.works)).display()),
            BenchDb::Postgres => args.postgres_url.clone(),
        };
        let db = prepare(&args, *which, &url, &file, &dir).await?;
        databases.push((*which, url, db));
    }
    for (_, _, db) in &databases {
        flush(db).await?;
    }
    process::settle(std::time::Duration::from_secs(30)).await;
    let mut measured = Measured::new(&args, load::Tool::resolve(args.load_tool));
    let targets = start_targets(&args, &databases, &dir).await?;
    measure(&args, &targets, &dir, &mut measured).await?;
    for target in &targets {
        measured.peak_mb.push((format!("{}, {}", target.server, target.database), target.process.peak_mb()));
    }
    drop(targets);
    let markdown = measured.markdown();
    println!("{markdown}");
    if let Some(out) = &args.out {
        report::write_into(out, args.works, &markdown)?;
        eprintln!("bench: tables written to {}", out.display());
    }
    Ok(())
}

/// Writes out what an import left in memory or in the write-ahead log, so
/// that the measurements do not share the disk and the CPU with it.
async fn flush(db: &Db) -> anyhow::Result<()> {
    let sql = match db.backend() {
        DbBackend::Postgres => "CHECKPOINT",
        _ => "PRAGMA wal_checkpoint(TRUNCATE)",
    };
    db.write.execute_unprepared(sql).await?;
    // The operating system's dirty pages too (of the SQLite file, say).
    let _ = tokio::task::spawn_blocking(|| std::process::Command::new("sync").status()).await;
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
            // Migrated here, not by the server, and settled after: a
            // migration may rewrite rows.
            db.migrate().await?;
            settle(&db).await?;
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
    settle(&db).await?;
    std::fs::write(&marker, url)?;
    Ok(db)
}

/// Statistics and visibility maps as autovacuum would leave them after
/// writes: trending's counts and other index-only scans skip the heap
/// once the visibility map is set.
async fn settle(db: &Db) -> anyhow::Result<()> {
    if db.backend() == DbBackend::Postgres {
        db.write.execute_unprepared("VACUUM (ANALYZE)").await?;
    }
    Ok(())
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

/// A server under measurement: ours on one database, or the peer.
struct Target {
    server: &'static str,
    database: &'static str,
    process: process::Process,
    /// the queries it answers, by our names
    mix: Vec<Query>,
    /// ours: the database, for statement counts and the floor
    db: Option<Db>,
    /// the peer: its database, where its leftover statements are cancelled
    peer_db: Option<Db>,
}

/// Our server on each database and, on PostgreSQL, the peer: all started
/// before the first run, so that each query is measured on every server in
/// turn, under the same conditions.
async fn start_targets(
    args: &BenchArgs,
    databases: &[(BenchDb, String, Db)],
    dir: &std::path::Path,
) -> anyhow::Result<Vec<Target>> {
    let mut targets = Vec::new();
    for (which, url, db) in databases {
        let database = if *which == BenchDb::Postgres { "PostgreSQL" } else { "SQLite" };
        let process = process::serve(url, &dir.join(format!("serve-{database}.log"))).await?;
        let picks = picks(&process.url).await?;
        let mix = queries::ours(&picks);
        targets.push(Target { server: "scholargraph", database, process, mix, db: Some(db.clone()), peer_db: None });
        if *which == BenchDb::Postgres && args.peer == Peer::Postgraphile {
            let peer_dir = args.peer_dir.clone().unwrap_or_else(peer::default_dir);
            peer::install(&peer_dir)?;
            let process = peer::start(&peer_dir, url, &dir.join("postgraphile.log")).await?;
            let mix = queries::peer(&picks);
            let peer_db = Some(db.clone());
            targets.push(Target { server: "PostGraphile 5", database: "PostgreSQL", process, mix, db: None, peer_db });
        }
    }
    Ok(targets)
}

/// Each query at each concurrency on every server that answers it, in
/// `--rounds` rounds that take the servers in turn (each round starting
/// with the next server), then the query's SQL floor on each database. A
/// machine that slows down for a while then slows every server alike,
/// where measuring one server after the other set one's good minute
/// against the other's bad one.
async fn measure(
    args: &BenchArgs,
    targets: &[Target],
    dir: &std::path::Path,
    measured: &mut Measured,
) -> anyhow::Result<()> {
    let seconds = args.round_seconds();
    let names: Vec<&'static str> = targets.iter().flat_map(|t| t.mix.iter().map(|q| q.name)).collect();
    let mut seen = std::collections::HashSet::new();
    for name in names.into_iter().filter(|n| seen.insert(*n)) {
        let runs: Vec<(&Target, &Query)> =
            targets.iter().filter_map(|t| t.mix.iter().find(|q| q.name == name).map(|q| (t, q))).collect();
        let mut statements = Vec::with_capacity(runs.len());
        for (target, query) in &runs {
            graphql(&target.process.url, query.text, query.variables.clone()).await?;
            statements.push(match target.db {
                Some(_) => Some(statements_per_request(&target.process.url, query).await?),
                None => None,
            });
        }
        for &c in &args.concurrency {
            let mut rounds: Vec<Vec<Figures>> = vec![Vec::new(); runs.len()];
            for round in 0..args.rounds {
                for k in 0..runs.len() {
                    let i = (k + round) % runs.len();
                    let (target, query) = runs[i];
                    eprintln!(
                        "bench: {} {}: {name} at {c} (round {} of {})",
                        target.server,
                        target.database,
                        round + 1,
                        args.rounds
                    );
                    process::settle(std::time::Duration::from_secs(5)).await;
                    let url = &target.process.url;
                    rounds[i].push(load::run(args.load_tool, url, &query.body(), c, seconds, dir).await?);
                    if let Some(db) = &target.peer_db {
                        peer::cancel_leftovers(db).await?;
                    }
                }
            }
            for (i, (target, _)) in runs.iter().enumerate() {
                measured.rows.push(Row {
                    server: target.server,
                    database: target.database,
                    query: name,
                    concurrency: c,
                    figures: Figures::of_rounds(&rounds[i]),
                    statements: statements[i],
                });
            }
            // Right after the serial runs it is set against.
            if c == 1 {
                floors(args, &runs, measured).await?;
            }
        }
        if !args.concurrency.contains(&1) {
            floors(args, &runs, measured).await?;
        }
    }
    Ok(())
}

/// The SQL floor of a query on each of our databases.
async fn floors(args: &BenchArgs, runs: &[(&Target, &Query)], measured: &mut Measured) -> anyhow::Result<()> {
    for (target, query) in runs {
        if let Some(db) = &target.db {
            process::settle(std::time::Duration::from_secs(5)).await;
            let floor = floor::measure(db, query, args.floor_runs).await?;
            measured.floors.push((target.database, query.name, floor));
        }
    }
    Ok(())
}
