//! The arXiv metadata snapshot (the Kaggle / Cornell OAI dump): one JSON
//! object per line with `id`, `authors_parsed` ([last, first, suffix, …]),
//! `title`, `abstract`, `categories` ("cs.LG stat.ML"), `versions`
//! ([{version, created}]), `doi`, `update_date`.
//!
//! Every record is a PREPRINT in the arXiv venue (REPOSITORY), keyed by its
//! arXiv id. The publication date is the date of the first version. Authors
//! are names only (`author: null`): arXiv gives no author ids and names are
//! not identities. Categories are ARXIV topics, the first one primary.
use chrono::{DateTime, Datelike};
use serde_json::Value;

use super::json::{Obj, kind, quote};
use super::latex::{decode, decode_accents};
use super::{Builder, arxiv_venue, fold_ws};
use crate::ids;
use crate::ingest::model::{Authorship, Document, Topic, Work};

pub(crate) fn convert(v: &Value) -> Result<Document, String> {
    let o = Obj::root(v)?;
    let raw_id = o.id_str("id")?.ok_or_else(|| "missing \"id\"".to_owned())?;
    let arxiv_id = ids::arxiv(&raw_id).map_err(|e| o.err("id", e))?;
    let title = text(o.str("title")?).ok_or_else(|| "missing \"title\"".to_owned())?;
    let r#abstract = text(o.str("abstract")?);
    // Some records list several DOIs, space-separated: the first is kept.
    let doi = match o.str("doi")? {
        Some(d) => {
            let first = d.split_whitespace().next().unwrap_or(d);
            Some(ids::doi(first).map_err(|e| o.err("doi", e))?)
        }
        None => None,
    };

    let mut publication_date = None;
    for (i, v) in o.arr("versions")?.iter().enumerate() {
        let path = format!("versions[{i}]");
        let version = Obj::at(v, &path)?;
        if let Some(created) = version.str("created")? {
            let date = DateTime::parse_from_rfc2822(created.trim())
                .map(|d| d.date_naive())
                .map_err(|_| version.err("created", format!("not a date: {created:?}")))?;
            // the first version, whatever order they are listed in
            if publication_date.is_none_or(|d| date < d) {
                publication_date = Some(date);
            }
        }
    }
    let year = publication_date.map(|d| d.year()).or_else(|| year_of_id(&arxiv_id));

    let mut b = Builder::new("arxiv");
    let venue = b.venue(arxiv_venue());
    let mut topics = Vec::new();
    for code in o.str("categories")?.unwrap_or("").split_whitespace() {
        let key = b.topic(Topic {
            key: code.to_owned(),
            scheme: "ARXIV".into(),
            code: Some(code.to_owned()),
            name: category_name(code).unwrap_or(code).to_owned(),
            parent: None,
        });
        if !topics.contains(&key) {
            topics.push(key);
        }
    }

    let names = match o.get("authors_parsed") {
        Some(_) => parsed_names(&o)?,
        None => o.str("authors")?.map(split_authors).unwrap_or_default(),
    };
    let authorships: Vec<Authorship> = names
        .into_iter()
        .enumerate()
        .map(|(i, raw_name)| Authorship { position: i as i32 + 1, raw_name, ..Default::default() })
        .collect();

    b.work(Work {
        key: arxiv_id.clone(),
        title,
        r#abstract,
        work_type: "PREPRINT".into(),
        publication_date,
        year,
        doi,
        url: Some(format!("https://arxiv.org/abs/{arxiv_id}")),
        arxiv_id: Some(arxiv_id),
        venue: Some(venue),
        primary_topic: topics.first().cloned(),
        topics,
        author_count: Some(authorships.len() as i32),
        authorships,
        ..Default::default()
    });
    Ok(b.finish())
}

/// Titles and abstracts: accents decoded, white space folded.
fn text(s: Option<&str>) -> Option<String> {
    s.map(|s| fold_ws(&decode_accents(s))).filter(|s| !s.is_empty())
}

/// `0704.0001` → 2007; old-style `hep-th/9901001` → 1999.
fn year_of_id(id: &str) -> Option<i32> {
    let digits = id.rsplit('/').next()?;
    let yy: i32 = digits.get(..2)?.parse().ok()?;
    Some(if yy >= 91 { 1900 + yy } else { 2000 + yy })
}

