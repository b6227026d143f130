//! Decoding the LaTeX found in bibliographic text: accents (`Bal\'azs`,
//! `{\"o}`, `\c{c}`, `\v{s}`, `\'{\i}`), special letters (`\ss`, `{\o}`,
//! `\aa`, `\l`), escaped characters (`\&`, `\%`). Math (`$…$`, `$$…$$`,
//! `\(…\)`) is never touched.
//!
//! [`decode`] is for BibTeX fields and person names: grouping braces are
//! removed, `~` is a space, `--`/`---` are dashes, text-style commands
//! (`\emph{x}`, `\textbf{x}`) keep only their text.
//! [`decode_accents`] is for arXiv titles and abstracts, which are LaTeX
//! source readers are used to: only accents, special letters and escaped
//! characters are decoded (with the braces right around them); everything
//! else stays as written.
use unicode_normalization::UnicodeNormalization;

/// Full decoding (BibTeX fields, names).
pub fn decode(s: &str) -> String {
    run(s, true)
}

/// Accents and special letters only (arXiv titles and abstracts).
pub fn decode_accents(s: &str) -> String {
    run(s, false)
}

fn run(s: &str, full: bool) -> String {
    if !s.contains(['\\', '{', '}', '~', '-', '`', '\'']) {
        return s.to_owned();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut p = Parser { s: &chars, i: 0, full, combining: false, depth: 0 };
    let mut out = String::with_capacity(s.len());
    p.run(&mut out, false);
    if p.combining { out.nfc().collect() } else { out }
}

struct Parser<'a> {
    s: &'a [char],
    i: usize,
    full: bool,
    /// a combining mark was written: compose at the end
    combining: bool,
    /// nesting of groups and accent arguments (bounded: no stack overflow on hostile input)
    depth: usize,
}

const MAX_DEPTH: usize = 64;

/// The combining mark of an accent command.
fn accent_mark(cmd: &str) -> Option<char> {
    Some(match cmd {
        "'" => '\u{301}',
        "`" => '\u{300}',
        "^" => '\u{302}',
        "\"" => '\u{308}',
        "~" => '\u{303}',
        "=" => '\u{304}',
        "." => '\u{307}',
        "c" => '\u{327}',
        "v" => '\u{30C}',
        "u" => '\u{306}',
        "H" => '\u{30B}',
        "k" => '\u{328}',
        "r" => '\u{30A}',
        "d" => '\u{323}',
        "b" => '\u{331}',
        "t" => '\u{361}',
        _ => return None,
    })
}

/// The accent on its own (`\'{}`).
fn spacing_accent(cmd: &str) -> &'static str {
    match cmd {
        "'" => "´",
        "`" => "`",
        "^" => "^",
        "\"" => "¨",
        "~" => "~",
        "=" => "¯",
        "." => "˙",
        "c" => "¸",
        "v" => "ˇ",
        "u" => "˘",
        "H" => "˝",
        "k" => "˛",
        "r" => "˚",
        _ => "",
    }
}

/// Letters and symbols written as control words.
fn special(word: &str) -> Option<&'static str> {
    Some(match word {
        "ss" => "ß",
        "SS" => "SS",
        "o" => "ø",
        "O" => "Ø",
        "aa" => "å",
        "AA" => "Å",
        "ae" => "æ",
        "AE" => "Æ",
        "oe" => "œ",
        "OE" => "Œ",
        "l" => "ł",
        "L" => "Ł",
        "i" => "ı",
        "j" => "ȷ",
        "dh" => "ð",
        "DH" => "Ð",
        "th" => "þ",
        "TH" => "Þ",
        "ng" => "ŋ",
        "NG" => "Ŋ",
        "dj" => "đ",
        "DJ" => "Đ",
        "S" => "§",
        "P" => "¶",
        "copyright" => "©",
        "textcopyright" => "©",
        "pounds" => "£",
        "textsterling" => "£",
        "euro" => "€",
        "texteuro" => "€",
        "dag" => "†",
        "ddag" => "‡",
        "textendash" => "–",
        "textemdash" => "—",
        "textquoteleft" => "‘",
        "textquoteright" => "’",
        "textquotedblleft" => "“",
        "textquotedblright" => "”",
        "textregistered" => "®",
        "texttrademark" => "™",
        "textdegree" => "°",
        "textasciitilde" => "~",
        "textbackslash" => "\\",
        "textunderscore" => "_",
        "textbar" => "|",
        "textless" => "<",
        "textgreater" => ">",
        "ldots" | "dots" | "textellipsis" => "…",
        "guillemotleft" | "guillemetleft" => "«",
        "guillemotright" | "guillemetright" => "»",
        "textexclamdown" => "¡",
        "textquestiondown" => "¿",
        _ => return None,
    })
}

