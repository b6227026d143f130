//! The shortest chain of coauthorship between two authors: a breadth-first
//! search from both ends at once, each step expanding the cheaper frontier
//! with one statement (per chunk of ids), bounded by a length and by a
//! budget of authors visited.
//!
//! A frontier costs the authorships its expansion reads: the sum of its
//! authors' works counts, not their number: from a hub (5,413 works and
//! 57,232 coauthors in 1,000,000 generated works) to another author, the
//! hub's side is the last to be expanded.
use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Value};

use crate::db::{Kind, MAX_IN, fetch, in_chunks, int};

/// Why no answer could be given.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error("the search visited more than {0} authors without an answer; ask for a shorter `maxLength`")]
    Budget(usize),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// An author and their works count, the cost of expanding them.
#[derive(Clone, Copy, Debug)]
pub struct End {
    pub id: i64,
    pub works: i64,
}

/// Coauthors of each author of `frontier` with their works counts, as
/// (author, coauthor) pairs in a stable order.
async fn coauthors<C: ConnectionTrait>(conn: &C, frontier: &[i64]) -> Result<Vec<(i64, End)>, DbErr> {
    let mut out = Vec::new();
    for (list, values) in in_chunks(frontier) {
        let filter = format!(
            "FROM (SELECT DISTINCT a.author_id AS src, b.author_id AS dst FROM authorships a \
               JOIN authorships b ON b.work_id = a.work_id \
             WHERE a.author_id IN ({list}) AND b.author_id IS NOT NULL AND b.author_id <> a.author_id) p \
             JOIN authors au ON au.id = p.dst"
        );
        let columns = [("src", Kind::BigInt), ("dst", Kind::BigInt), ("works_count", Kind::Int)];
        let rows = fetch(conn, &columns, &filter, values).await?;
        out.extend(rows.iter().map(|r| (int(&r[0]), End { id: int(&r[1]), works: int(&r[2]) })));
    }
    // Sorted here, across chunks and whatever order SQLite's JSON rows
    // came in: a coauthor reached from several authors keeps the lowest.
    out.sort_unstable_by_key(|(src, end)| (end.id, *src));
    Ok(out)
}

/// A coauthorship between an author of `forward` and one of `backward`,
/// the lowest pair first; not looked for (`None`) when the two lists
/// together pass one statement's ids.
///
/// Asked before each expansion, it finds the chain one step sooner and
/// for the price of reading the two frontiers' authorships, where the
/// expansion reads every coauthor of theirs: a hub and a coauthor with
/// 1,178 works are found tied in one probe (0.3-2 ms in the sqlite3
/// shell) where grouping the coauthor's 14,738 coauthors took 20-60 ms,
/// and the hub's 57,232 75 ms.
async fn tie_between<C: ConnectionTrait>(
    conn: &C,
    forward: &[i64],
    backward: &[i64],
) -> Result<Option<(i64, i64)>, DbErr> {
    if forward.is_empty() || backward.is_empty() || forward.len() + backward.len() > MAX_IN {
        return Ok(None);
    }
    let (near, mut values) = one_of("author_id", forward);
    let (far, more) = one_of("author_id", backward);
    values.extend(more);
    // Only a side of several authors needs ordering. With one author a
    // side any shared work answers, and without an ORDER BY both databases
    // stop at the first one (a merge of the two authors' index ranges on
    // PostgreSQL): sorting read every work of both, so the probe grew with
    // the authors' works (PostgreSQL's generic plan, 256 and 1,204 works:
    // 0.41 against 0.03 ms).
    let order: Vec<&str> = [("a.author_id", forward), ("b.author_id", backward)]
        .into_iter()
        .filter(|(_, side)| side.len() > 1)
        .map(|(column, _)| column)
        .collect();
    let order = if order.is_empty() { String::new() } else { format!("ORDER BY {} ", order.join(", ")) };
    // Seeking each author of one side for every authorship of the other
    // costs their product; reading both sides whole and joining them on the
    // work (hashed by PostgreSQL, through an automatic index by SQLite)
    // costs their sum. PostgreSQL plans the statement once for any ids,
    // counting some 24 works an author, and from the most prolific author
    // (5,413 works) sought 285 ids for each authorship of each of its works:
    // 353 ms, read whole 5.5 ms. SQLite seeks well from the side
    // `shortest` chose when the other is one author, and stops at the first
    // tie in order; between two lists of authors, 442 with 45,409 works and
    // 51 with 4,585, it sought 300 ms where read whole takes 27 ms.
    let postgres = conn.get_database_backend() == DbBackend::Postgres;
    let whole = if postgres { forward.len() + backward.len() > 2 } else { forward.len() > 1 && backward.len() > 1 };
    let pairs = if whole {
        // The fences keep the join out of the subqueries.
        let fence = if postgres { "OFFSET 0" } else { "LIMIT -1 OFFSET 0" };
        format!(
            "(SELECT author_id, work_id FROM authorships WHERE {near} {fence}) a \
             JOIN (SELECT author_id, work_id FROM authorships WHERE {far} {fence}) b ON b.work_id = a.work_id"
        )
    } else {
        // CROSS JOIN: SQLite reads `a` first, the side `shortest` chose.
        format!("authorships a CROSS JOIN authorships b WHERE a.{near} AND b.{far} AND b.work_id = a.work_id")
    };
    let filter = format!("FROM (SELECT a.author_id AS near, b.author_id AS far FROM {pairs} {order}LIMIT 1) t");
    let columns = [("near", Kind::BigInt), ("far", Kind::BigInt)];
    let rows = fetch(conn, &columns, &filter, values).await?;
    Ok(rows.first().map(|r| (int(&r[0]), int(&r[1]))))
}

