//! Opaque global ids for Relay's `Node`: base64 of `Kind:rowid`.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Author,
    Work,
    Topic,
    Institution,
    Venue,
    Account,
    Post,
    Claim,
    Invitation,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Author => "Author",
            Kind::Work => "Work",
            Kind::Topic => "Topic",
            Kind::Institution => "Institution",
            Kind::Venue => "Venue",
            Kind::Account => "Account",
            Kind::Post => "Post",
            Kind::Claim => "Claim",
            Kind::Invitation => "Invitation",
        }
    }

    fn with_article(self) -> String {
        let article = if matches!(self, Kind::Author | Kind::Institution | Kind::Account | Kind::Invitation) {
            "an"
        } else {
            "a"
        };
        format!("{article} {}", self.name())
    }

    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "Author" => Kind::Author,
            "Work" => Kind::Work,
            "Topic" => Kind::Topic,
            "Institution" => Kind::Institution,
            "Venue" => Kind::Venue,
            "Account" => Kind::Account,
            "Post" => Kind::Post,
            "Claim" => Kind::Claim,
            "Invitation" => Kind::Invitation,
            _ => return None,
        })
    }
}

pub fn encode(kind: Kind, id: i64) -> async_graphql::ID {
    async_graphql::ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// Any global id, with its kind.
pub fn decode_any(id: &str) -> Result<(Kind, i64), AppError> {
    let bad = || AppError::bad_input(format!("malformed id {id:?}"));
    let bytes = URL_SAFE_NO_PAD.decode(id.trim_end_matches('=')).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (kind, row) = text.split_once(':').ok_or_else(bad)?;
    let kind = Kind::parse(kind).ok_or_else(bad)?;
    let row: i64 = row.parse().map_err(|_| bad())?;
    if row <= 0 {
        return Err(bad());
    }
    Ok((kind, row))
}

/// A global id that must be of one kind, e.g. the `authorId` of a filter.
pub fn decode(expected: Kind, id: &str) -> Result<i64, AppError> {
    match decode_any(id)? {
        (kind, row) if kind == expected => Ok(row),
        (kind, _) => Err(AppError::bad_input(format!(
            "id {id:?} names {}, expected {}",
            kind.with_article(),
            expected.with_article()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let id = encode(Kind::Work, 42);
        assert_eq!(decode(Kind::Work, &id).unwrap(), 42);
        assert_eq!(decode(Kind::Author, &id).unwrap_err().code(), "BAD_USER_INPUT");
        assert!(decode_any("!!!").is_err());
        assert!(decode_any(&URL_SAFE_NO_PAD.encode("Work:-1")).is_err());
        assert!(decode_any(&URL_SAFE_NO_PAD.encode("Nope:1")).is_err());
    }
}