/// Commands that only style their argument (full mode keeps the argument).
fn is_style(word: &str) -> bool {
    matches!(
        word,
        "emph"
            | "textit"
            | "textbf"
            | "textsc"
            | "textrm"
            | "textsf"
            | "texttt"
            | "textup"
            | "textsl"
            | "textmd"
            | "textnormal"
            | "mbox"
            | "hbox"
            | "text"
            | "url"
            | "underline"
            | "uline"
            | "em"
            | "it"
            | "bf"
            | "sc"
            | "rm"
            | "sf"
            | "tt"
            | "sl"
            | "itshape"
            | "bfseries"
            | "scshape"
            | "upshape"
            | "normalfont"
            | "relax"
            | "protect"
            | "noopsort"
            | "NoCaseChange"
            | "MakeUppercase"
            | "MakeLowercase"
            | "uppercase"
            | "lowercase"
    )
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    /// Decodes until the end, or (inside a group) the matching `}`, which is
    /// consumed.
    fn run(&mut self, out: &mut String, in_group: bool) {
        while let Some(c) = self.peek() {
            match c {
                '}' if in_group => {
                    self.i += 1;
                    return;
                }
                '}' => {
                    self.i += 1;
                    if !self.full {
                        out.push('}');
                    }
                }
                '{' if self.depth >= MAX_DEPTH => {
                    self.i += 1;
                    if !self.full {
                        out.push('{');
                    }
                }
                '{' => {
                    self.i += 1;
                    self.depth += 1;
                    self.group(out);
                    self.depth -= 1;
                }
                '\\' => self.command(out),
                '$' => self.math(out),
                '~' if self.full => {
                    self.i += 1;
                    out.push(' ');
                }
                '-' if self.full && self.s.get(self.i + 1) == Some(&'-') => {
                    if self.s.get(self.i + 2) == Some(&'-') {
                        self.i += 3;
                        out.push('—');
                    } else {
                        self.i += 2;
                        out.push('–');
                    }
                }
                '`' if self.full && self.s.get(self.i + 1) == Some(&'`') => {
                    self.i += 2;
                    out.push('“');
                }
                '\'' if self.full && self.s.get(self.i + 1) == Some(&'\'') => {
                    self.i += 2;
                    out.push('”');
                }
                _ => {
                    self.i += 1;
                    out.push(c);
                }
            }
        }
    }

    /// After a `{`.
    fn group(&mut self, out: &mut String) {
        if self.full {
            self.run(out, true);
            return;
        }
        // Light mode: drop the braces only around a decoded accent or letter.
        let starts_with_command = self.peek() == Some('\\');
        let start = self.i;
        let mut inner = String::new();
        self.run(&mut inner, true);
        let closed = self.i > start && self.s.get(self.i - 1) == Some(&'}');
        if starts_with_command
            && !inner.contains('\\')
            && !inner.is_empty()
            && inner.chars().filter(|c| !is_combining(*c)).count() == 1
        {
            out.push_str(&inner);
        } else {
            out.push('{');
            out.push_str(&inner);
            if closed {
                out.push('}');
            }
        }
    }

    /// `$…$`, `$$…$$`: copied as written.
    fn math(&mut self, out: &mut String) {
        let double = self.s.get(self.i + 1) == Some(&'$');
        let delim = if double { 2 } else { 1 };
        let mut j = self.i + delim;
        while j < self.s.len() {
            match self.s[j] {
                '\\' => j += 2,
                '$' => break,
                _ => j += 1,
            }
        }
        let end = if j < self.s.len() { (j + delim).min(self.s.len()) } else { self.s.len() };
        out.extend(&self.s[self.i..end]);
        self.i = end;
    }

    /// At a `\`.
    fn command(&mut self, out: &mut String) {
        let start = self.i;
        self.i += 1;
        let Some(c) = self.peek() else {
            out.push('\\');
            return;
        };
        if c.is_ascii_alphabetic() {
            let mut j = self.i;
            while j < self.s.len() && self.s[j].is_ascii_alphabetic() {
                j += 1;
            }
            let word: String = self.s[self.i..j].iter().collect();
            self.i = j;
            if let Some(mark) = accent_mark(&word) {
                self.skip_spaces();
                self.accent(&word, mark, out);
            } else if let Some(text) = special(&word) {
                // TeX eats the spaces after a control word; `{}` ends one too.
                self.skip_spaces();
                if self.s.get(self.i) == Some(&'{') && self.s.get(self.i + 1) == Some(&'}') {
                    self.i += 2;
                }
                out.push_str(text);
            } else if word == "LaTeX" || word == "TeX" || word == "BibTeX" {
                if self.s.get(self.i) == Some(&'{') && self.s.get(self.i + 1) == Some(&'}') {
                    self.i += 2;
                }
                out.push_str(&word);
            } else if self.full && is_style(&word) {
                self.skip_spaces();
            } else if self.full && word == "par" {
                out.push(' ');
            } else if self.full {
                // unknown: drop the command, keep its arguments' text
                self.skip_spaces();
            } else {
                out.extend(&self.s[start..self.i]);
            }
            return;
        }
        match c {
            '(' => {
                // \( … \): math, as written
                let mut j = self.i + 1;
                while j + 1 < self.s.len() && !(self.s[j] == '\\' && self.s[j + 1] == ')') {
                    j += 1;
                }
                let end = if j + 1 < self.s.len() { j + 2 } else { self.s.len() };
                out.extend(&self.s[start..end]);
                self.i = end;
            }
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                self.i += 1;
                out.push(c);
            }
            '\\' if self.full => {
                self.i += 1;
                out.push(' ');
            }
            ' ' | '\n' | '\t' => {
                self.i += 1;
                out.push(' ');
            }
            '/' | ',' | ';' | ':' | '!' if self.full => {
                // spacing commands: italic correction, thin/medium spaces
                self.i += 1;
                if c != '/' {
                    out.push(' ');
                }
            }
            '-' if self.full => self.i += 1, // discretionary hyphen
            _ => {
                let cmd = c.to_string();
                if let Some(mark) = accent_mark(&cmd) {
                    self.i += 1;
                    self.accent(&cmd, mark, out);
                } else {
                    self.i += 1;
                    out.extend(&self.s[start..self.i]);
                }
            }
        }
    }

    /// The argument of an accent command: `{x}`, `{\i}`, `\i`, or a letter.
    fn accent(&mut self, cmd: &str, mark: char, out: &mut String) {
        let mut arg = String::new();
        if self.depth >= MAX_DEPTH {
            out.push_str(spacing_accent(cmd));
            return;
        }
        self.depth += 1;
        match self.peek() {
            Some('{') => {
                self.i += 1;
                let full = std::mem::replace(&mut self.full, true);
                self.run(&mut arg, true);
                self.full = full;
            }
            Some('\\') => {
                let full = std::mem::replace(&mut self.full, true);
                self.command(&mut arg);
                self.full = full;
            }
            Some(c) if !c.is_whitespace() && c != '}' && c != '$' => {
                self.i += 1;
                arg.push(c);
            }
            _ => {}
        }
        self.depth -= 1;
        let mut chars = arg.chars();
        match chars.next() {
            None => out.push_str(spacing_accent(cmd)),
            Some(base) => {
                // dotless i and j take the accent as plain i and j
                out.push(match base {
                    'ı' => 'i',
                    'ȷ' => 'j',
                    other => other,
                });
                out.push(mark);
                out.extend(chars);
                self.combining = true;
            }
        }
    }
}

fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36F}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_special_letters() {
        assert_eq!(decode(r"Bal\'azs"), "Balázs");
        assert_eq!(decode(r#"G{\"o}del"#), "Gödel");
        assert_eq!(decode(r#"G\"{o}del"#), "Gödel");
        assert_eq!(decode(r"Fran\c{c}ois"), "François");
        assert_eq!(decode(r"Fran\c cois"), "François");
        assert_eq!(decode(r"Ku\v{s}ter"), "Kušter");
        assert_eq!(decode(r"Rastislav \v{S}r\'amek"), "Rastislav Šrámek");
        assert_eq!(decode(r"Tom\'a\v{s} Vina\v{r}"), "Tomáš Vinař");
        assert_eq!(decode(r"Stra\ss e"), "Straße");
        assert_eq!(decode(r"Mikkel {\O}bro"), "Mikkel Øbro");
        assert_eq!(decode(r"{\o}ystein"), "øystein");
        assert_eq!(decode(r"Ma\'{\i}ra"), "Maíra");
        assert_eq!(decode(r"Ma\'\i ra"), "Maíra");
        assert_eq!(decode(r"Erd\H{o}s"), "Erdős");
        assert_eq!(decode(r#"\AA{}ngstr\"om"#), "Ångström");
        assert_eq!(decode(r"{\L}ukasz"), "Łukasz");
        assert_eq!(decode(r"Tom\`as"), "Tomàs");
        assert_eq!(decode(r"Nu\~nez"), "Nuñez");
    }

    #[test]
    fn bibtex_text() {
        assert_eq!(decode(r"{Deep} {L}earning for {NLP} \& more"), "Deep Learning for NLP & more");
        assert_eq!(decode(r"\emph{Attention} is all you need"), "Attention is all you need");
        assert_eq!(decode(r"pages 10--20, a---b, Fig.~1"), "pages 10–20, a—b, Fig. 1");
        assert_eq!(decode(r"The $\lambda$-calculus and {$k$}-means"), r"The $\lambda$-calculus and $k$-means");
        assert_eq!(decode(r"``quoted''"), "“quoted”");
        assert_eq!(decode(r"50\% of \LaTeX{} users"), "50% of LaTeX users");
        assert_eq!(decode("plain text"), "plain text");
        assert_eq!(decode(r"unbalanced {brace"), "unbalanced brace");
        assert_eq!(decode(r"trailing \"), r"trailing \");
        assert_eq!(decode(r"accent at end \'"), "accent at end ´");
        // hostile nesting is bounded, not a stack overflow
        let deep = "{".repeat(100_000) + "x" + &"}".repeat(100_000);
        assert_eq!(decode(&deep), "x");
        assert!(decode_accents(&deep).contains('x'));
        let accents = r"\'".repeat(100_000) + "e";
        assert!(decode(&accents).contains('é'));
    }

    #[test]
    fn arxiv_text_keeps_its_latex() {
        assert_eq!(decode_accents(r#"the Gr\"obner basis"#), "the Gröbner basis");
        assert_eq!(decode_accents(r"Koll\'ar's injectivity theorem"), "Kollár's injectivity theorem");
        assert_eq!(
            decode_accents(r"From dyadic $\Lambda_{\alpha}$ to $\Lambda_{\alpha}$"),
            r"From dyadic $\Lambda_{\alpha}$ to $\Lambda_{\alpha}$"
        );
        assert_eq!(decode_accents(r#"G{\"o}del's {\em theorem} -- {A}"#), r"Gödel's {\em theorem} -- {A}");
        assert_eq!(decode_accents(r"a \cite{x} at 50\%"), r"a \cite{x} at 50%");
        assert_eq!(decode_accents(r#"$\"o$ in math"#), r#"$\"o$ in math"#);
        assert_eq!(decode_accents(r"\(\alpha\) \'e"), r"\(\alpha\) é");
    }
}
