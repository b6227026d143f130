//! Probes: `/health` says the process serves HTTP, `/ready` that it can also
//! reach its database (load balancers route traffic on the latter).
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;

// A probe must answer before the prober gives up (typically 1–5 s), even
// when the database hangs instead of refusing.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness: 200 `{"status":"ok"}` while the server runs.
pub async fn live() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: 200 `{"status":"ok"}` when the database answers, else 503
/// `{"status":"unavailable"}` (the reason is logged, not sent).
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match tokio::time::timeout(PING_TIMEOUT, state.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness: database ping failed");
            unavailable()
        }
        Err(_) => {
            tracing::warn!(timeout = ?PING_TIMEOUT, "readiness: database ping timed out");
            unavailable()
        }
    }
}

fn unavailable() -> (StatusCode, Json<Value>) {
    (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" })))
}
