//! Relay object identification: `Node` and resolving any global id.
use std::collections::HashMap;

use async_graphql::{Context, ID, Interface};

use super::account::{Account, AccountKey};
use super::author::{Author, AuthorKey};
use super::institution::{Institution, InstitutionKey};
use super::invitation::{Claim, ClaimKey, Invitation, InvitationKey};
use super::post::{Post, PostKey};
use super::topic::{Topic, TopicKey};
use super::venue::{Venue, VenueKey};
use super::work::{Work, WorkKey};
use crate::error::ApiResult;
use crate::graphql::global_id::{Kind, decode_any};
use crate::graphql::loaders::loaders;

/// Every entity has an opaque, globally unique id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Author(Author),
    Work(Work),
    Topic(Topic),
    Institution(Institution),
    Venue(Venue),
    Account(Account),
    Post(Post),
    Claim(Claim),
    Invitation(Invitation),
}

/// Resolves global ids in one batch per kind; unknown ids give `None`.
pub async fn resolve(ctx: &Context<'_>, ids: &[ID]) -> ApiResult<Vec<Option<Node>>> {
    let decoded = ids.iter().map(|id| decode_any(id)).collect::<Result<Vec<_>, _>>()?;
    load(ctx, &decoded).await
}

/// The entities of (kind, row id) pairs, in their order, one batch per
/// kind; rows that are gone give `None`.
pub async fn load(ctx: &Context<'_>, keys: &[(Kind, i64)]) -> ApiResult<Vec<Option<Node>>> {
    let of = |kind: Kind| keys.iter().filter(move |(k, _)| *k == kind).map(|(_, id)| *id);
    let l = loaders(ctx);
    let (authors, works, topics, institutions, venues) = futures_util::try_join!(
        l.load_many(of(Kind::Author).map(AuthorKey)),
        l.load_many(of(Kind::Work).map(WorkKey)),
        l.load_many(of(Kind::Topic).map(TopicKey)),
        l.load_many(of(Kind::Institution).map(InstitutionKey)),
        l.load_many(of(Kind::Venue).map(VenueKey)),
    )?;
    let (accounts, posts, claims, invitations) = futures_util::try_join!(
        l.load_many(of(Kind::Account).map(AccountKey)),
        l.load_many(of(Kind::Post).map(PostKey)),
        l.load_many(of(Kind::Claim).map(ClaimKey)),
        l.load_many(of(Kind::Invitation).map(InvitationKey)),
    )?;
    fn take<K: std::hash::Hash + Eq, M: Clone, N>(map: &HashMap<K, M>, key: K, wrap: fn(M) -> N) -> Option<N> {
        map.get(&key).cloned().map(wrap)
    }
    Ok(keys
        .iter()
        .map(|&(kind, id)| match kind {
            Kind::Author => take(&authors, AuthorKey(id), |m| Node::Author(Author(m))),
            Kind::Work => take(&works, WorkKey(id), |m| Node::Work(Work(m))),
            Kind::Topic => take(&topics, TopicKey(id), |m| Node::Topic(Topic(m))),
            Kind::Institution => take(&institutions, InstitutionKey(id), |m| Node::Institution(Institution(m))),
            Kind::Venue => take(&venues, VenueKey(id), |m| Node::Venue(Venue(m))),
            Kind::Account => take(&accounts, AccountKey(id), |m| Node::Account(Account(m))),
            Kind::Post => take(&posts, PostKey(id), |m| Node::Post(Post(m))),
            Kind::Claim => take(&claims, ClaimKey(id), |m| Node::Claim(Claim(m))),
            Kind::Invitation => take(&invitations, InvitationKey(id), |m| Node::Invitation(Invitation(m))),
        })
        .collect())
}
