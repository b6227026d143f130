//! Objects resolved without a task per field. async-graphql resolves every
//! field of every object as a boxed future pushed into a `FuturesUnordered`
//! made for that object: an allocation for the box, one for the field's
//! task, one for the set, and a wake-up through the set's queue. On lists
//! of thousands of small objects (the nested query's authorships, authors,
//! topic links and topics) that is most of the server's work per object.
//!
//! An object returned as [`Lean`] polls its fields together in one
//! `join_all` over futures of one type (one allocation for all of them):
//! still concurrently, so a field waiting on a DataLoader holds back no
//! other field's key from the batch. The value is the same, its keys in
//! the query's order (async-graphql's come in completion order). Where
//! async-graphql's own resolution does more, it is used: on a schema with
//! extensions (their per-field hooks mask panics, see `panics`), and for a
//! selection with a custom directive or an unknown fragment.
//!
//! Fields a type answers from what it holds ([`Plain`]) skip their
//! resolvers and futures altogether; a selection plain throughout, nested
//! objects included, is answered by a [`Plan`] made once, for a whole
//! list where the objects come as a [`LeanList`].
use std::any::TypeId;
use std::borrow::Cow;
use std::cell::RefCell;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, LazyLock, Mutex};

use async_graphql::indexmap::IndexMap;
use async_graphql::indexmap::map::Entry;
use async_graphql::indexmap::map::raw_entry_v1::{RawEntryApiV1, RawEntryMut};
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container, resolve_list};
use async_graphql::{Context, ContextSelectionSet, Name, ObjectType, OutputType, Positioned, ServerResult, Value};
use futures_util::future::BoxFuture;
use smallvec::SmallVec;

/// `T`, resolved as this module says; the same GraphQL type as `T`.
/// `PLAN`: whether a plan is tried first (not for the items of a
/// [`LeanList`] that could not be planned, each of which would try again).
pub struct Lean<T, const PLAN: bool = true>(pub T);

/// Schema data of the schema that executes checked requests without
/// extensions: there, objects may be resolved lean.
pub struct Enabled;

/// Fields a type answers from what it holds, without awaiting anything.
/// An object's plain fields are answered without a future nor their
/// resolver (a `Context`, the generated name comparisons, a future and
/// `OutputType::resolve`): about 430 of a topic's ~2,100 instructions per
/// object with one field (callgrind). A lean object whose selection is
/// plain throughout, nested objects included, is made at once by a
/// [`Plan`], made once for a whole list. Answers must be the resolvers'
/// (each implementer's test compares them with async-graphql's).
pub trait Plain {
    /// The fields [`Plain::plain`] answers (without arguments or selection).
    const FIELDS: &'static [&'static str] = &[];

    /// The fields holding an object of a plain type, answered by
    /// [`Plain::nested`] and [`Plain::plain_nested`].
    const NESTED: &'static [&'static str] = &[];

    /// The fields of [`Plain::NESTED`] whose arguments [`Plain::nested`]
    /// reads (into the plan's [`Plan::page`]); any other field with
    /// arguments is not plain.
    const ARGUMENTED: &'static [&'static str] = &[];

    /// The value of the field named `name`, one of [`Plain::FIELDS`].
    fn plain(&self, _name: &str) -> Option<Value> {
        None
    }

    /// The plan of the nested field `name` (`field`): made by `Plan::of`
    /// for the type it holds, from its selection set.
    fn nested<'a>(_name: &str, _ctx: &ContextSelectionSet<'a>, _field: &'a Positioned<Field>) -> Option<Plan> {
        None
    }

    /// The value of the nested field `name` by its plan.
    fn plain_nested(&self, _name: &str, _plan: &Plan) -> Option<Value> {
        None
    }
}

/// An optional text column as its resolver answers it.
pub fn text(value: &Option<String>) -> Value {
    value.clone().map_or(Value::Null, Value::String)
}

impl<T: Plain> Plain for &T {
    const FIELDS: &'static [&'static str] = T::FIELDS;
    const NESTED: &'static [&'static str] = T::NESTED;
    const ARGUMENTED: &'static [&'static str] = T::ARGUMENTED;

    fn plain(&self, name: &str) -> Option<Value> {
        (**self).plain(name)
    }

    fn nested<'a>(name: &str, ctx: &ContextSelectionSet<'a>, field: &'a Positioned<Field>) -> Option<Plan> {
        T::nested(name, ctx, field)
    }

    fn plain_nested(&self, name: &str, plan: &Plan) -> Option<Value> {
        (**self).plain_nested(name, plan)
    }
}

