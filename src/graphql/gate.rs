//! Checking a request apart from running it. The schema's extensions
//! (persisted queries, limits, cost, introspection fix, panic masking) run
//! in a check-only pass over the full schema, which stops before execution;
//! the checked document then runs on a schema without extensions. Any
//! extension sends every field and list item through async-graphql's
//! extension chain, which spells out type names per item: that took 20–28%
//! of a profile page's or a nested query's time.
use std::any::{Any, TypeId};
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition};
use async_graphql::{Positioned, Request, Response, ServerError, ServerResult, Value, Variables};

use super::cost::ClientKey;

/// Innermost extension of the full schema: in a check-only pass, keeps the
/// parsed document and stops before execution; otherwise does nothing.
pub struct Gate;

impl ExtensionFactory for Gate {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GateExtension)
    }
}

/// Request data marking a check-only pass; receives the query text as
/// persisted queries resolved it.
#[derive(Clone, Default)]
struct CheckOnly(Arc<Mutex<Option<String>>>);

struct GateExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for GateExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if let Some(CheckOnly(slot)) = ctx.data_opt::<CheckOnly>() {
            if let Ok(mut slot) = slot.lock() {
                *slot = Some(query.to_owned());
            }
        }
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if ctx.data_opt::<CheckOnly>().is_some() {
            return Response::new(Value::Null);
        }
        next.run(ctx, operation_name).await
    }
}

/// Runs the full schema's checks on `request`. When they pass, `request`
/// holds the query text (a document it had parsed stays: only a hash-only
/// request's text changes, and it had none), and the checks' report
/// (e.g. `extensions.cost`) is returned; when they fail, the response
/// saying why.
pub async fn check(
    full: &super::FullSchema,
    request: &mut Request,
) -> Result<std::collections::BTreeMap<String, Value>, Response> {
    let slot = CheckOnly::default();
    // Parsed once: the HTTP layer has usually parsed it already.
    let parsed = request.parsed_query().ok().cloned();
    if let Some(document) = &parsed {
        let missing = missing_variables(document, request.operation_name.as_deref(), &request.variables);
        if !missing.is_empty() {
            return Err(Response::from_errors(missing));
        }
    }
    let mut gate = Request::new(std::mem::take(&mut request.query)).variables(request.variables.clone());
    if let Some(document) = parsed {
        gate.set_parsed_query(document);
    }
    gate.operation_name = request.operation_name.clone();
    gate.extensions = std::mem::take(&mut request.extensions);
    gate.introspection_mode = request.introspection_mode.clone();
    if let Some(key) = data_of::<ClientKey>(request) {
        gate = gate.data(key.clone());
    }
    let response = full.execute(gate.data(slot.clone())).await;
    if response.is_err() {
        return Err(response);
    }
    let checked = slot.0.lock().ok().and_then(|mut s| s.take());
    let Some(query) = checked else {
        return Err(Response::from_errors(vec![crate::error::server_error(
            "INTERNAL",
            "the request was checked but not parsed",
        )]));
    };
    request.query = query;
    Ok(response.extensions)
}

/// A request error for each required variable of the operation that the
/// request leaves out or sets to null ("Coercing Variable Values" in the
/// GraphQL spec): async-graphql would run the operation and fail the first
/// field to read it, with no code and the rest of the data.
fn missing_variables(
    document: &ExecutableDocument,
    operation: Option<&str>,
    variables: &Variables,
) -> Vec<ServerError> {
    let Some(operation) = selected_operation(document, operation) else { return Vec::new() };
    operation
        .node
        .variable_definitions
        .iter()
        .filter(|d| !d.node.var_type.node.nullable && d.node.default_value.is_none())
        .filter(|d| matches!(variables.get(&d.node.name.node), None | Some(Value::Null)))
        .map(|d| {
            let message = format!(
                "Variable \"${}\" of required type \"{}\" was not provided.",
                d.node.name.node, d.node.var_type.node
            );
            ServerError::new(message, Some(d.pos))
        })
        .collect()
}

/// The operation a request runs: the one named, or the document's only one.
pub fn selected_operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => {
            ops.iter().find(|(n, _)| n.as_str() == name).map(|(_, op)| op)
        }
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        _ => None,
    }
}

/// The request data of type `T`, if given.
pub fn data_of<T: Any>(request: &Request) -> Option<&T> {
    request.data.get(&TypeId::of::<T>()).and_then(|d| d.downcast_ref::<T>())
}
