//! Writes a batch of prepared documents in one transaction with few, large
//! statements: entities upserted in bulk, relations replaced only where they
//! changed, citations resolved by external id, and the rows whose derived
//! data must change queued in `derive_queue` (see `derive`).
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Value};

use super::known::Known;
use super::link_dates::{COLUMNS, LinkDates};
use super::prepare::Prepared;
use super::specs::{AUTHORS, INSTITUTIONS, TOPICS, VENUES, WORKS};
use super::upsert::{AsGiven, BeforeInsert, Counts, Outcome, Row, allocate_ids, insert_rows, upsert};
use crate::db::{Kind, Pipe, Sink, fetch, in_chunks, insert_tuples, int, stmt, text};
use crate::search::{self, DocKind};

/// What a batch did, per kind of record.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchCounts {
    pub works: Counts,
    pub authors: Counts,
    pub other: Counts,
}

impl BatchCounts {
    pub fn created(&self) -> usize {
        self.works.created + self.authors.created + self.other.created
    }
    pub fn updated(&self) -> usize {
        self.works.updated + self.authors.updated + self.other.updated
    }
}

fn add(into: &mut Counts, c: Counts) {
    into.created += c.created;
    into.updated += c.updated;
    into.unchanged += c.unchanged;
}

#[derive(Default)]
struct Touched {
    works: BTreeSet<i64>,
    authors: BTreeSet<i64>,
    topics: BTreeSet<i64>,
    /// works whose featured days were written (their trending scores)
    trends: BTreeSet<i64>,
}

/// Index of each document's first record in the batch-wide lists.
fn offsets(lens: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut at = 0;
    lens.map(|n| {
        let start = at;
        at += n;
        start
    })
    .collect()
}

/// Logs how long each phase of a batch took (RUST_LOG=scholargraph::ingest=debug).
struct Phases(std::time::Instant);

impl Phases {
    fn done(&mut self, phase: &str) {
        tracing::debug!(phase, ms = self.0.elapsed().as_secs_f64() * 1000.0, "batch phase");
        self.0 = std::time::Instant::now();
    }
}

/// How a batch tells `derive` which rows it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// each row, in `derive_queue`
    Rows,
    /// not at all: a rebuild of everything is queued (`derive::EVERYTHING`)
    Everything,
}

