//! The floor: the batched SQL statements our loaders issue for a request,
//! captured once and executed directly in a loop (no GraphQL, no HTTP), on
//! the path the loaders read through (`Db::rows`, sqlx), set against the
//! same request executed in-process through the schema.
use std::time::Instant;

use super::queries::Query;
use crate::db::Db;
use crate::graphql::{self, SchemaLimits};

#[derive(Clone, Copy, Debug, Default)]
pub struct Floor {
    pub statements: usize,
    /// median time of the captured statements run one after another
    pub sql_ms: f64,
    /// median time of the request through the schema, in this process
    pub in_process_ms: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub async fn measure(db: &Db, query: &Query, runs: usize) -> anyhow::Result<Floor> {
    let limits = SchemaLimits { budget_per_minute: 0, ..SchemaLimits::default() };
    let schema = graphql::build_schema(db.clone(), &limits);
    let request = || {
        let variables = async_graphql::Variables::from_json(query.variables.clone());
        let mut request = async_graphql::Request::new(query.text).variables(variables);
        // As the HTTP layer does.
        schema.attach_document(&mut request);
        request
    };
    let run = || graphql::executor::execute(&schema, request(), db);
    let warm = run().await;
    anyhow::ensure!(warm.errors.is_empty(), "{}: {:?}", query.name, warm.errors);
    db.start_capture();
    run().await;
    let statements = db.take_captured();
    if std::env::var_os("SCHOLARGRAPH_BENCH_STATEMENTS").is_some() {
        // Which statement costs what, for finding the slow one.
        for statement in &statements {
            let started = Instant::now();
            db.rows(statement.clone()).await?;
            eprintln!("{:8.2} ms  {}  {:?}", started.elapsed().as_secs_f64() * 1000.0, statement.sql, statement.values);
        }
    }
    let mut in_process = Vec::with_capacity(runs);
    let mut sql = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        run().await;
        in_process.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        for statement in &statements {
            db.rows(statement.clone()).await?;
        }
        sql.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(Floor { statements: statements.len(), sql_ms: median(sql), in_process_ms: median(in_process) })
}
