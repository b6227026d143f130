//! Getting data in. Every format is parsed into the records of `model` and
//! written by `writer`, the one code path that matches records to existing
//! rows on their external ids; `derive` then refreshes derived data.
pub mod batch;
pub mod derive;
pub mod formats;
pub mod generate;
pub mod import;
pub mod known;
pub mod link_dates;
pub mod model;
pub mod names;
pub mod prepare;
pub mod runs;
pub mod specs;
pub mod upsert;
pub mod writer;

pub use model::Document;
pub use writer::{WriteSummary, write_document};
