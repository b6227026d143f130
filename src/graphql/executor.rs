//! Runs a request so that every DataLoader batch holds *all* the keys of one
//! level of the query: a batch starts only when the request cannot go on
//! without it, never on a timer. A request's SQL statement count therefore
//! depends on the query's depth, not on how many items each level has, and no
//! level waits out a batching delay.
//!
//! Why not the stock timer: async-graphql resolves long lists through
//! `FuturesOrdered`, which yields to the executor every few items; a 1 ms
//! batching timer can fire in such a gap and split one level into several
//! statements (seen: 7 statements for 5 authors, 10 for 50).
//!
//! The batches still pass through the loader's zero delay, which must not
//! be a tokio sleep (async-graphql's `tokio-timer` feature, off): tokio
//! rounds every deadline up to its next millisecond tick, so each level of
//! a query idled up to a millisecond (serially, a 2-author `node` lookup
//! took 1.47 ms against 0.21, the shared profile 11.4 against 7.4 ms).
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Request, Response};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use super::cost::ClientKey;
use super::loaders::{Batch, Loaders};
use super::viewer::Viewer;
use crate::db::Db;

/// Batch loads that wait for the request to go idle.
#[derive(Clone, Default)]
pub struct BatchQueue(Arc<Mutex<Vec<BoxFuture<'static, ()>>>>);

impl BatchQueue {
    fn push(&self, task: BoxFuture<'static, ()>) {
        if let Ok(mut queue) = self.0.lock() {
            queue.push(task);
        }
    }

    /// Starts every queued batch; returns whether there were any.
    fn start_all(&self) -> bool {
        let tasks: Vec<_> = match self.0.lock() {
            Ok(mut queue) => queue.drain(..).collect(),
            Err(_) => return false,
        };
        let any = !tasks.is_empty();
        // Each batch is a span inside the request's, so a trace shows the
        // statements a request waited on.
        let level = tasks.len();
        for task in tasks {
            tokio::spawn(tracing::Instrument::instrument(task, tracing::debug_span!("loader_batch", batches = level)));
        }
        any
    }
}

/// The loaders of one request and the queue their batches wait in.
pub fn request_loaders(db: &Db) -> (Loaders, BatchQueue) {
    let queue = BatchQueue::default();
    let spawn = queue.clone();
    let loaders = DataLoader::new(Batch { db: db.clone() }, move |task| spawn.push(task))
        .delay(Duration::ZERO)
        .max_batch_size(10_000);
    (loaders, queue)
}

/// Records whether a future woke itself while being polled (a cooperative
/// yield), as opposed to waiting for something outside.
struct YieldFlag {
    woken: AtomicBool,
    outer: Waker,
}

impl Wake for YieldFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.outer.wake_by_ref();
    }
}

// Bounds the polls of one wake-up, so a future that yields forever cannot
// starve its own batches.
const MAX_YIELDS: usize = 10_000;

/// Drives `future` (a request using the loaders of `queue`), starting the
/// queued batches whenever it is waiting on them.
pub async fn drive<F: Future>(queue: BatchQueue, future: F) -> F::Output {
    let mut future = pin!(future);
    std::future::poll_fn(move |cx: &mut Context<'_>| {
        for _ in 0..MAX_YIELDS {
            let flag = Arc::new(YieldFlag { woken: AtomicBool::new(false), outer: cx.waker().clone() });
            let waker = Waker::from(flag.clone());
            if let Poll::Ready(out) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
                return Poll::Ready(out);
            }
            if !flag.woken.load(Ordering::SeqCst) {
                break;
            }
        }
        queue.start_all();
        Poll::Pending
    })
    .await
}

