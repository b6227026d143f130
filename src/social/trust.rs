//! The trust score of an author: a sum of documented components, each
//! bounded, so that a client can show why a score is what it is.
//!
//! | component      | points                                                       | max |
//! |----------------|--------------------------------------------------------------|-----|
//! | identifiers    | ORCID iD 10, OpenAlex id 5, Semantic Scholar id 5            | 20  |
//! | verification   | claimed and verified by ORCID match 15, by an administrator 20 | 20 |
//! | works          | 2 per work held here                                         | 20  |
//! | citations      | 5 per tenfold citations (1 → 0, 10 → 5, 100 → 10, …)         | 15  |
//! | collaborators  | 1 per distinct coauthor                                      | 10  |
//! | followers      | 1 per follower                                               | 5   |
//! | account        | for a claimed record: 1 per 30 days of the account's age (max 5) and 1 per post (max 5) | 10 |
//!
//! Bands: NEW below 20, EMERGING from 20, ESTABLISHED from 45, TRUSTED from 70.
//!
//! Verification level: 0 a name only; 1 backed by a persistent identifier
//! (ORCID, OpenAlex, Semantic Scholar); 2 claimed and verified by ORCID
//! match; 3 verified by an administrator.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Band {
    New,
    Emerging,
    Established,
    Trusted,
}

pub const EMERGING: i32 = 20;
pub const ESTABLISHED: i32 = 45;
pub const TRUSTED: i32 = 70;

impl Band {
    pub fn of(score: i32) -> Self {
        match score {
            s if s >= TRUSTED => Band::Trusted,
            s if s >= ESTABLISHED => Band::Established,
            s if s >= EMERGING => Band::Emerging,
            _ => Band::New,
        }
    }
}

/// What the score is computed from.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    pub orcid: bool,
    pub openalex: bool,
    pub semantic_scholar: bool,
    /// verification level of the verified claim (2 or 3), if any
    pub claim_level: Option<i32>,
    pub works: i32,
    pub citations: i32,
    pub collaborators: i32,
    pub followers: i32,
    /// of the claiming account
    pub account_age_days: Option<i64>,
    pub posts: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    pub name: &'static str,
    pub points: i32,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trust {
    pub score: i32,
    pub band: Band,
    pub verification_level: i32,
    pub components: Vec<Component>,
}

