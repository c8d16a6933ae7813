"""The sandbox's seccomp filter, built with libseccomp (through pyseccomp) and exported as BPF.

Both backends load the same program: bwrap gets it with `--seccomp FD`; the Docker backend's launcher
installs it on top of Docker's default profile (filters stack; the stricter answer wins). It allows
everything else, so ordinary Python keeps working, and answers EPERM to the calls that are the usual
way from a sandbox into the kernel: new namespaces (user namespaces above all), mounts, ptrace, bpf,
io_uring, keyrings, perf events, kernel modules and kexec. Other architectures' system call ABIs are
killed outright (libseccomp's default for a foreign architecture).
"""
from __future__ import annotations

import errno
import tempfile
from functools import lru_cache

from .base import SandboxError

# Whole calls refused. unshare/setns/clone3 cover namespaces; the mount family covers the new mount API.
DENIED = (
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "mount_setattr", "move_mount",
    "open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
    "ptrace", "process_vm_readv", "process_vm_writev", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "keyctl", "add_key", "request_key",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "quotactl", "swapon", "swapoff", "acct",
    "reboot", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "personality",
)
# clone(2) is how every thread and fork starts, so only its namespace flags are refused.
CLONE_NAMESPACE_FLAGS = (
    0x00000080,  # CLONE_NEWTIME
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
)


@lru_cache(maxsize=1)
def filter_bpf() -> bytes:
    """The compiled filter for this machine's architecture."""
    try:
        import pyseccomp as seccomp
    except ImportError as exc:  # pragma: no cover - a broken installation
        raise SandboxError("the sandbox's seccomp filter needs pyseccomp (pip install pyseccomp) and "
                           "libseccomp2 (apt-get install libseccomp2)") from exc
    try:
        f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        deny = seccomp.ERRNO(errno.EPERM)
        for name in DENIED:
            try:
                f.add_rule(deny, name)
            except OSError:
                continue  # not a system call on this architecture
        for flag in CLONE_NAMESPACE_FLAGS:
            f.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
        # clone3 passes its flags in memory, where BPF cannot look; ENOSYS makes libc fall back to
        # clone(2), whose flags the rules above do check (Docker's default profile does the same).
        f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
        with tempfile.TemporaryFile() as out:
            f.export_bpf(out)
            out.seek(0)
            return out.read()
    except (OSError, RuntimeError, AttributeError) as exc:
        raise SandboxError(f"could not build the seccomp filter with libseccomp: {exc}") from exc
