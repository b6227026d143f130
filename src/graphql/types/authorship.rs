//! `Authorship`: one author's place on a work, as printed.
use async_graphql::dataloader::Loader;
use async_graphql::parser::types::Field;
use async_graphql::{Context, ContextSelectionSet, Lookahead, Object, Positioned};
use sea_orm::{DbErr, QueryResult};
use std::sync::Arc;

use super::author::{Author, AuthorKey, AuthorTopicRowOut, AuthorWithTopics, TopicsOfAuthorKey};
use super::institution::Institution;
use super::work::AuthorshipsOfWork;
use crate::db::{FromRow, col};
use crate::entities::{author, authorship, institution};
use crate::error::ApiResult;
use crate::graphql::lean::{Lean, LeanList, Plain, Plan};
use crate::graphql::loaders::{
    Batch, IdMap, LoadResult, Rows, children, loaders, name_batch, selects_only, shared_rows,
};

children!(
    InstitutionsOfAuthorship,
    institution::Model,
    "SELECT ai.authorship_id AS parent__, i.* FROM authorship_institutions ai \
     JOIN institutions i ON i.id = ai.institution_id \
     WHERE ai.authorship_id IN ({ids}) ORDER BY ai.authorship_id, i.id"
);

// The authors and the institutions of a work's authorships, keyed by the
// work: they load beside the authorships themselves, in the same level of
// the query, where keys taken from the authorships would wait for them and
// cost the query one more round of statements.
children!(
    AuthorsOfWork,
    author::Model,
    "SELECT a.work_id AS parent__, au.* FROM authorships a JOIN authors au ON au.id = a.author_id \
     WHERE a.work_id IN ({ids}) ORDER BY a.work_id, a.position"
);

/// The institutions of a work's authorships, each with its authorship's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InstitutionsOfWork(pub i64);

impl Loader<InstitutionsOfWork> for Batch {
    type Value = Arc<[(i64, Arc<institution::Model>)]>;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[InstitutionsOfWork]) -> LoadResult<InstitutionsOfWork, Self::Value> {
        name_batch::<InstitutionsOfWork>(keys.len());
        // By the links' copy of the work: an index range per work.
        let sql = "SELECT ai.work_id AS parent__, ai.authorship_id AS authorship__, i.* FROM authorship_institutions ai \
                   JOIN institutions i ON i.id = ai.institution_id \
                   WHERE ai.work_id IN ({ids}) ORDER BY ai.work_id, ai.authorship_id, i.id";
        let mut institution = shared_rows::<institution::Model>();
        let mut grouped = self
            .children_with(sql, keys.iter().map(|k| k.0), move |row| {
                Ok((col!(row, "authorship__")?, institution(row)?))
            })
            .await?;
        Ok(keys.iter().map(|k| (*k, grouped.remove(&k.0).unwrap_or_default().into())).collect())
    }
}

/// A work's authorships, each with its author's card: one statement, where
/// the authorships and their whole author rows were two (on PostgreSQL, a
/// profile page's 385 author rows of 22 columns took 3.1 ms in `psql`
/// against 1.2 ms for the card's columns).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AuthorshipsWithCards(pub i64);

type WithCard = (Arc<authorship::Model>, Option<Arc<author::Model>>);

impl Loader<AuthorshipsWithCards> for Batch {
    type Value = Arc<[WithCard]>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[AuthorshipsWithCards]) -> LoadResult<AuthorshipsWithCards, Self::Value> {
        name_batch::<AuthorshipsWithCards>(keys.len());
        let sql = "SELECT a.work_id AS parent__, a.*, au.slug AS card_slug__, au.display_name AS card_display_name__, \
                   au.given_name AS card_given_name__, au.family_name AS card_family_name__, \
                   au.orcid AS card_orcid__, au.works_count AS card_works_count__ \
                   FROM authorships a LEFT JOIN authors au ON au.id = a.author_id \
                   WHERE a.work_id IN ({ids}) ORDER BY a.work_id, a.position";
        // A page's works share most of their authors: each card made once.
        let mut cards: IdMap<Arc<author::Model>> = IdMap::default();
        let mut grouped = self
            .children_with(sql, keys.iter().map(|k| k.0), move |row| {
                let place = authorship::Model::from_row(row)?;
                let card = match place.author_id {
                    Some(id) => match cards.get(&id) {
                        Some(card) => Some(card.clone()),
                        None => card_of(row, id)?.map(Arc::new).inspect(|card| {
                            cards.insert(id, card.clone());
                        }),
                    },
                    None => None,
                };
                Ok((Arc::new(place), card))
            })
            .await?;
        Ok(keys.iter().map(|k| (*k, grouped.remove(&k.0).unwrap_or_default().into())).collect())
    }
}