/// Writes `docs`; `known` holds what earlier batches of the same import
/// wrote (`Known::default()` when there are none).
pub async fn write_batch(tx: &Pipe, docs: &[Prepared], queue: Queue, known: &mut Known) -> Result<BatchCounts, DbErr> {
    let mut phases = Phases(std::time::Instant::now());
    let mut counts = BatchCounts::default();
    let mut touched = Touched::default();

    // Institutions, venues, topics.
    let inst_off = offsets(docs.iter().map(|d| d.institutions.len()));
    let out =
        upsert(tx, &INSTITUTIONS, docs.iter().flat_map(|d| d.institutions.iter().cloned()).collect(), known, AsGiven)
            .await?;
    let mut searchable = Searchable::default();
    searchable.add(DocKind::Institution, &INSTITUTIONS, &out);
    let inst_ids = out.ids;
    add(&mut counts.other, out.counts);
    let inst = |d: usize, i: usize| inst_ids[inst_off[d] + i];

    let venue_off = offsets(docs.iter().map(|d| d.venues.len()));
    let out = upsert(tx, &VENUES, docs.iter().flat_map(|d| d.venues.iter().cloned()).collect(), known, AsGiven).await?;
    let venue_ids = out.ids;
    add(&mut counts.other, out.counts);

    let topic_off = offsets(docs.iter().map(|d| d.topics.len()));
    let out =
        upsert(tx, &TOPICS, docs.iter().flat_map(|d| d.topics.iter().map(|t| t.row.clone())).collect(), known, AsGiven)
            .await?;
    searchable.add(DocKind::Topic, &TOPICS, &out);
    let topic_ids = out.ids;
    add(&mut counts.other, out.counts);
    // Parents: set where they differ from what is stored.
    let mut parents: HashMap<i64, i64> = HashMap::new();
    for (d, doc) in docs.iter().enumerate() {
        for (i, t) in doc.topics.iter().enumerate() {
            if let Some(p) = t.parent {
                parents.insert(topic_ids[topic_off[d] + i], topic_ids[topic_off[d] + p]);
            }
        }
    }
    let stored: HashMap<i64, i64> = match known.parents() {
        Some(p) => parents.keys().filter_map(|id| Some((*id, *p.get(id)?))).collect(),
        None => {
            let ids: Vec<i64> = parents.keys().copied().collect();
            pairs(tx, "FROM topics WHERE parent_id IS NOT NULL AND id IN ({ids})", ["id", "parent_id"], &ids)
                .await?
                .into_iter()
                .collect()
        }
    };
    let backend = tx.get_database_backend();
    for (id, parent) in parents {
        known.note_parent(id, parent);
        if stored.get(&id) != Some(&parent) {
            tx.send(stmt(backend, "UPDATE topics SET parent_id = ? WHERE id = ?", vec![parent.into(), id.into()]))
                .await?;
        }
    }

    phases.done("institutions, venues, topics");
    // Authors, with unique slugs for new ones.
    let author_off = offsets(docs.iter().map(|d| d.authors.len()));
    let mut author_rows = Vec::new();
    let mut slug_bases = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        for a in &doc.authors {
            let mut row = a.row.clone();
            if let Some(c) = a.current_institution {
                row.0[AUTHORS.index("current_institution_id")] = Some(inst(d, c).into());
            }
            author_rows.push(row);
            slug_bases.push((a.slug_base.clone(), a.disambiguator.clone()));
        }
    }
    let slugs = Slugs { bases: &slug_bases, col: AUTHORS.index("slug") };
    let out = upsert(tx, &AUTHORS, author_rows, known, slugs).await?;
    searchable.add(DocKind::Author, &AUTHORS, &out);
    let author_ids = out.ids;
    add(&mut counts.authors, out.counts);
    for (i, changed) in out.changed.iter().enumerate() {
        if *changed {
            touched.authors.insert(author_ids[i]);
        }
    }
    let author = |d: usize, i: usize| author_ids[author_off[d] + i];
    phases.done("authors");
    write_author_relations(tx, docs, &author, &inst).await?;
    phases.done("author relations");

    // Works.
    let work_off = offsets(docs.iter().map(|d| d.works.len()));
    let mut work_rows = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        for w in &doc.works {
            let mut row = w.row.clone();
            if let Some(v) = w.venue {
                row.0[WORKS.index("venue_id")] = Some(venue_ids[venue_off[d] + v].into());
            }
            if let Some(t) = w.primary_topic {
                row.0[WORKS.index("primary_topic_id")] = Some(topic_ids[topic_off[d] + t].into());
            }
            work_rows.push(row);
        }
    }
    let out = upsert(tx, &WORKS, work_rows, known, AsGiven).await?;
    searchable.add(DocKind::Work, &WORKS, &out);
    let mut dates = LinkDates::new(&out);
    let work_ids = out.ids;
    add(&mut counts.works, out.counts);
    let mut existed_before = HashSet::new();
    let mut created_works = Vec::new();
    for ((id, changed), created) in work_ids.iter().zip(&out.changed).zip(&out.created) {
        if *changed {
            touched.works.insert(*id);
        }
        if *created {
            created_works.push(*id);
        } else {
            existed_before.insert(*id);
        }
    }
    let work = |d: usize, i: usize| work_ids[work_off[d] + i];
    phases.done("works");
    let links = Links { existed: &existed_before, dates: &mut dates, touched: &mut touched };
    write_authorships(tx, docs, &work, &author, &inst, links, known).await?;
    phases.done("authorships");
    let links = Links { existed: &existed_before, dates: &mut dates, touched: &mut touched };
    write_work_topics(tx, docs, &work, &|d, t| topic_ids[topic_off[d] + t], links).await?;
    dates.write(tx).await?;
    write_features(tx, docs, &work, &mut touched).await?;
    phases.done("topics, features");
    write_citations(tx, docs, &work, &existed_before, &mut touched, known).await?;
    phases.done("citations");
    resolve_waiting_citations(tx, docs, &work, &mut touched, known).await?;
    phases.done("waiting citations");
    if queue == Queue::Rows {
        enqueue(tx, &touched).await?;
        phases.done("derive queue");
    }
    for (kind, ids) in searchable.changed {
        search::index::refresh(tx, kind, &ids.into_iter().collect::<Vec<_>>()).await?;
    }
    search::index::add_new(tx, searchable.created).await?;
    phases.done("search index");
    // After the authorships and topics, so live subscribers can filter on them.
    created_works.sort_unstable();
    created_works.dedup();
    crate::social::events::record(tx, crate::social::events::EventKind::Work, &created_works).await?;
    phases.done("events");
    Ok(counts)
}

