//! `import` on the real fixtures (tests/fixtures/real/), on SQLite and
//! PostgreSQL: what comes out through GraphQL, idempotence, merging, and bad
//! records reported, skipped and copied while the good ones land.
mod common;

use common::{TestApp, for_each_db};
use scholargraph::ingest::formats::Format;
use scholargraph::ingest::import::{ImportOptions, ImportReport, import};
use serde_json::{Value, json};

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/real/{name}", env!("CARGO_MANIFEST_DIR"))
}

async fn run(app: &TestApp, format: Format, files: &[String]) -> ImportReport {
    import(&app.db, format, files, &ImportOptions::default()).await
}

async fn counts(app: &TestApp) -> Value {
    let q = r#"{ works(first: 1) { totalCount } authors(first: 1) { totalCount } institutions(first: 1) { totalCount } topics(first: 1) { totalCount } }"#;
    app.post(q, json!({})).await["data"].clone()
}

#[tokio::test]
async fn openalex_work_and_author_merge_into_one_graph() {
    for_each_db(|app| async move {
        let files = [fixture("openalex_work_W2741809807.json"), fixture("openalex_author_A5023888391.json"), fixture("openalex_institution_I27837315.json")];
        let report = run(&app, Format::OpenAlex, &files).await;
        assert_eq!((report.read, report.rejected, report.exit_code()), (3, 0, 0), "{}", report.summary());

        let q = r#"{ work(doi: "https://doi.org/10.7717/peerj.4375") { title openalexId authorCount abstract venue { name kind }
              authorships { position rawName author { displayName orcid openalexId } institutions { name ror countryCode } } } }"#;
        let w = app.post(q, json!({})).await["data"]["work"].clone();
        assert_eq!(w["openalexId"], "W2741809807");
        assert_eq!(w["authorCount"], 9);
        assert!(w["abstract"].as_str().unwrap().starts_with("Despite growing interest in Open Access"), "{}", w["abstract"]);
        let priem = w["authorships"].as_array().unwrap().iter().find(|a| a["author"]["orcid"] == "0000-0001-6187-6610").unwrap();
        assert_eq!(priem["author"]["openalexId"], "A5023888391");

        // The author record and the authorship are one author, with the
        // author record's metrics and affiliations.
        let q = r#"{ author(orcid: "0000-0001-6187-6610") { displayName metrics { worksCount } externalMetrics { name value source }
              affiliations { institution { name } startYear endYear } works(first: 5) { totalCount } } }"#;
        let a = app.post(q, json!({})).await["data"]["author"].clone();
        assert_eq!(a["works"]["totalCount"], 1);
        assert_eq!(a["metrics"]["worksCount"], 1);
        let h = a["externalMetrics"].as_array().unwrap().iter().find(|m| m["name"] == "h_index").unwrap();
        assert_eq!((h["value"].as_f64(), h["source"].as_str()), (Some(17.0), Some("OpenAlex")));
        assert!(!a["affiliations"].as_array().unwrap().is_empty());
        let found = app.post(r#"{ authors(first: 5, filter: {nameContains: "priem"}) { totalCount } }"#, json!({})).await;
        assert_eq!(found["data"]["authors"]["totalCount"], 1, "one person is one author");

        let um = app.post(r#"{ institution(ror: "00jmfr291") { name countryCode } }"#, json!({})).await;
        assert_eq!(um["data"]["institution"]["countryCode"], "US");

        // Importing again changes nothing.
        let before = counts(&app).await;
        let again = run(&app, Format::OpenAlex, &files).await;
        assert_eq!(again.counts.works.created + again.counts.works.updated, 0, "{}", again.summary());
        assert_eq!(again.counts.authors.created + again.counts.authors.updated, 0, "{}", again.summary());
        assert_eq!(counts(&app).await, before);
    })
    .await;
}

