//! Persisted queries: Apollo's automatic persisted queries over POST and GET,
//! and the allow-list mode in which only registered operations run.
mod common;

use common::TestApp;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const QUERY: &str = r#"query Card { author(slug: "eric-shea-brown") { displayName } }"#;

fn hash(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn pq(h: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": h } })
}

async fn post(app: &TestApp, body: Value) -> (u16, Value) {
    let response = app.client.post(app.url("/graphql")).json(&body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn get(app: &TestApp, params: &[(&str, String)]) -> (u16, Value) {
    let response = app.client.get(app.url("/graphql")).query(params).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn automatic_persisted_queries_by_post_and_get() {
    let app = TestApp::sqlite().await;
    let h = hash(QUERY);
    let (_, body) = post(&app, json!({ "extensions": pq(&h) })).await;
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND", "{body}");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    let (status, body) = post(&app, json!({ "query": QUERY, "extensions": pq(&h) })).await;
    assert_eq!((status, &body["data"]["author"]["displayName"]), (200, &json!("Eric Shea-Brown")), "{body}");
    let (status, body) = post(&app, json!({ "extensions": pq(&h) })).await;
    assert_eq!((status, &body["data"]["author"]["displayName"]), (200, &json!("Eric Shea-Brown")), "{body}");
    let (status, body) = get(&app, &[("extensions", pq(&h).to_string())]).await;
    assert_eq!((status, &body["data"]["author"]["displayName"]), (200, &json!("Eric Shea-Brown")), "{body}");

    let (_, body) = post(&app, json!({ "query": "{ __typename }", "extensions": pq(&h) })).await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "a hash that is not the query's: {body}");
    let (_, body) = post(&app, json!({ "extensions": pq("xyz") })).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    // A stored mutation still may not run over GET.
    let mutation = r#"mutation { createApiToken(name: "x") }"#;
    post(&app, json!({ "query": mutation, "extensions": pq(&hash(mutation)) })).await;
    let (status, _) = get(&app, &[("extensions", pq(&hash(mutation)).to_string())]).await;
    assert_eq!(status, 405);
}

#[tokio::test]
async fn allow_list_mode_runs_only_registered_operations() {
    let app = TestApp::sqlite_with(|c| c.limits.persisted_only = true).await;
    let registered = hash(QUERY);
    scholargraph::graphql::persisted::store(&app.db, &registered, QUERY, scholargraph::graphql::persisted::ALLOWED)
        .await
        .unwrap();
    let (status, body) = post(&app, json!({ "extensions": pq(&registered) })).await;
    assert_eq!((status, &body["data"]["author"]["displayName"]), (200, &json!("Eric Shea-Brown")), "{body}");
    let (status, body) = post(&app, json!({ "query": QUERY })).await;
    assert_eq!(status, 200, "the registered text runs too: {body}");

    let other = "{ works(first: 100) { totalCount } }";
    let (status, body) = post(&app, json!({ "query": other })).await;
    assert_eq!((status, code(&body)), (403, "PERSISTED_QUERY_NOT_ALLOWED"), "{body}");
    let (status, body) = post(&app, json!({ "query": other, "extensions": pq(&hash(other)) })).await;
    assert_eq!((status, code(&body)), (403, "PERSISTED_QUERY_NOT_ALLOWED"), "clients cannot register: {body}");
    let (_, body) = post(&app, json!({ "extensions": pq(&hash(other)) })).await;
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND");
}
