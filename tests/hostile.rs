//! Hostile and broken requests against the real binary: each is refused with
//! its code (or answered) within 2 seconds, and the server keeps answering.
mod common;

use std::time::{Duration, Instant};

use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

struct Server {
    child: std::process::Child,
    url: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("hostile.db").display());
    let (child, addr) = common::spawn_server(&db, &dir.path().join("server.log"), &[("RUST_LOG", "warn")]);
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().unwrap();
    Server { child, url: format!("http://{addr}/graphql"), client, _dir: dir }
}

/// Status, the first error's code and message, and the time taken.
async fn send(request: reqwest::RequestBuilder) -> (u16, String, String, Duration) {
    let started = Instant::now();
    let response = match request.send().await {
        Ok(response) => response,
        // The server refused the declared length at once and closed the
        // connection while the client was still writing the body.
        Err(e) if format!("{e:?}").contains("BodyWrite") => {
            return (413, "PAYLOAD_TOO_LARGE".into(), "closed while the body was sent".into(), started.elapsed());
        }
        Err(e) => panic!("no response: {e}"),
    };
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let elapsed = started.elapsed();
    let error = &body["errors"][0];
    let code = error["extensions"]["code"].as_str().unwrap_or_default().to_owned();
    (status, code, error["message"].as_str().unwrap_or_default().to_owned(), elapsed)
}

async fn post(s: &Server, query: &str, variables: Value) -> (u16, String, String, Duration) {
    send(s.client.post(&s.url).json(&json!({ "query": query, "variables": variables }))).await
}

