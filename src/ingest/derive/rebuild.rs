//! Every author's derived data at once (`reindex`, and the end of an import
//! that touched most authors), computed here from the authorships, the
//! works' citation counts and the works' topics, and written once per author
//! whose values change. In SQL this took one statement per metric, each
//! rewriting every author row (18 s of a 100,000-work import on PostgreSQL),
//! and the collaborator counts had to group 5.4 million coauthor pairs.
//! Memory grows with the authorships and work topics (a few u32 lists), not
//! with the pairs, which are counted author by author.
use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbErr, Value};

use crate::db::{Kind, MAX_PARAMS, fetch, in_chunks, insert_tuples, int, stmt};

/// Ids per slice when reading a table in id order.
const SLICE: i64 = 50_000;

/// A list per key (work or author id): `items[start[k]..start[k + 1]]`.
struct Lists {
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Lists {
    fn of(&self, key: usize) -> &[u32] {
        match (self.start.get(key), self.start.get(key + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }

    /// From (key, item) pairs; each key's items sorted and deduplicated.
    fn from_pairs(mut pairs: Vec<(u32, u32)>) -> Self {
        pairs.sort_unstable();
        pairs.dedup();
        let keys = pairs.last().map_or(0, |p| p.0 as usize + 1);
        let mut start = vec![0u32; keys + 1];
        for &(k, _) in &pairs {
            start[k as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        Lists { start, items: pairs.into_iter().map(|p| p.1).collect() }
    }

    /// The same relation from the other side.
    fn transpose(&self) -> Self {
        let mut pairs = Vec::with_capacity(self.items.len());
        for k in 0..self.start.len().saturating_sub(1) {
            pairs.extend(self.of(k).iter().map(|&i| (i, k as u32)));
        }
        Self::from_pairs(pairs)
    }
}

fn small(v: &Value, what: &str) -> Result<u32, DbErr> {
    match v {
        Value::BigInt(Some(n)) if (0..=u32::MAX as i64).contains(n) => Ok(*n as u32),
        Value::Int(Some(n)) if *n >= 0 => Ok(*n as u32),
        other => Err(DbErr::Custom(format!("{what} {other:?} out of range"))),
    }
}

async fn max_id<C: ConnectionTrait>(conn: &C, table: &str) -> Result<i64, DbErr> {
    let rows =
        fetch(conn, &[("m", Kind::BigInt)], &format!("FROM (SELECT COALESCE(MAX(id), 0) AS m FROM {table}) t"), vec![])
            .await?;
    Ok(rows.first().map_or(0, |r| int(&r[0])))
}

/// (key, item) pairs of a two-column relation, read in slices of `key_col`.
async fn read_pairs<C: ConnectionTrait>(conn: &C, table: &str, key_col: &str, item_col: &str) -> Result<Lists, DbErr> {
    let max = max_id(conn, "works").await?;
    let mut pairs = Vec::new();
    for lo in (0..=max).step_by(SLICE as usize) {
        let filter = format!("FROM {table} WHERE {item_col} IS NOT NULL AND {key_col} >= ? AND {key_col} < ?");
        let rows = fetch(
            conn,
            &[(key_col, Kind::BigInt), (item_col, Kind::BigInt)],
            &filter,
            vec![lo.into(), (lo + SLICE).into()],
        )
        .await?;
        for r in rows {
            pairs.push((small(&r[0], key_col)?, small(&r[1], item_col)?));
        }
    }
    Ok(Lists::from_pairs(pairs))
}

/// Each work's citation count, by work id.
async fn cited_counts<C: ConnectionTrait>(conn: &C) -> Result<Vec<u32>, DbErr> {
    let max = max_id(conn, "works").await?;
    let mut cited = vec![0u32; max as usize + 1];
    for lo in (0..=max).step_by(SLICE as usize) {
        let filter = "FROM works WHERE cited_by_count > 0 AND id >= ? AND id < ?";
        for r in fetch(
            conn,
            &[("id", Kind::BigInt), ("cited_by_count", Kind::Int)],
            filter,
            vec![lo.into(), (lo + SLICE).into()],
        )
        .await?
        {
            cited[small(&r[0], "work id")? as usize] = small(&r[1], "citation count")?;
        }
    }
    Ok(cited)
}

/// The derived columns of `authors`, in the order of `COLUMNS`.
type Metrics = [i64; 7];

const COLUMNS: [&str; 7] = [
    "works_count",
    "citation_count",
    "h_index",
    "i10_index",
    "topics_count",
    "collaborators_count",
    "close_collaborators_count",
];

/// Reused buffers of one author's computation.
#[derive(Default)]
struct Scratch {
    citations: Vec<u32>,
    topics: Vec<u32>,
    coauthors: Vec<u32>,
}

/// One author's metrics and (topic, works) pairs.
fn compute(
    author: u32,
    works: &[u32],
    cited: &[u32],
    work_authors: &Lists,
    work_topics: &Lists,
    s: &mut Scratch,
    topics_out: &mut Vec<(u32, u32)>,
) -> Metrics {
    s.citations.clear();
    s.citations.extend(works.iter().map(|&w| cited.get(w as usize).copied().unwrap_or(0)));
    s.citations.sort_unstable_by(|a, b| b.cmp(a));
    let citation_count: i64 = s.citations.iter().map(|&c| i64::from(c)).sum();
    let h = s.citations.iter().enumerate().take_while(|(i, c)| **c as usize > *i).count();
    let i10 = s.citations.iter().filter(|&&c| c >= 10).count();

    s.topics.clear();
    for &w in works {
        s.topics.extend_from_slice(work_topics.of(w as usize));
    }
    s.topics.sort_unstable();
    topics_out.clear();
    for same in s.topics.chunk_by(|a, b| a == b) {
        topics_out.push((same[0], same.len() as u32));
    }

    s.coauthors.clear();
    for &w in works {
        s.coauthors.extend(work_authors.of(w as usize).iter().filter(|&&b| b != author));
    }
    s.coauthors.sort_unstable();
    let (mut all, mut close) = (0i64, 0i64);
    for same in s.coauthors.chunk_by(|a, b| a == b) {
        all += 1;
        close += i64::from(same.len() >= 2);
    }
    [works.len() as i64, citation_count, h as i64, i10 as i64, topics_out.len() as i64, all, close]
}

/// Recomputes every author's metrics and topics; writes only what changed.
pub async fn authors<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    let started = std::time::Instant::now();
    let cited = cited_counts(conn).await?;
    let work_authors = read_pairs(conn, "authorships", "work_id", "author_id").await?;
    let work_topics = read_pairs(conn, "work_topics", "work_id", "topic_id").await?;
    let author_works = work_authors.transpose();
    let max_author = max_id(conn, "authors").await?;
    let (mut updated, mut topic_rows) = (0usize, 0usize);
    let mut scratch = Scratch::default();
    let mut topics = Vec::new();
    for lo in (0..=max_author).step_by(SLICE as usize) {
        let hi = lo + SLICE;
        let stored = stored_slice(conn, lo, hi).await?;
        let mut changed: Vec<(i64, Metrics)> = Vec::new();
        let mut replace_topics: Vec<i64> = Vec::new();
        let mut new_topic_rows: Vec<Vec<Value>> = Vec::new();
        for (&id, (old, old_topics)) in &stored {
            let works = author_works.of(id as usize);
            let metrics = compute(id as u32, works, &cited, &work_authors, &work_topics, &mut scratch, &mut topics);
            if &metrics != old {
                changed.push((id, metrics));
            }
            if &topics != old_topics {
                replace_topics.push(id);
                new_topic_rows.extend(
                    topics
                        .iter()
                        .map(|&(t, n)| vec![Value::from(id), Value::from(i64::from(t)), Value::from(n as i32)]),
                );
            }
        }
        updated += changed.len();
        topic_rows += new_topic_rows.len();
        write_metrics(conn, &changed).await?;
        for (list, values) in in_chunks(&replace_topics) {
            let sql = format!("DELETE FROM author_topics WHERE author_id IN ({list})");
            conn.execute_raw(stmt(conn.get_database_backend(), &sql, values)).await?;
        }
        insert_tuples(
            conn,
            "INSERT INTO author_topics (author_id, topic_id, works_count) VALUES {rows}",
            3,
            new_topic_rows,
        )
        .await?;
    }
    tracing::debug!(ms = started.elapsed().as_secs_f64() * 1000.0, updated, topic_rows, "author metrics rebuilt");
    Ok(())
}

/// Stored metrics and topics of the authors with ids in `lo..hi`.
async fn stored_slice<C: ConnectionTrait>(
    conn: &C,
    lo: i64,
    hi: i64,
) -> Result<std::collections::BTreeMap<i64, (Metrics, Vec<(u32, u32)>)>, DbErr> {
    let mut columns = vec![("id", Kind::BigInt)];
    columns.extend(COLUMNS.iter().map(|c| (*c, Kind::Int)));
    let range = vec![Value::from(lo), Value::from(hi)];
    let mut out = std::collections::BTreeMap::new();
    for r in fetch(conn, &columns, "FROM authors WHERE id >= ? AND id < ?", range.clone()).await? {
        let mut m = [0i64; 7];
        for (slot, v) in m.iter_mut().zip(&r[1..]) {
            *slot = int(v);
        }
        out.insert(int(&r[0]), (m, Vec::new()));
    }
    let mut topics: HashMap<i64, Vec<(u32, u32)>> = HashMap::new();
    let columns = [("author_id", Kind::BigInt), ("topic_id", Kind::BigInt), ("works_count", Kind::Int)];
    for r in fetch(conn, &columns, "FROM author_topics WHERE author_id >= ? AND author_id < ?", range).await? {
        topics.entry(int(&r[0])).or_default().push((small(&r[1], "topic id")?, small(&r[2], "works count")?));
    }
    for (author, mut list) in topics {
        list.sort_unstable();
        if let Some(entry) = out.get_mut(&author) {
            entry.1 = list;
        }
    }
    Ok(out)
}

async fn write_metrics<C: ConnectionTrait>(conn: &C, rows: &[(i64, Metrics)]) -> Result<(), DbErr> {
    const WIDTH: usize = COLUMNS.len() + 1;
    let sets: Vec<String> = COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = v.column{}", i + 2)).collect();
    let tuple = format!("({})", vec!["?"; WIDTH].join(", "));
    for chunk in rows.chunks(MAX_PARAMS / WIDTH) {
        let sql = format!(
            "UPDATE authors SET {} FROM (VALUES {}) AS v WHERE authors.id = v.column1",
            sets.join(", "),
            vec![tuple.as_str(); chunk.len()].join(", ")
        );
        let values =
            chunk.iter().flat_map(|(id, m)| std::iter::once(*id).chain(m.iter().copied())).map(Value::from).collect();
        conn.execute_raw(stmt(conn.get_database_backend(), &sql, values)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_group_and_transpose() {
        let l = Lists::from_pairs(vec![(2, 7), (0, 5), (2, 5), (2, 7)]);
        assert_eq!(l.of(0), &[5]);
        assert_eq!(l.of(1), &[] as &[u32]);
        assert_eq!(l.of(2), &[5, 7]);
        assert_eq!(l.of(9), &[] as &[u32]);
        let t = l.transpose();
        assert_eq!(t.of(5), &[0, 2]);
        assert_eq!(t.of(7), &[2]);
    }

    #[test]
    fn an_authors_metrics() {
        // Works 1..=3 by author 1; author 2 on works 1 and 2, author 3 on 3.
        let work_authors = Lists::from_pairs(vec![(1, 1), (2, 1), (3, 1), (1, 2), (2, 2), (3, 3)]);
        let work_topics = Lists::from_pairs(vec![(1, 9), (2, 9), (3, 4)]);
        let cited = vec![0, 12, 2, 1];
        let author_works = work_authors.transpose();
        let mut topics = Vec::new();
        let m =
            compute(1, author_works.of(1), &cited, &work_authors, &work_topics, &mut Scratch::default(), &mut topics);
        // 3 works, 15 citations, h = 2 (12, 2 ≥ 2), one work with ≥ 10,
        // 2 topics, 2 coauthors of whom author 2 is close (two works).
        assert_eq!(m, [3, 15, 2, 1, 2, 2, 1]);
        assert_eq!(topics, vec![(4, 1), (9, 2)]);
    }
}