/// How a plain selection on a type is answered: its response keys (their
/// hashes computed once) and what each holds.
pub struct Plan {
    fields: SmallVec<[(u64, Name, Step); 4]>,
    /// the page size asked of the list this plan answers the items of,
    /// where its field takes one ([`Plain::ARGUMENTED`])
    pub page: Option<i64>,
}

enum Step {
    Typename(Cow<'static, str>),
    Field(&'static str),
    Nested(&'static str, Box<Plan>),
}

impl Plan {
    /// The plan of `set` on `T`, None where a field of it is not plain (or
    /// the selection needs async-graphql).
    pub fn of<'a, T: ObjectType + Plain>(
        ctx: &ContextSelectionSet<'a>,
        set: &'a Positioned<SelectionSet>,
    ) -> Option<Self> {
        if !planned::<T>() {
            return None;
        }
        let mut fields = Selected::new();
        if !collect::<T>(ctx, set, &mut fields) {
            return None;
        }
        Self::of_fields::<T>(ctx, &fields)
    }

    /// The plan of `fields`, collected on `T`.
    fn of_fields<'a, T: ObjectType + Plain>(ctx: &ContextSelectionSet<'a>, fields: &Selected<'a>) -> Option<Self> {
        let argumented = |field: &&Positioned<Field>| T::ARGUMENTED.contains(&field.node.name.node.as_str());
        if fields.is_empty() || fields.iter().any(|field| !field.node.arguments.is_empty() && !argumented(field)) {
            return None;
        }
        let mut plan = Plan { fields: SmallVec::with_capacity(fields.len()), page: None };
        for &positioned in fields {
            let field = &positioned.node;
            let name = field.name.node.as_str();
            let step = if name == "__typename" {
                Step::Typename(T::type_name())
            } else if field.selection_set.node.items.is_empty() {
                Step::Field(T::FIELDS.iter().find(|&&known| known == name)?)
            } else if let Some(&nested) = T::NESTED.iter().find(|&&known| known == name) {
                Step::Nested(nested, Box::new(T::nested(name, ctx, positioned)?))
            } else {
                return None;
            };
            let key = field.response_key().node.clone();
            plan.fields.push((hash_of(&key), key, step));
        }
        Some(plan)
    }

    /// `root` as this plan answers it.
    pub fn apply<T: Plain>(&self, root: &T) -> Option<Value> {
        let mut object = IndexMap::with_capacity_and_hasher(self.fields.len(), STATE.clone());
        for (hash, key, step) in &self.fields {
            let value = match step {
                Step::Typename(name) => Value::String(name.to_string()),
                Step::Field(name) => root.plain(name)?,
                Step::Nested(name, plan) => root.plain_nested(name, plan)?,
            };
            insert_hashed(&mut object, *hash, key.clone(), value);
        }
        Some(Value::Object(object))
    }
}

/// The plans of one request's lists, by the type and the selection they
/// were made for (None where it cannot be planned): the lists nested in a
/// list (the authorships of each work of a page) share one, made once,
/// where each made its own (~800 instructions for a 5-topic list's, a
/// sixth of the list; more for an authorship's with its author's topics).
/// Within a request the document stays put, so a selection is known by
/// its address.
#[derive(Default)]
pub struct Plans(Mutex<Vec<(&'static str, usize, Option<Arc<Plan>>)>>);

impl Plans {
    fn of<'a, T: ObjectType + Plain>(
        &self,
        ctx: &ContextSelectionSet<'a>,
        set: &'a Positioned<SelectionSet>,
    ) -> Option<Arc<Plan>> {
        // Not `TypeId`: `T` may borrow (`&Work`). A type's name differs
        // from every other type's.
        let (ty, at) = (std::any::type_name::<T>(), std::ptr::from_ref(set) as usize);
        let Ok(mut plans) = self.0.lock() else { return Plan::of::<T>(ctx, set).map(Arc::new) };
        if let Some((.., plan)) = plans.iter().find(|(known, place, _)| *place == at && *known == ty) {
            return plan.clone();
        }
        let plan = Plan::of::<T>(ctx, set).map(Arc::new);
        plans.push((ty, at, plan.clone()));
        plan
    }
}

/// Whether objects may be resolved here (see [`Enabled`]).
fn enabled(ctx: &ContextSelectionSet<'_>) -> bool {
    ctx.schema_env.data.contains_key(&TypeId::of::<Enabled>())
}

/// Whether `T` has plain fields or objects at all: for the others no plan
/// is attempted.
fn planned<T: Plain>() -> bool {
    !T::FIELDS.is_empty() || !T::NESTED.is_empty()
}

/// The field's value where it is one of `T`'s plain fields.
fn plain_field<T: ObjectType + Plain>(root: &T, field: &Positioned<Field>) -> Option<Value> {
    let field = &field.node;
    let name = field.name.node.as_str();
    if name == "__typename" {
        return Some(Value::String(root.introspection_type_name().into_owned()));
    }
    if !T::FIELDS.contains(&name) || !field.arguments.is_empty() || !field.selection_set.node.items.is_empty() {
        return None;
    }
    root.plain(name)
}

/// A list of `T`, each item resolved as [`Lean`]; where the selection is
/// plain, by one plan made for the whole list.
pub struct LeanList<T>(pub Vec<T>);

impl<T: ObjectType + Plain> OutputType for LeanList<T> {
    fn type_name() -> Cow<'static, str> {
        <Vec<Lean<T>>>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<Lean<T>>>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<Lean<T>>>::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        if planned::<T>() && enabled(ctx) {
            let plan = match ctx.data_opt::<Plans>() {
                Some(plans) => plans.of::<T>(ctx, ctx.item),
                None => Plan::of::<T>(ctx, ctx.item).map(Arc::new),
            };
            if let Some(plan) = plan {
                if let Some(items) = self.0.iter().map(|item| plan.apply(item)).collect::<Option<Vec<_>>>() {
                    return Ok(Value::List(items));
                }
            }
        }
        resolve_list(ctx, field, self.0.iter().map(Lean::<_, false>), Some(self.0.len())).await
    }
}

impl<T: ObjectType + Plain, const PLAN: bool> OutputType for Lean<T, PLAN> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, _field: &Positioned<Field>) -> ServerResult<Value> {
        resolve(ctx, &self.0, PLAN).await
    }
}

