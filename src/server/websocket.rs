//! GraphQL subscriptions over WebSocket at `/graphql/ws` (graphql-transport-ws,
//! and the older graphql-ws). A token may come in the `connection_init`
//! payload as `{"Authorization": "Bearer …"}` or `{"token": "…"}`; a token
//! that is not valid closes the connection.
use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::response::Response;

use super::AppState;
use super::graphql_http::Client;
use crate::graphql::{self, viewer::Viewer};
use crate::social::{accounts, credentials};

fn token(payload: &serde_json::Value) -> Option<String> {
    let field = |name: &str| payload.get(name).and_then(|v| v.as_str());
    let header = field("Authorization").or_else(|| field("authorization")).and_then(credentials::bearer);
    header.or_else(|| field("token")).map(str::to_owned)
}

pub async fn subscriptions(
    State(state): State<AppState>,
    client: Client,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let schema = state.schema.full.clone();
    let db = state.db.clone();
    upgrade.protocols(ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |socket| {
        GraphQLWebSocket::new(socket, schema, protocol)
            .on_connection_init(move |payload| async move {
                let token = token(&payload);
                let key = client.with_token(token.clone()).key();
                let account = match token {
                    Some(token) => match accounts::authenticate(&db, &token).await {
                        Ok(Some(account)) => Some(account),
                        Ok(None) => return Err("the token is not valid: unknown, expired or revoked".into()),
                        Err(e) => {
                            tracing::error!(error = %e, "checking a WebSocket token");
                            return Err("the database is unavailable, try again shortly".into());
                        }
                    },
                    None => None,
                };
                let mut data = Data::default();
                data.insert(Viewer::signed_in(account));
                data.insert(graphql::request_data(&db));
                data.insert(key);
                Ok(data)
            })
            .serve()
    })
}
