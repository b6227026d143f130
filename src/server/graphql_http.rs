//! GraphQL over HTTP (the GraphQL-over-HTTP spec): `POST /graphql` with a
//! JSON body runs any operation, `GET /graphql?query=…` runs queries only.
//! Responses use `application/graphql-response+json` when the client accepts
//! it, else `application/json`; malformed requests get a 4xx with a
//! GraphQL-style error body.
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::AppState;
use super::errors::{
    GRAPHQL_RESPONSE_JSON, JSON, code_for_status, error_response, error_response_as, message_for_status,
};
use crate::graphql;
use crate::graphql::cost::ClientKey;
use crate::graphql::limits::Refusal;

/// A request that cannot be run, with the status it earns.
struct Rejection {
    status: StatusCode,
    message: String,
    /// when more precise than the status's code
    code: Option<&'static str>,
}

fn bad_request(message: impl Into<String>) -> Rejection {
    Rejection { status: StatusCode::BAD_REQUEST, message: message.into(), code: None }
}

impl From<Refusal> for Rejection {
    fn from(r: Refusal) -> Self {
        let status = match r.code {
            "PERSISTED_QUERY_NOT_ALLOWED" => StatusCode::FORBIDDEN,
            "DATABASE_UNAVAILABLE" => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        Rejection { status, message: r.message, code: Some(r.code) }
    }
}

impl Rejection {
    fn into_response(self, media_type: HeaderValue) -> Response {
        let code = self.code.unwrap_or_else(|| code_for_status(self.status));
        error_response_as(self.status, media_type, code, &self.message)
    }
}

/// The query-string parameters of a GET request; `variables` and
/// `extensions` are JSON text.
#[derive(Deserialize)]
struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

/// `GET /graphql`: queries only; a mutation gets 405 with `Allow: POST`.
pub async fn get(State(state): State<AppState>, client: Client, headers: HeaderMap, uri: Uri) -> Response {
    let media_type = match negotiate(&headers) {
        Ok(media_type) => media_type,
        Err(response) => return response,
    };
    let request = Query::<GetParams>::try_from_uri(&uri)
        .map_err(|err| bad_request(format!("malformed query string: {}", err.body_text())))
        .and_then(|Query(params)| {
            let variables = params.variables.as_deref().map(|v| parse_json_param("variables", v)).transpose()?;
            let extensions = params.extensions.as_deref().map(|v| parse_json_param("extensions", v)).transpose()?;
            build_request(
                Some(Value::from(params.query)),
                params.operation_name.map(Value::from),
                variables,
                extensions,
            )
        });
    let request = match request {
        Ok(request) => resolve(&state, request).await,
        Err(rejection) => Err(rejection),
    };
    let mut request = match request {
        Ok(request) => request,
        Err(rejection) => return rejection.into_response(media_type),
    };
    let operation_name = request.operation_name.clone();
    // A document that does not parse is left to `execute`, which reports it
    // as a GraphQL error like any other.
    if let Ok(doc) = request.parsed_query() {
        if selected_operation(doc, operation_name.as_deref()).is_some_and(|ty| ty != OperationType::Query) {
            let mut response = error_response_as(
                StatusCode::METHOD_NOT_ALLOWED,
                media_type,
                "METHOD_NOT_ALLOWED",
                "only queries may be sent with GET; send mutations with POST",
            );
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
    }
    execute(&state, request, &client, media_type, &Method::GET).await
}

/// `POST /graphql` with an `application/json` body.
pub async fn post(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let media_type = match negotiate(&headers) {
        Ok(media_type) => media_type,
        Err(response) => return response,
    };
    let request = check_content_type(&headers).and_then(|()| {
        let body = body.map_err(|err| {
            let status = err.status();
            let message =
                if status == StatusCode::PAYLOAD_TOO_LARGE { message_for_status(status) } else { err.body_text() };
            Rejection { status, message, code: None }
        })?;
        parse_body(&body)
    });
    let request = match request {
        Ok(request) => resolve(&state, request).await,
        Err(rejection) => Err(rejection),
    };
    match request {
        Ok(request) => execute(&state, request, &client, media_type, &Method::POST).await,
        Err(rejection) => rejection.into_response(media_type),
    }
}

/// Who sent a request: its bearer token, if any, and its address.
pub struct Client {
    token: Option<String>,
    ip: Option<std::net::IpAddr>,
}

impl axum::extract::FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::social::credentials::bearer)
            .map(str::to_owned);
        let forwarded = || {
            let header = parts.headers.get_all("x-forwarded-for").iter().last()?.to_str().ok()?;
            header.rsplit(',').next()?.trim().parse::<std::net::IpAddr>().ok()
        };
        let peer = || parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        let ip = if state.config.trust_forwarded_for { forwarded().or_else(peer) } else { peer() };
        Ok(Client { token, ip })
    }
}