impl<T: ObjectType + Plain, const PLAN: bool> ContainerType for Lean<T, PLAN> {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        self.0.resolve_field(ctx).await
    }
}

impl<T: ObjectType + Plain, const PLAN: bool> ObjectType for Lean<T, PLAN> {}

/// The fields of one object, mostly a few.
type Selected<'a> = SmallVec<[&'a Positioned<Field>; 8]>;

/// `root` by its plan where `plan` says to try one and its selection is
/// plain, else field by field.
async fn resolve<'a, T: ObjectType + Plain>(
    ctx: &ContextSelectionSet<'a>,
    root: &'a T,
    plan: bool,
) -> ServerResult<Value> {
    let mut fields = Selected::new();
    if !enabled(ctx) || !collect::<T>(ctx, ctx.item, &mut fields) {
        // Boxed, as below.
        let stock: BoxFuture<'_, ServerResult<Value>> = Box::pin(resolve_container(ctx, root));
        return stock.await;
    }
    if plan && planned::<T>() {
        if let Some(value) = Plan::of_fields::<T>(ctx, &fields).and_then(|plan| plan.apply(root)) {
            return Ok(value);
        }
    }
    // Boxed: a future holds the futures it awaits in place, so unboxed
    // the futures of a list item's object, of its objects' objects…
    // would add up (an authorship's: 1.8 KB) and be copied whole
    // wherever the list moves them. `dyn`, so that a type may hold
    // itself (a topic's parent topic).
    let lean: BoxFuture<'_, ServerResult<Value>> = Box::pin(by_fields(ctx, root, fields));
    lean.await
}

