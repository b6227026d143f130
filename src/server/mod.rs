//! The HTTP server: GraphQL over HTTP at `/graphql`, subscriptions over
//! WebSocket at `/graphql/ws`, GraphiQL at `/`, health
//! and readiness probes, wrapped in the middleware of [`middleware`].
//! [`app`] is the whole router, so tests drive exactly what production runs.
mod errors;
mod graphiql;
mod graphql_http;
mod health;
pub mod metrics;
pub mod middleware;
mod websocket;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;

use crate::config::{Config, DatabaseUrl};
use crate::db::{Db, DbOptions};
use crate::demo;
use crate::graphql::{self, AppSchema};

pub use errors::error_response;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub schema: AppSchema,
    pub persisted: Arc<graphql::persisted::Persisted>,
    pub db: Db,
    pub config: Arc<Config>,
    /// permits to execute a GraphQL request (`Config::max_in_flight`)
    pub in_flight: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// Builds the schema over `db` with the limits of `config`.
    pub fn new(db: Db, config: Config) -> Self {
        metrics::install();
        let persisted = Arc::new(graphql::persisted::Persisted::new(db.clone(), config.limits.persisted_only));
        let schema = graphql::build_schema_with(db.clone(), &config.limits, persisted.clone());
        let in_flight = Arc::new(tokio::sync::Semaphore::new(config.max_in_flight));
        Self { schema, persisted, db, config: Arc::new(config), in_flight }
    }
}

/// The application: routes plus middleware.
pub fn app(state: AppState) -> Router {
    let config = state.config.clone();
    let routes = Router::new()
        .route("/", get(graphiql::page))
        .route("/assets/graphiql/{file}", get(graphiql::asset))
        .route("/graphql", get(graphql_http::get).post(graphql_http::post))
        .route("/graphql/ws", get(websocket::subscriptions))
        .route("/health", get(health::live))
        .route("/ready", get(health::ready))
        .route("/metrics", get(metrics::render))
        .fallback(errors::not_found)
        .with_state(state);
    middleware::apply(routes, &config)
}

/// Connects to the database and applies pending migrations.
pub async fn open_database(url: &DatabaseUrl) -> anyhow::Result<Db> {
    open_database_with(url, DbOptions::default()).await
}

/// Statements of a request that run longer are cancelled (Postgres): well
/// within the request timeout, so the connection is freed too.
pub const STATEMENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

pub async fn open_database_with(url: &DatabaseUrl, options: DbOptions) -> anyhow::Result<Db> {
    // `url` prints with its password masked.
    let db = Db::connect_with(url.expose(), options).await.with_context(|| format!("connecting to {url}"))?;
    db.migrate().await.with_context(|| format!("migrating {url}"))?;
    Ok(db)
}

/// Runs the server until SIGINT or SIGTERM: migrates, loads the demo corpus
/// into an empty database (unless `config.demo` is off), binds, serves.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    tracing::info!(database = %config.database_url, "starting");
    let options = DbOptions {
        statement_timeout: Some(STATEMENT_TIMEOUT),
        read_url: config.database_read_url.as_ref().map(|u| u.expose().to_owned()),
        ..DbOptions::default()
    };
    let db = open_database_with(&config.database_url, options).await?;
    if config.demo && demo::is_empty(&db).await.context("checking whether the database is empty")? {
        let summary = demo::load(&db).await?;
        tracing::info!(
            created = summary.created,
            updated = summary.updated,
            "demo corpus loaded into the empty database"
        );
    }
    let listener = TcpListener::bind(config.listen).await.with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    println!("scholargraph listening on http://{addr}: GraphiQL at http://{addr}/, GraphQL at http://{addr}/graphql");
    run(listener, AppState::new(db, config), shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Serves [`app`] on `listener` until `shutdown` completes, then stops
/// accepting and waits for in-flight requests (bounded by the request
/// timeout) before returning.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_router(listener, app(state), shutdown).await
}

/// Serves any router the way [`run`] serves [`app`] (tests use it for
/// routes of their own, e.g. a slow one to watch the drain).
pub async fn serve_router(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer's address reaches handlers (rate limits per IP).
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on the first SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received, draining in-flight requests"),
        () = terminate => tracing::info!("SIGTERM received, draining in-flight requests"),
    }
}
