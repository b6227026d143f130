//! External identifiers are normalised on the way in and on lookup, so every
//! common spelling finds the same row, on both databases.
mod common;

use common::for_each_db;
use scholargraph::ingest::{Document, write_document};
use serde_json::json;

fn sample() -> Document {
    serde_json::from_value(json!({
        "institutions": [{"key": "um", "name": "University of Michigan", "ror": "https://ror.org/00JMFR291", "country_code": "us"}],
        "authors": [{"key": "jp", "display_name": "Jason Priem", "orcid": "https://orcid.org/0000-0001-6187-6610", "openalex_id": "https://openalex.org/A5023888391",
                     "affiliations": [{"institution": "um", "start_year": 2010, "end_year": null}]}],
        "works": [{"key": "oa", "title": "The state of OA", "type": "ARTICLE", "publication_date": "2018-02-13",
                   "doi": "https://doi.org/10.7717/PEERJ.4375", "arxiv_id": "arXiv:1705.00001v3", "openalex_id": "W2741809807",
                   "authorships": [{"position": 1, "raw_name": "Heather Piwowar"}, {"position": 2, "raw_name": "Jason Priem", "author": "jp", "institutions": ["um"]}]}]
    }))
    .unwrap()
}

#[tokio::test]
async fn every_spelling_of_an_id_finds_the_same_row() {
    for_each_db(|app| async move {
        write_document(&app.db, &sample()).await.unwrap();
        for doi in ["10.7717/peerj.4375", "https://doi.org/10.7717/PeerJ.4375", "doi:10.7717/PEERJ.4375", "http://dx.doi.org/10.7717/peerj.4375"] {
            let body = app.post("query($d: String) { work(doi: $d) { title doi arxivId openalexId } }", json!({"d": doi})).await;
            assert_eq!(
                body["data"]["work"],
                json!({"title": "The state of OA", "doi": "10.7717/peerj.4375", "arxivId": "1705.00001", "openalexId": "W2741809807"}),
                "{doi}"
            );
        }
        for arxiv in ["1705.00001", "arXiv:1705.00001v1", "https://arxiv.org/abs/1705.00001v3"] {
            let body = app.post("query($a: String) { work(arxivId: $a) { title } }", json!({"a": arxiv})).await;
            assert_eq!(body["data"]["work"]["title"], "The state of OA", "{arxiv}");
        }
        let body = app.post(r#"{ work(openalexId: "https://openalex.org/W2741809807") { authorCount authorships { rawName author { slug orcid } } } }"#, json!({})).await;
        assert_eq!(body["data"]["work"]["authorCount"], 2);
        assert_eq!(body["data"]["work"]["authorships"][1]["author"], json!({"slug": "jason-priem", "orcid": "0000-0001-6187-6610"}));
        for orcid in ["0000-0001-6187-6610", "https://orcid.org/0000-0001-6187-6610"] {
            let body = app.post("query($o: String) { author(orcid: $o) { displayName currentAffiliation { ror countryCode } affiliations { startYear endYear } } }", json!({"o": orcid})).await;
            assert_eq!(
                body["data"]["author"],
                json!({"displayName": "Jason Priem", "currentAffiliation": {"ror": "00jmfr291", "countryCode": "US"}, "affiliations": [{"startYear": 2010, "endYear": null}]})
            );
        }
        let body = app.post(r#"{ institution(ror: "00jmfr291") { name } }"#, json!({})).await;
        assert_eq!(body["data"]["institution"]["name"], "University of Michigan");

        // Importing the same records again changes nothing.
        let count = r#"{ works(first: 1) { totalCount } authors(first: 1) { totalCount } institutions(first: 1) { totalCount } }"#;
        let before = app.post(count, json!({})).await;
        write_document(&app.db, &sample()).await.unwrap();
        assert_eq!(app.post(count, json!({})).await, before);
    })
    .await;
}

#[tokio::test]
async fn a_bad_identifier_rejects_the_record_and_writes_nothing() {
    for_each_db(|app| async move {
        let mut doc = sample();
        doc.authors[0].orcid = Some("0000-0001-6187-6611".into());
        let err = write_document(&app.db, &doc).await.unwrap_err().to_string();
        assert!(err.contains("ORCID"), "{err}");
        let body = app
            .post(r#"{ work(doi: "10.7717/peerj.4375") { title } institution(ror: "00jmfr291") { name } }"#, json!({}))
            .await;
        assert_eq!(body["data"], json!({"work": null, "institution": null}), "the document lands whole or not at all");
    })
    .await;
}
