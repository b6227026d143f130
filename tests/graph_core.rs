//! The read API (core contract) against the demo corpus, over HTTP, on
//! SQLite and on PostgreSQL, with the same answers from both.
mod common;

use common::{TestApp, for_each_db};
use serde_json::{Value, json};

const PROFILE: &str = r#"
query Profile($slug: String!) {
  author(slug: $slug) {
    id slug displayName givenName familyName headline openToCollaborate claimed viewerIsFollowing
    trust { score band verificationLevel components { name points detail } }
    currentAffiliation { name }
    metrics { worksCount citationCount hIndex i10Index topicsCount collaboratorsCount closeCollaboratorsCount followersCount }
    externalMetrics { name value source asOf }
    topics(first: 10) { topic { scheme code name } worksCount share }
    coauthors(first: 5, minSharedWorks: 2) { totalCount edges { sharedWorksCount firstYear lastYear node { slug displayName } } }
    works(first: 20) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage }
      nodes {
        id title abstract type year publicationDate authorCount codeLinks
        venue { name kind }
        primaryTopic { code }
        authorships { position rawName author { slug } institutions { shortName ror } }
      }
    }
  }
}"#;

fn titles(works: &Value) -> Vec<String> {
    works["nodes"].as_array().unwrap().iter().map(|w| w["title"].as_str().unwrap().to_owned()).collect()
}

async fn profile(app: &TestApp) -> Value {
    let body = app.post(PROFILE, json!({"slug": "eric-shea-brown"})).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["author"].clone()
}

#[tokio::test]
async fn profile_page_of_seed_000_is_one_query() {
    for_each_db(|app| async move {
        let a = profile(&app).await;
        assert_eq!(a["displayName"], "Eric Shea-Brown");
        assert_eq!(a["headline"], "Eric Shea-Brown contributes to research discovery and scholarly infrastructure.");
        assert_eq!(a["openToCollaborate"], true);
        assert_eq!(a["claimed"], false);
        assert_eq!(a["currentAffiliation"], Value::Null, "the page says: affiliation not imported");
        let m = &a["metrics"];
        assert_eq!(m["worksCount"], 18);
        assert_eq!(a["works"]["totalCount"], m["worksCount"], "metrics agree with the list they summarise");
        assert_eq!(m["topicsCount"], 3);
        assert_eq!(m["followersCount"], 0);
        assert_eq!(a["coauthors"]["totalCount"], m["closeCollaboratorsCount"]);
        let works = titles(&a["works"]);
        assert_eq!(works.len(), 18);
        assert_eq!(works[0], "State-Space NTK Collapse Near Bifurcations", "newest first");
        for title in [
            "The Global Empirical NTK: Self-Referential Bias and Dimensionality of Gradient Descent Learning",
            "Beyond accuracy: generalization properties of bio-plausible temporal credit assignment rules",
            "Biologically-plausible backpropagation through arbitrary timespans via local neuromodulators",
            "Firing rate of the leaky integrate-and-fire neuron with stochastic conductance-based synaptic inputs with short decay times",
            "Linking structure and activity in nonlinear spiking networks",
            "Network Dynamics Governed by Lyapunov Functions: From Memory to Classification",
        ] {
            assert!(works.iter().any(|t| t == title), "missing {title}");
        }
        let first = &a["works"]["nodes"][0];
        assert_eq!(first["type"], "PREPRINT");
        assert_eq!(first["year"], 2026);
        assert_eq!(first["venue"], json!({"name": "arXiv", "kind": "REPOSITORY"}));
        assert_eq!(first["authorships"][0]["rawName"], "James Hazelden");
        assert_eq!(first["authorships"][1]["author"]["slug"], "eric-shea-brown");
    })
    .await;
}

