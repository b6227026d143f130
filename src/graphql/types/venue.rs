//! `Venue`: where works appear (a journal, a conference, a repository).
use async_graphql::{Context, ID, Object};
use std::sync::Arc;

use super::work::{WorkConnection, WorkListArgs, WorksOf, works_of};
use crate::entities::venue;
use crate::error::ApiResult;
use crate::graphql::enums::VenueKind;
use crate::graphql::global_id::{self, Kind};
use crate::graphql::loaders::by_id;
use crate::graphql::paging::Window;

by_id!(VenueKey, venue);

/// Where works appear: a journal, a conference, a repository such as arXiv.
pub struct Venue(pub Arc<venue::Model>);

#[Object]
impl Venue {
    pub async fn id(&self) -> ID {
        global_id::encode(Kind::Venue, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn kind(&self) -> VenueKind {
        VenueKind::from_stored(&self.0.kind)
    }

    async fn issn(&self) -> Option<&str> {
        self.0.issn.as_deref()
    }

    /// newest first
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 1")]
    async fn works(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> ApiResult<WorkConnection> {
        works_of(ctx, WorksOf::Venue, self.0.id, WorkListArgs::default(), Window::forward(first, after.as_deref())?)
            .await
    }
}
