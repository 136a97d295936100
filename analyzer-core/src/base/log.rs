//! What a log record says about itself: the program that wrote it ([`Source`]) and how severe
//! it said it was ([`Level`]).

use serde::Serialize;

/// The programs nodemortem knows by name. Rules select records by source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Source {
    /// The Linux kernel (dmesg, `kernel:` journal lines, kern.log).
    Kernel,
    /// systemd (PID 1 and its helpers).
    Systemd,
    /// The kubelet.
    Kubelet,
    /// kube-proxy.
    KubeProxy,
    /// Control-plane components (apiserver, scheduler, controller-manager, etcd).
    ControlPlane,
    /// dockerd (also `docker` on old daemons).
    Dockerd,
    /// containerd (also `docker-containerd`).
    Containerd,
    /// containerd shims (v1 and v2).
    Shim,
    /// runc (also `docker-runc`).
    Runc,
    /// CRI-O.
    Crio,
    /// Anything else; the identifier says what.
    Other,
    /// A command-line tool's own output pasted into a ticket (`docker`, `kubectl`, `crictl`,
    /// `ctr`, `runc`, `docker-compose`): error lines and table rows. Undetermined for rules
    /// ([`Source::is_undetermined`]).
    Cli,
    /// Not determined: a bare pasted line, a plain logrus file without identifier, a wrapper
    /// process (k3s, rke2, an unknown forker) whose line names no component. Rules restricted
    /// to sources still match it, except kernel-only patterns ([`Source::is_undetermined`]).
    Unknown,
}

impl Source {
    /// The canonical report name (`kernel`, `kubelet`, `dockerd`, …).
    pub fn name(self) -> &'static str {
        match self {
            Source::Kernel => "kernel",
            Source::Systemd => "systemd",
            Source::Kubelet => "kubelet",
            Source::KubeProxy => "kube-proxy",
            Source::ControlPlane => "control-plane",
            Source::Dockerd => "dockerd",
            Source::Containerd => "containerd",
            Source::Shim => "containerd-shim",
            Source::Runc => "runc",
            Source::Crio => "crio",
            Source::Other => "other",
            Source::Cli => "cli",
            Source::Unknown => "unknown",
        }
    }

    /// Parses a canonical name (as used in rule files).
    pub fn from_name(name: &str) -> Option<Source> {
        Some(match name {
            "kernel" => Source::Kernel,
            "systemd" => Source::Systemd,
            "kubelet" => Source::Kubelet,
            "kube-proxy" => Source::KubeProxy,
            "control-plane" => Source::ControlPlane,
            "dockerd" => Source::Dockerd,
            "containerd" => Source::Containerd,
            "containerd-shim" => Source::Shim,
            "runc" => Source::Runc,
            "crio" => Source::Crio,
            "other" => Source::Other,
            "cli" => Source::Cli,
            "unknown" => Source::Unknown,
            _ => return None,
        })
    }

    /// True when the program is not determined ([`Source::Cli`], [`Source::Unknown`]): a rule
    /// restricted to sources other than the kernel alone accepts such a record, since the text
    /// may come from any of them (a pasted line, CLI output, a wrapper's line).
    pub fn is_undetermined(self) -> bool {
        matches!(self, Source::Cli | Source::Unknown)
    }

    /// Canonicalises a syslog identifier / journal tag / process name.
    ///
    /// Handles the names real nodes use: `dockerd`, `docker` (≤ 1.12), `docker-containerd`,
    /// `containerd`, `docker-containerd-shim`, `containerd-shim-runc-v2`, `docker-runc`,
    /// `kubelet`, `kubelet.daemon` and `snap.kubelet.daemon` (Charmed Kubernetes), `hyperkube`,
    /// `kubelet-wrapper` (CoreOS), `kubenswrapper` (OpenShift 4, the kubelet run by `kubensenter`),
    /// `microk8s.daemon-kubelet`, `kube-proxy`, `crio`, `conmon`,
    /// `systemd`, `kernel`. Processes that embed several components — `k3s`, `k3s-agent`,
    /// `k3s-server`, `rke2`, `rke2-agent`, `rke2-server`, `kubelite` and
    /// `microk8s.daemon-kubelite`, OpenShift's `origin-node` and `atomic-openshift-node` — are
    /// [`Source::Unknown`]: the component is read from each line
    /// ([`crate::parse::source::refine`]).
    pub fn from_ident(ident: &[u8]) -> Source {
        // Snap units log as `kube-apiserver.daemon`; strip a `snap.` prefix and `.daemon` suffix.
        let mut id = ident;
        if let Some(rest) = id.strip_prefix(b"snap.") {
            id = rest;
        }
        if let Some(rest) = id.strip_suffix(b".daemon") {
            id = rest;
        }
        match id {
            b"kernel" => Source::Kernel,
            b"systemd" | b"init" => Source::Systemd,
            b"kubelet"
            | b"hyperkube"
            | b"kubelet-wrapper"
            | b"kubenswrapper"
            | b"microk8s.daemon-kubelet"
            | b"kubelet.service" => Source::Kubelet,
            b"k3s"
            | b"k3s-agent"
            | b"k3s-server"
            | b"rke2"
            | b"rke2-agent"
            | b"rke2-server"
            | b"kubelite"
            | b"microk8s.daemon-kubelite"
            | b"origin-node"
            | b"atomic-openshift-node" => Source::Unknown,
            b"kube-proxy" => Source::KubeProxy,
            b"kube-apiserver" | b"kube-scheduler" | b"kube-controller-manager" | b"etcd" => {
                Source::ControlPlane
            }
            b"dockerd" | b"docker" | b"dockerd-current" => Source::Dockerd,
            b"containerd" | b"docker-containerd" | b"docker-containerd-current" => {
                Source::Containerd
            }
            b"runc" | b"docker-runc" | b"docker-runc-current" => Source::Runc,
            b"crio" | b"cri-o" | b"conmon" => Source::Crio,
            _ if id.starts_with(b"systemd-") => Source::Systemd,
            _ if id.starts_with(b"containerd-shim")
                || id.starts_with(b"docker-containerd-shim")
                || id.starts_with(b"docker-containe") =>
            {
                Source::Shim
            }
            _ => Source::Other,
        }
    }
}