#[tokio::test]
async fn scholar_card_of_seed_001() {
    for_each_db(|app| async move {
        let a = profile(&app).await;
        let metric = |name: &str| {
            a["externalMetrics"].as_array().unwrap().iter().find(|m| m["name"] == name).cloned().unwrap_or(Value::Null)
        };
        assert_eq!(metric("h_index")["value"], 41.0);
        assert_eq!(metric("citations")["value"], 131.0);
        assert_eq!(metric("novelty")["value"], 0.53);
        assert_eq!(metric("ai_score")["value"], 54.0);
        assert!(metric("h_index")["source"].as_str().is_some_and(|s| !s.is_empty()));
        let codes: Vec<&str> =
            a["topics"].as_array().unwrap().iter().map(|t| t["topic"]["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["cs.LG", "cs.NE", "q-bio.NC"]);
        let works = a["works"]["nodes"].as_array().unwrap();
        let flatness = works
            .iter()
            .find(|w| w["title"].as_str().unwrap().starts_with("A simple connection from loss flatness"))
            .unwrap();
        assert_eq!(flatness["publicationDate"], "2023-10-03");
        assert_eq!(flatness["primaryTopic"]["code"], "cs.LG");
        let names: Vec<&str> =
            flatness["authorships"].as_array().unwrap().iter().map(|x| x["rawName"].as_str().unwrap()).collect();
        assert_eq!(names, ["Shirui Chen", "Stefano Recanatesi", "Eric Shea-Brown"]);
        assert_eq!(flatness["authorships"][2]["institutions"], json!([{"shortName": "UW", "ror": "00cvxb145"}]));
    })
    .await;
}

#[tokio::test]
async fn bibliography_of_seed_003_has_full_ordered_author_lists() {
    for_each_db(|app| async move {
        let q = r#"{ author(slug: "eric-shea-brown") { works(first: 50, orderBy: {field: TITLE, direction: ASC}) {
            nodes { title authorships { position author { givenName familyName } } } } } }"#;
        let body = app.post(q, json!({})).await;
        let works = body["data"]["author"]["works"]["nodes"].as_array().unwrap().clone();
        let dimensionality = works
            .iter()
            .find(|w| w["title"] == "Dimensionality compression and expansion in Deep Neural Networks")
            .unwrap();
        let cited: Vec<String> = dimensionality["authorships"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                format!(
                    "{}, {}",
                    a["author"]["familyName"].as_str().unwrap(),
                    a["author"]["givenName"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(
            cited,
            [
                "Recanatesi, Stefano",
                "Farrell, Matthew",
                "Advani, Madhu",
                "Moore, Timothy",
                "Lajoie, Guillaume",
                "Shea-Brown, Eric"
            ]
        );
        let positions: Vec<i64> =
            dimensionality["authorships"].as_array().unwrap().iter().map(|a| a["position"].as_i64().unwrap()).collect();
        assert_eq!(positions, [1, 2, 3, 4, 5, 6]);
        let sorted: Vec<String> = works.iter().map(|w| w["title"].as_str().unwrap().to_owned()).collect();
        let mut expected = sorted.clone();
        expected.sort();
        assert_eq!(sorted, expected);
    })
    .await;
}

#[tokio::test]
async fn trending_page_works_keep_author_counts_dates_and_code_links() {
    for_each_db(|app| async move {
        let q = r#"{ works(first: 100, filter: {yearFrom: 2018}) { totalCount nodes { title authorCount publicationDate codeLinks authorships { position } } } }"#;
        let body = app.post(q, json!({})).await;
        let works = body["data"]["works"]["nodes"].as_array().unwrap().clone();
        let curl = works.iter().find(|w| w["title"] == "Curl Descent: Non-Gradient Learning Dynamics with Sign-Diverse Plasticity").unwrap();
        assert_eq!(curl["authorCount"], 3);
        assert_eq!(curl["authorships"], json!([]), "names are not shown on the trending page");
        assert_eq!(curl["publicationDate"], "2025-10-03");
        let links: Vec<&str> = works.iter().flat_map(|w| w["codeLinks"].as_array().unwrap().iter().map(|l| l.as_str().unwrap())).collect();
        assert!(links.contains(&"https://github.com/vwOvOwv/DeepEISNN"), "{links:?}");
    })
    .await;
}

#[tokio::test]
async fn connections_page_forward_and_backward_with_opaque_cursors() {
    for_each_db(|app| async move {
        let page = |after: Option<String>| {
            let app = &app;
            async move {
                let q = r#"query($after: String) { author(slug: "eric-shea-brown") { works(first: 5, after: $after) {
                    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { title } } } } }"#;
                app.post(q, json!({"after": after})).await["data"]["author"]["works"].clone()
            }
        };
        let mut seen = Vec::new();
        let mut after = None;
        let mut pages = 0;
        loop {
            let p = page(after.clone()).await;
            pages += 1;
            assert_eq!(p["totalCount"], 18);
            assert_eq!(p["pageInfo"]["hasPreviousPage"], pages > 1);
            for e in p["edges"].as_array().unwrap() {
                seen.push(e["node"]["title"].as_str().unwrap().to_owned());
            }
            if p["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = p["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(pages, 4);
        assert_eq!(seen.len(), 18);
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 18, "no work twice across pages");

        // Top-level lists page backwards too.
        let q = r#"query($before: String) { works(last: 3, before: $before, orderBy: {field: TITLE, direction: ASC}) {
            totalCount pageInfo { hasNextPage hasPreviousPage startCursor } nodes { title } } }"#;
        let tail = app.post(q, json!({"before": null})).await["data"]["works"].clone();
        assert_eq!(tail["nodes"].as_array().unwrap().len(), 3);
        assert_eq!(tail["pageInfo"]["hasNextPage"], false);
        assert_eq!(tail["pageInfo"]["hasPreviousPage"], true);
        let before = tail["pageInfo"]["startCursor"].as_str().unwrap().to_owned();
        let prev = app.post(q, json!({"before": before})).await["data"]["works"].clone();
        assert_eq!(prev["nodes"].as_array().unwrap().len(), 3);
        assert_eq!(prev["pageInfo"]["hasNextPage"], true);
        let all = app.post(r#"{ works(first: 100, orderBy: {field: TITLE, direction: ASC}) { totalCount nodes { title } } }"#, json!({})).await;
        let all: Vec<Value> = all["data"]["works"]["nodes"].as_array().unwrap().clone();
        let n = all.len();
        assert_eq!(tail["nodes"].as_array().unwrap().as_slice(), &all[n - 3..]);
        assert_eq!(prev["nodes"].as_array().unwrap().as_slice(), &all[n - 6..n - 3]);
    })
    .await;
}

fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {body}"))
}

