//! BibTeX / BibLaTeX `.bib` files, read one entry at a time (constant
//! memory). Entries become works keyed by their citation key; `@string`
//! macros (and the month names `jan`…`dec`) are expanded, `@comment` and
//! `@preamble` skipped, text outside entries ignored as BibTeX does. A line
//! that is not UTF-8 is read as Latin-1.
//!
//! A hand-written reader rather than the `biblatex` crate: that crate parses
//! a whole file at once and gives up on the first syntax error, where an
//! import must report the broken entry (with its line) and go on.
//!
//! Mapping: entry type → work type (article → ARTICLE; inproceedings,
//! conference → CONFERENCE_PAPER; book → BOOK; incollection, inbook →
//! BOOK_CHAPTER; phdthesis, mastersthesis, thesis → THESIS; dataset →
//! DATASET; misc, unpublished, online, preprint with an arXiv eprint →
//! PREPRINT; else OTHER). `author` is split on ` and `; `Last, First`,
//! `Last, Jr, First` and `First Last` all become `First Last [Jr]`
//! authorships without author records (`and others` leaves `author_count`
//! unknown). LaTeX is decoded and braces removed in every text field.
//! `journal` is a JOURNAL venue, `booktitle` a CONFERENCE venue for
//! proceedings papers (else OTHER); arXiv eprints (`eprint` with
//! `archivePrefix`/`eprinttype` arXiv, or a Google Scholar style `journal =
//! {arXiv preprint arXiv:…}`) set `arxiv_id`, and such a journal is the
//! arXiv venue. `year` (and `month` + `day`, or BibLaTeX `date`) give the
//! date; `keywords` (split on `,` or `;`) are KEYWORD topics.
use std::collections::HashMap;
use std::io::BufRead;

use chrono::NaiveDate;

use super::latex::decode;
use super::{Builder, Record, RecordError, arxiv_venue, checked, fold_ws, keyword_topic, record_error};
use crate::ids;
use crate::ingest::model::{Authorship, Document, Venue, Work};

pub(crate) fn entries(reader: Box<dyn BufRead + Send>) -> Entries {
    Entries { reader, line: 0, rest: String::new(), rest_line: 0, macros: HashMap::new(), done: false }
}

pub(crate) struct Entries {
    reader: Box<dyn BufRead + Send>,
    /// lines read so far
    line: usize,
    /// unread text of the current line (after an entry that ended mid-line)
    rest: String,
    rest_line: usize,
    macros: HashMap<String, String>,
    done: bool,
}

/// An entry's text from `@` to its closing delimiter.
struct RawEntry {
    line: usize,
    kind: String,
    /// between the delimiters
    body: String,
    raw: String,
}

enum Scan {
    Entry(RawEntry),
    Error(RecordError),
}

/// `@type{` or `@type(` at the start of `s`: (type, delimiter, bytes up to and including it).
fn entry_start(s: &str) -> Option<(String, char, usize)> {
    let rest = s.strip_prefix('@')?;
    let name_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(rest.len());
    if name_len == 0 {
        return None;
    }
    let after = &rest[name_len..];
    let ws = after.len() - after.trim_start().len();
    let delim = after[ws..].chars().next()?;
    (delim == '{' || delim == '(').then(|| (rest[..name_len].to_ascii_lowercase(), delim, 1 + name_len + ws + 1))
}

impl Entries {
    fn read_line(&mut self) -> Option<Result<String, RecordError>> {
        let mut bytes = Vec::new();
        match self.reader.read_until(b'\n', &mut bytes) {
            Ok(0) => None,
            Ok(_) => {
                self.line += 1;
                Some(Ok(match String::from_utf8(bytes) {
                    Ok(s) => s,
                    Err(e) => e.into_bytes().iter().map(|b| *b as char).collect(),
                }))
            }
            Err(e) => Some(Err(record_error(self.line + 1, format!("read error: {e}"), ""))),
        }
    }