/// Rows whose search documents are written: the changed ones read back,
/// the created ones from the values just written.
#[derive(Default)]
struct Searchable {
    changed: BTreeMap<DocKind, BTreeSet<i64>>,
    /// their documents, ready to write
    created: Vec<(i64, String, String)>,
}

impl Searchable {
    fn add(&mut self, kind: DocKind, spec: &super::upsert::Spec, out: &Outcome) {
        let set = self.changed.entry(kind).or_default();
        set.extend(out.updated());
        let (name, body) = kind.columns();
        let (name, body) = (spec.index(name), spec.index(body));
        self.created.extend(
            out.inserted.iter().map(|(id, row)| search::index::document(kind, *id, text(&row[name]), text(&row[body]))),
        );
    }
}

#[derive(FromQueryResult)]
struct SlugRow {
    slug: String,
}

/// Numbered slugs (`name-2` …) checked for a name that is taken; a name
/// with more namesakes without ids than that gets unchecked numbers.
const NUMBERED: usize = 64;

/// New authors' slugs (`assign_slugs`), checked against what authors hold:
/// the bare names, and the other forms of a name that is taken or that two
/// new authors share. Only new authors are looked at: a record of a known
/// author, however common its name, costs nothing here.
struct Slugs<'a> {
    /// per incoming author row: its slug base and disambiguator
    bases: &'a [(Option<String>, Option<String>)],
    col: usize,
}

impl BeforeInsert for Slugs<'_> {
    async fn fill(&mut self, tx: &Pipe, known: &Known, rows: &mut [Row], new: &[(usize, usize)]) -> Result<(), DbErr> {
        let wanted: Vec<(&String, &Option<String>)> = new
            .iter()
            .filter(|(s, _)| rows[*s].0[self.col].is_none())
            .filter_map(|&(_, first)| Some((self.bases[first].0.as_ref()?, &self.bases[first].1)))
            .collect();
        let mut taken = held_slugs(tx, known, wanted.iter().map(|(b, _)| (*b).clone()).collect()).await?;
        let names_twice = repeated(wanted.iter().map(|(b, _)| *b));
        // A taken name tries its disambiguator (an external id) first, and
        // numbers only when that is taken too. Checking the 64 numbers of
        // every taken name beside it made an import slow down as names
        // filled up: at 3,300,000 generated works on PostgreSQL, where
        // most names were taken, each batch sent 8 lookups of 16,384 slugs
        // (about a second each), and the import fell from 3,400 to 250
        // records a second.
        let contested: Vec<(&String, Option<String>)> = wanted
            .iter()
            .filter(|(b, _)| taken.contains(*b) || names_twice.contains(*b))
            .map(|(b, d)| (*b, d.as_ref().map(|d| format!("{b}-{d}"))))
            .collect();
        let disambiguated_twice = repeated(contested.iter().filter_map(|(_, form)| form.as_ref()));
        taken.extend(held_slugs(tx, known, contested.iter().filter_map(|(_, form)| form.clone()).collect()).await?);
        let numbered: Vec<String> = contested
            .iter()
            .filter(|(_, form)| form.as_ref().is_none_or(|f| taken.contains(f) || disambiguated_twice.contains(f)))
            .flat_map(|(b, _)| (2..NUMBERED + 2).map(move |n| format!("{b}-{n}")))
            .collect();
        taken.extend(held_slugs(tx, known, numbered).await?);
        assign_slugs(rows, new, self.bases, &taken, self.col);
        Ok(())
    }
}

/// The items that come more than once.
fn repeated<'a>(items: impl Iterator<Item = &'a String>) -> HashSet<&'a String> {
    let mut seen = HashSet::new();
    items.filter(|item| !seen.insert(*item)).collect()
}

