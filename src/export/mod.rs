//! Getting data out: BibTeX and CSL-JSON for a work (the `bibtex` and
//! `cslJson` fields of `Work`) and `scholargraph export` for an author's works
//! or all of them.
pub mod cite;
pub mod command;
pub mod openalex;

pub use cite::{Citable, Name, bibtex, csl_json};
