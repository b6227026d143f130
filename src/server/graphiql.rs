//! GraphiQL at `/`, preset to this server's `/graphql`, with its scripts and
//! styles served from the binary (`assets/graphiql/`), so the playground
//! works without internet access.
use std::io::Read;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::errors::error_response;

/// Where the embedded files are served (the page links them here).
#[cfg(test)]
const ASSETS: &str = "/assets/graphiql";

/// An embedded file: gzip-compressed bytes and their media type.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    gzip: &'static [u8],
}

const FILES: [Asset; 4] = [
    Asset {
        name: "react.production.min.js",
        media_type: "text/javascript; charset=utf-8",
        gzip: include_bytes!("../../assets/graphiql/react.production.min.js.gz"),
    },
    Asset {
        name: "react-dom.production.min.js",
        media_type: "text/javascript; charset=utf-8",
        gzip: include_bytes!("../../assets/graphiql/react-dom.production.min.js.gz"),
    },
    Asset {
        name: "graphiql.min.js",
        media_type: "text/javascript; charset=utf-8",
        gzip: include_bytes!("../../assets/graphiql/graphiql.min.js.gz"),
    },
    Asset {
        name: "graphiql.min.css",
        media_type: "text/css; charset=utf-8",
        gzip: include_bytes!("../../assets/graphiql/graphiql.min.css.gz"),
    },
];

// The files change only with the binary; an hour keeps reloads cheap and
// an upgrade visible soon.
const CACHE: HeaderValue = HeaderValue::from_static("public, max-age=3600");

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>scholargraph GraphiQL</title>
  <link rel="stylesheet" href="/assets/graphiql/graphiql.min.css">
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/assets/graphiql/react.production.min.js"></script>
  <script src="/assets/graphiql/react-dom.production.min.js"></script>
  <script src="/assets/graphiql/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: "/graphql" });
    // A first query that shows the graph: a researcher's profile page.
    const defaultQuery = `# A researcher's profile page, as one query. Press the run button.
query Profile($slug: String! = "eric-shea-brown") {
  author(slug: $slug) {
    displayName headline openToCollaborate claimed
    metrics { worksCount topicsCount closeCollaboratorsCount followersCount }
    topics(first: 5) { topic { code name } worksCount }
    coauthors(first: 5) { edges { sharedWorksCount node { displayName } } }
    works(first: 5) {
      totalCount
      nodes { title year venue { name } authorships { rawName } }
    }
  }
}
`;
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true })
    );
  </script>
</body>
</html>
"#;

/// The GraphiQL page.
pub async fn page() -> Html<&'static str> {
    Html(PAGE)
}

/// `GET /assets/graphiql/{file}`: sent gzip-encoded to clients that accept
/// it (every browser), decompressed for the others.
pub async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = FILES.iter().find(|a| a.name == name) else {
        return error_response(StatusCode::NOT_FOUND, "NOT_FOUND", "no such GraphiQL asset");
    };
    let content_type = [(header::CONTENT_TYPE, HeaderValue::from_static(asset.media_type))];
    let vary = (header::VARY, HeaderValue::from_static("accept-encoding"));
    if accepts_gzip(&headers) {
        let encoding = (header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        return (content_type, [encoding, vary, (header::CACHE_CONTROL, CACHE)], asset.gzip).into_response();
    }
    let mut plain = Vec::new();
    match flate2::read::GzDecoder::new(asset.gzip).read_to_end(&mut plain) {
        Ok(_) => (content_type, [vary, (header::CACHE_CONTROL, CACHE)], plain).into_response(),
        Err(err) => {
            tracing::error!(asset = asset.name, error = %err, "embedded GraphiQL asset does not decompress");
            error_response(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "internal server error")
        }
    }
}

/// Whether `Accept-Encoding` allows gzip (listed, or `*`, and not `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let refused =
                parts.any(|p| matches!(p.trim().strip_prefix("q="), Some(q) if q.trim().parse::<f32>() == Ok(0.0)));
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_is_gzip_and_linked_from_the_page() {
        for asset in &FILES {
            assert_eq!(&asset.gzip[..2], &[0x1f, 0x8b], "{}", asset.name);
            assert!(PAGE.contains(&format!("{ASSETS}/{}", asset.name)), "{}", asset.name);
        }
    }

    #[test]
    fn gzip_acceptance() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
            accepts_gzip(&headers)
        };
        assert!(with("gzip, deflate, br") && with("br;q=1.0, gzip;q=0.8") && with("*"));
        assert!(!with("br") && !with("gzip;q=0") && !accepts_gzip(&HeaderMap::new()));
    }
}