impl Client {
    /// The same client with the token it gave another way (a WebSocket's
    /// `connection_init` payload).
    pub fn with_token(self, token: Option<String>) -> Self {
        Self { token: token.or(self.token), ..self }
    }

    /// Whose budget a request spends: the token's, else the address's.
    pub fn key(&self) -> ClientKey {
        match (&self.token, self.ip) {
            (Some(token), _) => ClientKey(format!("token:{}", &crate::social::credentials::token_digest(token)[..16])),
            (None, Some(ip)) => ClientKey(format!("ip:{ip}")),
            (None, None) => ClientKey("ip:unknown".to_owned()),
        }
    }
}

/// Seconds to wait, when the request was refused for its budget.
/// The `extensions.code` of an error.
fn code_of(error: &async_graphql::ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code),
        _ => None,
    }
}

fn rate_limited(response: &async_graphql::Response) -> Option<u64> {
    response.errors.iter().find_map(|e| {
        if code_of(e) != Some("RATE_LIMITED") {
            return None;
        }
        match e.extensions.as_ref()?.get("retryAfter") {
            Some(async_graphql::Value::Number(n)) => n.as_u64(),
            _ => Some(60),
        }
    })
}

/// `RateLimit-Limit` and `RateLimit-Remaining` from `extensions.cost`, and
/// `Retry-After` on a refusal.
fn budget_headers(response: &async_graphql::Response, retry_after: Option<u64>, headers: &mut HeaderMap) {
    if let Some(async_graphql::Value::Object(cost)) = response.extensions.get("cost") {
        if let Some(async_graphql::Value::Object(budget)) = cost.get("budget") {
            for (header, field) in [("ratelimit-limit", "perMinute"), ("ratelimit-remaining", "remaining")] {
                if let Some(v) = budget.get(field).and_then(|v| HeaderValue::from_str(&v.to_string()).ok()) {
                    headers.insert(header, v);
                }
            }
        }
    }
    if let Some(secs) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
}

/// A persisted query's text (or its refusal), then the limits that need no
/// parsing, before anything is parsed.
async fn resolve(state: &AppState, mut request: async_graphql::Request) -> Result<async_graphql::Request, Rejection> {
    state.persisted.resolve(&mut request).await?;
    // Resolved: the schema's own pass has nothing left to do but the allow-list.
    request.extensions.remove("persistedQuery");
    let mut request = check_size(state, request)?;
    state.schema.attach_document(&mut request);
    Ok(request)
}

/// The limits that need no parsing, before anything is parsed.
fn check_size(state: &AppState, request: async_graphql::Request) -> Result<async_graphql::Request, Rejection> {
    let limits = &state.config.limits.query;
    limits.check_text(&request.query)?;
    limits.check_variables(&request.variables)?;
    Ok(request)
}

fn check_content_type(headers: &HeaderMap) -> Result<(), Rejection> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if media_type_of(content_type) == "application/json" {
        return Ok(());
    }
    Err(Rejection {
        code: None,
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        message: format!("send the request as Content-Type: application/json, not {content_type:?}"),
    })
}

fn parse_body(body: &[u8]) -> Result<async_graphql::Request, Rejection> {
    let value: Value =
        serde_json::from_slice(body).map_err(|err| bad_request(format!("malformed JSON body: {err}")))?;
    let Value::Object(mut fields) = value else {
        return Err(bad_request("the body must be a JSON object with a \"query\""));
    };
    build_request(
        fields.remove("query"),
        fields.remove("operationName"),
        fields.remove("variables"),
        fields.remove("extensions"),
    )
}

fn parse_json_param(name: &str, text: &str) -> Result<Value, Rejection> {
    serde_json::from_str(text).map_err(|err| bad_request(format!("malformed JSON in the {name} parameter: {err}")))
}

