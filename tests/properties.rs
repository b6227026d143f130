//! Property tests of identifier normalisation and of the id and cursor
//! decoders: any input gives a value or an error, never a panic; normal
//! forms are fixed points; every spelling of one id gives one normal form.
use proptest::prelude::*;
use scholargraph::graphql::global_id::{self, Kind};
use scholargraph::graphql::paging::{decode_cursor, encode_cursor};
use scholargraph::ids;

/// An ORCID iD with its check digit (ISO 7064 MOD 11-2).
fn orcid_of(digits: &str) -> String {
    let total = digits.chars().fold(0u32, |t, c| (t + c.to_digit(10).unwrap()) * 2);
    let check = (12 - total % 11) % 11;
    let last = if check == 10 { 'X' } else { char::from_digit(check, 10).unwrap() };
    let all = format!("{digits}{last}");
    format!("{}-{}-{}-{}", &all[0..4], &all[4..8], &all[8..12], &all[12..16])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn no_input_panics(s in any::<String>()) {
        let _ = ids::doi(&s);
        let _ = ids::orcid(&s);
        let _ = ids::arxiv(&s);
        let _ = ids::ror(&s);
        let _ = ids::openalex(&s);
        let _ = global_id::decode_any(&s);
        let _ = decode_cursor(&s);
    }

    #[test]
    fn dois_have_one_normal_form(prefix in "10\\.[0-9]{4,5}", suffix in "[A-Za-z0-9._;()/:-]{1,40}") {
        let raw = format!("{prefix}/{suffix}");
        let normal = ids::doi(&raw).unwrap();
        prop_assert_eq!(ids::doi(&normal).unwrap(), normal.clone());
        for spelling in [format!("https://doi.org/{raw}"), format!("doi:{raw}"), format!("  HTTPS://DX.DOI.ORG/{raw} "), raw.to_uppercase()] {
            prop_assert_eq!(ids::doi(&spelling).unwrap(), normal.clone(), "{}", spelling);
        }
    }

    #[test]
    fn orcids_keep_valid_check_digits_and_refuse_changed_ones(digits in "[0-9]{15}", flip in 0usize..15, by in 1u32..10) {
        let id = orcid_of(&digits);
        prop_assert_eq!(ids::orcid(&id).unwrap(), id.clone());
        prop_assert_eq!(ids::orcid(&format!("https://orcid.org/{id}")).unwrap(), id.clone());
        prop_assert_eq!(ids::orcid(&id.replace('-', "")).unwrap(), id.clone());
        // Changing one digit changes the check digit (MOD 11-2 catches every single-digit error).
        let mut changed: Vec<char> = digits.chars().collect();
        changed[flip] = char::from_digit((changed[flip].to_digit(10).unwrap() + by) % 10, 10).unwrap();
        let wrong = format!("{}{}", changed.iter().collect::<String>(), id.chars().last().unwrap());
        prop_assert!(ids::orcid(&wrong).is_err(), "{}", wrong);
    }

    #[test]
    fn arxiv_ids_lose_versions_and_prefixes(yymm in "[0-9]{4}", n in "[0-9]{5}", v in 1u32..20) {
        let id = format!("{yymm}.{n}");
        for spelling in [format!("arXiv:{id}v{v}"), format!("https://arxiv.org/abs/{id}"), format!("https://arxiv.org/pdf/{id}v{v}.pdf"), id.clone()] {
            prop_assert_eq!(ids::arxiv(&spelling).unwrap(), id.clone(), "{}", spelling);
        }
    }

    #[test]
    fn global_ids_and_cursors_round_trip(row in 1i64..i64::MAX, kind in 0usize..9, position in 1i64..i64::MAX) {
        let kinds = [Kind::Author, Kind::Work, Kind::Topic, Kind::Institution, Kind::Venue, Kind::Account, Kind::Post, Kind::Claim, Kind::Invitation];
        let id = global_id::encode(kinds[kind], row);
        prop_assert_eq!(global_id::decode(kinds[kind], &id).unwrap(), row);
        prop_assert_eq!(decode_cursor(&encode_cursor(position)).unwrap(), position);
    }
}
