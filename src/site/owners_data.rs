//! The owner index behind the home page's "My services": who is who in the catalog, and what
//! each team owns. `static/myservices.js` asks the sign-in proxy who the reader is, finds them
//! here by e-mail (or their proxy groups by name), and lists what their teams own.
//!
//! Like the catalog's data file it is a classic script that sets a global, with a
//! content-hashed name. It holds no cluster status: the page reads that from
//! `clusters/status.js`, so a snapshot refresh never rewrites this file. Page links are not
//! stored either; the page derives them from the refs (`catalog/<ns>/<kind>/<name>/index.html`).
//!
//! Group membership is Backstage's default ownership: a user's own entities and those of the
//! groups they are directly a member of (`memberOf` or a group's `members`), not of parents.

use crate::catalog::{Catalog, Entity, EntityRef};
use crate::diagnostics::{Counts, Diagnostic};
use crate::frozen::Frozen;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

type EntityRow<'a> = (String, &'a str, &'a str, &'a str, usize, usize);

#[derive(Serialize)]
struct Data<'a> {
    /// `[ref, title, [entity indices]]`: every group, and every user with an e-mail or
    /// something owned.
    owners: Vec<(String, &'a str, Vec<usize>)>,
    /// `[ref, title, type, lifecycle, errors, warnings]`: every entity an owner owns.
    entities: Vec<EntityRow<'a>>,
    /// Lower-cased e-mail → `[the user's owner index, its groups' owner indices...]`.
    users: BTreeMap<String, Vec<usize>>,
    /// Lower-cased group name, `namespace/name`, ref and e-mail → owner indices.
    groups: BTreeMap<String, Vec<usize>>,
}

/// `spec.profile.email`, trimmed and lower-cased; None when absent or empty.
fn email(e: &Entity) -> Option<String> {
    let email = e.value.pointer("/spec/profile/email")?.as_str()?.trim();
    (!email.is_empty()).then(|| email.to_lowercase())
}

/// A user's display name where the profile gives one, else its title.
fn owner_title(e: &Entity) -> &str {
    e.value
        .pointer("/spec/profile/displayName")
        .and_then(Frozen::as_str)
        .filter(|n| !n.trim().is_empty() && e.metadata_str("title").is_none())
        .unwrap_or_else(|| e.title())
}

/// What `owner` owns that is in the catalog, by kind, then title, then ref.
fn owned<'a>(catalog: &'a Catalog, owner: &EntityRef) -> Vec<&'a Entity> {
    let mut owned: Vec<&Entity> = crate::catalog::summary::targets(catalog, owner, "ownerOf")
        .into_iter()
        .filter_map(|t| catalog.get(t))
        .collect();
    owned.sort_by_cached_key(|e| (e.key.kind.clone(), e.title().to_lowercase(), e.key.clone()));
    owned.dedup_by(|a, b| a.key == b.key);
    owned
}

/// The data file's bytes: `window.PLAYBILL_OWNERS = {...};`.
pub(super) fn script(catalog: &Catalog, by_entity: &HashMap<String, Vec<Diagnostic>>) -> Vec<u8> {
    let mut data = Data {
        owners: Vec::new(),
        entities: Vec::new(),
        users: BTreeMap::new(),
        groups: BTreeMap::new(),
    };
    let mut owner_index: HashMap<&EntityRef, usize> = HashMap::new();
    let mut entity_index: HashMap<&EntityRef, usize> = HashMap::new();
    for e in &catalog.entities {
        if !matches!(e.key.kind.as_str(), "group" | "user") {
            continue;
        }
        let owns = owned(catalog, &e.key);
        if e.key.kind == "user" && owns.is_empty() && email(e).is_none() {
            continue;
        }
        let indices = owns
            .iter()
            .map(|o| {
                *entity_index.entry(&o.key).or_insert_with(|| {
                    let counts = by_entity
                        .get(&o.key.to_string())
                        .map(|d| Counts::of(d))
                        .unwrap_or_default();
                    data.entities.push((
                        o.key.to_string(),
                        o.title(),
                        o.spec_str("type").unwrap_or(""),
                        o.spec_str("lifecycle").unwrap_or(""),
                        counts.errors,
                        counts.warnings,
                    ));
                    data.entities.len() - 1
                })
            })
            .collect();
        owner_index.insert(&e.key, data.owners.len());
        data.owners
            .push((e.key.to_string(), owner_title(e), indices));
    }
    for e in catalog.entities.iter().filter(|e| e.key.kind == "group") {
        let i = owner_index[&e.key];
        let name = &e.key.name;
        let ns = &e.key.namespace;
        let keys = [
            Some(name.clone()),
            Some(format!("{ns}/{name}")),
            Some(e.key.to_string()),
            email(e),
        ];
        for key in keys.into_iter().flatten() {
            let list = data.groups.entry(key).or_default();
            if !list.contains(&i) {
                list.push(i);
            }
        }
    }
    for e in catalog.entities.iter().filter(|e| e.key.kind == "user") {
        let Some(address) = email(e) else { continue };
        // Two users with one address: the first in catalog order keeps it.
        if data.users.contains_key(&address) {
            continue;
        }
        let mut entry = vec![owner_index[&e.key]];
        let mut groups: Vec<usize> = crate::catalog::summary::targets(catalog, &e.key, "memberOf")
            .into_iter()
            .filter(|g| g.kind == "group")
            .filter_map(|g| owner_index.get(g).copied())
            .collect();
        groups.sort_unstable();
        groups.dedup();
        entry.extend(groups);
        data.users.insert(address, entry);
    }
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "{}".into());
    crate::output::inert_json(format!("window.PLAYBILL_OWNERS={json};\n")).into_bytes()
}
