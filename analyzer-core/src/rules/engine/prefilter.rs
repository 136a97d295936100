//! The shared literal prefilter: the literals of every log pattern in one Aho–Corasick DFA,
//! run once over a member's bytes, so that a record meets only the regular expressions whose
//! literals it contains.
//!
//! The DFA reads every byte once, a table look-up per byte whatever the literals are: most
//! lines of a busy node's journal hold some common word (` container `, ` failed to `, …)
//! that a short-key first stage would have to stop on, so a search that skips ahead to keys
//! costs more than reading every byte here. The cost does not grow with the number of literals
//! (only the table does).

use std::collections::HashMap;

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};

use super::compile::Matcher;
use crate::error::{Error, Result};

/// The literals of every matcher in one automaton, and the matchers each literal selects.
#[derive(Debug)]
pub(super) struct Prefilter {
    /// Every literal (the index of a literal is its pattern id); `None` when no pattern has
    /// one. Standard (overlapping) semantics: every occurrence of every literal is reported.
    automaton: Option<DFA>,
    /// For each prefilter pattern, the matchers it selects.
    pub(super) literal_matchers: Vec<Vec<usize>>,
    /// Matchers with no literal: run on every record.
    pub(super) always: Vec<usize>,
}

impl Prefilter {
    /// Indexes the literals of `matchers` (in matcher order) and builds the automaton.
    pub(super) fn build(matchers: &[Matcher]) -> Result<Prefilter> {
        let mut lits: Vec<Vec<u8>> = Vec::new();
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut literal_matchers: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (mi, m) in matchers.iter().enumerate() {
            // An empty literal occurs everywhere: its matcher runs on every record.
            if m.literals.is_empty() || m.literals.iter().any(Vec::is_empty) {
                always.push(mi);
                continue;
            }
            for l in &m.literals {
                let pi = *index.entry(l.clone()).or_insert_with(|| {
                    lits.push(l.clone());
                    literal_matchers.push(Vec::new());
                    lits.len() - 1
                });
                if !literal_matchers[pi].contains(&mi) {
                    literal_matchers[pi].push(mi);
                }
            }
        }
        let automaton = if lits.is_empty() {
            None
        } else {
            Some(literal_dfa(&lits).map_err(|e| Error::Rule {
                file: "(prefilter)".into(),
                line: 0,
                field: "literals".into(),
                message: e.to_string(),
            })?)
        };
        Ok(Prefilter {
            automaton,
            literal_matchers,
            always,
        })
    }

    /// Every occurrence of a literal in `data` as (offset, literal index), ordered by offset
    /// (then literal index).
    pub(super) fn hits(&self, data: &[u8]) -> Vec<(u64, u32)> {
        let mut hits: Vec<(u64, u32)> = Vec::new();
        if let Some(dfa) = &self.automaton {
            every_occurrence(dfa, data, &mut hits);
            // Occurrences come ordered by end; order by start for the cursor walk.
            hits.sort_unstable();
        }
        hits
    }
}

/// The DFA of `lits` (none empty: [`Prefilter::build`] runs the matcher of an empty literal on
/// every record) for [`every_occurrence`]: standard (overlapping) match semantics,
/// unanchored only, and no prefilter, so that only match states are special (a prefilter makes
/// the start state special too, and with a few hundred literals of varied first bytes it would
/// be left at almost every byte anyway).
pub(super) fn literal_dfa(lits: &[Vec<u8>]) -> std::result::Result<DFA, aho_corasick::BuildError> {
    DFA::builder()
        .match_kind(MatchKind::Standard)
        .start_kind(aho_corasick::StartKind::Unanchored)
        .prefilter(false)
        .build(lits)
}

/// Appends every occurrence of a pattern of `dfa` in `data` to `hits` as (start offset, pattern
/// index), in order of their end offset: what `find_overlapping_iter` of the same (non-empty)
/// patterns gives, in one tight loop instead of a call per occurrence through the generic overlapping
/// search.
///
/// Bytes are read four at a time: four transitions (a byte-class and a transition look-up
/// each), then one branch on whether any of the four states is special (match states, and the
/// dead state an unanchored search never reaches), the four tests combined without
/// short-circuit. Most runs of four bytes end no occurrence; those that do are looked at state
/// by state.
pub(super) fn every_occurrence(dfa: &DFA, data: &[u8], hits: &mut Vec<(u64, u32)>) {
    let Ok(mut sid) = dfa.start_state(Anchored::No) else {
        return;
    };
    let mut quads = data.chunks_exact(4);
    let mut end = 0;
    for q in &mut quads {
        let s1 = dfa.next_state(Anchored::No, sid, q[0]);
        let s2 = dfa.next_state(Anchored::No, s1, q[1]);
        let s3 = dfa.next_state(Anchored::No, s2, q[2]);
        let s4 = dfa.next_state(Anchored::No, s3, q[3]);
        sid = s4;
        if dfa.is_special(s1) | dfa.is_special(s2) | dfa.is_special(s3) | dfa.is_special(s4) {
            for (k, s) in [s1, s2, s3, s4].into_iter().enumerate() {
                if dfa.is_match(s) {
                    push_matches(dfa, s, end + k + 1, hits);
                }
            }
        }
        end += 4;
    }
    for &b in quads.remainder() {
        sid = dfa.next_state(Anchored::No, sid, b);
        end += 1;
        if dfa.is_match(sid) {
            push_matches(dfa, sid, end, hits);
        }
    }
}

