//! Parsed documents, kept by their text. Frontends send the same few
//! documents over and over, and parsing one (async-graphql's pest grammar)
//! cost more than running a small query: 12.6 % of a `trending` request's
//! instructions, against about 1 % to copy the parsed tree.
//!
//! Each kept document also remembers the last few operations and variable
//! values it passed the strict validation rules with. Those rules read
//! nothing else (the schema is fixed), so the same request again skips
//! them: they were a quarter of a `trending` request's instructions.
use std::num::NonZeroUsize;
use std::sync::Mutex;

use async_graphql::Request;
use async_graphql::parser::types::ExecutableDocument;
use lru::LruCache;

/// Longest text kept: longer documents are rare, and their trees large.
const MAX_TEXT: usize = 16 * 1024;
/// Kept texts' total length, which bounds the trees' memory (a tree takes
/// some ten times its text).
const MAX_TOTAL_TEXT: usize = 1024 * 1024;
const MAX_DOCUMENTS: usize = 512;
/// Validated variable sets remembered per document, the newest first.
const MAX_VALIDATED: usize = 8;
/// Longest variables (as JSON) remembered as validated.
const MAX_VARIABLES: usize = 1024;

pub struct Documents(Mutex<Kept>);

struct Kept {
    trees: LruCache<String, Entry>,
    text_len: usize,
}

struct Entry {
    tree: ExecutableDocument,
    /// (operation name, variables as JSON) that passed strict validation
    validated: Vec<(Option<String>, String)>,
}

/// What makes a request's strict validation the same as another's besides
/// its text: the operation it selects and its variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validation {
    text: String,
    operation: Option<String>,
    variables: String,
}

impl Validation {
    /// None for a request whose text or variables are too long to keep.
    pub fn of(request: &Request) -> Option<Self> {
        if request.query.is_empty() || request.query.len() > MAX_TEXT {
            return None;
        }
        let variables = serde_json::to_string(&request.variables).ok().filter(|v| v.len() <= MAX_VARIABLES)?;
        Some(Self { text: request.query.clone(), operation: request.operation_name.clone(), variables })
    }
}

impl Default for Documents {
    fn default() -> Self {
        let capacity = NonZeroUsize::new(MAX_DOCUMENTS).unwrap_or(NonZeroUsize::MIN);
        Self(Mutex::new(Kept { trees: LruCache::new(capacity), text_len: 0 }))
    }
}

impl Documents {
    /// Gives `request` its parsed document: a copy of the one kept for the
    /// same text, else parsed now and kept. A text that does not parse is
    /// left to the schema, which reports why.
    pub fn attach(&self, request: &mut Request) {
        if request.query.len() > MAX_TEXT {
            return;
        }
        let kept =
            self.0.lock().ok().and_then(|mut kept| kept.trees.get(request.query.as_str()).map(|e| e.tree.clone()));
        if let Some(tree) = kept {
            request.set_parsed_query(tree);
            return;
        }
        let Ok(tree) = request.parsed_query() else { return };
        let tree = tree.clone();
        if let Ok(mut kept) = self.0.lock() {
            kept.put(request.query.clone(), tree);
        }
    }

    /// Whether a request like `request` passed strict validation before.
    pub fn was_validated(&self, request: &Validation) -> bool {
        let Ok(mut kept) = self.0.lock() else { return false };
        let Some(entry) = kept.trees.get(request.text.as_str()) else { return false };
        entry.validated.iter().any(|(op, vars)| *op == request.operation && *vars == request.variables)
    }

    /// Remembers that `request` passed strict validation, if its document
    /// is kept.
    pub fn validated(&self, request: Validation) {
        let Ok(mut kept) = self.0.lock() else { return };
        let Some(entry) = kept.trees.get_mut(request.text.as_str()) else { return };
        let set = (request.operation, request.variables);
        if entry.validated.contains(&set) {
            return;
        }
        entry.validated.truncate(MAX_VALIDATED - 1);
        entry.validated.insert(0, set);
    }
}

