//! The fuzz targets on the stable toolchain, without libFuzzer.
//!
//! 1. Every input kept under `tests/fuzz-regressions/<target>/` (crashes, hangs and blow-ups
//!    found by fuzzing or by the hostile suite, after the fix) is replayed through the target's
//!    own body (`fuzz/src/lib.rs`, included here), so a regression fails `cargo test`.
//! 2. Each target then runs for a short, fixed number of deterministic mutations of the
//!    project's incident files (bit flips, cuts, splices, repeated spans): a smoke run of every
//!    target in CI, where cargo-fuzz does not fit the time budget.

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code, missing_docs)]
pub(crate) mod fuzz_common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Each kept input, through its target, within a time bound (a hang is a failure too).
#[test]
fn kept_inputs_replay() {
    let dir = root().join("tests/fuzz-regressions");
    let mut replayed = 0;
    for target in fuzz_common::TARGETS {
        let mut files = Vec::new();
        files_under(&dir.join(target), &mut files);
        for f in files {
            let data = std::fs::read(&f).unwrap();
            let started = Instant::now();
            assert!(fuzz_common::run(target, &data));
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{}: {:?}",
                f.display(),
                started.elapsed()
            );
            replayed += 1;
        }
    }
    // Every directory is a target name (a misspelt directory would silently replay nothing).
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(
            fuzz_common::TARGETS.contains(&name.as_str()),
            "tests/fuzz-regressions/{name} is not a fuzz target"
        );
    }
    assert!(replayed >= 1);
}

/// xorshift64*: deterministic mutations, the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..=rng.below(4) {
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(v.len() + 1);
                v.truncate(i);
            }
            2 if !v.is_empty() => {
                let i = rng.below(v.len());
                v.drain(..i);
            }
            3 => {
                let i = rng.below(v.len() + 1);
                let a = rng.below(other.len() + 1);
                let b = (a + rng.below(256)).min(other.len());
                v.splice(i..i, other[a..b].iter().copied());
            }
            4 if !v.is_empty() => {
                let a = rng.below(v.len());
                let b = (a + 1 + rng.below(64)).min(v.len());
                let span = v[a..b].to_vec();
                for _ in 0..rng.below(32) {
                    v.splice(a..a, span.iter().copied());
                }
            }
            _ => {
                let i = rng.below(v.len() + 1);
                let bytes = [b'\n', b' ', b'[', b']', b':', b'"', 0, 0xff, b'=', b'\t'];
                v.insert(i, bytes[rng.below(bytes.len())]);
            }
        }
    }
    v
}

/// A few hundred mutations per target of the incident files and rule files.
#[test]
fn every_target_smoke() {
    let mut seeds = Vec::new();
    let ws = root().join("..");
    files_under(&ws.join("corpus"), &mut seeds);
    files_under(&ws.join("analyzer-core/src/rules/builtin"), &mut seeds);
    let seeds: Vec<Vec<u8>> = seeds
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .map(|mut d| {
            d.truncate(16 << 10);
            d
        })
        .collect();
    assert!(!seeds.is_empty());
    let per_target = if cfg!(debug_assertions) { 150 } else { 1500 };
    let mut rng = Rng(0x005E_ED0F_F022);
    for target in fuzz_common::TARGETS {
        let budget = Instant::now();
        for i in 0..per_target {
            let seed = &seeds[i % seeds.len()];
            let other = &seeds[rng.below(seeds.len())];
            let input = mutate(&mut rng, seed, other);
            fuzz_common::run(target, &input);
            if budget.elapsed() > Duration::from_secs(20) {
                break;
            }
        }
    }
}