/// `root`'s `fields`: the plain ones at once, the others by their resolvers.
async fn by_fields<'a, T: ObjectType + Plain>(
    ctx: &ContextSelectionSet<'a>,
    root: &'a T,
    fields: Selected<'a>,
) -> ServerResult<Value> {
    let plain: SmallVec<[Option<Value>; 8]> = fields.iter().map(|&field| plain_field(root, field)).collect();
    let pending: Selected = fields.iter().zip(&plain).filter(|(_, v)| v.is_none()).map(|(&f, _)| f).collect();
    let mut resolved: SmallVec<[ServerResult<Option<Value>>; 8]> = SmallVec::new();
    // One field (an authorship's author, an author's topics: most objects
    // of a long list that cannot be planned) is awaited in place; join_all
    // would copy its future, the size of the type's largest resolver, into
    // an allocation.
    match pending[..] {
        [] => {}
        [field] => resolved.push(value(ctx, root, field).await),
        _ => {
            resolved.extend(futures_util::future::join_all(pending.iter().map(|&field| value(ctx, root, field))).await)
        }
    }
    let mut resolved = resolved.into_iter();
    let mut object = IndexMap::with_capacity_and_hasher(fields.len(), STATE.clone());
    for (field, plain) in fields.iter().zip(plain) {
        let value = match plain {
            Some(value) => Ok(Some(value)),
            None => resolved.next().unwrap_or(Ok(None)),
        };
        match value {
            Ok(value) => insert(&mut object, field.node.response_key().node.clone(), value.unwrap_or_default()),
            Err(error) => ctx.add_error(error),
        }
    }
    Ok(if object.is_empty() { Value::Null } else { Value::Object(object) })
}

async fn value<'a, T: ObjectType>(
    ctx: &ContextSelectionSet<'a>,
    root: &'a T,
    field: &'a Positioned<Field>,
) -> ServerResult<Option<Value>> {
    root.resolve_field(&ctx.with_field(field)).await
}

/// The fields `set` selects on `T`, fragments that apply to it spread;
/// false where async-graphql's resolution must run instead.
fn collect<'a, T: ObjectType>(
    ctx: &ContextSelectionSet<'a>,
    set: &'a Positioned<SelectionSet>,
    fields: &mut Selected<'a>,
) -> bool {
    for selection in &set.node.items {
        let (condition, set) = match &selection.node {
            Selection::Field(field) => {
                // @skip and @include are gone by now: any directive is custom.
                if !field.node.directives.is_empty() {
                    return false;
                }
                fields.push(field);
                continue;
            }
            Selection::FragmentSpread(spread) => match ctx.query_env.fragments.get(&spread.node.fragment_name.node) {
                Some(fragment) => (Some(&fragment.node.type_condition.node.on.node), &fragment.node.selection_set),
                None => return false,
            },
            Selection::InlineFragment(fragment) => {
                (fragment.node.type_condition.as_ref().map(|c| &c.node.on.node), &fragment.node.selection_set)
            }
        };
        if applies::<T>(ctx, condition.map(|c| c.as_str())) && !collect::<T>(ctx, set, fields) {
            return false;
        }
    }
    true
}

/// Whether a fragment on `condition` applies to an object of type `T`.
fn applies<T: ObjectType>(ctx: &ContextSelectionSet<'_>, condition: Option<&str>) -> bool {
    let name = T::type_name();
    condition.is_none_or(|condition| {
        condition == name
            || ctx.schema_env.registry.implements.get(name.as_ref()).is_some_and(|names| names.contains(condition))
    })
}

/// The hasher of every object resolved here: one for the process, where
/// `IndexMap::new` gives each map keys of its own, so that a response
/// key's hash, SipHash (async-graphql's map type), is computed once and
/// not once per object of a list (a tenth of a lean object's instructions).
static STATE: LazyLock<RandomState> = LazyLock::new(RandomState::new);

const HASHES: usize = 64;

thread_local! {
    /// Hashes under [`STATE`] of the response keys met last, by the
    /// address of their text. A slot holds its key, so the text cannot be
    /// freed and another key's text take its address.
    static KEY_HASHES: RefCell<[Option<(Name, u64)>; HASHES]> = const { RefCell::new([const { None }; HASHES]) };
}

/// `STATE.hash_one(key)`, remembered.
fn hash_of(key: &Name) -> u64 {
    let text = key.as_str();
    let slot = (text.as_ptr() as usize >> 4) % HASHES;
    KEY_HASHES.with(|hashes| {
        let Ok(mut hashes) = hashes.try_borrow_mut() else { return STATE.hash_one(key) };
        if let Some((known, hash)) = &hashes[slot] {
            if std::ptr::eq(known.as_str(), text) {
                return *hash;
            }
        }
        let hash = STATE.hash_one(key);
        hashes[slot] = Some((key.clone(), hash));
        hash
    })
}

/// A field's value into an object made here (hashed by [`STATE`]), merged
/// with what an earlier selection of the same key gave (as async-graphql
/// merges them).
fn insert(object: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    insert_hashed(object, hash_of(&key), key, value);
}

