//! The neighbourhood of one node as a weighted graph, for explorers: level
//! by level from the center, one statement per kind of node in the
//! frontier, the strongest ties first, cut at a number of nodes.
//!
//! Weights: authored 1 per work; coauthor the works shared; an author's
//! topic the works in it; affiliation the authorships naming the
//! institution (plus 1 when listed as an affiliation); a work's topic 1;
//! cites 1. A new node's weight is the sum of its ties to the nodes
//! already in. Topics and institutions are expanded only as the center.
use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbErr, Value};

use crate::db::{Kind, MAX_IN, fetch, in_chunks, int, padded_in_table};
use crate::ingest::derive::{COAUTHOR_ORDER, HUB, TOP, coauthor_pairs};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    Author,
    Work,
    Topic,
    Institution,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    Authored,
    Coauthor,
    HasTopic,
    Affiliated,
    Cites,
}

pub type NodeRef = (NodeKind, i64);

#[derive(Clone, Debug)]
pub struct Node {
    pub node: NodeRef,
    pub label: String,
    pub weight: f64,
}

#[derive(Clone, Debug)]
pub struct Edge {
    pub source: NodeRef,
    pub target: NodeRef,
    pub kind: EdgeKind,
    pub weight: f64,
}

#[derive(Debug, Default)]
pub struct Slice {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub truncated: bool,
}

/// Ties of a batch of nodes of one kind: (source, kind of the other end,
/// other end, edge kind, weight, whether the edge points from the source,
/// order among ties of equal weight and kind). `{ids}` is the batch.
///
/// An author's ties are read bounded, so that a hub costs what anyone
/// does: only its first works by id can make the cut among its ties of
/// weight 1 (an index range per author), its institutions are counted in
/// `author_institutions`, and a hub's coauthors come from the first of its
/// list kept in `coauthor_tops` when the cut is within them (`tops`), in
/// the list's order. Grouped per view, a hub's ties (5,413 works, 57,232
/// coauthors) took 104 ms on SQLite and 229 ms on PostgreSQL in 1,000,000
/// generated works. A work's citing works likewise: only the first by id
/// can make the cut (weight 1, ordered by id), and a classic's thousands
/// of citations would make the slice grow with the graph.
fn ties_sql(kind: NodeKind, tops: bool) -> String {
    match kind {
        NodeKind::Author => {
            let hub = if tops { HUB } else { i32::MAX };
            format!(
                "WITH s AS (SELECT id, collaborators_count AS cc FROM authors WHERE id IN ({{ids}})) \
                 SELECT a.author_id AS src, 'W' AS dk, a.work_id AS dst, 'A' AS ek, 1.0 AS w, 1 AS fwd, a.work_id AS o \
                   FROM s JOIN authorships a ON a.author_id = s.id \
                   WHERE a.work_id <= COALESCE((SELECT x.work_id FROM authorships x WHERE x.author_id = s.id \
                     ORDER BY x.work_id LIMIT 1 OFFSET ?), {max}) \
                 UNION ALL SELECT c.author_id, 'A', c.coauthor_id, 'C', c.shared_works_count, 1, c.position \
                   FROM coauthor_tops c WHERE c.author_id IN (SELECT id FROM s WHERE cc >= {hub}) \
                 UNION ALL SELECT c.author_id, 'A', c.coauthor_id, 'C', c.shared_works_count, 1, \
                     ROW_NUMBER() OVER (PARTITION BY c.author_id ORDER BY {COAUTHOR_ORDER}) FROM ({pairs}) c \
                 UNION ALL SELECT t.author_id, 'T', t.topic_id, 'T', t.works_count, 1, t.topic_id \
                   FROM author_topics t WHERE t.author_id IN (SELECT id FROM s) \
                 UNION ALL SELECT f.author_id, 'I', f.institution_id, 'F', 1.0, 1, f.institution_id \
                   FROM affiliations f WHERE f.author_id IN (SELECT id FROM s) \
                 UNION ALL SELECT ai.author_id, 'I', ai.institution_id, 'F', ai.authorships_count, 1, ai.institution_id \
                   FROM author_institutions ai WHERE ai.author_id IN (SELECT id FROM s)",
                max = i64::MAX,
                pairs = coauthor_pairs(true).replace("{ids}", &format!("SELECT id FROM s WHERE cc < {hub}")),
            )
        }
        NodeKind::Work => format!(
            "WITH s AS (SELECT id FROM works WHERE id IN ({{ids}})) \
             SELECT a.work_id AS src, 'A' AS dk, a.author_id AS dst, 'A' AS ek, 1.0 AS w, 0 AS fwd, a.author_id AS o \
               FROM authorships a WHERE a.work_id IN (SELECT id FROM s) AND a.author_id IS NOT NULL \
             UNION ALL SELECT wt.work_id, 'T', wt.topic_id, 'T', 1.0, 1, wt.topic_id \
               FROM work_topics wt WHERE wt.work_id IN (SELECT id FROM s) \
             UNION ALL SELECT c.citing_work_id, 'W', c.cited_work_id, 'X', 1.0, 1, c.cited_work_id \
               FROM citations c WHERE c.citing_work_id IN (SELECT id FROM s) AND c.cited_work_id IS NOT NULL \
             UNION ALL SELECT c.cited_work_id, 'W', c.citing_work_id, 'X', 1.0, 0, c.citing_work_id \
               FROM s JOIN citations c ON c.cited_work_id = s.id \
               WHERE c.citing_work_id <= COALESCE((SELECT x.citing_work_id FROM citations x \
                 WHERE x.cited_work_id = s.id ORDER BY x.citing_work_id LIMIT 1 OFFSET ?), {max})",
            max = i64::MAX,
        ),
        NodeKind::Topic => "WITH s AS (SELECT id FROM topics WHERE id IN ({ids})) \
             SELECT t.topic_id AS src, 'A' AS dk, t.author_id AS dst, 'T' AS ek, t.works_count AS w, 0 AS fwd, \
               t.author_id AS o \
               FROM author_topics t WHERE t.topic_id IN (SELECT id FROM s) \
             UNION ALL SELECT wt.topic_id, 'W', wt.work_id, 'T', 1.0, 0, wt.work_id \
               FROM work_topics wt WHERE wt.topic_id IN (SELECT id FROM s)"
            .to_owned(),
        NodeKind::Institution => "WITH s AS (SELECT id FROM institutions WHERE id IN ({ids})) \
             SELECT f.institution_id AS src, 'A' AS dk, f.author_id AS dst, 'F' AS ek, 1.0 AS w, 0 AS fwd, \
               f.author_id AS o \
               FROM affiliations f WHERE f.institution_id IN (SELECT id FROM s) \
             UNION ALL SELECT ai.institution_id, 'A', ai.author_id, 'F', ai.authorships_count, 0, ai.author_id \
               FROM author_institutions ai WHERE ai.institution_id IN (SELECT id FROM s)"
            .to_owned(),
    }
}

