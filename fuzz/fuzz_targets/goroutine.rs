//! Goroutine dumps: the parser, then bucketing and lock inference over what it produced.
#![no_main]
use analyzer_core::{parse, stacks};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse::goroutine::sniff(data);
    let dump = parse::goroutine::parse(data);
    let analysis = stacks::analyze(&dump);
    let buckets = stacks::bucket_of(&analysis, &dump);
    std::hint::black_box((&analysis, buckets));
});
