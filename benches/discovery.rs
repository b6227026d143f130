//! `cargo bench --bench discovery`: latency of search and the discovery queries on
//! generated works (`DISCOVERY_BENCH_WORKS`, default 1,000,000), in a fresh
//! SQLite file and, with `TEST_DATABASE_URL`, a fresh Postgres schema.
//! Each query runs 50 times with random inputs (fixed seed) through the
//! schema's executor; medians and p99 are printed. Generated works carry no
//! trending features, so 1 in 3,000 works is featured on each of 30 days.
use std::time::Instant;

use rand::{Rng, SeedableRng};
use scholargraph::db::{Db, DbOptions};
use scholargraph::graphql::{SchemaLimits, build_schema, execute, global_id};
use scholargraph::ingest::formats::Format;
use scholargraph::ingest::generate::generate;
use scholargraph::ingest::import::{ImportOptions, import};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

const RUNS: usize = 50;

async fn max_id(db: &Db, table: &str) -> i64 {
    let row = db
        .read
        .query_one_raw(Statement::from_string(
            db.read.get_database_backend(),
            format!("SELECT MAX(id) AS m FROM {table}"),
        ))
        .await
        .expect("max id")
        .expect("a row");
    row.try_get::<i64>("", "m").unwrap_or(1)
}

async fn texts(db: &Db, sql: &str) -> Vec<String> {
    let rows = db.read.query_all_raw(Statement::from_string(db.read.get_database_backend(), sql)).await.expect("texts");
    rows.iter().map(|r| r.try_get::<String>("", "t").expect("text")).collect()
}

/// The words of one of `texts`, at random.
fn pick(rng: &mut rand_chacha::ChaCha8Rng, texts: &[String]) -> Vec<String> {
    let text = &texts[rng.random_range(0..texts.len())];
    text.split_whitespace().map(str::to_lowercase).collect()
}

/// A word of five letters or more from a title, with two letters swapped.
fn typo(rng: &mut rand_chacha::ChaCha8Rng, titles: &[String]) -> String {
    loop {
        let words = pick(rng, titles);
        if let Some(w) = words.iter().find(|w| w.chars().count() >= 5 && w.is_ascii()) {
            let mut b = w.clone().into_bytes();
            let i = rng.random_range(1..b.len() - 1);
            b.swap(i, i + 1);
            return String::from_utf8(b).expect("ascii");
        }
    }
}

fn percentiles(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.99))
}

