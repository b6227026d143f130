//! JSON framing shared by the OpenAlex, arXiv and Semantic Scholar formats,
//! and typed access to JSON objects with short, specific error reasons.
//!
//! An input is either JSON lines (one value per line, read one line at a
//! time) or JSON documents spread over lines (pretty-printed; read whole,
//! several concatenated documents allowed). Which one is decided on the first
//! non-blank lines: JSON lines when the first line is a complete value, or
//! when it is broken but the second line is a complete object/array.
//!
//! A value that is an array, or an API list envelope (an object with an
//! array under `results` (OpenAlex) or `data` (Semantic Scholar) and no `id`,
//! `paperId` or `authorId`), stands for its elements, each one record.
use std::collections::{BTreeMap, VecDeque};
use std::io::BufRead;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{Record, RecordError, checked, truncate_raw};
use crate::ingest::model::Document;

/// One JSON record of the input, parsed or not.
pub(crate) struct Item {
    pub line: usize,
    pub value: Result<Value, String>,
    pub raw: String,
}

impl Item {
    /// Applies a format's converter, keeping line and raw text for errors.
    pub fn convert(self, f: impl FnOnce(&Value) -> Result<Document, String>) -> Result<Record, RecordError> {
        let converted = match &self.value {
            Ok(v) => f(v),
            Err(e) => Err(e.clone()),
        };
        checked(self.line, converted, &self.raw)
    }
}

pub(crate) fn items(reader: Box<dyn BufRead + Send>) -> Box<dyn Iterator<Item = Item> + Send> {
    Box::new(Items { reader, line: 0, mode: Mode::Start, lookahead: VecDeque::new(), pending: VecDeque::new() })
}

enum Mode {
    Start,
    Lines,
    Document { text: String, spans: VecDeque<(usize, usize, usize)>, trailing: Option<Item> },
    Done,
}

struct Items {
    reader: Box<dyn BufRead + Send>,
    /// lines read so far
    line: usize,
    mode: Mode,
    /// lines read while deciding the mode: (line number, bytes)
    lookahead: VecDeque<(usize, Vec<u8>)>,
    /// elements of an array or envelope found on one line
    pending: VecDeque<Item>,
}

fn is_blank(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    bytes.iter().all(u8::is_ascii_whitespace)
}

fn parses_as_container(bytes: &[u8]) -> bool {
    matches!(serde_json::from_slice::<Value>(bytes), Ok(Value::Object(_) | Value::Array(_)))
}

/// `EOF while parsing a string at line 1 column 57` → `invalid JSON: EOF
/// while parsing a string at column 57` (lines) or `… at line L column C`.
fn json_error(e: &serde_json::Error, absolute_line: Option<usize>) -> String {
    let msg = e.to_string();
    let msg = match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => msg.as_str(),
    };
    match absolute_line {
        None => format!("invalid JSON: {msg} at column {}", e.column()),
        Some(line) => format!("invalid JSON: {msg} at line {line} column {}", e.column()),
    }
}

impl Items {
    fn read_line(&mut self) -> Option<Result<(usize, Vec<u8>), Item>> {
        let mut buf = Vec::new();
        match self.reader.read_until(b'\n', &mut buf) {
            Ok(0) => None,
            Ok(_) => {
                self.line += 1;
                Some(Ok((self.line, buf)))
            }
            Err(e) => {
                Some(Err(Item { line: self.line + 1, value: Err(format!("read error: {e}")), raw: String::new() }))
            }
        }
    }

    fn next_line(&mut self) -> Option<Result<(usize, Vec<u8>), Item>> {
        match self.lookahead.pop_front() {
            Some(l) => Some(Ok(l)),
            None => self.read_line(),
        }
    }