#[tokio::test]
async fn a_citation_to_a_work_not_yet_imported_resolves_when_it_arrives() {
    for_each_db(|app| async move {
        let dir = tempfile::tempdir().unwrap();
        let citing = dir.path().join("citing.jsonl");
        let cited = dir.path().join("cited.jsonl");
        std::fs::write(&citing, r#"{"id": "https://openalex.org/W900001", "title": "Citing", "type": "article", "publication_year": 2024, "referenced_works": ["https://openalex.org/W900002"]}"#).unwrap();
        std::fs::write(&cited, r#"{"id": "https://openalex.org/W900002", "title": "Cited later", "type": "article", "publication_year": 2020}"#).unwrap();
        run(&app, Format::OpenAlex, &[citing.display().to_string()]).await;
        let q = r#"{ work(openalexId: "W900001") { references(first: 5) { totalCount nodes { title } } } }"#;
        assert_eq!(app.post(q, json!({})).await["data"]["work"]["references"]["totalCount"], 0);
        run(&app, Format::OpenAlex, &[cited.display().to_string()]).await;
        let body = app.post(q, json!({})).await;
        assert_eq!(body["data"]["work"]["references"]["nodes"], json!([{"title": "Cited later"}]));
        let cited_by = app.post(r#"{ work(openalexId: "W900002") { citedByCount citedBy(first: 5) { nodes { title } } } }"#, json!({})).await;
        assert_eq!(cited_by["data"]["work"], json!({"citedByCount": 1, "citedBy": {"nodes": [{"title": "Citing"}]}}));
    })
    .await;
}

#[tokio::test]
async fn arxiv_s2_and_bibtex_import() {
    for_each_db(|app| async move {
        let report = run(&app, Format::Arxiv, &[fixture("arxiv_metadata_oai_snapshot_first200.jsonl")]).await;
        assert_eq!((report.read, report.rejected, report.exit_code()), (200, 0, 0), "{}", report.summary());
        let w = app.post(r#"{ work(arxivId: "arXiv:0704.0001v2") { title type doi publicationDate topics { code scheme } venue { name } } }"#, json!({})).await;
        let w = &w["data"]["work"];
        assert_eq!(w["type"], "PREPRINT");
        assert_eq!(w["publicationDate"], "2007-04-02");
        assert_eq!(w["topics"][0], json!({"code": "hep-ph", "scheme": "ARXIV"}));

        let report = run(&app, Format::S2, &[fixture("s2_author_2262347_with_papers.json")]).await;
        assert_eq!((report.rejected, report.exit_code()), (0, 0), "{}", report.summary());
        let turing = app.post(r#"{ authors(first: 3, filter: {nameContains: "turing"}) { nodes { displayName metrics { worksCount } externalMetrics { name source } } } }"#, json!({})).await;
        let turing = &turing["data"]["authors"]["nodes"][0];
        assert!(turing["metrics"]["worksCount"].as_i64().unwrap() >= 50, "{turing}");
        assert!(turing["externalMetrics"].as_array().unwrap().iter().any(|m| m["source"] == "Semantic Scholar"));

        let bib = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(bib.path(), "@article{oa,\n  title = {The state of {OA}},\n  author = {Piwowar, Heather and Larivi{\\`e}re, Vincent},\n  year = {2018},\n  doi = {10.7717/peerj.4375}\n}\n").unwrap();
        let report = run(&app, Format::Bibtex, &[bib.path().display().to_string()]).await;
        assert_eq!(report.exit_code(), 0, "{}", report.summary());
        let w = app.post(r#"{ work(doi: "10.7717/peerj.4375") { authorships { rawName } } }"#, json!({})).await;
        assert_eq!(w["data"]["work"]["authorships"][1]["rawName"], "Vincent Larivière");
    })
    .await;
}

#[tokio::test]
async fn bad_records_are_reported_skipped_and_copied_while_good_ones_land() {
    for_each_db(|app| async move {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("mixed.jsonl");
        let rejects = dir.path().join("rejects.jsonl");
        let lines = [
            r#"{"id": "https://openalex.org/W910001", "title": "Good one", "type": "article", "publication_year": 2021}"#,
            r#"{"id": "https://openalex.org/W910002", "title": "Trunc"#,
            r#"{"id": "https://openalex.org/W910003", "type": "article"}"#,
            r#"{"id": "https://openalex.org/W910004", "title": 42, "type": "article"}"#,
            r#"{"id": "https://openalex.org/W910005", "title": "Bad DOI", "doi": "not-a-doi", "type": "article"}"#,
            r#"{"id": "https://openalex.org/W910006", "title": "Good two", "type": "article", "publication_year": 2022}"#,
        ];
        std::fs::write(&input, lines.join("\n")).unwrap();
        let file = input.display().to_string();
        let report = import(&app.db, Format::OpenAlex, &[file.clone()], &ImportOptions { rejects: Some(rejects.clone()), ..Default::default() }).await;
        assert_eq!((report.read, report.rejected, report.exit_code()), (6, 4, 3), "{}", report.summary());
        let copied: Vec<Value> = std::fs::read_to_string(&rejects).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let lines_rejected: Vec<i64> = copied.iter().map(|r| r["line"].as_i64().unwrap()).collect();
        assert_eq!(lines_rejected, [2, 3, 4, 5]);
        assert!(copied.iter().all(|r| r["file"] == file.as_str() && !r["reason"].as_str().unwrap().is_empty() && r["record"].is_string()));
        let titles = app.post(r#"{ a: work(openalexId: "W910001") { title } b: work(openalexId: "W910006") { title } c: work(openalexId: "W910005") { title } }"#, json!({})).await;
        assert_eq!(titles["data"], json!({"a": {"title": "Good one"}, "b": {"title": "Good two"}, "c": null}));

        // --strict stops at the first bad record and says what is in.
        let strict = import(&app.db, Format::OpenAlex, &[file.clone()], &ImportOptions { strict: true, ..Default::default() }).await;
        assert_eq!(strict.exit_code(), 1);
        let why = strict.stopped.unwrap();
        assert!(why.contains(&format!("{file}:2")) && why.contains("up to line 1"), "{why}");

        // An unreadable file is fatal and named.
        let missing = import(&app.db, Format::OpenAlex, &["/nonexistent/x.jsonl".to_owned()], &ImportOptions::default()).await;
        assert_eq!(missing.exit_code(), 1);
        assert!(missing.stopped.unwrap().contains("/nonexistent/x.jsonl"));
    })
    .await;
}

#[tokio::test]
async fn generated_works_import_in_whole_batches_with_consistent_metrics() {
    for_each_db(|app| async move {
        let dir = tempfile::tempdir().unwrap();
        let mut generated = Vec::new();
        scholargraph::ingest::generate::generate(2_500, 3, &mut generated).unwrap();
        let lines: Vec<&str> = std::str::from_utf8(&generated).unwrap().lines().collect();
        // The first part goes into an empty graph (indexes and keys set
        // aside, derived data rebuilt), the rest into a filled one (derived
        // data refreshed row by row).
        let schema = schema_objects(&app.db).await;
        let mut files = Vec::new();
        for (name, part) in [("first.jsonl", &lines[..1_500]), ("rest.jsonl", &lines[1_500..])] {
            let path = dir.path().join(name);
            std::fs::write(&path, part.join("\n")).unwrap();
            let report = run(&app, Format::OpenAlex, &[path.display().to_string()]).await;
            assert_eq!((report.rejected, report.split_batches, report.exit_code()), (0, 0, 0), "{} {:?}", report.summary(), report.stopped);
            assert_eq!(report.counts.works.created, part.len());
            assert_eq!(schema_objects(&app.db).await, schema, "every index and key is back after {name}");
            // Rebuilt whole after the first part, refreshed per author after the rest.
            let (off, rows) = author_institutions_off(&app.db).await;
            assert_eq!(off, 0, "author institutions after {name}");
            assert!(rows > 1_000, "{rows} author institutions after {name}");
            files.push(path.display().to_string());
        }

        // Metrics agree with the lists they summarise, for the most prolific authors.
        let q = r#"{ authors(first: 10, orderBy: {field: WORKS_COUNT, direction: DESC}) { nodes {
            metrics { worksCount citationCount hIndex collaboratorsCount }
            works(first: 100, orderBy: {field: CITED_BY_COUNT, direction: DESC}) { totalCount nodes { citedByCount citedBy(first: 1) { totalCount } } }
            coauthors(first: 1) { totalCount } } } }"#;
        let body = app.post(q, json!({})).await;
        // Those whose works fit on one page.
        let authors: Vec<&Value> = body["data"]["authors"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["works"]["totalCount"].as_i64().unwrap() <= 100)
            .collect();
        assert!(authors.len() >= 5, "{body}");
        for a in authors {
            let works = a["works"]["nodes"].as_array().unwrap();
            assert_eq!(a["metrics"]["worksCount"], a["works"]["totalCount"]);
            assert_eq!(a["metrics"]["collaboratorsCount"], a["coauthors"]["totalCount"]);
            let cites: Vec<i64> = works.iter().map(|w| w["citedByCount"].as_i64().unwrap()).collect();
            assert_eq!(a["metrics"]["citationCount"].as_i64().unwrap(), cites.iter().sum::<i64>());
            let h = cites.iter().enumerate().take_while(|(i, c)| **c > *i as i64).count();
            assert_eq!(a["metrics"]["hIndex"].as_i64().unwrap(), h as i64);
            for w in works {
                assert_eq!(w["citedByCount"], w["citedBy"]["totalCount"]);
            }
        }

        let again = run(&app, Format::OpenAlex, &files).await;
        assert_eq!(again.counts.works.unchanged, 2_500, "{}", again.summary());
        assert_eq!((again.counts.works.updated, again.counts.authors.created, again.counts.authors.updated), (0, 0, 0));

        // A rebuild from scratch (`reindex`) agrees with the incremental refresh.
        let q = r#"{ authors(first: 100, orderBy: {field: WORKS_COUNT, direction: DESC}) { nodes { slug
            metrics { worksCount citationCount hIndex i10Index collaboratorsCount closeCollaboratorsCount } } } }"#;
        let before = app.post(q, json!({})).await;
        scholargraph::ingest::derive::rebuild(&app.db).await.unwrap();
        assert_eq!(app.post(q, json!({})).await, before);
        assert_eq!(author_institutions_off(&app.db).await.0, 0);
    })
    .await;
}

/// An import into empty tables finds the rows it wrote in memory
/// (`ingest::known`); one into tables that hold other rows asks the
/// database. Both must make the same graph.
#[tokio::test]
async fn works_imported_into_an_empty_graph_or_beside_other_rows_come_out_the_same() {
    for_each_db(|app| async move {
        let dir = tempfile::tempdir().unwrap();
        let mut generated = Vec::new();
        // Three batches: authors, institutions and cited works recur across them.
        scholargraph::ingest::generate::generate(2_200, 5, &mut generated).unwrap();
        let file = dir.path().join("works.jsonl");
        std::fs::write(&file, &generated).unwrap();
        let file = file.display().to_string();

        // Beside other rows: the fixture fills every entity table and the citations.
        assert_eq!(run(&app, Format::OpenAlex, &[fixture("openalex_work_W2741809807.json")]).await.exit_code(), 0);
        let before = export_openalex(&app.db).await;
        assert!(!before.is_empty());
        let beside = run(&app, Format::OpenAlex, &[file.clone()]).await;
        assert_eq!(beside.exit_code(), 0, "{}", beside.summary());
        // The generated works' records, by id.
        let id = |line: &str| serde_json::from_str::<Value>(line).unwrap()["id"].as_str().map(str::to_owned);
        let ids: std::collections::HashSet<String> =
            std::str::from_utf8(&generated).unwrap().lines().filter_map(id).collect();
        let added: Vec<String> =
            export_openalex(&app.db).await.into_iter().filter(|l| id(l).is_some_and(|i| ids.contains(&i))).collect();
        assert_eq!(added.len(), 2_200, "{} before", before.len());

        let url = format!("sqlite://{}?mode=rwc", dir.path().join("empty.db").display());
        let empty = scholargraph::db::Db::connect(&url).await.unwrap();
        empty.migrate().await.unwrap();
        let alone = import(&empty, Format::OpenAlex, &[file.clone()], &ImportOptions::default()).await;
        assert_eq!(alone.exit_code(), 0, "{}", alone.summary());
        assert_eq!((alone.counts.works, alone.counts.authors), (beside.counts.works, beside.counts.authors));
        // The fixture's record gives some of the generated subfields a field
        // and a domain, and topics list in the order of their rows; the rest
        // must agree line for line.
        let strip = |lines: Vec<String>| -> Vec<Value> {
            lines
                .iter()
                .map(|l| {
                    let mut v: Value = serde_json::from_str(l).unwrap();
                    let Value::Object(work) = &mut v else { panic!("{l}") };
                    if let Some(Value::Array(topics)) = work.get_mut("topics") {
                        topics.sort_by_key(|t| t["id"].to_string());
                    }
                    for (name, t) in work.iter_mut() {
                        let topics = match (name.as_str(), t) {
                            ("topics", Value::Array(list)) => list.iter_mut().collect(),
                            ("primary_topic", t) => vec![t],
                            _ => Vec::new(),
                        };
                        for t in topics.into_iter().filter_map(Value::as_object_mut) {
                            t.remove("field");
                            t.remove("domain");
                        }
                    }
                    v
                })
                .collect()
        };
        assert_eq!(strip(export_openalex(&empty).await), strip(added));
        // And again, into what it wrote: nothing changes.
        let again = import(&empty, Format::OpenAlex, &[file], &ImportOptions::default()).await;
        assert_eq!((again.counts.works.unchanged, again.counts.created(), again.counts.updated()), (2_200, 0, 0));
    })
    .await;
}

/// How many indexes and foreign keys the database has, and how many wait
/// to be put back.
async fn schema_objects(db: &scholargraph::db::Db) -> (i64, i64, i64) {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let (indexes, keys) = match db.backend() {
        DbBackend::Postgres => (
            "SELECT COUNT(*) AS n FROM pg_indexes WHERE schemaname = current_schema()",
            "SELECT COUNT(*) AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
        ),
        _ => ("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'index'", "SELECT 0 AS n"),
    };
    let mut out = [0i64; 3];
    for (slot, sql) in out.iter_mut().zip([indexes, keys, "SELECT COUNT(*) AS n FROM deferred_schema"]) {
        let row = db.write.query_one_raw(Statement::from_string(db.backend(), sql)).await.unwrap().unwrap();
        *slot = row.try_get("", "n").unwrap();
    }
    (out[0], out[1], out[2])
}

#[tokio::test]
async fn indexes_and_keys_set_aside_by_a_killed_import_come_back_on_the_next_start() {
    for_each_db(|app| async move {
        let schema = schema_objects(&app.db).await;
        let set_aside = scholargraph::db::deferred::defer(&app.db).await.unwrap();
        assert!(set_aside >= 15, "{set_aside}");
        let (indexes, keys, waiting) = schema_objects(&app.db).await;
        assert_eq!(waiting as usize, set_aside);
        assert!(indexes < schema.0 && keys <= schema.1, "{indexes} {keys} against {schema:?}");
        // The import dies here; the next start migrates.
        app.db.migrate().await.unwrap();
        assert_eq!(schema_objects(&app.db).await, schema);
        // The graph still answers through them.
        let body = app
            .post(
                r#"{ authors(first: 3, orderBy: {field: WORKS_COUNT, direction: DESC}) { nodes { slug } } }"#,
                json!({}),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
    })
    .await;
}

/// Every work of a database as `export openalex` writes it, lines sorted.
async fn export_openalex(db: &scholargraph::db::Db) -> Vec<String> {
    use scholargraph::export::command::{ExportFormat, Selection, export};
    let mut out = Vec::new();
    export(db, ExportFormat::Openalex, &Selection::All, &mut out).await.unwrap();
    let mut lines: Vec<String> = String::from_utf8(out).unwrap().lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

#[tokio::test]
async fn export_openalex_reads_back_unchanged() {
    for_each_db(|app| async move {
        let files = [fixture("openalex_work_W2741809807.json"), fixture("openalex_author_A5023888391.json")];
        assert_eq!(run(&app, Format::OpenAlex, &files).await.exit_code(), 0);
        let lines = export_openalex(&app.db).await;
        let total = counts(&app).await["works"]["totalCount"].as_u64().unwrap();
        assert_eq!(lines.len() as u64, total, "every work, with or without an OpenAlex id");
        let peerj: Value = serde_json::from_str(lines.iter().find(|l| l.contains("W2741809807\"")).unwrap()).unwrap();
        assert_eq!(peerj["authorships"].as_array().unwrap().len(), 9);
        assert_eq!(peerj["authorships"][0]["author_position"], "first");
        assert_eq!(peerj["doi"], "https://doi.org/10.7717/peerj.4375");
        assert!(peerj["abstract_inverted_index"]["Despite"].is_array());
        assert!(!peerj["referenced_works"].as_array().unwrap().is_empty());

        // Into the same database: the records are what it holds.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("export.jsonl");
        std::fs::write(&file, lines.join("\n")).unwrap();
        let again = run(&app, Format::OpenAlex, &[file.display().to_string()]).await;
        assert_eq!(again.exit_code(), 0, "{} {:?}", again.summary(), again.stopped);
        assert_eq!((again.counts.works.created, again.counts.works.updated), (0, 0), "{}", again.summary());
        assert_eq!((again.counts.authors.created, again.counts.authors.updated), (0, 0), "{}", again.summary());

        // Into an empty database: the same graph comes out.
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("fresh.db").display());
        let fresh = scholargraph::db::Db::connect(&url).await.unwrap();
        fresh.migrate().await.unwrap();
        let report = import(&fresh, Format::OpenAlex, &[file.display().to_string()], &ImportOptions::default()).await;
        assert_eq!(report.exit_code(), 0, "{}", report.summary());
        assert_eq!(export_openalex(&fresh).await, lines);
    })
    .await;
}

/// Batches write through a transaction whose statements may run while the
/// batch goes on (db/pipe.rs): what they write is seen by later queries of
/// the same transaction, and a write that fails takes the whole transaction
/// down with it, however many writes were queued after it.
#[tokio::test]
async fn a_failed_queued_write_rolls_back_its_whole_transaction() {
    use scholargraph::db::{Pipe, Sink, ids, stmt};
    for_each_db(|app| async move {
        let db = &app.db.write;
        let backend = db.get_database_backend();
        let count = || async {
            ids(db, "SELECT COUNT(*) FROM derive_queue WHERE kind = 'pipe-test'", vec![]).await.expect("count")[0]
        };
        let insert = |id: i64| {
            stmt(backend, "INSERT INTO derive_queue (kind, item_id) VALUES ('pipe-test', ?)", vec![id.into()])
        };

        let pipe = Pipe::begin(db).await.expect("begin");
        for id in 1..=50 {
            pipe.send(insert(id)).await.expect("queued");
        }
        let seen = ids(&pipe, "SELECT COUNT(*) FROM derive_queue WHERE kind = 'pipe-test'", vec![]).await;
        assert_eq!(seen.expect("count in the transaction"), vec![50], "{}", app.backend());
        pipe.commit().await.expect("commit");
        assert_eq!(count().await, 50);

        // The duplicate fails when it runs: at once on SQLite, in the
        // transaction's task on PostgreSQL, reported by the commit.
        let pipe = Pipe::begin(db).await.expect("begin");
        let mut failed = false;
        for id in [51, 1].into_iter().chain(52..=60) {
            failed |= pipe.send(insert(id)).await.is_err();
        }
        match failed {
            true => pipe.rollback().await,
            false => failed = pipe.commit().await.is_err(),
        }
        assert!(failed, "{}: the failed write is reported", app.backend());
        assert_eq!(count().await, 50, "{}: nothing of the failed transaction is kept", app.backend());

        // The connection is usable again at once.
        let pipe = Pipe::begin(db).await.expect("begin after a failure");
        pipe.send(stmt(backend, "DELETE FROM derive_queue WHERE kind = 'pipe-test'", vec![])).await.expect("queued");
        pipe.commit().await.expect("commit");
        assert_eq!(count().await, 0);
    })
    .await;
}

/// An import that cannot write its rejects file stops before it sets any
/// index aside, even into an empty graph (it once left them to be put back
/// at the next start).
#[tokio::test]
async fn an_unwritable_rejects_file_stops_the_import_before_it_touches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("empty.db").display());
    let db = scholargraph::db::Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let before = schema_objects(&db).await;
    let options = ImportOptions { rejects: Some(dir.path().join("no/such/dir/rejects.jsonl")), ..Default::default() };
    let report = import(&db, Format::OpenAlex, &[fixture("openalex_work_W2741809807.json")], &options).await;
    assert_eq!(report.exit_code(), 1, "{}", report.summary());
    assert!(report.stopped.as_deref().is_some_and(|s| s.contains("rejects.jsonl")), "{:?}", report.stopped);
    assert_eq!(schema_objects(&db).await, before);
}

