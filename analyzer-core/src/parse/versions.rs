//! Component versions: uname, os-release, packages, docker version, log hints.
//!
//! Versions are kept as the text the source gives (`17.09.0-ce`, `1.0.0-rc5`,
//! `1.0.1-0ubuntu2~20.04.1`); [`compare`] orders them numerically, treating `-rcN` (anywhere
//! after the numbers) as a pre-release of the numbers before it.

use std::cmp::Ordering;

use crate::parse::ps::{numbered_lines, words};

/// The kernel release of `uname -a` (`5.4.0-99-generic`), third word.
pub fn uname_release(data: &[u8]) -> Option<(&[u8], u32)> {
    numbered_lines(data).find_map(|(n, l)| {
        let mut ws = words(l);
        let (_, os) = ws.next()?;
        (os == b"Linux").then_some(())?;
        ws.next()?;
        Some((ws.next()?.1, n))
    })
}

/// `KEY=value` of `/etc/os-release` (quotes removed), with its line.
pub fn os_release<'a>(data: &'a [u8], key: &[u8]) -> Option<(&'a [u8], u32)> {
    numbered_lines(data).find_map(|(n, l)| {
        let v = l.strip_prefix(key)?.strip_prefix(b"=")?;
        let v = v.trim_ascii();
        let v = v
            .strip_prefix(b"\"")
            .and_then(|x| x.strip_suffix(b"\""))
            .unwrap_or(v);
        Some((v, n))
    })
}

/// One installed package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package<'a> {
    /// 1-based line.
    pub line: u32,
    /// Package name (`docker-ce`, `containerd.io`, `runc`).
    pub name: &'a [u8],
    /// Version with release (`17.09.0.ce-1.el7.centos`, `1.5.5-0ubuntu3~20.04.1`).
    pub version: &'a [u8],
}

/// Parses `dpkg -l` (sos `installed-debs`), `rpm -qa` and sos `installed-rpms`
/// (`name-version-release.arch  install date`).
pub fn parse_packages(data: &[u8]) -> Vec<Package<'_>> {
    let mut out = Vec::new();
    for (n, line) in numbered_lines(data) {
        let mut ws = words(line);
        let Some((_, first)) = ws.next() else {
            continue;
        };
        if first.len() == 2 && first.iter().all(u8::is_ascii_lowercase) {
            // dpkg: `ii  name  version  arch  description`.
            if let (Some((_, name)), Some((_, version))) = (ws.next(), ws.next()) {
                let name = match memchr::memchr(b':', name) {
                    Some(i) => &name[..i],
                    None => name,
                };
                out.push(Package {
                    line: n,
                    name,
                    version,
                });
            }
            continue;
        }
        if let Some(p) = split_nevra(first) {
            out.push(Package { line: n, ..p });
        }
    }
    out
}

/// Splits an rpm `name-version-release.arch` into name and `version-release`.
fn split_nevra(s: &[u8]) -> Option<Package<'_>> {
    const ARCHES: &[&[u8]] = &[
        b".x86_64",
        b".noarch",
        b".aarch64",
        b".i686",
        b".ppc64le",
        b".s390x",
    ];
    let s = ARCHES.iter().find_map(|a| s.strip_suffix(*a))?;
    let r = memchr::memrchr(b'-', s)?;
    let v = memchr::memrchr(b'-', &s[..r])?;
    (v > 0).then(|| Package {
        line: 0,
        name: &s[..v],
        version: &s[v + 1..],
    })
}

/// The component a package belongs to, if it is one the analysis tracks.
pub fn package_component(name: &[u8]) -> Option<&'static str> {
    Some(match name {
        b"docker-ce" | b"docker-ee" | b"docker" | b"docker-engine" | b"docker.io"
        | b"moby-engine" => "docker",
        b"containerd" | b"containerd.io" | b"moby-containerd" => "containerd",
        b"runc" | b"moby-runc" | b"docker-runc" => "runc",
        b"kubelet" => "kubelet",
        b"cri-o" | b"crio" => "cri-o",
        b"kernel" | b"kernel-core" => "kernel",
        _ => return None,
    })
}

