//! Rules: declarative signature files, the engine that evaluates them, the built-in library.
//!
//! A rule combines evidence of several kinds — log patterns per source (with counts, windows and
//! A-before-B sequences), multi-line kernel events, goroutine-dump predicates, host facts and
//! version ranges — each `required`, `supporting` or `against`, each with a weight. See
//! [`spec`] for the file format and [`engine`] for scoring, ranking and summary templates.

use std::path::Path;

use crate::error::{Error, Result};

pub mod engine;
#[cfg(test)]
mod sample;
pub mod spec;

pub use engine::Engine;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}

/// The built-in rule files as `(name, text)`.
pub fn builtin() -> &'static [(&'static str, &'static str)] {
    builtin::BUILTIN
}

/// Reads every `*.toml` file of a user rule directory, sorted by name.
pub fn read_dir(dir: &Path) -> Result<Vec<(String, String)>> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::Open {
        path: dir.to_path_buf(),
        source: e,
    })?;
    let mut files = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| Error::Open {
            path: dir.to_path_buf(),
            source: e,
        })?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::Open {
                path: path.clone(),
                source: e,
            })?;
            files.push((path.display().to_string(), text));
        }
    }
    files.sort();
    Ok(files)
}

/// Compiles the built-in rules plus the rules of `extra` directories.
pub fn load(extra: &[&Path]) -> Result<Engine> {
    let mut user = Vec::new();
    for d in extra {
        user.extend(read_dir(d)?);
    }
    let files = builtin()
        .iter()
        .copied()
        .chain(user.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    Engine::compile(files)
}

#[cfg(test)]
mod builtin_tests;
#[cfg(test)]
mod seed_tests;
#[cfg(test)]
pub(crate) mod testkit;
