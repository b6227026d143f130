//! The contract's enums, and how they are stored (as their GraphQL names).
use async_graphql::Enum;

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortDirection {
    Asc,
    Desc,
}

impl SortDirection {
    pub fn sql(self) -> &'static str {
        match self {
            SortDirection::Asc => "ASC",
            SortDirection::Desc => "DESC",
        }
    }
}

macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $stored:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// The value stored in the database.
            pub fn stored(self) -> &'static str {
                match self { $($name::$variant => $stored),+ }
            }

            /// Unknown stored values read as the last variant (OTHER).
            pub fn from_stored(value: &str) -> Self {
                match value {
                    $($stored => $name::$variant,)+
                    _ => stored_enum!(@last $($name::$variant),+),
                }
            }
        }
    };
    (@last $first:path) => { $first };
    (@last $first:path, $($rest:path),+) => { stored_enum!(@last $($rest),+) };
}

stored_enum!(
    /// What kind of work this is.
    WorkType {
        Article = "ARTICLE",
        Preprint = "PREPRINT",
        ConferencePaper = "CONFERENCE_PAPER",
        Book = "BOOK",
        BookChapter = "BOOK_CHAPTER",
        Dataset = "DATASET",
        Thesis = "THESIS",
        Other = "OTHER",
    }
);

stored_enum!(
    /// A vocabulary of topics.
    TopicScheme {
        /// arXiv subject classes such as cs.LG, q-bio.NC
        Arxiv = "ARXIV",
        /// free keywords and concepts
        Keyword = "KEYWORD",
        /// OpenAlex topics
        Openalex = "OPENALEX",
    }
);

stored_enum!(
    /// What kind of venue publishes works.
    VenueKind {
        Repository = "REPOSITORY",
        Journal = "JOURNAL",
        Conference = "CONFERENCE",
        Other = "OTHER",
    }
);