/// One display name: `First Last Suffix`, LaTeX decoded.
fn display_name(last: &str, first: &str, suffix: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    // the snapshot's parser writes "C.-P." as "C. -P."
    let first = first.replace(". -", ".-");
    for p in [first.as_str(), last, suffix] {
        let p = fold_ws(&decode(p));
        if !p.is_empty() {
            parts.push(p);
        }
    }
    parts.join(" ")
}

fn parsed_names(o: &Obj) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for (i, v) in o.arr("authors_parsed")?.iter().enumerate() {
        let path = format!("authors_parsed[{i}]");
        let Value::Array(parts) = v else {
            return Err(format!("{}: expected an array, found {}", quote(&path), kind(v)));
        };
        let mut strs = [""; 3];
        for (j, p) in parts.iter().take(3).enumerate() {
            match p {
                Value::String(s) => strs[j] = s,
                Value::Null => {}
                other => {
                    return Err(format!(
                        "{}: expected a string, found {}",
                        quote(&format!("{path}[{j}]")),
                        kind(other)
                    ));
                }
            }
        }
        let name = display_name(strs[0], strs[1], strs[2]);
        if !name.is_empty() {
            names.push(name);
        }
    }
    Ok(names)
}

/// The `authors` string when `authors_parsed` is missing: names separated
/// by commas and `and`, affiliations in parentheses dropped.
fn split_authors(s: &str) -> Vec<String> {
    let mut plain = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let plain = fold_ws(&plain);
    plain
        .split(',')
        .flat_map(|part| part.split(" and "))
        .map(|n| fold_ws(&decode(n.trim().trim_start_matches("and "))))
        .filter(|n| !n.is_empty())
        .collect()
}

/// The names of the arXiv categories (<https://arxiv.org/category_taxonomy>).
pub fn category_name(code: &str) -> Option<&'static str> {
    CATEGORIES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

