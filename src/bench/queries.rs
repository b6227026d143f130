//! The query mix of the benchmark: ours, and the PostGraphile equivalents
//! of the queries both servers can answer (same tables, same rows).
use serde_json::{Value, json};

/// One benchmarked request: a name, a GraphQL document and its variables.
#[derive(Clone, Debug)]
pub struct Query {
    pub name: &'static str,
    pub text: &'static str,
    pub variables: Value,
}

impl Query {
    pub fn body(&self) -> String {
        json!({ "query": self.text, "variables": self.variables }).to_string()
    }
}

/// What the data decides: a prolific author, two authors to join, a word.
#[derive(Clone, Debug)]
pub struct Picks {
    pub slug: String,
    pub author_id: String,
    pub other_author_id: String,
    pub word: String,
    pub trending_date: String,
}

/// The seed-000 profile page in full (trust, coauthors, works with their
/// authorships and institutions).
const PROFILE: &str = r#"query Profile($slug: String!) { author(slug: $slug) {
  id displayName headline openToCollaborate claimed currentAffiliation { name }
  trust { score band verificationLevel }
  metrics { worksCount citationCount hIndex followersCount topicsCount closeCollaboratorsCount }
  externalMetrics { name value source }
  topics(first: 8) { topic { code name } worksCount share }
  coauthors(first: 8) { totalCount edges { sharedWorksCount node { slug displayName } } }
  works(first: 20) { totalCount nodes { id title abstract type year publicationDate venue { name }
    authorships { position rawName author { slug } institutions { shortName } } topics { code } } } } }"#;

/// The part of the profile page a generic layer over the tables can answer
/// (no trust score, no coauthor aggregation).
const PROFILE_SHARED: &str = r#"query ProfileShared($slug: String!) { author(slug: $slug) {
  id displayName headline openToCollaborate claimed currentAffiliation { name }
  metrics { worksCount citationCount hIndex followersCount topicsCount closeCollaboratorsCount }
  externalMetrics { name value source }
  topics(first: 8) { topic { code name } worksCount }
  works(first: 20) { totalCount nodes { id title abstract type year publicationDate venue { name }
    authorships { position rawName author { slug } institutions { shortName } } topics { code } } } } }"#;

const PEER_PROFILE_SHARED: &str = r#"query ProfileShared($slug: String!) { allAuthors(condition: {slug: $slug}) { nodes {
  id displayName headline openToCollaborate claimed institutionByCurrentInstitutionId { name }
  worksCount citationCount hIndex followersCount topicsCount closeCollaboratorsCount
  externalMetricsByAuthorId { nodes { name value source } }
  authorTopicsByAuthorId(first: 8) { nodes { worksCount topicByTopicId { code name } } }
  authorshipsByAuthorId(first: 20) { totalCount nodes { workByWorkId { id title abstract workType year publicationDate
    venueByVenueId { name }
    authorshipsByWorkId { nodes { position rawName authorByAuthorId { slug }
      authorshipInstitutionsByAuthorshipId { nodes { institutionByInstitutionId { shortName } } } } }
    workTopicsByWorkId { nodes { topicByTopicId { code } } } } } } } } }"#;

/// authors → works → authorships → author → topics, as the issue names it.
const NESTED: &str = r#"{ authors(first: 10) { nodes { slug works(first: 10) { nodes { title
  authorships { position author { slug topics(first: 5) { topic { name } } } } } } } } }"#;

const PEER_NESTED: &str = r#"{ allAuthors(first: 10) { nodes { slug authorshipsByAuthorId(first: 10) { nodes {
  workByWorkId { title authorshipsByWorkId { nodes { position authorByAuthorId { slug
    authorTopicsByAuthorId(first: 5) { nodes { topicByTopicId { name } } } } } } } } } } } }"#;

const SEARCH: &str = r#"query Search($q: String!) { search(query: $q, first: 20) { totalCount
  edges { score highlight node { ... on Work { title } ... on Author { displayName } } } } }"#;

const TRENDING: &str = r#"query Trending($date: Date!) { trending(date: $date, days: 7, first: 20) { totalCount
  edges { rank score node { title authorCount codeLinks } } } }"#;

const PATH: &str = r#"query Path($from: ID!, $to: ID!) { coauthorPath(from: $from, to: $to) { id displayName } }"#;

const GRAPH: &str = r#"query Graph($center: ID!) { researchGraph(center: $center, depth: 2, limit: 100) {
  nodes { id weight } edges { kind } } }"#;

/// Our queries, in report order.
pub fn ours(p: &Picks) -> Vec<Query> {
    let q = |name, text, variables| Query { name, text, variables };
    vec![
        q("profile (seed 000)", PROFILE, json!({ "slug": p.slug })),
        q("profile, shared part", PROFILE_SHARED, json!({ "slug": p.slug })),
        q("nested authors → works → authorships → author → topics", NESTED, json!({})),
        q("search", SEARCH, json!({ "q": p.word })),
        q("trending, 7 days", TRENDING, json!({ "date": p.trending_date })),
        q("coauthorPath", PATH, json!({ "from": p.author_id, "to": p.other_author_id })),
        q("researchGraph, depth 2", GRAPH, json!({ "center": p.author_id })),
    ]
}

/// PostGraphile's equivalents of our shared queries, by the same names.
pub fn peer(p: &Picks) -> Vec<Query> {
    vec![
        Query { name: "profile, shared part", text: PEER_PROFILE_SHARED, variables: json!({ "slug": p.slug }) },
        Query {
            name: "nested authors → works → authorships → author → topics",
            text: PEER_NESTED,
            variables: json!({}),
        },
    ]
}
