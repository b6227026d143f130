//! The format parsers on real records (tests/fixtures/real/, see its README)
//! and on broken ones.
use std::io::{BufRead, Cursor, Write};

use chrono::NaiveDate;
use scholargraph::ingest::formats::{
    self, Format, Options, Record, RecordError, records, records_with_options, validate,
};
use scholargraph::ingest::model::Document;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/real/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn parse_file(format: Format, name: &str) -> Vec<Result<Record, RecordError>> {
    records(format, formats::open(&fixture(name)).unwrap()).collect()
}

fn parse_str(format: Format, text: &str) -> Vec<Result<Record, RecordError>> {
    let reader: Box<dyn BufRead + Send> = Box::new(Cursor::new(text.as_bytes().to_vec()));
    records(format, reader).collect()
}

/// The one record of a file, which must have parsed.
fn only(results: Vec<Result<Record, RecordError>>) -> Document {
    assert_eq!(results.len(), 1, "{results:?}");
    let rec = results.into_iter().next().unwrap().unwrap();
    assert_eq!(rec.line, 1);
    validate(&rec.doc).unwrap();
    rec.doc
}

/// (line, Ok(first work or author key) | Err(reason)) for each record.
fn outline(results: &[Result<Record, RecordError>]) -> Vec<(usize, Result<String, String>)> {
    results
        .iter()
        .map(|r| match r {
            Ok(rec) => {
                let d = &rec.doc;
                let key = d
                    .works
                    .first()
                    .map(|w| w.key.clone())
                    .or_else(|| d.authors.first().map(|a| a.key.clone()))
                    .or_else(|| d.institutions.first().map(|i| i.key.clone()))
                    .unwrap_or_default();
                (rec.line, Ok(key))
            }
            Err(e) => (e.line, Err(e.reason.clone())),
        })
        .collect()
}

