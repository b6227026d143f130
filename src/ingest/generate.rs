//! `scholargraph generate`: reproducible synthetic OpenAlex works, shaped like
//! the real graph, for benchmarks and scale tests. Productivity and citations
//! follow power laws (preferential attachment), works have 1..40 authors
//! (about 4 on average) and cite about 7 earlier works, authors have
//! institutions with ROR ids and some have ORCID iDs.
use std::io::{self, Write};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

const TOPICS: usize = 200;
const COUNTRIES: [&str; 8] = ["US", "GB", "DE", "FR", "CN", "JP", "CA", "NL"];
const SYLLABLES: [&str; 24] = [
    "an", "bel", "cor", "da", "el", "fa", "gu", "hi", "in", "jo", "ka", "li", "mo", "na", "or", "pe", "qui", "ra",
    "si", "ta", "u", "vi", "wen", "xa",
];
const WORDS: [&str; 32] = [
    "neural",
    "learning",
    "dynamics",
    "networks",
    "graph",
    "inference",
    "causal",
    "spiking",
    "memory",
    "representation",
    "kernel",
    "sparse",
    "stochastic",
    "recurrent",
    "attention",
    "plasticity",
    "manifold",
    "gradient",
    "bayesian",
    "optimal",
    "control",
    "cortex",
    "signal",
    "model",
    "theory",
    "scaling",
    "robust",
    "efficient",
    "structure",
    "emergent",
    "latent",
    "temporal",
];

/// Words of titles: the topical words above first, then made-up words,
/// drawn with Zipf's law (the k-th most common word k times rarer than the
/// first), as words of real titles are: a search for two words finds a few
/// works, not a quarter of them.
const VOCABULARY: usize = 20_000;

fn vocabulary_word(rank: usize) -> String {
    if rank < WORDS.len() {
        return WORDS[rank].to_owned();
    }
    // Made-up words of three syllables and more, all different.
    let mut n = rank - WORDS.len() + SYLLABLES.len() * SYLLABLES.len();
    let mut s = String::new();
    while n > 0 {
        s.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
    }
    s
}

/// Cumulative Zipf weights of the vocabulary's ranks, for sampling.
fn zipf_table() -> Vec<f64> {
    let mut total = 0.0;
    (1..=VOCABULARY)
        .map(|k| {
            total += 1.0 / k as f64;
            total
        })
        .collect()
}

fn zipf_rank(rng: &mut ChaCha8Rng, table: &[f64]) -> usize {
    let x = rng.random_range(0.0..table[table.len() - 1]);
    table.partition_point(|c| *c < x).min(table.len() - 1)
}