/// Which of these slugs authors hold.
async fn held_slugs(tx: &Pipe, known: &Known, mut slugs: Vec<String>) -> Result<HashSet<String>, DbErr> {
    if known.tracks(AUTHORS.table) {
        let c = AUTHORS.index("slug");
        return Ok(slugs.into_iter().filter(|s| known.id(AUTHORS.table, c, s).is_some()).collect());
    }
    slugs.sort();
    slugs.dedup();
    let mut held = HashSet::new();
    for (list, values) in in_chunks(&slugs) {
        let sql = format!("SELECT slug FROM authors WHERE slug IN ({list})");
        let rows = SlugRow::find_by_statement(stmt(tx.get_database_backend(), &sql, values)).all(tx).await?;
        held.extend(rows.into_iter().map(|r| r.slug));
    }
    Ok(held)
}

/// A new author's slug: the name, or the name and an external id when the
/// name is taken (namesakes are different people), or a number after it.
fn assign_slugs(
    rows: &mut [Row],
    new: &[(usize, usize)],
    bases: &[(Option<String>, Option<String>)],
    taken: &HashSet<String>,
    slug_col: usize,
) {
    let mut used: HashSet<String> = HashSet::new();
    for &(s, first_row) in new {
        if rows[s].0[slug_col].is_some() {
            continue;
        }
        let (Some(base), disambiguator) = &bases[first_row] else { continue };
        let free = |c: &str, used: &HashSet<String>| !taken.contains(c) && !used.contains(c);
        let candidates = std::iter::once(base.clone())
            .chain(disambiguator.iter().map(|d| format!("{base}-{d}")))
            .chain((2..).map(|n| format!("{base}-{n}")));
        let slug = candidates.into_iter().find(|c| free(c, &used)).unwrap_or_default();
        used.insert(slug.clone());
        rows[s].0[slug_col] = Some(slug.into());
    }
}

async fn write_author_relations(
    tx: &Pipe,
    docs: &[Prepared],
    author: &impl Fn(usize, usize) -> i64,
    inst: &impl Fn(usize, usize) -> i64,
) -> Result<(), DbErr> {
    let mut affiliations = Vec::new();
    let mut metrics = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        for (i, a) in doc.authors.iter().enumerate() {
            for (institution, start, end) in &a.affiliations {
                affiliations.push(vec![
                    author(d, i).into(),
                    inst(d, *institution).into(),
                    (*start).into(),
                    (*end).into(),
                ]);
            }
            for (name, value, source, as_of) in &a.metrics {
                metrics.push(vec![
                    author(d, i).into(),
                    name.clone().into(),
                    (*value).into(),
                    source.clone().into(),
                    Value::ChronoDate(*as_of),
                ]);
            }
        }
    }
    // Later records of the same batch win; an upsert cannot touch a row twice.
    dedup_last(&mut affiliations, 2);
    dedup_last(&mut metrics, 4);
    insert_rows(
        tx,
        "affiliations",
        &["author_id", "institution_id", "start_year", "end_year"],
        affiliations,
        "ON CONFLICT (author_id, institution_id) DO UPDATE SET start_year = excluded.start_year, end_year = excluded.end_year",
    )
    .await?;
    insert_rows(
        tx,
        "external_metrics",
        &["author_id", "name", "value", "source", "as_of"],
        metrics,
        "ON CONFLICT (author_id, name, source) DO UPDATE SET value = excluded.value, as_of = excluded.as_of",
    )
    .await
}

/// Keeps the last of rows that agree on their first `key_len` values, in order.
fn dedup_last(rows: &mut Vec<Vec<Value>>, key_len: usize) {
    let mut seen = HashSet::new();
    let mut kept: Vec<Vec<Value>> =
        rows.drain(..).rev().filter(|r| seen.insert(format!("{:?}", &r[..key_len]))).collect();
    kept.reverse();
    *rows = kept;
}

type AuthorshipKey = (i32, String, Option<i64>, bool, Vec<i64>);

/// What writing a work's links needs besides the records: which works were
/// stored before the batch, their dates, and what the changes touch.
struct Links<'a> {
    existed: &'a HashSet<i64>,
    dates: &'a mut LinkDates,
    touched: &'a mut Touched,
}