/// Checks the parts of a request and assembles it.
fn build_request(
    query: Option<Value>,
    operation_name: Option<Value>,
    variables: Option<Value>,
    extensions: Option<Value>,
) -> Result<async_graphql::Request, Rejection> {
    // A persisted query may come as its hash alone.
    let by_hash = extensions.as_ref().and_then(|e| e.get("persistedQuery")).is_some();
    let query = match query {
        Some(Value::String(query)) if !query.trim().is_empty() => query,
        Some(Value::String(_)) | Some(Value::Null) | None if by_hash => String::new(),
        Some(Value::String(_)) | Some(Value::Null) | None => {
            return Err(bad_request("missing query: send {\"query\": \"{ … }\"}"));
        }
        Some(_) => return Err(bad_request("\"query\" must be a string")),
    };
    let mut request = async_graphql::Request::new(query);
    match operation_name {
        Some(Value::String(name)) => request = request.operation_name(name),
        Some(Value::Null) | None => {}
        Some(_) => return Err(bad_request("\"operationName\" must be a string or null")),
    }
    match variables {
        Some(Value::Object(vars)) => {
            request = request.variables(async_graphql::Variables::from_json(Value::Object(vars)))
        }
        Some(Value::Null) | None => {}
        Some(_) => return Err(bad_request("\"variables\" must be an object or null")),
    }
    match extensions {
        Some(Value::Object(ext)) => {
            for (name, value) in ext {
                request.extensions.insert(name, async_graphql::Value::from_json(value).unwrap_or_default());
            }
        }
        Some(Value::Null) | None => {}
        Some(_) => return Err(bad_request("\"extensions\" must be an object or null")),
    }
    Ok(request)
}

/// The type of the operation that would run, if the document says.
fn selected_operation(doc: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    graphql::gate::selected_operation(doc, name).map(|op| op.node.ty)
}

/// The body of a request error: no `data`, since nothing ran.
#[derive(Serialize)]
struct RequestErrorBody<'a> {
    errors: &'a [async_graphql::ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

async fn execute(
    state: &AppState,
    mut request: async_graphql::Request,
    client: &Client,
    media_type: HeaderValue,
    method: &Method,
) -> Response {
    let started = std::time::Instant::now();
    if let Some(name) = &request.operation_name {
        tracing::Span::current().record("operation", name.as_str());
    }
    // The name the client chose, or that of the document's one operation.
    let operation = request.operation_name.clone().or_else(|| match request.parsed_query() {
        Ok(doc) => match &doc.operations {
            DocumentOperations::Multiple(ops) if ops.len() == 1 => ops.keys().next().map(|n| n.to_string()),
            _ => None,
        },
        Err(_) => None,
    });
    // The parsed document is kept in the request, so this parses only once.
    let parse_failed = request.parsed_query().is_err();
    // The token is checked only if a field asks who the viewer is.
    request = request.data(graphql::viewer::Viewer::new(client.token.clone())).data(client.key());
    // Held until the response is serialized; the semaphore is never closed.
    let _permit = state.in_flight.acquire().await.ok();
    // Boxed: the execution's state is tens of kilobytes, and inline it made
    // the handler's future that big, copied twice a request by axum's
    // `HandlerService::call` (callgrind: 3 % of a `trending` request's
    // instructions). Boxed, it is copied once, into the box (−0.9 % in all).
    let mut response = Box::pin(graphql::execute(&state.schema, request, &state.db)).await;
    // Parse and validation errors carry no path: the operation never ran.
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let body = if request_error {
        let code = if parse_failed { "GRAPHQL_PARSE_FAILED" } else { "GRAPHQL_VALIDATION_FAILED" };
        for error in &mut response.errors {
            let extensions = error.extensions.get_or_insert_with(Default::default);
            if extensions.get("code").is_none() {
                extensions.set("code", code);
            }
        }
        tracing::debug!(errors = ?response.errors, "GraphQL request error");
        to_json(&RequestErrorBody { errors: &response.errors, extensions: &response.extensions })
    } else {
        to_json(&response)
    };
    let body = match body {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "cannot serialize a GraphQL response");
            return error_response(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "internal server error");
        }
    };
    // The spec: with the new media type a request error is a 400; with
    // application/json every well-formed request gets 200.
    let outcome = response.errors.first().and_then(code_of).unwrap_or("ok");
    super::metrics::record_request(operation.as_deref(), outcome, started.elapsed().as_secs_f64());
    let retry_after = rate_limited(&response);
    let status = if retry_after.is_some() {
        StatusCode::TOO_MANY_REQUESTS
    } else if request_error && media_type == GRAPHQL_RESPONSE_JSON {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let serialized = body.len();
    let mut http = (status, [(header::CONTENT_TYPE, media_type)], body).into_response();
    budget_headers(&response, retry_after, http.headers_mut());
    for (name, value) in &response.http_headers {
        http.headers_mut().append(name, value.clone());
    }
    // Only GET responses may be cached by HTTP caches.
    if method == Method::GET {
        if let Some(value) = response.cache_control.value().and_then(|v| HeaderValue::from_str(&v).ok()) {
            http.headers_mut().insert(header::CACHE_CONTROL, value);
        }
    }
    drop_later(response.data, serialized);
    http
}

