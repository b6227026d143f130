//! Cost and rate limits: every response reports its static cost and the
//! client's remaining budget (also as `RateLimit-*` headers); a client over
//! budget gets 429 `RATE_LIMITED` with `Retry-After`, and other clients are
//! not affected.
mod common;

use common::TestApp;
use serde_json::{Value, json};

const COSTLY: &str = "{ authors(first: 100) { nodes { works(first: 100) { nodes { title } } } } }";

async fn send(app: &TestApp, token: Option<&str>, query: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = app.client.post(app.url("/graphql")).json(&json!({ "query": query }));
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.json().await.unwrap())
}

#[tokio::test]
async fn responses_report_their_cost_and_clients_over_budget_wait() {
    let app = TestApp::sqlite_with(|c| c.limits.budget_per_minute = 100_000).await;
    let (status, headers, body) = send(&app, None, COSTLY).await;
    assert_eq!(status, 200, "{body}");
    let cost = &body["extensions"]["cost"];
    let requested = cost["requested"].as_u64().unwrap();
    assert!(requested > 10_000, "page sizes multiply: {cost}");
    assert_eq!(cost["limit"], 100_000);
    assert_eq!(cost["budget"]["perMinute"], 100_000);
    let remaining = cost["budget"]["remaining"].as_u64().unwrap();
    assert_eq!(remaining, 100_000 - requested);
    assert_eq!(headers["ratelimit-limit"], "100000");
    assert_eq!(headers["ratelimit-remaining"], remaining.to_string().as_str());

    let mut refused = None;
    for _ in 0..20 {
        let (status, headers, body) = send(&app, None, COSTLY).await;
        if status == 429 {
            refused = Some((headers, body));
            break;
        }
    }
    let (headers, body) = refused.expect("the budget runs out");
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{body}");
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");

    // A signed-in client spends its own budget.
    let signed = app
        .post(
            r#"mutation { signUp(input: { handle: "patient", password: "correct horse battery" }) { token } }"#,
            json!({}),
        )
        .await;
    let token = signed["data"]["signUp"]["token"].as_str().map(str::to_owned);
    let token = token.unwrap_or_else(|| panic!("{signed}"));
    let (status, _, body) = send(&app, Some(&token), COSTLY).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn no_limit_when_turned_off() {
    let app = TestApp::sqlite_with(|c| c.limits.budget_per_minute = 0).await;
    for _ in 0..15 {
        let (status, _, body) = send(&app, None, COSTLY).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["extensions"]["cost"]["budget"].is_null());
    }
}

async fn send_from(app: &TestApp, forwarded_for: &str) -> u16 {
    let request = app.client.post(app.url("/graphql")).header("x-forwarded-for", forwarded_for);
    request.json(&json!({ "query": COSTLY })).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_address_has_its_own_budget() {
    let app = TestApp::sqlite_with(|c| {
        c.limits.budget_per_minute = 100_000;
        c.trust_forwarded_for = true;
    })
    .await;
    let mut first = Vec::new();
    for _ in 0..12 {
        first.push(send_from(&app, "203.0.113.9, 10.0.0.1").await);
    }
    assert!(first.contains(&429), "{first:?}");
    assert_eq!(send_from(&app, "203.0.113.9, 10.0.0.2").await, 200, "another client behind the proxy");

    // Not trusted: the header is ignored and every request is the peer's.
    let app = TestApp::sqlite_with(|c| c.limits.budget_per_minute = 100_000).await;
    let mut statuses = Vec::new();
    for i in 0..12 {
        statuses.push(send_from(&app, &format!("198.51.100.{i}")).await);
    }
    assert!(statuses.contains(&429), "a forged header buys no budget: {statuses:?}");
}
