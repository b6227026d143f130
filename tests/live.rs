//! Subscriptions over WebSocket (graphql-transport-ws) on SQLite and
//! PostgreSQL: a work imported by a separate `scholargraph import` process
//! reaches subscribers; filters hold back the rest; posts arrive; a bad
//! token is refused.
mod common;

use std::time::Duration;

use common::{TestApp, for_each_db, import_openalex_fixture};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(app: &TestApp, payload: Value) -> Socket {
    open_at(&app.addr.to_string(), payload).await
}

async fn open_at(addr: &str, payload: Value) -> Socket {
    let mut request = format!("ws://{addr}/graphql/ws").into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_static("graphql-transport-ws"));
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.expect("WebSocket handshake");
    send(&mut ws, json!({ "type": "connection_init", "payload": payload })).await;
    ws
}

async fn send(ws: &mut Socket, message: Value) {
    ws.send(Message::Text(message.to_string().into())).await.expect("send");
}

/// The next protocol message (pings answered), or `{"type": "closed", "code": …}`.
async fn next(ws: &mut Socket) -> Value {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                let message: Value = serde_json::from_str(&text).unwrap();
                if message["type"] == "ping" {
                    send(ws, json!({ "type": "pong" })).await;
                    continue;
                }
                return message;
            }
            Ok(Some(Ok(Message::Close(frame)))) => {
                return json!({ "type": "closed", "code": frame.map(|f| u16::from(f.code)) });
            }
            Ok(Some(Ok(_))) => continue,
            Ok(None) | Ok(Some(Err(_))) => return json!({ "type": "closed" }),
            Err(_) => panic!("no message within 20 s"),
        }
    }
}

async fn subscribe(ws: &mut Socket, id: &str, query: &str, variables: Value) {
    send(ws, json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } })).await;
}