#[tokio::test]
async fn bad_input_is_a_clear_error_and_unknown_keys_are_null() {
    for_each_db(|app| async move {
        for (query, needle) in [
            (r#"{ works(first: 0) { totalCount } }"#, "between 1 and 100"),
            (r#"{ works(first: 101) { totalCount } }"#, "100"),
            (r#"{ authors(first: 5, last: 5) { totalCount } }"#, "not both"),
            (r#"{ works(after: "nope") { totalCount } }"#, "cursor"),
            (r#"{ node(id: "garbage") { id } }"#, "malformed id"),
            (r#"{ author(orcid: "0000-0002-1825-0098") { id } }"#, "ORCID"),
            (r#"{ work(doi: "not a doi") { id } }"#, "DOI"),
            (r#"{ author(slug: "a", orcid: "0000-0002-1825-0097") { id } }"#, "not several"),
            (r#"{ works(filter: {authorId: "V29yazox"}) { totalCount } }"#, "expected an Author"),
        ] {
            let body = app.post(query, json!({})).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{query}: {body}");
            let message = body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(needle), "{query}: {message}");
        }
        let body = app
            .post(r#"{ author(slug: "nobody") { id } work(arxivId: "2409.99999") { id } node(id: "QXV0aG9yOjk5OTk5") { id } }"#, json!({}))
            .await;
        assert_eq!(body["data"], json!({"author": null, "work": null, "node": null}));
        assert!(body["errors"].is_null(), "{body}");
    })
    .await;
}

#[tokio::test]
async fn every_entity_is_a_node() {
    for_each_db(|app| async move {
        let q = r#"{ author(slug: "eric-shea-brown") { id works(first: 1, filter: {yearFrom: 2023, yearTo: 2023}) { nodes { id venue { id } topics { id } authorships { institutions { id } } } } } }"#;
        let body = app.post(q, json!({})).await;
        let a = &body["data"]["author"];
        let w = &a["works"]["nodes"][0];
        let ids = [&a["id"], &w["id"], &w["venue"]["id"], &w["topics"][0]["id"]];
        let ids: Vec<&str> = ids.iter().map(|v| v.as_str().unwrap_or_else(|| panic!("{body}"))).collect();
        let q = r#"query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"#;
        let body = app.post(q, json!({"ids": ids})).await;
        let types: Vec<&str> = body["data"]["nodes"].as_array().unwrap().iter().map(|n| n["__typename"].as_str().unwrap()).collect();
        assert_eq!(types, ["Author", "Work", "Venue", "Topic"]);
        let uw = app.post(r#"{ institution(ror: "https://ror.org/00cvxb145") { id name authors(first: 5) { totalCount nodes { slug } } works(first: 3) { totalCount } } }"#, json!({})).await;
        let uw = &uw["data"]["institution"];
        assert_eq!(uw["name"], "University of Washington");
        assert!(uw["authors"]["nodes"].as_array().unwrap().iter().any(|n| n["slug"] == "eric-shea-brown"));
        assert_eq!(uw["works"]["totalCount"], 3);
        let back = app.post(r#"query($id: ID!) { node(id: $id) { ... on Institution { ror } } }"#, json!({"id": uw["id"]})).await;
        assert_eq!(back["data"]["node"]["ror"], "00cvxb145");
        let topic = app.post(r#"{ topic(code: "cs.LG") { name scheme worksCount works(first: 1) { totalCount } topAuthors(first: 1) { slug } } }"#, json!({})).await;
        let topic = &topic["data"]["topic"];
        assert_eq!(topic["scheme"], "ARXIV");
        assert_eq!(topic["worksCount"], topic["works"]["totalCount"]);
        assert_eq!(topic["topAuthors"][0]["slug"], "eric-shea-brown");
    })
    .await;
}

/// The statement count of a request grows with its depth, not its breadth.
#[tokio::test]
async fn statement_count_depends_on_depth_not_breadth() {
    for_each_db(|app| async move {
        let q = r#"query($n: Int!) { authors(first: $n, orderBy: {field: WORKS_COUNT, direction: DESC}) { nodes {
            works(first: 10) { nodes { authorships { author { topics { topic { code } } } } topics { code } venue { name } } } } } }"#;
        let mut counts = Vec::new();
        for n in [5, 50] {
            let before = app.db.statement_count();
            let body = app.post(q, json!({"n": n})).await;
            assert!(body.get("errors").is_none(), "{body}");
            counts.push(app.db.statement_count() - before);
        }
        eprintln!("statements for N=5 and N=50: {counts:?}");
        assert_eq!(counts[0], counts[1]);
        assert!(counts[0] <= 8, "{counts:?}");
    })
    .await;
}

/// Both databases give the same answers to the same queries.
#[tokio::test]
async fn sqlite_and_postgres_agree() {
    let Some(pg) = TestApp::postgres().await else { return };
    let lite = TestApp::sqlite().await;
    for q in [
        PROFILE,
        r#"{ works(first: 100, orderBy: {field: PUBLICATION_DATE, direction: ASC}) { totalCount nodes { title year publicationDate authorCount authorships { rawName } topics { code } } } }"#,
        r#"{ authors(first: 100, orderBy: {field: WORKS_COUNT, direction: DESC}) { totalCount nodes { slug metrics { worksCount collaboratorsCount closeCollaboratorsCount hIndex } } } }"#,
        r#"{ topics(first: 10) { nodes { code worksCount } } institutions(first: 5, filter: {nameContains: "washington"}) { nodes { name } } }"#,
    ] {
        let vars = json!({"slug": "eric-shea-brown"});
        // Data, not extensions: the cost budget left differs between the two.
        assert_eq!(lite.post(q, vars.clone()).await["data"], pg.post(q, vars).await["data"], "{q}");
    }
    pg.cleanup().await;
}

#[tokio::test]
async fn bibliography_page_is_one_query_with_bibtex_and_csl_json() {
    for_each_db(|app| async move {
        let q = r#"{ author(slug: "eric-shea-brown") { works(first: 50) { nodes { title bibtex cslJson } } } }"#;
        let body = app.post(q, json!({})).await;
        let works = body["data"]["author"]["works"]["nodes"].as_array().unwrap().clone();
        assert_eq!(works.len(), 18);
        let w = works.iter().find(|w| w["title"] == "Dimensionality compression and expansion in Deep Neural Networks").unwrap();
        let bib = w["bibtex"].as_str().unwrap();
        assert!(bib.starts_with("@misc{recanatesi2019dimensionality,"), "{bib}");
        assert!(
            bib.contains("author = {Recanatesi, Stefano and Farrell, Matthew and Advani, Madhu and Moore, Timothy and Lajoie, Guillaume and Shea-Brown, Eric}"),
            "{bib}"
        );
        assert_eq!(w["cslJson"]["author"][5], json!({"family": "Shea-Brown", "given": "Eric"}));
        assert_eq!(w["cslJson"]["issued"], json!({"date-parts": [[2019, 6, 2]]}));
        assert_eq!(w["cslJson"]["container-title"], "arXiv");
    })
    .await;
}

/// OpenAlex works of one author ("Hub Author") with 276 coauthors: work k
/// (year 2010 + k) shares it with coauthors 30k..30k+35, so neighbouring
/// works share six and coauthor 35 (on works 0 and 1) is on work 8 too.
fn hub_works() -> String {
    let author = |n: u32, name: String| json!({ "author": { "id": format!("https://openalex.org/A{n}"), "display_name": name } });
    let mut lines = String::new();
    for k in 0..9u32 {
        let mut authorships = vec![author(770_000, "Hub Author".to_owned())];
        authorships.extend((30 * k..30 * k + 36).map(|c| author(771_000 + c, format!("Coauthor {c}"))));
        if k == 8 {
            authorships.push(author(771_035, "Coauthor 35".to_owned()));
        }
        let work = json!({
            "id": format!("https://openalex.org/W77000{k}"),
            "title": format!("Hub work {k}"),
            "publication_year": 2010 + k,
            "authorships": authorships,
        });
        lines.push_str(&format!("{work}\n"));
    }
    lines
}

async fn import_hub(app: &TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hub.jsonl");
    std::fs::write(&file, hub_works()).unwrap();
    let format = scholargraph::ingest::formats::Format::OpenAlex;
    let files = [file.display().to_string()];
    let report = scholargraph::ingest::import::import(&app.db, format, &files, &Default::default()).await;
    assert_eq!(report.exit_code(), 0, "{}", report.summary());
}

/// A hub's research graph takes its coauthors from the first of its list
/// stored in `coauthor_tops` (when the cut per node is within them) and
/// comes out the same as when they are grouped from the pairs, at every
/// cut and depth; its coauthors come in the coauthor list's order.
#[tokio::test]
async fn a_hubs_research_graph_is_the_same_from_its_stored_coauthors() {
    for_each_db(|app| async move {
        import_hub(&app).await;
        let q = r#"query($c: ID!, $d: Int, $l: Int) { researchGraph(center: $c, depth: $d, limit: $l) {
            truncated nodes { id kind label weight } edges { source target kind weight } } }"#;
        let hub = app.post(r#"{ author(slug: "hub-author") { id } }"#, json!({})).await["data"]["author"]["id"].clone();
        let cuts = [(1, 2), (1, 10), (1, 49), (1, 100), (2, 30), (2, 100), (1, 300)];
        let graphs = || async {
            let mut out = Vec::new();
            for (d, l) in cuts {
                let body = app.post(q, json!({ "c": hub, "d": d, "l": l })).await;
                assert!(body.get("errors").is_none(), "{body}");
                out.push(body["data"]["researchGraph"].clone());
            }
            out
        };
        app.db.start_capture();
        let stored = graphs().await;
        let sql: Vec<String> = app.db.take_captured().into_iter().map(|s| s.sql).collect();
        assert!(sql.iter().any(|s| s.contains("FROM coauthor_tops")), "{sql:#?}");
        // The strongest coauthor (three shared works) first, then the
        // list's two-work coauthors, latest last year first.
        let labels: Vec<&str> =
            stored[1]["nodes"].as_array().unwrap().iter().map(|n| n["label"].as_str().unwrap()).collect();
        assert_eq!(labels[..2], ["Hub Author", "Coauthor 35"], "{labels:?}");
        let list = app
            .post(
                r#"{ author(slug: "hub-author") { coauthors(first: 10) { edges { node { displayName } } } } }"#,
                json!({}),
            )
            .await;
        let list: Vec<&str> = list["data"]["author"]["coauthors"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{list}"))
            .iter()
            .map(|e| e["node"]["displayName"].as_str().unwrap())
            .collect();
        // The cut keeps the center's ten strongest ties (the list's first
        // ten), of which the nine strongest nodes by weight, then id, stay.
        assert_eq!(labels.len(), 10);
        assert!(labels[1..].iter().all(|l| list.contains(l)), "{labels:?} within {list:?}");

        // Not a hub any more: every coauthor grouped from the pairs.
        let stmt = sea_orm::Statement::from_string(
            app.db.backend(),
            "UPDATE authors SET collaborators_count = 0 WHERE slug = 'hub-author'",
        );
        sea_orm::ConnectionTrait::execute_raw(&app.db.write, stmt).await.unwrap();
        assert_eq!(graphs().await, stored);
    })
    .await;
}

/// A classic (W880000, one author) cited by 30 later works, one author
/// each: its research graph reads only the citing works that can make the
/// cut per node, the first by id, and comes out as the uncut graph's
/// first nodes at every limit.
#[tokio::test]
async fn a_classics_research_graph_cuts_its_citing_works_by_id() {
    for_each_db(|app| async move {
        let work = |k: u32, cites: &[u32]| {
            let refs: Vec<String> = cites.iter().map(|c| format!("https://openalex.org/W{c}")).collect();
            let author = json!({ "author": { "id": format!("https://openalex.org/A88{k:04}"), "display_name": format!("Citer {k}") } });
            json!({
                "id": format!("https://openalex.org/W{}", 880_000 + k),
                "title": format!("Work {k}"),
                "publication_year": 2000 + k,
                "authorships": [author],
                "referenced_works": refs,
            })
        };
        let mut lines = format!("{}\n", work(0, &[]));
        for k in 1..=30 {
            lines.push_str(&format!("{}\n", work(k, &[880_000])));
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("classic.jsonl");
        std::fs::write(&file, lines).unwrap();
        let files = [file.display().to_string()];
        let format = scholargraph::ingest::formats::Format::OpenAlex;
        let report = scholargraph::ingest::import::import(&app.db, format, &files, &Default::default()).await;
        assert_eq!(report.exit_code(), 0, "{}", report.summary());

        let classic = app.post(r#"{ work(openalexId: "W880000") { id } }"#, json!({})).await["data"]["work"]["id"].clone();
        let q = r#"query($c: ID!, $l: Int) { researchGraph(center: $c, depth: 1, limit: $l) {
            truncated nodes { label } edges { source target kind } } }"#;
        let labels = |body: &Value| -> Vec<String> {
            assert!(body.get("errors").is_none(), "{body}");
            let nodes = body["data"]["researchGraph"]["nodes"].as_array().unwrap();
            nodes.iter().map(|n| n["label"].as_str().unwrap().to_owned()).collect()
        };
        let whole = labels(&app.post(q, json!({ "c": classic, "l": 100 })).await);
        assert_eq!(whole.len(), 32, "{whole:?}");
        assert_eq!(whole[..4], ["Work 0", "Citer 0", "Work 1", "Work 2"], "{whole:?}");
        for limit in [2, 3, 5, 17, 31] {
            let cut = app.post(q, json!({ "c": classic, "l": limit })).await;
            assert_eq!(labels(&cut), whole[..limit], "limit {limit}");
            assert_eq!(cut["data"]["researchGraph"]["truncated"], true, "limit {limit}");
        }
    })
    .await;
}

/// A hub's first coauthors are read from `coauthor_tops`, kept by the
/// incremental refresh and by the rebuild; its pages match the list grouped
/// from the pairs, which serves the pages beyond them.
#[tokio::test]
async fn a_hubs_first_coauthors_are_stored_and_match_the_grouped_list() {
    for_each_db(|app| async move {
        import_hub(&app).await;

        let q = r#"query($after: String, $first: Int, $min: Int) { author(slug: "hub-author") {
            metrics { collaboratorsCount closeCollaboratorsCount }
            coauthors(first: $first, after: $after, minSharedWorks: $min) { totalCount
              pageInfo { hasNextPage hasPreviousPage }
              edges { cursor sharedWorksCount firstYear lastYear node { slug } } } } }"#;
        let page = |first: i64, after: Option<&str>, min: i64| {
            let app = &app;
            let after = after.map(str::to_owned);
            async move {
                let body = app.post(q, json!({ "first": first, "after": after, "min": min })).await;
                assert!(body.get("errors").is_none(), "{body}");
                body["data"]["author"].clone()
            }
        };
        let tops = || async {
            let sql = "SELECT author_id, position, coauthor_id, shared_works_count, first_year, last_year \
                       FROM coauthor_tops ORDER BY author_id, position";
            let stmt = sea_orm::Statement::from_string(app.db.backend(), sql);
            let rows = sea_orm::ConnectionTrait::query_all_raw(&app.db.read, stmt).await.unwrap();
            rows.iter()
                .map(|r| {
                    let i = |c: &str| {
                        r.try_get::<Option<i64>>("", c)
                            .ok()
                            .flatten()
                            .or_else(|| r.try_get::<Option<i32>>("", c).ok().flatten().map(i64::from))
                    };
                    ["author_id", "position", "coauthor_id", "shared_works_count", "first_year", "last_year"].map(i)
                })
                .collect::<Vec<_>>()
        };

        app.db.start_capture();
        let first = page(8, None, 1).await;
        let sql: Vec<String> = app.db.take_captured().into_iter().map(|s| s.sql).collect();
        assert!(sql.iter().any(|s| s.contains("FROM coauthor_tops")), "{sql:#?}");
        assert!(!sql.iter().any(|s| s.contains("COUNT(DISTINCT")), "no pairs grouped: {sql:#?}");
        assert_eq!(first["metrics"]["collaboratorsCount"], 276);
        assert_eq!(first["metrics"]["closeCollaboratorsCount"], 48);
        let stored = tops().await;
        assert_eq!(stored.len(), 100, "the hub's first 100 coauthors are stored (and only the hub is a hub)");
        let c = &first["coauthors"];
        assert_eq!(c["totalCount"], 276);
        assert_eq!(c["pageInfo"]["hasNextPage"], true);
        assert_eq!(c["edges"][0]["node"]["slug"], "coauthor-35", "three shared works first");
        assert_eq!(c["edges"][0]["sharedWorksCount"], 3);
        assert_eq!(c["edges"][0]["firstYear"], 2010);
        assert_eq!(c["edges"][0]["lastYear"], 2018);
        // Then two shared works, the latest years first.
        assert_eq!(c["edges"][1]["sharedWorksCount"], 2);
        assert_eq!(c["edges"][1]["lastYear"], 2018);

        // Pages read from the table against the list grouped from the pairs
        // (a page reaching past the stored 100 is grouped).
        let one = c["edges"][0]["cursor"].as_str().unwrap().to_owned();
        for min in [1, 2] {
            let grouped = page(100, Some(&one), min).await;
            let grouped = grouped["coauthors"]["edges"].as_array().unwrap().clone();
            for (after, first) in [(1usize, 8i64), (40, 10), (90, 9)] {
                if after > grouped.len() {
                    continue;
                }
                let cursor =
                    if after == 1 { one.clone() } else { grouped[after - 2]["cursor"].as_str().unwrap().to_owned() };
                let read = page(first, Some(&cursor), min).await;
                let edges = read["coauthors"]["edges"].as_array().unwrap();
                let want: Vec<&Value> = grouped.iter().skip(after - 1).take(first as usize).collect();
                assert_eq!(edges.iter().collect::<Vec<_>>(), want, "min {min}, after {after}");
                let total = if min == 1 { 276 } else { 48 };
                assert_eq!(read["coauthors"]["totalCount"], total);
                assert_eq!(read["coauthors"]["pageInfo"]["hasPreviousPage"], true);
                assert_eq!(read["coauthors"]["pageInfo"]["hasNextPage"], (after as i64 + first) < total);
            }
        }

        // The rebuild (reindex) stores the same lists.
        scholargraph::ingest::derive::rebuild(&app.db).await.unwrap();
        assert_eq!(tops().await, stored);
    })
    .await;
}

/// A parent's nested page is the same whether it is loaded alone (one
/// `ORDER BY … LIMIT`) or beside other parents (one window over all of
/// them), with or without a filter, on the first page and after a cursor.
#[tokio::test]
async fn a_nested_page_alone_equals_it_among_other_parents() {
    for_each_db(|app| async move {
        let part = r#"works(first: 3, after: $after, filter: $filter) {
            totalCount pageInfo { hasNextPage hasPreviousPage } edges { cursor node { title } } }
            topics(first: 2) { topic { code } worksCount }"#;
        let cursor = app.post(r#"{ works(first: 1) { edges { cursor } } }"#, json!({})).await["data"]["works"]["edges"][0]
            ["cursor"]
            .clone();
        let many = format!(
            r#"query($after: String, $filter: WorkFilter) {{ authors(first: 8, orderBy: {{field: WORKS_COUNT, direction: DESC}}) {{
                nodes {{ slug {part} }} }} }}"#
        );
        let one = format!(r#"query($slug: String!, $after: String, $filter: WorkFilter) {{ author(slug: $slug) {{ slug {part} }} }}"#);
        for (after, filter) in [(Value::Null, Value::Null), (cursor.clone(), Value::Null), (cursor, json!({"yearFrom": 2015}))] {
            let vars = json!({"after": after, "filter": filter});
            let body = app.post(&many, vars.clone()).await;
            let nodes = body["data"]["authors"]["nodes"].as_array().unwrap_or_else(|| panic!("{body}")).clone();
            assert!(nodes.iter().any(|n| n["works"]["totalCount"].as_i64() > Some(4)), "{body}");
            for node in nodes {
                let mut vars = vars.clone();
                vars["slug"] = node["slug"].clone();
                let alone = app.post(&one, vars).await;
                assert_eq!(alone["data"]["author"], node, "{filter} after {after}");
            }
        }
    })
    .await;
}

/// Author topics keep their position in the author's list (most works
/// first, then topic id), written by the incremental refresh and by the
/// rebuild, which also renumbers a list numbered wrongly; `topics(first:)`
/// reads the first positions.
#[tokio::test]
async fn author_topics_keep_their_positions() {
    for_each_db(|app| async move {
        let app = &app;
        let misnumbered = || async move {
            let sql = "SELECT COUNT(*) AS n FROM author_topics p JOIN (SELECT author_id, topic_id, \
                       ROW_NUMBER() OVER (PARTITION BY author_id ORDER BY works_count DESC, topic_id) AS rn \
                       FROM author_topics) r ON r.author_id = p.author_id AND r.topic_id = p.topic_id \
                       WHERE p.position <> r.rn";
            let stmt = sea_orm::Statement::from_string(app.db.backend(), sql);
            let row = sea_orm::ConnectionTrait::query_one_raw(&app.db.read, stmt).await.unwrap().unwrap();
            row.try_get::<i64>("", "n").unwrap()
        };
        let exec = |sql: &'static str| async move {
            let stmt = sea_orm::Statement::from_string(app.db.backend(), sql);
            sea_orm::ConnectionTrait::execute_raw(&app.db.write, stmt).await.unwrap();
        };
        assert_eq!(misnumbered().await, 0, "as loaded");

        let q = r#"{ authors(first: 20, orderBy: {field: WORKS_COUNT, direction: DESC}) { nodes {
            few: topics(first: 1) { topic { code } worksCount } all: topics(first: 100) { topic { code } worksCount } } } }"#;
        let body = app.post(q, json!({})).await;
        let nodes = body["data"]["authors"]["nodes"].as_array().unwrap_or_else(|| panic!("{body}")).clone();
        assert!(nodes.iter().any(|n| n["all"].as_array().unwrap().len() > 1), "{body}");
        for n in &nodes {
            let all = n["all"].as_array().unwrap();
            let few: Vec<&Value> = all.iter().take(1).collect();
            assert_eq!(n["few"].as_array().unwrap().iter().collect::<Vec<_>>(), few);
            let counts: Vec<i64> = all.iter().map(|t| t["worksCount"].as_i64().unwrap()).collect();
            assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most works first: {counts:?}");
        }

        // The incremental refresh numbers the lists it writes.
        let ids: Vec<i64> = (1..=200).collect();
        scholargraph::ingest::derive::authors(&app.db.write, scholargraph::ingest::derive::Scope::Ids(&ids)).await.unwrap();
        assert_eq!(misnumbered().await, 0, "after a refresh");
        // The rebuild renumbers a list numbered wrongly.
        exec("UPDATE author_topics SET position = 0").await;
        assert!(misnumbered().await > 0);
        scholargraph::ingest::derive::rebuild(&app.db).await.unwrap();
        assert_eq!(misnumbered().await, 0, "after a rebuild");
        assert_eq!(app.post(q, json!({})).await["data"], body["data"]);
    })
    .await;
}

