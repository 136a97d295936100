//! Test support: a short text that a rule's regular expression matches, built from the
//! expression itself (the first of its [`variants`](super::engine::variants)), so that every
//! rule can be exercised with its minimal evidence without a hand-written line per item.

/// A text `pattern` matches, or `None` when the construction does not give one.
pub fn sample(pattern: &str) -> Option<String> {
    super::engine::variants(pattern).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::spec;

    #[test]
    fn samples_match_their_patterns() {
        assert_eq!(sample(r"abc\d+x").as_deref(), Some("abc0x"));
        assert_eq!(sample(r"(?:foo|bar) [A-Z][a-z]*").as_deref(), Some("foo A"));
        assert_eq!(sample(r"\b(?:-x|yz)\b").as_deref(), Some("yz"));
    }

    /// Every pattern and condition of the built-in rules has a sample: the minimal-evidence
    /// tests of the library build their lines and fields from them.
    #[test]
    fn every_builtin_pattern_has_a_sample() {
        for (name, text) in crate::rules::builtin() {
            let spec = spec::parse_rule(name, text).expect("parses");
            for item in &spec.evidence {
                let id = item.id.get_ref();
                let regexes = item
                    .pattern
                    .iter()
                    .chain(item.frames.iter())
                    .chain(item.waiter_frames.iter())
                    .chain(item.state.iter())
                    .chain(item.conditions.values());
                for re in regexes {
                    assert!(
                        sample(re.get_ref()).is_some(),
                        "{name} {id}: no sample for {}",
                        re.get_ref()
                    );
                }
            }
        }
    }
}
