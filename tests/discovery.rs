//! Discovery on the demo corpus, on SQLite and PostgreSQL: trending,
//! coauthor paths and related works, with bad input as clear errors.
mod common;

use common::{TestApp, for_each_db, import_openalex_fixture};
use serde_json::{Value, json};

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

async fn author_id(app: &TestApp, slug: &str) -> String {
    let body = app.post("query($s: String) { author(slug: $s) { id } }", json!({ "s": slug })).await;
    body["data"]["author"]["id"].as_str().unwrap_or_else(|| panic!("no author {slug}: {body}")).to_owned()
}

#[tokio::test]
async fn trending_ranks_the_featured_works_of_a_day() {
    for_each_db(|app| async move {
        let q = r#"query($after: String) { trending(date: "2026-04-22", days: 1, first: 50, after: $after) {
            totalCount pageInfo { hasNextPage endCursor }
            edges { cursor rank score upvotes featuredOn node { title authorCount } } } }"#;
        let body = app.post(q, json!({})).await;
        let t = &body["data"]["trending"];
        assert_eq!(t["totalCount"], 57, "{body}");
        let edges = t["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 50);
        for (i, e) in edges.iter().enumerate() {
            assert_eq!(e["rank"], i as i64 + 1);
            assert_eq!(e["featuredOn"], "2026-04-22");
            // One day in the window: the score is upvotes + 1.
            assert_eq!(e["score"].as_f64().unwrap(), e["upvotes"].as_f64().unwrap() + 1.0);
        }
        let upvotes: Vec<i64> = edges.iter().map(|e| e["upvotes"].as_i64().unwrap()).collect();
        assert!(upvotes.windows(2).all(|w| w[0] >= w[1]), "{upvotes:?}");
        assert!(upvotes[0] > 0);

        let rest = app.post(q, json!({ "after": t["pageInfo"]["endCursor"] })).await;
        let rest = &rest["data"]["trending"];
        assert_eq!(rest["edges"].as_array().unwrap().len(), 7);
        assert_eq!(rest["edges"][0]["rank"], 51);
        assert_eq!(rest["pageInfo"]["hasNextPage"], false);
        // The count comes with the page's rows; past the end, without them.
        assert_eq!(rest["totalCount"], 57, "{rest}");
        let past = app.post(q, json!({ "after": rest["pageInfo"]["endCursor"] })).await;
        assert_eq!(past["data"]["trending"]["edges"].as_array().map(Vec::len), Some(0), "{past}");
        assert_eq!(past["data"]["trending"]["totalCount"], 57, "{past}");
        // Ranked and counted in one statement, then the page's works.
        let before = app.db.statement_count();
        app.post(q, json!({})).await;
        assert_eq!(app.db.statement_count() - before, 2);

        // A week later the same features count less; a window before them is empty.
        let later = app
            .post(r#"{ trending(date: "2026-04-28", days: 7, first: 1) { edges { score upvotes } } }"#, json!({}))
            .await;
        let e = &later["data"]["trending"]["edges"][0];
        assert!((e["score"].as_f64().unwrap() - (e["upvotes"].as_f64().unwrap() + 1.0) / 7.0).abs() < 1e-9, "{later}");
        let before = app.post(r#"{ trending(date: "2026-04-21", days: 7) { totalCount } }"#, json!({})).await;
        assert_eq!(before["data"]["trending"]["totalCount"], 0);

        for bad in [
            r#"{ trending(days: 0) { totalCount } }"#,
            r#"{ trending(days: 400) { totalCount } }"#,
            r#"{ trending(date: "22/04/2026") { totalCount } }"#,
        ] {
            let body = app.post(bad, json!({})).await;
            assert!(body["errors"].is_array(), "{bad}: {body}");
        }
        assert_eq!(code(&app.post(r#"{ trending(days: 0) { totalCount } }"#, json!({})).await), "BAD_USER_INPUT");
    })
    .await;
}

#[tokio::test]
async fn coauthor_path_goes_through_the_shared_coauthor() {
    for_each_db(|app| async move {
        let (james, eric, lajoie) = (
            author_id(&app, "james-hazelden").await,
            author_id(&app, "eric-shea-brown").await,
            author_id(&app, "guillaume-lajoie").await,
        );
        let q = "query($f: ID!, $t: ID!, $m: Int) { coauthorPath(from: $f, to: $t, maxLength: $m) { slug } }";
        let body = app.post(q, json!({ "f": james, "t": lajoie })).await;
        let slugs: Vec<&str> =
            body["data"]["coauthorPath"].as_array().unwrap().iter().map(|a| a["slug"].as_str().unwrap()).collect();
        assert_eq!(slugs, ["james-hazelden", "eric-shea-brown", "guillaume-lajoie"], "{body}");

        // Coauthors are found tied in one probe, before any expansion.
        app.db.start_capture();
        let body = app.post(q, json!({ "f": lajoie, "t": eric })).await;
        let sql: Vec<String> = app.db.take_captured().into_iter().map(|s| s.sql).collect();
        let slugs: Vec<&str> =
            body["data"]["coauthorPath"].as_array().unwrap().iter().map(|a| a["slug"].as_str().unwrap()).collect();
        assert_eq!(slugs, ["guillaume-lajoie", "eric-shea-brown"], "{body}");
        assert!(!sql.iter().any(|s| s.contains("DISTINCT")), "no coauthors expanded: {sql:#?}");
        // One author a side: any shared work answers, so nothing is sorted
        // and the databases stop at the first one.
        let probe = sql.iter().find(|s| s.contains("CROSS JOIN")).expect("a probe");
        assert!(!probe.contains("ORDER BY") && !probe.contains(" IN ("), "{probe}");

        // Too short a chain allowed: none.
        let body = app.post(q, json!({ "f": james, "t": lajoie, "m": 1 })).await;
        assert!(body["data"]["coauthorPath"].is_null(), "{body}");
        // Both ends the same author.
        let body = app.post(q, json!({ "f": eric, "t": eric })).await;
        assert_eq!(body["data"]["coauthorPath"], json!([{ "slug": "eric-shea-brown" }]));

        assert_eq!(code(&app.post(q, json!({ "f": james, "t": lajoie, "m": 0 })).await), "BAD_USER_INPUT");
        assert_eq!(code(&app.post(q, json!({ "f": james, "t": "nonsense" })).await), "BAD_USER_INPUT");
        let work = app.post("{ works(first: 1) { nodes { id } } }", json!({})).await;
        let work_id = work["data"]["works"]["nodes"][0]["id"].clone();
        assert_eq!(code(&app.post(q, json!({ "f": james, "t": work_id })).await), "BAD_USER_INPUT");
        let gone = eric.replace(|c: char| c.is_ascii_digit(), "9");
        let body = app.post(q, json!({ "f": gone, "t": eric })).await;
        assert!(matches!(code(&body), "NOT_FOUND" | "BAD_USER_INPUT"), "{body}");
    })
    .await;
}

#[tokio::test]
async fn related_works_share_authors_first() {
    for_each_db(|app| async move {
        let q = r#"{ author(slug: "eric-shea-brown") { works(first: 3) { nodes { id title
            authors { slug } related(first: 5) { id title authors { slug } } } } } }"#;
        let body = app.post(q, json!({})).await;
        let works = body["data"]["author"]["works"]["nodes"].as_array().unwrap_or_else(|| panic!("{body}"));
        for w in works {
            let related = w["related"].as_array().unwrap();
            assert!(!related.is_empty() && related.len() <= 5, "{w}");
            assert!(related.iter().all(|r| r["id"] != w["id"]), "a work is not related to itself");
            // Every work of the corpus here shares Eric Shea-Brown.
            let first = &related[0]["authors"];
            assert!(first.as_array().unwrap().iter().any(|a| a["slug"] == "eric-shea-brown"), "{w}");
        }
        let bad = app.post(r#"{ works(first: 1) { nodes { related(first: 0) { id } } } }"#, json!({})).await;
        assert_eq!(code(&bad), "BAD_USER_INPUT");
    })
    .await;
}

#[tokio::test]
async fn research_graph_of_a_profile() {
    for_each_db(|app| async move {
        let eric = author_id(&app, "eric-shea-brown").await;
        let q = "query($c: ID!, $d: Int, $l: Int) { researchGraph(center: $c, depth: $d, limit: $l) {
            center truncated nodes { id kind label weight } edges { source target kind weight } } }";
        let body = app.post(q, json!({ "c": eric, "l": 100 })).await;
        let g = &body["data"]["researchGraph"];
        assert_eq!(g["center"], json!(eric), "{body}");
        let nodes = g["nodes"].as_array().unwrap();
        assert_eq!(nodes[0]["id"], json!(eric));
        assert_eq!(nodes[0]["label"], "Eric Shea-Brown");
        let kinds: std::collections::HashSet<&str> = nodes.iter().map(|n| n["kind"].as_str().unwrap()).collect();
        for k in ["AUTHOR", "WORK", "TOPIC", "INSTITUTION"] {
            assert!(kinds.contains(k), "{k} missing: {kinds:?}");
        }
        assert_eq!(nodes.iter().filter(|n| n["kind"] == "WORK").count(), 18, "his 18 works");
        let ids: std::collections::HashSet<&Value> = nodes.iter().map(|n| &n["id"]).collect();
        let edges = g["edges"].as_array().unwrap();
        assert!(edges.iter().all(|e| ids.contains(&e["source"]) && ids.contains(&e["target"])));
        let edge_kinds: std::collections::HashSet<&str> = edges.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        for k in ["AUTHORED", "COAUTHOR", "HAS_TOPIC", "AFFILIATED"] {
            assert!(edge_kinds.contains(k), "{k} missing: {edge_kinds:?}");
        }
        // Strongest ties first: weights never rise after the center.
        let weights: Vec<f64> = nodes[1..].iter().map(|n| n["weight"].as_f64().unwrap()).collect();
        assert!(weights.windows(2).all(|w| w[0] >= w[1]), "{weights:?}");

        let cut = app.post(q, json!({ "c": eric, "l": 5 })).await;
        assert_eq!(cut["data"]["researchGraph"]["nodes"].as_array().unwrap().len(), 5);
        assert_eq!(cut["data"]["researchGraph"]["truncated"], true);
        let keys: std::collections::HashSet<String> =
            edges.iter().map(|e| format!("{} {} {}", e["source"], e["target"], e["kind"])).collect();
        assert_eq!(keys.len(), edges.len(), "each tie once");
        let deep = app.post(q, json!({ "c": eric, "d": 2, "l": 500 })).await;
        let deep = &deep["data"]["researchGraph"];
        assert!(deep["nodes"].as_array().unwrap().len() >= nodes.len(), "{deep}");
        assert!(deep["edges"].as_array().unwrap().len() > edges.len(), "ties among coauthors too");

        assert_eq!(code(&app.post(q, json!({ "c": eric, "d": 0 })).await), "BAD_USER_INPUT");
        assert_eq!(code(&app.post(q, json!({ "c": eric, "l": 0 })).await), "BAD_USER_INPUT");
        assert_eq!(code(&app.post(q, json!({ "c": "nonsense" })).await), "BAD_USER_INPUT");
        let venue = app.post("{ works(first: 1) { nodes { venue { id } } } }", json!({})).await;
        let venue = venue["data"]["works"]["nodes"][0]["venue"]["id"].clone();
        if !venue.is_null() {
            assert_eq!(code(&app.post(q, json!({ "c": venue })).await), "BAD_USER_INPUT");
        }
    })
    .await;
}

