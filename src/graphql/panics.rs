//! A panic while resolving a field becomes that field's `INTERNAL` error,
//! logged in full and masked for the client; the rest of the response, and
//! every other request, go on.
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo};
use async_graphql::{PathSegment, ServerResult, Value};
use futures_util::FutureExt;

pub struct PanicMask;

impl ExtensionFactory for PanicMask {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PanicMaskExtension)
    }
}

struct PanicMaskExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for PanicMaskExtension {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // Kept by reference: the path is spelled out only after a panic.
        let node = info.path_node;
        match AssertUnwindSafe(next.run(ctx, info)).catch_unwind().await {
            Ok(result) => result,
            Err(panic) => {
                let what = message(&*panic);
                tracing::error!(field = %node, panic = what, "a resolver panicked");
                // The field's path, with list indices as such.
                let segments: Vec<PathSegment> = node
                    .to_string_vec()
                    .into_iter()
                    .map(|s| s.parse::<usize>().map_or(PathSegment::Field(s), PathSegment::Index))
                    .collect();
                let mut error = crate::error::server_error("INTERNAL", "internal server error");
                error.path = segments;
                Err(error)
            }
        }
    }
}

/// What a panic said.
pub fn message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(non-string panic payload)")
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

    use super::*;

    struct Q;

    #[Object]
    impl Q {
        async fn fine(&self) -> i32 {
            1
        }

        async fn broken(&self) -> Option<i32> {
            let missing: Option<i32> = None;
            Some(missing.expect("secret detail /etc/passwd"))
        }
    }

    #[tokio::test]
    async fn a_panicking_field_is_a_masked_error_and_the_rest_is_answered() {
        let schema = Schema::build(Q, EmptyMutation, EmptySubscription).extension(PanicMask).finish();
        let response = schema.execute("{ fine broken }").await;
        assert!(response.data.to_string().starts_with("{fine: 1"), "{}", response.data);
        let error = &response.errors[0];
        assert_eq!(error.path.len(), 1, "the error names the field: {error:?}");
        assert_eq!(error.message, "internal server error");
        assert_eq!(error.extensions.as_ref().and_then(|e| e.get("code")), Some(&Value::from("INTERNAL")));
        assert_eq!(schema.execute("{ fine }").await.data.to_string(), "{fine: 1}");
    }
}
