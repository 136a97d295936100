//! The program behind a line, from what the line says.
//!
//! An identifier does not always name the component: the kubelet runs inside `k3s`, `rke2`,
//! `kubelite` (microk8s), `origin-node` (OpenShift), a container (`docker[641]: I0101 …`), a
//! shell (`sh[1464]:`) or a custom forker; containerd runs inside k3s and rke2; a plain logrus
//! file and a pasted line have no identifier at all. [`refine`] reads the component from the
//! line itself — the source file of a klog header (kubelet code, [`KUBELET_FILES`]), the
//! structured keys of a klog line, the vocabulary of a logrus line — and [`guess`] does the same
//! for a bare line, adding kernel text and command-line tool output. A line that names no
//! component stays [`Source::Unknown`], which rules restricted to sources still match
//! ([`Source::is_undetermined`]).
//!
//! Both run only on records whose identifier did not decide, and read only the first bytes of
//! the message.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::base::Source;
use crate::parse::{dmesg, klog, logrus};

/// Base names of kubelet source files as klog headers print them (`kubelet.go:1344]`): the
/// kubelet tree of kubernetes (`pkg/kubelet/**`, `cmd/kubelet/app`, dockershim and dockertools
/// of the 1.x releases, the kubelet-side volume and CRI client code, cAdvisor's manager as the
/// kubelet embeds it) from 1.2 to 1.33. Names other components share (`server.go`,
/// `reflector.go`, `controller.go`, `helpers.go`, `manager.go`) are left out. Sorted.
pub const KUBELET_FILES: &[&[u8]] = &[
    b"active_deadline.go",
    b"actual_state_of_world.go",
    b"cadvisor_linux.go",
    b"cadvisor_stats_provider.go",
    b"cgroup_manager_linux.go",
    b"container_gc.go",
    b"container_log_manager.go",
    b"container_manager_linux.go",
    b"cpu_manager.go",
    b"cri_stats_provider.go",
    b"csi_attacher.go",
    b"csi_client.go",
    b"csi_mounter.go",
    b"csi_plugin.go",
    b"desired_state_of_world_populator.go",
    b"docker_container.go",
    b"docker_image.go",
    b"docker_manager.go",
    b"docker_sandbox.go",
    b"docker_service.go",
    b"docker_streaming.go",
    b"empty_dir.go",
    b"evented.go",
    b"eviction_manager.go",
    b"generic.go",
    b"image_gc_manager.go",
    b"image_manager.go",
    b"instrumented_services.go",
    b"kube_docker_client.go",
    b"kubelet.go",
    b"kubelet_getters.go",
    b"kubelet_network.go",
    b"kubelet_network_linux.go",
    b"kubelet_node_status.go",
    b"kubelet_pods.go",
    b"kubelet_resources.go",
    b"kubelet_volumes.go",
    b"kubenet_linux.go",
    b"kuberuntime_container.go",
    b"kuberuntime_container_linux.go",
    b"kuberuntime_gc.go",
    b"kuberuntime_image.go",
    b"kuberuntime_logs.go",
    b"kuberuntime_manager.go",
    b"kuberuntime_sandbox.go",
    b"kuberuntime_termination_order.go",
    b"memory_manager.go",
    b"memory_threshold_notifier.go",
    b"nestedpendingoperations.go",
    b"node_container_manager_linux.go",
    b"nodeshutdown_manager_linux.go",
    b"oom_watcher.go",
    b"oom_watcher_linux.go",
    b"operation_generator.go",
    b"plugin_watcher.go",
    b"pod_container_deletor.go",
    b"pod_container_manager_linux.go",
    b"pod_workers.go",
    b"prober.go",
    b"prober_manager.go",
    b"qos_container_manager_linux.go",
    b"reason_cache.go",
    b"remote_image.go",
    b"remote_runtime.go",
    b"runonce.go",
    b"server_linux.go",
    b"status_manager.go",
    b"threshold_notifier_linux.go",
    b"topology_manager.go",
    b"volume_host.go",
    b"volume_manager.go",
];

/// kube-proxy source files (`proxier.go`, `server_others.go`). Sorted.
const KUBE_PROXY_FILES: &[&[u8]] = &[b"proxier.go", b"server_others.go"];