async fn write_authorships(
    tx: &Pipe,
    docs: &[Prepared],
    work: &impl Fn(usize, usize) -> i64,
    author: &impl Fn(usize, usize) -> i64,
    inst: &impl Fn(usize, usize) -> i64,
    links: Links<'_>,
    known: &mut Known,
) -> Result<(), DbErr> {
    let Links { existed, dates, touched } = links;
    // What each work's authorships should be (a record without authorships
    // leaves the stored ones alone).
    let mut desired: HashMap<i64, Vec<AuthorshipKey>> = HashMap::new();
    for (d, doc) in docs.iter().enumerate() {
        for (i, w) in doc.works.iter().enumerate() {
            if w.authorships.is_empty() {
                continue;
            }
            let list = w
                .authorships
                .iter()
                .map(|a| {
                    let mut insts: Vec<i64> = a.institutions.iter().map(|x| inst(d, *x)).collect();
                    insts.sort_unstable();
                    insts.dedup();
                    (a.position, a.raw_name.clone(), a.author.map(|x| author(d, x)), a.is_corresponding, insts)
                })
                .collect();
            desired.insert(work(d, i), list);
        }
    }
    let candidates: Vec<i64> = desired.keys().copied().filter(|id| existed.contains(id)).collect();
    let stored = stored_authorships(tx, &candidates).await?;
    let mut replace: Vec<i64> = Vec::new();
    for (work_id, list) in &desired {
        match stored.get(work_id) {
            Some(old) if old == list => {}
            Some(old) => {
                touched.authors.extend(old.iter().filter_map(|a| a.2));
                replace.push(*work_id);
            }
            None => replace.push(*work_id),
        }
    }
    if replace.is_empty() {
        return Ok(());
    }
    replace.sort_unstable();
    let backend = tx.get_database_backend();
    let doomed: Vec<i64> = replace.iter().copied().filter(|id| stored.contains_key(id)).collect();
    for (list, values) in in_chunks(&doomed) {
        tx.send(stmt(backend, &format!("DELETE FROM authorships WHERE work_id IN ({list})"), values)).await?;
    }
    let total: usize = replace.iter().map(|w| desired[w].len()).sum();
    let ids = allocate_ids(tx, "authorships", total, known).await?;
    let mut ids = ids.into_iter();
    let mut rows = Vec::with_capacity(total);
    let mut inst_rows = Vec::new();
    for work_id in &replace {
        touched.works.insert(*work_id);
        let [date, year] = dates.of(*work_id);
        for (position, raw_name, author_id, corresponding, insts) in &desired[work_id] {
            let id = ids.next().unwrap_or_default();
            rows.push(vec![
                id.into(),
                (*work_id).into(),
                (*position).into(),
                (*author_id).into(),
                raw_name.clone().into(),
                (*corresponding).into(),
                date.clone(),
                year.clone(),
            ]);
            touched.authors.extend(*author_id);
            for i in insts {
                inst_rows.push(vec![id.into(), (*i).into(), (*work_id).into()]);
            }
        }
    }
    insert_rows(
        tx,
        "authorships",
        &["id", "work_id", "position", "author_id", "raw_name", "is_corresponding", COLUMNS[0], COLUMNS[1]],
        rows,
        "",
    )
    .await?;
    insert_rows(tx, "authorship_institutions", &["authorship_id", "institution_id", "work_id"], inst_rows, "").await
}

async fn stored_authorships(tx: &Pipe, works: &[i64]) -> Result<HashMap<i64, Vec<AuthorshipKey>>, DbErr> {
    let mut out: HashMap<i64, Vec<AuthorshipKey>> = HashMap::new();
    for (list, values) in in_chunks(works) {
        let columns = [
            ("id", Kind::BigInt),
            ("work_id", Kind::BigInt),
            ("position", Kind::Int),
            ("raw_name", Kind::Text),
            ("author_id", Kind::BigInt),
            ("is_corresponding", Kind::Bool),
        ];
        let mut rows =
            fetch(tx, &columns, &format!("FROM authorships WHERE work_id IN ({list})"), values.clone()).await?;
        let links = fetch(
            tx,
            &[("authorship_id", Kind::BigInt), ("institution_id", Kind::BigInt)],
            &format!("FROM authorship_institutions ai JOIN authorships a ON a.id = ai.authorship_id WHERE a.work_id IN ({list})"),
            values,
        )
        .await?;
        let mut insts: HashMap<i64, Vec<i64>> = HashMap::new();
        for link in links {
            insts.entry(int(&link[0])).or_default().push(int(&link[1]));
        }
        rows.sort_by_key(|r| (int(&r[1]), int(&r[2])));
        for r in rows {
            let mut i = insts.remove(&int(&r[0])).unwrap_or_default();
            i.sort_unstable();
            let author = match &r[4] {
                Value::BigInt(a) => *a,
                _ => None,
            };
            let name = text(&r[3]).to_owned();
            out.entry(int(&r[1])).or_default().push((
                int(&r[2]) as i32,
                name,
                author,
                r[5] == Value::Bool(Some(true)),
                i,
            ));
        }
    }
    Ok(out)
}

