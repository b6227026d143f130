//! Search and type-ahead on the demo corpus (and a real OpenAlex record),
//! on SQLite and PostgreSQL: ranking, phrases, prefixes, typos, diacritics,
//! paging, facets, and bad input as clear errors.
mod common;

use common::{TestApp, for_each_db, import_openalex_fixture};
use serde_json::{Value, json};

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

const SEARCH: &str = r#"query($q: String!, $t: [SearchType!], $first: Int, $after: String) {
    search(query: $q, types: $t, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { cursor score highlight node { __typename
            ... on Work { title } ... on Author { displayName } ... on Topic { name } ... on Institution { name } } } } }"#;

async fn search(app: &TestApp, q: &str, types: Value) -> Value {
    let body = app.post(SEARCH, json!({ "q": q, "t": types })).await;
    assert!(body["errors"].is_null(), "{q}: {body}");
    body["data"]["search"].clone()
}

fn first_title(found: &Value) -> &str {
    found["edges"][0]["node"]["title"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn search_ranks_title_matches_first_and_marks_them() {
    for_each_db(|app| async move {
        let found = search(&app, "bifurcations", json!(null)).await;
        assert_eq!(first_title(&found), "State-Space NTK Collapse Near Bifurcations", "{found}");
        let top = &found["edges"][0];
        assert_eq!(top["highlight"], "State-Space NTK Collapse Near <mark>Bifurcations</mark>");
        let scores: Vec<f64> =
            found["edges"].as_array().unwrap().iter().map(|e| e["score"].as_f64().unwrap()).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
        assert!(scores[0] > 0.0);

        // Case, punctuation and word order of a phrase.
        let found = search(&app, r#""Neural Tangent Kernel""#, json!(["WORK"])).await;
        assert!(found["totalCount"].as_i64().unwrap() >= 2, "{found}");
        for e in found["edges"].as_array().unwrap() {
            let h = e["highlight"].as_str().unwrap();
            assert!(h.contains("<mark>"), "{h}");
        }
        let reversed = search(&app, r#""kernel tangent neural""#, json!(["WORK"])).await;
        assert_eq!(reversed["totalCount"], 0, "{reversed}");

        // A prefix; a word of the abstract only, excerpted around it.
        let found = search(&app, "bifurc*", json!(["WORK"])).await;
        assert_eq!(first_title(&found), "State-Space NTK Collapse Near Bifurcations");
        let found = search(&app, "pitchfork", json!(["WORK"])).await;
        assert_eq!(found["totalCount"], 1, "{found}");
        let h = found["edges"][0]["highlight"].as_str().unwrap();
        assert!(h.contains("<mark>pitchfork</mark>") && h.starts_with('…'), "{h}");
    })
    .await;
}

#[tokio::test]
async fn search_forgives_a_typo_and_diacritics() {
    for_each_db(|app| async move {
        for typo in ["bifurcatoins", "bifurcatons", "bifurkations"] {
            let found = search(&app, typo, json!(["WORK"])).await;
            assert_eq!(first_title(&found), "State-Space NTK Collapse Near Bifurcations", "{typo}: {found}");
            assert!(found["edges"][0]["highlight"].as_str().unwrap().contains("<mark>Bifurcations</mark>"));
        }
        // Short words are taken as they are.
        assert_eq!(search(&app, "ntkx", json!(null)).await["totalCount"], 0);

        // The vocabulary is looked up only when the words as typed find
        // nothing: then twice (the word, then its neighbours), and the page
        // asked for again.
        let statements = |q: &'static str| {
            let app = &app;
            async move {
                let before = app.db.statement_count();
                let found = search(app, q, json!(["WORK"])).await;
                (found, app.db.statement_count() - before)
            }
        };
        let (right, at_once) = statements("bifurcations").await;
        let (typo, corrected) = statements("bifurcatoins").await;
        assert_eq!(typo, right);
        assert_eq!(corrected, at_once + 3, "{}", app.backend());
        let (_, short) = statements("bifurc*").await;
        assert_eq!(at_once, short, "a word found at once costs what a prefix, never corrected, does");

        import_openalex_fixture(&app, "openalex_work_W2741809807.json").await;
        for q in ["Lariviere", "larivière", "LARIVIERE"] {
            let found = search(&app, q, json!(["AUTHOR"])).await;
            assert_eq!(found["edges"][0]["node"]["displayName"], "Vincent Larivière", "{q}: {found}");
            assert_eq!(found["edges"][0]["highlight"], "Vincent <mark>Larivière</mark>");
        }
    })
    .await;
}

#[tokio::test]
async fn search_filters_by_type_and_pages_with_cursors() {
    for_each_db(|app| async move {
        let all = search(&app, "learning", json!(null)).await;
        let total = all["totalCount"].as_i64().unwrap();
        assert!(total > 5, "{all}");
        let kinds: std::collections::BTreeSet<&str> =
            all["edges"].as_array().unwrap().iter().map(|e| e["node"]["__typename"].as_str().unwrap()).collect();
        assert!(kinds.contains("Work"), "{kinds:?}");

        let authors = search(&app, "lajoie", json!(["AUTHOR"])).await;
        assert_eq!(authors["edges"][0]["node"]["displayName"], "Guillaume Lajoie", "{authors}");
        assert!(authors["edges"].as_array().unwrap().iter().all(|e| e["node"]["__typename"] == "Author"));

        // Page by page, the same results in the same order as one page.
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let body = app.post(SEARCH, json!({ "q": "learning", "first": 4, "after": after })).await;
            let page = &body["data"]["search"];
            for e in page["edges"].as_array().unwrap() {
                seen.push(e["cursor"].as_str().unwrap().to_owned());
            }
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(seen.len() as i64, total);
        let whole = app.post(SEARCH, json!({ "q": "learning", "first": 100 })).await;
        let cursors: Vec<&str> = whole["data"]["search"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["cursor"].as_str().unwrap())
            .collect();
        assert_eq!(seen, cursors);

        // Facets count the works found.
        let q = r#"{ search(query: "bifurcations", first: 1) { totalCount facets { years { year count } } } }"#;
        let body = app.post(q, json!({})).await;
        let years = body["data"]["search"]["facets"]["years"].as_array().unwrap_or_else(|| panic!("{body}"));
        let works = search(&app, "bifurcations", json!(["WORK"])).await["totalCount"].as_i64().unwrap();
        assert_eq!(years.iter().map(|y| y["count"].as_i64().unwrap()).sum::<i64>(), works);
    })
    .await;
}

#[tokio::test]
async fn total_count_is_counted_with_the_page_on_postgres_and_apart_on_sqlite() {
    for_each_db(|app| async move {
        let q = |fields: &str| {
            format!(
                "query($q: String!, $after: String) {{ search(query: $q, first: 3, after: $after) {{ {fields} }} }}"
            )
        };
        let counted = q("totalCount edges { cursor }");
        let all = app.post(&q("edges { cursor }").replace("first: 3", "first: 100"), json!({ "q": "learning" })).await;
        let edges = all["data"]["search"]["edges"].as_array().unwrap_or_else(|| panic!("{all}")).clone();
        assert!(edges.len() > 3, "{all}");
        let statements = |query: String, after: Option<String>| {
            let app = &app;
            async move {
                let before = app.db.statement_count();
                let body = app.post(&query, json!({ "q": "learning", "after": after })).await;
                assert!(body["errors"].is_null(), "{body}");
                (body["data"]["search"].clone(), app.db.statement_count() - before)
            }
        };
        let cursor = |i: usize| edges[i]["cursor"].as_str().map(str::to_owned);
        // The first page, a middle one and the one past the end.
        let last = cursor(edges.len() - 1);
        for after in [None, cursor(1), last.clone()] {
            let (page, with) = statements(counted.clone(), after.clone()).await;
            let (_, without) = statements(q("edges { cursor }"), after.clone()).await;
            assert_eq!(page["totalCount"], edges.len() as i64, "{after:?}: {page}");
            if after == last {
                assert_eq!(page["edges"], json!([]));
                continue; // no row to read a count from: a count statement
            }
            let extra = if app.backend() == "postgres" { 0 } else { 1 };
            assert_eq!(with, without + extra, "{}, after {after:?}", app.backend());
        }
    })
    .await;
}

#[tokio::test]
async fn search_refuses_bad_input_clearly() {
    for_each_db(|app| async move {
        for (q, vars) in [
            ("{ search(query: \"\") { totalCount } }", json!({})),
            ("{ search(query: \"  -- * \\\"\\\" \") { totalCount } }", json!({})),
            ("{ search(query: \"x\", first: 0) { totalCount } }", json!({})),
            ("{ search(query: \"x\", first: 101) { totalCount } }", json!({})),
            ("{ search(query: \"x\", after: \"nonsense\") { totalCount } }", json!({})),
            ("query($q: String!) { search(query: $q) { totalCount } }", json!({ "q": "a".repeat(501) })),
            ("{ autocomplete(prefix: \" \") { label } }", json!({})),
            ("{ autocomplete(prefix: \"la\", limit: 0) { label } }", json!({})),
            ("{ autocomplete(prefix: \"la\", limit: 51) { label } }", json!({})),
        ] {
            let body = app.post(q, vars).await;
            assert_eq!(code(&body), "BAD_USER_INPUT", "{q}: {body}");
        }
        // Query syntax characters of the engines are only words here.
        for q in ["NEAR(a b)", "a OR b AND NOT c", "'quoted' & !x | y:*", "col : value", "((( x", "\\ x"] {
            let body = app.post(SEARCH, json!({ "q": q })).await;
            assert!(body["errors"].is_null(), "{q}: {body}");
        }
    })
    .await;
}

#[tokio::test]
async fn autocomplete_completes_names_and_titles() {
    for_each_db(|app| async move {
        let q = r#"query($p: String!, $t: [SearchType!], $l: Int) { autocomplete(prefix: $p, types: $t, limit: $l) {
            label node { __typename ... on Author { slug } ... on Work { title } } } }"#;
        let body = app.post(q, json!({ "p": "Guillaume La" })).await;
        let hits = body["data"]["autocomplete"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(hits[0]["label"], "Guillaume Lajoie", "{body}");
        assert_eq!(hits[0]["node"]["slug"], "guillaume-lajoie");

        // A word inside a title; only works asked for; at most `limit`.
        let body = app.post(q, json!({ "p": "bifurc", "t": ["WORK"], "l": 3 })).await;
        let hits = body["data"]["autocomplete"].as_array().unwrap();
        assert!(!hits.is_empty() && hits.len() <= 3, "{body}");
        assert!(hits.iter().all(|h| h["node"]["__typename"] == "Work"));
        assert!(hits.iter().any(|h| h["label"] == "State-Space NTK Collapse Near Bifurcations"), "{body}");

        // Labels that start with what was typed come first.
        let body = app.post(q, json!({ "p": "eric", "t": ["AUTHOR"] })).await;
        let hits = body["data"]["autocomplete"].as_array().unwrap();
        assert!(hits[0]["label"].as_str().unwrap().to_lowercase().starts_with("eric"), "{body}");

        let none = app.post(q, json!({ "p": "zzzzqx" })).await;
        assert_eq!(none["data"]["autocomplete"], json!([]));
    })
    .await;
}

#[tokio::test]
async fn imports_keep_the_index_in_step() {
    for_each_db(|app| async move {
        assert_eq!(search(&app, "priem", json!(["AUTHOR"])).await["totalCount"], 0);
        import_openalex_fixture(&app, "openalex_work_W2741809807.json").await;
        let found = search(&app, "\"state of OA\"", json!(["WORK"])).await;
        assert!(first_title(&found).starts_with("The state of OA"), "{found}");
        assert_eq!(search(&app, "priem", json!(["AUTHOR"])).await["totalCount"], 1);
        // The same record again changes nothing; a changed title is found by its new words.
        import_openalex_fixture(&app, "openalex_work_W2741809807.json").await;
        assert_eq!(search(&app, "priem", json!(["AUTHOR"])).await["totalCount"], 1);

        // Rebuilt from scratch, the index finds the same in the same order
        // (FTS5's scores move a little: deleted documents counted in its
        // statistics until its segments merge).
        let nodes = |found: Value| -> Vec<Value> {
            found["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()).collect()
        };
        let before = search(&app, "learning", json!(null)).await;
        scholargraph::search::index::rebuild(&app.db).await.unwrap();
        let after = search(&app, "learning", json!(null)).await;
        assert_eq!(before["totalCount"], after["totalCount"]);
        assert_eq!(nodes(before), nodes(after));
    })
    .await;
}
