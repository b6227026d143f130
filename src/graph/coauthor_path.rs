//! The shortest chain of coauthorship between two authors: a breadth-first
//! search from both ends at once, each step expanding the smaller frontier
//! with one statement (per chunk of ids), bounded by a length and by a
//! budget of authors visited.
use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbErr};

use crate::db::{Kind, fetch, in_chunks, int};

/// Why no answer could be given.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error("the search visited more than {0} authors without an answer; ask for a shorter `maxLength`")]
    Budget(usize),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Coauthors of each author of `frontier`, as (author, coauthor) pairs in
/// a stable order.
async fn coauthors<C: ConnectionTrait>(conn: &C, frontier: &[i64]) -> Result<Vec<(i64, i64)>, DbErr> {
    let mut out = Vec::new();
    for (list, values) in in_chunks(frontier) {
        let filter = format!(
            "FROM (SELECT DISTINCT a.author_id AS src, b.author_id AS dst FROM authorships a \
               JOIN authorships b ON b.work_id = a.work_id \
             WHERE a.author_id IN ({list}) AND b.author_id IS NOT NULL AND b.author_id <> a.author_id) p \
             ORDER BY dst, src"
        );
        let rows = fetch(conn, &[("src", Kind::BigInt), ("dst", Kind::BigInt)], &filter, values).await?;
        out.extend(rows.iter().map(|r| (int(&r[0]), int(&r[1]))));
    }
    Ok(out)
}

/// One side of the search: who was reached, and from whom.
struct Side {
    parent: HashMap<i64, i64>,
    frontier: Vec<i64>,
}

impl Side {
    fn new(start: i64) -> Self {
        Self { parent: HashMap::from([(start, start)]), frontier: vec![start] }
    }

    /// `node`, its parent, …, back to where this side started.
    fn chain(&self, mut node: i64) -> Vec<i64> {
        let mut out = vec![node];
        while let Some(&p) = self.parent.get(&node) {
            if p == node {
                break;
            }
            out.push(p);
            node = p;
        }
        out
    }
}

/// Author ids from `from` to `to`, both included, at most `max_links`
/// coauthorships long; `None` when there is no such chain.
pub async fn shortest<C: ConnectionTrait>(
    conn: &C,
    from: i64,
    to: i64,
    max_links: usize,
    budget: usize,
) -> Result<Option<Vec<i64>>, PathError> {
    if from == to {
        return Ok(Some(vec![from]));
    }
    let (mut forward, mut backward) = (Side::new(from), Side::new(to));
    for _ in 0..max_links {
        // The smaller frontier costs less to expand.
        let forward_turn = forward.frontier.len() <= backward.frontier.len();
        let (this, other) = if forward_turn { (&mut forward, &backward) } else { (&mut backward, &forward) };
        if this.frontier.is_empty() {
            return Ok(None);
        }
        let mut next = Vec::new();
        let mut meet: Option<i64> = None;
        for (src, dst) in coauthors(conn, &this.frontier).await? {
            if this.parent.contains_key(&dst) {
                continue;
            }
            this.parent.insert(dst, src);
            next.push(dst);
            if other.parent.contains_key(&dst) && meet.is_none_or(|m| dst < m) {
                meet = Some(dst);
            }
        }
        if let Some(m) = meet {
            let mut path = forward.chain(m);
            path.reverse();
            path.extend(backward.chain(m).into_iter().skip(1));
            return Ok(Some(path));
        }
        if forward.parent.len() + backward.parent.len() > budget {
            return Err(PathError::Budget(budget));
        }
        let side = if forward_turn { &mut forward } else { &mut backward };
        side.frontier = next;
    }
    Ok(None)
}