/// Executes one GraphQL request with per-request loaders: checked on the
/// full schema, then run on the fast one (see [`super::gate`]). With a read
/// replica, a mutation reads from the primary, so it sees its own writes.
pub async fn execute(schema: &super::AppSchema, mut request: Request, db: &Db) -> Response {
    let checked = match schema.check(&mut request).await {
        Ok(checked) => checked,
        Err(refused) => return refused,
    };
    let mutation = is_mutation(&mut request);
    let db = if db.has_replica() && mutation {
        let primary = db.primary();
        request = request.data(primary.clone());
        primary
    } else {
        db.clone()
    };
    // A query that panics runs again on the full schema, whose extension
    // masks just the failing field; a mutation is not run twice.
    let again = (!mutation).then(|| Again::of(&request));
    let (loaders, queue) = request_loaders(&db);
    // Boxed where it is made: async-graphql's execution state is tens of
    // kilobytes, copied whole into each future it went through inline
    // (`drive`, `catch_unwind`, this one's): 3 % of a `trending` request's
    // instructions copying memory (callgrind).
    let run = drive(queue, Box::pin(schema.fast.execute(request.data(loaders).data(super::lean::Plans::default()))));
    let db = &db;
    let mut response = unless_panicked(run, again.map(|again| move || again.run(&schema.full, db))).await;
    response.extensions.extend(checked);
    super::introspection::fix(&mut response);
    response
}

/// `run`'s response; if it panics, that of the future `again` makes, or a
/// masked error without it.
async fn unless_panicked<F: Future<Output = Response>>(
    run: impl Future<Output = Response>,
    again: Option<impl FnOnce() -> F>,
) -> Response {
    match AssertUnwindSafe(run).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            tracing::error!(panic = super::panics::message(&*panic), "a request panicked");
            match again {
                // Boxed: inline, its state would make this future as big.
                Some(again) => Box::pin(again()).await,
                None => Response::from_errors(vec![crate::error::server_error("INTERNAL", "internal server error")]),
            }
        }
    }
}

/// What it takes to run a query again.
struct Again {
    query: String,
    operation_name: Option<String>,
    variables: async_graphql::Variables,
    viewer: Option<Viewer>,
    client: Option<ClientKey>,
}

impl Again {
    fn of(request: &Request) -> Self {
        use super::gate::data_of;
        Self {
            query: request.query.clone(),
            operation_name: request.operation_name.clone(),
            variables: request.variables.clone(),
            viewer: data_of::<Viewer>(request).map(Viewer::again),
            client: data_of::<ClientKey>(request).cloned(),
        }
    }

    async fn run(self, full: &super::FullSchema, db: &Db) -> Response {
        let mut request = Request::new(self.query).variables(self.variables);
        request.operation_name = self.operation_name;
        if let Some(viewer) = self.viewer {
            request = request.data(viewer);
        }
        if let Some(client) = self.client {
            request = request.data(client);
        }
        let (loaders, queue) = request_loaders(db);
        drive(queue, full.execute(request.data(loaders))).await
    }
}

fn is_mutation(request: &mut Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let operation_name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else { return false };
    let is = |ty: OperationType| ty == OperationType::Mutation;
    match &document.operations {
        DocumentOperations::Single(op) => is(op.node.ty),
        DocumentOperations::Multiple(ops) => match &operation_name {
            Some(name) => ops.get(name.as_str()).is_some_and(|op| is(op.node.ty)),
            None => ops.values().any(|op| is(op.node.ty)),
        },
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::Value;

    use super::*;

    #[tokio::test]
    async fn a_panicking_request_runs_again_or_is_a_masked_error() {
        let answer = || async { Response::new(Value::from(1)) };
        let panics = || async {
            let missing: Option<Response> = None;
            missing.expect("secret detail")
        };
        let none = None::<fn() -> std::future::Ready<Response>>;
        assert_eq!(unless_panicked(answer(), none).await.data, Value::from(1));
        assert_eq!(unless_panicked(panics(), Some(answer)).await.data, Value::from(1));
        let masked = unless_panicked(panics(), none).await;
        assert_eq!(masked.errors[0].message, "internal server error");
        assert_eq!(masked.errors[0].extensions.as_ref().and_then(|e| e.get("code")), Some(&Value::from("INTERNAL")));
    }
}
