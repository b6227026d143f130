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

use crate::db::{Kind, Sink, fetch, in_chunks, insert_tuples, int, stmt};

/// Ids per slice when reading a table in id order: small enough that a
/// slice's rows, as read, stay a few megabytes.
const SLICE: i64 = 10_000;

/// Authors whose works are listed at once.
const AUTHOR_BLOCK: i64 = 20 * SLICE;

/// A list per key (work or author id): `items[start[k]..start[k + 1]]`.
/// Two u32 per entry and one per key: an import of 1,000,000 works holds
/// its authorships in both directions in about 40 MB.
struct Lists {
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Lists {
    fn new() -> Self {
        Lists { start: vec![0], items: Vec::new() }
    }

    fn of(&self, key: usize) -> &[u32] {
        match (self.start.get(key), self.start.get(key + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Adds sorted (key, item) pairs whose keys all come after those added
    /// before; each key's items deduplicated.
    fn extend_sorted(&mut self, pairs: &[(u32, u32)]) {
        for same in pairs.chunk_by(|a, b| a.0 == b.0) {
            let key = same[0].0 as usize;
            while self.start.len() < key + 1 {
                self.start.push(self.items.len() as u32);
            }
            let from = self.items.len();
            for &(_, item) in same {
                if self.items.len() == from || self.items.last() != Some(&item) {
                    self.items.push(item);
                }
            }
            self.start.push(self.items.len() as u32);
        }
    }

    /// The same relation from the other side, for the items in `lo..hi`
    /// (key `i - lo` for item `i`), by counting sort.
    fn transpose(&self, lo: u32, hi: u32) -> Self {
        let range = lo..hi;
        let mut start = vec![0u32; (hi - lo) as usize + 1];
        for &i in self.items.iter().filter(|i| range.contains(i)) {
            start[(i - lo) as usize + 1] += 1;
        }
        for k in 1..start.len() {
            start[k] += start[k - 1];
        }
        let mut next = start.clone();
        let mut items = vec![0u32; start.last().copied().unwrap_or(0) as usize];
        for k in 0..self.start.len().saturating_sub(1) {
            for &i in self.of(k).iter().filter(|i| range.contains(i)) {
                let slot = &mut next[(i - lo) as usize];
                items[*slot as usize] = k as u32;
                *slot += 1;
            }
        }
        Lists { start, items }
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
    let mut lists = Lists::new();
    let mut pairs = Vec::new();
    for lo in (0..=max).step_by(SLICE as usize) {
        let filter = format!("FROM {table} WHERE {item_col} IS NOT NULL AND {key_col} >= ? AND {key_col} < ?");
        let columns = [(key_col, Kind::BigInt), (item_col, Kind::BigInt)];
        pairs.clear();
        for r in fetch(conn, &columns, &filter, vec![lo.into(), (lo + SLICE).into()]).await? {
            pairs.push((small(&r[0], key_col)?, small(&r[1], item_col)?));
        }
        pairs.sort_unstable();
        lists.extend_sorted(&pairs);
    }
    Ok(lists)
}

/// Each work's citation count and year (0 when unknown), by work id.
async fn work_facts<C: ConnectionTrait>(conn: &C) -> Result<(Vec<u32>, Vec<u16>), DbErr> {
    let max = max_id(conn, "works").await?;
    let mut cited = vec![0u32; max as usize + 1];
    let mut years = vec![0u16; max as usize + 1];
    for lo in (0..=max).step_by(SLICE as usize) {
        let filter = "FROM works WHERE id >= ? AND id < ?";
        let columns = [("id", Kind::BigInt), ("cited_by_count", Kind::Int), ("year", Kind::Int)];
        for r in fetch(conn, &columns, filter, vec![lo.into(), (lo + SLICE).into()]).await? {
            let id = small(&r[0], "work id")? as usize;
            cited[id] = small(&r[1], "citation count")?;
            years[id] = u16::try_from(int(&r[2])).unwrap_or(0);
        }
    }
    Ok((cited, years))
}

/// A hub's first coauthors (`super::TOP`), in the list's order (most shared
/// works, latest year, lowest id): (coauthor, shared works, first year,
/// last year), years 0 when unknown.
fn tops(author: u32, works: &[u32], years: &[u16], work_authors: &Lists) -> Vec<(u32, u32, u16, u16)> {
    let mut pairs: Vec<(u32, u16)> = Vec::new();
    for &w in works {
        let year = years.get(w as usize).copied().unwrap_or(0);
        pairs.extend(work_authors.of(w as usize).iter().filter(|&&b| b != author).map(|&b| (b, year)));
    }
    pairs.sort_unstable();
    let mut out: Vec<(u32, u32, u16, u16)> = pairs
        .chunk_by(|a, b| a.0 == b.0)
        .map(|same| {
            let known = same.iter().map(|p| p.1).filter(|&y| y > 0);
            let first = known.clone().min().unwrap_or(0);
            (same[0].0, same.len() as u32, first, known.max().unwrap_or(0))
        })
        .collect();
    // NULLS LAST: an unknown year (0) sorts below every known one anyway.
    out.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(b.3.cmp(&a.3)).then(a.0.cmp(&b.0)));
    out.truncate(super::TOP as usize);
    out
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
pub async fn authors<C: Sink>(conn: &C) -> Result<(), DbErr> {
    let started = std::time::Instant::now();
    let (cited, years) = work_facts(conn).await?;
    let work_authors = read_pairs(conn, "authorships", "work_id", "author_id").await?;
    let work_topics = read_pairs(conn, "work_topics", "work_id", "topic_id").await?;
    let max_author = max_id(conn, "authors").await?;
    let (mut updated, mut topic_rows, mut hub_rows) = (0usize, 0usize, 0usize);
    let mut scratch = Scratch::default();
    let mut topics = Vec::new();
    let mut author_works = Lists::new();
    let mut block = -1;
    for lo in (0..=max_author).step_by(SLICE as usize) {
        let hi = lo + SLICE;
        // The works of a block of authors at a time: all of them took a
        // third of the rebuild's memory.
        if lo / AUTHOR_BLOCK != block {
            block = lo / AUTHOR_BLOCK;
            let id = |v: i64| u32::try_from(v).map_err(|_| DbErr::Custom(format!("author id {v} out of range")));
            author_works = work_authors.transpose(id(block * AUTHOR_BLOCK)?, id((block + 1) * AUTHOR_BLOCK)?);
        }
        let stored = stored_slice(conn, lo, hi).await?;
        let mut changed: Vec<(i64, Metrics)> = Vec::new();
        let mut replace_topics: Vec<i64> = Vec::new();
        let mut new_topic_rows: Vec<Vec<Value>> = Vec::new();
        let mut top_rows: Vec<Vec<Value>> = Vec::new();
        for (&id, (old, old_topics)) in &stored {
            let works = author_works.of((id - block * AUTHOR_BLOCK) as usize);
            let metrics = compute(id as u32, works, &cited, &work_authors, &work_topics, &mut scratch, &mut topics);
            if metrics[5] >= i64::from(super::HUB) {
                let year = |y: u16| Value::Int((y > 0).then_some(i32::from(y)));
                top_rows.extend(tops(id as u32, works, &years, &work_authors).into_iter().enumerate().map(
                    |(i, (b, shared, first, last))| {
                        let position = i as i32 + 1;
                        vec![
                            id.into(),
                            position.into(),
                            i64::from(b).into(),
                            (shared as i32).into(),
                            year(first),
                            year(last),
                        ]
                    },
                ));
            }
            if &metrics != old {
                changed.push((id, metrics));
            }
            if &topics != old_topics {
                replace_topics.push(id);
                let mut listed = topics.clone();
                listed.sort_unstable_by_key(|&(t, n)| listed_order(t, n));
                new_topic_rows.extend(listed.iter().enumerate().map(|(i, &(t, n))| {
                    vec![Value::from(id), Value::from(i64::from(t)), Value::from(n as i32), Value::from(i as i32 + 1)]
                }));
            }
        }
        updated += changed.len();
        topic_rows += new_topic_rows.len();
        let changed: Vec<Vec<i64>> =
            changed.into_iter().map(|(id, m)| std::iter::once(id).chain(m).collect()).collect();
        update_ints(conn, "authors", &COLUMNS, &changed).await?;
        for (list, values) in in_chunks(&replace_topics) {
            let sql = format!("DELETE FROM author_topics WHERE author_id IN ({list})");
            conn.execute_raw(stmt(conn.get_database_backend(), &sql, values)).await?;
        }
        insert_tuples(
            conn,
            "INSERT INTO author_topics (author_id, topic_id, works_count, position) VALUES {rows}",
            4,
            new_topic_rows,
        )
        .await?;
        // Few authors are hubs: their lists are written again whole.
        let sql = "DELETE FROM coauthor_tops WHERE author_id >= ? AND author_id < ?";
        conn.execute_raw(stmt(conn.get_database_backend(), sql, vec![lo.into(), hi.into()])).await?;
        hub_rows += top_rows.len();
        insert_tuples(
            conn,
            "INSERT INTO coauthor_tops (author_id, position, coauthor_id, shared_works_count, first_year, last_year) \
             VALUES {rows}",
            6,
            top_rows,
        )
        .await?;
    }
    tracing::debug!(
        ms = started.elapsed().as_secs_f64() * 1000.0,
        updated,
        topic_rows,
        hub_rows,
        "author metrics rebuilt"
    );
    Ok(())
}

/// Where an author's topic stands in their list (`author_topics.position`):
/// most works first, then topic id.
fn listed_order(topic: u32, works: u32) -> (std::cmp::Reverse<u32>, u32) {
    (std::cmp::Reverse(works), topic)
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
    let mut topics: HashMap<i64, Vec<(u32, u32, i64)>> = HashMap::new();
    let columns =
        [("author_id", Kind::BigInt), ("topic_id", Kind::BigInt), ("works_count", Kind::Int), ("position", Kind::Int)];
    for r in fetch(conn, &columns, "FROM author_topics WHERE author_id >= ? AND author_id < ?", range).await? {
        let (topic, count) = (small(&r[1], "topic id")?, small(&r[2], "works count")?);
        topics.entry(int(&r[0])).or_default().push((topic, count, int(&r[3])));
    }
    for (author, mut list) in topics {
        list.sort_unstable_by_key(|&(t, n, _)| listed_order(t, n));
        let numbered = list.iter().enumerate().all(|(i, &(_, _, position))| position == i as i64 + 1);
        // A list numbered wrongly reads as empty, so that it is written again.
        let mut list: Vec<(u32, u32)> =
            if numbered { list.into_iter().map(|(t, n, _)| (t, n)).collect() } else { Vec::new() };
        list.sort_unstable();
        if let Some(entry) = out.get_mut(&author) {
            entry.1 = list;
        }
    }
    Ok(out)
}

/// `UPDATE table SET columns…` for rows of (id, values…).
async fn update_ints<C: Sink>(conn: &C, table: &str, columns: &[&str], rows: &[Vec<i64>]) -> Result<(), DbErr> {
    let sets: Vec<String> = columns.iter().enumerate().map(|(i, c)| format!("{c} = v.column{}", i + 2)).collect();
    let sql =
        format!("UPDATE {table} SET {} FROM (VALUES {{rows}}) AS v WHERE {table}.id = v.column1", sets.join(", "));
    let rows = rows.iter().map(|r| r.iter().map(|&v| Value::from(v)).collect()).collect();
    insert_tuples(conn, &sql, columns.len() + 1, rows).await
}

/// Every row's `column` of `table` set to the number of `child` rows whose
/// `key` names it, counted here while reading `child` in slices of the work
/// id `by`, and written only where it differs. In SQL, a grouped pass over
/// every citation sorted in the writer's cache and kept 50 MB; a probe per
/// row needs the index an import has set aside.
pub async fn counts<C: Sink>(
    conn: &C,
    table: &str,
    column: &str,
    child: &str,
    key: &str,
    by: &str,
) -> Result<(), DbErr> {
    let started = std::time::Instant::now();
    let mut n = vec![0u32; max_id(conn, table).await? as usize + 1];
    let works = max_id(conn, "works").await?;
    for lo in (0..=works).step_by(SLICE as usize) {
        let filter = format!("FROM {child} WHERE {key} IS NOT NULL AND {by} >= ? AND {by} < ?");
        for r in fetch(conn, &[(key, Kind::BigInt)], &filter, vec![lo.into(), (lo + SLICE).into()]).await? {
            if let Some(slot) = n.get_mut(small(&r[0], key)? as usize) {
                *slot += 1;
            }
        }
    }
    let mut changed = Vec::new();
    for lo in (0..=n.len() as i64).step_by(SLICE as usize) {
        let filter = format!("FROM {table} WHERE id >= ? AND id < ?");
        let columns = [("id", Kind::BigInt), (column, Kind::Int)];
        for r in fetch(conn, &columns, &filter, vec![lo.into(), (lo + SLICE).into()]).await? {
            let (id, stored) = (int(&r[0]), int(&r[1]));
            let counted = n.get(id as usize).map_or(0, |c| i64::from(*c));
            if stored != counted {
                changed.push(vec![id, counted]);
            }
        }
    }
    update_ints(conn, table, &[column], &changed).await?;
    tracing::debug!(table, changed = changed.len(), ms = started.elapsed().as_secs_f64() * 1000.0, "counts rebuilt");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Lists {
        fn from_pairs(mut pairs: Vec<(u32, u32)>) -> Self {
            pairs.sort_unstable();
            let mut lists = Lists::new();
            lists.extend_sorted(&pairs);
            lists
        }
    }

    #[test]
    fn lists_group_and_transpose() {
        let l = Lists::from_pairs(vec![(2, 7), (0, 5), (2, 5), (2, 7)]);
        assert_eq!(l.of(0), &[5]);
        assert_eq!(l.of(1), &[] as &[u32]);
        assert_eq!(l.of(2), &[5, 7]);
        assert_eq!(l.of(9), &[] as &[u32]);
        let t = l.transpose(0, 8);
        assert_eq!(t.of(5), &[0, 2]);
        assert_eq!(t.of(7), &[2]);
        let upper = l.transpose(6, 8);
        assert_eq!(upper.of(0), &[] as &[u32]);
        assert_eq!(upper.of(1), &[2]);
    }

    #[test]
    fn an_authors_metrics() {
        // Works 1..=3 by author 1; author 2 on works 1 and 2, author 3 on 3.
        let work_authors = Lists::from_pairs(vec![(1, 1), (2, 1), (3, 1), (1, 2), (2, 2), (3, 3)]);
        let work_topics = Lists::from_pairs(vec![(1, 9), (2, 9), (3, 4)]);
        let cited = vec![0, 12, 2, 1];
        let author_works = work_authors.transpose(0, 4);
        let mut topics = Vec::new();
        let m =
            compute(1, author_works.of(1), &cited, &work_authors, &work_topics, &mut Scratch::default(), &mut topics);
        // 3 works, 15 citations, h = 2 (12, 2 ≥ 2), one work with ≥ 10,
        // 2 topics, 2 coauthors of whom author 2 is close (two works).
        assert_eq!(m, [3, 15, 2, 1, 2, 2, 1]);
        assert_eq!(topics, vec![(4, 1), (9, 2)]);
    }
}
