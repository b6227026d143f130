//! The import record parsers of every format, and the check of each record:
//! any bytes give records or rejections, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use scholargraph::ingest::formats::{self, Format, Options};
use scholargraph::ingest::prepare::prepare;

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else { return };
    let format = match which % 4 {
        0 => Format::OpenAlex,
        1 => Format::Arxiv,
        2 => Format::S2,
        _ => Format::Bibtex,
    };
    let reader = std::io::Cursor::new(bytes.to_vec());
    for record in formats::records_with_options(format, Box::new(reader), Options::default()).take(1_000) {
        if let Ok(r) = record {
            let _ = prepare(&r.doc);
        }
    }
});
