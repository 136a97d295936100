//! The shared literal prefilter: the literals of every log pattern in one Aho–Corasick
//! automaton, run once over a member's bytes, so that a record meets only the regular
//! expressions whose literals it contains. Lines without a literal are skipped by a faster
//! search for a few short keys that every literal contains.

use std::collections::{BTreeMap, HashMap};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::compile::Matcher;
use crate::error::{Error, Result};

/// The literals of every matcher in one automaton, and the matchers each literal selects.
#[derive(Debug)]
pub(super) struct Prefilter {
    /// Every literal; `None` when no pattern has one.
    automaton: Option<AhoCorasick>,
    /// For each prefilter pattern, the matchers it selects.
    pub(super) literal_matchers: Vec<Vec<usize>>,
    /// Matchers with no literal: run on every record.
    pub(super) always: Vec<usize>,
    /// Some literal spans lines: the prefilter cannot skip line by line.
    multiline_literals: bool,
    /// How far before its first key occurrence a literal can start: the window searched on
    /// a line starts this far before the line's leftmost key.
    key_lead: usize,
    /// Short substrings, one inside every literal, few enough for a SIMD (Teddy) search.
    line_keys: Option<AhoCorasick>,
}

impl Prefilter {
    /// Indexes the literals of `matchers` (in matcher order) and builds the automata.
    pub(super) fn build(matchers: &[Matcher]) -> Result<Prefilter> {
        let mut lits: Vec<Vec<u8>> = Vec::new();
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut literal_matchers: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (mi, m) in matchers.iter().enumerate() {
            if m.literals.is_empty() {
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
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    // A DFA keeps the leftmost skip over lines without literals fast even with
                    // a few hundred literals (the default picks an NFA above ~100).
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .build(&lits)
                    .map_err(|e| Error::Rule {
                        file: "(prefilter)".into(),
                        line: 0,
                        field: "literals".into(),
                        message: e.to_string(),
                    })?,
            )
        };
        let keys = line_keys(&lits);
        Ok(Prefilter {
            automaton,
            literal_matchers,
            always,
            multiline_literals: lits.iter().any(|l| l.contains(&b'\n')),
            key_lead: key_lead(&lits, &keys),
            line_keys: AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(&keys)
                .ok(),
        })
    }

    /// Every occurrence of a literal in `data` as (offset, literal index), ordered by offset.
    pub(super) fn hits(&self, data: &[u8]) -> Vec<(u64, u32)> {
        let mut hits: Vec<(u64, u32)> = Vec::new();
        if let Some(ac) = &self.automaton {
            match &self.line_keys {
                Some(keys) if !self.multiline_literals => {
                    overlapping_by_line(ac, keys, self.key_lead, data, &mut hits)
                }
                _ => {
                    for m in ac.find_overlapping_iter(data) {
                        hits.push((m.start() as u64, m.pattern().as_u32()));
                    }
                }
            }
            // Overlapping matches come sorted by end; order by start for the cursor walk.
            hits.sort_unstable();
        }
        hits
    }
}

/// Every overlapping match of `ac` in `data`: a fast search for `keys` (every literal contains
/// one, see [`line_keys`]) skips lines without any literal, and on a line with a key only the
/// text from `lead` bytes before the key to the line's end is searched, first for any match
/// (most lines of a log match nothing), then, if there is one, for every overlapping match.
/// Literals must not contain `\n`, and none may start more than `lead` bytes before its first
/// key occurrence ([`key_lead`]; a literal's length is always enough).
///
/// The key found is the line's leftmost key occurrence, and every literal occurrence holds a
/// key occurrence starting no earlier, so no literal of the line starts more than `lead` bytes
/// before the key found.
pub(super) fn overlapping_by_line(
    ac: &AhoCorasick,
    keys: &AhoCorasick,
    lead: usize,
    data: &[u8],
    hits: &mut Vec<(u64, u32)>,
) {
    let mut at = 0;
    while at < data.len() {
        let Some(m) = keys.find(aho_corasick::Input::new(data).range(at..)) else {
            break;
        };
        // `at` is a line start (or the start of the data), so the window stays on the line.
        let start = m.start().saturating_sub(lead).max(at);
        let start = match memchr::memrchr(b'\n', &data[start..m.start()]) {
            Some(i) => start + i + 1,
            None => start,
        };
        let line_end = memchr::memchr(b'\n', &data[m.end()..]).map_or(data.len(), |i| m.end() + i);
        let input = aho_corasick::Input::new(data).range(start..line_end);
        // Most windows hold no literal: the non-overlapping search (a tighter loop) says so
        // first, and only a window holding one is searched again for every overlapping match.
        if ac.find(input.clone()).is_none() {
            at = line_end + 1;
            continue;
        }
        let mut state = aho_corasick::automaton::OverlappingState::start();
        loop {
            ac.find_overlapping(input.clone(), &mut state);
            let Some(o) = state.get_match() else { break };
            hits.push((o.start() as u64, o.pattern().as_u32()));
        }
        at = line_end + 1;
    }
}