#[tokio::test]
async fn batch_lookups_by_external_id_keep_key_order() {
    for_each_db(|app| async move {
        import_openalex_fixture(&app, "openalex_work_W2741809807.json").await;
        let q = r#"{ worksByIds(dois: ["10.9999/unknown", "https://doi.org/10.7717/PEERJ.4375"], openalexIds: ["W2741809807"]) { title openalexId } }"#;
        let body = app.post(q, json!({})).await;
        let found = body["data"]["worksByIds"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(found.len(), 3);
        assert!(found[0].is_null());
        assert_eq!(found[1]["openalexId"], "W2741809807");
        assert_eq!(found[2], found[1]);

        let q = r#"{ authorsByIds(orcids: ["0000-0001-6187-6610", "0000-0002-1825-0097"]) { displayName } }"#;
        let body = app.post(q, json!({})).await;
        assert_eq!(body["data"]["authorsByIds"][0]["displayName"], "Jason Priem", "{body}");
        assert!(body["data"]["authorsByIds"][1].is_null());

        assert_eq!(code(&app.post(r#"{ worksByIds(dois: ["not a doi"]) { title } }"#, json!({})).await), "BAD_USER_INPUT");
        let many: Vec<String> = (0..101).map(|i| format!("W{}", 1000 + i)).collect();
        let body = app.post("query($k: [String!]) { worksByIds(openalexIds: $k) { title } }", json!({ "k": many })).await;
        assert_eq!(code(&body), "BAD_USER_INPUT");
    })
    .await;
}

#[tokio::test]
async fn facets_count_the_whole_filtered_list() {
    for_each_db(|app| async move {
        let eric = author_id(&app, "eric-shea-brown").await;
        let q = "query($a: ID) { works(first: 2, filter: {authorId: $a}) { totalCount facets {
            years { year count } types { type count } topics { topic { code } count }
            venues { venue { name } count } institutions { institution { name } count } } } }";
        let body = app.post(q, json!({ "a": eric })).await;
        let works = &body["data"]["works"];
        assert_eq!(works["totalCount"], 18, "{body}");
        let f = &works["facets"];
        let sum = |list: &Value| list.as_array().unwrap().iter().map(|b| b["count"].as_i64().unwrap()).sum::<i64>();
        assert!(sum(&f["years"]) <= 18 && sum(&f["years"]) > 0, "{f}");
        assert_eq!(sum(&f["types"]), 18, "every work has a type: {f}");
        let counts: Vec<i64> = f["years"].as_array().unwrap().iter().map(|b| b["count"].as_i64().unwrap()).collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "largest first: {counts:?}");
        assert!(f["topics"].as_array().unwrap().iter().any(|t| t["topic"]["code"] == "cs.LG"), "{f}");
        assert!(
            f["institutions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["institution"]["name"] == "University of Washington"),
            "{f}"
        );
        assert!(!f["venues"].as_array().unwrap().is_empty(), "{f}");

        let all = app
            .post(
                "{ works(first: 1) { totalCount facets { types { count } topics { topic { worksCount } count } } } }",
                json!({}),
            )
            .await;
        let total = all["data"]["works"]["totalCount"].as_i64().unwrap();
        assert_eq!(sum(&all["data"]["works"]["facets"]["types"]), total);
        // Unfiltered, a topic's count is its number of works.
        let topics = all["data"]["works"]["facets"]["topics"].as_array().unwrap();
        assert!(!topics.is_empty());
        for t in topics {
            assert_eq!(t["count"], t["topic"]["worksCount"], "{t}");
        }
        let nested = app
            .post(r#"{ author(slug: "eric-shea-brown") { works(first: 1) { facets { years { year } } } } }"#, json!({}))
            .await;
        assert!(nested["data"]["author"]["works"]["facets"].is_null(), "{nested}");
    })
    .await;
}

/// Windows of 1, 7 and 30 days are read from `trend_scores`: the same
/// pages as the ranking computed from featured days and upvotes, after
/// features on more days (two sources on one), upvotes here and a refresh
/// of just the works that changed.
#[tokio::test]
async fn stored_trending_is_the_computed_ranking() {
    use chrono::NaiveDate;
    use scholargraph::graphql::paging::Window;
    use scholargraph::graphql::types::trending::{Ranking, rank};
    use scholargraph::ingest::derive::{Scope, trends};
    for_each_db(|app| async move {
        let db = &app.db;
        let exec = |sql: String| async move { scholargraph::db::exec(&db.write, &sql, vec![]).await.unwrap() };
        exec("INSERT INTO accounts (handle, handle_key, password_hash) VALUES ('t', 't', 'x')".into()).await;
        let ids: Vec<i64> = scholargraph::db::ids(
            &db.read,
            "SELECT work_id AS id FROM work_features ORDER BY work_id LIMIT 12",
            vec![],
        )
        .await
        .unwrap();
        for (i, id) in ids.iter().enumerate() {
            let day = format!("2026-04-{:02}", 8 + i);
            exec(format!(
                "INSERT INTO work_features (work_id, featured_on, source, upvotes) VALUES ({id}, '{day}', 'other', {})",
                i * 5
            ))
            .await;
            if i % 3 == 0 {
                exec(format!(
                    "INSERT INTO upvotes (account_id, work_id, day) SELECT id, {id}, '2026-04-{:02}' FROM accounts",
                    20 + i / 3
                ))
                .await;
            }
        }
        trends(&db.write, Scope::Ids(&ids)).await.unwrap();
        let windows = [
            Window::Forward { after: 0, first: 10 },
            Window::Forward { after: 15, first: 10 },
            Window::Forward { after: 50, first: 50 },
        ];
        for end in ["2026-04-08", "2026-04-14", "2026-04-22", "2026-04-25", "2026-05-07", "2026-05-21", "2026-05-22"] {
            let end: NaiveDate = end.parse().unwrap();
            for days in [1, 7, 30] {
                for window in windows {
                    let stored = rank(&db, end, days, window, Ranking::Stored).await.unwrap();
                    let computed = rank(&db, end, days, window, Ranking::Computed).await.unwrap();
                    let what = format!("{end}, {days} days, {window:?}");
                    assert_eq!(stored.items.len(), computed.items.len(), "{what}");
                    for ((p, s), (q, c)) in stored.items.iter().zip(&computed.items) {
                        assert_eq!(
                            (p, s.work_id, s.upvotes, s.featured_on),
                            (q, c.work_id, c.upvotes, c.featured_on),
                            "{what}"
                        );
                        assert!((s.score - c.score).abs() < 1e-9, "{what}: {s:?} {c:?}");
                    }
                    assert_eq!(
                        (stored.has_next, stored.has_previous),
                        (computed.has_next, computed.has_previous),
                        "{what}"
                    );
                    let total = |p: &scholargraph::graphql::paging::Page<_>| p.total.clone();
                    let (s, c) = (
                        total(&stored).resolve(&db.read).await.unwrap(),
                        total(&computed).resolve(&db.read).await.unwrap(),
                    );
                    assert_eq!(s, c, "{what}");
                }
            }
        }
        // The works featured again were on the feed's day already.
        let day: NaiveDate = "2026-04-22".parse().unwrap();
        let month = rank(&db, day, 30, windows[0], Ranking::Stored).await.unwrap();
        assert_eq!(month.total.resolve(&db.read).await.unwrap(), 57);

        // A later import that changes a work's features refreshes its scores.
        let mut doc = scholargraph::demo::document().unwrap();
        let work = doc.works.iter_mut().find(|w| !w.features.is_empty()).unwrap();
        work.features[0].upvotes = Some(5_000);
        let title = work.title.clone();
        scholargraph::ingest::writer::write_document(db, &doc).await.unwrap();
        let id = scholargraph::db::one_id(&db.read, "SELECT id FROM works WHERE title = ?", vec![title.into()])
            .await
            .unwrap()
            .unwrap();
        let top = rank(&db, day, 7, windows[0], Ranking::Stored).await.unwrap();
        let computed = rank(&db, day, 7, windows[0], Ranking::Computed).await.unwrap();
        // (plus the upvotes given above, one per account)
        assert_eq!(top.items[0].1.work_id, id);
        assert!(top.items[0].1.upvotes >= 5_000, "{top:?}");
        let keys = |p: &scholargraph::graphql::paging::Page<_>| -> Vec<(i64, i32)> {
            p.items
                .iter()
                .map(|(_, r): &(i64, scholargraph::graphql::types::trending::Ranked)| (r.work_id, r.upvotes))
                .collect()
        };
        assert_eq!(keys(&top), keys(&computed));
    })
    .await;
}

/// Works selected with card fields only, in trending and in works lists,
/// are read as cards (no abstract, no identifiers) and answer as whole
/// rows do; `abstract`, wherever it is selected, reads whole rows.
#[tokio::test]
async fn works_read_as_cards_answer_as_whole_rows() {
    // Every card field, each name once at the top of the node's selection.
    let card = "__typename id title type publicationDate year venue { name } primaryTopic { code } \
                topics { code } authorCount authorships { position rawName } authors { slug } citedByCount \
                related(first: 2) { id } references(first: 2) { totalCount } citedBy(first: 2) { totalCount } \
                upvotes viewerHasUpvoted codeLinks";
    let mut named: Vec<&str> = card
        .split_whitespace()
        .scan(0i32, |depth, word| {
            let top = *depth == 0 && !word.starts_with(['{', '}']);
            *depth += word.matches(['{', '(']).count() as i32 - word.matches(['}', ')']).count() as i32;
            Some(top.then(|| word.split('(').next().unwrap_or(word)))
        })
        .flatten()
        .collect();
    named.sort_unstable();
    let mut fields = scholargraph::graphql::types::work::CARD_FIELDS.to_vec();
    fields.sort_unstable();
    assert_eq!(named, fields, "the test selects every card field");

    for_each_db(|app| async move {
        let app = &app;
        let trending = |node: &str, fragment: &str| {
            format!(
                r#"{{ trending(date: "2026-04-22", days: 1, first: 50) {{ edges {{ rank node {{ {node} }} }} }} }} {fragment}"#
            )
        };
        // Nested pages of works, as nodes and as edges.
        let lists = |node: &str, fragment: &str| {
            format!(
                r#"{{ authors(first: 12) {{ nodes {{ slug works(first: 6) {{ totalCount nodes {{ {node} }} }}
                      topics(first: 2) {{ topic {{ works(first: 3) {{ edges {{ cursor node {{ {node} }} }} }} }} }} }} }} }} {fragment}"#
            )
        };
        let run = |q: String| async move {
            let body = app.post(&q, json!({})).await;
            assert!(body.get("errors").is_none(), "{q}: {body}");
            body["data"].clone()
        };
        // Takes the abstracts out of whole rows: the values left must be the cards'.
        fn strip(value: &mut Value, abstracts: &mut usize) {
            match value {
                Value::Object(map) => {
                    if let Some(a) = map.remove("abstract") {
                        *abstracts += a.as_str().is_some_and(|a| a.len() > 100) as usize;
                    }
                    map.values_mut().for_each(|v| strip(v, abstracts));
                }
                Value::Array(items) => items.iter_mut().for_each(|v| strip(v, abstracts)),
                _ => {}
            }
        }
        for (name, query, least) in [("trending", &trending as &dyn Fn(&str, &str) -> String, 40), ("lists", &lists, 40)] {
            let as_cards = run(query(card, "")).await;
            let text = as_cards.to_string();
            assert!(text.contains("\"publicationDate\":\"") && text.contains("\"authorCount\":"), "{name}: {text}");
            for q in [
                query(&format!("{card} abstract"), ""),
                query(&format!("{card} ...A"), "fragment A on Work { abstract }"),
                query(&format!("{card} ... on Work {{ abstract }}"), ""),
            ] {
                let mut whole = run(q.clone()).await;
                let mut abstracts = 0;
                strip(&mut whole, &mut abstracts);
                assert!(abstracts >= least, "{name}: {abstracts} abstracts");
                assert_eq!(whole, as_cards, "{q}");
            }
        }
        let codes = run(trending("codeLinks", "")).await.to_string();
        assert!(codes.contains("[\"http"), "{codes}");
    })
    .await;
}
