//! Traces leave the real binary over OTLP/HTTP when an endpoint is
//! configured: a stand-in collector receives the request span and the loader
//! batches beneath it, named after their loaders.
mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;

#[tokio::test]
async fn spans_are_exported_to_the_configured_collector() {
    let received: Arc<Mutex<Vec<u8>>> = Arc::default();
    let sink = received.clone();
    let collector = Router::new().route(
        "/v1/traces",
        post(move |body: Bytes| {
            let sink = sink.clone();
            async move { sink.lock().unwrap().extend_from_slice(&body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, collector).await });

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let (mut server, addr) = common::spawn_server(
        &url,
        &dir.path().join("server.log"),
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()), ("OTEL_BSP_SCHEDULE_DELAY", "100")],
    );
    let query =
        r#"{ author(slug: "eric-shea-brown") { works(first: 3) { nodes { title authorships { rawName } } } } }"#;
    let body = common::post_at(&addr, query).await;
    assert!(body["errors"].is_null(), "{body}");

    let wanted: [&[u8]; 4] = [b"scholargraph", b"request", b"loader_batch", b"AuthorshipsOfWork"];
    let started = Instant::now();
    let seen = loop {
        let bytes = received.lock().unwrap().clone();
        let seen: Vec<bool> = wanted.iter().map(|w| bytes.windows(w.len()).any(|x| x == *w)).collect();
        if seen.iter().all(|s| *s) || started.elapsed() > Duration::from_secs(15) {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let _ = server.kill();
    let _ = server.wait();
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
    let bytes = received.lock().unwrap().clone();
    for (w, s) in wanted.iter().zip(seen) {
        assert!(
            s,
            "{} not exported; received {}; server log:\n{log}",
            String::from_utf8_lossy(w),
            String::from_utf8_lossy(&bytes)
        );
    }
}
