//! The HTTP server end to end: the real router on a loopback port, spoken to
//! with a real HTTP client.
mod common;

use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::routing::get;
use common::{TestApp, for_each_db};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, ALLOW, CONTENT_ENCODING, CONTENT_TYPE};
use scholargraph::config::Config;
use scholargraph::db::Db;
use scholargraph::server::{self, AppState, middleware};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tower::ServiceExt;

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn smoke_query_on_both_databases() {
    for_each_db(|app| async move {
        let body = app.post("{ __typename }", json!({})).await;
        assert_eq!(body["data"], json!({ "__typename": "Query" }), "{}", app.backend());
        assert_eq!(body["extensions"]["cost"]["requested"], 1, "{body}");
    })
    .await;
}

#[tokio::test]
async fn health_ready_and_graphiql() {
    let app = TestApp::sqlite().await;
    let health = app.get("/health").await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(json_of(health).await, json!({ "status": "ok" }));
    let ready = app.get("/ready").await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(json_of(ready).await, json!({ "status": "ok" }));

    let page = app.get("/").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"createFetcher({ url: "/graphql" })"#), "GraphiQL preset to /graphql");
    assert!(!html.contains("https://"), "no script from a CDN: the playground works offline");
    let script = app
        .client
        .get(app.url("/assets/graphiql/graphiql.min.js"))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(script.headers()[CONTENT_ENCODING], "gzip");
    assert_eq!(&script.bytes().await.unwrap()[..2], &[0x1f, 0x8b]);
    let css = app.get("/assets/graphiql/graphiql.min.css").await;
    assert!(css.headers().get(CONTENT_ENCODING).is_none(), "decompressed for clients without gzip");
    assert!(css.text().await.unwrap().contains(".graphiql-container"));
    assert_eq!(app.get("/assets/graphiql/nope.js").await.status(), StatusCode::NOT_FOUND);

    // Closed pools are a database that cannot be reached.
    app.db.close().await.unwrap();
    let ready = app.get("/ready").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(json_of(ready).await, json!({ "status": "unavailable" }));
    assert_eq!(app.get("/health").await.status(), StatusCode::OK, "liveness does not depend on the database");
}

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations() {
    let app = TestApp::sqlite().await;
    let ok = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", "query Q($t: String!) { __type(name: $t) { name } }"), ("variables", r#"{"t":"Query"}"#)])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.headers()[CONTENT_TYPE], "application/json");
    assert_eq!(json_of(ok).await["data"]["__type"]["name"], "Query");

    let mutation =
        app.client.get(app.url("/graphql")).query(&[("query", "mutation { __typename }")]).send().await.unwrap();
    assert_eq!(mutation.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(mutation.headers()[ALLOW], "POST");
    assert_eq!(code(&json_of(mutation).await), "METHOD_NOT_ALLOWED");

    // The operation chosen by name decides, not the first one.
    let doc = "query A { __typename } mutation B { __typename }";
    let named =
        app.client.get(app.url("/graphql")).query(&[("query", doc), ("operationName", "B")]).send().await.unwrap();
    assert_eq!(named.status(), StatusCode::METHOD_NOT_ALLOWED);

    let missing = app.get("/graphql").await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert_eq!(code(&json_of(missing).await), "BAD_REQUEST");
    let bad_vars = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", "{ __typename }"), ("variables", "{nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_vars.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn malformed_posts_get_400_with_a_code() {
    let app = TestApp::sqlite().await;
    let post = |body: &'static str, content_type: &'static str| {
        app.client.post(app.url("/graphql")).header(CONTENT_TYPE, content_type).body(body).send()
    };
    for body in ["{not json", "[]", "{}", r#"{"query": 7}"#, r#"{"query":"{ __typename }","variables":[1]}"#] {
        let response = post(body, "application/json").await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        let json = json_of(response).await;
        assert_eq!(code(&json), "BAD_REQUEST", "{body}: {json}");
        assert!(json["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let form = post("query={__typename}", "application/x-www-form-urlencoded").await.unwrap();
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(code(&json_of(form).await), "UNSUPPORTED_MEDIA_TYPE");
}

#[tokio::test]
async fn media_types_follow_graphql_over_http() {
    let app = TestApp::sqlite().await;
    let send = |query: &'static str, accept: &'static str| {
        app.client.post(app.url("/graphql")).header(ACCEPT, accept).json(&json!({ "query": query })).send()
    };
    let ok = send("{ __typename }", "application/graphql-response+json, application/json;q=0.9").await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.headers()[CONTENT_TYPE], "application/graphql-response+json");

    // A request error: 400 with the new media type, 200 with the legacy one;
    // either way no `data`, and a code.
    let invalid = send("{ noSuchField }", "application/graphql-response+json").await.unwrap();
    assert_eq!(invalid.status(), StatusCode::BAD_REQUEST);
    let body = json_of(invalid).await;
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED");
    let legacy = send("{ noSuchField }", "application/json").await.unwrap();
    assert_eq!(legacy.status(), StatusCode::OK);
    let unparsable = send("{ __typename", "application/json").await.unwrap();
    assert_eq!(code(&json_of(unparsable).await), "GRAPHQL_PARSE_FAILED");

    let html_only = send("{ __typename }", "text/html").await.unwrap();
    assert_eq!(html_only.status(), StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let app = TestApp::sqlite().await;
    let padded = |size: usize| {
        let envelope = r#"{"query":"{ __typename }","extensions":{"pad":""}}"#;
        let pad = "x".repeat(size - envelope.len());
        format!(r#"{{"query":"{{ __typename }}","extensions":{{"pad":"{pad}"}}}}"#)
    };
    let limit = Config::default().body_limit;
    let at_limit = app
        .client
        .post(app.url("/graphql"))
        .header(CONTENT_TYPE, "application/json")
        .body(padded(limit))
        .send()
        .await
        .unwrap();
    assert_eq!(at_limit.status(), StatusCode::OK, "exactly 1 MiB is accepted");
    let over = app
        .client
        .post(app.url("/graphql"))
        .header(CONTENT_TYPE, "application/json")
        .body(padded(limit + 1))
        .send()
        .await
        .unwrap();
    assert_eq!(over.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code(&json_of(over).await), "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn streamed_bodies_over_the_limit_get_413_too() {
    // No Content-Length: the limit applies while the body is read.
    let db = Db::connect("sqlite::memory:").await.unwrap();
    let router = server::app(AppState::new(db, Config { body_limit: 1024, ..Config::default() }));
    let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from(vec![b' '; 4096]))]);
    let request = axum::http::Request::post("/graphql")
        .header(CONTENT_TYPE, "application/json")
        .body(Body::from_stream(chunks))
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert_eq!(code(&serde_json::from_slice(&body).unwrap()), "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn request_ids_are_generated_or_echoed() {
    let app = TestApp::sqlite().await;
    let generated = app.get("/health").await;
    let id = generated.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let echoed = app.client.get(app.url("/health")).header("x-request-id", "trace-me-42").send().await.unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-me-42");
}

#[tokio::test]
async fn cors_preflight_allows_any_origin_or_the_configured_ones() {
    let preflight = |app: &TestApp, origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let open = TestApp::sqlite().await;
    let response = preflight(&open, "https://anywhere.example").await.unwrap();
    assert!(response.status().is_success());
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert!(response.headers()["access-control-allow-methods"].to_str().unwrap().contains("POST"));
    assert!(response.headers().get("access-control-allow-credentials").is_none());

    let closed = TestApp::sqlite_with(|c| c.cors_origins = vec!["https://app.example".into()]).await;
    let allowed = preflight(&closed, "https://app.example").await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://app.example");
    let refused = preflight(&closed, "https://evil.example").await.unwrap();
    assert!(refused.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let app = TestApp::sqlite().await;
    let query = "{ __schema { types { name } } }";
    for encoding in ["gzip", "br"] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .header(ACCEPT_ENCODING, encoding)
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CONTENT_ENCODING], encoding);
        let compressed = response.bytes().await.unwrap();
        let plain = app.client.post(app.url("/graphql")).json(&json!({ "query": query })).send().await.unwrap();
        assert!(plain.headers().get(CONTENT_ENCODING).is_none());
        assert!(compressed.len() < plain.bytes().await.unwrap().len());
    }
}

/// Serves `routes` inside the production middleware; returns the base URL.
async fn serve_routes(routes: Router, config: &Config) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(server::serve_router(listener, middleware::apply(routes, config), std::future::pending()));
    url
}

#[tokio::test]
async fn a_panicking_handler_is_a_masked_500_and_the_server_lives_on() {
    async fn boom() -> &'static str {
        panic!("secret detail");
    }
    let routes = Router::new().route("/boom", get(boom)).route("/ok", get(|| async { "ok" }));
    let url = serve_routes(routes, &Config::default()).await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let response = client.get(format!("{url}/boom")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.headers().contains_key("x-request-id"));
    let body = json_of(response).await;
    assert_eq!(code(&body), "INTERNAL");
    assert!(!body.to_string().contains("secret"), "{body}");
    assert_eq!(client.get(format!("{url}/ok")).send().await.unwrap().text().await.unwrap(), "ok");
}

#[tokio::test]
async fn slow_requests_time_out_with_a_json_504() {
    let routes = Router::new().route("/slow", get(|| async { tokio::time::sleep(Duration::from_secs(5)).await }));
    let config = Config { request_timeout: Duration::from_millis(100), ..Config::default() };
    let url = serve_routes(routes, &config).await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let response = client.get(format!("{url}/slow")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(code(&json_of(response).await), "TIMEOUT");
}

#[tokio::test]
async fn shutdown_drains_in_flight_requests() {
    let routes = Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            "done"
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/slow", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server =
        tokio::spawn(server::serve_router(listener, middleware::apply(routes, &Config::default()), async move {
            let _ = stopped.await;
        }));
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let in_flight = tokio::spawn(async move { client.get(url).send().await?.text().await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    assert_eq!(in_flight.await.unwrap().unwrap(), "done", "the request started before shutdown completes");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops after draining")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn prometheus_metrics_count_requests_by_operation_and_outcome() {
    let app = TestApp::sqlite().await;
    app.post("query ProfileCard { author(slug: \"eric-shea-brown\") { displayName } }", json!({})).await;
    app.post("query Broken { nope }", json!({})).await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = response.text().await.unwrap();
    for needle in [
        r#"scholargraph_requests_total{operation="ProfileCard",outcome="ok"}"#,
        r#"scholargraph_requests_total{operation="Broken",outcome="GRAPHQL_VALIDATION_FAILED"}"#,
        r#"scholargraph_request_duration_seconds_bucket{operation="ProfileCard",le="0.1"}"#,
        "scholargraph_sql_statements_total",
        r#"scholargraph_db_pool_connections{pool="read",state="open"}"#,
        r#"scholargraph_db_pool_connections{pool="rows",state="idle"}"#,
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

#[tokio::test]
async fn metrics_show_the_latest_import_whoever_ran_it() {
    let app = TestApp::sqlite().await;
    common::import_openalex_fixture(&app, "openalex_work_W2741809807.json").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    let value = |name: &str| -> f64 {
        let line = text.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} missing:\n{text}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(value(r#"scholargraph_import_last_status{status="DONE"}"#), 1.0);
    assert_eq!(value("scholargraph_imports_running"), 0.0);
    assert!(value(r#"scholargraph_import_last_records{state="read"}"#) >= 1.0);
    assert_eq!(value(r#"scholargraph_import_last_records{state="rejected"}"#), 0.0);
    assert!(value("scholargraph_import_last_works") >= 1.0);
    assert_eq!(value("scholargraph_import_last_progress_ratio"), 1.0, "the whole file was read");
    assert!(value("scholargraph_import_last_update_timestamp_seconds") > 1.7e9);
}

#[tokio::test]
async fn requests_beyond_max_in_flight_wait_their_turn() {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    db.migrate().await.unwrap();
    let state = AppState::new(db, Config { max_in_flight: 1, ..Config::default() });
    let permits = state.in_flight.clone();
    let router = server::app(state);
    let post = |router: Router| async move {
        let request = axum::http::Request::post("/graphql")
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"query": "{ works(first: 1) { totalCount } }"}).to_string()))
            .unwrap();
        let response = router.oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice::<Value>(&body).unwrap())
    };
    // While the one permit is held, a request waits; released, all answer.
    let held = permits.clone().acquire_owned().await.unwrap();
    let waiting = tokio::spawn(post(router.clone()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "a request ran beyond --max-in-flight");
    drop(held);
    let answers = futures_util::future::join_all((0..8).map(|_| post(router.clone()))).await;
    for (status, body) in answers.into_iter().chain([waiting.await.unwrap()]) {
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["works"]["totalCount"], 0, "{body}");
    }
    assert_eq!(permits.available_permits(), 1, "every permit is given back");
}

/// The tree parsed for a text is kept and served to the next request with
/// the same text; each request is still checked against its own variables.
#[tokio::test]
async fn a_document_sent_again_is_checked_again() {
    let app = TestApp::sqlite().await;
    let query = "query Card($slug: String!) { author(slug: $slug) { displayName } }";
    let first = app.post(query, json!({ "slug": "eric-shea-brown" })).await;
    assert!(first["data"]["author"]["displayName"].is_string(), "{first}");
    assert_eq!(app.post(query, json!({ "slug": "eric-shea-brown" })).await, first);
    // A required variable left out or null is a request error, as a
    // variable of the wrong type is.
    for variables in [json!({}), json!({ "slug": null }), json!({ "slug": 7 })] {
        let refused = app.post(query, variables.clone()).await;
        assert!(refused.get("data").is_none(), "{variables}: {refused}");
        assert_eq!(code(&refused), "GRAPHQL_VALIDATION_FAILED", "{variables}: {refused}");
        assert!(refused["errors"][0]["message"].as_str().is_some_and(|m| m.contains("slug")), "{refused}");
    }
    let optional = app
        .post("query Card($slug: String = \"eric-shea-brown\") { author(slug: $slug) { displayName } }", json!({}))
        .await;
    assert_eq!(optional["data"], first["data"], "{optional}");
    let broken = app.post("{ author(slug: \"x\") { displayName ", json!({})).await;
    assert_eq!(code(&broken), "GRAPHQL_PARSE_FAILED", "{broken}");
    assert_eq!(app.post(query, json!({ "slug": "eric-shea-brown" })).await, first);
}

/// A request that passed validation once skips the rules that read only its
/// text when sent again; what its variables decide is still checked.
#[tokio::test]
async fn a_request_sent_again_is_still_checked_for_its_own_variables() {
    let app = TestApp::sqlite_with(|c| c.limits.max_complexity = 5_000).await;
    let query = "query Pages($n: Int!, $slug: String!) { authors(first: $n) { nodes { slug works(first: $n) \
                 { nodes { title } } } } author(slug: $slug) { displayName } }";
    let small = json!({ "n": 2, "slug": "eric-shea-brown" });
    let first = app.post(query, small.clone()).await;
    assert!(first["data"]["author"]["displayName"].is_string(), "{first}");
    for _ in 0..2 {
        assert_eq!(app.post(query, small.clone()).await, first);
        let costly = app.post(query, json!({ "n": 100, "slug": "eric-shea-brown" })).await;
        assert_eq!(costly["errors"][0]["message"], "Query is too complex.", "{costly}");
        assert!(costly.get("data").is_none(), "{costly}");
        let wrong = app.post(query, json!({ "n": 2, "slug": 7 })).await;
        assert_eq!(code(&wrong), "GRAPHQL_VALIDATION_FAILED", "{wrong}");
        assert!(wrong.get("data").is_none(), "{wrong}");
    }
    let other = app.post(query, json!({ "n": 3, "slug": "eric-shea-brown" })).await;
    assert_eq!(other["data"]["authors"]["nodes"].as_array().map(Vec::len), Some(3), "{other}");
    assert_eq!(other["extensions"]["cost"]["limit"], 5_000, "{other}");
}