/// The component a klog line comes from, when its header names a file of one (the kubelet,
/// kube-proxy) or it carries kubelet's structured keys (`podUID=`); `None` when the line is
/// not klog.
pub fn klog_component(msg: &[u8]) -> Option<Source> {
    let h = klog::header(msg)?;
    if KUBELET_FILES.binary_search(&h.file).is_ok() {
        return Some(Source::Kubelet);
    }
    if KUBE_PROXY_FILES.binary_search(&h.file).is_ok() {
        return Some(Source::KubeProxy);
    }
    let head = &h.msg[..h.msg.len().min(1024)];
    if memchr::memmem::find(head, b" podUID=").is_some() {
        return Some(Source::Kubelet);
    }
    Some(Source::Unknown)
}

/// Words of containerd, dockerd and CRI-O logrus lines (message texts, fields), in the order
/// they are tried; the first found decides.
const LOGRUS_VOCABULARY: &[(&str, Source)] = &[
    // dockerd: its containerd client and API.
    ("module=libcontainerd", Source::Dockerd),
    ("namespace=moby", Source::Dockerd),
    ("libcontainerd:", Source::Dockerd),
    ("Handler for ", Source::Dockerd),
    ("API listen on", Source::Dockerd),
    ("Docker daemon", Source::Dockerd),
    ("Daemon has completed initialization", Source::Dockerd),
    ("Error starting daemon", Source::Dockerd),
    ("graphdriver", Source::Dockerd),
    ("devmapper:", Source::Dockerd),
    ("libnetwork", Source::Dockerd),
    ("Failed to delete sandbox", Source::Dockerd),
    ("docker.sock", Source::Dockerd),
    // CRI-O.
    ("conmon", Source::Crio),
    ("Ran pod sandbox", Source::Crio),
    ("cri-o", Source::Crio),
    // containerd: plugins, CRI calls, task events, shims.
    ("io.containerd.", Source::Containerd),
    ("namespace=k8s.io", Source::Containerd),
    ("starting containerd", Source::Containerd),
    ("loading plugin", Source::Containerd),
    ("PodSandbox", Source::Containerd),
    ("StopContainer for", Source::Containerd),
    ("StartContainer for", Source::Containerd),
    ("CreateContainer within sandbox", Source::Containerd),
    ("RemoveContainer for", Source::Containerd),
    ("TaskOOM", Source::Containerd),
    ("TaskExit", Source::Containerd),
    ("shim disconnected", Source::Containerd),
    ("dead shim", Source::Containerd),
    ("event published", Source::Containerd),
    ("backOff event", Source::Containerd),
    ("received exit event", Source::Containerd),
    ("containerd: ", Source::Containerd),
];

static LOGRUS_AC: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(LOGRUS_VOCABULARY.iter().map(|(w, _)| w))
        .ok()
});

/// True when the message is a logrus line: `time="…" level=…`, `level=… msg=…` without the
/// time, or the TTY form `ERRO[0042] …`.
pub fn is_logrus_like(msg: &[u8]) -> bool {
    logrus::is_logrus(msg) || (msg.starts_with(b"level=") && find(msg, b" msg="))
}

/// The component of a logrus line by its vocabulary ([`LOGRUS_VOCABULARY`]), else
/// [`Source::Unknown`].
pub fn logrus_component(msg: &[u8]) -> Source {
    let head = &msg[..msg.len().min(512)];
    LOGRUS_AC
        .as_ref()
        .and_then(|ac| ac.find(head))
        .map_or(Source::Unknown, |m| {
            LOGRUS_VOCABULARY[m.pattern().as_usize()].1
        })
}

