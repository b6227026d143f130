//! `schema.graphql` at the repository root is the API contract under review:
//! it must be exactly what `scholargraph export-schema` prints today.
use pretty_assertions::assert_eq;

#[tokio::test]
async fn schema_graphql_matches_the_current_export() {
    let current = scholargraph::cli::schema_sdl().await.expect("export the schema");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    // A Windows checkout may have turned the newlines into CRLF.
    let committed = std::fs::read_to_string(path).unwrap_or_default().replace("\r\n", "\n");
    if committed != current {
        eprintln!(
            "schema.graphql differs from the current schema: if the change is intended, run\n\n    cargo run -- export-schema > schema.graphql\n\nand commit the result."
        );
    }
    assert_eq!(committed, current);
}