#[test]
fn openalex_work() {
    let doc = only(parse_file(Format::OpenAlex, "openalex_work_W2741809807.json"));
    assert_eq!(doc.works.len(), 1);
    let w = &doc.works[0];
    assert_eq!(w.key, "W2741809807");
    assert_eq!(w.openalex_id.as_deref(), Some("W2741809807"));
    assert_eq!(w.title, "The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles");
    assert_eq!(w.doi.as_deref(), Some("10.7717/peerj.4375"));
    assert_eq!(w.url.as_deref(), Some("https://doi.org/10.7717/peerj.4375"));
    assert_eq!(w.work_type, "ARTICLE");
    assert_eq!(w.publication_date, NaiveDate::from_ymd_opt(2018, 2, 13));
    assert_eq!(w.year, Some(2018));
    assert!(
        w.r#abstract.as_deref().unwrap().starts_with(
            "Despite growing interest in Open Access (OA) to scholarly literature, there is an unmet need"
        )
    );
    assert_eq!(w.cites.len(), 45);
    assert!(w.cites.iter().all(|c| c.target.starts_with("openalex:W")));
    assert_eq!(w.cites[0].target, "openalex:W1560783210");

    // authorships: 9, in order, with authors and institutions
    let names: Vec<&str> = w.authorships.iter().map(|a| a.raw_name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "Heather Piwowar",
            "Jason Priem",
            "Vincent Larivière",
            "Juan Pablo Alperin",
            "Lisa Matthias",
            "Bree Norlander",
            "Ashley Farley",
            "Jevin West",
            "Stefanie Haustein"
        ]
    );
    assert_eq!(w.authorships.iter().map(|a| a.position).collect::<Vec<_>>(), (1..=9).collect::<Vec<_>>());
    assert_eq!(w.author_count, Some(9));
    let priem = &w.authorships[1];
    assert_eq!(priem.author.as_deref(), Some("A5023888391"));
    let author = doc.authors.iter().find(|a| a.key == "A5023888391").unwrap();
    assert_eq!(author.orcid.as_deref(), Some("0000-0001-6187-6610"));
    assert_eq!(author.display_name, "Jason Priem");
    assert_eq!((author.given_name.as_deref(), author.family_name.as_deref()), (Some("Jason"), Some("Priem")));
    assert_eq!(doc.authors.len(), 9);
    // the raw name is kept; the author record has the display name
    let west = doc.authors.iter().find(|a| a.key == "A5046879461").unwrap();
    assert_eq!(west.display_name, "Jevin D. West");
    assert_eq!(priem.institutions, vec!["I4210166736"]);
    let inst = doc.institutions.iter().find(|i| i.key == "I4210166736").unwrap();
    assert_eq!((inst.ror.as_deref(), inst.country_code.as_deref()), (Some("05ppvf150"), Some("US")));
    assert_eq!(w.authorships[2].institutions, vec!["I70931966", "I159129438"]);

    // venue, topics, keywords
    let venue = &doc.venues[0];
    assert_eq!(w.venue.as_deref(), Some(venue.key.as_str()));
    assert_eq!(
        (venue.name.as_str(), venue.kind.as_str(), venue.issn.as_deref(), venue.openalex_id.as_deref()),
        ("PeerJ", "JOURNAL", Some("2167-8359"), Some("S1983995261"))
    );
    assert_eq!(w.primary_topic.as_deref(), Some("T10102"));
    let topic = doc.topics.iter().find(|t| t.key == "T10102").unwrap();
    assert_eq!(
        (topic.scheme.as_str(), topic.code.as_deref(), topic.parent.as_deref()),
        ("OPENALEX", Some("T10102"), Some("subfields/1804"))
    );
    let subfield = doc.topics.iter().find(|t| t.key == "subfields/1804").unwrap();
    assert_eq!(
        (subfield.name.as_str(), subfield.parent.as_deref()),
        ("Statistics, Probability and Uncertainty", Some("fields/18"))
    );
    assert_eq!(&w.topics[..3], &["T10102", "T13607", "T11937"]);
    assert!(w.topics.contains(&"keyword:open-science".to_owned()));
    let kw = doc.topics.iter().find(|t| t.key == "keyword:open-science").unwrap();
    assert_eq!((kw.scheme.as_str(), kw.name.as_str()), ("KEYWORD", "Open Science"));
}

#[test]
fn openalex_author() {
    let doc = only(parse_file(Format::OpenAlex, "openalex_author_A5023888391.json"));
    assert!(doc.works.is_empty());
    let a = &doc.authors[0];
    assert_eq!(
        (a.key.as_str(), a.display_name.as_str(), a.orcid.as_deref(), a.openalex_id.as_deref()),
        ("A5023888391", "Jason Priem", Some("0000-0001-6187-6610"), Some("A5023888391"))
    );
    let metric = |name: &str| a.external_metrics.iter().find(|m| m.name == name).unwrap();
    assert_eq!(metric("h_index").value, 17.0);
    assert_eq!(metric("i10_index").value, 20.0);
    assert_eq!(metric("2yr_mean_citedness").value, 6.0);
    assert_eq!(metric("papers").value, 62.0);
    assert_eq!(metric("h_index").source.as_deref(), Some("OpenAlex"));
    assert_eq!(metric("h_index").as_of, NaiveDate::from_ymd_opt(2025, 6, 8));
    // years [2023, 2022, 2021, 2019]: the latest year of the record, so current
    let aff = |key: &str| a.affiliations.iter().find(|f| f.institution == key).unwrap();
    assert_eq!((aff("I4200000001").start_year, aff("I4200000001").end_year), (Some(2019), None));
    assert_eq!((aff("I114027177").start_year, aff("I114027177").end_year), (Some(2010), Some(2014)));
    assert_eq!(a.affiliations.len(), 8);
    let our = doc.institutions.iter().find(|i| i.key == "I4200000001").unwrap();
    assert_eq!(
        (our.name.as_str(), our.ror.as_deref(), our.country_code.as_deref()),
        ("OurResearch", Some("02nr0ka47"), Some("CA"))
    );
}