fn nested(levels: usize) -> String {
    let mut q = String::from("slug");
    for _ in 0..levels {
        q = format!("coauthors(first: 1) {{ edges {{ node {{ {q} }} }} }}");
    }
    format!(r#"{{ author(slug: "eric-shea-brown") {{ {q} }} }}"#)
}

#[tokio::test]
async fn hostile_requests_are_refused_quickly_with_their_codes() {
    let s = start();
    let mut fan_out = String::from("query { ...F0 }");
    for i in 0..12 {
        fan_out.push_str(&format!(" fragment F{i} on Query {{ {} }}", format!("...F{} ", i + 1).repeat(12)));
    }
    fan_out.push_str(" fragment F12 on Query { __typename }");
    let aliases: String = (0..500).map(|i| format!("a{i}: authors(first: 100) {{ nodes {{ slug }} }} ")).collect();
    let directives = "__typename @include(if: true) @skip(if: false) ".repeat(200);
    let token_flood = "__typename @include(if: true) ".repeat(2_000);
    let deep = |levels: usize| (0..levels).fold(json!(1), |inner, _| json!([inner]));
    let many_vars: serde_json::Map<String, Value> = (0..5_000).map(|i| (format!("v{i}"), json!(i))).collect();
    let cases: Vec<(&str, (u16, String, String, Duration), u16, &str)> = vec![
        ("nesting deeper than 20", post(&s, &nested(8), json!({})).await, 200, "GRAPHQL_VALIDATION_FAILED"),
        ("nesting past the parser's bound", post(&s, &nested(300), json!({})).await, 200, "GRAPHQL_PARSE_FAILED"),
        ("alias flood", post(&s, &format!("{{ {aliases} }}"), json!({})).await, 400, "QUERY_TOO_LARGE"),
        ("fragment fan-out", post(&s, &fan_out, json!({})).await, 200, "QUERY_TOO_COMPLEX"),
        (
            "fragment cycle",
            post(&s, "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }", json!({})).await,
            200,
            "QUERY_TOO_COMPLEX",
        ),
        ("directive flood", post(&s, &format!("{{ {directives} }}"), json!({})).await, 200, "QUERY_TOO_COMPLEX"),
        ("token flood", post(&s, &format!("{{ {token_flood} }}"), json!({})).await, 400, "QUERY_TOO_LARGE"),
        (
            "directives under the token limit",
            post(&s, &format!("{{ {} }}", "__typename @include(if: true) ".repeat(60)), json!({})).await,
            200,
            "QUERY_TOO_COMPLEX",
        ),
        (
            "aliases under the token limit",
            post(
                &s,
                &format!("{{ {} }}", (0..120).map(|i| format!("a{i}: __typename ")).collect::<String>()),
                json!({}),
            )
            .await,
            200,
            "QUERY_TOO_COMPLEX",
        ),
        (
            "40 KB query",
            post(&s, &format!("{{ __typename }} #{}", "x".repeat(40_000)), json!({})).await,
            400,
            "QUERY_TOO_LARGE",
        ),
        (
            "5 MB query",
            send(
                s.client.post(&s.url).json(&json!({ "query": format!("{{ __typename }} #{}", "x".repeat(5_000_000)) })),
            )
            .await,
            413,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            "malformed JSON",
            send(s.client.post(&s.url).header(CONTENT_TYPE, "application/json").body("{\"query\": ")).await,
            400,
            "BAD_REQUEST",
        ),
        (
            "text/plain",
            send(s.client.post(&s.url).header(CONTENT_TYPE, "text/plain").body("{\"query\":\"{ __typename }\"}")).await,
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "form",
            send(
                s.client
                    .post(&s.url)
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body("query=%7B__typename%7D"),
            )
            .await,
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "multipart",
            send(
                s.client
                    .post(&s.url)
                    .header(CONTENT_TYPE, "multipart/form-data; boundary=x")
                    .body("--x\r\n\r\n{}\r\n--x--"),
            )
            .await,
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "batch",
            send(s.client.post(&s.url).json(&vec![json!({ "query": "{ __typename }" }); 1000])).await,
            400,
            "BAD_REQUEST",
        ),
        (
            "huge number",
            post(&s, "{ authors(first: 99999999999999999999) { totalCount } }", json!({})).await,
            200,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "deeply nested list",
            post(&s, "query($l: [ID!]) { nodes(ids: $l) { id } }", json!({ "l": deep(50) })).await,
            400,
            "QUERY_TOO_LARGE",
        ),
        (
            "JSON nested past the parser's bound",
            post(&s, "{ __typename }", json!({ "l": deep(500) })).await,
            400,
            "BAD_REQUEST",
        ),
        (
            "long list",
            post(&s, "query($l: [ID!]!) { nodes(ids: $l) { id } }", json!({ "l": vec!["x"; 20_000] })).await,
            400,
            "QUERY_TOO_LARGE",
        ),
        ("thousands of variables", post(&s, "{ __typename }", Value::Object(many_vars)).await, 400, "QUERY_TOO_LARGE"),
        (
            "invalid UTF-8",
            send(
                s.client
                    .post(&s.url)
                    .header(CONTENT_TYPE, "application/json")
                    .body(b"{\"query\": \"{ \xff\xfe }\"}".to_vec()),
            )
            .await,
            400,
            "BAD_REQUEST",
        ),
        (
            "mutation over GET",
            send(s.client.get(&s.url).query(&[("query", "mutation { upvoteWork(workId: \"x\") { upvotes } }")])).await,
            405,
            "METHOD_NOT_ALLOWED",
        ),
        ("misspelled field", post(&s, "{ autors { totalCount } }", json!({})).await, 200, "GRAPHQL_VALIDATION_FAILED"),
    ];
    for (name, (status, code, message, took), want_status, want_code) in &cases {
        assert_eq!((*status, code.as_str()), (*want_status, *want_code), "{name}: {message}");
        assert!(*took < Duration::from_secs(2), "{name} took {took:?}");
        assert!(!message.contains("Did you mean"), "{name}: suggestions leak the schema: {message}");
    }
    // And the server still answers.
    let (status, code, _, _) = post(&s, r#"{ author(slug: "eric-shea-brown") { displayName } }"#, json!({})).await;
    assert_eq!((status, code.as_str()), (200, ""));
}

#[tokio::test]
async fn a_50_megabyte_body_is_refused_without_reading_it() {
    let s = start();
    let body = vec![b' '; 50 * 1024 * 1024];
    let started = Instant::now();
    let result = s.client.post(&s.url).header(CONTENT_TYPE, "application/json").body(body).send().await;
    // The server answers 413 on the declared length; the client may still be
    // writing the body and see the connection close instead.
    if let Ok(response) = result {
        assert_eq!(response.status().as_u16(), 413);
    }
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    let (status, code, _, _) = post(&s, "{ __typename }", json!({})).await;
    assert_eq!((status, code.as_str()), (200, ""));
}
