//! `Institution`: a university, lab or company, identified by ROR.
use async_graphql::{Context, ID, InputObject, Object};
use sea_orm::Value;
use std::sync::Arc;

use super::author::{AuthorConnection, AuthorsOf, authors_of};
use super::work::{WorkConnection, WorkListArgs, WorksOf, works_of};
use crate::entities::institution;
use crate::error::ApiResult;
use crate::graphql::connection::connection;
use crate::graphql::global_id::{self, Kind};
use crate::graphql::lean::{Plain, text};
use crate::graphql::loaders::by_id;
use crate::graphql::paging::{ListQuery, Window};

by_id!(InstitutionKey, institution);

/// A university, lab or company.
#[derive(Clone, Debug)]
pub struct Institution(pub Arc<institution::Model>);

/// Its row's own columns, as the resolvers below answer them.
impl Plain for Institution {
    const FIELDS: &'static [&'static str] = &["id", "name", "shortName", "ror", "countryCode", "openalexId"];

    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        let i = &self.0;
        Some(match name {
            "id" => async_graphql::Value::String(global_id::encode(Kind::Institution, i.id).0),
            "name" => async_graphql::Value::String(i.name.clone()),
            "shortName" => text(&i.short_name),
            "ror" => text(&i.ror),
            "countryCode" => text(&i.country_code),
            "openalexId" => text(&i.openalex_id),
            _ => return None,
        })
    }
}

#[Object]
impl Institution {
    pub async fn id(&self) -> ID {
        global_id::encode(Kind::Institution, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn short_name(&self) -> Option<&str> {
        self.0.short_name.as_deref()
    }

    /// bare ROR id, e.g. 00cvxb145
    async fn ror(&self) -> Option<&str> {
        self.0.ror.as_deref()
    }

    /// ISO 3166-1 alpha-2
    async fn country_code(&self) -> Option<&str> {
        self.0.country_code.as_deref()
    }

    async fn openalex_id(&self) -> Option<&str> {
        self.0.openalex_id.as_deref()
    }

    /// people affiliated with the institution or writing from it, most works first
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn authors(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<AuthorConnection> {
        authors_of(ctx, AuthorsOf::Institution, self.0.id, Window::forward(first, after.as_deref())?).await
    }

    /// works with an author from the institution, newest first
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn works(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> ApiResult<WorkConnection> {
        works_of(
            ctx,
            WorksOf::Institution,
            self.0.id,
            WorkListArgs::default(),
            Window::forward(first, after.as_deref())?,
        )
        .await
    }
}

connection!(InstitutionConnection, InstitutionEdge, Institution, "institutions");

/// Narrows a list of institutions.
#[derive(InputObject, Clone, Debug, Default)]
pub struct InstitutionFilter {
    /// case-insensitive substring of the name or short name
    pub name_contains: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. US
    pub country_code: Option<String>,
}

impl InstitutionFilter {
    /// By name.
    pub fn query(&self) -> ListQuery {
        let mut q = ListQuery::new("i.*", "institutions i", "i.name ASC, i.id ASC");
        if let Some(text) = &self.name_contains {
            let pattern = crate::graphql::query::like_pattern(text);
            q.and(
                "(LOWER(i.name) LIKE ? ESCAPE '\\' OR LOWER(i.short_name) LIKE ? ESCAPE '\\')",
                [Value::from(pattern.clone()), Value::from(pattern)],
            );
        }
        if let Some(code) = &self.country_code {
            q.and("i.country_code = ?", [Value::from(code.trim().to_uppercase())]);
        }
        q
    }
}
