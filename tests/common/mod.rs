#![allow(dead_code)]
use scholargraph::db::{Db, DbOptions};
use scholargraph::{demo, graphql};
use serde_json::Value;
use std::future::Future;

pub struct TestApp { pub db: Db, schema: graphql::AppSchema, pg_schema: Option<String> }

impl TestApp {
    pub async fn sqlite() -> Self {
        let db = Db::connect("sqlite::memory:").await.unwrap();
        Self::init(db, None).await
    }
    async fn init(db: Db, pg_schema: Option<String>) -> Self {
        db.migrate().await.unwrap();
        demo::load(&db).await.unwrap();
        let schema = graphql::build_schema(db.clone(), &Default::default());
        Self { db, schema, pg_schema }
    }
    pub async fn postgres() -> Option<Self> {
        let url = std::env::var("TEST_DATABASE_URL").ok()?;
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let admin = Db::connect(&url).await.unwrap();
        sea_orm::ConnectionTrait::execute_unprepared(&admin.write, &format!("CREATE SCHEMA {name}")).await.unwrap();
        let db = Db::connect_with(&url, DbOptions { schema: Some(name.clone()), max_connections: Some(4) }).await.unwrap();
        Some(Self::init(db, Some(name)).await)
    }
    pub async fn post(&self, q: &str, vars: Value) -> Value {
        let req = async_graphql::Request::new(q).variables(async_graphql::Variables::from_json(vars));
        serde_json::to_value(graphql::execute(&self.schema, req, &self.db).await).unwrap()
    }
    pub async fn cleanup(&self) {
        if let Some(name) = &self.pg_schema {
            sea_orm::ConnectionTrait::execute_unprepared(&self.db.write, &format!("DROP SCHEMA {name} CASCADE")).await.unwrap();
        }
    }
}

pub async fn for_each_db<F, Fut>(f: F) where F: Fn(TestApp) -> Fut, Fut: Future<Output = ()> {
    f(TestApp::sqlite().await).await;
    if let Some(pg) = TestApp::postgres().await {
        let db = pg.db.clone(); let name = pg.pg_schema.clone();
        f(pg).await;
        sea_orm::ConnectionTrait::execute_unprepared(&db.write, &format!("DROP SCHEMA {} CASCADE", name.unwrap())).await.unwrap();
    }
}
