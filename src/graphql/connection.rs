//! Relay connection types. `connection!` makes `XConnection` and `XEdge` for
//! a node type from a `Page` of it (and, with `facets:`, the list's facets).
//! Nodes are resolved lean (see `lean`), so a node type is `Plain`.
use async_graphql::SimpleObject;

use super::paging::{Page, encode_cursor};

/// Relay page info.
#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

impl PageInfo {
    pub fn of<T>(page: &Page<T>) -> Self {
        Self {
            has_next_page: page.has_next,
            has_previous_page: page.has_previous,
            start_cursor: page.items.first().map(|(p, _)| encode_cursor(*p)),
            end_cursor: page.items.last().map(|(p, _)| encode_cursor(*p)),
        }
    }
}

macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty, $what:literal $(, facets: $facets:ty)?) => {
        #[doc = concat!("A page of ", $what, ".")]
        pub struct $conn(pub $crate::graphql::paging::Page<$node> $(, pub Option<$facets>)?);

        #[async_graphql::Object]
        impl $conn {
            async fn edges(&self) -> Vec<$edge<'_>> {
                self.0.items.iter().map(|(position, node)| $edge { position: *position, node }).collect()
            }

            /// The nodes of `edges`, for clients that need no cursors.
            async fn nodes(&self) -> $crate::graphql::lean::LeanList<&$node> {
                $crate::graphql::lean::LeanList(self.0.items.iter().map(|(_, node)| node).collect())
            }

            async fn page_info(&self) -> $crate::graphql::connection::PageInfo {
                $crate::graphql::connection::PageInfo::of(&self.0)
            }

            /// The number of items in the whole list, across all pages.
            async fn total_count(&self, ctx: &async_graphql::Context<'_>) -> $crate::error::ApiResult<i64> {
                Ok(self.0.total.resolve(&$crate::graphql::loaders::db(ctx).reads()).await?)
            }

            $(
            /// Counts of the whole list by year, type, topic, venue and
            /// institution; on top-level lists (null on nested ones).
            async fn facets(&self) -> Option<&$facets> {
                self.1.as_ref()
            }
            )?
        }

        #[doc = concat!("One of ", $what, " with its cursor.")]
        pub struct $edge<'a> {
            position: i64,
            node: &'a $node,
        }

        #[async_graphql::Object]
        impl<'a> $edge<'a> {
            async fn cursor(&self) -> String {
                $crate::graphql::paging::encode_cursor(self.position)
            }

            async fn node(&self) -> $crate::graphql::lean::Lean<&$node> {
                $crate::graphql::lean::Lean(self.node)
            }
        }
    };
}
pub(crate) use connection;
