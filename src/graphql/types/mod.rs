//! One file per GraphQL type: the type, its inputs and keys, its loaders.
pub mod account;
pub mod author;
pub mod authorship;
pub mod facets;
pub mod institution;
pub mod invitation;
pub mod node;
pub mod post;
pub mod related;
pub mod research_graph;
pub mod search;
pub mod social;
pub mod topic;
pub mod trending;
pub mod trust;
pub mod venue;
pub mod work;

/// Objects made of one row hold it shared (see `loaders::Rows`); these make
/// them of a row owned or already shared.
macro_rules! of_owned_rows {
    ($($object:path => $entity:ident),* $(,)?) => {
        $(impl From<crate::entities::$entity::Model> for $object {
            fn from(row: crate::entities::$entity::Model) -> Self {
                Self(std::sync::Arc::new(row))
            }
        }

        impl From<std::sync::Arc<crate::entities::$entity::Model>> for $object {
            fn from(row: std::sync::Arc<crate::entities::$entity::Model>) -> Self {
                Self(row)
            }
        })*
    };
}

of_owned_rows!(
    account::Account => account,
    author::Author => author,
    author::Affiliation => affiliation,
    author::ExternalMetric => external_metric,
    institution::Institution => institution,
    invitation::Invitation => invitation,
    invitation::Claim => claim,
    post::Post => post,
    topic::Topic => topic,
    venue::Venue => venue,
    work::Work => work,
);