    fn decide(&mut self) -> Option<Item> {
        let mut non_blank = Vec::new();
        while non_blank.len() < 2 {
            match self.read_line() {
                None => break,
                Some(Err(item)) => {
                    self.mode = Mode::Done;
                    return Some(item);
                }
                Some(Ok((n, bytes))) => {
                    if !is_blank(&bytes) {
                        non_blank.push(self.lookahead.len());
                    }
                    self.lookahead.push_back((n, bytes));
                }
            }
        }
        let Some(&first) = non_blank.first() else {
            self.mode = Mode::Done;
            return None;
        };
        let first = strip_bom(&self.lookahead[first].1);
        let trimmed = first.trim_ascii();
        let lines = match serde_json::from_slice::<Value>(first) {
            Ok(_) => true,
            Err(_) if trimmed == b"{" || trimmed == b"[" => false,
            Err(e) => non_blank.get(1).is_some_and(|&i| parses_as_container(&self.lookahead[i].1)) || !e.is_eof(),
        };
        if lines {
            self.mode = Mode::Lines;
            return None;
        }
        let mut bytes = Vec::new();
        for (_, l) in self.lookahead.drain(..) {
            bytes.extend_from_slice(&l);
        }
        if let Err(e) = self.reader.read_to_end(&mut bytes) {
            self.mode = Mode::Done;
            return Some(Item { line: self.line + 1, value: Err(format!("read error: {e}")), raw: String::new() });
        }
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|b| **b == b'\n').count();
                let raw = String::from_utf8_lossy(e.as_bytes()).into_owned();
                self.mode = Mode::Done;
                return Some(Item { line, value: Err("invalid UTF-8".into()), raw: truncate_raw(&raw) });
            }
        };
        let (spans, trailing) = document_spans(&text);
        self.mode = Mode::Document { text, spans: spans.into(), trailing };
        None
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

fn is_envelope<T>(map: &BTreeMap<String, T>) -> bool {
    !["id", "paperId", "authorId"].iter().any(|k| map.contains_key(*k))
}

/// `Err(elements)` when the value is an array or a list envelope.
fn value_elements(value: Value) -> Result<Value, Vec<Value>> {
    match value {
        Value::Array(items) => Err(items),
        Value::Object(mut map) if !["id", "paperId", "authorId"].iter().any(|k| map.contains_key(*k)) => {
            for key in ["results", "data"] {
                if matches!(map.get(key), Some(Value::Array(_)))
                    && let Some(Value::Array(items)) = map.remove(key)
                {
                    return Err(items);
                }
            }
            Ok(Value::Object(map))
        }
        other => Ok(other),
    }
}

