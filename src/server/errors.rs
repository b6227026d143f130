//! HTTP-level errors in the shape of GraphQL errors, so that a client reads
//! every failure the same way: `{"errors":[{"message", "extensions":{"code"}}]}`.
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// `application/json`, the default media type of responses.
pub const JSON: HeaderValue = HeaderValue::from_static("application/json");
/// The GraphQL-over-HTTP media type, used when the client accepts it.
pub const GRAPHQL_RESPONSE_JSON: HeaderValue = HeaderValue::from_static("application/graphql-response+json");

/// The JSON body of an error with a stable `code`.
pub fn error_body(code: &str, message: &str) -> Vec<u8> {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    // Serializing a `Value` built from strings cannot fail.
    serde_json::to_vec(&body).unwrap_or_default()
}

/// An error response with `status`, a stable `code` and a message.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    error_response_as(status, JSON, code, message)
}

/// Same as [`error_response`], in the media type the client negotiated.
pub fn error_response_as(status: StatusCode, media_type: HeaderValue, code: &str, message: &str) -> Response {
    (status, [(header::CONTENT_TYPE, media_type)], error_body(code, message)).into_response()
}

/// The stable code of an HTTP error status.
pub fn code_for_status(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "BAD_REQUEST",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        StatusCode::METHOD_NOT_ALLOWED => "METHOD_NOT_ALLOWED",
        StatusCode::NOT_ACCEPTABLE => "NOT_ACCEPTABLE",
        StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => "TIMEOUT",
        StatusCode::PAYLOAD_TOO_LARGE => "PAYLOAD_TOO_LARGE",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "UNSUPPORTED_MEDIA_TYPE",
        StatusCode::SERVICE_UNAVAILABLE => "UNAVAILABLE",
        s if s.is_server_error() => "INTERNAL",
        _ => "BAD_REQUEST",
    }
}

/// The message clients see for an HTTP error status.
pub fn message_for_status(status: StatusCode) -> String {
    match status {
        StatusCode::GATEWAY_TIMEOUT | StatusCode::REQUEST_TIMEOUT => {
            "the request took too long and was cancelled".to_owned()
        }
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is larger than the server accepts".to_owned(),
        s if s.is_server_error() && s != StatusCode::SERVICE_UNAVAILABLE => "internal server error".to_owned(),
        s => s.canonical_reason().unwrap_or("request failed").to_lowercase(),
    }
}

/// Fallback for unknown paths.
pub async fn not_found() -> Response {
    error_response(StatusCode::NOT_FOUND, "NOT_FOUND", "no such endpoint: the API is at /graphql")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_have_codes_and_masked_messages() {
        assert_eq!(code_for_status(StatusCode::PAYLOAD_TOO_LARGE), "PAYLOAD_TOO_LARGE");
        assert_eq!(code_for_status(StatusCode::BAD_GATEWAY), "INTERNAL");
        assert_eq!(message_for_status(StatusCode::INTERNAL_SERVER_ERROR), "internal server error");
        assert_eq!(message_for_status(StatusCode::METHOD_NOT_ALLOWED), "method not allowed");
        let body: serde_json::Value = serde_json::from_slice(&error_body("X", "m")).unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "X");
    }
}
