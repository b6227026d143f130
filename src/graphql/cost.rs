//! What a request costs and what its client may still spend. The cost is the
//! schema's static complexity (the product of page sizes down the tree,
//! known after validation and before execution); each client — a bearer
//! token, else an IP address — has a budget of cost units per minute (a
//! GCRA bucket from `governor`). Every response says
//! `extensions.cost = { requested, limit, budget: { perMinute, remaining } }`;
//! a request over budget is refused with `RATE_LIMITED` and `retryAfter`.
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute, NextValidation};
use async_graphql::{Response, ServerError, ValidationResult, Value};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

/// Who is spending: `token:<digest prefix>` or `ip:<address>`.
#[derive(Clone, Debug)]
pub struct ClientKey(pub String);

type Limiter = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// Budgets of every client of this process.
pub struct Budgets {
    limiter: Limiter,
    per_minute: u32,
    checks: AtomicU64,
}

impl Budgets {
    /// `None` when `per_minute` is 0 (no rate limit).
    pub fn new(per_minute: u32) -> Option<Self> {
        let n = NonZeroU32::new(per_minute)?;
        let limiter = RateLimiter::keyed(Quota::per_minute(n)).with_middleware::<StateInformationMiddleware>();
        Some(Self { limiter, per_minute, checks: AtomicU64::new(0) })
    }

    /// Spends `cost` of `key`'s budget: the units left, or how many seconds
    /// until it can be spent.
    pub fn spend(&self, key: &str, cost: u32) -> Result<u32, u64> {
        // Forget idle clients now and then, so the table stays small.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 10_000 == 9_999 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        let n = NonZeroU32::new(cost.clamp(1, self.per_minute)).unwrap_or(NonZeroU32::MIN);
        match self.limiter.check_key_n(&key.to_owned(), n) {
            Ok(Ok(state)) => Ok(state.remaining_burst_capacity()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1)),
            Err(_) => Err(60),
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }
}

/// Reports the cost of every request and enforces the budgets.
pub struct CostReport {
    pub budgets: Option<Arc<Budgets>>,
    pub max_complexity: usize,
}

impl ExtensionFactory for CostReport {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostExtension {
            budgets: self.budgets.clone(),
            max_complexity: self.max_complexity,
            spent: Mutex::new(None),
        })
    }
}

struct CostExtension {
    budgets: Option<Arc<Budgets>>,
    max_complexity: usize,
    /// (cost, units left) once validated
    spent: Mutex<Option<(usize, Option<u32>)>>,
}

fn rate_limited(retry_after: u64) -> ServerError {
    let mut e = crate::error::server_error("RATE_LIMITED", format!("rate limit reached: try again in {retry_after} s"));
    if let Some(ext) = e.extensions.as_mut() {
        ext.set("retryAfter", retry_after);
    }
    e
}

#[async_graphql::async_trait::async_trait]
impl Extension for CostExtension {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let cost = result.complexity.max(1);
        let left = match (&self.budgets, ctx.data_opt::<ClientKey>()) {
            (Some(budgets), Some(key)) => {
                let units = u32::try_from(cost).unwrap_or(u32::MAX);
                Some(budgets.spend(&key.0, units).map_err(|wait| vec![rate_limited(wait)])?)
            }
            _ => None,
        };
        if let Ok(mut spent) = self.spent.lock() {
            *spent = Some((cost, left));
        }
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        let spent = self.spent.lock().ok().and_then(|s| *s);
        if let Some((cost, left)) = spent {
            let mut report = async_graphql::indexmap::IndexMap::new();
            report.insert(async_graphql::Name::new("requested"), Value::from(cost as u64));
            report.insert(async_graphql::Name::new("limit"), Value::from(self.max_complexity as u64));
            if let (Some(budgets), Some(left)) = (&self.budgets, left) {
                let mut budget = async_graphql::indexmap::IndexMap::new();
                budget.insert(async_graphql::Name::new("perMinute"), Value::from(budgets.per_minute()));
                budget.insert(async_graphql::Name::new("remaining"), Value::from(left));
                report.insert(async_graphql::Name::new("budget"), Value::Object(budget));
            }
            response.extensions.insert("cost".to_owned(), Value::Object(report));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_refill_per_minute_and_are_per_client() {
        let budgets = Budgets::new(1_000).unwrap();
        assert_eq!(budgets.spend("ip:a", 600), Ok(400));
        let wait = budgets.spend("ip:a", 600).unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(budgets.spend("ip:b", 600), Ok(400), "another client has its own budget");
        assert!(Budgets::new(0).is_none());
    }
}