/// Refines the source a record's identifier gave from its message: a program nodemortem does
/// not know ([`Source::Other`]) or a wrapper ([`Source::Unknown`]) writing klog or logrus lines
/// is the component those lines name, else undetermined; `docker` writing kubelet klog lines
/// is a kubelet in a container. Any other source is kept.
#[inline]
pub fn refine(source: Source, ident: &[u8], msg: &[u8]) -> Source {
    match source {
        Source::Other | Source::Unknown => {}
        Source::Dockerd if ident == b"docker" => {
            return match klog_component(msg) {
                Some(Source::Unknown) | None => source,
                Some(s) => s,
            };
        }
        _ => return source,
    }
    if matches!(msg.first(), Some(b'I' | b'W' | b'E' | b'F'))
        && let Some(s) = klog_component(msg)
    {
        return s;
    }
    if is_logrus_like(msg) {
        return logrus_component(msg);
    }
    // A VM's kernel ring buffer relayed line by line by the program that runs the VM (Docker
    // Desktop's `com.docker.backend`, a LinuxKit or Lima host agent): each message is a dmesg
    // line, printk time first, and what it reports is the kernel's.
    if msg.first() == Some(&b'[') && dmesg::kernel_mono(msg).is_some() {
        return Source::Kernel;
    }
    source
}

/// Message starts of kernel lines (after an optional printk time), by subsystem.
const KERNEL_STARTS: &[&[u8]] = &[
    b"Out of memory",
    b"oom-kill:",
    b"oom_reaper:",
    b"Memory cgroup ",
    b"Killed process ",
    b"Kill process ",
    b"Task in /",
    b"memory: usage",
    b"memory+swap: usage",
    b"kmem: usage",
    b"Tasks state",
    b"[  pid  ]",
    b"Mem-Info:",
    b"INFO: task ",
    b"INFO: rcu",
    b"BUG: ",
    b"Oops",
    b"general protection fault",
    b"kernel BUG",
    b"Kernel panic",
    b"Call Trace:",
    b"RIP: ",
    b"Hardware name:",
    b"watchdog: BUG: soft lockup",
    b"NMI watchdog",
    b"unregister_netdevice:",
    b"nf_conntrack:",
    b"EXT4-fs",
    b"EXT3-fs",
    b"XFS (",
    b"XFS: ",
    b"JBD2:",
    b"BTRFS",
    b"Buffer I/O error",
    b"blk_update_request:",
    b"print_req_error:",
    b"I/O error, dev ",
    b"end_request: I/O error",
    b"device-mapper:",
    b"cgroup: fork rejected",
    b"SLUB: ",
    b"overlayfs:",
    b"aufs ",
    b"audit: ",
    b"IPv6: ",
    b"docker0: ",
    b"cni0: ",
    b"cbr0: ",
    b"loop: ",
    b"traps: ",
    b"warn_alloc",
    b"__alloc_pages",
    b"dump_stack",
    b"lowmem_reserve",
];

/// Texts that make a line the kernel's wherever they appear.
const KERNEL_INSIDE: &[&[u8]] = &[
    b" invoked oom-killer:",
    b" page allocation failure",
    b" blocked for more than ",
    b"table full, dropping packet",
    b": segfault at ",
];

/// True when a line without header is kernel text: a printk time (`[ 993.61] …`) or a
/// kernel subsystem's message start ([`KERNEL_STARTS`]) or phrase ([`KERNEL_INSIDE`]).
pub fn is_kernel_text(msg: &[u8]) -> bool {
    if dmesg::kernel_mono(msg).is_some() {
        return true;
    }
    let m = dmesg::strip_kernel_mono(msg);
    if KERNEL_STARTS.iter().any(|k| m.starts_with(k)) {
        return true;
    }
    is_kernel_phrase(m)
}

/// True when the head of a line holds a phrase only the kernel writes ([`KERNEL_INSIDE`]).
pub fn is_kernel_phrase(msg: &[u8]) -> bool {
    let head = &msg[..msg.len().min(256)];
    KERNEL_INSIDE.iter().any(|k| find(head, k))
}

/// Line starts of command-line tools' own output: `docker`, `kubectl`, `crictl`, `ctr`, `runc`,
/// `docker-compose` errors and warnings.
const CLI_STARTS: &[&[u8]] = &[
    b"docker: ",
    b"Error response from daemon:",
    b"Error: ",
    b"Error from server",
    b"error: ",
    b"ERROR: ",
    b"ERROR[",
    b"FATA[",
    b"ERRO[",
    b"WARN[",
    b"rpc error: code",
    b"OCI runtime ",
    b"oci runtime error",
    b"ctr: ",
    b"crictl: ",
    b"runc: ",
    b"Warning: ",
];

