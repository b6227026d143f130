//! The GraphQL API: types (one file per type, with their loaders), query
//! roots (one per domain), paging, global ids, and the schema built from them.
pub mod connection;
pub mod cost;
pub mod documents;
pub mod enums;
pub mod executor;
pub mod gate;
pub mod global_id;
pub mod introspection;
pub mod lean;
pub mod limits;
pub mod lists;
pub mod loaders;
pub mod mutation;
pub mod paging;
pub mod panics;
pub mod persisted;
pub mod query;
pub mod scalars;
pub mod social_query;
pub mod subscription;
pub mod types;
pub mod viewer;

use async_graphql::Schema;

use crate::db::Db;
pub use loaders::Loaders;
pub use mutation::Mutation;
pub use query::Query;
pub use subscription::Subscription;

/// Limits applied when the schema is built.
#[derive(Clone, Debug)]
pub struct SchemaLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
    /// size and shape, checked before validation (see [`limits`])
    pub query: limits::QueryLimits,
    /// answer `__schema` and `__type` (off for production if wanted)
    pub introspection: bool,
    /// cost units each client may spend per minute; 0 for no limit
    pub budget_per_minute: u32,
    /// run only operations registered with `scholargraph persisted add`
    pub persisted_only: bool,
}

impl Default for SchemaLimits {
    fn default() -> Self {
        // Introspection (GraphiQL, codegen) nests 13 levels deep. Complexity
        // multiplies page sizes: 50 authors x 10 works x their authors' topics
        // is about 25,000.
        Self {
            max_depth: 20,
            max_complexity: 100_000,
            query: limits::QueryLimits::default(),
            introspection: true,
            // Ten of the costliest queries a minute, or thousands of
            // ordinary ones (a profile page costs about 500).
            budget_per_minute: 1_000_000,
            persisted_only: false,
        }
    }
}

pub type FullSchema = Schema<Query, Mutation, Subscription>;

/// The schema, three times (see [`gate`]): `full`, with the extensions,
/// checks requests and serves subscriptions; `known`, the same with only
/// the validation rules that read variables' values for limits, checks a
/// request that passed `full`'s rules with the same text, operation and
/// variables before (see [`documents`]); `fast`, without any extension,
/// executes queries and mutations once checked.
#[derive(Clone)]
pub struct AppSchema {
    pub full: FullSchema,
    known: FullSchema,
    fast: FullSchema,
    documents: std::sync::Arc<documents::Documents>,
}

impl AppSchema {
    pub fn sdl(&self) -> String {
        self.full.sdl()
    }

    /// Parses `request`'s document, or copies the tree parsed for the same
    /// text before (see [`documents`]).
    pub fn attach_document(&self, request: &mut async_graphql::Request) {
        self.documents.attach(request);
    }

    /// Checks `request` (see [`gate::check`]) on `known` if the same
    /// request passed `full`'s checks before, else on `full`.
    pub async fn check(
        &self,
        request: &mut async_graphql::Request,
    ) -> Result<std::collections::BTreeMap<String, async_graphql::Value>, async_graphql::Response> {
        let seen = documents::Validation::of(request);
        if seen.as_ref().is_some_and(|seen| self.documents.was_validated(seen)) {
            return gate::check(&self.known, request).await;
        }
        let checked = gate::check(&self.full, request).await;
        if let (Ok(_), Some(seen)) = (&checked, seen) {
            self.documents.validated(seen);
        }
        checked
    }
}

pub fn build_schema(db: Db, limits: &SchemaLimits) -> AppSchema {
    let persisted = std::sync::Arc::new(persisted::Persisted::new(db.clone(), limits.persisted_only));
    build_schema_with(db, limits, persisted)
}

/// The schema, sharing `persisted` with the HTTP layer.
pub fn build_schema_with(db: Db, limits: &SchemaLimits, persisted: std::sync::Arc<persisted::Persisted>) -> AppSchema {
    let live = crate::live::Live::new(db.primary());
    let budgets = cost::Budgets::new(limits.budget_per_minute).map(std::sync::Arc::new);
    let checking = |builder: async_graphql::SchemaBuilder<Query, Mutation, Subscription>| {
        builder
            // First: a hash-only request gets its text before it is measured.
            .extension(persisted::PersistedQueries(persisted.clone()))
            .extension(limits::Limiter(std::sync::Arc::new(limits.query.clone())))
            // One budget per client whichever schema checks the request.
            .extension(cost::CostReport { budgets: budgets.clone(), max_complexity: limits.max_complexity })
            .extension(introspection::IntrospectionCompat)
            .extension(panics::PanicMask)
            // Last: it stops a check-only pass before execution.
            .extension(gate::Gate)
    };
    // Fast validation still measures depth and complexity, with the
    // request's own variables, and enforces their limits.
    let fast_rules = async_graphql::ValidationMode::Fast;
    let full = checking(builder(&db, &live, limits)).finish();
    let known = checking(builder(&db, &live, limits)).validation_mode(fast_rules).finish();
    // A checked document was validated already, against the same types.
    let fast = builder(&db, &live, limits).validation_mode(fast_rules).data(lean::Enabled).finish();
    AppSchema { full, known, fast, documents: Default::default() }
}

fn builder(
    db: &Db,
    live: &crate::live::Live,
    limits: &SchemaLimits,
) -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    let builder = Schema::build(Query::default(), Mutation, Subscription)
        .data(live.clone())
        .data(db.clone())
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(32)
        // "Did you mean …?" would list the schema to clients that may not
        // introspect it.
        .disable_suggestions();
    if limits.introspection { builder } else { builder.disable_introspection() }
}

pub use executor::execute;

/// Per-request loaders that batch on a timer, for callers that cannot drive
/// the request through [`execute`] (e.g. subscriptions).
pub fn request_data(db: &Db) -> Loaders {
    loaders::new(db)
}
