//! The social layer on SQLite and PostgreSQL: accounts and tokens, follows
//! and the feed, claims, profile edits, invitations, posts, upvotes, trust,
//! the demo feed of seed 002; every refusal with its error code.
mod common;

use common::{TestApp, for_each_db, import_openalex_fixture};
use serde_json::{Value, json};

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

fn ok(body: &Value) -> &Value {
    assert!(body["errors"].is_null(), "{body}");
    &body["data"]
}

const SIGN_UP: &str = r#"mutation($h: String!, $p: String!, $n: String) {
    signUp(input: { handle: $h, password: $p, displayName: $n }) { token account { id handle displayName } } }"#;
const PASSWORD: &str = "correct horse battery staple";

async fn sign_up(app: &TestApp, handle: &str) -> String {
    let body = app.post(SIGN_UP, json!({ "h": handle, "p": PASSWORD })).await;
    ok(&body)["signUp"]["token"].as_str().unwrap().to_owned()
}

async fn author_id(app: &TestApp, slug: &str) -> String {
    let body = app.post("query($s: String!) { author(slug: $s) { id } }", json!({ "s": slug })).await;
    ok(&body)["author"]["id"].as_str().unwrap().to_owned()
}

async fn priem(app: &TestApp) -> String {
    import_openalex_fixture(app, "openalex_author_A5023888391.json").await;
    let body = app.post(r#"{ author(orcid: "0000-0001-6187-6610") { id } }"#, json!({})).await;
    ok(&body)["author"]["id"].as_str().unwrap().to_owned()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = app
        .db
        .read
        .query_one_raw(sea_orm::Statement::from_string(app.db.read.get_database_backend(), sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn accounts_sign_up_sign_in_tokens_and_their_refusals() {
    for_each_db(|app| async move {
        let body = app.post(SIGN_UP, json!({ "h": "Ada_L", "p": PASSWORD, "n": "Ada Lovelace" })).await;
        let token = ok(&body)["signUp"]["token"].as_str().unwrap().to_owned();
        assert_eq!(body["data"]["signUp"]["account"]["displayName"], "Ada Lovelace");
        let me = app.post_as(&token, "{ viewer { handle } }", json!({})).await;
        assert_eq!(ok(&me)["viewer"]["handle"], "Ada_L");
        assert_eq!(ok(&app.post("{ viewer { handle } }", json!({})).await)["viewer"], Value::Null);

        // Handles are unique whatever their case, and checked.
        let again = app.post(SIGN_UP, json!({ "h": "ada_l", "p": PASSWORD })).await;
        assert_eq!(code(&again), "BAD_USER_INPUT", "{again}");
        assert!(again["errors"][0]["message"].as_str().unwrap().contains("taken"));
        for (h, p) in [("a", PASSWORD), ("bad handle", PASSWORD), ("good_handle", "short")] {
            let body = app.post(SIGN_UP, json!({ "h": h, "p": p })).await;
            assert_eq!(code(&body), "BAD_USER_INPUT", "{h}: {body}");
        }

        const SIGN_IN: &str =
            "mutation($h: String!, $p: String!) { signIn(handle: $h, password: $p) { token account { handle } } }";
        let wrong = app.post(SIGN_IN, json!({ "h": "ada_l", "p": "not the password" })).await;
        assert_eq!(code(&wrong), "UNAUTHENTICATED", "{wrong}");
        let nobody = app.post(SIGN_IN, json!({ "h": "nobody", "p": PASSWORD })).await;
        assert_eq!(code(&nobody), "UNAUTHENTICATED");
        let signed = app.post(SIGN_IN, json!({ "h": "ADA_L", "p": PASSWORD })).await;
        let session = ok(&signed)["signIn"]["token"].as_str().unwrap().to_owned();
        assert_ne!(session, token);

        // API tokens: only when signed in; they work like any token and can be revoked.
        const API: &str = r#"mutation { createApiToken(name: "my app") }"#;
        assert_eq!(code(&app.post(API, json!({})).await), "UNAUTHENTICATED");
        let api = ok(&app.post_as(&session, API, json!({})).await)["createApiToken"].as_str().unwrap().to_owned();
        let me = app.post_as(&api, "{ viewer { handle } }", json!({})).await;
        assert_eq!(ok(&me)["viewer"]["handle"], "Ada_L");
        assert_eq!(scholargraph::social::accounts::revoke(&app.db, &api).await.unwrap(), 1);
        let revoked = app.post_as(&api, API, json!({})).await;
        assert_eq!(code(&revoked), "UNAUTHENTICATED", "{revoked}");
        assert_eq!(ok(&app.post_as(&api, "{ viewer { handle } }", json!({})).await)["viewer"], Value::Null);
        let garbage = app.post_as("sg_not-a-token", API, json!({})).await;
        assert_eq!(code(&garbage), "UNAUTHENTICATED");
        // Sign-in tokens expire.
        let past = chrono::Utc::now() - chrono::Duration::days(1);
        app.db
            .write
            .execute_raw(sea_orm::Statement::from_sql_and_values(
                app.db.write.get_database_backend(),
                if app.backend() == "postgres" {
                    "UPDATE tokens SET expires_at = $1 WHERE kind = 'SESSION'"
                } else {
                    "UPDATE tokens SET expires_at = ? WHERE kind = 'SESSION'"
                },
                [sea_orm::Value::ChronoDateTimeUtc(Some(past))],
            ))
            .await
            .unwrap();
        let expired = app.post_as(&session, API, json!({})).await;
        assert_eq!(code(&expired), "UNAUTHENTICATED", "{expired}");

        // Nothing secret is stored in clear.
        use sea_orm::ConnectionTrait;
        for (table, column) in [("accounts", "password_hash"), ("tokens", "token_hash")] {
            let rows = app
                .db
                .read
                .query_all_raw(sea_orm::Statement::from_string(
                    app.db.read.get_database_backend(),
                    format!("SELECT {column} FROM {table}"),
                ))
                .await
                .unwrap();
            for row in rows {
                let stored: String = row.try_get_by_index(0).unwrap();
                for secret in [PASSWORD, token.as_str(), session.as_str(), api.as_str(), &api[3..]] {
                    assert!(!stored.contains(secret), "{table}.{column} holds a secret in clear");
                }
            }
        }
        app.cleanup().await;
    })
    .await;
}

const FOLLOW: &str = "mutation($a: ID!) { followAuthor(authorId: $a) { following author { viewerIsFollowing metrics { followersCount } followers(first: 5) { totalCount nodes { handle } } } } }";
const UNFOLLOW: &str = "mutation($a: ID!) { unfollowAuthor(authorId: $a) { following author { viewerIsFollowing metrics { followersCount } followers { totalCount } } } }";

#[tokio::test]
async fn follow_unfollow_and_the_feed() {
    for_each_db(|app| async move {
        let token = sign_up(&app, "reader").await;
        let feed_author = author_id(&app, "demo-feed-author").await;
        let eric = author_id(&app, "eric-shea-brown").await;
        assert_eq!(code(&app.post(FOLLOW, json!({ "a": eric })).await), "UNAUTHENTICATED");

        for _ in 0..2 {
            let body = app.post_as(&token, FOLLOW, json!({ "a": eric })).await;
            let author = &ok(&body)["followAuthor"]["author"];
            assert_eq!(body["data"]["followAuthor"]["following"], true);
            assert_eq!(author["viewerIsFollowing"], true);
            assert_eq!(author["metrics"]["followersCount"], 1, "idempotent: {body}");
            assert_eq!(author["followers"]["totalCount"], 1);
            assert_eq!(author["followers"]["nodes"][0]["handle"], "reader");
        }
        // The demo feed's author has the page's 22 readers, and one more now.
        let body = app.post_as(&token, FOLLOW, json!({ "a": feed_author })).await;
        let author = &ok(&body)["followAuthor"]["author"];
        assert_eq!(author["metrics"]["followersCount"], 23);
        assert_eq!(author["followers"]["totalCount"], 23);
        assert_eq!(author["followers"]["nodes"][0]["handle"], "reader", "latest first");

        let feed = app.post_as(&token, "{ viewer { following { totalCount } } feed(first: 3) { totalCount edges { node { text createdAt author { slug } } } } }", json!({})).await;
        let data = ok(&feed);
        assert_eq!(data["viewer"]["following"]["totalCount"], 2);
        assert_eq!(data["feed"]["totalCount"], 16);
        let first = &data["feed"]["edges"][0]["node"];
        assert!(first["text"].as_str().unwrap().starts_with("In summary"), "{feed}");
        assert_eq!(first["createdAt"], "2025-06-20T17:28:11Z");
        assert_eq!(code(&app.post("{ feed { totalCount } }", json!({})).await), "UNAUTHENTICATED");

        for _ in 0..2 {
            let body = app.post_as(&token, UNFOLLOW, json!({ "a": eric })).await;
            let author = &ok(&body)["unfollowAuthor"]["author"];
            assert_eq!(author["viewerIsFollowing"], false);
            assert_eq!(author["metrics"]["followersCount"], 0);
            assert_eq!(author["followers"]["totalCount"], 0);
        }
        assert_eq!(code(&app.post_as(&token, FOLLOW, json!({ "a": "nonsense" })).await), "BAD_USER_INPUT");
        let unknown = scholargraph::graphql::global_id::encode(scholargraph::graphql::global_id::Kind::Author, 999_999);
        assert_eq!(code(&app.post_as(&token, FOLLOW, json!({ "a": unknown.0 })).await), "NOT_FOUND");
        app.cleanup().await;
    })
    .await;
}

const CLAIM: &str = "mutation($a: ID!, $o: String) { claimAuthor(authorId: $a, orcid: $o) { id status author { claimed trust { verificationLevel } } account { handle } } }";
const PROFILE: &str = "mutation($a: ID!, $h: String, $o: Boolean) { updateAuthorProfile(authorId: $a, input: { headline: $h, openToCollaborate: $o }) { headline openToCollaborate } }";

#[tokio::test]
async fn claims_verify_by_orcid_or_by_an_administrator() {
    for_each_db(|app| async move {
        let jason = priem(&app).await;
        let owner = sign_up(&app, "jason").await;
        let rival = sign_up(&app, "rival").await;
        let admin = sign_up(&app, "admin").await;
        assert_eq!(code(&app.post(CLAIM, json!({ "a": jason })).await), "UNAUTHENTICATED");
        // Check digit wrong.
        let bad = app.post_as(&owner, CLAIM, json!({ "a": jason, "o": "0000-0001-6187-6611" })).await;
        assert_eq!(code(&bad), "BAD_USER_INPUT", "{bad}");

        let body = app.post_as(&owner, CLAIM, json!({ "a": jason, "o": "https://orcid.org/0000-0001-6187-6610" })).await;
        let claim = &ok(&body)["claimAuthor"];
        assert_eq!(claim["status"], "VERIFIED");
        assert_eq!(claim["author"]["claimed"], true);
        assert_eq!(claim["author"]["trust"]["verificationLevel"], 2);
        // Again: the same claim; someone else: refused.
        let again = app.post_as(&owner, CLAIM, json!({ "a": jason })).await;
        assert_eq!(ok(&again)["claimAuthor"]["id"], claim["id"]);
        let taken = app.post_as(&rival, CLAIM, json!({ "a": jason, "o": "0000-0001-6187-6610" })).await;
        assert_eq!(code(&taken), "FORBIDDEN", "{taken}");

        // Only the verified claimer edits the profile.
        let edited = app.post_as(&owner, PROFILE, json!({ "a": jason, "h": "Co-founder of OurResearch", "o": true })).await;
        assert_eq!(ok(&edited)["updateAuthorProfile"]["headline"], "Co-founder of OurResearch");
        assert_eq!(edited["data"]["updateAuthorProfile"]["openToCollaborate"], true);
        assert_eq!(code(&app.post_as(&rival, PROFILE, json!({ "a": jason, "h": "x" })).await), "FORBIDDEN");
        assert_eq!(code(&app.post(PROFILE, json!({ "a": jason, "h": "x" })).await), "UNAUTHENTICATED");

        // Without a matching ORCID iD a claim waits for an administrator.
        let eric = author_id(&app, "eric-shea-brown").await;
        let body = app.post_as(&rival, CLAIM, json!({ "a": eric })).await;
        let pending = ok(&body)["claimAuthor"].clone();
        assert_eq!(pending["status"], "PENDING");
        assert_eq!(pending["author"]["claimed"], false);
        let unverified = app.post_as(&rival, PROFILE, json!({ "a": eric, "h": "x" })).await;
        assert_eq!(code(&unverified), "FORBIDDEN", "a pending claim edits nothing");
        assert_eq!(scholargraph::social::claims::pending(&app.db).await.unwrap().len(), 1);

        const DECIDE: &str = "mutation($c: ID!, $y: Boolean!) { decideClaim(claimId: $c, approve: $y) { status author { claimed trust { verificationLevel } } } }";
        let refused = app.post_as(&rival, DECIDE, json!({ "c": pending["id"], "y": true })).await;
        assert_eq!(code(&refused), "FORBIDDEN");
        scholargraph::social::accounts::set_admin(&app.db, "admin", true).await.unwrap();
        let approved = app.post_as(&admin, DECIDE, json!({ "c": pending["id"], "y": true })).await;
        let decided = &ok(&approved)["decideClaim"];
        assert_eq!(decided["status"], "VERIFIED");
        assert_eq!(decided["author"]["claimed"], true);
        assert_eq!(decided["author"]["trust"]["verificationLevel"], 3);
        let twice = app.post_as(&admin, DECIDE, json!({ "c": pending["id"], "y": false })).await;
        assert_eq!(code(&twice), "BAD_USER_INPUT");
        // One verified claim per account.
        let second = app.post_as(&owner, CLAIM, json!({ "a": author_id(&app, "guillaume-lajoie").await })).await;
        assert_eq!(code(&second), "FORBIDDEN", "{second}");
        let me = app.post_as(&owner, "{ viewer { author { displayName } } }", json!({})).await;
        assert_eq!(ok(&me)["viewer"]["author"]["displayName"], "Jason Priem");
        app.cleanup().await;
    })
    .await;
}

const INVITE: &str = "mutation($a: ID!, $m: String!) { inviteToCollaborate(authorId: $a, message: $m) { id message from { handle } to { displayName } } }";

#[tokio::test]
async fn invitations_only_to_claimed_authors_open_to_collaborate_and_rate_limited() {
    for_each_db(|app| async move {
        let jason = priem(&app).await;
        let owner = sign_up(&app, "jason").await;
        let sender = sign_up(&app, "sender").await;
        let eric = author_id(&app, "eric-shea-brown").await;
        // Eric is open to collaborate, but nobody has claimed his record.
        let unclaimed = app.post_as(&sender, INVITE, json!({ "a": eric, "m": "Shall we?" })).await;
        assert_eq!(code(&unclaimed), "FORBIDDEN", "{unclaimed}");
        assert!(unclaimed["errors"][0]["message"].as_str().unwrap().contains("claimed"));
        app.post_as(&owner, CLAIM, json!({ "a": jason, "o": "0000-0001-6187-6610" })).await;
        let closed = app.post_as(&sender, INVITE, json!({ "a": jason, "m": "Shall we?" })).await;
        assert_eq!(code(&closed), "FORBIDDEN", "not open to collaborate: {closed}");
        app.post_as(&owner, PROFILE, json!({ "a": jason, "o": true })).await;
        assert_eq!(code(&app.post(INVITE, json!({ "a": jason, "m": "hi" })).await), "UNAUTHENTICATED");
        assert_eq!(code(&app.post_as(&sender, INVITE, json!({ "a": jason, "m": "  " })).await), "BAD_USER_INPUT");

        let sent = app.post_as(&sender, INVITE, json!({ "a": jason, "m": "Shall we write about altmetrics?" })).await;
        let invitation = &ok(&sent)["inviteToCollaborate"];
        assert_eq!(invitation["from"]["handle"], "sender");
        assert_eq!(invitation["to"]["displayName"], "Jason Priem");
        const INBOX: &str = "{ viewer { invitations { totalCount nodes { message from { handle } } } } }";
        let inbox = app.post_as(&owner, INBOX, json!({})).await;
        assert_eq!(ok(&inbox)["viewer"]["invitations"]["totalCount"], 1);
        assert_eq!(inbox["data"]["viewer"]["invitations"]["nodes"][0]["message"], "Shall we write about altmetrics?");
        let other = app
            .post_as(&sender, r#"{ account(handle: "JASON") { handle invitations { totalCount } } }"#, json!({}))
            .await;
        assert_eq!(code(&other), "FORBIDDEN", "{other}");

        for _ in 1..10 {
            let body = app.post_as(&sender, INVITE, json!({ "a": jason, "m": "again" })).await;
            ok(&body);
        }
        let limited = app.post_as(&sender, INVITE, json!({ "a": jason, "m": "once more" })).await;
        assert_eq!(code(&limited), "RATE_LIMITED", "{limited}");
        app.cleanup().await;
    })
    .await;
}

const POST: &str = "mutation($t: String!, $r: ID) { createPost(text: $t, replyTo: $r) { id text links replyCount author { displayName } replyTo { id } mentionedWorks { title arxivId } } }";

#[tokio::test]
async fn posts_by_claimed_authors_with_links_replies_and_the_demo_feed() {
    for_each_db(|app| async move {
        let jason = priem(&app).await;
        let owner = sign_up(&app, "jason").await;
        let stranger = sign_up(&app, "stranger").await;
        assert_eq!(code(&app.post(POST, json!({ "t": "hello" })).await), "UNAUTHENTICATED");
        let unclaimed = app.post_as(&stranger, POST, json!({ "t": "hello" })).await;
        assert_eq!(code(&unclaimed), "FORBIDDEN", "{unclaimed}");
        app.post_as(&owner, CLAIM, json!({ "a": jason, "o": "0000-0001-6187-6610" })).await;
        assert_eq!(code(&app.post_as(&owner, POST, json!({ "t": " " })).await), "BAD_USER_INPUT");

        let text = "Reading arxiv.org/abs/2409.14623 (and https://example.org/notes).";
        let body = app.post_as(&owner, POST, json!({ "t": text })).await;
        let post = ok(&body)["createPost"].clone();
        assert_eq!(post["author"]["displayName"], "Jason Priem");
        assert_eq!(post["links"], json!(["arxiv.org/abs/2409.14623", "https://example.org/notes"]));
        assert_eq!(post["mentionedWorks"][0]["arxivId"], "2409.14623");
        let reply = app.post_as(&owner, POST, json!({ "t": "A reply", "r": post["id"] })).await;
        assert_eq!(ok(&reply)["createPost"]["replyTo"]["id"], post["id"]);
        let parent = app.post(r#"query($id: ID!) { node(id: $id) { ... on Post { replyCount } } }"#, json!({ "id": post["id"] })).await;
        assert_eq!(ok(&parent)["node"]["replyCount"], 1);
        let unknown = scholargraph::graphql::global_id::encode(scholargraph::graphql::global_id::Kind::Post, 999_999);
        assert_eq!(code(&app.post_as(&owner, POST, json!({ "t": "x", "r": unknown.0 })).await), "BAD_USER_INPUT");

        // Seed 002: 16 posts with their dates and counts, threads, links.
        const FEED: &str = r#"{ author(slug: "demo-feed-author") { metrics { followersCount } followers(first: 1) { nodes { bio } }
            posts(first: 20) { totalCount nodes { text createdAt likeCount repostCount replyCount quoteCount replyTo { text } mentionedWorks { title } } } } }"#;
        let body = app.post(FEED, json!({})).await;
        let author = &ok(&body)["author"];
        assert_eq!(author["metrics"]["followersCount"], 22);
        assert_eq!(author["posts"]["totalCount"], 16);
        let posts = author["posts"]["nodes"].as_array().unwrap();
        let find = |start: &str| posts.iter().find(|p| p["text"].as_str().unwrap().starts_with(start)).unwrap().clone();
        let thrilled = find("Thrilled to share");
        assert_eq!(
            [&thrilled["likeCount"], &thrilled["repostCount"], &thrilled["replyCount"], &thrilled["quoteCount"]],
            [&json!(64), &json!(15), &json!(2), &json!(1)]
        );
        assert_eq!(thrilled["createdAt"], "2024-12-03T16:04:00Z");
        assert!(find("Had a really fun time")["replyTo"]["text"].as_str().unwrap().starts_with("Thrilled"));
        assert!(find("In summary")["replyTo"]["text"].as_str().unwrap().starts_with("Finally"));
        assert_eq!(find("RNNs are popular")["replyTo"], Value::Null);
        let lazy = find("An other Exciting news");
        assert_eq!(lazy["mentionedWorks"][0]["title"], "From Lazy to Rich: Exact Learning Dynamics in Deep Linear Networks");
        assert_eq!((lazy["likeCount"].clone(), lazy["repostCount"].clone()), (json!(30), json!(9)));
        app.cleanup().await;
    })
    .await;
}

#[tokio::test]
async fn upvotes_are_one_per_account_and_feed_trending() {
    for_each_db(|app| async move {
        let token = sign_up(&app, "voter").await;
        let other = sign_up(&app, "voter2").await;
        let body = app.post(r#"{ work(arxivId: "2409.14623") { id upvotes viewerHasUpvoted } }"#, json!({})).await;
        let work = ok(&body)["work"].clone();
        assert_eq!((work["upvotes"].clone(), work["viewerHasUpvoted"].clone()), (json!(0), json!(false)));
        const UPVOTE: &str = "mutation($w: ID!) { upvoteWork(workId: $w) { upvotes viewerHasUpvoted } }";
        assert_eq!(code(&app.post(UPVOTE, json!({ "w": work["id"] })).await), "UNAUTHENTICATED");
        for _ in 0..2 {
            let body = app.post_as(&token, UPVOTE, json!({ "w": work["id"] })).await;
            assert_eq!(ok(&body)["upvoteWork"], json!({ "upvotes": 1, "viewerHasUpvoted": true }));
        }
        let body = app.post_as(&other, UPVOTE, json!({ "w": work["id"] })).await;
        assert_eq!(ok(&body)["upvoteWork"]["upvotes"], 2);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM upvotes").await, 2);

        let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
        let trending = app
            .post(
                "query($d: Date!) { trending(date: $d, days: 1) { edges { upvotes featuredOn node { title } } } }",
                json!({ "d": today }),
            )
            .await;
        let edges = ok(&trending)["trending"]["edges"].as_array().unwrap().clone();
        let lazy = edges
            .iter()
            .find(|e| e["node"]["title"] == "From Lazy to Rich: Exact Learning Dynamics in Deep Linear Networks");
        let lazy = lazy.unwrap_or_else(|| panic!("upvoted work not trending: {trending}"));
        assert_eq!((lazy["upvotes"].clone(), lazy["featuredOn"].clone()), (json!(2), json!(today)));
        app.cleanup().await;
    })
    .await;
}

#[tokio::test]
async fn trust_components_add_up_and_name_their_reasons() {
    for_each_db(|app| async move {
        let jason = priem(&app).await;
        const TRUST: &str = "query($a: ID!) { node(id: $a) { ... on Author { claimed trust { score band verificationLevel components { name points detail } } } } }";
        let body = app.post(TRUST, json!({ "a": jason })).await;
        let trust = ok(&body)["node"]["trust"].clone();
        let sum: i64 = trust["components"].as_array().unwrap().iter().map(|c| c["points"].as_i64().unwrap()).sum();
        assert_eq!(trust["score"].as_i64().unwrap(), sum);
        assert_eq!(trust["verificationLevel"], 1, "ORCID and OpenAlex ids, not claimed");
        let ids = trust["components"].as_array().unwrap().iter().find(|c| c["name"] == "identifiers").unwrap().clone();
        assert_eq!((ids["points"].clone(), ids["detail"].clone()), (json!(15), json!("ORCID, OpenAlex")));
        let owner = sign_up(&app, "jason").await;
        app.post_as(&owner, CLAIM, json!({ "a": jason, "o": "0000-0001-6187-6610" })).await;
        let after = ok(&app.post(TRUST, json!({ "a": jason })).await)["node"]["trust"].clone();
        assert_eq!(after["score"].as_i64().unwrap(), trust["score"].as_i64().unwrap() + 15, "verification adds 15: {after}");
        let eric = author_id(&app, "eric-shea-brown").await;
        let plain = ok(&app.post(TRUST, json!({ "a": eric })).await)["node"]["trust"].clone();
        assert_eq!(plain["verificationLevel"], 0);
        app.cleanup().await;
    })
    .await;
}

/// The social fields load in batches: the statement count of a request does
/// not grow with the number of authors, posts or followers it shows.
#[tokio::test]
async fn social_fields_cost_statements_by_depth_not_breadth() {
    for_each_db(|app| async move {
        let token = sign_up(&app, "counter").await;
        for slug in ["demo-feed-author", "eric-shea-brown"] {
            app.post_as(&token, FOLLOW, json!({ "a": author_id(&app, slug).await })).await;
        }
        let q = r#"query($n: Int!) { viewer { handle } authors(first: $n, orderBy: {field: WORKS_COUNT, direction: ASC}) { nodes {
            trust { score components { points } } viewerIsFollowing metrics { followersCount }
            followers(first: 3) { totalCount nodes { handle author { slug } } }
            posts(first: 5) { totalCount nodes { text replyTo { text } mentionedWorks { title upvotes viewerHasUpvoted } } } } } }"#;
        let mut counts = Vec::new();
        for n in [3, 40] {
            let before = app.db.statement_count();
            let body = app.post_as(&token, q, json!({ "n": n })).await;
            ok(&body);
            counts.push(app.db.statement_count() - before);
        }
        assert_eq!(counts[0], counts[1], "{counts:?}");
        assert!(counts[0] <= 12, "{counts:?}");
        app.cleanup().await;
    })
    .await;
}
