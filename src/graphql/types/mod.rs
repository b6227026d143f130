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
