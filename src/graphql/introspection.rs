//! Introspection as current graphql-js expects it. graphql-js 16.9+ lets
//! `@deprecated` stand on directive definitions too; async-graphql 7.2 does
//! not list that location, so every graphql-js client (GraphiQL, codegen,
//! `findBreakingChanges`) would see the built-in directive as changed. The
//! location is added to introspection answers here, in one place.
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::{Name, Response, Value};

pub struct IntrospectionCompat;

impl ExtensionFactory for IntrospectionCompat {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(IntrospectionCompatExtension)
    }
}

struct IntrospectionCompatExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for IntrospectionCompatExtension {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        fix(&mut response);
        response
    }
}

/// Adds the location to an introspection answer in `response`.
pub fn fix(response: &mut Response) {
    if let Value::Object(data) = &mut response.data {
        if let Some(Value::Object(schema)) = data.get_mut("__schema") {
            if let Some(Value::List(directives)) = schema.get_mut("directives") {
                directives.iter_mut().for_each(add_directive_definition_location);
            }
        }
    }
}

fn add_directive_definition_location(directive: &mut Value) {
    let Value::Object(d) = directive else { return };
    if d.get("name") != Some(&Value::String("deprecated".into())) {
        return;
    }
    if let Some(Value::List(locations)) = d.get_mut(&Name::new("locations")) {
        let location = Value::Enum(Name::new("DIRECTIVE_DEFINITION"));
        if !locations.contains(&location) {
            locations.push(location);
        }
    }
}