    /// The next entry (or a broken one), skipping text outside entries.
    fn scan(&mut self) -> Option<Scan> {
        // find the start of an entry
        let (mut line_no, mut text) = if !self.rest.is_empty() {
            (self.rest_line, std::mem::take(&mut self.rest))
        } else {
            match self.read_line()? {
                Ok(l) => (self.line, l),
                Err(e) => {
                    self.done = true;
                    return Some(Scan::Error(e));
                }
            }
        };
        loop {
            let mut found = None;
            for (i, _) in text.match_indices('@') {
                if let Some(start) = entry_start(&text[i..]) {
                    found = Some((i, start));
                    break;
                }
            }
            if let Some((i, (kind, delim, len))) = found {
                let start_line = line_no;
                let mut raw = text[i..].to_owned();
                let body_start = len;
                let close = if delim == '{' { '}' } else { ')' };
                let mut depth = 0usize;
                let mut in_quotes = false;
                let mut scanned = len;
                loop {
                    // scan what we have for the closing delimiter
                    let mut end = None;
                    let mut prev_backslash = false;
                    for (j, c) in raw[scanned..].char_indices() {
                        let j = scanned + j;
                        match c {
                            '{' if !prev_backslash => depth += 1,
                            '}' if !prev_backslash && depth > 0 => depth -= 1,
                            '"' if delim == '(' && depth == 0 && !prev_backslash => in_quotes = !in_quotes,
                            c if c == close && depth == 0 && !in_quotes && !prev_backslash => {
                                end = Some(j);
                                break;
                            }
                            _ => {}
                        }
                        prev_backslash = c == '\\' && !prev_backslash;
                    }
                    if let Some(end) = end {
                        let rest = raw[end + 1..].to_owned();
                        if !rest.trim().is_empty() {
                            self.rest = rest;
                            self.rest_line = self.line;
                        }
                        let body = raw[body_start..end].to_owned();
                        raw.truncate(end + 1);
                        return Some(Scan::Entry(RawEntry { line: start_line, kind, body, raw }));
                    }
                    scanned = raw.len();
                    // more lines; a new entry at the start of a line means this one was never closed
                    match self.read_line() {
                        None => {
                            self.done = true;
                            return Some(Scan::Error(record_error(
                                start_line,
                                format!("unterminated @{kind} entry (no closing {close:?})"),
                                &raw,
                            )));
                        }
                        Some(Err(e)) => {
                            self.done = true;
                            return Some(Scan::Error(e));
                        }
                        Some(Ok(next)) => {
                            if entry_start(next.trim_start()).is_some() {
                                self.rest = next;
                                self.rest_line = self.line;
                                return Some(Scan::Error(record_error(
                                    start_line,
                                    format!("unterminated @{kind} entry (no closing {close:?} before the next entry)"),
                                    &raw,
                                )));
                            }
                            raw.push_str(&next);
                        }
                    }
                }
            }
            // no entry on this line: next line
            match self.read_line()? {
                Ok(l) => {
                    line_no = self.line;
                    text = l;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Scan::Error(e));
                }
            }
        }
    }
}

impl Iterator for Entries {
    type Item = Result<Record, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done && self.rest.is_empty() {
                return None;
            }
            let entry = match self.scan()? {
                Scan::Error(e) => return Some(Err(e)),
                Scan::Entry(entry) => entry,
            };
            match entry.kind.as_str() {
                "comment" | "preamble" => continue,
                "string" => match parse_fields(&entry.body, &self.macros, false) {
                    Ok((_, fields)) => {
                        for (name, value) in fields {
                            self.macros.insert(name, value);
                        }
                        continue;
                    }
                    Err(reason) => {
                        return Some(Err(record_error(entry.line, format!("@string: {reason}"), &entry.raw)));
                    }
                },
                _ => {
                    let result = parse_fields(&entry.body, &self.macros, true)
                        .and_then(|(key, fields)| convert(&entry.kind, &key, &fields, entry.line));
                    return Some(checked(entry.line, result, &entry.raw));
                }
            }
        }
    }
}

fn month_macro(name: &str) -> Option<&'static str> {
    Some(match name {
        "jan" => "January",
        "feb" => "February",
        "mar" => "March",
        "apr" => "April",
        "may" => "May",
        "jun" => "June",
        "jul" => "July",
        "aug" => "August",
        "sep" => "September",
        "oct" => "October",
        "nov" => "November",
        "dec" => "December",
        _ => return None,
    })
}