fn node_kind(code: &str) -> NodeKind {
    match code {
        "A" => NodeKind::Author,
        "W" => NodeKind::Work,
        "T" => NodeKind::Topic,
        _ => NodeKind::Institution,
    }
}

fn edge_kind(code: &str) -> EdgeKind {
    match code {
        "A" => EdgeKind::Authored,
        "C" => EdgeKind::Coauthor,
        "T" => EdgeKind::HasTopic,
        "F" => EdgeKind::Affiliated,
        _ => EdgeKind::Cites,
    }
}

/// The ties of every node of `frontier`, at most `per_node` per node,
/// strongest first; edges merged where two sources give the same one.
async fn ties<C: ConnectionTrait>(conn: &C, frontier: &[NodeRef], per_node: usize) -> Result<Vec<Edge>, DbErr> {
    let mut by_kind: HashMap<NodeKind, Vec<i64>> = HashMap::new();
    for (k, id) in frontier {
        by_kind.entry(*k).or_default().push(*id);
    }
    // Per reporting node: several rows of one tie add up (an affiliation
    // listed and seen on authorships); a tie reported from both its ends
    // counts once.
    let mut merged: HashMap<(NodeRef, NodeRef, EdgeKind, NodeRef), f64> = HashMap::new();
    let mut kinds: Vec<NodeKind> = by_kind.keys().copied().collect();
    kinds.sort();
    let sql = |kind| ties_sql(kind, per_node as i64 <= TOP);
    for kind in kinds {
        for (list, mut values) in in_chunks(&by_kind[&kind]) {
            let inner = sql(kind).replace("{ids}", &list);
            let filter = format!(
                "FROM (SELECT src, dk, dst, ek, CAST(w AS DOUBLE PRECISION) AS w, CAST(fwd AS BIGINT) AS fwd, \
                   ROW_NUMBER() OVER (PARTITION BY src ORDER BY w DESC, dk, o) AS rn FROM ({inner}) x) r \
                 WHERE rn <= ? ORDER BY src, rn"
            );
            if matches!(kind, NodeKind::Author | NodeKind::Work) {
                // The OFFSET of the last of an author's works, or of a
                // work's citing works, that can make the cut.
                values.push((per_node as i64 - 1).into());
            }
            values.push((per_node as i64).into());
            let columns = [
                ("src", Kind::BigInt),
                ("dk", Kind::Text),
                ("dst", Kind::BigInt),
                ("ek", Kind::Text),
                ("w", Kind::Double),
                ("fwd", Kind::BigInt),
            ];
            for r in fetch(conn, &columns, &filter, values).await? {
                let src = (kind, int(&r[0]));
                let (Value::String(Some(dk)), Value::String(Some(ek))) = (&r[1], &r[3]) else { continue };
                let dst = (node_kind(dk), int(&r[2]));
                let weight = match r[4] {
                    Value::Double(Some(x)) => x,
                    _ => 1.0,
                };
                let (a, b) = if int(&r[5]) == 1 { (src, dst) } else { (dst, src) };
                *merged.entry((a, b, edge_kind(ek), src)).or_default() += weight;
            }
        }
    }
    let mut once: HashMap<(NodeRef, NodeRef, EdgeKind), f64> = HashMap::new();
    for ((a, b, kind, _), w) in merged {
        let e = once.entry((a, b, kind)).or_default();
        *e = e.max(w);
    }
    let mut edges: Vec<Edge> =
        once.into_iter().map(|((source, target, kind), weight)| Edge { source, target, kind, weight }).collect();
    edges.sort_by(|x, y| y.weight.total_cmp(&x.weight).then((x.source, x.target).cmp(&(y.source, y.target))));
    Ok(edges)
}

