//! Person names and the slugs made from them.

/// `Yuhan Helena Liu` → `yuhan-helena-liu`; accents folded to ASCII.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars().flat_map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() { "author".to_owned() } else { slug }
}

fn fold_accent(c: char) -> Vec<char> {
    let folded = match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' => 'a',
        'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'A',
        'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ě' => 'e',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ō' => 'o',
        'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' | 'Ø' => 'O',
        'ú' | 'ù' | 'û' | 'ü' | 'ū' => 'u',
        'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
        'ç' | 'č' | 'ć' => 'c',
        'ñ' | 'ń' => 'n',
        'š' | 'ś' => 's',
        'ž' | 'ź' | 'ż' => 'z',
        'ł' => 'l',
        'ß' => return vec!['s', 's'],
        other => other,
    };
    vec![folded]
}

/// `Shea-Brown, Eric` → (`Eric`, `Shea-Brown`); `Eric Shea-Brown` → the same.
pub fn split_name(name: &str) -> (Option<String>, Option<String>) {
    let name = name.trim();
    if let Some((family, given)) = name.split_once(',') {
        let given = given.trim();
        return ((!given.is_empty()).then(|| given.to_owned()), Some(family.trim().to_owned()));
    }
    match name.rsplit_once(' ') {
        Some((given, family)) => (Some(given.trim().to_owned()), Some(family.to_owned())),
        None => (None, Some(name.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_name_parts() {
        assert_eq!(slugify("Yuhan Helena Liu"), "yuhan-helena-liu");
        assert_eq!(slugify("Rajesh P. N. Rao"), "rajesh-p-n-rao");
        assert_eq!(slugify("Balázs Szegedy"), "balazs-szegedy");
        assert_eq!(split_name("Shea-Brown, Eric"), (Some("Eric".into()), Some("Shea-Brown".into())));
        assert_eq!(split_name("J. Nathan Kutz"), (Some("J. Nathan".into()), Some("Kutz".into())));
    }
}