/// Severity, normalised across formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// syslog 0.
    Emerg,
    /// syslog 1.
    Alert,
    /// syslog 2, klog `F`, logrus `fatal`/`panic`.
    Crit,
    /// syslog 3, klog `E`, logrus `error`.
    Error,
    /// syslog 4, klog `W`, logrus `warning`.
    Warning,
    /// syslog 5.
    Notice,
    /// syslog 6, klog `I`, logrus `info`.
    Info,
    /// syslog 7, logrus `debug`.
    Debug,
    /// logrus `trace`.
    Trace,
    /// Not stated.
    Unknown,
}

impl Level {
    /// From a syslog priority (only the low three bits count).
    pub fn from_syslog(pri: u32) -> Level {
        match pri & 7 {
            0 => Level::Emerg,
            1 => Level::Alert,
            2 => Level::Crit,
            3 => Level::Error,
            4 => Level::Warning,
            5 => Level::Notice,
            6 => Level::Info,
            _ => Level::Debug,
        }
    }

    /// From a logrus level word (`error`, `warning`, `warn`, `info`, …; quoted or not).
    pub fn from_word(word: &[u8]) -> Level {
        let w = word
            .strip_prefix(b"\"")
            .and_then(|w| w.strip_suffix(b"\""))
            .unwrap_or(word);
        match w {
            b"panic" | b"fatal" | b"PANI" | b"FATA" => Level::Crit,
            b"error" | b"ERRO" | b"err" => Level::Error,
            b"warning" | b"warn" | b"WARN" => Level::Warning,
            b"notice" => Level::Notice,
            b"info" | b"INFO" => Level::Info,
            b"debug" | b"DEBU" => Level::Debug,
            b"trace" | b"TRAC" => Level::Trace,
            _ => Level::Unknown,
        }
    }

    /// From a klog severity letter (`I`, `W`, `E`, `F`).
    pub fn from_klog(letter: u8) -> Level {
        match letter {
            b'I' => Level::Info,
            b'W' => Level::Warning,
            b'E' => Level::Error,
            b'F' => Level::Crit,
            _ => Level::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idents_canonicalise() {
        assert_eq!(Source::from_ident(b"snap.kubelet.daemon"), Source::Kubelet);
        // OpenShift 4 runs the kubelet under `kubensenter`: its journal lines are `kubenswrapper[pid]`.
        assert_eq!(Source::from_ident(b"kubenswrapper"), Source::Kubelet);
        assert_eq!(
            Source::from_ident(b"kube-scheduler.daemon"),
            Source::ControlPlane
        );
        assert_eq!(Source::from_ident(b"docker-containerd-shim"), Source::Shim);
        assert_eq!(Source::from_ident(b"containerd-shim-runc-v2"), Source::Shim);
        assert_eq!(Source::from_ident(b"docker"), Source::Dockerd);
        assert_eq!(Source::from_ident(b"systemd-logind"), Source::Systemd);
        assert_eq!(Source::from_ident(b"sshd"), Source::Other);
    }

    #[test]
    fn levels() {
        assert_eq!(Level::from_syslog(27), Level::Error); // daemon.err = 3*8+3
        assert_eq!(Level::from_word(b"\"info\""), Level::Info);
        assert_eq!(Level::from_klog(b'E'), Level::Error);
    }
}