/// `scholargraph import` of the OpenAlex work fixture, as its own process.
fn import_in_another_process(database_url: &str) {
    let file = format!("{}/tests/fixtures/real/openalex_work_W2741809807.json", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scholargraph"))
        .args(["import", "openalex", &file, "--database-url", database_url])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run scholargraph import");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

const WORK_ADDED: &str =
    "subscription($a: [ID!]) { workAdded(authorIds: $a) { title authorships { author { displayName } } } }";

#[tokio::test]
async fn a_work_imported_by_another_process_reaches_subscribers() {
    for_each_db(|app| async move {
        let mut ws = open(&app, json!({})).await;
        assert_eq!(next(&mut ws).await["type"], "connection_ack");
        let eric =
            app.post(r#"{ author(slug: "eric-shea-brown") { id } }"#, json!({})).await["data"]["author"]["id"].clone();
        subscribe(&mut ws, "eric", WORK_ADDED, json!({ "a": [eric] })).await;
        subscribe(&mut ws, "all", WORK_ADDED, json!({})).await;
        // Let the server register both before the import starts.
        tokio::time::sleep(Duration::from_millis(500)).await;

        import_in_another_process(&app.database_url());

        let message = next(&mut ws).await;
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(message["id"], "all", "the filtered subscription stays quiet: {message}");
        let work = &message["payload"]["data"]["workAdded"];
        assert!(work["title"].as_str().unwrap().starts_with("The state of OA"), "{message}");
        assert!(!work["authorships"].as_array().unwrap().is_empty(), "nested fields resolve: {message}");
        app.cleanup().await;
    })
    .await;
}

#[tokio::test]
async fn posts_reach_subscribers_and_bad_tokens_are_refused() {
    for_each_db(|app| async move {
        let mut refused = open(&app, json!({ "Authorization": "Bearer sg_nope" })).await;
        let closed = next(&mut refused).await;
        assert_eq!(closed["type"], "closed", "{closed}");

        import_openalex_fixture(&app, "openalex_author_A5023888391.json").await;
        let signed = app
            .post(
                r#"mutation { signUp(input: { handle: "jason", password: "correct horse battery" }) { token } }"#,
                json!({}),
            )
            .await;
        let token = signed["data"]["signUp"]["token"].as_str().unwrap().to_owned();
        let jason =
            app.post(r#"{ author(orcid: "0000-0001-6187-6610") { id } }"#, json!({})).await["data"]["author"]["id"]
                .clone();
        app.post_as(
            &token,
            "mutation($a: ID!) { claimAuthor(authorId: $a, orcid: \"0000-0001-6187-6610\") { status } }",
            json!({ "a": jason }),
        )
        .await;

        let mut ws = open(&app, json!({ "Authorization": format!("Bearer {token}") })).await;
        assert_eq!(next(&mut ws).await["type"], "connection_ack");
        subscribe(
            &mut ws,
            "p",
            "subscription($a: [ID!]) { postAdded(authorIds: $a) { text author { displayName } } }",
            json!({ "a": [jason] }),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let posted =
            app.post_as(&token, r#"mutation { createPost(text: "Live from the graph") { id } }"#, json!({})).await;
        assert!(posted["errors"].is_null(), "{posted}");
        let message = next(&mut ws).await;
        assert_eq!(
            message["payload"]["data"]["postAdded"],
            json!({ "text": "Live from the graph", "author": { "displayName": "Jason Priem" } }),
            "{message}"
        );
        app.cleanup().await;
    })
    .await;
}

/// Many replicas, one PostgreSQL: two `serve` processes on one database see
/// each other's writes at once and both fire subscriptions; a third with
/// `--database-read-url` reads from the replica and writes to the primary.
#[tokio::test]
async fn servers_on_one_postgres_share_writes_live_updates_and_a_read_replica() {
    let Some(app) = TestApp::postgres().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = app.database_url();
    let (mut one, one_addr) = common::spawn_server(&url, &dir.path().join("one.log"), &[]);
    let (mut two, two_addr) = common::spawn_server(&url, &dir.path().join("two.log"), &[]);

    let signed = common::post_at(
        &one_addr,
        r#"mutation { signUp(input: { handle: "replicated", password: "correct horse battery" }) { token } }"#,
    )
    .await;
    assert!(signed["errors"].is_null(), "{signed}");
    let seen = common::post_at(&two_addr, r#"{ account(handle: "replicated") { handle } }"#).await;
    assert_eq!(
        seen["data"]["account"]["handle"], "replicated",
        "a write through one is read through the other: {seen}"
    );

    let mut sockets = Vec::new();
    for addr in [&one_addr, &two_addr] {
        let mut ws = open_at(addr, json!({})).await;
        assert_eq!(next(&mut ws).await["type"], "connection_ack");
        subscribe(&mut ws, "all", WORK_ADDED, json!({})).await;
        sockets.push(ws);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    import_in_another_process(&url);
    for ws in &mut sockets {
        let message = next(ws).await;
        assert_eq!(message["type"], "next", "both servers fire: {message}");
        assert!(message["payload"]["data"]["workAdded"]["title"].as_str().unwrap().starts_with("The state of OA"));
    }

    // A stand-in replica: a schema of views over the primary's tables, with
    // authors hidden, so a read that reaches it shows.
    let schema = app.pg_schema().unwrap().to_owned();
    let replica = format!("{schema}_replica");
    let sql = format!(
        "CREATE SCHEMA {replica}; \
         DO $$ DECLARE t text; BEGIN \
           FOR t IN SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema}' LOOP \
             EXECUTE format('CREATE VIEW {replica}.%I AS SELECT * FROM {schema}.%I', t, t); \
           END LOOP; END $$; \
         CREATE OR REPLACE VIEW {replica}.authors AS SELECT * FROM {schema}.authors WHERE false"
    );
    sea_orm::ConnectionTrait::execute_unprepared(&app.db.write, &sql).await.unwrap();
    let replica_url = url.replace(&format!("search_path%3D{schema}"), &format!("search_path%3D{replica}"));
    assert_ne!(replica_url, url);
    let (mut three, three_addr) = common::spawn_server(
        &url,
        &dir.path().join("three.log"),
        &[("DATABASE_READ_URL", replica_url.as_str()), ("SCHOLARGRAPH_NO_DEMO", "true")],
    );
    let hidden = common::post_at(&three_addr, r#"{ author(slug: "eric-shea-brown") { slug } }"#).await;
    assert_eq!(hidden["data"]["author"], Value::Null, "queries read the replica: {hidden}");
    let signed = common::post_at(&three_addr, r#"mutation { signUp(input: { handle: "via-replica", password: "correct horse battery" }) { account { handle } } }"#).await;
    assert_eq!(signed["data"]["signUp"]["account"]["handle"], "via-replica", "writes reach the primary: {signed}");
    let seen = common::post_at(&one_addr, r#"{ account(handle: "via-replica") { handle } }"#).await;
    assert_eq!(seen["data"]["account"]["handle"], "via-replica", "{seen}");

    for server in [&mut one, &mut two, &mut three] {
        let _ = server.kill();
        let _ = server.wait();
    }
    sea_orm::ConnectionTrait::execute_unprepared(&app.db.write, &format!("DROP SCHEMA {replica} CASCADE"))
        .await
        .unwrap();
    app.cleanup().await;
}
