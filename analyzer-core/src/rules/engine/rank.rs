//! Ranking: findings ordered by confidence, then severity, then score, each nested under a fired
//! rule that declares it explains it.

use super::Rule;
use crate::base::Finding;

/// Orders findings — what is confirmed before what is likely before what is possible; among
/// equally sure findings the worst condition first; then the higher score; then the rule id —
/// and nests each finding under a fired rule that declares it explains it and is at least as
/// sure.
pub(super) fn rank(rules: &[Rule], fired: Vec<(usize, Finding)>) -> Vec<Finding> {
    let key = |f: &Finding| {
        (
            std::cmp::Reverse(f.confidence),
            std::cmp::Reverse(f.severity),
            std::cmp::Reverse(f.score),
            f.rule.clone(),
        )
    };
    let mut fired = fired;
    fired.sort_by_key(|(_, f)| key(f));
    let ids: Vec<&str> = fired.iter().map(|(ri, _)| rules[*ri].id()).collect();
    // parent[i] = index of the cause that explains i.
    let mut parent: Vec<Option<usize>> = vec![None; fired.len()];
    for (i, (_, f)) in fired.iter().enumerate() {
        let mut best: Option<usize> = None;
        for (j, (rj, _)) in fired.iter().enumerate() {
            if i == j || !rules[*rj].spec.explains.iter().any(|e| e == &f.rule) {
                continue;
            }
            // A cause less sure than its consequence does not hide it: both stay at the top.
            if fired[j].1.confidence < f.confidence {
                continue;
            }
            // No mutual nesting: a cause that is itself explained by i does not take it.
            if rules[fired[i].0].spec.explains.iter().any(|e| e == ids[j]) && j > i {
                continue;
            }
            if best.is_none_or(|b| j < b) {
                best = Some(j);
            }
        }
        parent[i] = best;
    }
    // Break cycles: follow parents; if a chain returns to i, cut i's parent.
    for i in 0..fired.len() {
        let mut seen = vec![false; fired.len()];
        let mut cur = Some(i);
        while let Some(c) = cur {
            if seen[c] {
                parent[i] = None;
                break;
            }
            seen[c] = true;
            cur = parent[c];
        }
    }
    let mut slots: Vec<Option<Finding>> = fired.into_iter().map(|(_, f)| Some(f)).collect();
    // Attach deepest children first: process in reverse topological order by depth.
    let depth = |mut i: usize| {
        let mut d = 0;
        while let Some(p) = parent[i] {
            d += 1;
            i = p;
        }
        d
    };
    let mut order: Vec<usize> = (0..slots.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(depth(i)));
    for i in order {
        if let Some(p) = parent[i] {
            if let Some(child) = slots[i].take() {
                if let Some(pf) = slots[p].as_mut() {
                    pf.explains.push(child);
                    pf.explains.sort_by_key(key);
                }
            }
        }
    }
    slots.into_iter().flatten().collect()
}