/// Namesakes are different authors with slugs of their own, whether they
/// meet in one batch (rows found in memory) or in a later import (rows found
/// in the database); a known author seen again keeps its slug.
#[tokio::test]
async fn namesakes_get_slugs_of_their_own_and_known_authors_keep_theirs() {
    for_each_db(|app| async move {
        let dir = tempfile::tempdir().unwrap();
        let works = dir.path().join("works.jsonl");
        let author = |id: &str| json!({"author": {"id": format!("https://openalex.org/{id}"), "display_name": "Ada Lovelace"}});
        let work = |id: &str, authors: Vec<serde_json::Value>| {
            json!({"id": format!("https://openalex.org/{id}"), "title": format!("Notes {id}"), "type": "article", "publication_year": 1843, "authorships": authors})
        };
        // An author already holds the form A910003 would take.
        let holder = json!({"author": {"display_name": "Augusta King", "slug": "ada-lovelace-a910003"}});
        let lines = [work("W910001", vec![author("A910001"), author("A910002")]), work("W910002", vec![author("A910001"), holder])];
        std::fs::write(&works, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
        let report = run(&app, Format::OpenAlex, &[works.display().to_string()]).await;
        assert_eq!((report.counts.authors.created, report.exit_code()), (3, 0), "{}", report.summary());

        let more = dir.path().join("more.jsonl");
        std::fs::write(&more, format!("{}\n", work("W910003", vec![author("A910003"), author("A910002")]))).unwrap();
        let report = run(&app, Format::OpenAlex, &[more.display().to_string()]).await;
        assert_eq!((report.counts.authors.created, report.exit_code()), (1, 0), "{}", report.summary());

        let report = run(&app, Format::OpenAlex, &[works.display().to_string()]).await;
        assert_eq!((report.counts.authors.created, report.counts.authors.updated), (0, 0), "{}", report.summary());
        let body = app.post(r#"{ authors(first: 10, filter: {nameContains: "lovelace"}) { nodes { slug } } }"#, json!({})).await;
        let mut slugs: Vec<String> = body["data"]["authors"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|n| n["slug"].as_str().unwrap().to_owned())
            .collect();
        slugs.sort();
        assert_eq!(slugs, ["ada-lovelace", "ada-lovelace-2", "ada-lovelace-a910002"]);
    })
    .await;
}

/// An OpenAlex work by author A1 on topic T1, published on `date`.
fn dated_work(id: u32, date: &str) -> String {
    json!({
        "id": format!("https://openalex.org/W{id}"), "title": format!("Work {id}"), "type": "article",
        "publication_date": date, "publication_year": date[..4].parse::<i32>().unwrap(),
        "authorships": [{ "author": { "id": "https://openalex.org/A1", "display_name": "Ada Dated" },
            "author_position": "first", "raw_author_name": "Ada Dated",
            "institutions": [{ "id": "https://openalex.org/I1", "display_name": "Dating Institute" }] }],
        "topics": [{ "id": "https://openalex.org/T1", "display_name": "Dating", "score": 0.9 }],
    })
    .to_string()
}

/// Rows of `author_institutions` missing, extra or miscounted against the
/// authorships they count, and the rows there are.
async fn author_institutions_off(db: &scholargraph::db::Db) -> (i64, i64) {
    use sea_orm::{ConnectionTrait, Statement};
    let grouped = "SELECT a.author_id, ai.institution_id, CAST(COUNT(*) AS INTEGER) AS n \
                   FROM authorships a JOIN authorship_institutions ai ON ai.authorship_id = a.id \
                   WHERE a.author_id IS NOT NULL GROUP BY a.author_id, ai.institution_id";
    let stored = "SELECT author_id, institution_id, authorships_count AS n FROM author_institutions";
    let count = |sql: String| async move {
        let row = db.read.query_one_raw(Statement::from_string(db.backend(), sql)).await.unwrap().unwrap();
        row.try_get::<i64>("", "n").unwrap()
    };
    let off = count(format!("SELECT COUNT(*) AS n FROM ({stored} EXCEPT {grouped}) d")).await
        + count(format!("SELECT COUNT(*) AS n FROM ({grouped} EXCEPT {stored}) d")).await;
    (off, count(format!("SELECT COUNT(*) AS n FROM ({stored}) d")).await)
}

/// Links whose copy of their work's date or year differs from the work's,
/// and institution links whose copy of their authorship's work does.
async fn stale_link_dates(db: &scholargraph::db::Db) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let mut n = 0;
    let institutions =
        "SELECT COUNT(*) AS n FROM authorship_institutions ai JOIN authorships a ON a.id = ai.authorship_id \
                        WHERE ai.work_id IS NULL OR ai.work_id <> a.work_id"
            .to_string();
    for table in ["authorships", "work_topics"] {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM {table} p JOIN works w ON w.id = p.work_id \
             WHERE NOT (p.work_date = w.publication_date OR (p.work_date IS NULL AND w.publication_date IS NULL)) \
                OR NOT (p.work_year = w.year OR (p.work_year IS NULL AND w.year IS NULL))"
        );
        let row = db.read.query_one_raw(Statement::from_string(db.backend(), sql)).await.unwrap().unwrap();
        n += row.try_get::<i64>("", "n").unwrap();
    }
    let row = db.read.query_one_raw(Statement::from_string(db.backend(), institutions)).await.unwrap().unwrap();
    n + row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn an_authors_and_a_topics_works_follow_a_changed_publication_date() {
    for_each_db(|app| async move {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, lines: &[String]| {
            let path = dir.path().join(name);
            std::fs::write(&path, lines.join("\n")).unwrap();
            path.display().to_string()
        };
        let order = || async {
            let q = r#"{ author(slug: "ada-dated") { works(first: 10) { nodes { title } } }
                        topic(code: "T1") { works(first: 10) { nodes { title } } } }"#;
            let body = app.post(q, json!({})).await;
            let data = &body["data"];
            let titles = |list: &Value| -> Vec<String> {
                list["works"]["nodes"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{body}"))
                    .iter()
                    .map(|n| n["title"].as_str().unwrap().to_owned())
                    .collect()
            };
            (titles(&data["author"]), titles(&data["topic"]))
        };
        let first = write(
            "first.jsonl",
            &[dated_work(1, "2020-01-01"), dated_work(2, "2021-01-01"), dated_work(3, "2019-06-01")],
        );
        assert_eq!(run(&app, Format::OpenAlex, &[first]).await.exit_code(), 0);
        let newest_first = vec!["Work 2".to_owned(), "Work 1".to_owned(), "Work 3".to_owned()];
        assert_eq!(order().await, (newest_first.clone(), newest_first));

        // Work 3 moves to 2022, its authorships and topics unchanged; work 4
        // arrives in the same batch.
        let second = write("second.jsonl", &[dated_work(3, "2022-02-02"), dated_work(4, "2020-06-01")]);
        let report = run(&app, Format::OpenAlex, &[second]).await;
        assert_eq!((report.counts.works.updated, report.counts.works.created), (1, 1), "{}", report.summary());
        let now = vec!["Work 3".to_owned(), "Work 2".to_owned(), "Work 4".to_owned(), "Work 1".to_owned()];
        assert_eq!(order().await, (now.clone(), now));
        assert_eq!(stale_link_dates(&app.db).await, 0);

        // Generated works, in batches, into a graph holding others.
        let mut generated = Vec::new();
        scholargraph::ingest::generate::generate(1_500, 9, &mut generated).unwrap();
        let file = dir.path().join("generated.jsonl");
        std::fs::write(&file, &generated).unwrap();
        assert_eq!(run(&app, Format::OpenAlex, &[file.display().to_string()]).await.exit_code(), 0);
        assert_eq!(stale_link_dates(&app.db).await, 0);
    })
    .await;
}