async fn pairs(tx: &Pipe, from_where: &str, columns: [&str; 2], ids: &[i64]) -> Result<Vec<(i64, i64)>, DbErr> {
    let mut out = Vec::new();
    for (list, values) in in_chunks(ids) {
        let filter = from_where.replace("{ids}", &list);
        let rows = fetch(tx, &[(columns[0], Kind::BigInt), (columns[1], Kind::BigInt)], &filter, values).await?;
        out.extend(rows.iter().map(|r| (int(&r[0]), int(&r[1]))));
    }
    Ok(out)
}

async fn write_work_topics(
    tx: &Pipe,
    docs: &[Prepared],
    work: &impl Fn(usize, usize) -> i64,
    topic: &impl Fn(usize, usize) -> i64,
    links: Links<'_>,
) -> Result<(), DbErr> {
    let Links { existed, dates, touched } = links;
    let mut desired: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for (d, doc) in docs.iter().enumerate() {
        for (i, w) in doc.works.iter().enumerate() {
            if !w.topics.is_empty() {
                desired.insert(work(d, i), w.topics.iter().map(|t| topic(d, *t)).collect());
            }
        }
    }
    let candidates: Vec<i64> = desired.keys().copied().filter(|id| existed.contains(id)).collect();
    let mut stored: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for (w, t) in pairs(tx, "FROM work_topics WHERE work_id IN ({ids})", ["work_id", "topic_id"], &candidates).await? {
        stored.entry(w).or_default().insert(t);
    }
    let mut replace: Vec<i64> = desired.keys().copied().filter(|w| stored.get(w) != desired.get(w)).collect();
    replace.sort_unstable();
    let doomed: Vec<i64> = replace.iter().copied().filter(|w| stored.contains_key(w)).collect();
    for (list, values) in in_chunks(&doomed) {
        let sql = format!("DELETE FROM work_topics WHERE work_id IN ({list})");
        tx.send(stmt(tx.get_database_backend(), &sql, values)).await?;
    }
    let mut rows = Vec::new();
    for w in &replace {
        touched.works.insert(*w);
        touched.topics.extend(stored.get(w).into_iter().flatten().copied());
        let [date, year] = dates.of(*w);
        for t in &desired[w] {
            touched.topics.insert(*t);
            rows.push(vec![Value::from(*w), Value::from(*t), date.clone(), year.clone()]);
        }
    }
    insert_rows(tx, "work_topics", &["work_id", "topic_id", COLUMNS[0], COLUMNS[1]], rows, "").await
}

async fn write_features(
    tx: &Pipe,
    docs: &[Prepared],
    work: &impl Fn(usize, usize) -> i64,
    touched: &mut Touched,
) -> Result<(), DbErr> {
    let mut rows = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        for (i, w) in doc.works.iter().enumerate() {
            if !w.features.is_empty() {
                touched.trends.insert(work(d, i));
            }
            for f in &w.features {
                rows.push(vec![
                    work(d, i).into(),
                    Value::ChronoDate(Some(f.day)),
                    f.source.clone().into(),
                    f.upvotes.into(),
                ]);
            }
        }
    }
    dedup_last(&mut rows, 3);
    insert_rows(
        tx,
        "work_features",
        &["work_id", "featured_on", "source", "upvotes"],
        rows,
        "ON CONFLICT (work_id, featured_on, source) DO UPDATE SET upvotes = excluded.upvotes",
    )
    .await
}

type CitationValue = (Option<String>, Option<String>, Option<bool>, Option<i64>);