/// A work's authorships fetch their authors and institutions along when
/// the query asks for them, however it asks (fields, aliases, fragments),
/// and alone when it does not (inside a fragment on the work): the same
/// answers, in as many statements.
#[tokio::test]
async fn authorships_answer_alike_however_their_fields_are_selected() {
    for_each_db(|app| async move {
        let app = &app;
        let plain = r#"{ works(first: 50) { nodes { authorships { position author { slug } institutions { shortName } } } } }"#;
        let variants = [
            r#"{ works(first: 50) { nodes { authorships { position ...A } } } }
               fragment A on Authorship { author { slug } institutions { shortName } }"#,
            r#"{ works(first: 50) { nodes { authorships { position ... on Authorship { author { slug } } institutions { shortName } } } } }"#,
            r#"{ works(first: 50) { nodes { ...W } } }
               fragment W on Work { authorships { position author { slug } institutions { shortName } } }"#,
        ];
        let run = |q: &'static str| async move {
            let before = app.db.statement_count();
            let body = app.post(q, json!({})).await;
            assert!(body.get("errors").is_none(), "{body}");
            (body["data"].clone(), app.db.statement_count() - before)
        };
        let (expected, statements) = run(plain).await;
        let text = expected.to_string();
        assert!(text.contains("\"shortName\"") && text.matches("\"slug\"").count() > 20, "{expected}");
        for q in variants {
            assert_eq!(run(q).await, (expected.clone(), statements), "{q}");
        }
        let aliased = r#"{ works(first: 50) { nodes { authorships { position who: author { slug } at: institutions { shortName } } } } }"#;
        let (data, n) = run(aliased).await;
        let renamed = data.to_string().replace("\"who\"", "\"author\"").replace("\"at\"", "\"institutions\"");
        assert_eq!((serde_json::from_str::<Value>(&renamed).unwrap(), n), (expected, statements));
    })
    .await;
}

