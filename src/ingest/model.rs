//! The native record format (see `data/FORMAT.md`): what every importer
//! produces and what the demo corpus is written in.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub institutions: Vec<Institution>,
    #[serde(default)]
    pub topics: Vec<Topic>,
    #[serde(default)]
    pub venues: Vec<Venue>,
    #[serde(default)]
    pub authors: Vec<Author>,
    #[serde(default)]
    pub works: Vec<Work>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Institution {
    pub key: String,
    pub name: String,
    pub short_name: Option<String>,
    pub ror: Option<String>,
    pub openalex_id: Option<String>,
    pub country_code: Option<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub key: String,
    pub scheme: String,
    pub code: Option<String>,
    pub name: String,
    pub parent: Option<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Venue {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub openalex_id: Option<String>,
    pub issn: Option<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    pub key: String,
    pub slug: Option<String>,
    pub display_name: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub orcid: Option<String>,
    pub openalex_id: Option<String>,
    /// Semantic Scholar author id
    #[serde(default)]
    pub s2_id: Option<String>,
    pub headline: Option<String>,
    pub homepage: Option<String>,
    #[serde(default)]
    pub open_to_collaborate: bool,
    #[serde(default)]
    pub bio: Option<String>,
    #[serde(default)]
    pub affiliations: Vec<Affiliation>,
    #[serde(default)]
    pub external_metrics: Vec<ExternalMetric>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Affiliation {
    pub institution: String,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalMetric {
    pub name: String,
    pub value: f64,
    pub source: Option<String>,
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Work {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub alt_titles: Vec<String>,
    pub r#abstract: Option<String>,
    #[serde(rename = "type")]
    pub work_type: String,
    pub publication_date: Option<NaiveDate>,
    pub year: Option<i32>,
    pub doi: Option<String>,
    pub arxiv_id: Option<String>,
    pub openalex_id: Option<String>,
    /// Semantic Scholar paper id
    #[serde(default)]
    pub s2_id: Option<String>,
    pub url: Option<String>,
    pub venue: Option<String>,
    pub primary_topic: Option<String>,
    #[serde(default)]
    pub topics: Vec<String>,
    pub author_count: Option<i32>,
    #[serde(default)]
    pub code_links: Vec<String>,
    #[serde(default)]
    pub authorships: Vec<Authorship>,
    /// keys of works in the same document that this work cites
    #[serde(default)]
    pub references: Vec<String>,
    /// works cited by external id, imported or not (yet)
    #[serde(default)]
    pub cites: Vec<Cite>,
    #[serde(default)]
    pub features: Vec<Feature>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Authorship {
    pub position: i32,
    pub raw_name: String,
    pub author: Option<String>,
    #[serde(default)]
    pub institutions: Vec<String>,
    #[serde(default)]
    pub is_corresponding: bool,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Feature {
    pub day: NaiveDate,
    pub source: String,
    pub upvotes: Option<i32>,
}

/// A citation by external id: `target` is `openalex:W…`, `doi:10.…`,
/// `arxiv:…` or `s2:…` (normalised), resolved to a work when it is here.
#[derive(Debug, Default, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Cite {
    pub target: String,
    #[serde(default)]
    pub contexts: Vec<String>,
    #[serde(default)]
    pub intents: Vec<String>,
    #[serde(default)]
    pub is_influential: Option<bool>,
}