async fn write_citations(
    tx: &Pipe,
    docs: &[Prepared],
    work: &impl Fn(usize, usize) -> i64,
    existed: &HashSet<i64>,
    touched: &mut Touched,
    known: &mut Known,
) -> Result<(), DbErr> {
    let json = |v: &Vec<String>| (!v.is_empty()).then(|| serde_json::to_string(v).unwrap_or_default());
    let mut desired: HashMap<(i64, String), CitationValue> = HashMap::new();
    for (d, doc) in docs.iter().enumerate() {
        for (i, w) in doc.works.iter().enumerate() {
            let citing = work(d, i);
            for c in &w.cites {
                desired
                    .insert((citing, c.target.clone()), (json(&c.contexts), json(&c.intents), c.is_influential, None));
            }
            for r in &w.references {
                let cited = work(d, *r);
                let target = doc.works[*r].refs.first().cloned().unwrap_or_else(|| format!("scholargraph:{cited}"));
                desired.insert((citing, target), (None, None, None, Some(cited)));
            }
        }
    }
    if desired.is_empty() {
        return Ok(());
    }
    let mut citing: Vec<i64> = desired.keys().map(|(c, _)| *c).filter(|c| existed.contains(c)).collect();
    citing.sort_unstable();
    citing.dedup();
    let mut stored: HashMap<(i64, String), CitationValue> = HashMap::new();
    let columns = [
        ("citing_work_id", Kind::BigInt),
        ("cited_ref", Kind::Text),
        ("contexts", Kind::Text),
        ("intents", Kind::Text),
        ("is_influential", Kind::Bool),
    ];
    for (list, values) in in_chunks(&citing) {
        let filter = format!("FROM citations WHERE citing_work_id IN ({list})");
        for r in fetch(tx, &columns, &filter, values).await? {
            let nullable = |v: &Value| match v {
                Value::String(s) => s.clone(),
                _ => None,
            };
            let influential = match r[4] {
                Value::Bool(b) => b,
                _ => None,
            };
            stored.insert(
                (int(&r[0]), nullable(&r[1]).unwrap_or_default()),
                (nullable(&r[2]), nullable(&r[3]), influential, None),
            );
        }
    }
    // Rows already stored as they are stay untouched.
    let same = |(c, i, inf, _): &CitationValue, stored: Option<&CitationValue>| {
        stored.is_some_and(|(sc, si, sinf, _)| sc == c && si == i && sinf == inf)
    };
    desired.retain(|key, v| !same(v, stored.get(key)));
    // Targets naming a work held here resolve before the rows are written:
    // resolving them afterwards rewrote every new row.
    let mut open: Vec<&str> = desired.iter().filter(|(_, v)| v.3.is_none()).map(|((_, t), _)| t.as_str()).collect();
    open.sort_unstable();
    open.dedup();
    let resolved = resolve_targets(tx, &open, known).await?;
    let mut rows = Vec::new();
    let mut desired: Vec<((i64, String), CitationValue)> = desired.into_iter().collect();
    // In index order: neighbouring rows land on the same pages.
    desired.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for ((citing, target), (contexts, intents, influential, cited)) in desired {
        let cited = cited.or_else(|| resolved.get(&target).copied());
        if cited.is_none() {
            known.note_waiting(&target);
        }
        if !stored.contains_key(&(citing, target.clone())) {
            // A new citation: the work it cites is cited more often now.
            touched.works.extend(cited);
        }
        rows.push(vec![
            citing.into(),
            target.into(),
            cited.into(),
            contexts.into(),
            intents.into(),
            influential.into(),
        ]);
    }
    insert_rows(
        tx,
        "citations",
        &["citing_work_id", "cited_ref", "cited_work_id", "contexts", "intents", "is_influential"],
        rows,
        "ON CONFLICT (citing_work_id, cited_ref) DO UPDATE SET contexts = excluded.contexts, intents = excluded.intents, \
         is_influential = excluded.is_influential",
    )
    .await
}