/// How far before its first key occurrence a literal can start: the largest, over the
/// literals, of the offset of the first occurrence of any key in it. A literal occurrence on a
/// line starts at most this far before the line's leftmost key occurrence, since its own first
/// key occurrence starts no earlier than that. `usize::MAX` when some literal holds no key.
pub(super) fn key_lead(lits: &[Vec<u8>], keys: &[Vec<u8>]) -> usize {
    lits.iter()
        .map(|l| {
            keys.iter()
                .filter_map(|k| memchr::memmem::find(l, k))
                .min()
                .unwrap_or(usize::MAX)
        })
        .max()
        .unwrap_or(0)
}

/// Most keys [`line_keys`] makes: the SIMD multi-substring search (Teddy) takes up to 64.
pub(super) const MAX_KEYS: usize = 64;

/// Words and phrases most lines of a healthy node's journal hold (systemd units, container
/// runtimes' and kubelet's routine messages: `Started libcontainer container …`,
/// `containerName=…`, `Failed to get system container stats …`, `… error: …`). A line key
/// inside one of them selects most lines of a busy journal, each then searched for every
/// literal.
const COMMON: &[&[u8]] = &[
    b" container ",
    b" Container ",
    b"containerd",
    b"containerID",
    b"containerName",
    b" failed ",
    b" Failed to ",
    b" failed to ",
    b".service",
    b" error: ",
    b" process ",
    b" resource",
    b" kernel ",
    b" memory ",
    b" filesystem ",
    b" for ",
    b" Docker ",
    b"dockerd",
    b" docker ",
    b" event ",
    b" device ",
    b"endpoint",
    b" Starting ",
    b" starting ",
    b" started ",
    b" restarting ",
    b" setting ",
    b" getting ",
];

/// Whether `key` is shorter than 6 bytes or lies inside one of the [`COMMON`] words of healthy
/// journals.
fn is_common(key: &[u8]) -> bool {
    key.len() < 6
        || COMMON
            .iter()
            .any(|w| memchr::memmem::find(w, key).is_some())
}

