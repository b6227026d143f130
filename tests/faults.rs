//! Faults: Postgres becomes unreachable while the server runs (its
//! connections cut, new ones refused, through a proxy the test controls).
//! Requests then fail fast with `DATABASE_UNAVAILABLE` and `/ready` says so;
//! when the database is back the server serves again by itself.
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use scholargraph::config::{Config, DatabaseUrl};
use scholargraph::db::{Db, DbOptions};
use scholargraph::server::{self, AppState};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// A TCP proxy to Postgres that can be cut and restored.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (flag, held) = (up.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused
                }
                let target = target.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                held.lock().await.push(link);
            }
        });
        Self { port, up, links }
    }

    async fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().await.drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn postgres_going_away_fails_fast_and_service_resumes_by_itself() {
    let Some(url) = common::postgres_url() else { return };
    let parsed = url::Url::parse(&url).unwrap();
    let target = format!("{}:{}", parsed.host_str().unwrap(), parsed.port().unwrap_or(5432));
    let proxy = Proxy::start(target).await;
    let mut through = parsed.clone();
    through.set_port(Some(proxy.port)).unwrap();
    through.set_host(Some("127.0.0.1")).unwrap();

    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin = Db::connect(&url).await.unwrap();
    admin.write.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await.unwrap();
    let options = DbOptions { schema: Some(schema.clone()), max_connections: Some(4), ..DbOptions::default() };
    let db = Db::connect_with(through.as_str(), options).await.unwrap();
    db.migrate().await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config { database_url: DatabaseUrl::new(through.as_str()), ..Config::default() };
    tokio::spawn(server::run(listener, AppState::new(db.clone(), config), std::future::pending()));
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().unwrap();
    let query = || async {
        let started = Instant::now();
        let body: Value = client
            .post(format!("http://{addr}/graphql"))
            .json(&json!({ "query": "{ works(first: 1) { totalCount } }" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (body, started.elapsed())
    };
    let ready = || async { client.get(format!("http://{addr}/ready")).send().await.unwrap().status().as_u16() };

    // Several at once, so that the read pool holds several connections.
    for (body, _) in futures_util::future::join_all((0..8).map(|_| query())).await {
        assert_eq!(body["data"]["works"]["totalCount"], 0, "{body}");
    }
    assert_eq!(ready().await, 200);

    proxy.cut().await;
    let (body, took) = query().await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "DATABASE_UNAVAILABLE", "{body}");
    assert!(took < Duration::from_secs(7), "failed in {took:?}");
    // The cut connection closed the idle ones with it: none fails a later
    // request.
    assert_eq!(db.rows_pool().map(|(open, _)| open), Some(0));
    assert_eq!(ready().await, 503);

    proxy.restore();
    let started = Instant::now();
    loop {
        let (body, _) = query().await;
        if body["errors"].is_null() {
            assert_eq!(body["data"]["works"]["totalCount"], 0);
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "not back after 20 s: {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(ready().await, 200);

    // Cut and back with no request between: the next request meets a
    // connection from before and is answered on a new one.
    assert!(db.rows_pool().is_some_and(|(open, _)| open > 0));
    proxy.cut().await;
    proxy.restore();
    let (body, _) = query().await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["works"]["totalCount"], 0);
    admin.write.execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE")).await.unwrap();
}

#[tokio::test]
async fn a_statement_past_the_timeout_is_cancelled_with_its_own_code() {
    let Some(url) = common::postgres_url() else { return };
    let options = DbOptions { statement_timeout: Some(Duration::from_millis(200)), ..DbOptions::default() };
    let db = Db::connect_with(&url, options).await.unwrap();
    let started = Instant::now();
    let err = db.read.execute_unprepared("SELECT pg_sleep(5)").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    let err = scholargraph::error::AppError::from(err);
    assert_eq!(err.code(), "TIMEOUT", "{err}");
    assert!(!err.public_message().contains("pg_sleep"));
}

/// Another connection holding SQLite's write lock: a write waits and goes
/// through once the lock is released; if it is held past the bound (5 s) the
/// write fails as unavailable, not as an internal error.
#[tokio::test]
async fn a_locked_sqlite_database_is_waited_for_then_unavailable() {
    const SIGN_UP: &str =
        r#"mutation($h: String!) { signUp(input: { handle: $h, password: "correct horse battery" }) { token } }"#;
    let app = common::TestApp::sqlite().await;
    let other = Db::connect(&app.database_url()).await.unwrap();
    let holder = other.write.clone();

    holder.execute_unprepared("BEGIN IMMEDIATE").await.unwrap();
    let release = holder.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(800)).await;
        release.execute_unprepared("ROLLBACK").await.unwrap();
    });
    let started = Instant::now();
    let body = app.post(SIGN_UP, json!({ "h": "patient" })).await;
    assert!(body["errors"].is_null(), "retried until the lock was gone: {body}");
    assert!(started.elapsed() >= Duration::from_millis(700), "{:?}", started.elapsed());

    holder.execute_unprepared("BEGIN IMMEDIATE").await.unwrap();
    let started = Instant::now();
    let body = app.post(SIGN_UP, json!({ "h": "blocked" })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "DATABASE_UNAVAILABLE", "{body}");
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(4) && took < Duration::from_secs(12), "{took:?}");
    holder.execute_unprepared("ROLLBACK").await.unwrap();
}

/// Our Postgres connections plan each prepared statement once
/// (`force_generic_plan`), unless the URL sets the mode itself.
#[tokio::test]
async fn postgres_connections_keep_generic_plans_unless_the_url_says_otherwise() {
    let Some(url) = common::postgres_url() else { return };
    let mode = |db: Db| async move {
        let show = sea_orm::Statement::from_string(db.backend(), "SHOW plan_cache_mode");
        let row = db.read.query_one_raw(show).await.unwrap().unwrap();
        row.try_get::<String>("", "plan_cache_mode").unwrap()
    };
    assert_eq!(mode(Db::connect(&url).await.unwrap()).await, "force_generic_plan");
    let separator = if url.contains('?') { '&' } else { '?' };
    let own = format!("{url}{separator}options=-c%20plan_cache_mode%3Dauto");
    assert_eq!(mode(Db::connect(&own).await.unwrap()).await, "auto");
}