/// The works that cite targets (`doi:…`, `openalex:…`, `arxiv:…`, `s2:…`) name.
async fn resolve_targets(tx: &Pipe, targets: &[&str], known: &Known) -> Result<HashMap<String, i64>, DbErr> {
    let mut out = HashMap::new();
    for (prefix, column) in [("openalex:", "openalex_id"), ("doi:", "doi"), ("arxiv:", "arxiv_id"), ("s2:", "s2_id")] {
        let ids = targets.iter().filter_map(|t| t.strip_prefix(prefix));
        if known.tracks(WORKS.table) {
            let c = WORKS.index(column);
            out.extend(ids.filter_map(|id| Some((format!("{prefix}{id}"), known.id(WORKS.table, c, id)?))));
            continue;
        }
        let ids: Vec<String> = ids.map(str::to_owned).collect();
        for (list, values) in in_chunks(&ids) {
            let filter = format!("FROM works WHERE {column} IN ({list})");
            for row in fetch(tx, &[("id", Kind::BigInt), (column, Kind::Text)], &filter, values).await? {
                if let Value::String(Some(key)) = &row[1] {
                    out.insert(format!("{prefix}{key}"), int(&row[0]));
                }
            }
        }
    }
    Ok(out)
}

/// Citations stored before the work they cite arrived now point at it.
async fn resolve_waiting_citations(
    tx: &Pipe,
    docs: &[Prepared],
    work: &impl Fn(usize, usize) -> i64,
    touched: &mut Touched,
    known: &Known,
) -> Result<(), DbErr> {
    let mut by_ref: Vec<(String, i64)> = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        for (i, w) in doc.works.iter().enumerate() {
            by_ref.extend(w.refs.iter().filter(|r| known.may_wait_for(r)).map(|r| (r.clone(), work(d, i))));
        }
    }
    let work_of: HashMap<&str, i64> = by_ref.iter().map(|(r, id)| (r.as_str(), *id)).collect();
    let refs: Vec<String> = by_ref.iter().map(|(r, _)| r.clone()).collect();
    // Usually none wait: look first, with a statement that repeats.
    let mut found: Vec<(i64, i64)> = Vec::new();
    for (list, values) in in_chunks(&refs) {
        let filter = format!("FROM citations WHERE cited_work_id IS NULL AND cited_ref IN ({list})");
        for row in fetch(tx, &[("id", Kind::BigInt), ("cited_ref", Kind::Text)], &filter, values).await? {
            if let Value::String(Some(r)) = &row[1] {
                found.extend(work_of.get(r.as_str()).map(|w| (int(&row[0]), *w)));
            }
        }
    }
    touched.works.extend(found.iter().map(|(_, w)| *w));
    let rows = found.iter().map(|&(c, w)| vec![Value::from(c), Value::from(w)]).collect();
    let sql = "UPDATE citations SET cited_work_id = v.column2 FROM (VALUES {rows}) AS v WHERE citations.id = v.column1";
    insert_tuples(tx, sql, 2, rows).await?;
    Ok(())
}

async fn enqueue(tx: &Pipe, touched: &Touched) -> Result<(), DbErr> {
    let mut rows = Vec::new();
    let kinds = [
        ("work", &touched.works),
        ("author", &touched.authors),
        ("topic", &touched.topics),
        ("trend", &touched.trends),
    ];
    for (kind, ids) in kinds {
        rows.extend(ids.iter().map(|id| vec![Value::from(kind), Value::from(*id)]));
    }
    insert_rows(tx, "derive_queue", &["kind", "item_id"], rows, "ON CONFLICT (kind, item_id) DO NOTHING").await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Namesakes are different authors: each new one gets a slug no author
    /// holds, the taken numbered and id forms included.
    #[test]
    fn slugs_skip_every_form_already_held() {
        let slug_col = AUTHORS.index("slug");
        let mut rows: Vec<Row> = (0..3).map(|_| AUTHORS.row(vec![])).collect();
        let bases = vec![
            (Some("ada-lovelace".to_owned()), None),
            (Some("ada-lovelace".to_owned()), Some("a123".to_owned())),
            (Some("ada-lovelace".to_owned()), None),
        ];
        let taken: HashSet<String> =
            ["ada-lovelace", "ada-lovelace-2", "ada-lovelace-a123"].into_iter().map(str::to_owned).collect();
        assign_slugs(&mut rows, &[(0, 0), (1, 1), (2, 2)], &bases, &taken, slug_col);
        let slugs: Vec<&str> = rows.iter().map(|r| r.text(slug_col).unwrap_or_default()).collect();
        assert_eq!(slugs, ["ada-lovelace-3", "ada-lovelace-4", "ada-lovelace-5"]);
    }
}
