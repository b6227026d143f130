//! Parsed documents, kept by their text. Frontends send the same few
//! documents over and over, and parsing one (async-graphql's pest grammar)
//! cost more than running a small query: 12.6 % of a `trending` request's
//! instructions, against about 1 % to copy the parsed tree.
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

pub struct Documents(Mutex<Kept>);

struct Kept {
    trees: LruCache<String, ExecutableDocument>,
    text_len: usize,
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
        let kept = self.0.lock().ok().and_then(|mut kept| kept.trees.get(request.query.as_str()).cloned());
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
}

impl Kept {
    fn put(&mut self, text: String, tree: ExecutableDocument) {
        let len = text.len();
        if self.trees.contains(text.as_str()) {
            return;
        }
        if let Some((old, _)) = self.trees.push(text, tree) {
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