/// An authorship's author selected with card fields only (names, ids,
/// topics) is read beside its authorship, one statement fewer, and answers
/// as the whole author row does; any other field, wherever it is selected,
/// reads the whole row.
#[tokio::test]
async fn authorship_authors_read_as_cards_answer_as_whole_rows() {
    for_each_db(|app| async move {
        let app = &app;
        let card = "__typename id slug displayName givenName familyName orcid \
                    topics(first: 3) { topic { code } worksCount share }";
        let run = |q: String| async move {
            let before = app.db.statement_count();
            let body = app.post(&q, json!({})).await;
            assert!(body.get("errors").is_none(), "{body}");
            (body["data"].clone(), app.db.statement_count() - before)
        };
        let works = |author: &str, fragment: &str| {
            format!(
                "{{ works(first: 50) {{ nodes {{ authorships {{ position author {{ {author} }} }} }} }} }} {fragment}"
            )
        };
        let (as_card, card_statements) = run(works(card, "")).await;
        let text = as_card.to_string();
        assert!(text.matches("\"familyName\":\"").count() > 20 && text.contains("\"share\""), "{as_card}");

        let without_headline = |mut data: Value| {
            for work in data["works"]["nodes"].as_array_mut().unwrap() {
                for place in work["authorships"].as_array_mut().unwrap() {
                    if let Some(author) = place["author"].as_object_mut() {
                        assert!(author.remove("headline").is_some(), "{place}");
                    }
                }
            }
            data
        };
        let whole = [
            works(&format!("{card} headline"), ""),
            works(&format!("{card} ...H"), "fragment H on Author { headline }"),
            works(&format!("{card} ... on Author {{ headline }}"), ""),
        ];
        for q in whole {
            let (data, statements) = run(q.clone()).await;
            assert_eq!(without_headline(data), as_card, "{q}");
            assert_eq!(statements, card_statements + 1, "{q}");
        }
    })
    .await;
}