/// Short substrings such that every literal contains at least one: the literals, those
/// containing another dropped, then the two sharing the longest common substring (at least 4
/// bytes) replaced by it until at most [`MAX_KEYS`] remain. Substrings outside the
/// [`COMMON`] words of healthy journals are merged first, the longest first: long, rare shared
/// substrings keep the keys as rare as the literals. A line holding a literal holds a key, so a search for keys
/// finds every line the literals can be in.
pub(super) fn line_keys(lits: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let holds = |k: &[u8], o: &[u8]| memchr::memmem::find(k, o).is_some();
    let mut keys: Vec<Vec<u8>> = lits.iter().filter(|l| !l.is_empty()).cloned().collect();
    keys.sort();
    keys.dedup();
    let all = keys.clone();
    keys.retain(|k| !all.iter().any(|o| o != k && holds(k, o)));
    // No live key holds another. Keys keep their index. `common` holds the pairs of live keys
    // sharing 4 bytes or more (no shorter substring is merged): (i, j), i < j, to the longest
    // common substring's length and start in key i.
    let n = keys.len();
    let mut live = vec![true; n];
    let mut common: BTreeMap<(usize, usize), (usize, usize)> = BTreeMap::new();
    let mut holders: HashMap<&[u8], Vec<usize>> = HashMap::new();
    for (k, key) in keys.iter().enumerate() {
        for gram in key.windows(4) {
            let ids = holders.entry(gram).or_default();
            if ids.last() != Some(&k) {
                ids.push(k);
            }
        }
    }
    for ids in holders.values() {
        for (x, &j) in ids.iter().enumerate() {
            for &i in &ids[..x] {
                common
                    .entry((i, j))
                    .or_insert_with(|| longest_common(&keys[i], &keys[j]));
            }
        }
    }
    drop(holders);
    let mut count = n;
    while count > MAX_KEYS {
        // The longest, the first in index order among equals.
        let mut best: Option<(bool, usize, usize, usize)> = None; // (rare, len, i, start in i)
        for (&(i, _), &(len, start)) in &common {
            let rare = !is_common(&keys[i][start..start + len]);
            if best.is_none_or(|b| (rare, len) > (b.0, b.1)) {
                best = Some((rare, len, i, start));
            }
        }
        let Some((_, len, i, start)) = best else {
            break;
        };
        // The shared substring replaces key i; every other key holding it (key j among
        // them) goes. It holds no live key, being part of key i.
        let shared = keys[i][start..start + len].to_vec();
        for k in 0..n {
            if k != i && live[k] && holds(&keys[k], &shared) {
                live[k] = false;
                count -= 1;
            }
        }
        keys[i] = shared;
        // Pairs of a dropped key go; those of key i are recomputed (a part of key i shares no
        // more with another key than key i did, so no pair is added).
        common.retain(|&(a, b), v| {
            if !live[a] || !live[b] {
                return false;
            }
            if a == i || b == i {
                *v = longest_common(&keys[a], &keys[b]);
            }
            v.0 >= 4
        });
    }
    let mut keys: Vec<Vec<u8>> = keys
        .into_iter()
        .zip(live)
        .filter_map(|(k, l)| l.then_some(k))
        .collect();
    keys.sort();
    keys
}

