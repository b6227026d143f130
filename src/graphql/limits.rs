//! Bounds on the work a request may ask for, checked before validation and
//! execution, in time linear in the request's size: its length and token
//! count, its variables, and — after parsing — its aliases, directives and
//! the number of fields it expands to through fragments (a document of a
//! few kilobytes can name billions of fields by spreading fragments inside
//! fragments; the expansion is counted per fragment once, saturating).
//! Depth and complexity (the product of page sizes) are checked by the
//! schema itself, which is safe once these hold.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Request, ServerError, ServerResult, Value, Variables};

/// What one request may hold. The defaults leave room for GraphiQL's
/// introspection query (about 1,600 bytes, 380 tokens and 150 expanded
/// fields) and for the product pages' queries, with a wide margin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryLimits {
    pub max_bytes: usize,
    pub max_tokens: usize,
    pub max_aliases: usize,
    pub max_directives: usize,
    /// fields once every fragment spread is expanded
    pub max_fields: usize,
    pub max_variables: usize,
    /// scalars and list or object entries across all variables
    pub max_variable_values: usize,
    pub max_variable_depth: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_bytes: 32 * 1024,
            max_tokens: 5_000,
            max_aliases: 100,
            max_directives: 50,
            max_fields: 2_000,
            max_variables: 100,
            max_variable_values: 10_000,
            max_variable_depth: 16,
        }
    }
}

/// A refusal: `QUERY_TOO_LARGE` (size) or `QUERY_TOO_COMPLEX` (shape).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

fn too_large(message: String) -> Refusal {
    Refusal { code: "QUERY_TOO_LARGE", message }
}

fn too_complex(message: String) -> Refusal {
    Refusal { code: "QUERY_TOO_COMPLEX", message }
}

impl From<Refusal> for ServerError {
    fn from(r: Refusal) -> Self {
        crate::error::server_error(r.code, r.message)
    }
}

impl QueryLimits {
    /// Length and tokens, without parsing.
    pub fn check_text(&self, query: &str) -> Result<(), Refusal> {
        if query.len() > self.max_bytes {
            return Err(too_large(format!(
                "the query has {} bytes; at most {} are allowed",
                query.len(),
                self.max_bytes
            )));
        }
        let tokens = count_tokens(query, self.max_tokens + 1);
        if tokens > self.max_tokens {
            return Err(too_large(format!("the query has more than {} tokens", self.max_tokens)));
        }
        Ok(())
    }

    pub fn check_variables(&self, variables: &Variables) -> Result<(), Refusal> {
        if variables.len() > self.max_variables {
            return Err(too_large(format!(
                "{} variables; at most {} are allowed",
                variables.len(),
                self.max_variables
            )));
        }
        let mut budget = self.max_variable_values;
        for value in variables.values() {
            self.walk_value(value, 1, &mut budget)?;
        }
        Ok(())
    }

    fn walk_value(&self, value: &Value, depth: usize, budget: &mut usize) -> Result<(), Refusal> {
        if depth > self.max_variable_depth {
            return Err(too_large(format!("variables nest deeper than {} levels", self.max_variable_depth)));
        }
        *budget = budget
            .checked_sub(1)
            .ok_or_else(|| too_large(format!("variables hold more than {} values", self.max_variable_values)))?;
        match value {
            Value::List(items) => items.iter().try_for_each(|v| self.walk_value(v, depth + 1, budget)),
            Value::Object(fields) => fields.values().try_for_each(|v| self.walk_value(v, depth + 1, budget)),
            _ => Ok(()),
        }
    }

    /// Aliases, directives and fields after fragment expansion.
    pub fn check_document(&self, doc: &ExecutableDocument) -> Result<(), Refusal> {
        let mut counts = Counts::default();
        let mut sets: Vec<&SelectionSet> = doc.operations.iter().map(|(_, op)| &op.node.selection_set.node).collect();
        sets.extend(doc.fragments.values().map(|f| &f.node.selection_set.node));
        for op in doc.operations.iter() {
            counts.directives += op.1.node.directives.len();
        }
        for f in doc.fragments.values() {
            counts.directives += f.node.directives.len();
        }
        for set in sets {
            count_shape(set, &mut counts);
        }
        if counts.aliases > self.max_aliases {
            return Err(too_complex(format!("{} aliases; at most {} are allowed", counts.aliases, self.max_aliases)));
        }
        if counts.directives > self.max_directives {
            return Err(too_complex(format!(
                "{} directives; at most {} are allowed",
                counts.directives, self.max_directives
            )));
        }
        let mut sizes: HashMap<&Name, Option<u64>> = HashMap::new();
        for (_, op) in doc.operations.iter() {
            let n = expanded(&op.node.selection_set.node, doc, &mut sizes, 0);
            if n > self.max_fields as u64 {
                return Err(too_complex(format!(
                    "the operation expands to more than {} fields through its fragments",
                    self.max_fields
                )));
            }
        }
        Ok(())
    }

    pub fn check_request(&self, request: &mut Request) -> Result<(), Refusal> {
        self.check_text(&request.query)?;
        self.check_variables(&request.variables)?;
        // A document that does not parse is reported by the schema as usual.
        if let Ok(doc) = request.parsed_query() {
            self.check_document(doc)?;
        }
        Ok(())
    }
}

#[derive(Default)]
struct Counts {
    aliases: usize,
    directives: usize,
}

fn count_shape(set: &SelectionSet, counts: &mut Counts) {
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                counts.aliases += usize::from(f.node.alias.is_some());
                counts.directives += f.node.directives.len();
                count_shape(&f.node.selection_set.node, counts);
            }
            Selection::FragmentSpread(s) => counts.directives += s.node.directives.len(),
            Selection::InlineFragment(i) => {
                counts.directives += i.node.directives.len();
                count_shape(&i.node.selection_set.node, counts);
            }
        }
    }
}

