//! `researchGraph`: the neighbourhood of a node as nodes and edges (see
//! `graph::research_graph` for how it is built and weighted).
use async_graphql::{Enum, ID, SimpleObject};

use crate::graph::research_graph::{EdgeKind, NodeKind, NodeRef, Slice};
use crate::graphql::global_id::{self, Kind};

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphNodeKind {
    Author,
    Work,
    Topic,
    Institution,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphEdgeKind {
    Authored,
    Coauthor,
    HasTopic,
    Affiliated,
    Cites,
}

/// A node of the neighbourhood.
#[derive(SimpleObject)]
pub struct GraphNode {
    /// the node's global id (`node(id:)` fetches it)
    id: ID,
    kind: GraphNodeKind,
    label: String,
    /// the sum of its ties to the nodes found before it (1 for the center)
    weight: f64,
}

/// A tie between two nodes of the neighbourhood.
#[derive(SimpleObject)]
pub struct GraphEdge {
    source: ID,
    target: ID,
    kind: GraphEdgeKind,
    weight: f64,
}

/// A neighbourhood, strongest ties first.
#[derive(SimpleObject)]
pub struct GraphSlice {
    center: ID,
    nodes: Vec<GraphNode>,
    edges: Vec<GraphEdge>,
    /// true when limit cut the neighbourhood short
    truncated: bool,
}

fn id((kind, id): NodeRef) -> ID {
    let kind = match kind {
        NodeKind::Author => Kind::Author,
        NodeKind::Work => Kind::Work,
        NodeKind::Topic => Kind::Topic,
        NodeKind::Institution => Kind::Institution,
    };
    global_id::encode(kind, id)
}

/// The graph module's node kind of a global id's kind, if it has one.
pub fn node_kind(kind: Kind) -> Option<NodeKind> {
    match kind {
        Kind::Author => Some(NodeKind::Author),
        Kind::Work => Some(NodeKind::Work),
        Kind::Topic => Some(NodeKind::Topic),
        Kind::Institution => Some(NodeKind::Institution),
        _ => None,
    }
}

impl GraphSlice {
    pub fn new(center: NodeRef, slice: Slice) -> Self {
        let nodes = slice
            .nodes
            .into_iter()
            .map(|n| GraphNode {
                id: id(n.node),
                kind: match n.node.0 {
                    NodeKind::Author => GraphNodeKind::Author,
                    NodeKind::Work => GraphNodeKind::Work,
                    NodeKind::Topic => GraphNodeKind::Topic,
                    NodeKind::Institution => GraphNodeKind::Institution,
                },
                label: n.label,
                weight: n.weight,
            })
            .collect();
        let edges = slice
            .edges
            .into_iter()
            .map(|e| GraphEdge {
                source: id(e.source),
                target: id(e.target),
                kind: match e.kind {
                    EdgeKind::Authored => GraphEdgeKind::Authored,
                    EdgeKind::Coauthor => GraphEdgeKind::Coauthor,
                    EdgeKind::HasTopic => GraphEdgeKind::HasTopic,
                    EdgeKind::Affiliated => GraphEdgeKind::Affiliated,
                    EdgeKind::Cites => GraphEdgeKind::Cites,
                },
                weight: e.weight,
            })
            .collect();
        Self { center: id(center), nodes, edges, truncated: slice.truncated }
    }
}
