//! The layers around every route, outermost first: request id, request log,
//! panic catcher, CORS, compression, JSON error bodies, body limit, timeout.
//! [`apply`] is public so tests can wrap their own routes (a panicking or a
//! slow handler) in exactly the production stack.
use std::any::Any;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::{AllowOrigin, Any as AnyHeader, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::{Level, Span};

use super::errors::{JSON, code_for_status, error_body, error_response, message_for_status};
use crate::config::Config;

/// The header that carries a request's id, in both directions.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps `routes` in the server's middleware, configured by `config`.
pub fn apply(routes: Router, config: &Config) -> Router {
    let stack = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(cors(config))
        // Brotli's default (quality 11) costs more CPU than a large response
        // saves in transfer; 4 is the usual choice for dynamic content.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .layer(axum::middleware::from_fn(json_error_bodies))
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::GATEWAY_TIMEOUT, config.request_timeout));
    // The limit above applies; axum's own default (2 MiB) would be a second one.
    routes.layer(stack).layer(DefaultBodyLimit::disable())
}

/// The span every log line of a request belongs to.
fn request_span<B>(req: &axum::http::Request<B>) -> Span {
    let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", id, method = %req.method(), path = req.uri().path(), operation = tracing::field::Empty)
}

fn cors(config: &Config) -> CorsLayer {
    let origins = if config.cors_origins.is_empty() {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(config.cors_origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    // No credentials: the API has no cookies or sessions, and "any origin"
    // must never be combined with them.
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(AnyHeader)
        .expose_headers([REQUEST_ID])
        .max_age(Duration::from_secs(3600))
}

/// A panic in a handler: logged in full, answered with a masked 500.
fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response {
    let message = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("(non-string panic payload)");
    tracing::error!(panic = message, "handler panicked");
    error_response(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "internal server error")
}

/// Gives error responses produced without a body or as plain text (the
/// body limit's 413, the timeout's 504, axum's 405) a GraphQL-style JSON body.
async fn json_error_bodies(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json =
        response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, JSON);
    Response::from_parts(parts, Body::from(error_body(code_for_status(status), &message_for_status(status))))
}
