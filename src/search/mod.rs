//! Full-text search and type-ahead over works, authors, topics and
//! institutions, on each database's own engine (SQLite FTS5, Postgres
//! `tsvector` + GIN). `text` folds words, `query` turns search text into
//! engine queries, `index` keeps the documents, `highlight` marks matches;
//! here are the statements both engines answer.
pub mod highlight;
pub mod index;
pub mod query;
pub mod text;

use std::collections::{BTreeSet, HashMap};

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Value};

pub use index::{DocKind, KINDS};
use query::{TYPO_MIN_LEN, Term, edits1};

/// The terms with each word of five letters or more that the index does
/// not hold replaced by the words one edit away that it does hold (a typo
/// still finds what was meant); a word with no such neighbour stays.
pub async fn correct<C: ConnectionTrait>(conn: &C, terms: Vec<Term>) -> Result<Vec<Term>, DbErr> {
    let typo_prone = |w: &str| w.chars().count() >= TYPO_MIN_LEN && w.chars().any(char::is_alphabetic);
    let asked: Vec<String> = terms
        .iter()
        .filter_map(|t| match t {
            Term::Word(w) if typo_prone(w) => Some(w.clone()),
            _ => None,
        })
        .collect();
    if asked.is_empty() {
        return Ok(terms);
    }
    let known = index::known_words(conn, &asked).await?;
    let unknown: Vec<&String> = asked.iter().filter(|w| !known.contains(*w)).collect();
    if unknown.is_empty() {
        return Ok(terms);
    }
    let edits: HashMap<&str, Vec<String>> = unknown.iter().map(|w| (w.as_str(), edits1(w))).collect();
    let candidates: BTreeSet<&String> = edits.values().flatten().collect();
    let candidates: Vec<String> = candidates.into_iter().cloned().collect();
    let near = index::known_words(conn, &candidates).await?;
    Ok(terms
        .into_iter()
        .map(|t| match t {
            Term::Word(w) if edits.contains_key(w.as_str()) => {
                let alternatives: Vec<String> =
                    edits[w.as_str()].iter().filter(|c| near.contains(*c)).cloned().collect();
                if alternatives.is_empty() { Term::Word(w) } else { Term::AnyOf(alternatives) }
            }
            t => t,
        })
        .collect())
}

/// How a statement finds documents: the key column, what to add to FROM,
/// the condition and its bound value.
pub struct Matching {
    pub key: &'static str,
    pub from: &'static str,
    pub condition: &'static str,
    pub value: Value,
    /// the key as `key` and the relevance (higher is better) as `score`
    pub select: &'static str,
}

/// Matching documents on either engine; `names_only` looks at names and
/// titles alone (type-ahead).
pub fn matching(backend: DbBackend, terms: &[Term], names_only: bool) -> Matching {
    match backend {
        DbBackend::Postgres => Matching {
            key: "search_index.id",
            // The query is parsed once, in FROM, and shared by condition and score.
            from: "search_index, to_tsquery('simple', ?) AS q",
            condition: "search_index.tsv @@ q",
            value: query::tsquery(terms, names_only.then_some('A')).into(),
            // Weights of D, C, B, A: names count ten times as much as bodies.
            select: "search_index.id AS key, \
                     CAST(ts_rank('{0.1, 0.1, 0.1, 1.0}', search_index.tsv, q) AS DOUBLE PRECISION) AS score",
        },
        _ => Matching {
            key: "search_index.rowid",
            from: "search_index",
            condition: "search_index MATCH ?",
            value: query::fts5(terms, names_only.then_some("name")).into(),
            // bm25 is lower for better matches; names weigh ten times bodies.
            select: "search_index.rowid AS key, -bm25(search_index, 10.0, 1.0) AS score",
        },
    }
}

/// `key % 4 IN (…)` for the kinds asked (nothing when all are).
pub fn kind_condition(key: &str, kinds: &[DocKind]) -> Option<String> {
    let set: BTreeSet<DocKind> = kinds.iter().copied().collect();
    if set.is_empty() || set.len() == KINDS.len() {
        return None;
    }
    let list: Vec<String> = set.iter().map(|k| (*k as i64).to_string()).collect();
    Some(format!("{key} % 4 IN ({})", list.join(", ")))
}

/// The ids of the works matching, as a subquery, with its bound value.
pub fn work_ids(backend: DbBackend, terms: &[Term]) -> (String, Value) {
    let m = matching(backend, terms, false);
    let sql = format!("SELECT {key} / 4 FROM {} WHERE {} AND {key} % 4 = 0", m.from, m.condition, key = m.key);
    (sql, m.value)
}
