//! `Invitation` to collaborate, and `Claim` of an author record.
use async_graphql::{Context, Enum, ID, Object};
use std::sync::Arc;

use super::account::{Account, account};
use super::author::{Author, author};
use crate::entities::{claim, invitation};
use crate::error::ApiResult;
use crate::graphql::global_id::{self, Kind};
use crate::graphql::loaders::by_id;
use crate::graphql::scalars::DateTime;

by_id!(InvitationKey, invitation);
by_id!(ClaimKey, claim);

#[derive(Clone, Debug)]
pub struct Invitation(pub Arc<invitation::Model>);

/// Resolved lean in its connection, with no plain fields.
impl crate::graphql::lean::Plain for Invitation {}

#[Object]
impl Invitation {
    pub async fn id(&self) -> ID {
        global_id::encode(Kind::Invitation, self.0.id)
    }

    async fn from(&self, ctx: &Context<'_>) -> ApiResult<Account> {
        account(ctx, self.0.from_account_id).await
    }

    async fn to(&self, ctx: &Context<'_>) -> ApiResult<Author> {
        author(ctx, self.0.to_author_id).await
    }

    async fn message(&self) -> &str {
        &self.0.message
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

crate::graphql::connection::connection!(InvitationConnection, InvitationEdge, Invitation, "invitations");

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimStatus {
    Pending,
    Verified,
    Rejected,
}

#[derive(Clone, Debug)]
pub struct Claim(pub Arc<claim::Model>);

#[Object]
impl Claim {
    pub async fn id(&self) -> ID {
        global_id::encode(Kind::Claim, self.0.id)
    }

    async fn author(&self, ctx: &Context<'_>) -> ApiResult<Author> {
        author(ctx, self.0.author_id).await
    }

    async fn account(&self, ctx: &Context<'_>) -> ApiResult<Account> {
        account(ctx, self.0.account_id).await
    }

    async fn status(&self) -> ClaimStatus {
        match self.0.status.as_str() {
            "VERIFIED" => ClaimStatus::Verified,
            "REJECTED" => ClaimStatus::Rejected,
            _ => ClaimStatus::Pending,
        }
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}