#[test]
fn openalex_institution() {
    let doc = only(parse_file(Format::OpenAlex, "openalex_institution_I27837315.json"));
    assert_eq!(doc.institutions.len(), 1);
    let i = &doc.institutions[0];
    assert_eq!(
        (
            i.key.as_str(),
            i.name.as_str(),
            i.ror.as_deref(),
            i.country_code.as_deref(),
            i.short_name.as_deref(),
            i.openalex_id.as_deref()
        ),
        ("I27837315", "University of Michigan", Some("00jmfr291"), Some("US"), Some("UM"), Some("I27837315"))
    );
}

#[test]
fn openalex_list_envelopes_and_json_lines() {
    let work = std::fs::read_to_string(fixture("openalex_work_W2741809807.json")).unwrap();
    let author = std::fs::read_to_string(fixture("openalex_author_A5023888391.json")).unwrap();
    let work_line = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&work).unwrap()).unwrap();
    let author_line = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&author).unwrap()).unwrap();

    // an API list response, pretty-printed: one record per result, at its line
    let envelope =
        format!("{{\n  \"meta\": {{\"count\": 2}},\n  \"results\": [\n    {work_line},\n    {author_line}\n  ]\n}}\n");
    let out = parse_str(Format::OpenAlex, &envelope);
    assert_eq!(outline(&out), vec![(4, Ok("W2741809807".into())), (5, Ok("A5023888391".into()))]);

    // a JSON array
    let array = format!("[{work_line}, {author_line}]");
    assert_eq!(parse_str(Format::OpenAlex, &array).len(), 2);

    // JSON lines with broken records between good ones
    let truncated = &work_line[..work_line.len() / 2];
    let wrong_type = work_line.replacen("\"publication_year\":2018", "\"publication_year\":\"2018\"", 1);
    let bad_doi = work_line.replacen("\"doi\":\"https://doi.org/10.7717/peerj.4375\"", "\"doi\":\"foo\"", 1);
    let no_title = r#"{"id": "https://openalex.org/W1", "display_name": null, "title": null}"#;
    let lines = [
        work_line.as_str(),
        truncated,
        "",
        author_line.as_str(),
        &wrong_type,
        &bad_doi,
        no_title,
        "[1, 2",
        work_line.as_str(),
    ]
    .join("\n");
    let out = parse_str(Format::OpenAlex, &lines);
    let summary = outline(&out);
    assert_eq!(summary[0], (1, Ok("W2741809807".into())));
    assert_eq!(summary[1].0, 2);
    assert!(summary[1].1.as_ref().unwrap_err().starts_with("invalid JSON: EOF while parsing"), "{:?}", summary[1]);
    assert_eq!(summary[2], (4, Ok("A5023888391".into())));
    assert_eq!(summary[3], (5, Err("\"publication_year\": expected an integer, found a string".into())));
    assert_eq!(summary[4], (6, Err("\"doi\": not a DOI: \"foo\" (expected 10.<prefix>/<suffix>)".into())));
    assert_eq!(summary[5], (7, Err("missing \"title\"".into())));
    assert_eq!(summary[6].0, 8);
    assert!(summary[6].1.is_err());
    assert_eq!(summary[7], (9, Ok("W2741809807".into())));
    assert_eq!(summary.len(), 8);
    // the raw text of a rejected record is the offending line
    let Err(e) = &out[1] else { panic!() };
    assert_eq!(e.raw, truncated);
}

