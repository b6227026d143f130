//! `Author.trust`, computed by `social::trust` from the author's record and
//! metrics and, in one batch per request, their verified claim and posts.
use async_graphql::{Enum, SimpleObject};

use crate::entities::author;
use crate::graphql::loaders::children;
use crate::social::trust::{self, Band, Inputs};

#[derive(Clone, Debug)]
pub struct ClaimFacts {
    pub level: Option<i32>,
    pub account_created: Option<chrono::DateTime<chrono::Utc>>,
    pub posts: i64,
}
crate::db::from_row!(ClaimFacts { level, account_created, posts });

children!(
    TrustFactsOfAuthor,
    ClaimFacts,
    "SELECT au.id AS parent__, c.verification_level AS level, ac.created_at AS account_created, \
       (SELECT COUNT(*) FROM posts p WHERE p.author_id = au.id) AS posts \
     FROM authors au LEFT JOIN claims c ON c.author_id = au.id AND c.status = 'VERIFIED' \
     LEFT JOIN accounts ac ON ac.id = c.account_id WHERE au.id IN ({ids})"
);

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrustBand {
    New,
    Emerging,
    Established,
    Trusted,
}

/// An explainable score: the components add up to the score.
#[derive(SimpleObject)]
pub struct Trust {
    pub score: i32,
    pub band: TrustBand,
    /// 0 = a name only, 1 = backed by a persistent identifier or trusted source (ORCID, OpenAlex, arXiv), 2 = claimed by an account and verified (ORCID match), 3 = verified by an administrator
    pub verification_level: i32,
    pub components: Vec<TrustComponent>,
}

#[derive(SimpleObject)]
pub struct TrustComponent {
    pub name: String,
    pub points: i32,
    pub detail: Option<String>,
}

pub fn of(a: &author::Model, facts: Option<&ClaimFacts>) -> Trust {
    let inputs = Inputs {
        orcid: a.orcid.is_some(),
        openalex: a.openalex_id.is_some(),
        semantic_scholar: a.s2_id.is_some(),
        claim_level: facts.and_then(|f| f.level),
        works: a.works_count,
        citations: a.citation_count,
        collaborators: a.collaborators_count,
        followers: a.followers_count,
        account_age_days: facts.and_then(|f| f.account_created).map(|t| (chrono::Utc::now() - t).num_days()),
        posts: facts.map_or(0, |f| f.posts),
    };
    let t = trust::score(&inputs);
    Trust {
        score: t.score,
        band: match t.band {
            Band::New => TrustBand::New,
            Band::Emerging => TrustBand::Emerging,
            Band::Established => TrustBand::Established,
            Band::Trusted => TrustBand::Trusted,
        },
        verification_level: t.verification_level,
        components: t
            .components
            .into_iter()
            .map(|c| TrustComponent { name: c.name.to_owned(), points: c.points, detail: Some(c.detail) })
            .collect(),
    }
}
