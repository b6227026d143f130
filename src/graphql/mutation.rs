//! The write side: accounts and tokens, follows, claims, profile edits,
//! invitations, posts and upvotes. The rules live in `crate::social`; here
//! ids are decoded, the signed-in account is required, and each write is
//! tried again while another process holds SQLite's lock (`retry_busy`).
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::global_id::{self, Kind};
use super::loaders::db;
use super::types::account::Account;
use super::types::author::Author;
use super::types::invitation::{Claim, Invitation};
use super::types::post::Post;
use super::types::work::Work;
use super::viewer::require;
use crate::entities::{author, work};
use crate::error::{ApiResult, AppError, retry_busy};
use crate::social::profile::ProfileEdit;
use crate::social::{accounts, claims, follows, invitations, posts, upvotes};

#[derive(InputObject)]
pub struct SignUpInput {
    /// 3 to 30 letters, digits, '_', '-' or '.'; unique whatever the case
    pub handle: String,
    /// 10 to 256 characters
    pub password: String,
    pub display_name: Option<String>,
}

#[derive(InputObject)]
pub struct ProfileInput {
    /// an empty string clears it
    pub headline: Option<String>,
    /// an http(s) URL; an empty string clears it
    pub homepage: Option<String>,
    pub open_to_collaborate: Option<bool>,
}

#[derive(SimpleObject)]
pub struct AuthPayload {
    /// send as `Authorization: Bearer <token>`; valid for 30 days
    pub token: String,
    pub account: Account,
}

#[derive(SimpleObject)]
pub struct FollowPayload {
    pub author: Author,
    pub following: bool,
}

#[derive(Default)]
pub struct Mutation;

async fn author_by_id(ctx: &Context<'_>, id: i64) -> ApiResult<Author> {
    use sea_orm::EntityTrait;
    let row = author::Entity::find_by_id(id).one(&db(ctx).write).await?;
    row.map(Author::from).ok_or_else(|| AppError::NotFound(format!("no author with id {id}")).into())
}

async fn work_by_id(ctx: &Context<'_>, id: i64) -> ApiResult<Work> {
    use sea_orm::EntityTrait;
    let row = work::Entity::find_by_id(id).one(&db(ctx).write).await?;
    row.map(Work::from).ok_or_else(|| AppError::NotFound(format!("no work with id {id}")).into())
}

/// Not given: unchanged; empty: cleared; else trimmed and bounded.
fn edit(value: Option<String>, name: &str, max: usize) -> ApiResult<Option<Option<String>>> {
    let Some(value) = value.map(|v| v.trim().to_owned()) else { return Ok(None) };
    if value.chars().count() > max {
        return Err(AppError::bad_input(format!("`{name}` has more than {max} characters")).into());
    }
    Ok(Some(Some(value).filter(|v| !v.is_empty())))
}

