//! GraphiQL at `/`, preset to this server's `/graphql`.
//!
//! The page loads GraphiQL's scripts from a public CDN, so it needs a
//! browser with internet access; the API itself does not.
use std::sync::LazyLock;

use async_graphql::http::GraphiQLSource;
use axum::response::Html;

// Built once: the page never changes while the process runs.
static PAGE: LazyLock<String> = LazyLock::new(|| {
    GraphiQLSource::build()
        .endpoint("/graphql")
        .title("scholargraph GraphiQL")
        .finish()
});

/// The GraphiQL page.
pub async fn page() -> Html<&'static str> {
    Html(PAGE.as_str())
}