async fn bench(name: &str, db: Db, file: &str, works: usize) {
    db.migrate().await.expect("migrate");
    let t = Instant::now();
    let report = import(&db, Format::OpenAlex, &[file.to_owned()], &ImportOptions::default()).await;
    assert_eq!(report.exit_code(), 0, "{}", report.summary());
    println!("{name}: imported {works} works in {:.1} s", t.elapsed().as_secs_f64());
    scholargraph::bench::feature_works(&db).await.expect("features");
    let (authors, max_work) = (max_id(&db, "authors").await, max_id(&db, "works").await);
    let schema = build_schema(db.clone(), &SchemaLimits::default());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let author = move |rng: &mut rand_chacha::ChaCha8Rng| {
        global_id::encode(global_id::Kind::Author, rng.random_range(1..=authors))
    };
    let work = move |rng: &mut rand_chacha::ChaCha8Rng| {
        global_id::encode(global_id::Kind::Work, rng.random_range(1..=max_work))
    };
    // Search text made of the words of stored titles and names, so that
    // searches find something.
    let titles = texts(&db, "SELECT title AS t FROM works WHERE id % 997 = 1 LIMIT 500").await;
    let names = texts(&db, "SELECT display_name AS t FROM authors WHERE id % 997 = 1 LIMIT 500").await;
    let (t1, t2, t3) = (titles.clone(), titles.clone(), titles);
    type Vars = Box<dyn Fn(&mut rand_chacha::ChaCha8Rng) -> serde_json::Value>;
    let cases: Vec<(&str, &str, Vars)> = vec![
        (
            "search, two words of a title",
            "query($q: String!) { search(query: $q, first: 20) { totalCount edges { score highlight node { ... on Work { title } } } } }",
            Box::new(move |rng| {
                let words = pick(rng, &t1);
                json!({ "q": format!("{} {}", words[0], words[words.len() - 1]) })
            }),
        ),
        (
            "search, a word with a typo",
            "query($q: String!) { search(query: $q, first: 20) { totalCount edges { score highlight node { ... on Work { title } } } } }",
            Box::new(move |rng| json!({ "q": typo(rng, &t2) })),
        ),
        (
            "autocomplete, 3 letters of a title word",
            "query($p: String!) { autocomplete(prefix: $p, limit: 10) { label } }",
            Box::new(move |rng| {
                let words = pick(rng, &t3);
                json!({ "p": words[0].chars().take(3).collect::<String>() })
            }),
        ),
        (
            "autocomplete, an author's first name and 2 letters",
            "query($p: String!) { autocomplete(prefix: $p, types: [AUTHOR], limit: 10) { label } }",
            Box::new(move |rng| {
                let words = pick(rng, &names);
                let last: String = words[words.len() - 1].chars().take(2).collect();
                json!({ "p": format!("{} {last}", words[0]) })
            }),
        ),
        (
            "trending, 7 days",
            r#"{ trending(date: "2026-04-22", days: 7, first: 20) { totalCount edges { rank score node { title } } } }"#,
            Box::new(|_| json!({})),
        ),
        (
            "coauthorPath, random authors",
            "query($f: ID!, $t: ID!) { coauthorPath(from: $f, to: $t) { id } }",
            Box::new(move |rng| json!({ "f": author(rng), "t": author(rng) })),
        ),
        (
            "researchGraph depth 2 limit 100",
            "query($c: ID!) { researchGraph(center: $c, depth: 2, limit: 100) { nodes { id weight } edges { kind } } }",
            Box::new(move |rng| json!({ "c": author(rng) })),
        ),
        (
            "facets of all works",
            "{ works(first: 1) { facets { years { year count } types { count } topics { count } } } }",
            Box::new(|_| json!({})),
        ),
        (
            "facets of an author's works",
            "query($a: ID) { works(first: 10, filter: {authorId: $a}) { facets { years { count } topics { count } venues { count } institutions { count } } } }",
            Box::new(move |rng| json!({ "a": author(rng) })),
        ),
        (
            "related, 10",
            "query($w: ID!) { node(id: $w) { ... on Work { related(first: 10) { id } } } }",
            Box::new(move |rng| json!({ "w": work(rng) })),
        ),
    ];
    for (label, query, vars) in &cases {
        let mut ms = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let request =
                async_graphql::Request::new(*query).variables(async_graphql::Variables::from_json(vars(&mut rng)));
            let t = Instant::now();
            let response = execute(&schema, request, &db).await;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            let errors: Vec<_> = response.errors.iter().filter(|e| !e.message.contains("visited more than")).collect();
            assert!(errors.is_empty(), "{label}: {errors:?}");
        }
        let (p50, p99) = percentiles(ms);
        println!("  {name}, {label}: p50 {p50:.1} ms, p99 {p99:.1} ms");
    }
}

#[tokio::main]
async fn main() {
    let works: usize = std::env::var("DISCOVERY_BENCH_WORKS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("works.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).expect("create"));
    generate(works, 42, &mut out).expect("generate");
    drop(out);
    let file = file.display().to_string();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
    bench("SQLite", Db::connect(&url).await.expect("sqlite"), &file, works).await;
    if let Ok(pg) = std::env::var("TEST_DATABASE_URL") {
        let admin = Db::connect(&pg).await.expect("postgres");
        let schema = format!("discovery_bench_{}", std::process::id());
        admin.write.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await.expect("schema");
        let db = Db::connect_with(
            &pg,
            DbOptions { schema: Some(schema.clone()), max_connections: Some(8), ..DbOptions::default() },
        )
        .await
        .expect("postgres");
        bench("Postgres", db, &file, works).await;
        admin.write.execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE")).await.expect("drop");
    }
}
