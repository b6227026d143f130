//! `Work.related`: the works most related to each work of a batch, in one
//! statement. A candidate scores 3 per shared author, 2 for a citation
//! either way, 1 per reference both cite (bibliographic coupling) and per
//! work citing both (co-citation), and 10 / (works + 10) per shared topic
//! (rare topics say more; topics of over 10,000 works are not followed).
use crate::entities::work;
use crate::graphql::loaders::children;

/// Candidates kept per work; `related(first:)` takes at most this many.
pub const MAX_RELATED: usize = 100;

children!(
    RelatedWorks,
    work::Model,
    "WITH src AS (SELECT id FROM works WHERE id IN ({ids})), \
     cand AS ( \
       SELECT a.work_id AS s, b.work_id AS c, 3.0 AS w FROM authorships a \
         JOIN authorships b ON b.author_id = a.author_id \
         WHERE a.work_id IN (SELECT id FROM src) AND b.work_id <> a.work_id \
       UNION ALL \
       SELECT a.work_id, b.work_id, 10.0 / (t.works_count + 10) FROM work_topics a \
         JOIN topics t ON t.id = a.topic_id AND t.works_count <= 10000 \
         JOIN work_topics b ON b.topic_id = a.topic_id \
         WHERE a.work_id IN (SELECT id FROM src) AND b.work_id <> a.work_id \
       UNION ALL \
       SELECT citing_work_id, cited_work_id, 2.0 FROM citations \
         WHERE citing_work_id IN (SELECT id FROM src) AND cited_work_id IS NOT NULL AND cited_work_id <> citing_work_id \
       UNION ALL \
       SELECT cited_work_id, citing_work_id, 2.0 FROM citations \
         WHERE cited_work_id IN (SELECT id FROM src) AND cited_work_id <> citing_work_id \
       UNION ALL \
       SELECT a.citing_work_id, b.citing_work_id, 1.0 FROM citations a \
         JOIN citations b ON b.cited_work_id = a.cited_work_id \
         WHERE a.citing_work_id IN (SELECT id FROM src) AND b.citing_work_id <> a.citing_work_id \
       UNION ALL \
       SELECT a.cited_work_id, b.cited_work_id, 1.0 FROM citations a \
         JOIN citations b ON b.citing_work_id = a.citing_work_id \
         WHERE a.cited_work_id IN (SELECT id FROM src) AND b.cited_work_id IS NOT NULL \
           AND b.cited_work_id <> a.cited_work_id), \
     ranked AS (SELECT s, c, ROW_NUMBER() OVER (PARTITION BY s ORDER BY SUM(w) DESC, c) AS rn \
       FROM cand GROUP BY s, c) \
     SELECT r.s AS parent__, w.* FROM ranked r JOIN works w ON w.id = r.c WHERE r.rn <= 100 ORDER BY r.s, r.rn"
);
