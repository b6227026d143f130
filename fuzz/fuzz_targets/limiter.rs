//! The query limiter: any text is measured (and, when it parses, its shape
//! counted) in bounded time, never with a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use scholargraph::graphql::limits::QueryLimits;

fuzz_target!(|s: &str| {
    let limits = QueryLimits::default();
    if limits.check_text(s).is_ok() {
        if let Ok(doc) = async_graphql::parser::parse_query(s) {
            let _ = limits.check_document(&doc);
        }
    }
});