const CATEGORIES: &[(&str, &str)] = &[
    ("cs.AI", "Artificial Intelligence"),
    ("cs.AR", "Hardware Architecture"),
    ("cs.CC", "Computational Complexity"),
    ("cs.CE", "Computational Engineering, Finance, and Science"),
    ("cs.CG", "Computational Geometry"),
    ("cs.CL", "Computation and Language"),
    ("cs.CR", "Cryptography and Security"),
    ("cs.CV", "Computer Vision and Pattern Recognition"),
    ("cs.CY", "Computers and Society"),
    ("cs.DB", "Databases"),
    ("cs.DC", "Distributed, Parallel, and Cluster Computing"),
    ("cs.DL", "Digital Libraries"),
    ("cs.DM", "Discrete Mathematics"),
    ("cs.DS", "Data Structures and Algorithms"),
    ("cs.ET", "Emerging Technologies"),
    ("cs.FL", "Formal Languages and Automata Theory"),
    ("cs.GL", "General Literature"),
    ("cs.GR", "Graphics"),
    ("cs.GT", "Computer Science and Game Theory"),
    ("cs.HC", "Human-Computer Interaction"),
    ("cs.IR", "Information Retrieval"),
    ("cs.IT", "Information Theory"),
    ("cs.LG", "Machine Learning"),
    ("cs.LO", "Logic in Computer Science"),
    ("cs.MA", "Multiagent Systems"),
    ("cs.MM", "Multimedia"),
    ("cs.MS", "Mathematical Software"),
    ("cs.NA", "Numerical Analysis"),
    ("cs.NE", "Neural and Evolutionary Computing"),
    ("cs.NI", "Networking and Internet Architecture"),
    ("cs.OH", "Other Computer Science"),
    ("cs.OS", "Operating Systems"),
    ("cs.PF", "Performance"),
    ("cs.PL", "Programming Languages"),
    ("cs.RO", "Robotics"),
    ("cs.SC", "Symbolic Computation"),
    ("cs.SD", "Sound"),
    ("cs.SE", "Software Engineering"),
    ("cs.SI", "Social and Information Networks"),
    ("cs.SY", "Systems and Control"),
    ("econ.EM", "Econometrics"),
    ("econ.GN", "General Economics"),
    ("econ.TH", "Theoretical Economics"),
    ("eess.AS", "Audio and Speech Processing"),
    ("eess.IV", "Image and Video Processing"),
    ("eess.SP", "Signal Processing"),
    ("eess.SY", "Systems and Control"),
    ("math.AC", "Commutative Algebra"),
    ("math.AG", "Algebraic Geometry"),
    ("math.AP", "Analysis of PDEs"),
    ("math.AT", "Algebraic Topology"),
    ("math.CA", "Classical Analysis and ODEs"),
    ("math.CO", "Combinatorics"),
    ("math.CT", "Category Theory"),
    ("math.CV", "Complex Variables"),
    ("math.DG", "Differential Geometry"),
    ("math.DS", "Dynamical Systems"),
    ("math.FA", "Functional Analysis"),
    ("math.GM", "General Mathematics"),
    ("math.GN", "General Topology"),
    ("math.GR", "Group Theory"),
    ("math.GT", "Geometric Topology"),
    ("math.HO", "History and Overview"),
    ("math.IT", "Information Theory"),
    ("math.KT", "K-Theory and Homology"),
    ("math.LO", "Logic"),
    ("math.MG", "Metric Geometry"),
    ("math.MP", "Mathematical Physics"),
    ("math.NA", "Numerical Analysis"),
    ("math.NT", "Number Theory"),
    ("math.OA", "Operator Algebras"),
    ("math.OC", "Optimization and Control"),
    ("math.PR", "Probability"),
    ("math.QA", "Quantum Algebra"),
    ("math.RA", "Rings and Algebras"),
    ("math.RT", "Representation Theory"),
    ("math.SG", "Symplectic Geometry"),
    ("math.SP", "Spectral Theory"),
    ("math.ST", "Statistics Theory"),
    ("astro-ph", "Astrophysics"),
    ("astro-ph.CO", "Cosmology and Nongalactic Astrophysics"),
    ("astro-ph.EP", "Earth and Planetary Astrophysics"),
    ("astro-ph.GA", "Astrophysics of Galaxies"),
    ("astro-ph.HE", "High Energy Astrophysical Phenomena"),
    ("astro-ph.IM", "Instrumentation and Methods for Astrophysics"),
    ("astro-ph.SR", "Solar and Stellar Astrophysics"),
    ("cond-mat", "Condensed Matter"),
    ("cond-mat.dis-nn", "Disordered Systems and Neural Networks"),
    ("cond-mat.mes-hall", "Mesoscale and Nanoscale Physics"),
    ("cond-mat.mtrl-sci", "Materials Science"),
    ("cond-mat.other", "Other Condensed Matter"),
    ("cond-mat.quant-gas", "Quantum Gases"),
    ("cond-mat.soft", "Soft Condensed Matter"),
    ("cond-mat.stat-mech", "Statistical Mechanics"),
    ("cond-mat.str-el", "Strongly Correlated Electrons"),
    ("cond-mat.supr-con", "Superconductivity"),
    ("gr-qc", "General Relativity and Quantum Cosmology"),
    ("hep-ex", "High Energy Physics - Experiment"),
    ("hep-lat", "High Energy Physics - Lattice"),
    ("hep-ph", "High Energy Physics - Phenomenology"),
    ("hep-th", "High Energy Physics - Theory"),
    ("math-ph", "Mathematical Physics"),
    ("nlin.AO", "Adaptation and Self-Organizing Systems"),
    ("nlin.CD", "Chaotic Dynamics"),
    ("nlin.CG", "Cellular Automata and Lattice Gases"),
    ("nlin.PS", "Pattern Formation and Solitons"),
    ("nlin.SI", "Exactly Solvable and Integrable Systems"),
    ("nucl-ex", "Nuclear Experiment"),
    ("nucl-th", "Nuclear Theory"),
    ("physics.acc-ph", "Accelerator Physics"),
    ("physics.ao-ph", "Atmospheric and Oceanic Physics"),
    ("physics.app-ph", "Applied Physics"),
    ("physics.atm-clus", "Atomic and Molecular Clusters"),
    ("physics.atom-ph", "Atomic Physics"),
    ("physics.bio-ph", "Biological Physics"),
    ("physics.chem-ph", "Chemical Physics"),
    ("physics.class-ph", "Classical Physics"),
    ("physics.comp-ph", "Computational Physics"),
    ("physics.data-an", "Data Analysis, Statistics and Probability"),
    ("physics.ed-ph", "Physics Education"),
    ("physics.flu-dyn", "Fluid Dynamics"),
    ("physics.gen-ph", "General Physics"),
    ("physics.geo-ph", "Geophysics"),
    ("physics.hist-ph", "History and Philosophy of Physics"),
    ("physics.ins-det", "Instrumentation and Detectors"),
    ("physics.med-ph", "Medical Physics"),
    ("physics.optics", "Optics"),
    ("physics.plasm-ph", "Plasma Physics"),
    ("physics.pop-ph", "Popular Physics"),
    ("physics.soc-ph", "Physics and Society"),
    ("physics.space-ph", "Space Physics"),
    ("quant-ph", "Quantum Physics"),
    ("q-bio.BM", "Biomolecules"),
    ("q-bio.CB", "Cell Behavior"),
    ("q-bio.GN", "Genomics"),
    ("q-bio.MN", "Molecular Networks"),
    ("q-bio.NC", "Neurons and Cognition"),
    ("q-bio.OT", "Other Quantitative Biology"),
    ("q-bio.PE", "Populations and Evolution"),
    ("q-bio.QM", "Quantitative Methods"),
    ("q-bio.SC", "Subcellular Processes"),
    ("q-bio.TO", "Tissues and Organs"),
    ("q-fin.CP", "Computational Finance"),
    ("q-fin.EC", "Economics"),
    ("q-fin.GN", "General Finance"),
    ("q-fin.MF", "Mathematical Finance"),
    ("q-fin.PM", "Portfolio Management"),
    ("q-fin.PR", "Pricing of Securities"),
    ("q-fin.RM", "Risk Management"),
    ("q-fin.ST", "Statistical Finance"),
    ("q-fin.TR", "Trading and Market Microstructure"),
    ("stat.AP", "Applications"),
    ("stat.CO", "Computation"),
    ("stat.ME", "Methodology"),
    ("stat.ML", "Machine Learning"),
    ("stat.OT", "Other Statistics"),
    ("stat.TH", "Statistics Theory"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use serde_json::json;

    #[test]
    fn names_dates_and_categories() {
        let doc = convert(&json!({
            "id": "2409.14623",
            "title": "A  title\n  on two lines",
            "abstract": "  Some\ntext.\n",
            "categories": "cs.LG stat.ML xx.YY",
            "versions": [{"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}, {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
            "authors_parsed": [["Bal\\'azs", "C.", ""], ["Yuan", "C. -P.", ""], ["King", "Martin Luther", "Jr"]],
        }))
        .unwrap();
        let w = &doc.works[0];
        assert_eq!(w.title, "A title on two lines");
        assert_eq!(w.r#abstract.as_deref(), Some("Some text."));
        assert_eq!(w.publication_date, NaiveDate::from_ymd_opt(2007, 4, 2));
        let names: Vec<_> = w.authorships.iter().map(|a| a.raw_name.as_str()).collect();
        assert_eq!(names, vec!["C. Balázs", "C.-P. Yuan", "Martin Luther King Jr"]);
        assert_eq!(w.topics, vec!["cs.LG", "stat.ML", "xx.YY"]);
        assert_eq!(doc.topics[2].name, "xx.YY");
        assert_eq!(doc.topics[0].name, "Machine Learning");
    }

    #[test]
    fn fallbacks_and_errors() {
        assert_eq!(split_authors(r"A. One, B. Tw\'o (Uni, X) and C. Three"), vec!["A. One", "B. Twó", "C. Three"]);
        assert_eq!(year_of_id("hep-th/9901001"), Some(1999));
        assert_eq!(year_of_id("0704.0001"), Some(2007));
        assert_eq!(convert(&json!({"id": "0704.0001"})).unwrap_err(), r#"missing "title""#);
        assert_eq!(convert(&json!({"title": "x"})).unwrap_err(), r#"missing "id""#);
        assert_eq!(
            convert(&json!({"id": "0704.0001", "title": "x", "doi": "nope"})).unwrap_err(),
            r#""doi": not a DOI: "nope" (expected 10.<prefix>/<suffix>)"#
        );
        assert_eq!(
            convert(&json!({"id": "0704.0001", "title": "x", "authors_parsed": "x"})).unwrap_err(),
            r#""authors_parsed": expected an array, found a string"#
        );
        let two_dois = convert(&json!({"id": "0704.0001", "title": "x", "doi": "10.1/a 10.2/b"})).unwrap();
        assert_eq!(two_dois.works[0].doi.as_deref(), Some("10.1/a"));
    }
}