/// Authors' topics read for many authors at once (their links, then each
/// topic once) answer as those read for one author (joined to its links).
#[tokio::test]
async fn authors_topics_answer_alike_for_one_author_and_for_many() {
    for_each_db(|app| async move {
        let topics = "slug topics(first: 3) { topic { id code name } worksCount share }";
        let many = app.post(&format!("{{ authors(first: 40) {{ nodes {{ {topics} }} }} }}"), json!({})).await;
        let nodes = many["data"]["authors"]["nodes"].as_array().cloned().unwrap_or_default();
        assert!(nodes.len() > 16, "{many}");
        assert!(nodes.iter().filter(|n| n["topics"].as_array().is_some_and(|t| !t.is_empty())).count() > 5, "{many}");
        for node in nodes.iter().take(20) {
            let one = app
                .post(
                    &format!("query($slug: String!) {{ author(slug: $slug) {{ {topics} }} }}"),
                    json!({ "slug": node["slug"] }),
                )
                .await;
            assert_eq!(&one["data"]["author"], node, "{one}");
        }
    })
    .await;
}

/// Objects resolved lean (plain fields, plans made once per list, nested
/// plain objects) answer what async-graphql's own resolution answers: the
/// same requests through `execute` and on the schema with extensions.
#[tokio::test]
async fn lean_resolution_answers_what_async_graphql_answers() {
    use scholargraph::graphql::{SchemaLimits, build_schema, execute, request_data};
    let author = "__typename id slug displayName givenName familyName orcid openalexId headline homepage \
                  openToCollaborate claimed";
    let work = "__typename id title abstract publicationDate year doi arxivId openalexId url authorCount \
                citedByCount codeLinks";
    let topic = "__typename id code name worksCount";
    let institution = "id name shortName ror countryCode openalexId";
    let queries = [
        PROFILE.to_owned(),
        format!(
            "{{ authors(first: 12) {{ nodes {{ {author} topics(first: 5) {{ __typename worksCount share topic {{ {topic} }} \
               again: topic {{ name }} }} works(first: 6) {{ nodes {{ {work} topics {{ {topic} }} \
               authorships {{ position rawName isCorresponding author {{ {author} }} institutions {{ {institution} }} }} \
               partly: authorships {{ position author {{ slug topics(first: 2) {{ topic {{ name }} }} }} }} \
               ...on Work {{ authorships {{ author {{ displayName }} }} }} }} }} }} }} }}"
        ),
        format!(
            "{{ trending(date: \"2026-04-22\", days: 1, first: 50) {{ edges {{ cursor rank score upvotes featuredOn \
               node {{ {work} }} }} }} }}"
        ),
        // Authorships planned with their authors' topics read along: a page
        // size by a variable, and one out of bounds (an error, as resolved).
        "query($n: Int) { authors(first: 6) { nodes { works(first: 3) { nodes { authorships { position \
           author { slug topics(first: $n) { share topic { name } } } } } } } } }"
            .to_owned(),
        "{ authors(first: 2) { nodes { works(first: 2) { nodes { authorships { author { slug \
           topics(first: 0) { share } } } } } } } }"
            .to_owned(),
        // Not plain throughout: a topic's parent, an argument, an edge's work's venue.
        "{ authors(first: 5) { nodes { topics(first: 3) { topic { name parent { name } } } \
           works(first: 3) { nodes { authors(first: 2) { slug } venue { name } } } } } \
           trending(date: \"2026-04-22\", days: 1, first: 5) { edges { rank node { title venue { name } } } } }"
            .to_owned(),
    ];
    for_each_db(|app| {
        let queries = queries.clone();
        async move {
            let schema = build_schema(app.db.clone(), &SchemaLimits::default());
            for query in &queries {
                let variables = async_graphql::Variables::from_json(json!({ "slug": "eric-shea-brown", "n": 4 }));
                let request = || async_graphql::Request::new(query.as_str()).variables(variables.clone());
                let lean = execute(&schema, request(), &app.db).await;
                let stock = schema.full.execute(request().data(request_data(&app.db))).await;
                let erring = query.contains("first: 0");
                assert_eq!(stock.errors.is_empty(), !erring, "{query}: {:?}", stock.errors);
                let json = |r: &async_graphql::Response| serde_json::to_value(r).unwrap();
                assert_eq!(json(&lean), json(&stock), "{query}");
            }
        }
    })
    .await;
}