/// Orders two version texts numerically (`1.10 > 1.9`), a leading `v` ignored; `-rcN`, `~rcN`,
/// `.rcN` make a pre-release lower than the same numbers without it.
pub fn compare(a: &[u8], b: &[u8]) -> Ordering {
    let (na, ra) = split_version(a);
    let (nb, rb) = split_version(b);
    let len = na.len().max(nb.len());
    for i in 0..len {
        let x = na.get(i).copied().unwrap_or(0);
        let y = nb.get(i).copied().unwrap_or(0);
        match x.cmp(&y) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    match (ra, rb) {
        (None, None) => Ordering::Equal,
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(&y),
    }
}

/// Numeric components (up to 4) and the `rc` number if any.
fn split_version(v: &[u8]) -> (Vec<u64>, Option<u64>) {
    let v = v.strip_prefix(b"v").unwrap_or(v);
    let mut nums = Vec::new();
    let mut i = 0;
    while nums.len() < 4 {
        let Some((n, k)) = crate::base::time::digits_var(&v[i..]) else {
            break;
        };
        nums.push(n);
        i += k;
        if v.get(i) == Some(&b'.') && v.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
        } else {
            break;
        }
    }
    let rest = &v[i..];
    let rc = memchr::memmem::find(rest, b"rc").and_then(|j| {
        let before = j.checked_sub(1).and_then(|k| rest.get(k));
        matches!(before, Some(b'-' | b'~' | b'.'))
            .then(|| crate::base::time::digits_var(&rest[j + 2..]).map_or(0, |(n, _)| n))
    });
    (nums, rc)
}

/// A version clue found in a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionHint<'a> {
    /// The component (`docker-api`, `runc`, `docker`, `containerd`).
    pub component: &'static str,
    /// The text that gives it away (`1.32`, `container_linux.go:348`, `docker-containerd-shim`).
    pub value: &'a [u8],
    /// What the clue implies.
    pub meaning: &'static str,
}

