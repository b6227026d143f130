//! Opening inputs: files or stdin, gzip-compressed or not.
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use flate2::read::MultiGzDecoder;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const BUFFER: usize = 256 * 1024;

/// Opens a path (`-` = stdin). Gzip input (`.gz`, or any input that starts
/// with the gzip magic bytes `1f 8b`; concatenated members too) is
/// decompressed transparently. A `.gz` file without the magic bytes is an
/// error rather than being read as text.
pub fn open(path: &str) -> io::Result<Box<dyn BufRead + Send>> {
    if path == "-" {
        return wrap(BufReader::with_capacity(BUFFER, io::stdin()), false, "stdin");
    }
    let file = File::open(path).map_err(|e| io::Error::new(e.kind(), format!("{path}: {e}")))?;
    let gz_name = path.to_ascii_lowercase().ends_with(".gz");
    wrap(BufReader::with_capacity(BUFFER, file), gz_name, path)
}

fn wrap<R: Read + Send + 'static>(
    mut reader: BufReader<R>,
    gz_name: bool,
    name: &str,
) -> io::Result<Box<dyn BufRead + Send>> {
    let head = loop {
        match reader.fill_buf() {
            Ok(buf) => break buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io::Error::new(e.kind(), format!("{name}: {e}"))),
        }
    };
    // fill_buf may return fewer than two bytes only at the end or on a
    // short read; a one-byte input is not gzip either way.
    let gzip = head.len() >= 2 && head[..2] == GZIP_MAGIC;
    if gzip {
        Ok(Box::new(BufReader::with_capacity(BUFFER, MultiGzDecoder::new(reader))))
    } else if gz_name && !head.is_empty() {
        Err(io::Error::new(io::ErrorKind::InvalidData, format!("{name}: named .gz but not gzip data")))
    } else {
        Ok(Box::new(reader))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn read_all(mut r: Box<dyn BufRead + Send>) -> String {
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn plain_and_gzip_files_read_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.jsonl");
        std::fs::write(&plain, "{\"a\":1}\n{\"a\":2}\n").unwrap();
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(b"{\"a\":1}\n").unwrap();
        let mut bytes = enc.finish().unwrap();
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(b"{\"a\":2}\n").unwrap();
        bytes.extend(enc.finish().unwrap()); // two members, as pigz or cat writes them
        let gz = dir.path().join("a.jsonl.gz");
        std::fs::write(&gz, &bytes).unwrap();
        let sniffed = dir.path().join("no-extension");
        std::fs::write(&sniffed, &bytes).unwrap();
        let expected = "{\"a\":1}\n{\"a\":2}\n";
        assert_eq!(read_all(open(plain.to_str().unwrap()).unwrap()), expected);
        assert_eq!(read_all(open(gz.to_str().unwrap()).unwrap()), expected);
        assert_eq!(read_all(open(sniffed.to_str().unwrap()).unwrap()), expected);
    }

    #[test]
    fn missing_and_fake_gzip_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.json");
        let err = open(missing.to_str().unwrap()).err().unwrap();
        assert!(err.to_string().contains("nope.json"), "{err}");
        let fake = dir.path().join("fake.gz");
        std::fs::write(&fake, "plain text").unwrap();
        assert!(open(fake.to_str().unwrap()).is_err());
        let empty = dir.path().join("empty.gz");
        std::fs::write(&empty, "").unwrap();
        assert_eq!(read_all(open(empty.to_str().unwrap()).unwrap()), "");
    }
}