/// Fields a selection set names once its spreads are expanded, saturating.
/// Each fragment's size is computed once; a fragment on a cycle (or nested
/// absurdly deep) counts as unbounded.
fn expanded<'a>(
    set: &'a SelectionSet,
    doc: &'a ExecutableDocument,
    sizes: &mut HashMap<&'a Name, Option<u64>>,
    depth: usize,
) -> u64 {
    if depth > 64 {
        return u64::MAX;
    }
    let mut total: u64 = 0;
    for item in &set.items {
        let n = match &item.node {
            Selection::Field(f) => 1u64.saturating_add(expanded(&f.node.selection_set.node, doc, sizes, depth + 1)),
            Selection::InlineFragment(i) => expanded(&i.node.selection_set.node, doc, sizes, depth + 1),
            Selection::FragmentSpread(s) => {
                let name = &s.node.fragment_name.node;
                match sizes.get(name) {
                    Some(Some(n)) => *n,
                    // Being computed: a cycle.
                    Some(None) => u64::MAX,
                    None => match doc.fragments.get(name) {
                        Some(fragment) => {
                            sizes.insert(name, None);
                            let n = expanded(&fragment.node.selection_set.node, doc, sizes, depth + 1);
                            sizes.insert(name, Some(n));
                            n
                        }
                        // Unknown fragments are left to validation.
                        None => 0,
                    },
                }
            }
        };
        total = total.saturating_add(n);
    }
    total
}

/// Counts GraphQL tokens, stopping at `stop`.
fn count_tokens(query: &str, stop: usize) -> usize {
    let bytes = query.as_bytes();
    let (mut i, mut n) = (0, 0);
    while i < bytes.len() && n < stop {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            0xEF if bytes[i..].starts_with("\u{FEFF}".as_bytes()) => i += 3,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                n += 1;
                if bytes[i..].starts_with(b"\"\"\"") {
                    i += 3;
                    while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 3;
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                n += 1;
                i += 3;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                n += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'.' | b'-' | b'+'))
                {
                    i += 1;
                }
            }
            _ => {
                n += 1;
                i += 1;
            }
        }
    }
    n
}

/// Applies the limits to every request the schema runs, whatever its
/// transport (HTTP checks the text earlier too, before parsing anything).
pub struct Limiter(pub Arc<QueryLimits>);

impl ExtensionFactory for Limiter {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimiterExtension(self.0.clone()))
    }
}

struct LimiterExtension(Arc<QueryLimits>);

#[async_graphql::async_trait::async_trait]
impl Extension for LimiterExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        self.0.check_request(&mut request)?;
        next.run(ctx, request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str) -> Result<(), Refusal> {
        let mut request = Request::new(query);
        QueryLimits::default().check_request(&mut request)
    }

    #[test]
    fn tokens_are_counted_without_parsing() {
        assert_eq!(count_tokens("{ a b(c: \"d e\") ...F }", 100), 11);
        assert_eq!(count_tokens("# comment\n{ a }", 100), 3);
        assert_eq!(count_tokens("\"\"\"block \" string\"\"\" x", 100), 2);
        assert_eq!(count_tokens(&"a ".repeat(10_000), 50), 50);
    }

    #[test]
    fn ordinary_queries_pass() {
        assert!(check("{ authors(first: 5) { nodes { a: slug works { nodes { title } } } } }").is_ok());
        assert!(check("query { __schema { types { name fields { name type { ofType { name } } } } } }").is_ok());
    }

    #[test]
    fn hostile_shapes_are_refused() {
        let aliases: String = (0..101).map(|i| format!("a{i}: slug ")).collect();
        assert_eq!(check(&format!("{{ {aliases} }}")).unwrap_err().code, "QUERY_TOO_COMPLEX");
        let directives = "slug @include(if: true) ".repeat(51);
        assert_eq!(check(&format!("{{ {directives} }}")).unwrap_err().code, "QUERY_TOO_COMPLEX");
        // Ten fragments, each spreading the next one ten times: 10^10 fields.
        let mut q = String::from("{ ...F0 }");
        for i in 0..10 {
            q.push_str(&format!(" fragment F{i} on Query {{ {} }}", format!("...F{} ", i + 1).repeat(10)));
        }
        q.push_str(" fragment F10 on Query { a }");
        let refusal = check(&q).unwrap_err();
        assert_eq!(refusal.code, "QUERY_TOO_COMPLEX", "{refusal}");
        assert_eq!(
            check("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }").unwrap_err().code,
            "QUERY_TOO_COMPLEX"
        );
        assert_eq!(check(&format!("{{ a }} {}", " ".repeat(40_000))).unwrap_err().code, "QUERY_TOO_LARGE");
    }

    #[test]
    fn variables_are_bounded() {
        let limits = QueryLimits::default();
        let many = Variables::from_json(serde_json::json!({ "ids": vec![1; 20_000] }));
        assert_eq!(limits.check_variables(&many).unwrap_err().code, "QUERY_TOO_LARGE");
        let mut deep = serde_json::json!(1);
        for _ in 0..20 {
            deep = serde_json::json!([deep]);
        }
        assert!(limits.check_variables(&Variables::from_json(serde_json::json!({ "d": deep }))).is_err());
        let vars: serde_json::Map<String, serde_json::Value> =
            (0..101).map(|i| (format!("v{i}"), serde_json::json!(1))).collect();
        assert!(limits.check_variables(&Variables::from_json(serde_json::Value::Object(vars))).is_err());
        assert!(limits.check_variables(&Variables::from_json(serde_json::json!({ "ids": [1, 2, 3] }))).is_ok());
    }
}