/// The occurrences ending at `end` that match state `sid` stands for.
#[cold]
#[inline(never)]
fn push_matches(
    dfa: &DFA,
    sid: aho_corasick::automaton::StateID,
    end: usize,
    hits: &mut Vec<(u64, u32)>,
) {
    for k in 0..dfa.match_len(sid) {
        let pid = dfa.match_pattern(sid, k);
        let start = end - dfa.pattern_len(pid);
        hits.push((start as u64, pid.as_u32()));
    }
}

/// Literals of which every match of `pattern` contains one, or empty when none is usable.
pub(super) fn extract_literals(pattern: &str) -> Vec<Vec<u8>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
    else {
        return Vec::new();
    };
    for prefix in [true, false] {
        let mut ex = Extractor::new();
        ex.kind(if prefix {
            ExtractKind::Prefix
        } else {
            ExtractKind::Suffix
        });
        let mut seq = ex.extract(&hir);
        // Keep the literals whole (more selective) unless there are too many of them.
        if seq.len().is_some_and(|n| n > 16) {
            if prefix {
                seq.optimize_for_prefix_by_preference();
            } else {
                seq.optimize_for_suffix_by_preference();
            }
        }
        if let Some(lits) = seq.literals() {
            if !lits.is_empty() && lits.iter().all(|l| l.as_bytes().len() >= 4) {
                return lits.iter().map(|l| l.as_bytes().to_vec()).collect();
            }
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_extracted_from_patterns() {
        assert_eq!(
            extract_literals(r"Calling (?:GET|HEAD) /v1\.\d+/containers/json"),
            vec![b"Calling GET /v1.".to_vec(), b"Calling HEAD /v1.".to_vec()]
        );
        // No usable literal at either end: the pattern runs on every record.
        assert!(extract_literals(r"\d+ x \d+").is_empty());
    }

    /// Every occurrence of every literal, found one literal and one offset at a time: the
    /// reference the automaton's occurrences must equal, as (start, literal index), sorted.
    fn naive_hits(lits: &[Vec<u8>], data: &[u8]) -> Vec<(u64, u32)> {
        let mut hits = Vec::new();
        for (li, l) in lits.iter().enumerate() {
            let mut at = 0;
            while at + l.len() <= data.len() {
                match memchr::memmem::find(&data[at..], l) {
                    Some(i) => {
                        hits.push(((at + i) as u64, li as u32));
                        at += i + 1;
                    }
                    None => break,
                }
            }
        }
        hits.sort_unstable();
        hits
    }

    /// The literals of the built-in rules, in the prefilter's pattern order.
    fn builtin() -> (crate::rules::Engine, Vec<Vec<u8>>) {
        let engine = crate::rules::load(&[]).unwrap();
        let mut lits: Vec<Vec<u8>> = Vec::new();
        for m in &engine.matchers {
            for l in &m.literals {
                if !lits.contains(l) {
                    lits.push(l.clone());
                }
            }
        }
        assert_eq!(lits.len(), engine.prefilter.literal_matchers.len());
        (engine, lits)
    }

    /// Twice the built-in literals: each one and a sibling sharing all but its first bytes
    /// (`… out of memory: ` and `X… out of memory: `) or ending in another word, so that the
    /// automaton holds many literals overlapping one another, as rule sets growing beyond
    /// today's will.
    fn doubled(lits: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let mut out = lits.to_vec();
        for (i, l) in lits.iter().enumerate() {
            let mut v = if i % 2 == 0 {
                let mut v = b"X".to_vec();
                v.extend_from_slice(&l[l.len() / 3..]);
                v
            } else {
                let mut v = l[..l.len() - l.len() / 3].to_vec();
                v.extend_from_slice(b" failed");
                v
            };
            while out.contains(&v) {
                v.push(b'!');
            }
            out.push(v);
        }
        out
    }

    /// The journal lines of [`hits_equal_the_naive_search_on_incident_lines`]: CentOS 7 journal
    /// (apache/doris#3525 OOM pair, NPD kernel-monitor hung task, kubernetes/kubernetes#45419
    /// PLEG, moby#42953 runc init) between ordinary traffic, the last line without a newline.
    fn incident_journal() -> Vec<u8> {
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!(
                "Aug 20 10:25:{:02} node-1 kubelet[12170]: I0820 10:25:54.561334   12170 kubelet.go:1913] SyncLoop (PLEG): event {i}\n",
                i % 60
            ));
            if i % 37 == 0 {
                text.push_str("Aug 20 10:25:54 node-1 kernel: Memory cgroup out of memory: Kill process 24984 (java) score 968 or sacrifice child\n");
                text.push_str("Aug 20 10:25:54 node-1 kernel: Killed process 24984 (java), UID 0, total-vm:70347780kB, anon-rss:45563572kB, file-rss:0kB, shmem-rss:0kB\n");
                text.push_str("Aug 20 10:25:55 node-1 kernel: INFO: task dockerd:4085 blocked for more than 120 seconds.\n");
                text.push_str("Aug 20 10:25:56 node-1 kubelet[12170]: E0820 10:25:56.000001   12170 kubelet.go:1845] skipping pod synchronization - [PLEG is not healthy: pleg was last seen active 3m0.5s ago; threshold is 3m0s]\n");
                text.push_str("Aug 20 10:25:57 node-1 dockerd[4085]: time=\"2020-08-20T10:25:57.1+08:00\" level=error msg=\"OCI runtime create failed: container_linux.go:380: starting container process caused: read init-p: connection reset by peer: unknown\"");
                text.push('\n');
            }
        }
        text.push_str("Aug 20 10:26:00 node-1 systemd[1]: Started Session 42 of user root.");
        text.into_bytes()
    }

    /// The prefilter's candidates (every literal occurrence) on incident lines are exactly the
    /// naive search's, and the incidents' literals are among them.
    #[test]
    fn hits_equal_the_naive_search_on_incident_lines() {
        let (engine, lits) = builtin();
        let data = incident_journal();
        let hits = engine.prefilter.hits(&data);
        assert_eq!(hits, naive_hits(&lits, &data));
        // 6 incident blocks × (3 + 2 + 2 + 1 + 2) literal occurrences at least.
        assert!(hits.len() > 6 * 5, "{}", hits.len());
        let at = |needle: &[u8]| {
            data.windows(needle.len())
                .position(|w| w == needle)
                .unwrap() as u64
        };
        let pleg = at(b"PLEG is not healthy");
        assert!(
            hits.iter()
                .any(|&(o, li)| o == pleg && lits[li as usize].starts_with(b"PLEG is not healthy"))
        );
    }

    /// No built-in literal is lost: each one, alone on a journal line at the start, the middle
    /// or the end of the message, is found exactly where it is, and the candidates are exactly
    /// the naive search's.
    #[test]
    fn every_builtin_literal_is_found_on_its_line() {
        let (engine, lits) = builtin();
        let mut text = Vec::new();
        let mut expected = Vec::new();
        for (i, l) in lits.iter().enumerate() {
            for (before, after) in [
                (&b""[..], &b" tail"[..]),
                (b"pod=\"web-0\" ", b" done"),
                (b"msg=", b""),
            ] {
                text.extend_from_slice(b"Dec  6 02:00:01 node-1 dockerd[812]: ");
                text.extend_from_slice(before);
                expected.push((text.len() as u64, i as u32));
                text.extend_from_slice(l);
                text.extend_from_slice(after);
                text.push(b'\n');
            }
        }
        let hits = engine.prefilter.hits(&text);
        assert_eq!(hits, naive_hits(&lits, &text));
        for e in &expected {
            assert!(
                hits.binary_search(e).is_ok(),
                "{:?} not found at {}",
                String::from_utf8_lossy(&lits[e.1 as usize]),
                e.0
            );
        }
    }

    /// Every file of the corpus (bundles and verbatim excerpts, read as bytes whatever they
    /// hold), with the built-in literals and with twice as many: the candidates are exactly the
    /// naive search's.
    #[test]
    fn hits_equal_the_naive_search_on_the_corpus() {
        let (engine, lits) = builtin();
        let more = doubled(&lits);
        let dfa = literal_dfa(&more).unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
        let mut dirs = vec![root];
        let (mut files, mut found) = (0, 0);
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let entry = entry.unwrap();
                let path = entry.path();
                // Bundles hold symbolic links (`etc/localtime`), some dangling.
                if entry.file_type().unwrap().is_symlink() {
                    continue;
                }
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let data = std::fs::read(&path).unwrap();
                let hits = engine.prefilter.hits(&data);
                assert_eq!(hits, naive_hits(&lits, &data), "{}", path.display());
                found += hits.len();
                let mut hits = Vec::new();
                every_occurrence(&dfa, &data, &mut hits);
                hits.sort_unstable();
                assert_eq!(
                    hits,
                    naive_hits(&more, &data),
                    "{} (doubled)",
                    path.display()
                );
                files += 1;
            }
        }
        assert!(files > 500, "{files} files");
        assert!(found > 1000, "{found} occurrences");
    }

    /// Occurrences at the very start and end of the data (also where the data's length is not a
    /// multiple of four), nested and overlapping ones, one literal inside another and one
    /// spanning a line break are reported as the naive search and the library's own
    /// overlapping search report them.
    #[test]
    fn edge_occurrences_equal_the_overlapping_search() {
        let lits = [&b"aaaa"[..], b"aa", b"abcd", b"bc", b"d\nab"]
            .map(<[u8]>::to_vec)
            .to_vec();
        let data = b"aaaaabcd\nabcdaa";
        let dfa = literal_dfa(&lits).unwrap();
        let mut hits = Vec::new();
        every_occurrence(&dfa, data, &mut hits);
        hits.sort_unstable();
        assert_eq!(hits, naive_hits(&lits, data));
        assert_eq!(
            hits,
            vec![
                (0, 0),
                (0, 1),
                (1, 0),
                (1, 1),
                (2, 1),
                (3, 1),
                (4, 2),
                (5, 3),
                (7, 4),
                (9, 2),
                (10, 3),
                (13, 1),
            ]
        );
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&lits)
            .unwrap();
        let mut lib: Vec<(u64, u32)> = ac
            .find_overlapping_iter(data)
            .map(|m| (m.start() as u64, m.pattern().as_u32()))
            .collect();
        lib.sort_unstable();
        assert_eq!(hits, lib);
        // Patterns ending at the last byte and starting at the first.
        let lits = [&b"aaaaab"[..], b"daa", b"a"].map(<[u8]>::to_vec).to_vec();
        let dfa = literal_dfa(&lits).unwrap();
        hits.clear();
        every_occurrence(&dfa, data, &mut hits);
        hits.sort_unstable();
        assert_eq!(hits, naive_hits(&lits, data));
        assert_eq!(hits.first(), Some(&(0, 0)));
        assert_eq!(hits.last(), Some(&(14, 2)));
        assert_eq!(hits.len(), 1 + 1 + 8);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 64,
            max_shrink_iters: 64,
            ..proptest::prelude::ProptestConfig::default()
        })]
        /// On generated text made of pieces of the literals (whole, cut at either end, run
        /// together) between noise and line breaks, the candidates are exactly the naive
        /// search's, with the built-in literals and with twice as many.
        #[test]
        fn hits_equal_the_naive_search_on_generated_text(
            pieces in proptest::collection::vec((0usize..1000, 0usize..64, 0usize..64, 0u8..4), 0..300)
        ) {
            let (engine, lits) = builtin();
            let more = doubled(&lits);
            let mut data = Vec::new();
            for (li, cut_front, cut_back, sep) in pieces {
                let l = &more[li % more.len()];
                let a = cut_front.min(l.len()) * usize::from(cut_front % 3 == 0);
                let b = l.len() - cut_back.min(l.len() - a) * usize::from(cut_back % 3 == 0);
                data.extend_from_slice(&l[a..b]);
                data.extend_from_slice([&b""[..], b" ", b"\n", b"x: "][usize::from(sep)]);
            }
            proptest::prop_assert_eq!(engine.prefilter.hits(&data), naive_hits(&lits, &data));
            let dfa = literal_dfa(&more).unwrap();
            let mut hits = Vec::new();
            every_occurrence(&dfa, &data, &mut hits);
            hits.sort_unstable();
            proptest::prop_assert_eq!(hits, naive_hits(&more, &data));
        }

        /// Literals that overlap, nest and share bytes, on any text over their bytes.
        #[test]
        fn hits_equal_the_naive_search_on_a_small_alphabet(
            data in proptest::collection::vec(proptest::sample::select(b"abcdex \n".to_vec()), 0..400)
        ) {
            let lits: Vec<Vec<u8>> = [
                &b"abcd"[..], b"bcde", b"cdex", b"dab", b"ab", b"xxab c", b"e a", b"aaaa", b"bcdexab",
                b"a\nb",
            ]
            .iter()
            .map(|l| l.to_vec())
            .collect();
            let dfa = literal_dfa(&lits).unwrap();
            let mut hits = Vec::new();
            every_occurrence(&dfa, &data, &mut hits);
            hits.sort_unstable();
            proptest::prop_assert_eq!(hits, naive_hits(&lits, &data));
        }
    }
}
