//! The social layer's rules, shared by the GraphQL mutations and the CLI:
//! accounts and tokens, follows, profile claims, invitations, posts,
//! upvotes, the trust score, and the event log behind live updates.
pub mod accounts;
pub mod claims;
pub mod credentials;
pub mod events;
pub mod follows;
pub mod invitations;
pub mod links;
pub mod posts;
pub mod profile;
pub mod trust;
pub mod upvotes;