/// If `value` is an array or a list envelope, its elements.
fn elements(raw: &RawValue) -> Option<Vec<&RawValue>> {
    let text = raw.get();
    match text.trim_start().as_bytes().first() {
        Some(b'[') => serde_json::from_str::<Vec<&RawValue>>(text).ok(),
        Some(b'{') => {
            let map: BTreeMap<String, &RawValue> = serde_json::from_str(text).ok()?;
            if !is_envelope(&map) {
                return None;
            }
            let list = map.get("results").or_else(|| map.get("data"))?;
            if list.get().trim_start().starts_with('[') {
                serde_json::from_str::<Vec<&RawValue>>(list.get()).ok()
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The records of a whole document: (line, start, end) byte spans, and an
/// error item when the text stops being JSON.
fn document_spans(text: &str) -> (Vec<(usize, usize, usize)>, Option<Item>) {
    let base = text.as_ptr() as usize;
    let mut spans = Vec::new();
    let mut counted = (0usize, 1usize); // (offset, line at offset)
    let mut line_at = |offset: usize| {
        let (from, line) = counted;
        let line = line + text.as_bytes()[from..offset].iter().filter(|b| **b == b'\n').count();
        counted = (offset, line);
        line
    };
    let mut stream =
        serde_json::Deserializer::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).into_iter::<&RawValue>();
    for value in &mut stream {
        match value {
            Ok(raw) => {
                let parts = elements(raw).unwrap_or_else(|| vec![raw]);
                for part in parts {
                    let start = part.get().as_ptr() as usize - base;
                    spans.push((line_at(start), start, start + part.get().len()));
                }
            }
            Err(e) => {
                let line = e.line().max(1);
                let rest_start = text.split_inclusive('\n').take(line - 1).map(str::len).sum::<usize>();
                let item =
                    Item { line, value: Err(json_error(&e, Some(line))), raw: truncate_raw(&text[rest_start..]) };
                return (spans, Some(item));
            }
        }
    }
    (spans, None)
}

impl Iterator for Items {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            match &mut self.mode {
                Mode::Start => {
                    if let Some(item) = self.decide() {
                        return Some(item);
                    }
                }
                Mode::Done => return None,
                Mode::Document { text, spans, trailing } => {
                    return match spans.pop_front() {
                        Some((line, start, end)) => {
                            let raw = &text[start..end];
                            let value = serde_json::from_str::<Value>(raw).map_err(|e| json_error(&e, None));
                            Some(Item { line, value, raw: truncate_raw(raw) })
                        }
                        None => {
                            let t = trailing.take();
                            self.mode = Mode::Done;
                            t
                        }
                    };
                }
                Mode::Lines => {
                    let (line, bytes) = match self.next_line()? {
                        Ok(l) => l,
                        Err(item) => {
                            self.mode = Mode::Done;
                            return Some(item);
                        }
                    };
                    if is_blank(&bytes) {
                        continue;
                    }
                    let bytes = strip_bom(&bytes);
                    let text = match std::str::from_utf8(bytes) {
                        Ok(t) => t.trim_end_matches(['\n', '\r']),
                        Err(_) => {
                            let raw = String::from_utf8_lossy(bytes);
                            return Some(Item {
                                line,
                                value: Err("invalid UTF-8".into()),
                                raw: truncate_raw(raw.trim_end()),
                            });
                        }
                    };
                    match serde_json::from_str::<Value>(text) {
                        Err(e) => {
                            return Some(Item { line, value: Err(json_error(&e, None)), raw: truncate_raw(text) });
                        }
                        Ok(value) => match value_elements(value) {
                            Ok(value) => {
                                return Some(Item { line, value: Ok(value), raw: truncate_raw(text) });
                            }
                            Err(parts) => {
                                for part in parts {
                                    let raw = truncate_raw(&part.to_string());
                                    self.pending.push_back(Item { line, value: Ok(part), raw });
                                }
                            }
                        },
                    }
                }
            }
        }
    }
}

/// A JSON object with the path it was found at, for error reasons like
/// `"authorships[2].author.orcid": expected a string, found a number`.
#[derive(Clone, Copy)]
pub(crate) struct Obj<'a, 'p> {
    pub map: &'a Map<String, Value>,
    path: &'p str,
}

pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `"path"` quoted for a reason.
pub(crate) fn quote(path: &str) -> String {
    format!("\"{path}\"")
}

impl<'a, 'p> Obj<'a, 'p> {
    /// The top-level object of a record.
    pub fn root(v: &'a Value) -> Result<Obj<'a, 'static>, String> {
        match v {
            Value::Object(map) => Ok(Obj { map, path: "" }),
            other => Err(format!("expected a JSON object, found {}", kind(other))),
        }
    }

    /// An object found at `path` (which must outlive it: pass a `&String`
    /// built by [`Obj::path`]).
    pub fn at(v: &'a Value, path: &'p str) -> Result<Obj<'a, 'p>, String> {
        match v {
            Value::Object(map) => Ok(Obj { map, path }),
            other => Err(format!("{}: expected an object, found {}", quote(path), kind(other))),
        }
    }

    /// The path of a field of this object, unquoted: `authorships[2].author`.
    pub fn path(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_owned() } else { format!("{}.{key}", self.path) }
    }

    /// `"path.key": <msg>`
    pub fn err(&self, key: &str, msg: impl std::fmt::Display) -> String {
        format!("{}: {msg}", quote(&self.path(key)))
    }

    /// The value of a field; `None` when missing or null.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value) -> String {
        self.err(key, format!("expected {expected}, found {}", kind(found)))
    }

    /// A string field; `None` when missing, null or blank.
    pub fn str(&self, key: &str) -> Result<Option<&'a str>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.trim().is_empty())),
            Some(other) => Err(self.wrong(key, "a string", other)),
        }
    }

    /// A string field that must be there: `missing "title"` otherwise.
    pub fn req_str(&self, key: &str) -> Result<&'a str, String> {
        self.str(key)?.ok_or_else(|| format!("missing {}", quote(&self.path(key))))
    }

    /// A string or a number, as text (ids are sometimes numbers).
    pub fn id_str(&self, key: &str) -> Result<Option<String>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(self.wrong(key, "a string", other)),
        }
    }

    /// An integer field (a float with no fraction counts).
    pub fn i64(&self, key: &str) -> Result<Option<i64>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) => Ok(Some(i)),
                None => match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
                    _ => Err(self.err(key, format!("expected an integer, found {n}"))),
                },
            },
            Some(other) => Err(self.wrong(key, "an integer", other)),
        }
    }

    /// A year-like integer field that fits an `i32`.
    pub fn i32(&self, key: &str) -> Result<Option<i32>, String> {
        match self.i64(key)? {
            None => Ok(None),
            Some(i) => i32::try_from(i).map(Some).map_err(|_| self.err(key, format!("out of range: {i}"))),
        }
    }

    pub fn f64(&self, key: &str) -> Result<Option<f64>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(other) => Err(self.wrong(key, "a number", other)),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong(key, "a boolean", other)),
        }
    }

    /// An array field; empty when missing or null.
    pub fn arr(&self, key: &str) -> Result<&'a [Value], String> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(a)) => Ok(a.as_slice()),
            Some(other) => Err(self.wrong(key, "an array", other)),
        }
    }

    /// An array of strings (blank ones left out).
    pub fn strs(&self, key: &str) -> Result<Vec<&'a str>, String> {
        let mut out = Vec::new();
        for (i, v) in self.arr(key)?.iter().enumerate() {
            match v {
                Value::String(s) if !s.trim().is_empty() => out.push(s.as_str()),
                Value::String(_) | Value::Null => {}
                other => {
                    return Err(format!(
                        "{}: expected a string, found {}",
                        quote(&format!("{}[{i}]", self.path(key))),
                        kind(other)
                    ));
                }
            }
        }
        Ok(out)
    }

    /// An object field at `path` = `self.path(key)` (the caller keeps the
    /// path string alive); `None` when missing or null.
    pub fn obj<'q>(&self, key: &str, path: &'q str) -> Result<Option<Obj<'a, 'q>>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => Obj::at(v, path).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn run(input: &str) -> Vec<(usize, Result<Value, String>)> {
        items(Box::new(Cursor::new(input.as_bytes().to_vec()))).map(|i| (i.line, i.value)).collect()
    }

    #[test]
    fn json_lines_with_blank_and_broken_lines() {
        let out = run("{\"a\":1}\n\n{\"a\":2\n[{\"a\":3},{\"a\":4}]\n{\"meta\":{},\"results\":[{\"a\":5}]}\n");
        let lines: Vec<usize> = out.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![1, 3, 4, 4, 5]);
        assert_eq!(out[0].1.as_ref().unwrap()["a"], 1);
        assert_eq!(out[1].1.as_ref().unwrap_err(), "invalid JSON: EOF while parsing an object at column 6");
        assert_eq!(out[4].1.as_ref().unwrap()["a"], 5);
    }

    #[test]
    fn a_broken_first_line_does_not_swallow_the_file() {
        let out = run("{\"a\": \"trunc\n{\"a\":2}\n");
        assert_eq!(out.len(), 2);
        assert!(out[0].1.is_err());
        assert_eq!(out[1].0, 2);
    }

    #[test]
    fn pretty_documents_arrays_and_envelopes() {
        let out = run("{\n  \"a\": 1\n}\n");
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].0, out[0].1.as_ref().unwrap()["a"].clone()), (1, Value::from(1)));
        let out = run("[\n  {\"a\": 1},\n  {\n    \"a\": 2\n  }\n]\n");
        assert_eq!(out.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![2, 3]);
        let out = run("{\n \"meta\": {\"count\": 2},\n \"results\": [\n  {\"id\": 1},\n  {\"id\": 2}\n ]\n}");
        assert_eq!(out.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![4, 5]);
        let out = run("{\n \"offset\": 0,\n \"data\": [\n  {\"paperId\": \"x\"}\n ]\n}\n{\n \"b\": 1\n}\n");
        assert_eq!(out.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![4, 7]);
    }

    #[test]
    fn a_broken_document_is_one_error_after_its_good_parts() {
        let out = run("[\n {\"a\": 1},\n {\"a\": 2,,\n]\n");
        // the stream parser sees the array as one value: it fails as a whole
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, 3);
        assert!(out[0].1.as_ref().unwrap_err().starts_with("invalid JSON: "), "{:?}", out[0].1);
        let out = run("{\n \"a\": 1\n}\n{\n \"a\": \n");
        assert_eq!(out.len(), 2);
        assert!(out[0].1.is_ok());
        assert!(out[1].1.is_err());
    }

    #[test]
    fn typed_access_reasons() {
        let v: Value = serde_json::from_str(r#"{"t": 3, "s": " ", "n": 2.0, "o": {"x": [1]}}"#).unwrap();
        let o = Obj::root(&v).unwrap();
        assert_eq!(o.str("t").unwrap_err(), r#""t": expected a string, found a number"#);
        assert_eq!(o.str("s").unwrap(), None);
        assert_eq!(o.req_str("title").unwrap_err(), r#"missing "title""#);
        assert_eq!(o.i64("n").unwrap(), Some(2));
        let p = o.path("o");
        let inner = o.obj("o", &p).unwrap().unwrap();
        assert_eq!(inner.strs("x").unwrap_err(), r#""o.x[0]": expected a string, found a number"#);
        assert_eq!(Obj::root(&Value::from(1)).err().unwrap(), "expected a JSON object, found a number");
    }
}
