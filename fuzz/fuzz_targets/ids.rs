//! Identifier normalisation, global ids and cursors: any text gives a value
//! or an error; a normal form is a fixed point.
#![no_main]
use libfuzzer_sys::fuzz_target;
use scholargraph::graphql::{global_id, paging};
use scholargraph::ids;

fuzz_target!(|s: &str| {
    if let Ok(n) = ids::doi(s) {
        assert_eq!(ids::doi(&n).as_deref(), Ok(n.as_str()));
    }
    if let Ok(n) = ids::orcid(s) {
        assert_eq!(ids::orcid(&n).as_deref(), Ok(n.as_str()));
    }
    if let Ok(n) = ids::arxiv(s) {
        assert_eq!(ids::arxiv(&n).as_deref(), Ok(n.as_str()));
    }
    let _ = ids::ror(s);
    let _ = ids::openalex(s);
    if let Ok((kind, row)) = global_id::decode_any(s) {
        assert_eq!(global_id::decode(kind, &global_id::encode(kind, row)).ok(), Some(row));
    }
    if let Ok(p) = paging::decode_cursor(s) {
        assert_eq!(paging::decode_cursor(&paging::encode_cursor(p)).ok(), Some(p));
    }
});