#[Object]
impl Mutation {
    /// Creates an account and signs it in.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> ApiResult<AuthPayload> {
        let new = || accounts::NewAccount {
            handle: &input.handle,
            password: &input.password,
            display_name: input.display_name.as_deref(),
        };
        let (token, account) = retry_busy(|| accounts::sign_up(db(ctx), new())).await?;
        Ok(AuthPayload { token, account: Account::from(account) })
    }

    /// A new session token for a handle and password.
    async fn sign_in(&self, ctx: &Context<'_>, handle: String, password: String) -> ApiResult<AuthPayload> {
        let (token, account) = retry_busy(|| accounts::sign_in(db(ctx), &handle, &password)).await?;
        Ok(AuthPayload { token, account: Account::from(account) })
    }

    /// A token for another app, shown only now; it lives until revoked
    /// (`scholargraph token revoke`).
    async fn create_api_token(&self, ctx: &Context<'_>, name: String) -> ApiResult<String> {
        let viewer = require(ctx).await?;
        Ok(retry_busy(|| accounts::create_api_token(db(ctx), viewer.id, &name)).await?)
    }

    async fn follow_author(&self, ctx: &Context<'_>, author_id: ID) -> ApiResult<FollowPayload> {
        follow(ctx, &author_id, true).await
    }

    async fn unfollow_author(&self, ctx: &Context<'_>, author_id: ID) -> ApiResult<FollowPayload> {
        follow(ctx, &author_id, false).await
    }

    /// claim a public author record; verified at once when the ORCID iD given matches the record's
    async fn claim_author(&self, ctx: &Context<'_>, author_id: ID, orcid: Option<String>) -> ApiResult<Claim> {
        let viewer = require(ctx).await?;
        let author = global_id::decode(Kind::Author, &author_id)?;
        Ok(Claim::from(retry_busy(|| claims::claim(db(ctx), viewer.id, author, orcid.as_deref())).await?))
    }

    /// An administrator approves or rejects a pending claim.
    async fn decide_claim(&self, ctx: &Context<'_>, claim_id: ID, approve: bool) -> ApiResult<Claim> {
        let viewer = require(ctx).await?;
        let claim = global_id::decode(Kind::Claim, &claim_id)?;
        Ok(Claim::from(retry_busy(|| claims::decide(db(ctx), Some(viewer), claim, approve)).await?))
    }

    /// only the account that holds the verified claim may edit the profile
    async fn update_author_profile(&self, ctx: &Context<'_>, author_id: ID, input: ProfileInput) -> ApiResult<Author> {
        let viewer = require(ctx).await?;
        let author = global_id::decode(Kind::Author, &author_id)?;
        if claims::claimed_author(&db(ctx).write, viewer.id).await? != Some(author) {
            author_by_id(ctx, author).await?;
            return Err(AppError::Forbidden(
                "only the account holding the verified claim may edit this profile".into(),
            )
            .into());
        }
        let headline = edit(input.headline, "headline", 300)?;
        let homepage = edit(input.homepage, "homepage", 500)?;
        if let Some(Some(url)) = &homepage {
            let ok = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !ok {
                return Err(AppError::bad_input(format!("homepage {url:?} is not an http(s) URL")).into());
            }
        }
        let change = ProfileEdit { headline, homepage, open_to_collaborate: input.open_to_collaborate };
        retry_busy(|| crate::social::profile::update(db(ctx), author, change.clone())).await?;
        author_by_id(ctx, author).await
    }

    /// only to claimed authors who are open to collaborate
    async fn invite_to_collaborate(&self, ctx: &Context<'_>, author_id: ID, message: String) -> ApiResult<Invitation> {
        let viewer = require(ctx).await?;
        let author = global_id::decode(Kind::Author, &author_id)?;
        Ok(Invitation::from(retry_busy(|| invitations::invite(db(ctx), viewer.id, author, &message)).await?))
    }

    /// only an account with a claimed author record may post, as that author
    async fn create_post(&self, ctx: &Context<'_>, text: String, reply_to: Option<ID>) -> ApiResult<Post> {
        let viewer = require(ctx).await?;
        let reply_to = reply_to.map(|id| global_id::decode(Kind::Post, &id)).transpose()?;
        Ok(Post::from(retry_busy(|| posts::create(db(ctx), viewer.id, &text, reply_to)).await?))
    }

    /// One upvote per account and work; upvoting again changes nothing.
    async fn upvote_work(&self, ctx: &Context<'_>, work_id: ID) -> ApiResult<Work> {
        let viewer = require(ctx).await?;
        let work = global_id::decode(Kind::Work, &work_id)?;
        retry_busy(|| upvotes::upvote(db(ctx), viewer.id, work)).await?;
        work_by_id(ctx, work).await
    }
}

async fn follow(ctx: &Context<'_>, author_id: &ID, on: bool) -> ApiResult<FollowPayload> {
    let viewer = require(ctx).await?;
    let author = global_id::decode(Kind::Author, author_id)?;
    retry_busy(|| follows::set_following(db(ctx), viewer.id, author, on)).await?;
    Ok(FollowPayload { author: author_by_id(ctx, author).await?, following: on })
}
