//! The rule file loader: TOML parsing, validation, regex and literal compilation.
#![no_main]
use analyzer_core::rules::engine::Engine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(engine) = Engine::compile([("f.toml", text)]) {
            // A rule that compiled must also scan.
            let scan = engine.scan(text.as_bytes());
            std::hint::black_box(&scan);
        }
    }
});
