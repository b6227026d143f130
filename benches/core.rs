//! `cargo bench --bench core`: the figures of the core issue, measured on the
//! release binary over loopback HTTP.
//! - cold start: `serve` on an empty SQLite file until `/ready` answers and
//!   the demo corpus is queryable;
//! - the profile page (seed 000) as one query: median and p99 latency;
//! - SQL statements of the nested query at N = 5 and N = 50 (from the test
//!   suite's counter, repeated here on the real server's log of statements).
//! Postgres is measured too when `TEST_DATABASE_URL` is set.
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PROFILE: &str = r#"query Profile($slug: String!) { author(slug: $slug) {
  id displayName headline openToCollaborate claimed currentAffiliation { name }
  metrics { worksCount followersCount topicsCount closeCollaboratorsCount }
  externalMetrics { name value source }
  topics(first: 8) { topic { code name } worksCount share }
  coauthors(first: 8) { totalCount edges { sharedWorksCount node { slug displayName } } }
  works(first: 20) { totalCount nodes { id title abstract type year publicationDate venue { name }
    authorships { position rawName author { slug } institutions { shortName } } topics { code } } } } }"#;

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(18_000)
}

async fn start(database_url: &str, client: &reqwest::Client) -> (Server, Duration) {
    let port = free_port();
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_scholargraph"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database-url", database_url])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the scholargraph binary starts");
    let server = Server { child, url: format!("http://127.0.0.1:{port}") };
    loop {
        let ready =
            client.get(format!("{}/ready", server.url)).send().await.map(|r| r.status().is_success()).unwrap_or(false);
        if ready && query(client, &server.url).await.is_ok() {
            return (server, started.elapsed());
        }
        assert!(started.elapsed() < Duration::from_secs(60), "server did not become ready");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn query(client: &reqwest::Client, url: &str) -> Result<(), String> {
    let body = serde_json::json!({"query": PROFILE, "variables": {"slug": "eric-shea-brown"}});
    let r: serde_json::Value = client
        .post(format!("{url}/graphql"))
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    if r["data"]["author"]["metrics"]["worksCount"] == 18 { Ok(()) } else { Err(r.to_string()) }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn latency(client: &reqwest::Client, url: &str, n: usize) -> (Duration, Duration) {
    for _ in 0..50 {
        query(client, url).await.expect("warm-up");
    }
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        query(client, url).await.expect("profile query");
        times.push(t.elapsed());
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

#[tokio::main]
async fn main() {
    let client = reqwest::Client::new();
    let dir = tempfile::tempdir().expect("tempdir");
    println!("scholargraph core benchmark ({} cores)", std::thread::available_parallelism().map_or(0, |n| n.get()));

    let mut starts = Vec::new();
    for i in 0..5 {
        let url = format!("sqlite://{}?mode=rwc", dir.path().join(format!("cold{i}.db")).display());
        let (_server, took) = start(&url, &client).await;
        starts.push(took);
    }
    starts.sort();
    println!(
        "cold start on an empty SQLite file (migrate + demo corpus + ready), 5 runs: median {:.0} ms, min {:.0} ms, max {:.0} ms",
        ms(starts[2]),
        ms(starts[0]),
        ms(starts[4])
    );

    let url = format!("sqlite://{}?mode=rwc", dir.path().join("profile.db").display());
    let (server, _) = start(&url, &client).await;
    let (p50, p99) = latency(&client, &server.url, 2_000).await;
    println!("profile query, SQLite, 2000 serial requests: p50 {:.2} ms, p99 {:.2} ms", ms(p50), ms(p99));
    drop(server);

    if let Ok(pg) = std::env::var("TEST_DATABASE_URL") {
        let admin = scholargraph::db::Db::connect(&pg).await.expect("postgres");
        let schema = format!("bench_{}", std::process::id());
        sea_orm::ConnectionTrait::execute_unprepared(
            &admin.write,
            &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"),
        )
        .await
        .expect("schema");
        let sep = if pg.contains('?') { '&' } else { '?' };
        let url = format!("{pg}{sep}options=-c%20search_path%3D{schema}");
        let (server, took) = start(&url, &client).await;
        println!("cold start on an empty Postgres schema: {:.0} ms", ms(took));
        let (p50, p99) = latency(&client, &server.url, 2_000).await;
        println!("profile query, Postgres, 2000 serial requests: p50 {:.2} ms, p99 {:.2} ms", ms(p50), ms(p99));
        drop(server);
        sea_orm::ConnectionTrait::execute_unprepared(&admin.write, &format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .expect("drop schema");
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
