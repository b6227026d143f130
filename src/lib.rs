//! scholargraph: a GraphQL API over a scholarly knowledge graph.
//!
//! `main.rs` is wiring; everything here is usable from tests directly:
//! [`graphql::build_schema`] and [`server::app`] serve the API, [`db::Db`]
//! connects to SQLite or PostgreSQL, [`ingest`] brings data in.
pub mod admin;
pub mod bench;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod entities;
pub mod error;
pub mod export;
pub mod graph;
pub mod graphql;
pub mod ids;
pub mod ingest;
pub mod live;
pub mod search;
pub mod server;
pub mod social;
pub mod telemetry;

// glibc's malloc took a fifth of an import's CPU (many small rows and
// values allocated and freed per batch); mimalloc is several times cheaper
// there. Declared here so the binary, tests and benches all use it; the
// `malloc-override` feature (default, Cargo.toml) serves C's malloc,
// SQLite's, as well.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