/// The topics of a work's authors, read along with its authorships (one
/// DataLoader request per work), answer as each author's read alone, for
/// the page size read along, another one, and one given by a variable.
#[tokio::test]
async fn authors_topics_read_along_with_authorships_answer_as_read_alone() {
    for_each_db(|app| async move {
        let topics = "slug topics(first: $n) { topic { id code name } worksCount share } two: topics(first: 2) { worksCount }";
        let query = format!(
            "query($n: Int) {{ authors(first: 8) {{ nodes {{ works(first: 4) {{ nodes {{ authorships {{ author {{ {topics} }} }} }} }} }} }} }}"
        );
        let along = app.post(&query, json!({ "n": 3 })).await;
        assert!(along.get("errors").is_none(), "{along}");
        let authors: Vec<Value> = along["data"]["authors"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|a| a["works"]["nodes"].as_array().cloned().unwrap_or_default())
            .flat_map(|w| w["authorships"].as_array().cloned().unwrap_or_default())
            .filter_map(|s| Some(s["author"].clone()).filter(|a| !a.is_null()))
            .collect();
        assert!(authors.len() > 10, "{along}");
        assert!(authors.iter().filter(|a| a["topics"].as_array().is_some_and(|t| !t.is_empty())).count() > 5, "{along}");
        for author in authors.iter().take(25) {
            let alone = app
                .post(&format!("query($slug: String!, $n: Int) {{ author(slug: $slug) {{ {topics} }} }}"), json!({ "slug": author["slug"], "n": 3 }))
                .await;
            assert_eq!(&alone["data"]["author"], author, "{alone}");
        }
    })
    .await;
}
