//! Graph algorithms over the stored graph, independent of GraphQL: each
//! step is one batch of SQL for a whole frontier, never a row at a time.
pub mod coauthor_path;
pub mod research_graph;