/// `key, name = {value} # "more" # macro, …` → (key, [(name, value)]);
/// field names lower-cased, the first of repeated fields kept, values with
/// their inner braces (they matter to LaTeX decoding).
fn parse_fields(
    body: &str,
    macros: &HashMap<String, String>,
    with_key: bool,
) -> Result<(String, Vec<(String, String)>), String> {
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    let mut key = String::new();
    if with_key {
        skip_ws(&mut i);
        while i < chars.len() && chars[i] != ',' {
            key.push(chars[i]);
            i += 1;
        }
        key = key.trim().to_owned();
        if key.contains(char::is_whitespace) || key.contains('=') {
            return Err(format!("no citation key (found {:?})", key.chars().take(40).collect::<String>()));
        }
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    loop {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == ',') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut name = String::new();
        while i < chars.len() && !chars[i].is_whitespace() && !"=,{}\"#".contains(chars[i]) {
            name.push(chars[i]);
            i += 1;
        }
        if name.is_empty() {
            return Err(format!("expected a field name, found {:?}", chars[i]));
        }
        skip_ws(&mut i);
        if i >= chars.len() || chars[i] != '=' {
            return Err(format!("expected \"=\" after field name {name:?}"));
        }
        i += 1;
        let mut value = String::new();
        loop {
            skip_ws(&mut i);
            match chars.get(i) {
                Some('{') => {
                    let mut depth = 1;
                    i += 1;
                    let start = i;
                    while i < chars.len() {
                        match chars[i] {
                            '\\' => i += 1,
                            '{' => depth += 1,
                            '}' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        i += 1;
                    }
                    if i >= chars.len() {
                        return Err(format!("field {name:?}: unbalanced braces"));
                    }
                    value.extend(&chars[start..i]);
                    i += 1;
                }
                Some('"') => {
                    i += 1;
                    let start = i;
                    let mut depth = 0;
                    while i < chars.len() && !(chars[i] == '"' && depth == 0) {
                        match chars[i] {
                            '\\' => i += 1,
                            '{' => depth += 1,
                            '}' => depth -= 1,
                            _ => {}
                        }
                        i += 1;
                    }
                    if i >= chars.len() {
                        return Err(format!("field {name:?}: unterminated quoted value"));
                    }
                    value.extend(&chars[start..i]);
                    i += 1;
                }
                Some(c) if c.is_alphanumeric() || *c == '_' || *c == '-' || *c == '.' || *c == ':' => {
                    let mut word = String::new();
                    while i < chars.len() && !chars[i].is_whitespace() && !",#}".contains(chars[i]) {
                        word.push(chars[i]);
                        i += 1;
                    }
                    if word.chars().all(|c| c.is_ascii_digit()) {
                        value.push_str(&word);
                    } else {
                        let lower = word.to_lowercase();
                        // an undefined macro is empty, as in BibTeX
                        if let Some(v) = macros.get(&lower).map(String::as_str).or_else(|| month_macro(&lower)) {
                            value.push_str(v);
                        }
                    }
                }
                Some(c) => return Err(format!("field {name:?}: unexpected {c:?}")),
                None => return Err(format!("field {name:?}: missing value")),
            }
            skip_ws(&mut i);
            if chars.get(i) == Some(&'#') {
                i += 1;
                continue;
            }
            break;
        }
        let name = name.to_lowercase();
        if !fields.iter().any(|(n, _)| *n == name) {
            fields.push((name, value));
        }
        skip_ws(&mut i);
        match chars.get(i) {
            None | Some(',') => {}
            Some(c) => {
                return Err(format!(
                    "expected \",\" after field {:?}, found {c:?}",
                    fields.last().map(|f| f.0.as_str()).unwrap_or("")
                ));
            }
        }
    }
    Ok((key, fields))
}

/// Identifiers and URLs: braces gone, `\_`-style escapes undone.
fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' | '}' => {}
            '\\' => match chars.peek() {
                Some(n) if !n.is_ascii_alphabetic() => {
                    out.push(*n);
                    chars.next();
                }
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// Splits a name list on ` and ` outside braces.
fn split_names(s: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    let words: Vec<&str> = s.split_whitespace().collect();
    for w in words {
        if depth == 0 && w.eq_ignore_ascii_case("and") {
            names.push(std::mem::take(&mut current));
            continue;
        }
        for c in w.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(w);
    }
    names.push(current);
    names.into_iter().filter(|n| !n.trim().is_empty()).collect()
}

/// `Last, First`, `Last, Jr, First` or `First Last` → `First Last [Jr]`.
fn display_name(raw: &str) -> String {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in raw.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    let parts: Vec<String> = parts.iter().map(|p| fold_ws(&decode(p))).collect();
    let ordered = match parts.as_slice() {
        [last, first] => vec![first.clone(), last.clone()],
        [last, jr, first, ..] => vec![first.clone(), last.clone(), jr.clone()],
        _ => parts.clone(),
    };
    ordered.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}

fn month_number(s: &str) -> Option<u32> {
    let s = s.trim().to_ascii_lowercase();
    if let Ok(n) = s.parse::<u32>() {
        return (1..=12).contains(&n).then_some(n);
    }
    const NAMES: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    NAMES.iter().position(|m| s.starts_with(m)).map(|i| i as u32 + 1)
}

fn first_year(s: &str) -> Option<i32> {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(4).enumerate().find_map(|(i, w)| {
        let before_ok = i == 0 || !chars[i - 1].is_ascii_digit();
        let after_ok = chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        (before_ok && after_ok && w.iter().all(char::is_ascii_digit))
            .then(|| w.iter().collect::<String>().parse().ok())
            .flatten()
    })
}

/// A Google Scholar style `arXiv preprint arXiv:1706.03762` (or a CoRR
/// `abs/1706.03762`): the arXiv id in it.
fn arxiv_in(s: &str) -> Option<String> {
    s.split(|c: char| c.is_whitespace() || c == ',').find_map(|w| {
        let w = w.trim_start_matches("abs/");
        ids::arxiv(w).ok()
    })
}

fn convert(kind: &str, key: &str, fields: &[(String, String)], line: usize) -> Result<Document, String> {
    let get =
        |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).filter(|v| !v.trim().is_empty());
    let text = |name: &str| get(name).map(|v| fold_ws(&decode(v))).filter(|v| !v.is_empty());
    let title = text("title").ok_or_else(|| "missing \"title\"".to_owned())?;

    let doi = get("doi").map(|d| ids::doi(&plain(d)).map_err(|e| format!("\"doi\": {e}"))).transpose()?;
    let prefix = get("archiveprefix").or(get("eprinttype")).map(|p| plain(p).to_ascii_lowercase());
    let mut arxiv_id = match (get("eprint").map(plain), prefix.as_deref()) {
        (Some(e), Some("arxiv")) => Some(ids::arxiv(&e).map_err(|err| format!("\"eprint\": {err}"))?),
        (Some(e), None) => ids::arxiv(&e).ok(),
        _ => None,
    };
    let journal = text("journal").or_else(|| text("journaltitle"));
    let journal_is_arxiv = journal.as_deref().is_some_and(|j| {
        let j = j.to_ascii_lowercase();
        j.starts_with("arxiv") || j == "corr"
    });
    if journal_is_arxiv && arxiv_id.is_none() {
        arxiv_id = journal.as_deref().and_then(arxiv_in).or_else(|| get("volume").and_then(arxiv_in));
    }

    let work_type = match kind {
        "article" if journal_is_arxiv && arxiv_id.is_some() => "PREPRINT",
        "article" => "ARTICLE",
        "inproceedings" | "conference" => "CONFERENCE_PAPER",
        "book" | "mvbook" => "BOOK",
        "incollection" | "inbook" | "bookinbook" | "suppbook" => "BOOK_CHAPTER",
        "phdthesis" | "mastersthesis" | "thesis" => "THESIS",
        "dataset" => "DATASET",
        "misc" | "unpublished" | "online" | "electronic" | "preprint" if arxiv_id.is_some() => "PREPRINT",
        _ => "OTHER",
    };

    let mut b = Builder::new("bibtex");
    let venue = if journal_is_arxiv && arxiv_id.is_some() {
        Some(b.venue(arxiv_venue()))
    } else if let Some(name) = journal {
        Some(b.venue(Venue {
            key: format!("name:{name}"),
            name,
            kind: "JOURNAL".into(),
            openalex_id: None,
            issn: get("issn").map(plain),
        }))
    } else if let Some(name) = text("booktitle").filter(|_| work_type != "BOOK") {
        let kind = if work_type == "CONFERENCE_PAPER" { "CONFERENCE" } else { "OTHER" };
        Some(b.venue(Venue { key: format!("name:{name}"), name, kind: kind.into(), openalex_id: None, issn: None }))
    } else if work_type == "PREPRINT" {
        Some(b.venue(arxiv_venue()))
    } else {
        None
    };

    // dates: BibLaTeX `date`, else year / month / day
    let mut year = get("year").and_then(first_year);
    let mut publication_date = None;
    if let Some(d) = get("date").map(plain) {
        let d = d.split('/').next().unwrap_or(&d).to_owned();
        if let Ok(date) = NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
            publication_date = Some(date);
        }
        year = year.or_else(|| first_year(&d));
    }
    if publication_date.is_none()
        && let (Some(y), Some(m), Some(day)) =
            (year, get("month").and_then(month_number), get("day").and_then(|d| plain(d).parse::<u32>().ok()))
    {
        publication_date = NaiveDate::from_ymd_opt(y, m, day);
    }

    let mut others = false;
    let mut authorships = Vec::new();
    for name in get("author").map(split_names).unwrap_or_default() {
        if name.trim().eq_ignore_ascii_case("others") {
            others = true;
            continue;
        }
        let raw_name = display_name(&name);
        if raw_name.is_empty() {
            continue;
        }
        authorships.push(Authorship { position: authorships.len() as i32 + 1, raw_name, ..Default::default() });
    }

    let mut topics = Vec::new();
    if let Some(k) = text("keywords").or_else(|| text("keyword")) {
        for word in k.split([',', ';']) {
            if let Some(t) = keyword_topic(word) {
                let key = b.topic(t);
                if !topics.contains(&key) {
                    topics.push(key);
                }
            }
        }
    }

    let url = get("url")
        .map(plain)
        .or_else(|| doi.as_ref().map(|d| format!("https://doi.org/{d}")))
        .or_else(|| arxiv_id.as_ref().map(|a| format!("https://arxiv.org/abs/{a}")));
    let key = if key.is_empty() { format!("entry-at-line-{line}") } else { key.to_owned() };
    b.work(Work {
        key,
        title,
        r#abstract: text("abstract"),
        work_type: work_type.into(),
        publication_date,
        year: year.or_else(|| publication_date.map(|d| chrono::Datelike::year(&d))),
        doi,
        arxiv_id,
        url,
        venue,
        topics,
        author_count: (!others).then_some(authorships.len() as i32),
        authorships,
        ..Default::default()
    });
    Ok(b.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn parse(s: &str) -> Vec<Result<Record, RecordError>> {
        entries(Box::new(Cursor::new(s.as_bytes().to_vec()))).collect()
    }

    #[test]
    fn names_in_every_form() {
        assert_eq!(display_name("Shea-Brown, Eric"), "Eric Shea-Brown");
        assert_eq!(display_name("King, Jr, Martin Luther"), "Martin Luther King Jr");
        assert_eq!(display_name(r"Bal\'azs, Csaba"), "Csaba Balázs");
        assert_eq!(display_name(r"{\O}bro, Mikkel"), "Mikkel Øbro");
        assert_eq!(display_name("Ludwig van Beethoven"), "Ludwig van Beethoven");
        assert_eq!(display_name("{Barnes and Noble, Inc.}"), "Barnes and Noble, Inc.");
        assert_eq!(
            split_names("A. One and {Barnes and Noble} AND B. Two\n  and others"),
            vec!["A. One", "{Barnes and Noble}", "B. Two", "others"]
        );
    }

    #[test]
    fn a_small_bib_file() {
        let bib = r#"% a comment line with an @ sign: me@example.org
@string{ jmlr = "Journal of Machine Learning Research" }
@comment{ nothing here }
@Article{smith2020,
  author    = {Smith, John and G{\"o}del, Kurt and others},
  title     = {{Deep} Learning for \emph{Everything}},
  journal   = jmlr,
  year      = 2020, month = mar, day = {5},
  doi       = {10.1000/ABC\_1},
  keywords  = {machine learning; Deep learning, statistics},
  abstract  = "An   abstract
               over lines."
}
@inproceedings{conf, title="A conference paper", booktitle = {Proc. of X}, year = {2019}}
@misc{vaswani2017, title = {Attention Is All You Need}, author = {Ashish Vaswani and Noam Shazeer},
  eprint = {1706.03762}, archivePrefix = {arXiv}, primaryClass = {cs.CL}, year = {2017}}
@article{gs, title = {Attention}, journal = {arXiv preprint arXiv:1706.03762}, year = {2017}}
@phdthesis{thesis, title = {A Thesis}, school = {MIT}, year = {1999}}
"#;
        let out = parse(bib);
        let docs: Vec<&Document> = out.iter().map(|r| &r.as_ref().unwrap().doc).collect();
        let lines: Vec<usize> = out.iter().map(|r| r.as_ref().unwrap().line).collect();
        assert_eq!(lines, vec![4, 14, 15, 17, 18]);
        let w = &docs[0].works[0];
        assert_eq!(w.key, "smith2020");
        assert_eq!(w.title, "Deep Learning for Everything");
        assert_eq!(w.work_type, "ARTICLE");
        assert_eq!(
            w.authorships.iter().map(|a| a.raw_name.as_str()).collect::<Vec<_>>(),
            vec!["John Smith", "Kurt Gödel"]
        );
        assert_eq!(w.author_count, None);
        assert_eq!(w.doi.as_deref(), Some("10.1000/abc_1"));
        assert_eq!(w.publication_date, NaiveDate::from_ymd_opt(2020, 3, 5));
        assert_eq!(w.r#abstract.as_deref(), Some("An abstract over lines."));
        assert_eq!(docs[0].venues[0].name, "Journal of Machine Learning Research");
        assert_eq!(docs[0].venues[0].kind, "JOURNAL");
        assert_eq!(w.topics, vec!["keyword:machine-learning", "keyword:deep-learning", "keyword:statistics"]);
        assert_eq!(
            (docs[1].works[0].work_type.as_str(), docs[1].venues[0].kind.as_str()),
            ("CONFERENCE_PAPER", "CONFERENCE")
        );
        let v = &docs[2].works[0];
        assert_eq!(
            (v.work_type.as_str(), v.arxiv_id.as_deref(), v.venue.as_deref()),
            ("PREPRINT", Some("1706.03762"), Some("arxiv"))
        );
        let g = &docs[3].works[0];
        assert_eq!((g.work_type.as_str(), g.arxiv_id.as_deref()), ("PREPRINT", Some("1706.03762")));
        assert_eq!((docs[4].works[0].work_type.as_str(), docs[4].works[0].year), ("THESIS", Some(1999)));
    }

    #[test]
    fn broken_entries_are_reported_and_skipped() {
        let bib = "@article{ok1, title = {One}}\n\
                   @article{notitle, author = {A B}}\n\
                   @article{baddoi, title = {T}, doi = {foo}}\n\
                   @article{broken, title = {Never closed\n\
                   \n\
                   @article{ok2, title = {Two}}\n\
                   @article{syntax, title {x}}\n\
                   @book{ok3, title = \"Three\"}  @misc{ok4, title={Four}}\n\
                   @article{tail, title = {Cut";
        let out = parse(bib);
        let summary: Vec<(usize, String)> = out
            .iter()
            .map(|r| match r {
                Ok(rec) => (rec.line, format!("ok {}", rec.doc.works[0].key)),
                Err(e) => (e.line, e.reason.clone()),
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, "ok ok1".to_owned()),
                (2, "missing \"title\"".to_owned()),
                (3, "\"doi\": not a DOI: \"foo\" (expected 10.<prefix>/<suffix>)".to_owned()),
                (4, "unterminated @article entry (no closing '}' before the next entry)".to_owned()),
                (6, "ok ok2".to_owned()),
                (7, "expected \"=\" after field name \"title\"".to_owned()),
                (8, "ok ok3".to_owned()),
                (8, "ok ok4".to_owned()),
                (9, "unterminated @article entry (no closing '}')".to_owned()),
            ]
        );
        let Err(e) = &out[3] else { panic!() };
        assert!(e.raw.starts_with("@article{broken"));
    }

    #[test]
    fn latin1_lines_and_paren_entries() {
        let mut bytes = b"@article(x, title = \"Caf".to_vec();
        bytes.push(0xe9);
        bytes.extend_from_slice(b" (au lait)\", author = \"Dupont, Andr\\'e\")\n");
        let out: Vec<_> = entries(Box::new(Cursor::new(bytes))).collect();
        let w = &out[0].as_ref().unwrap().doc.works[0];
        assert_eq!(w.title, "Café (au lait)");
        assert_eq!(w.authorships[0].raw_name, "André Dupont");
    }
}