/// `column = ?` for one id, else `column IN (…)`; with the values to bind.
fn one_of(column: &str, ids: &[i64]) -> (String, Vec<Value>) {
    match ids {
        [id] => (format!("{column} = ?"), vec![Value::from(*id)]),
        _ => {
            let (list, values) = in_chunks(ids).next().unwrap_or_default();
            (format!("{column} IN ({list})"), values)
        }
    }
}

/// One side of the search: who was reached, and from whom.
struct Side {
    parent: HashMap<i64, i64>,
    frontier: Vec<i64>,
    /// The works counts of the frontier's authors, summed.
    cost: i64,
}

impl Side {
    fn new(start: End) -> Self {
        Self { parent: HashMap::from([(start.id, start.id)]), frontier: vec![start.id], cost: start.works }
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

/// Whether the probe reads the forward side's authorships rather than the
/// backward's. For each authorship read, SQLite seeks every author of the
/// other side (PostgreSQL plans its own join), so the side read is the
/// one whose works times the other's authors are fewer, which is not
/// always the cheaper side to expand: from the most prolific author (5,413
/// works) to the 65 coauthors of another (6,535 works), reading the hub's
/// side sought 65 authors 5,413 times, 66 ms against 0.5 ms (1,000,000
/// works).
fn probe_reads_forward(forward: &Side, backward: &Side) -> bool {
    let (f_len, b_len) = (forward.frontier.len() as i64, backward.frontier.len() as i64);
    forward.cost.saturating_mul(b_len) <= backward.cost.saturating_mul(f_len)
}

/// Author ids from `from` to `to`, both included, at most `max_links`
/// coauthorships long; `None` when there is no such chain. Of several
/// shortest chains, the one met at the lowest ids.
pub async fn shortest<C: ConnectionTrait>(
    conn: &C,
    from: End,
    to: End,
    max_links: usize,
    budget: usize,
) -> Result<Option<Vec<i64>>, PathError> {
    if from.id == to.id {
        return Ok(Some(vec![from.id]));
    }
    let (mut forward, mut backward) = (Side::new(from), Side::new(to));
    for _ in 0..max_links {
        let forward_turn = (forward.cost, forward.frontier.len()) <= (backward.cost, backward.frontier.len());
        let tie = match probe_reads_forward(&forward, &backward) {
            true => tie_between(conn, &forward.frontier, &backward.frontier).await?,
            false => tie_between(conn, &backward.frontier, &forward.frontier).await?.map(|(b, f)| (f, b)),
        };
        if let Some((f, b)) = tie {
            let mut path = forward.chain(f);
            path.reverse();
            path.extend(backward.chain(b));
            return Ok(Some(path));
        }
        let (this, other) = if forward_turn { (&mut forward, &backward) } else { (&mut backward, &forward) };
        if this.frontier.is_empty() {
            return Ok(None);
        }
        let mut next = Vec::new();
        let mut cost = 0;
        let mut meet: Option<i64> = None;
        for (src, End { id: dst, works }) in coauthors(conn, &this.frontier).await? {
            if this.parent.contains_key(&dst) {
                continue;
            }
            this.parent.insert(dst, src);
            next.push(dst);
            cost += works;
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
        side.cost = cost;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(cost: i64, authors: usize) -> Side {
        Side { parent: HashMap::new(), frontier: (1..=authors as i64).collect(), cost }
    }

    #[test]
    fn the_probe_reads_the_side_with_fewer_seeks() {
        // The hub alone against the 65 coauthors of a minor author.
        assert!(!probe_reads_forward(&side(5_413, 1), &side(6_535, 65)));
        assert!(probe_reads_forward(&side(6_535, 65), &side(5_413, 1)));
        // One author a side: the one with fewer works.
        assert!(probe_reads_forward(&side(4, 1), &side(5_413, 1)));
        assert!(!probe_reads_forward(&side(5_413, 1), &side(4, 1)));
    }
}