/// The author of a row of [`AuthorshipsWithCards`] as a card: the columns
/// that [`CARD_FIELDS`](super::author::CARD_FIELDS) read, every other left
/// at its default and never read. None if the author row is missing.
fn card_of(row: &QueryResult, id: i64) -> Result<Option<author::Model>, DbErr> {
    let Some(slug) = col!(row, "card_slug__", Option<String>)? else { return Ok(None) };
    Ok(Some(author::Model {
        id,
        slug,
        display_name: col!(row, "card_display_name__")?,
        given_name: col!(row, "card_given_name__")?,
        family_name: col!(row, "card_family_name__")?,
        orcid: col!(row, "card_orcid__")?,
        works_count: col!(row, "card_works_count__")?,
        openalex_id: None,
        s2_id: None,
        headline: None,
        homepage: None,
        open_to_collaborate: false,
        claimed: false,
        current_institution_id: None,
        citation_count: 0,
        h_index: 0,
        i10_index: 0,
        topics_count: 0,
        collaborators_count: 0,
        close_collaborators_count: 0,
        followers_count: 0,
        updated_at: Default::default(),
    }))
}

/// How much of each authorship's author a query reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorPart {
    None,
    /// only fields of [`CARD_FIELDS`](super::author::CARD_FIELDS)
    Card,
    Full,
}

impl AuthorPart {
    /// What the selection `author` (under an authorship) reads.
    pub fn of(author: &Lookahead<'_>) -> Self {
        if !author.exists() {
            return Self::None;
        }
        if selects_only(author, super::author::CARD_FIELDS) { Self::Card } else { Self::Full }
    }
}

/// One author's place on a work, with its author and institutions when the
/// work's authorships were loaded knowing they would be asked for.
pub struct Authorship {
    pub row: Arc<authorship::Model>,
    author: Option<Option<Arc<author::Model>>>,
    institutions: Option<Rows<institution::Model>>,
    /// the author's first topics, read along (see [`AuthorWithTopics`])
    topics: Option<(i64, Arc<[AuthorTopicRowOut]>)>,
}

/// Its row's own columns, and what was loaded along with it.
impl Plain for Authorship {
    const FIELDS: &'static [&'static str] = &["position", "rawName", "isCorresponding"];
    const NESTED: &'static [&'static str] = &["author", "institutions"];

    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        let row = &self.row;
        Some(match name {
            "position" => row.position.into(),
            "rawName" => async_graphql::Value::String(row.raw_name.clone()),
            "isCorresponding" => row.is_corresponding.into(),
            _ => return None,
        })
    }

    fn nested<'a>(name: &str, ctx: &ContextSelectionSet<'a>, field: &'a Positioned<Field>) -> Option<Plan> {
        let set = &field.node.selection_set;
        match name {
            "author" => Plan::of::<AuthorWithTopics>(ctx, set),
            "institutions" => Plan::of::<Institution>(ctx, set),
            _ => None,
        }
    }

    /// None where the resolver would load what is not held.
    fn plain_nested(&self, name: &str, plan: &Plan) -> Option<async_graphql::Value> {
        match name {
            "author" => match (&self.author, self.row.author_id) {
                (Some(Some(found)), _) => {
                    plan.apply(&AuthorWithTopics { author: Author(found.clone()), topics: self.topics.clone() })
                }
                (Some(None), _) | (None, None) => Some(async_graphql::Value::Null),
                (None, Some(_)) => None,
            },
            "institutions" => {
                let rows = self.institutions.as_ref()?;
                rows.iter()
                    .map(|row| plan.apply(&Institution(row.clone())))
                    .collect::<Option<Vec<_>>>()
                    .map(async_graphql::Value::List)
            }
            _ => None,
        }
    }
}

