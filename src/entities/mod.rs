//! sea-orm entities, one file per table. API types wrap these models; they
//! never appear in the GraphQL schema directly.
pub mod account;
pub mod affiliation;
pub mod author;
pub mod author_topic;
pub mod authorship;
pub mod authorship_institution;
pub mod citation;
pub mod claim;
pub mod external_metric;
pub mod institution;
pub mod invitation;
pub mod post;
pub mod topic;
pub mod venue;
pub mod work;
pub mod work_feature;
pub mod work_topic;