fn name(rng: &mut ChaCha8Rng, parts: usize) -> String {
    let mut s = String::new();
    for _ in 0..parts {
        s.push_str(SYLLABLES[rng.random_range(0..SYLLABLES.len())]);
    }
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// A valid ORCID iD (ISO 7064 MOD 11-2 check digit) from a number.
fn orcid(n: u64) -> String {
    let digits = format!("{:015}", 1_000_000_000 + n % 999_999_999);
    let mut total = 0u32;
    for c in digits.chars() {
        total = (total + c.to_digit(10).unwrap_or(0)) * 2;
    }
    let check = (12 - total % 11) % 11;
    let check = if check == 10 { 'X' } else { char::from_digit(check, 10).unwrap_or('0') };
    format!("{}-{}-{}-{}{}", &digits[0..4], &digits[4..8], &digits[8..12], &digits[12..15], check)
}

/// A ROR-shaped id: 0, six base-32 characters, two digits.
fn ror(n: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut s = String::from("0");
    let mut x = n.wrapping_mul(2_654_435_761) ^ 0x5bd1e995;
    for _ in 0..6 {
        s.push(ALPHABET[(x % 32) as usize] as char);
        x /= 32;
    }
    format!("{s}{:02}", n % 100)
}

/// Authors per work: 1..=40, heavy-tailed, about 4 on average.
fn author_count(rng: &mut ChaCha8Rng) -> usize {
    let u: f64 = rng.random::<f64>();
    let k = (1.0 / (1.0 - u * 0.975)).powf(1.1);
    (k as usize).clamp(1, 40)
}

pub struct Generator {
    rng: ChaCha8Rng,
    works: usize,
    /// one entry per authorship so far: picking from it favours prolific authors
    author_slots: Vec<u32>,
    authors: u32,
    /// one entry per citation so far: picking from it favours cited works
    cited_slots: Vec<u32>,
    institutions: u32,
    vocabulary: Vec<String>,
    zipf: Vec<f64>,
}

impl Generator {
    pub fn new(works: usize, seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            works,
            author_slots: Vec::with_capacity(works * 4),
            authors: 0,
            cited_slots: Vec::with_capacity(works * 7),
            institutions: (works / 200).max(20) as u32,
            vocabulary: (0..VOCABULARY).map(vocabulary_word).collect(),
            zipf: zipf_table(),
        }
    }

    fn author(&mut self) -> u32 {
        // New author with probability 0.35, else someone who has written before.
        if self.author_slots.is_empty() || self.rng.random::<f64>() < 0.35 {
            self.authors += 1;
            self.authors
        } else {
            self.author_slots[self.rng.random_range(0..self.author_slots.len())]
        }
    }

    fn work(&mut self, n: usize) -> Value {
        let rng = &mut self.rng;
        let year = 1990 + (36 * n / self.works.max(1)) as i32;
        let date = format!("{year}-{:02}-{:02}", rng.random_range(1..=12), rng.random_range(1..=28));
        let words: Vec<&str> =
            (0..rng.random_range(4..10)).map(|_| self.vocabulary[zipf_rank(rng, &self.zipf)].as_str()).collect();
        let title = {
            let t = words.join(" ");
            let mut c = t.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        };
        let mut index = serde_json::Map::new();
        for (i, w) in words.iter().enumerate() {
            index.entry(w.to_string()).or_insert_with(|| json!([])).as_array_mut().map(|a| a.push(json!(i)));
        }
        let k = author_count(&mut self.rng);
        let mut seen = Vec::with_capacity(k);
        let mut authorships = Vec::with_capacity(k);
        for position in 0..k {
            let mut a = self.author();
            if seen.contains(&a) {
                self.authors += 1;
                a = self.authors;
            }
            seen.push(a);
            let inst = (a.wrapping_mul(7919) % self.institutions) + 1;
            let mut arng = ChaCha8Rng::seed_from_u64(a as u64);
            let display = format!("{} {}", name(&mut arng, 2), name(&mut arng, 3));
            let country = COUNTRIES[(inst % 8) as usize];
            let orcid = (a % 5 < 2).then(|| format!("https://orcid.org/{}", orcid(a as u64)));
            authorships.push(json!({
                "author_position": if position == 0 { "first" } else if position + 1 == k { "last" } else { "middle" },
                "author": {"id": format!("https://openalex.org/A{a}"), "display_name": display, "orcid": orcid},
                "institutions": [{
                    "id": format!("https://openalex.org/I{inst}"),
                    "display_name": format!("University of {}", name(&mut ChaCha8Rng::seed_from_u64(inst as u64 + 1_000_000), 3)),
                    "ror": format!("https://ror.org/{}", ror(inst as u64)),
                    "country_code": country,
                    "type": "education"
                }],
                "raw_author_name": display,
                "is_corresponding": position == 0,
            }));
        }
        for a in seen {
            self.author_slots.push(a);
        }
        let mut refs = Vec::new();
        if n > 0 {
            let wanted = self.rng.random_range(0..=14).min(n);
            for _ in 0..wanted {
                let target = if !self.cited_slots.is_empty() && self.rng.random::<f64>() < 0.6 {
                    self.cited_slots[self.rng.random_range(0..self.cited_slots.len())]
                } else {
                    self.rng.random_range(1..=n as u32)
                };
                if !refs.contains(&target) {
                    refs.push(target);
                }
            }
            self.cited_slots.extend(refs.iter().copied());
        }
        let rng = &mut self.rng;
        let topic = |rng: &mut ChaCha8Rng| {
            let t = ((rng.random::<f64>().powi(3)) * TOPICS as f64) as usize + 10_000;
            json!({"id": format!("https://openalex.org/T{t}"), "display_name": format!("Topic {}", name(&mut ChaCha8Rng::seed_from_u64(t as u64), 3)),
                   "score": 0.9, "subfield": {"id": format!("https://openalex.org/subfields/{}", 1700 + t % 20), "display_name": format!("Subfield {}", t % 20)}})
        };
        let topics: Vec<Value> = (0..rng.random_range(1..=3)).map(|_| topic(rng)).collect();
        let venue = rng.random_range(1..=50u32);
        json!({
            "id": format!("https://openalex.org/W{}", n + 1),
            "doi": format!("https://doi.org/10.5555/sg.{}", n + 1),
            "title": title,
            "display_name": title,
            "publication_year": year,
            "publication_date": date,
            "type": if n % 3 == 0 { "preprint" } else { "article" },
            "authorships": authorships,
            "primary_location": {"source": {"id": format!("https://openalex.org/S{venue}"), "display_name": format!("Journal of {}", name(&mut ChaCha8Rng::seed_from_u64(venue as u64 + 7), 3)), "issn_l": format!("{:04}-{:04}", venue, venue), "type": "journal"}},
            "primary_topic": topics[0],
            "topics": topics,
            "referenced_works": refs.iter().map(|r| format!("https://openalex.org/W{r}")).collect::<Vec<_>>(),
            "abstract_inverted_index": index,
        })
    }
}

/// Writes `works` works as OpenAlex JSON lines.
pub fn generate(works: usize, seed: u64, out: &mut impl Write) -> io::Result<()> {
    let mut g = Generator::new(works, seed);
    for n in 0..works {
        serde_json::to_writer(&mut *out, &g.work(n))?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproducible_and_shaped_like_the_real_graph() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        generate(2_000, 7, &mut a).unwrap();
        generate(2_000, 7, &mut b).unwrap();
        assert_eq!(a, b);
        let works: Vec<Value> =
            a.split(|c| *c == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
        let authorships: usize = works.iter().map(|w| w["authorships"].as_array().unwrap().len()).sum();
        let refs: usize = works.iter().map(|w| w["referenced_works"].as_array().unwrap().len()).sum();
        let mean_authors = authorships as f64 / works.len() as f64;
        let mean_refs = refs as f64 / works.len() as f64;
        assert!((3.0..5.5).contains(&mean_authors), "{mean_authors}");
        assert!((5.0..8.0).contains(&mean_refs), "{mean_refs}");
        assert!(works.iter().all(|w| (1..=40).contains(&w["authorships"].as_array().unwrap().len())));
        for w in &works {
            for a in w["authorships"].as_array().unwrap() {
                if let Some(o) = a["author"]["orcid"].as_str() {
                    crate::ids::orcid(o).unwrap();
                }
                crate::ids::ror(a["institutions"][0]["ror"].as_str().unwrap()).unwrap();
            }
        }
    }
}