/// A response body as JSON, in a buffer that starts at a few pages: grown
/// from nothing, a 50 KB answer was copied into 14 ever larger ones.
fn to_json(body: &impl Serialize) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(4096);
    serde_json::to_writer(&mut out, body)?;
    Ok(out)
}

/// Responses whose data serialized to more than this many bytes are freed
/// after they are sent, not before.
const DROP_LATER_FROM: usize = 16 * 1024;

/// Frees a large response's data on another task: a tree of thousands of
/// values (the nested benchmark query's: 3 % of its instructions) is freed
/// while the response is on its way, not before it leaves.
fn drop_later(data: async_graphql::Value, serialized: usize) {
    if serialized > DROP_LATER_FROM {
        tokio::spawn(async move { drop(data) });
    }
}

/// `type/subtype` of a media type, lower-cased, without parameters.
fn media_type_of(value: &str) -> String {
    value.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// Picks the response media type from `Accept`: the GraphQL media type when
/// listed, else JSON (also for a missing `Accept`); 406 when neither fits.
fn negotiate(headers: &HeaderMap) -> Result<HeaderValue, Response> {
    let mut accepted = Vec::new();
    for value in headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()) {
        for item in value.split(',') {
            let refused = item
                .split(';')
                .skip(1)
                .any(|p| matches!(p.trim().strip_prefix("q="), Some(q) if q.trim().parse::<f32>() == Ok(0.0)));
            let media_type = media_type_of(item);
            if !refused && !media_type.is_empty() {
                accepted.push(media_type);
            }
        }
    }
    if accepted.is_empty() {
        return Ok(JSON);
    }
    if accepted.iter().any(|m| m == "application/graphql-response+json") {
        return Ok(GRAPHQL_RESPONSE_JSON);
    }
    if accepted.iter().any(|m| matches!(m.as_str(), "application/json" | "application/*" | "*/*")) {
        return Ok(JSON);
    }
    Err(error_response(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "responses are application/graphql-response+json or application/json: accept one of them",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Result<HeaderValue, StatusCode> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        negotiate(&headers).map_err(|r| r.status())
    }

    #[test]
    fn accept_negotiation_follows_the_spec() {
        assert_eq!(negotiate(&HeaderMap::new()).unwrap(), JSON);
        assert_eq!(accept("application/graphql-response+json, application/json;q=0.9"), Ok(GRAPHQL_RESPONSE_JSON));
        assert_eq!(accept("application/json, multipart/mixed"), Ok(JSON));
        assert_eq!(accept("*/*"), Ok(JSON));
        assert_eq!(accept("text/html"), Err(StatusCode::NOT_ACCEPTABLE));
        assert_eq!(accept("application/graphql-response+json;q=0, application/json"), Ok(JSON));
    }

    #[test]
    fn request_parts_are_checked() {
        assert!(parse_body(br#"{"query":"{ __typename }","variables":{"a":1},"operationName":null}"#).is_ok());
        for body in
            [&b"{"[..], b"[]", b"{}", br#"{"query":""}"#, br#"{"query":1}"#, br#"{"query":"{ a }","variables":[1]}"#]
        {
            assert_eq!(
                parse_body(body).err().map(|r| r.status),
                Some(StatusCode::BAD_REQUEST),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn the_selected_operation_is_found() {
        let doc = async_graphql::parser::parse_query("query A { a } mutation B { b }").unwrap();
        assert_eq!(selected_operation(&doc, Some("B")), Some(OperationType::Mutation));
        assert_eq!(selected_operation(&doc, Some("A")), Some(OperationType::Query));
        assert_eq!(selected_operation(&doc, None), None);
        let doc = async_graphql::parser::parse_query("mutation { b }").unwrap();
        assert_eq!(selected_operation(&doc, None), Some(OperationType::Mutation));
    }
}