#[test]
fn arxiv_snapshot() {
    let out = parse_file(Format::Arxiv, "arxiv_metadata_oai_snapshot_first200.jsonl");
    assert_eq!(out.len(), 200);
    let docs: Vec<&Record> = out.iter().map(|r| r.as_ref().unwrap()).collect();
    assert_eq!(docs.iter().map(|r| r.line).collect::<Vec<_>>(), (1..=200).collect::<Vec<_>>());
    for r in &docs {
        validate(&r.doc).unwrap();
        let w = &r.doc.works[0];
        assert_eq!(w.work_type, "PREPRINT");
        assert_eq!(w.venue.as_deref(), Some("arxiv"));
        assert_eq!(w.author_count, Some(w.authorships.len() as i32));
        assert!(w.authorships.iter().all(|a| a.author.is_none()));
        assert!(r.doc.authors.is_empty());
    }
    let first = &docs[0].doc.works[0];
    assert_eq!(first.arxiv_id.as_deref(), Some("0704.0001"));
    assert_eq!(first.title, "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies");
    assert_eq!(first.publication_date, NaiveDate::from_ymd_opt(2007, 4, 2));
    assert_eq!(first.year, Some(2007));
    assert_eq!(first.doi.as_deref(), Some("10.1103/physrevd.76.013009"));
    assert_eq!(first.topics, vec!["hep-ph"]);
    assert_eq!(first.primary_topic.as_deref(), Some("hep-ph"));
    assert_eq!(docs[0].doc.topics[0].name, "High Energy Physics - Phenomenology");
    assert!(
        first
            .r#abstract
            .as_deref()
            .unwrap()
            .starts_with("A fully differential calculation in perturbative quantum chromodynamics is presented for")
    );
    assert_eq!(
        first.authorships.iter().map(|a| a.raw_name.as_str()).collect::<Vec<_>>(),
        vec!["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    );

    let by_id = |id: &str| &docs.iter().find(|r| r.doc.works[0].key == id).unwrap().doc;
    let second = by_id("0704.0002");
    assert_eq!(second.works[0].topics, vec!["math.CO", "cs.CG"]);
    assert_eq!(second.works[0].primary_topic.as_deref(), Some("math.CO"));
    assert_eq!(second.topics[1].name, "Computational Geometry");
    assert_eq!(second.works[0].publication_date, NaiveDate::from_ymd_opt(2007, 3, 31));
    // LaTeX in names (from `authors_parsed`) and titles
    let names = |id: &str| by_id(id).works[0].authorships.iter().map(|a| a.raw_name.clone()).collect::<Vec<_>>();
    assert_eq!(names("0704.0062"), vec!["Rastislav Šrámek", "Broňa Brejová", "Tomáš Vinař"]);
    assert_eq!(names("0704.0049"), vec!["Mikkel Øbro"]);
    assert_eq!(
        by_id("0704.0019").works[0].title,
        "Approximation for extinction probability of the contact process based on the Gröbner basis"
    );
    assert_eq!(by_id("0704.0005").works[0].title, r"From dyadic $\Lambda_{\alpha}$ to $\Lambda_{\alpha}$");
}

#[test]
fn arxiv_broken_lines() {
    let text = std::fs::read_to_string(fixture("arxiv_metadata_oai_snapshot_first200.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().take(3).collect();
    let no_title = lines[1].replacen("\"title\":\"Sparsity-certifying Graph Decompositions\"", "\"title\":\"\"", 1);
    let bad_id = lines[1].replacen("\"id\":\"0704.0002\"", "\"id\":\"junk\"", 1);
    let wrong = lines[1].replacen("\"versions\":[", "\"versions\":[3,", 1);
    let input = [lines[0], &lines[1][..100], &no_title, &bad_id, &wrong, "not json", lines[2]].join("\n");
    let out = outline(&parse_str(Format::Arxiv, &input));
    assert_eq!(out[0], (1, Ok("0704.0001".into())));
    assert_eq!(out[1].0, 2);
    assert!(
        out[1].1.as_ref().unwrap_err().starts_with("invalid JSON: EOF while parsing a string at column"),
        "{:?}",
        out[1]
    );
    assert_eq!(out[2], (3, Err("missing \"title\"".into())));
    assert_eq!(out[3], (4, Err("\"id\": not an arXiv id: \"junk\"".into())));
    assert_eq!(out[4], (5, Err("\"versions[0]\": expected an object, found a number".into())));
    assert_eq!(out[5].0, 6);
    assert!(out[5].1.as_ref().unwrap_err().starts_with("invalid JSON: expected"), "{:?}", out[5]);
    assert_eq!(out[6], (7, Ok("0704.0003".into())));
}

#[test]
fn s2_author_with_papers() {
    let doc = only(parse_file(Format::S2, "s2_author_2262347_with_papers.json"));
    let a = &doc.authors[0];
    assert_eq!(
        (a.key.as_str(), a.s2_id.as_deref(), a.display_name.as_str()),
        ("2262347", Some("2262347"), "A. Turing")
    );
    let metric = |name: &str| a.external_metrics.iter().find(|m| m.name == name).unwrap();
    assert_eq!((metric("h_index").value, metric("papers").value, metric("citations").value), (23.0, 60.0, 12415.0));
    assert_eq!(metric("h_index").source.as_deref(), Some("Semantic Scholar"));
    assert_eq!(doc.works.len(), 60);
    assert!(doc.works.iter().all(|w| { w.authorships.iter().any(|x| x.author.as_deref() == Some("2262347")) }));
    assert!(doc.works.iter().all(|w| w.s2_id.as_deref() == Some(w.key.as_str())));
    let logic = doc.works.iter().find(|w| w.title == "Systems of Logic Based on Ordinals").unwrap();
    assert_eq!(logic.doi.as_deref(), Some("10.1016/b978-044450423-4/50007-3"));
    assert_eq!(logic.publication_date, NaiveDate::from_ymd_opt(2012, 12, 31));
    assert_eq!(logic.topics, vec!["keyword:computer-science", "keyword:mathematics"]);
    assert!(doc.works.iter().any(|w| w.work_type == "ARTICLE"));
}

const CITED: &str = "s2:649def34f8be52c8b66281af98ae884c09aef38b";

#[test]
fn s2_citation_contexts() {
    let file = || formats::open(&fixture("s2_citation_with_contexts.json")).unwrap();
    // without the cited paper the edge is rejected, not silently stripped
    let out: Vec<_> = records(Format::S2, file()).collect();
    assert!(out[0].as_ref().unwrap_err().reason.contains("cited paper"));

    let options = Options { cited: Some(CITED.into()) };
    let out: Vec<_> = records_with_options(Format::S2, file(), options).collect();
    let doc = only(out);
    let w = &doc.works[0];
    assert_eq!(w.key, "bdcbc589c8d1e4dd0c6572630f8511557406ad2f");
    assert_eq!(w.title, "Learning to Throw With a Handful of Samples Using Decision Transformers");
    assert_eq!(w.doi.as_deref(), Some("10.1109/lra.2022.3229266"));
    assert_eq!(w.work_type, "ARTICLE");
    assert_eq!(
        w.authorships.iter().map(|a| a.raw_name.as_str()).collect::<Vec<_>>(),
        vec!["M. Monastirsky", "Osher Azulay", "A. Sintov"]
    );
    assert_eq!(doc.venues[0].name, "IEEE Robotics and Automation Letters");
    assert_eq!(doc.venues[0].kind, "JOURNAL");
    assert_eq!(w.cites.len(), 1);
    let c = &w.cites[0];
    assert_eq!(c.target, CITED);
    assert_eq!(c.contexts.len(), 4);
    assert_eq!(c.contexts[0], "RP is implemented by fixing the release position at a fixed angle of 45◦ as in [4].");
    assert_eq!(c.intents, vec!["result", "background", "methodology"]);
    assert_eq!(c.is_influential, Some(true));

    // the cited paper may be given as a DOI too; a bad one is reported
    let options = Options { cited: Some("https://doi.org/10.1109/LRA.2018.1".into()) };
    let doc = only(records_with_options(Format::S2, file(), options).collect());
    assert_eq!(doc.works[0].cites[0].target, "doi:10.1109/lra.2018.1");
    let options = Options { cited: Some("nonsense".into()) };
    let out: Vec<_> = records_with_options(Format::S2, file(), options).collect();
    assert!(out[0].as_ref().unwrap_err().reason.contains("nonsense"));
}

#[test]
fn s2_envelopes_and_broken_records() {
    let edge = std::fs::read_to_string(fixture("s2_citation_with_contexts.json")).unwrap();
    let edge = edge.trim();
    let data = format!("{{\"offset\": 0, \"next\": 2, \"data\": [{edge}, {edge}]}}");
    let reader: Box<dyn BufRead + Send> = Box::new(Cursor::new(data.into_bytes()));
    let out: Vec<_> = records_with_options(Format::S2, reader, Options { cited: Some(CITED.into()) }).collect();
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|r| r.is_ok()));

    let lines = [
        r#"{"paperId": "aa11", "title": "Good", "year": 2020, "authors": [{"authorId": "1", "name": "A. B"}]}"#,
        r#"{"paperId": "aa12", "title": "Bad DOI", "externalIds": {"DOI": "10.1234"}}"#,
        r#"{"paperId": "aa13"}"#,
        r#"{"paperId": "aa14", "title": "Wrong", "authors": {"name": "x"}}"#,
        r#"{"authorId": "7", "name": "C. D", "externalIds": {"ORCID": "0000-0002-1825-0097"}, "hIndex": 3}"#,
        r#"{"paperId": "aa15", "title": "Trunc"#,
        r#"{"paperId": "aa16", "title": "Good too", "references": [{"paperId": "bb1"}, {"paperId": null, "externalIds": {"ArXiv": "2409.14623"}}]}"#,
    ]
    .join("\n");
    let out = parse_str(Format::S2, &lines);
    let summary = outline(&out);
    assert_eq!(summary[0], (1, Ok("aa11".into())));
    assert_eq!(
        summary[1],
        (2, Err("\"externalIds.DOI\": not a DOI: \"10.1234\" (expected 10.<prefix>/<suffix>)".into()))
    );
    assert_eq!(summary[2], (3, Err("missing \"title\"".into())));
    assert_eq!(summary[3], (4, Err("\"authors\": expected an array, found an object".into())));
    assert_eq!(summary[4], (5, Ok("7".into())));
    assert_eq!(summary[5].0, 6);
    assert!(summary[5].1.is_err());
    assert_eq!(summary[6], (7, Ok("aa16".into())));
    let Ok(author) = &out[4] else { panic!() };
    assert_eq!(author.doc.authors[0].orcid.as_deref(), Some("0000-0002-1825-0097"));
    let Ok(refs) = &out[6] else { panic!() };
    assert_eq!(
        refs.doc.works[0].cites.iter().map(|c| c.target.as_str()).collect::<Vec<_>>(),
        vec!["s2:bb1", "arxiv:2409.14623"]
    );
}

#[test]
fn bibtex_entries() {
    let bib = r#"@article{priem2018,
  title = {The state of {OA}: a large-scale analysis of the prevalence and impact of {Open Access} articles},
  author = {Piwowar, Heather and Priem, Jason and Larivi{\`e}re, Vincent and Alperin, Juan Pablo},
  journal = {PeerJ},
  volume = {6}, pages = {e4375}, year = {2018},
  doi = {10.7717/peerj.4375},
  keywords = {open access; scholarly communication}
}

@inproceedings{vaswani2017attention,
  title={Attention is all you need},
  author={Vaswani, Ashish and Shazeer, Noam and others},
  booktitle={Advances in Neural Information Processing Systems},
  year={2017}
}
@article{broken,
  title = {No DOI},
  doi = {not-a-doi}
}
@misc{balazs2007, title = "Calculation of prompt diphoton production", author = "C. Bal\'azs and E. L. Berger",
      eprint = "0704.0001", archivePrefix = "arXiv", year = 2007}
"#;
    let out = parse_str(Format::Bibtex, bib);
    let summary = outline(&out);
    assert_eq!(
        summary,
        vec![
            (1, Ok("priem2018".into())),
            (10, Ok("vaswani2017attention".into())),
            (16, Err("\"doi\": not a DOI: \"not-a-doi\" (expected 10.<prefix>/<suffix>)".into())),
            (20, Ok("balazs2007".into())),
        ]
    );
    let doc = &out[0].as_ref().unwrap().doc;
    validate(doc).unwrap();
    let w = &doc.works[0];
    assert_eq!(w.title, "The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles");
    assert_eq!(
        w.authorships.iter().map(|a| a.raw_name.as_str()).collect::<Vec<_>>(),
        vec!["Heather Piwowar", "Jason Priem", "Vincent Larivière", "Juan Pablo Alperin"]
    );
    assert!(w.authorships.iter().all(|a| a.author.is_none()));
    assert_eq!((w.doi.as_deref(), w.year, w.work_type.as_str()), (Some("10.7717/peerj.4375"), Some(2018), "ARTICLE"));
    assert_eq!((doc.venues[0].name.as_str(), doc.venues[0].kind.as_str()), ("PeerJ", "JOURNAL"));
    assert_eq!(w.topics, vec!["keyword:open-access", "keyword:scholarly-communication"]);
    let conf = &out[1].as_ref().unwrap().doc;
    assert_eq!(
        (conf.works[0].work_type.as_str(), conf.venues[0].kind.as_str(), conf.works[0].author_count),
        ("CONFERENCE_PAPER", "CONFERENCE", None)
    );
    let pre = &out[3].as_ref().unwrap().doc.works[0];
    assert_eq!((pre.work_type.as_str(), pre.arxiv_id.as_deref()), ("PREPRINT", Some("0704.0001")));
    assert_eq!(pre.authorships[0].raw_name, "C. Balázs");
}

#[test]
fn gzip_input() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read(fixture("arxiv_metadata_oai_snapshot_first200.jsonl")).unwrap();
    let path = dir.path().join("arxiv.jsonl.gz");
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::fast());
    enc.write_all(&text).unwrap();
    enc.finish().unwrap();
    let out: Vec<_> = records(Format::Arxiv, formats::open(path.to_str().unwrap()).unwrap()).collect();
    assert_eq!(out.len(), 200);
    assert!(out.iter().all(|r| r.is_ok()));

    // a pretty-printed OpenAlex document, gzipped, without the .gz name
    let work = std::fs::read(fixture("openalex_work_W2741809807.json")).unwrap();
    let pretty = serde_json::to_vec_pretty(&serde_json::from_slice::<serde_json::Value>(&work).unwrap()).unwrap();
    let path = dir.path().join("work.json");
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::fast());
    enc.write_all(&pretty).unwrap();
    enc.finish().unwrap();
    let doc = only(records(Format::OpenAlex, formats::open(path.to_str().unwrap()).unwrap()).collect());
    assert_eq!(doc.works[0].authorships.len(), 9);
}

#[test]
fn every_fixture_record_is_valid_for_the_writer() {
    for (format, name) in [
        (Format::OpenAlex, "openalex_work_W2741809807.json"),
        (Format::OpenAlex, "openalex_author_A5023888391.json"),
        (Format::OpenAlex, "openalex_institution_I27837315.json"),
        (Format::S2, "s2_author_2262347_with_papers.json"),
        (Format::Arxiv, "arxiv_metadata_oai_snapshot_first200.jsonl"),
    ] {
        for r in parse_file(format, name) {
            let rec = r.unwrap_or_else(|e| panic!("{name}: {e}"));
            validate(&rec.doc).unwrap_or_else(|e| panic!("{name}: {e}"));
            // and it round-trips through the native JSON format
            let json = serde_json::to_string(&rec.doc).unwrap();
            assert_eq!(serde_json::from_str::<Document>(&json).unwrap(), rec.doc);
        }
    }
}