/// Version clues in one log line: the Docker API version of a request path (`/v1.32/`), runc's
/// `container_linux.go:NNN` (the line number moves between runc releases), and shim names (the
/// v1 shim `docker-containerd-shim` ships with Docker 17.06–18.06; `containerd-shim-runc-v2` with
/// containerd ≥ 1.3).
pub fn hints_from_line(line: &[u8]) -> impl Iterator<Item = VersionHint<'_>> {
    let mut hints: [Option<VersionHint>; 3] = [None, None, None];
    if let Some(i) = memchr::memmem::find(line, b"/v1.") {
        let rest = &line[i + 2..];
        let n = rest
            .iter()
            .take_while(|c| c.is_ascii_digit() || **c == b'.')
            .count();
        if rest.get(n) == Some(&b'/') && n >= 3 {
            hints[0] = Some(VersionHint {
                component: "docker-api",
                value: &rest[..n],
                meaning: "Docker Engine API version of the client request",
            });
        }
    }
    if let Some(i) = memchr::memmem::find(line, b"container_linux.go:") {
        let n = line[i + 19..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if n > 0 {
            hints[1] = Some(VersionHint {
                component: "runc",
                value: &line[i..i + 19 + n],
                meaning: "runc libcontainer source line (runc < 1.1 prints container_linux.go)",
            });
        }
    }
    if let Some(i) = memchr::memmem::find(line, b"containerd-shim-runc-v2") {
        hints[2] = Some(VersionHint {
            component: "containerd",
            value: &line[i..i + 23],
            meaning: "runc v2 shim: containerd >= 1.3 / Docker >= 20.10",
        });
    } else if let Some(i) = memchr::memmem::find(line, b"docker-containerd-shim") {
        hints[2] = Some(VersionHint {
            component: "docker",
            value: &line[i..i + 22],
            meaning: "v1 shim bundled with Docker <= 18.06",
        });
    }
    hints.into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uname_and_os_release() {
        // sos `sos_commands/kernel/uname_-a` (Ubuntu 20.04) and os-release(5).
        let u = b"Linux juju-110cc2-k8stest-4 5.4.0-99-generic #112-Ubuntu SMP Thu Feb 3 13:50:55 UTC 2022 x86_64 x86_64 x86_64 GNU/Linux\n";
        assert_eq!(uname_release(u), Some((&b"5.4.0-99-generic"[..], 1)));
        let o = b"NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nVERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\n";
        assert_eq!(
            os_release(o, b"PRETTY_NAME"),
            Some((&b"CentOS Linux 7 (Core)"[..], 5))
        );
        assert_eq!(os_release(o, b"ID"), Some((&b"centos"[..], 3)));
    }

    #[test]
    fn packages() {
        // sos `installed-debs` (dpkg -l) and `installed-rpms` (CentOS 7) shapes.
        let d = b"||/ Name                           Version                               Architecture Description
+++-==============================-=====================================-============-====
hi  containerd                     1.5.5-0ubuntu3~20.04.1                amd64        daemon to control runC
ii  runc                           1.0.1-0ubuntu2~20.04.1                amd64        Open Container Project - runtime
docker-ce-17.09.0.ce-1.el7.centos.x86_64                    Tue Dec  5 10:00:00 2017
kernel-3.10.0-693.el7.x86_64                                Tue Dec  5 09:00:00 2017
";
        let p = parse_packages(d);
        let got: Vec<_> = p.iter().map(|p| (p.name, p.version, p.line)).collect();
        assert_eq!(
            got,
            vec![
                (&b"containerd"[..], &b"1.5.5-0ubuntu3~20.04.1"[..], 3),
                (&b"runc"[..], &b"1.0.1-0ubuntu2~20.04.1"[..], 4),
                (&b"docker-ce"[..], &b"17.09.0.ce-1.el7.centos"[..], 5),
                (&b"kernel"[..], &b"3.10.0-693.el7"[..], 6),
            ]
        );
    }

    #[test]
    fn version_order() {
        use Ordering::*;
        let cases: &[(&str, &str, Ordering)] = &[
            ("1.0.0-rc5", "1.0.0-rc10", Less),
            ("1.0.0-rc92", "1.0.0", Less),
            ("1.0.1-0ubuntu2~20.04.1", "1.0.0-rc5", Greater),
            ("17.09.0-ce", "18.03", Less),
            ("v1.2.6", "1.0.2", Greater),
            ("1.10", "1.9", Greater),
            ("3.10.0-693.el7", "4.0", Less),
            ("18.09.9", "18.09.9", Equal),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a.as_bytes(), b.as_bytes()), *want, "{a} vs {b}");
        }
    }

    #[test]
    fn log_hints() {
        // dockerd debug line (moby API router) and the runc error quoted in incidents §4.
        let l = b"level=debug msg=\"Calling GET /v1.32/containers/json\"";
        let h: Vec<_> = hints_from_line(l).collect();
        assert_eq!(h.len(), 1);
        assert_eq!((h[0].component, h[0].value), ("docker-api", &b"1.32"[..]));
        let l = b"OCI runtime exec failed: exec failed: container_linux.go:348: starting container process caused";
        let h: Vec<_> = hints_from_line(l).collect();
        assert_eq!(h[0].value, b"container_linux.go:348");
        let l = b"docker-containerd-shim -namespace moby -workdir /x";
        assert_eq!(
            hints_from_line(l).next().map(|h| h.component),
            Some("docker")
        );
        assert_eq!(hints_from_line(b"plain").count(), 0);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = parse_packages(&data);
            let _ = uname_release(&data);
            let _ = hints_from_line(&data).count();
            let _ = compare(&data, b"1.0.0-rc5");
        }
    }
}
