//! A bounded soak on loopback against the real binary: 16 clients send
//! normal reads, hostile requests and writes at once for 6 seconds. Memory
//! stays flat, hostile requests are refused, normal ones answered, and no
//! write is lost: the follower count at the end is what the clients' last
//! writes say it must be.
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const CLIENTS: usize = 16;
const SECONDS: u64 = 6;
const READ: &str = r#"{ author(slug: "eric-shea-brown") { displayName metrics { worksCount }
    works(first: 10) { nodes { title authorships { author { slug } } } } } }"#;

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

#[derive(Clone)]
struct Http {
    client: reqwest::Client,
    url: String,
}

impl Http {
    async fn send(&self, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut request = self.client.post(&self.url).json(&body);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        match request.send().await {
            Ok(r) => (r.status().as_u16(), r.json().await.unwrap_or(Value::Null)),
            Err(_) => (0, Value::Null),
        }
    }
}

fn fan_out() -> String {
    let mut q = String::from("{ ...F0 }");
    for i in 0..10 {
        q.push_str(&format!(" fragment F{i} on Query {{ {} }}", format!("...F{} ", i + 1).repeat(10)));
    }
    q + " fragment F10 on Query { __typename }"
}

#[derive(Default)]
struct Tally {
    reads: AtomicU64,
    refused: AtomicU64,
    writes: AtomicU64,
    failures: AtomicU64,
    following: AtomicU64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_traffic_keeps_memory_flat_and_loses_no_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("soak.db").display());
    let env = [("RUST_LOG", "warn"), ("SCHOLARGRAPH_RATE_LIMIT", "0")];
    let (mut server, addr) = common::spawn_server(&db, &dir.path().join("server.log"), &env);
    let pid = server.id();
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().unwrap();
    let http = Http { client, url: format!("http://{addr}/graphql") };
    let eric = http.send(None, json!({ "query": READ.replace("displayName", "id displayName") })).await.1["data"]["author"]["id"]
        .clone();
    let hostile = Arc::new(fan_out());
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let halfway = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (http, eric, hostile, tally, halfway) =
            (http.clone(), eric.clone(), hostile.clone(), tally.clone(), halfway.clone());
        tasks.push(tokio::spawn(async move {
            let sign_up = format!(
                r#"mutation {{ signUp(input: {{ handle: "soak{c}", password: "correct horse battery" }}) {{ token }} }}"#
            );
            let token = http.send(None, json!({ "query": sign_up })).await.1["data"]["signUp"]["token"]
                .as_str()
                .expect("signed up")
                .to_owned();
            let (mut i, mut follows) = (0u64, false);
            while started.elapsed() < Duration::from_secs(SECONDS) {
                i += 1;
                if started.elapsed() > Duration::from_secs(SECONDS / 2) && halfway.load(Ordering::SeqCst) == 0 {
                    halfway.store(rss_kb(pid), Ordering::SeqCst);
                }
                let (ok, counter) = match i % 4 {
                    0 => {
                        let (status, body) = http.send(None, json!({ "query": *hostile })).await;
                        (status == 200 && body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX", &tally.refused)
                    }
                    1 => {
                        let field = if follows { "unfollowAuthor" } else { "followAuthor" };
                        let query = format!("mutation($a: ID!) {{ {field}(authorId: $a) {{ following }} }}");
                        let (status, body) = http.send(Some(&token), json!({ "query": query, "variables": { "a": eric } })).await;
                        let ok = status == 200 && body["errors"].is_null();
                        if ok {
                            follows = !follows;
                        }
                        (ok, &tally.writes)
                    }
                    _ => {
                        let (status, body) = http.send(None, json!({ "query": READ })).await;
                        (status == 200 && body["errors"].is_null(), &tally.reads)
                    }
                };
                let counter = if ok { counter } else { &tally.failures };
                counter.fetch_add(1, Ordering::Relaxed);
            }
            if follows {
                tally.following.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let (end, middle) = (rss_kb(pid), halfway.load(Ordering::SeqCst));
    let count =
        "query($a: ID!) { node(id: $a) { ... on Author { metrics { followersCount } followers { totalCount } } } }";
    let (_, body) = http.send(None, json!({ "query": count, "variables": { "a": eric } })).await;
    let _ = server.kill();
    let _ = server.wait();
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    eprintln!(
        "soak: {} reads, {} hostile refused, {} writes, {} failures in {SECONDS} s; RSS {middle} kB halfway, {end} kB at the end",
        load(&tally.reads),
        load(&tally.refused),
        load(&tally.writes),
        load(&tally.failures)
    );
    assert_eq!(load(&tally.failures), 0);
    assert!(load(&tally.reads) > 50 && load(&tally.writes) > 20 && load(&tally.refused) > 20);
    let following = load(&tally.following);
    assert_eq!(body["data"]["node"]["metrics"]["followersCount"], following, "{body}");
    assert_eq!(body["data"]["node"]["followers"]["totalCount"], following, "{body}");
    assert!(middle > 0 && end < middle + middle / 4, "memory grew from {middle} kB to {end} kB");
}
