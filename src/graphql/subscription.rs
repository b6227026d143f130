//! Live updates over WebSocket (`/graphql/ws`): new works by authors or on
//! topics, new posts by authors. Events come from `crate::live`, whichever
//! process wrote them; a subscriber that falls behind is ended.
use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::{Context, ID, Subscription};
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use tokio::sync::broadcast;

use super::global_id::{self, Kind};
use super::types::post::Post;
use super::types::work::Work;
use crate::error::{ApiResult, AppError};
use crate::live::Live;

/// Ids a subscription may filter on.
const MAX_IDS: usize = 100;

fn ids(kind: Kind, ids: Option<Vec<ID>>, name: &str) -> ApiResult<Option<HashSet<i64>>> {
    let Some(ids) = ids else { return Ok(None) };
    if ids.len() > MAX_IDS {
        return Err(AppError::bad_input(format!("`{name}` takes at most {MAX_IDS} ids")).into());
    }
    Ok(Some(ids.iter().map(|id| global_id::decode(kind, id)).collect::<Result<_, _>>()?))
}

/// The events of a receiver until it falls behind (then it ends: the client
/// was too slow) or the server stops.
fn events<T: Clone + Send + 'static>(rx: broadcast::Receiver<T>) -> impl Stream<Item = T> {
    futures_util::stream::unfold(rx, |mut rx| async move {
        match rx.recv().await {
            Ok(event) => Some((event, rx)),
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::info!(missed = n, "a subscriber fell behind and was dropped");
                None
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    })
}

#[derive(Default)]
pub struct Subscription;

#[Subscription]
impl Subscription {
    /// new works by any of these authors or on any of these topics (every new work when neither is given)
    async fn work_added(
        &self,
        ctx: &Context<'_>,
        author_ids: Option<Vec<ID>>,
        topic_ids: Option<Vec<ID>>,
    ) -> async_graphql::Result<BoxStream<'static, Work>> {
        let authors = ids(Kind::Author, author_ids, "authorIds")?;
        let topics = ids(Kind::Topic, topic_ids, "topicIds")?;
        let rx = ctx.data_unchecked::<Live>().works().await;
        Ok(events(rx)
            .filter_map(move |event: Arc<crate::live::WorkAdded>| {
                let wanted = match (&authors, &topics) {
                    (None, None) => true,
                    (a, t) => {
                        a.as_ref().is_some_and(|a| event.authors.iter().any(|id| a.contains(id)))
                            || t.as_ref().is_some_and(|t| event.topics.iter().any(|id| t.contains(id)))
                    }
                };
                std::future::ready(wanted.then(|| Work::from(event.work.clone())))
            })
            .boxed())
    }

    /// new posts by any of these authors (every new post when not given)
    async fn post_added(
        &self,
        ctx: &Context<'_>,
        author_ids: Option<Vec<ID>>,
    ) -> async_graphql::Result<BoxStream<'static, Post>> {
        let authors = ids(Kind::Author, author_ids, "authorIds")?;
        let rx = ctx.data_unchecked::<Live>().posts().await;
        Ok(events(rx)
            .filter_map(move |event: Arc<crate::live::PostAdded>| {
                let wanted = authors.as_ref().is_none_or(|a| a.contains(&event.post.author_id));
                std::future::ready(wanted.then(|| Post::from(event.post.clone())))
            })
            .boxed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_ended_not_buffered() {
        let (tx, rx) = broadcast::channel(2);
        let mut stream = Box::pin(events(rx));
        tx.send(1).unwrap();
        assert_eq!(stream.next().await, Some(1));
        for i in 2..10 {
            tx.send(i).unwrap();
        }
        // Eight events for a buffer of two: the subscriber is dropped.
        assert_eq!(stream.next().await, None);
    }
}