/// Labels of nodes: names and titles, one statement per kind.
async fn labels<C: ConnectionTrait>(conn: &C, nodes: &[NodeRef]) -> Result<HashMap<NodeRef, String>, DbErr> {
    let mut out = HashMap::new();
    for (kind, table, column) in [
        (NodeKind::Author, "authors", "display_name"),
        (NodeKind::Work, "works", "title"),
        (NodeKind::Topic, "topics", "name"),
        (NodeKind::Institution, "institutions", "name"),
    ] {
        let ids: Vec<i64> = nodes.iter().filter(|(k, _)| *k == kind).map(|(_, id)| *id).collect();
        for chunk in ids.chunks(MAX_IN) {
            let mut values: Vec<Value> = chunk.iter().map(|&id| id.into()).collect();
            let list = padded_in_table(conn.get_database_backend(), table, &mut values);
            let filter = format!("FROM {table} WHERE id IN ({list})");
            for r in fetch(conn, &[("id", Kind::BigInt), (column, Kind::Text)], &filter, values).await? {
                if let Value::String(Some(label)) = &r[1] {
                    out.insert((kind, int(&r[0])), label.clone());
                }
            }
        }
    }
    Ok(out)
}

/// The neighbourhood of `center` up to `depth` ties away, at most `limit`
/// nodes (the center included).
pub async fn neighbourhood<C: ConnectionTrait>(
    conn: &C,
    center: NodeRef,
    depth: usize,
    limit: usize,
) -> Result<Slice, DbErr> {
    let mut weight: HashMap<NodeRef, f64> = HashMap::from([(center, 1.0)]);
    let mut order = vec![center];
    let mut edges: HashMap<(NodeRef, NodeRef, EdgeKind), Edge> = HashMap::new();
    let mut frontier = vec![center];
    let mut truncated = false;
    for _ in 0..depth {
        if frontier.is_empty() || order.len() >= limit {
            break;
        }
        // Topics and institutions are hubs: past the center, their
        // thousands of equally weak ties would only be ranked to be cut.
        frontier.retain(|n| *n == center || matches!(n.0, NodeKind::Author | NodeKind::Work));
        let found = ties(conn, &frontier, limit).await?;
        let mut candidates: HashMap<NodeRef, f64> = HashMap::new();
        for e in &found {
            for (end, other) in [(e.target, e.source), (e.source, e.target)] {
                if !weight.contains_key(&end) && weight.contains_key(&other) {
                    *candidates.entry(end).or_default() += e.weight;
                }
            }
        }
        let mut ranked: Vec<(NodeRef, f64)> = candidates.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let room = limit - order.len();
        truncated |= ranked.len() > room;
        frontier = Vec::new();
        for (node, w) in ranked.into_iter().take(room) {
            weight.insert(node, w);
            order.push(node);
            frontier.push(node);
        }
        for e in found {
            if weight.contains_key(&e.source) && weight.contains_key(&e.target) {
                edges.entry((e.source, e.target, e.kind)).or_insert(e);
            }
        }
    }
    let names = labels(conn, &order).await?;
    let nodes = order
        .iter()
        .map(|n| Node { node: *n, label: names.get(n).cloned().unwrap_or_default(), weight: weight[n] })
        .collect();
    let mut edges: Vec<Edge> = edges.into_values().collect();
    edges.sort_by(|x, y| y.weight.total_cmp(&x.weight).then((x.source, x.target).cmp(&(y.source, y.target))));
    Ok(Slice { nodes, edges, truncated })
}