/// A work's authorships; `author` and `institutions` say which of theirs to
/// fetch along, `topics` the page size of their authors' topics to read
/// along. Author and institutions load by the work, beside its authorships,
/// where a `load_one` per authorship cost a DataLoader request each
/// (hundreds on a profile page) and keys taken from the loaded authorships
/// a level more; the topics in one request per work, once its authors are
/// known.
pub async fn authorships(
    ctx: &Context<'_>,
    work_id: i64,
    author: AuthorPart,
    institutions: bool,
    topics: Option<i64>,
) -> ApiResult<Vec<Authorship>> {
    let loaders = loaders(ctx);
    let found = async {
        if author == AuthorPart::Card {
            return loaders.load_one(AuthorshipsWithCards(work_id)).await.map(|found| found.unwrap_or_default());
        }
        let (places, authors) = futures_util::try_join!(loaders.load_one(AuthorshipsOfWork(work_id)), async {
            if author == AuthorPart::Full { loaders.load_one(AuthorsOfWork(work_id)).await } else { Ok(None) }
        })?;
        let authors: IdMap<Arc<author::Model>> =
            authors.unwrap_or_default().iter().map(|a| (a.id, a.clone())).collect();
        Ok(places
            .unwrap_or_default()
            .iter()
            .map(|place| (place.clone(), place.author_id.and_then(|id| authors.get(&id).cloned())))
            .collect())
    };
    let places =
        async { if institutions { loaders.load_one(InstitutionsOfWork(work_id)).await.map(Some) } else { Ok(None) } };
    let (found, places) = futures_util::try_join!(found, places)?;
    let mut places: Option<IdMap<Vec<Arc<institution::Model>>>> = places.map(|found| {
        let mut by_authorship: IdMap<Vec<_>> = IdMap::default();
        for (authorship, place) in found.unwrap_or_default().iter() {
            by_authorship.entry(*authorship).or_default().push(place.clone());
        }
        by_authorship
    });
    let with_author = author != AuthorPart::None;
    let topics = match topics.filter(|_| with_author) {
        Some(first) => {
            let keys = found
                .iter()
                .filter_map(|(_, person)| person.as_ref())
                .map(|a| TopicsOfAuthorKey { author: a.id, first });
            Some((first, loaders.load_many(keys).await?))
        }
        None => None,
    };
    let topics_of = |person: &Option<Arc<author::Model>>| {
        let (first, read) = topics.as_ref()?;
        let key = TopicsOfAuthorKey { author: person.as_ref()?.id, first: *first };
        Some((*first, read.get(&key).cloned().unwrap_or_else(|| Arc::from([]))))
    };
    Ok(found
        .iter()
        .map(|(row, person)| Authorship {
            row: row.clone(),
            author: with_author.then(|| person.clone()),
            institutions: places.as_mut().map(|found| found.remove(&row.id).unwrap_or_default().into()),
            topics: topics_of(person),
        })
        .collect())
}

impl Authorship {
    /// The author record loaded along, if any.
    pub fn person(&self) -> Option<&author::Model> {
        self.author.as_ref().and_then(|found| found.as_deref())
    }
}

#[Object]
impl Authorship {
    /// 1-based
    async fn position(&self) -> i32 {
        self.row.position
    }

    /// the author record, when the name is resolved to one
    async fn author(&self, ctx: &Context<'_>) -> ApiResult<Option<Lean<AuthorWithTopics>>> {
        let found = match (&self.author, self.row.author_id) {
            (Some(found), _) => found.clone(),
            (None, None) => None,
            (None, Some(id)) => loaders(ctx).load_one(AuthorKey(id)).await?,
        };
        Ok(found.map(|row| Lean(AuthorWithTopics { author: Author(row), topics: self.topics.clone() })))
    }

    /// the name as printed on the work
    async fn raw_name(&self) -> &str {
        &self.row.raw_name
    }

    /// the author's institutions on this work
    async fn institutions(&self, ctx: &Context<'_>) -> ApiResult<LeanList<Institution>> {
        let rows = match &self.institutions {
            Some(rows) => rows.clone(),
            None => loaders(ctx).load_one(InstitutionsOfAuthorship(self.row.id)).await?.unwrap_or_default(),
        };
        Ok(LeanList(rows.iter().map(|row| Institution(row.clone())).collect()))
    }

    /// whether this author is marked as corresponding author
    async fn is_corresponding(&self) -> bool {
        self.row.is_corresponding
    }
}