/// True when a bare line is a command-line tool's own output ([`CLI_STARTS`]); a logrus TTY
/// line counts only with the relative time of a short-lived tool (`FATA[0000]`).
pub fn is_cli_text(msg: &[u8]) -> bool {
    if let Some((_, t, _)) = logrus::tty_header(msg) {
        return t.iter().all(u8::is_ascii_digit);
    }
    CLI_STARTS.iter().any(|k| msg.starts_with(k))
}

/// The source of a line that has no identifier at all (a pasted line, a line of a file no
/// format claims): klog and logrus lines by their component, kernel text, command-line
/// output, else [`Source::Unknown`].
pub fn guess(msg: &[u8]) -> Source {
    if let Some(s) = klog_component(msg) {
        return s;
    }
    if is_cli_text(msg) {
        // A kernel phrase outranks a command's name at the start: `docker: page allocation
        // failure. order:1, …` is the kernel reporting on the docker process.
        if is_kernel_phrase(msg) {
            return Source::Kernel;
        }
        return Source::Cli;
    }
    if is_logrus_like(msg) {
        return logrus_component(msg);
    }
    if is_kernel_text(msg) {
        return Source::Kernel;
    }
    Source::Unknown
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kernel_phrase_after_a_command_name_is_the_kernels() {
        // moby#19008 (2.6.32): the kernel names the process that failed to allocate.
        assert_eq!(
            guess(b"docker: page allocation failure. order:1, mode:0x20"),
            Source::Kernel
        );
        assert_eq!(
            guess(b"docker: Error response from daemon: OCI runtime create failed: exit status 1"),
            Source::Cli
        );
        assert!(is_kernel_phrase(
            b"runc:[1:CHILD]: page allocation failure: order:6"
        ));
    }

    #[test]
    fn a_vm_kernel_relayed_by_another_program_is_the_kernels() {
        // docker/desktop-linux#273: Docker Desktop's backend writes the VM's dmesg to the journal.
        let bug = b"[  956.812853] kernel BUG at fs/attr.c:446!";
        assert_eq!(
            refine(Source::Other, b"com.docker.backend", bug),
            Source::Kernel
        );
        assert_eq!(refine(Source::Unknown, b"", bug), Source::Kernel);
        // A known component keeps its source; a bracket that is no printk time is text.
        assert_eq!(refine(Source::Dockerd, b"dockerd", bug), Source::Dockerd);
        assert_eq!(
            refine(Source::Other, b"app", b"[main] started in 3.2s"),
            Source::Other
        );
    }

    #[test]
    fn tables_are_sorted() {
        assert!(KUBELET_FILES.windows(2).all(|w| w[0] < w[1]));
        assert!(KUBE_PROXY_FILES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn kubelet_inside_wrappers() {
        // Real shapes: k3s (k3s#2370), origin-node (k8s#84978), CoreOS kubelet-wrapper
        // (k8s#54381), a kubelet container (kubernetes-anywhere#500), a shell wrapper
        // (k8s#38498), a forker (deckhouse#4863) and microk8s kubelite.
        let cases: &[(Source, &[u8], &[u8], Source)] = &[
            (
                Source::Unknown,
                b"k3s",
                b"E0717 09:50:17.395458    2063 kubelet.go:1845] skipping pod synchronization - [PLEG is not healthy: pleg was last seen active 3m5.30015447s ago; threshold is 3m0s]",
                Source::Kubelet,
            ),
            (
                Source::Unknown,
                b"origin-node",
                b"I1104 20:40:56.734398    6862 kubelet_node_status.go:1212] Node ip-172-31-1-72 status is now: NodeNotReady",
                Source::Kubelet,
            ),
            (
                Source::Dockerd,
                b"docker",
                b"I0101 04:35:29.112541     641 generic.go:186] GenericPLEG: relisting",
                Source::Kubelet,
            ),
            (
                Source::Other,
                b"sh",
                b"E0110 20:02:13.103643    1465 kubelet_volumes.go:110] Orphaned pod \"0cea2c05\" found, but error <nil> occured during reading volume dir",
                Source::Kubelet,
            ),
            (
                Source::Other,
                b"d8-kubelet-forker",
                b"E0606 04:10:31.000747    1745 kubelet_volumes.go:245] \"There were many similar errors.\" err=\"orphaned pod\"",
                Source::Kubelet,
            ),
            (
                Source::Unknown,
                b"kubelite",
                b"E0628 02:10:04.340064    2890 pod_workers.go:190] Error syncing pod",
                Source::Kubelet,
            ),
            (
                Source::Unknown,
                b"k3s",
                b"I0717 09:50:17.395458    2063 proxier.go:825] syncProxyRules took 49ms",
                Source::KubeProxy,
            ),
            // structured kubelet keys in a file shared with other components
            (
                Source::Unknown,
                b"rke2",
                b"E1130 00:07:33.701620   11754 helpers.go:225] \"Failed\" podUID=39cfa982 containerName=x",
                Source::Kubelet,
            ),
            // a component k3s embeds that is not the kubelet: undetermined
            (
                Source::Unknown,
                b"k3s",
                b"I0717 09:50:17.395458    2063 controller.go:611] quota admission added evaluator",
                Source::Unknown,
            ),
            // containerd inside k3s/rke2, by its logrus vocabulary
            (
                Source::Unknown,
                b"k3s",
                b"time=\"2020-10-28T14:29:24.563818051Z\" level=error msg=\"StopPodSandbox for \\\"4c9b\\\" failed\" error=\"failed to destroy network\"",
                Source::Containerd,
            ),
            (
                Source::Other,
                b"sh",
                b"time=\"2019-10-24T17:15:47Z\" level=error msg=\"failed to get event\" module=libcontainerd namespace=moby",
                Source::Dockerd,
            ),
            // an unknown program writing plain text stays what it is
            (
                Source::Other,
                b"dnsmasq",
                b"dnsmasq: failed to create inotify: Too many open files",
                Source::Other,
            ),
            // identified components are kept
            (
                Source::Dockerd,
                b"dockerd",
                b"I0101 04:35:29.112541     641 kubelet.go:1] x",
                Source::Dockerd,
            ),
            (
                Source::Kernel,
                b"kernel",
                b"E0101 04:35:29.112541     641 kubelet.go:1] x",
                Source::Kernel,
            ),
        ];
        for (src, ident, msg, want) in cases {
            assert_eq!(
                refine(*src, ident, msg),
                *want,
                "{}",
                String::from_utf8_lossy(msg)
            );
        }
    }

    #[test]
    fn bare_lines() {
        let cases: &[(&[u8], Source)] = &[
            (b"unregister_netdevice: waiting for eth0 to become free. Usage count = 1", Source::Kernel),
            (b"[ 1573.878353] cp invoked oom-killer: gfp_mask=0x24000c0", Source::Kernel),
            (b"java: page allocation failure. order:1, mode:0x20", Source::Kernel),
            (b"XFS (dm-4): Corruption detected. Unmount and run xfs_repair", Source::Kernel),
            (b"docker: Error response from daemon: OCI runtime create failed: container_linux.go:348: starting container process caused \"process_linux.go:301: running exec setns process for init caused \\\"exit status 40\\\"\": unknown.", Source::Cli),
            (b"Error response from daemon: readlink /var/lib/docker/overlay2/l: invalid argument", Source::Cli),
            (b"FATA[0000] execing command in container: rpc error: code = Unknown desc = cannot exec in a stopped state: unknown", Source::Cli),
            (b"rpc error: code = 2 desc = containerd: container not found", Source::Cli),
            (b"E0622 16:57:08.601055   45399 remote_image.go:134] RemoveImage \"sha256:57\" from image service failed", Source::Kubelet),
            (b"level=debug msg=\"event published\" ns=moby topic=/tasks/oom type=containerd.events.TaskOOM", Source::Containerd),
            (b"INFO[2019-10-15T17:29:06.309520774+08:00] libcontainerd: docker-containerd is still running  pid=29932", Source::Dockerd),
            (b"The node was low on resource: ephemeral-storage.", Source::Unknown),
            (b"HTTP/1.1 200 OK", Source::Unknown),
        ];
        for (msg, want) in cases {
            assert_eq!(guess(msg), *want, "{}", String::from_utf8_lossy(msg));
        }
    }
}