/// The longest common substring of `a` and `b`: its length and start in `a` (dynamic
/// programming over one row).
pub(super) fn longest_common(a: &[u8], b: &[u8]) -> (usize, usize) {
    let mut best = (0, 0);
    let mut prev = vec![0usize; b.len() + 1];
    let mut row = vec![0usize; b.len() + 1];
    for (i, &x) in a.iter().enumerate() {
        for (j, &y) in b.iter().enumerate() {
            row[j + 1] = if x == y { prev[j] + 1 } else { 0 };
            if row[j + 1] > best.0 {
                best = (row[j + 1], i + 1 - row[j + 1]);
            }
        }
        std::mem::swap(&mut prev, &mut row);
    }
    best
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

    /// Every built-in literal contains a line key, and the keys fit one SIMD search. The literals
    /// need merging (more than [`MAX_KEYS`] of them), and the indexed merge gives what the plain one
    /// ([`line_keys_plain`]) gives.
    #[test]
    fn line_keys_cover_every_builtin_literal() {
        let engine = crate::rules::load(&[]).unwrap();
        let lits: Vec<Vec<u8>> = engine
            .literals()
            .into_iter()
            .map(|l| l.into_bytes())
            .collect();
        assert!(lits.len() > 2 * MAX_KEYS, "{} literals", lits.len());
        let keys = line_keys(&lits);
        assert!(keys.len() <= MAX_KEYS, "{} keys", keys.len());
        assert_eq!(keys, line_keys_plain(&lits));
        assert!(keys.iter().all(|k| !k.is_empty()));
        for l in &lits {
            assert!(
                keys.iter().any(|k| memchr::memmem::find(l, k).is_some()),
                "{:?} holds no key",
                String::from_utf8_lossy(l)
            );
        }
    }

    /// The line-skipping prefilter finds exactly the overlapping matches of a whole-text search.
    /// Lines: CentOS 7 journal (apache/doris#3525 OOM pair, NPD kernel-monitor hung task,
    /// kubernetes/kubernetes#45419 PLEG, moby#42953 runc init) between ordinary traffic.
    #[test]
    fn line_skip_matches_whole_overlapping_search() {
        let engine = crate::rules::load(&[]).unwrap();
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
        // The last line without a newline.
        text.push_str("Aug 20 10:26:00 node-1 systemd[1]: Started Session 42 of user root.");
        let data = text.as_bytes();
        let ac = engine.prefilter.automaton.as_ref().unwrap();
        let mut whole: Vec<(u64, u32)> = ac
            .find_overlapping_iter(data)
            .map(|m| (m.start() as u64, m.pattern().as_u32()))
            .collect();
        whole.sort_unstable();
        let fast = engine.prefilter.hits(data);
        assert_eq!(fast, whole);
        // 6 OOM blocks × (3 + 2 + 2 + 1 + 2) literal occurrences at least, plus the last line.
        assert!(whole.len() > 6 * 5, "{}", whole.len());
        // The window before the leftmost key is shorter than the longest literal.
        let longest = engine.literals().iter().map(String::len).max().unwrap();
        assert!(longest >= 40, "{longest}");
        assert!(
            engine.prefilter.key_lead < longest,
            "{} of {longest}",
            engine.prefilter.key_lead
        );
        assert!(!engine.prefilter.multiline_literals);
    }

    /// The lead is the largest offset, over the literals, of a literal's first key occurrence.
    #[test]
    fn key_lead_is_the_latest_first_key() {
        let lits = [b"abcdef".to_vec(), b"xxcd".to_vec()];
        assert_eq!(key_lead(&lits, &[b"cd".to_vec()]), 2);
        // `abcdef` now holds a key at its start; `xxcd` still only at 2.
        assert_eq!(key_lead(&lits, &[b"cd".to_vec(), b"ab".to_vec()]), 2);
        assert_eq!(key_lead(&lits, &[b"ab".to_vec(), b"xx".to_vec()]), 0);
        // A literal without a key: the window must start at the line's start.
        assert_eq!(key_lead(&lits, &[b"ab".to_vec()]), usize::MAX);
        assert_eq!(key_lead(&[], &[b"ab".to_vec()]), 0);
    }

    /// No built-in literal is lost: each one, alone on a journal line at the start, the middle
    /// or the end of the message, after a line holding only a key of another literal, is found
    /// where it is, and the line-skipping search gives exactly the whole-text overlapping search.
    #[test]
    fn every_builtin_literal_is_found_on_its_line() {
        let engine = crate::rules::load(&[]).unwrap();
        let pf = &engine.prefilter;
        let ac = pf.automaton.as_ref().unwrap();
        let lits: Vec<Vec<u8>> = engine
            .literals()
            .into_iter()
            .map(|l| l.into_bytes())
            .collect();
        let keys = line_keys(&lits);
        assert!(
            pf.key_lead <= lits.iter().map(Vec::len).max().unwrap(),
            "{}",
            pf.key_lead
        );
        let mut text = Vec::new();
        let mut expected = Vec::new();
        for (i, l) in lits.iter().enumerate() {
            let key = &keys[i % keys.len()];
            text.extend_from_slice(
                b"Dec  6 02:00:00 node-1 kubelet[2231]: I1206 02:00:00.000001    2231 x.go:1] ",
            );
            text.extend_from_slice(key);
            text.push(b'\n');
            for (before, after) in [
                (&b""[..], &b" tail"[..]),
                (b"pod=\"web-0\" ", b" done"),
                (b"msg=", b""),
            ] {
                text.extend_from_slice(b"Dec  6 02:00:01 node-1 dockerd[812]: ");
                text.extend_from_slice(before);
                expected.push((text.len() as u64, l.clone()));
                text.extend_from_slice(l);
                text.extend_from_slice(after);
                text.push(b'\n');
            }
        }
        let fast = pf.hits(&text);
        let spans: Vec<(usize, usize, u32)> = ac
            .find_overlapping_iter(&text)
            .map(|m| (m.start(), m.end(), m.pattern().as_u32()))
            .collect();
        let mut whole: Vec<(u64, u32)> = spans.iter().map(|&(a, _, p)| (a as u64, p)).collect();
        whole.sort_unstable();
        assert_eq!(fast, whole);
        for (at, l) in &expected {
            let at = *at as usize;
            assert!(
                spans.iter().any(|&(a, b, _)| a == at && b == at + l.len()),
                "{:?} not found at {at}",
                String::from_utf8_lossy(l)
            );
        }
    }

    /// Longest common substrings: length and start in the first string.
    #[test]
    fn longest_common_substring() {
        assert_eq!(
            longest_common(b"INFO: task dockerd:", b"INFO: task kubelet:"),
            (11, 0)
        );
        assert_eq!(longest_common(b"xxStarted ", b"Started Docker"), (8, 2));
        assert_eq!(longest_common(b"abc", b"xyz"), (0, 0));
        assert_eq!(longest_common(b"", b"xyz"), (0, 0));
    }

    /// What [`line_keys`] must give, without its shortcuts: every live pair's longest common
    /// substring recomputed at every step.
    fn line_keys_plain(lits: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let holds = |k: &[u8], o: &[u8]| memchr::memmem::find(k, o).is_some();
        let mut sorted: Vec<Vec<u8>> = lits.iter().filter(|l| !l.is_empty()).cloned().collect();
        sorted.sort();
        sorted.dedup();
        let mut keys: Vec<Option<Vec<u8>>> = sorted
            .iter()
            .filter(|k| !sorted.iter().any(|o| o != *k && holds(k, o)))
            .map(|k| Some(k.clone()))
            .collect();
        while keys.iter().flatten().count() > MAX_KEYS {
            let mut best: Option<(bool, usize, usize, usize)> = None;
            for i in 0..keys.len() {
                for j in i + 1..keys.len() {
                    if let (Some(a), Some(b)) = (&keys[i], &keys[j]) {
                        let (len, at) = longest_common(a, b);
                        let rare = !is_common(&a[at..at + len]);
                        if len >= 4 && best.is_none_or(|b| (rare, len) > (b.0, b.1)) {
                            best = Some((rare, len, i, at));
                        }
                    }
                }
            }
            let Some((_, len, i, at)) = best else { break };
            let shared = keys[i].as_ref().unwrap()[at..at + len].to_vec();
            for key in keys.iter_mut() {
                if key.as_ref().is_some_and(|k| holds(k, &shared)) {
                    *key = None;
                }
            }
            keys[i] = Some(shared);
        }
        let mut keys: Vec<Vec<u8>> = keys.into_iter().flatten().collect();
        keys.sort();
        keys
    }

    proptest::proptest! {
        /// The key-window search finds exactly the overlapping matches of a whole-text search, for
        /// literals that overlap, nest and share keys, on any text over their bytes.
        #[test]
        fn key_windows_match_whole_overlapping_search(
            data in proptest::collection::vec(proptest::sample::select(b"abcdex \n".to_vec()), 0..400)
        ) {
            let lits: Vec<Vec<u8>> = [
                &b"abcd"[..], b"bcde", b"cdex", b"dab", b"ab", b"xxab c", b"e a", b"aaaa", b"bcdexab",
            ]
            .iter()
            .map(|l| l.to_vec())
            .collect();
            let ac = AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(&lits)
                .unwrap();
            let keys = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(line_keys(&lits))
                .unwrap();
            let mut whole: Vec<(u64, u32)> = ac
                .find_overlapping_iter(&data)
                .map(|m| (m.start() as u64, m.pattern().as_u32()))
                .collect();
            whole.sort_unstable();
            let mut fast = Vec::new();
            overlapping_by_line(&ac, &keys, 7, &data, &mut fast);
            fast.sort_unstable();
            proptest::prop_assert_eq!(&fast, &whole);
            // The same with the window starting only the key lead before the key.
            let lead = key_lead(&lits, &line_keys(&lits));
            proptest::prop_assert!(lead < 7);
            fast.clear();
            overlapping_by_line(&ac, &keys, lead, &data, &mut fast);
            fast.sort_unstable();
            proptest::prop_assert_eq!(fast, whole);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 64,
            max_shrink_iters: 64,
            ..proptest::prelude::ProptestConfig::default()
        })]
        /// The indexed merge gives what the plain one gives, on literal sets that need merging.
        #[test]
        fn line_keys_equal_the_plain_merge(
            lits in proptest::collection::vec(
                proptest::collection::vec(proptest::sample::select(b"abcdefghijkl".to_vec()), 6..14),
                MAX_KEYS + 16..MAX_KEYS * 3,
            )
        ) {
            proptest::prop_assert_eq!(line_keys(&lits), line_keys_plain(&lits));
        }
    }
}
