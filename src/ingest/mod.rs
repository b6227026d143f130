//! Getting data in. Every format is parsed into the records of `model` and
//! written by `writer`, the one code path that matches records to existing
//! rows on their external ids; `derive` then refreshes derived data.
pub mod derive;
pub mod formats;
pub mod model;
pub mod names;
pub mod writer;

pub use model::Document;
pub use writer::{WriteSummary, write_document};
