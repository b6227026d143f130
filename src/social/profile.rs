//! Profile edits by the account holding an author's verified claim.
use sea_orm::Value;

use crate::db::{Db, exec};
use crate::error::AppResult;

/// What to change: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Clone, Default)]
pub struct ProfileEdit {
    pub headline: Option<Option<String>>,
    pub homepage: Option<Option<String>>,
    pub open_to_collaborate: Option<bool>,
}

pub async fn update(db: &Db, author: i64, edit: ProfileEdit) -> AppResult<()> {
    let mut sets = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    for (column, value) in [("headline", edit.headline), ("homepage", edit.homepage)] {
        if let Some(v) = value {
            sets.push(format!("{column} = ?"));
            values.push(v.into());
        }
    }
    if let Some(open) = edit.open_to_collaborate {
        sets.push("open_to_collaborate = ?".to_owned());
        values.push(open.into());
    }
    if sets.is_empty() {
        return Ok(());
    }
    values.push(author.into());
    exec(&db.write, &format!("UPDATE authors SET {} WHERE id = ?", sets.join(", ")), values).await?;
    Ok(())
}