/// [`insert`] of a key whose hash is known.
fn insert_hashed(object: &mut IndexMap<Name, Value>, hash: u64, key: Name, value: Value) {
    match object.raw_entry_mut_v1().from_hash(hash, |known| *known == key) {
        RawEntryMut::Vacant(slot) => _ = slot.insert_hashed_nocheck(hash, key, value),
        RawEntryMut::Occupied(slot) => merge(slot.into_mut(), value),
    }
}

/// `value` merged into the value an earlier selection of its key gave.
fn merge(earlier: &mut Value, value: Value) {
    match (earlier, value) {
        (Value::Object(earlier), Value::Object(value)) => {
            for (key, value) in value {
                merge_into(earlier, key, value);
            }
        }
        (Value::List(earlier), Value::List(value)) => {
            for (earlier, value) in earlier.iter_mut().zip(value) {
                if let (Value::Object(earlier), Value::Object(value)) = (earlier, value) {
                    for (key, value) in value {
                        merge_into(earlier, key, value);
                    }
                }
            }
        }
        _ => {}
    }
}

/// [`insert`] into an object of any origin (async-graphql's own objects
/// hash with keys of their own).
fn merge_into(object: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    match object.entry(key) {
        Entry::Vacant(slot) => _ = slot.insert(value),
        Entry::Occupied(slot) => merge(slot.into_mut(), value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{institution, topic};
    use crate::graphql::types::institution::Institution;
    use crate::graphql::types::topic::Topic;
    use async_graphql::{EmptyMutation, EmptySubscription, Interface, Object, Schema};
    use std::sync::Arc;
    use tokio::sync::Barrier;

    struct Item(i32);

    /// `id` and `name` plain, as their resolvers answer them.
    impl Plain for Item {
        const FIELDS: &'static [&'static str] = &["id", "name"];

        fn plain(&self, name: &str) -> Option<Value> {
            match name {
                "id" => Some(Value::from(self.0)),
                "name" => Some(Value::String(format!("item {}", self.0))),
                _ => None,
            }
        }
    }

    #[Object]
    impl Item {
        async fn id(&self) -> i32 {
            self.0
        }
        async fn name(&self) -> String {
            format!("item {}", self.0)
        }
        async fn child(&self) -> Lean<Item> {
            Lean(Item(self.0 * 10))
        }
        async fn broken(&self) -> async_graphql::Result<i32> {
            Err("no such thing".into())
        }
        /// Answers once both of an object's `meet` fields are waiting:
        /// fields must run concurrently.
        async fn meet(&self, ctx: &Context<'_>) -> bool {
            ctx.data_unchecked::<Barrier>().wait().await;
            true
        }
    }

    #[derive(Interface)]
    #[graphql(field(name = "id", ty = "i32"))]
    enum Node {
        Item(Item),
    }

    struct Q;

    #[Object]
    impl Q {
        async fn item(&self) -> Lean<Item> {
            Lean(Item(1))
        }
        async fn items(&self) -> Vec<Lean<Item>> {
            (1..=3).map(|i| Lean(Item(i))).collect()
        }
        async fn node(&self) -> Node {
            Node::Item(Item(7))
        }
    }

    fn schema(lean: bool) -> Schema<Q, EmptyMutation, EmptySubscription> {
        let builder =
            Schema::build(Q, EmptyMutation, EmptySubscription).data(Barrier::new(2)).register_output_type::<Node>();
        if lean { builder.data(Enabled).finish() } else { builder.finish() }
    }

    #[test]
    fn objects_made_here_are_found_by_their_keys() {
        let mut object = IndexMap::with_capacity_and_hasher(2, STATE.clone());
        let keys: Vec<Name> = ["title", "authors", "title"].into_iter().map(Name::new).collect();
        for (i, key) in keys.iter().enumerate() {
            // Twice each: the second time the key's hash is remembered.
            for _ in 0..2 {
                insert(&mut object, key.clone(), Value::from(i as i32));
            }
        }
        assert_eq!(object.len(), 2);
        // Looked up as any map is, by the map's own hasher.
        assert_eq!(object.get(&Name::new("title")), Some(&Value::from(0)));
        assert_eq!(object.get(&Name::new("authors")), Some(&Value::from(1)));
        let mut merged = IndexMap::new();
        merged.insert(Name::new("a"), Value::from(1));
        let mut outer = IndexMap::with_capacity_and_hasher(1, STATE.clone());
        insert(&mut outer, Name::new("o"), Value::Object(merged));
        let mut later = IndexMap::new();
        later.insert(Name::new("b"), Value::from(2));
        insert(&mut outer, Name::new("o"), Value::Object(later));
        let Some(Value::Object(o)) = outer.get(&Name::new("o")) else { panic!("{outer:?}") };
        assert_eq!((o.get(&Name::new("a")), o.get(&Name::new("b"))), (Some(&Value::from(1)), Some(&Value::from(2))));
    }

    #[tokio::test]
    async fn lean_objects_answer_what_async_graphql_answers() {
        let query = r#"query {
            items { __typename name id ...F ... on Node { id } ... on Item { child { id } } other: id }
            item { child { id } child { name child { __typename } } broken meet again: meet }
            plain: item { child { __typename id label: name ... on Item { name } } }
            node { id ... on Item { child { name } } }
        }
        fragment F on Item { child { name } }"#;
        let stock = schema(false).execute(query).await;
        let lean = schema(true).execute(query).await;
        let json = |r: &async_graphql::Response| serde_json::to_value(r).unwrap();
        assert_eq!(json(&lean), json(&stock));
        assert_eq!(lean.errors.len(), 1, "{:?}", lean.errors);
        assert_eq!(lean.errors[0].path.len(), 2, "the error names its field: {:?}", lean.errors[0]);
        assert_eq!(json(&lean)["data"]["items"][0]["child"], serde_json::json!({ "name": "item 10", "id": 10 }));
        // Keys in the query's order.
        let Value::Object(data) = &lean.data else { panic!("{}", lean.data) };
        let Value::List(items) = &data["items"] else { panic!("{}", lean.data) };
        let Value::Object(first) = &items[0] else { panic!("{}", lean.data) };
        let keys: Vec<&str> = first.keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["__typename", "name", "id", "child", "other"]);
    }

    struct Real;

    #[Object]
    impl Real {
        async fn topic(&self, coded: bool) -> Lean<Topic> {
            let code = coded.then(|| "cs.LG".to_owned());
            let model = topic::Model {
                id: 42,
                ident: "ARXIV:cs.LG".into(),
                scheme: "ARXIV".into(),
                code,
                name: "Machine \"Learning\" é".into(),
                parent_id: None,
                works_count: 7,
            };
            Lean(Topic(Arc::new(model)))
        }
        async fn institution(&self) -> Lean<Institution> {
            let model = institution::Model {
                id: 9,
                openalex_id: Some("I123".into()),
                ror: None,
                name: "Université Paris".into(),
                short_name: Some("UP".into()),
                country_code: Some("FR".into()),
            };
            Lean(Institution(Arc::new(model)))
        }
    }

    #[tokio::test]
    async fn plain_fields_answer_what_their_resolvers_answer() {
        let topic = ["id", "code", "name", "worksCount"];
        let institution = ["id", "name", "shortName", "ror", "countryCode", "openalexId"];
        let query = format!(
            "{{ topic(coded: true) {{ __typename {t} again: name }} uncoded: topic(coded: false) {{ {t} }} \
               institution {{ {i} }} }}",
            t = topic.join(" "),
            i = institution.join(" ")
        );
        let build = |lean: bool| {
            let builder = Schema::build(Real, EmptyMutation, EmptySubscription);
            if lean { builder.data(Enabled).finish() } else { builder.finish() }
        };
        let stock = build(false).execute(query.as_str()).await;
        let lean = build(true).execute(query.as_str()).await;
        assert!(stock.errors.is_empty(), "{:?}", stock.errors);
        let json = |r: &async_graphql::Response| serde_json::to_value(r).unwrap();
        assert_eq!(json(&lean), json(&stock));
        // Every field above went the plain way.
        let model = |coded| topic::Model {
            id: 1,
            ident: String::new(),
            scheme: String::new(),
            code: coded,
            name: String::new(),
            parent_id: None,
            works_count: 0,
        };
        for t in [Topic(Arc::new(model(None))), Topic(Arc::new(model(Some("x".into()))))] {
            assert!(topic.iter().all(|name| t.plain(name).is_some()));
        }
        let i = Institution(Arc::new(institution::Model {
            id: 1,
            openalex_id: None,
            ror: None,
            name: String::new(),
            short_name: None,
            country_code: None,
        }));
        assert!(institution.iter().all(|name| i.plain(name).is_some()));
        assert_eq!(Topic(Arc::new(model(None))).plain("parent"), None);
    }
}