fn plural(n: impl Into<i64>, what: &str) -> String {
    let n = n.into();
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

pub fn identifiers(i: &Inputs) -> Component {
    let mut named = Vec::new();
    let mut points = 0;
    for (has, name, p) in
        [(i.orcid, "ORCID", 10), (i.openalex, "OpenAlex", 5), (i.semantic_scholar, "Semantic Scholar", 5)]
    {
        if has {
            named.push(name);
            points += p;
        }
    }
    let detail = if named.is_empty() { "no persistent identifier".to_owned() } else { named.join(", ") };
    Component { name: "identifiers", points: points.min(20), detail }
}

pub fn verification(i: &Inputs) -> Component {
    let (points, detail) = match i.claim_level {
        Some(3) => (20, "claimed, verified by an administrator"),
        Some(2) => (15, "claimed, verified by ORCID iD"),
        _ => (0, "not claimed"),
    };
    Component { name: "verification", points, detail: detail.to_owned() }
}

pub fn works(i: &Inputs) -> Component {
    Component { name: "works", points: (i.works.max(0) * 2).min(20), detail: plural(i.works, "work") }
}

pub fn citations(i: &Inputs) -> Component {
    let points = ((i.citations.max(0) as f64).log10().max(0.0) * 5.0).floor() as i32;
    Component { name: "citations", points: points.min(15), detail: plural(i.citations, "citation") }
}

pub fn collaborators(i: &Inputs) -> Component {
    Component {
        name: "collaborators",
        points: i.collaborators.clamp(0, 10),
        detail: plural(i.collaborators, "coauthor"),
    }
}

pub fn followers(i: &Inputs) -> Component {
    Component { name: "followers", points: i.followers.clamp(0, 5), detail: plural(i.followers, "follower") }
}

pub fn account(i: &Inputs) -> Component {
    match (i.claim_level, i.account_age_days) {
        (Some(_), Some(days)) => {
            let age = (days.max(0) / 30).min(5) as i32;
            let activity = i.posts.clamp(0, 5) as i32;
            Component {
                name: "account",
                points: age + activity,
                detail: format!("account {}, {}", plural(days.max(0), "day") + " old", plural(i.posts, "post")),
            }
        }
        _ => Component { name: "account", points: 0, detail: "no account holds this record".to_owned() },
    }
}

pub fn verification_level(i: &Inputs) -> i32 {
    match i.claim_level {
        Some(level) => level.clamp(2, 3),
        None if i.orcid || i.openalex || i.semantic_scholar => 1,
        None => 0,
    }
}

pub fn score(i: &Inputs) -> Trust {
    let components =
        vec![identifiers(i), verification(i), works(i), citations(i), collaborators(i), followers(i), account(i)];
    let score = components.iter().map(|c| c.points).sum();
    Trust { score, band: Band::of(score), verification_level: verification_level(i), components }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_add_up_to_twenty() {
        let mut i = Inputs::default();
        assert_eq!(identifiers(&i).points, 0);
        i.orcid = true;
        assert_eq!(identifiers(&i).points, 10);
        i.openalex = true;
        i.semantic_scholar = true;
        assert_eq!(
            (identifiers(&i).points, identifiers(&i).detail.as_str()),
            (20, "ORCID, OpenAlex, Semantic Scholar")
        );
    }

    #[test]
    fn verification_by_level() {
        let mut i = Inputs::default();
        assert_eq!(verification(&i).points, 0);
        i.claim_level = Some(2);
        assert_eq!(verification(&i).points, 15);
        i.claim_level = Some(3);
        assert_eq!(verification(&i).points, 20);
    }

    #[test]
    fn works_and_citations_are_bounded() {
        let i = Inputs { works: 3, citations: 1, ..Default::default() };
        assert_eq!((works(&i).points, citations(&i).points), (6, 0));
        let i = Inputs { works: 500, citations: 100, ..Default::default() };
        assert_eq!((works(&i).points, citations(&i).points), (20, 10));
        let i = Inputs { citations: 10_000_000, ..Default::default() };
        assert_eq!(citations(&i).points, 15);
    }

    #[test]
    fn collaborators_and_followers_are_bounded() {
        let i = Inputs { collaborators: 4, followers: 2, ..Default::default() };
        assert_eq!((collaborators(&i).points, followers(&i).points), (4, 2));
        let i = Inputs { collaborators: 400, followers: 2_000, ..Default::default() };
        assert_eq!((collaborators(&i).points, followers(&i).points), (10, 5));
    }

    #[test]
    fn account_counts_only_for_claimed_records() {
        let i = Inputs { account_age_days: Some(400), posts: 9, ..Default::default() };
        assert_eq!(account(&i).points, 0);
        let i = Inputs { claim_level: Some(2), account_age_days: Some(65), posts: 1, ..Default::default() };
        assert_eq!(account(&i).points, 3);
        assert_eq!(account(&i).detail, "account 65 days old, 1 post");
    }

    #[test]
    fn components_add_up_to_the_score_and_bands_follow_thresholds() {
        let i = Inputs {
            orcid: true,
            openalex: true,
            claim_level: Some(2),
            works: 12,
            citations: 340,
            collaborators: 25,
            followers: 1,
            account_age_days: Some(10),
            posts: 2,
            ..Default::default()
        };
        let t = score(&i);
        assert_eq!(t.score, t.components.iter().map(|c| c.points).sum::<i32>());
        assert_eq!(t.score, 15 + 15 + 20 + 12 + 10 + 1 + 2);
        assert_eq!((t.band, t.verification_level), (Band::Trusted, 2));
        assert_eq!(Band::of(0), Band::New);
        assert_eq!(Band::of(19), Band::New);
        assert_eq!(Band::of(20), Band::Emerging);
        assert_eq!(Band::of(45), Band::Established);
        assert_eq!(score(&Inputs { openalex: true, ..Default::default() }).verification_level, 1);
        assert_eq!(score(&Inputs::default()).verification_level, 0);
    }
}