impl Kept {
    fn put(&mut self, text: String, tree: ExecutableDocument) {
        let len = text.len();
        if self.trees.contains(text.as_str()) {
            return;
        }
        if let Some((old, _)) = self.trees.push(text, Entry { tree, validated: Vec::new() }) {
            self.text_len -= old.len();
        }
        self.text_len += len;
        while self.text_len > MAX_TOTAL_TEXT {
            let Some((old, _)) = self.trees.pop_lru() else { break };
            self.text_len -= old.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Documents {
        fn len(&self) -> usize {
            self.0.lock().map(|kept| kept.trees.len()).unwrap_or(0)
        }

        fn is_empty(&self) -> bool {
            self.len() == 0
        }
    }

    #[test]
    fn a_kept_tree_serves_the_same_text_and_only_it() {
        let documents = Documents::default();
        let mut first = Request::new("{ a }");
        documents.attach(&mut first);
        assert_eq!(documents.len(), 1);
        let mut again = Request::new("{ a }");
        documents.attach(&mut again);
        assert_eq!(documents.len(), 1);
        let tree = again.parsed_query().map(|d| format!("{:?}", d.operations)).ok();
        assert_eq!(tree, first.parsed_query().map(|d| format!("{:?}", d.operations)).ok());
        let mut other = Request::new("{ b }");
        documents.attach(&mut other);
        assert_eq!(documents.len(), 2);
    }

    #[test]
    fn validation_is_remembered_per_operation_and_variables() {
        let documents = Documents::default();
        let request = |vars: serde_json::Value, op: Option<&str>| {
            let mut r = Request::new("query A($d: Int) { a(d: $d) } query B { b }")
                .variables(async_graphql::Variables::from_json(vars));
            r.operation_name = op.map(str::to_owned);
            r
        };
        let mut first = request(serde_json::json!({"d": 1}), Some("A"));
        let seen = Validation::of(&first).unwrap();
        assert!(!documents.was_validated(&seen), "not before its document is kept");
        documents.validated(seen.clone());
        assert!(!documents.was_validated(&seen), "only for kept documents");
        documents.attach(&mut first);
        documents.validated(seen.clone());
        assert!(documents.was_validated(&seen));
        let other_values = Validation::of(&request(serde_json::json!({"d": 2}), Some("A"))).unwrap();
        let other_operation = Validation::of(&request(serde_json::json!({"d": 1}), Some("B"))).unwrap();
        assert!(!documents.was_validated(&other_values));
        assert!(!documents.was_validated(&other_operation));
        for d in 0..MAX_VALIDATED as i64 {
            documents.validated(Validation::of(&request(serde_json::json!({"d": 10 + d}), Some("A"))).unwrap());
        }
        assert!(!documents.was_validated(&seen), "the oldest set is forgotten");
        let long = serde_json::json!({"d": "x".repeat(MAX_VARIABLES)});
        assert!(Validation::of(&request(long, Some("A"))).is_none());
    }

    #[test]
    fn texts_that_do_not_parse_or_are_long_are_not_kept() {
        let documents = Documents::default();
        documents.attach(&mut Request::new("{ a "));
        documents.attach(&mut Request::new(format!("{{ {} }}", "a ".repeat(MAX_TEXT))));
        assert!(documents.is_empty());
    }

    #[test]
    fn the_kept_texts_stay_within_their_total_length() {
        let documents = Documents::default();
        let field = "f".repeat(MAX_TEXT - 10);
        for i in 0..2 * MAX_TOTAL_TEXT / MAX_TEXT {
            documents.attach(&mut Request::new(format!("{{ {field}{i} }}")));
        }
        let kept = documents.0.lock().map(|kept| kept.text_len).unwrap_or(usize::MAX);
        assert!(kept <= MAX_TOTAL_TEXT, "{kept}");
        assert!(documents.len() < 2 * MAX_TOTAL_TEXT / MAX_TEXT);
    }
}
