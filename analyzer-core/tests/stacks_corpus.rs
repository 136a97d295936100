//! Seed 003 (`volume-remove-lock`, incidents.md §5): the committed dockerd dump is the
//! generator's output, and the analysis names the `(*Root).Remove` goroutine as the holder.

#[path = "support/volume_dump.rs"]
mod volume_dump;

use std::path::PathBuf;

use analyzer_core::parse::goroutine::parse;
use analyzer_core::stacks::{Activity, LockKind, analyze};

fn corpus_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "../corpus/seed-003-volume-remove-lock/var/run/docker/goroutine-stacks-2020-07-15T101222Z.log",
    )
}

/// Set `NODEMORTEM_REGEN=1` to rewrite the corpus file from the generator.
#[test]
fn committed_dump_matches_generator() {
    let g = volume_dump::generate();
    let path = corpus_file();
    if std::env::var_os("NODEMORTEM_REGEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &g.text).expect("write corpus");
    }
    let committed = std::fs::read_to_string(&path).expect("corpus dump is committed");
    assert!(committed.len() <= 3 << 20, "corpus dump must stay ≤ 3 MB");
    assert!(
        committed == g.text,
        "corpus dump differs from the generator output"
    );
}

#[test]
fn holder_of_root_lock() {
    let g = volume_dump::generate();
    let dump = parse(g.text.as_bytes());
    let total =
        3 + 1 + volume_dump::CREATE_WAITERS + volume_dump::CLEANUP_WAITERS + volume_dump::OTHERS;
    assert_eq!(dump.len(), total);
    assert!(dump.warnings().is_empty(), "{:?}", dump.warnings());
    let a = analyze(&dump);
    assert_eq!(a.goroutines, total as u64);
    assert_eq!(a.locks.len(), 1);
    let l = &a.locks[0];
    assert_eq!(l.address, "0xc000aee820");
    assert_eq!(l.kind, LockKind::Mutex);
    assert_eq!(l.holder, Some(volume_dump::HOLDER));
    assert_eq!(l.holder_candidates.len(), 1);
    assert_eq!(l.holder_activity, Activity::Filesystem);
    assert_eq!(l.holder_state.as_deref(), Some("syscall"));
    assert_eq!(l.holder_minutes, Some(83));
    assert_eq!(l.waiters, g.waiters);
    assert_eq!(l.waiters_total, 217);
    assert_eq!(l.transitive_waiters, 217);
    assert_eq!(l.max_wait_minutes, Some(g.max_wait));
    assert_eq!(l.offset, Some(0));
    assert_eq!(
        l.waiter_funcs,
        vec!["github.com/docker/docker/volume/local.(*Root).Get".to_string()]
    );
    assert_eq!(
        &l.holder_top[..3],
        &[
            "syscall.Syscall".to_string(),
            "syscall.unlinkat".into(),
            "syscall.Unlink".into()
        ]
    );
    assert!(a.deadlocks.is_empty());
    assert_eq!(a.states.get("semacquire"), Some(&217));
    // Waiters split into two buckets by call path.
    let counts: Vec<(u64, &str)> = a
        .buckets
        .iter()
        .filter(|b| b.state == "semacquire")
        .map(|b| (b.count, b.frames[3].func.as_str()))
        .collect();
    assert_eq!(
        counts,
        vec![
            (180, "github.com/docker/docker/volume/service.lookupVolume"),
            (37, "github.com/docker/docker/volume/service.lookupVolume"),
        ]
    );
}

/// The holder is found however deep in its stack the Root frame lies: go1.11's recursive
/// `os.RemoveAll` forty directories deep, and Go ≥ 1.13's `os.removeAllFrom` recursion
/// (removeall_at.go, unlinking through `internal/syscall/unix.Unlinkat`).
#[test]
fn holder_deep_in_a_removal_recursion() {
    for holder in [
        volume_dump::Holder::DeepRemoveAll(40),
        volume_dump::Holder::RemoveAllFrom(40),
    ] {
        let g = volume_dump::generate_with(holder);
        let dump = parse(g.text.as_bytes());
        assert!(
            dump.warnings().is_empty(),
            "{holder:?}: {:?}",
            dump.warnings()
        );
        let a = analyze(&dump);
        assert_eq!(a.locks.len(), 1, "{holder:?}");
        let l = &a.locks[0];
        assert_eq!(l.holder, Some(volume_dump::HOLDER), "{holder:?}");
        assert_eq!(l.holder_activity, Activity::Filesystem, "{holder:?}");
        assert_eq!(l.waiters, g.waiters, "{holder:?}");
        // The Root frame is past the first 40 frames of the holder's stack.
        let c = &l.holder_candidates[0];
        assert_eq!(
            c.frame, "github.com/docker/docker/volume/local.(*Root).Remove",
            "{holder:?}"
        );
        assert!(c.depth >= 40, "{holder:?}: depth {}", c.depth);
    }
}

/// End to end, the cause is named first however deep the holder's `(*Root).Remove` frame lies:
/// `volume-remove-lock` is the first finding and `lock-convoy` (the consequence) is nested under
/// it, never above it, for the seed's shallow holder, go1.11's `os.RemoveAll` recursion 40 and
/// 120 directories deep, and Go ≥ 1.13's `os.removeAllFrom` recursion (innermost frame first,
/// `os.removeAll` and the inlined `os.RemoveAll(...)` below it).
#[test]
fn deep_holders_name_the_volume_removal_first() {
    use analyzer_core::analysis::{Options, analyze as analyze_bundle};
    use analyzer_core::input::Bundle;
    for holder in [
        volume_dump::Holder::Seed,
        volume_dump::Holder::DeepRemoveAll(40),
        volume_dump::Holder::DeepRemoveAll(120),
        volume_dump::Holder::RemoveAllFrom(40),
        volume_dump::Holder::RemoveAllFrom(120),
    ] {
        let g = volume_dump::generate_with(holder);
        let bundle = Bundle::from_bytes(
            "goroutine-stacks-2020-07-15T101222Z.log",
            g.text.into_bytes(),
        );
        let report = analyze_bundle(&bundle, &Options::default()).expect("the dump analyses");
        let first = report.findings.first().expect("a finding");
        assert_eq!(first.rule, "volume-remove-lock", "{holder:?}");
        assert!(
            report.findings.iter().all(|f| f.rule != "lock-convoy"),
            "{holder:?}: lock-convoy at the top level"
        );
        assert!(
            first.explains.iter().any(|f| f.rule == "lock-convoy"),
            "{holder:?}: lock-convoy not nested under the cause"
        );
    }
}
