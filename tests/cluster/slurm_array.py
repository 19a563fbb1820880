#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The README's Slurm job array, run on a real single-node Slurm cluster.

Usage: slurm_array.py TOOLS_DIR SOURCE_ROOT

Brings up munged, slurmctld and slurmd (Debian's packages) with their key, sockets,
state, spool and logs in a temporary folder and on free loopback ports, submits the
README's job-array script as written (4 array tasks over samples/), polls squeue until
no task is left, checks every task's state and exit code with `scontrol show job`,
merges the shards with boxmix-merge and checks the merged folder against one run of
boxmix-augment (diff -r, journal included). Then it stops each daemon it started, by
its PID, and checks that no process it started is left. Needs root (munged runs as the
`munge` user, the daemons as root); skipped otherwise. Prints TAP.
"""
import ctypes
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recipes  # noqa: E402

TOOLS, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TASKS = 4
PROGRAMS = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "sinfo"]
MARKER = "BOXMIX_CLUSTER_TEST"
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


class Failure(Exception):
    pass


def free_ports(n):
    """N loopback ports free now (held open together, so they differ)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def wait_for(what, predicate, seconds, interval=0.2):
    deadline = time.monotonic() + seconds
    while True:
        if predicate():
            return
        if time.monotonic() > deadline:
            raise Failure("timed out after %d s waiting for %s" % (seconds, what))
        time.sleep(interval)


class Cluster:
    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = {}  # name -> Popen
        self.jobs = []  # the ids of the jobs submitted
        self.conf = os.path.join(tmp, "slurm.conf")
        self.munge_dir = os.path.join(tmp, "munge")
        self.socket = os.path.join(self.munge_dir, "munge.socket")
        self.logs = {
            "munged": os.path.join(self.munge_dir, "munged.log"),
            "slurmctld": os.path.join(tmp, "log", "slurmctld.log"),
            "slurmd": os.path.join(tmp, "log", "slurmd.log"),
        }
        self.env = dict(os.environ, SLURM_CONF=self.conf)
        self.env[MARKER] = tmp
        for k in list(self.env):
            # A caller's Slurm settings (SLURM_*, SBATCH_*, SQUEUE_*) must not steer this cluster.
            if k.startswith(("SBATCH_", "SQUEUE_", "SCONTROL_", "SINFO_")) or \
                    (k.startswith("SLURM_") and k != "SLURM_CONF"):
                del self.env[k]

    def start(self, name, argv, **kw):
        out = open(os.path.join(self.tmp, "log", name + ".stdio"), "wb")
        self.procs[name] = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=subprocess.STDOUT, env=self.env, **kw)
        out.close()

    def alive(self, name):
        return self.procs[name].poll() is None

    def need_alive(self, name):
        if not self.alive(name):
            raise Failure("%s exited with status %s" % (name, self.procs[name].returncode))

    def run(self, *argv, timeout=30):
        return subprocess.run(list(argv), capture_output=True, text=True, env=self.env,
                              timeout=timeout)

    def start_munge(self):
        munge = pwd.getpwnam("munge")
        os.makedirs(self.munge_dir, mode=0o755)
        os.chmod(self.munge_dir, 0o755)
        os.chown(self.munge_dir, munge.pw_uid, munge.pw_gid)
        key = os.path.join(self.munge_dir, "munge.key")
        with open(key, "wb") as f:
            f.write(os.urandom(1024))
        os.chown(key, munge.pw_uid, munge.pw_gid)
        os.chmod(key, 0o400)
        self.start("munged", ["munged", "--foreground", "--socket=" + self.socket,
                              "--key-file=" + key, "--log-file=" + self.logs["munged"],
                              "--pid-file=" + os.path.join(self.munge_dir, "munged.pid"),
                              "--seed-file=" + os.path.join(self.munge_dir, "munged.seed")],
                   user=munge.pw_uid, group=munge.pw_gid, extra_groups=[])

        def ready():
            self.need_alive("munged")
            if not os.path.exists(self.socket):
                return False
            p = subprocess.run("munge -n -S '%s' | unmunge -S '%s'" % (self.socket, self.socket),
                               shell=True, capture_output=True, text=True)
            return p.returncode == 0
        wait_for("munged to answer on " + self.socket, ready, 15)

    def write_conf(self):
        host = socket.gethostname().split(".")[0]
        p = self.run("slurmd", "-C")
        node = p.stdout.split("\n")[0] if p.returncode == 0 else ""
        m_cpus = re.search(r"\bCPUs=(\d+)", node)
        m_mem = re.search(r"\bRealMemory=(\d+)", node)
        if not (node.startswith("NodeName=") and m_cpus and m_mem):
            raise Failure("slurmd -C printed no node line: %r %r" % (p.stdout, p.stderr))
        node_fields = " ".join(w for w in node.split() if not w.startswith("NodeName="))
        ctld_port, slurmd_port = free_ports(2)
        for d in ("state", "spool", "log", "run", "job"):
            os.makedirs(os.path.join(self.tmp, d), exist_ok=True)
        conf = {
            "ClusterName": "boxmixtest",
            "SlurmctldHost": "%s(127.0.0.1)" % host,
            "SlurmctldPort": ctld_port,
            "SlurmdPort": slurmd_port,
            "AuthType": "auth/munge",
            "CredType": "cred/munge",
            "AuthInfo": "socket=" + self.socket,
            "SlurmUser": "root",
            "SlurmdUser": "root",
            "StateSaveLocation": os.path.join(self.tmp, "state"),
            "SlurmdSpoolDir": os.path.join(self.tmp, "spool"),
            "SlurmctldPidFile": os.path.join(self.tmp, "log", "slurmctld.pid"),
            "SlurmdPidFile": os.path.join(self.tmp, "log", "slurmd.pid"),
            "SlurmctldLogFile": self.logs["slurmctld"],
            "SlurmdLogFile": self.logs["slurmd"],
            "SlurmctldDebug": "info",
            "SlurmdDebug": "info",
            "ProctrackType": "proctrack/linuxproc",
            "TaskPlugin": "task/none",
            "SelectType": "select/cons_tres",
            "SelectTypeParameters": "CR_CPU",
            "JobAcctGatherType": "jobacct_gather/none",
            "AccountingStorageType": "accounting_storage/none",
            "JobCompType": "jobcomp/none",
            "MpiDefault": "none",
            "MailProg": "/bin/true",
            "ReturnToService": 2,
            "SchedulerType": "sched/backfill",
            # Finished jobs stay in the controller long enough to be read back.
            "MinJobAge": 600,
        }
        with open(self.conf, "w") as f:
            for k, v in conf.items():
                f.write("%s=%s\n" % (k, v))
            f.write("NodeName=%s NodeAddr=127.0.0.1 %s State=UNKNOWN\n" % (host, node_fields))
            f.write("PartitionName=boxmix Nodes=%s Default=YES MaxTime=INFINITE State=UP\n" % host)
        self.host = host

    def start_slurm(self):
        self.start("slurmctld", ["slurmctld", "-D", "-f", self.conf])

        def ctld_up():
            self.need_alive("slurmctld")
            p = self.run("scontrol", "ping")
            return p.returncode == 0 and "UP" in p.stdout
        wait_for("slurmctld to answer scontrol ping", ctld_up, 30, 0.5)
        self.start("slurmd", ["slurmd", "-D", "-f", self.conf, "-N", self.host])

        def node_idle():
            self.need_alive("slurmd")
            self.need_alive("slurmctld")
            p = self.run("sinfo", "-h", "-N", "-n", self.host, "-o", "%T")
            return p.returncode == 0 and p.stdout.strip() == "idle"
        wait_for("node %s to be idle in sinfo" % self.host, node_idle, 30, 0.5)

    def cancel_jobs(self):
        """Cancels the jobs still queued or running (after a failure or a signal), so that
        no job step outlives slurmd, which leaves running steps alone when it stops."""
        if not self.jobs or "slurmctld" not in self.procs or not self.alive("slurmctld"):
            return
        try:
            self.run("scancel", *self.jobs, timeout=15)

            def gone():
                p = self.run("squeue", "-h", "-o", "%i", timeout=15)
                return p.returncode != 0 or not p.stdout.strip()
            wait_for("the cancelled jobs to leave squeue", gone, 20, 0.5)
        except (Failure, OSError, subprocess.TimeoutExpired):
            pass  # the daemons are stopped next, and what is left is killed and reported

    def stop(self):
        """SIGTERM to each daemon by its PID, slurmd first; SIGKILL after 15 s."""
        left = []
        for name in ("slurmd", "slurmctld", "munged"):
            p = self.procs.get(name)
            if p is None or p.poll() is not None:
                continue
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                left.append(name)
                p.kill()
                p.wait()
        return left

    def diagnostics(self):
        out = []
        for name in ("munged", "slurmctld", "slurmd"):
            # The log file, then what the daemon wrote before it opened it.
            for path, n in ((self.logs[name], 60), (os.path.join(self.tmp, "log", name + ".stdio"), 10)):
                if os.path.exists(path):
                    with open(path, errors="replace") as f:
                        lines = f.read().splitlines()
                    out.append("--- %s (last %d lines)" % (path, n))
                    out.extend(lines[-n:])
        if self.procs.get("slurmctld") is not None and self.alive("slurmctld"):
            for argv in (["squeue", "-a"], ["sinfo", "-N", "-l"], ["scontrol", "-o", "show", "job"]):
                try:
                    p = self.run(*argv, timeout=10)
                    out.append("--- " + " ".join(argv))
                    out.extend((p.stdout + p.stderr).splitlines()[-20:])
                except (OSError, subprocess.TimeoutExpired) as e:
                    out.append("--- %s: %s" % (" ".join(argv), e))
        for path in sorted(glob.glob(os.path.join(self.tmp, "job", "*.out"))):
            with open(path, errors="replace") as f:
                out.append("--- " + path)
                out.extend(f.read().splitlines()[-20:])
        return "\n".join(out)


def processes_with_marker(tmp):
    """PIDs of the processes whose environment carries this run's marker: every process
    the test started and everything they started (slurmstepd, the job's shell)."""
    tag = ("%s=%s" % (MARKER, tmp)).encode()
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % pid, "rb") as f:
                if tag in f.read().split(b"\0"):
                    found.append(int(pid))
        except OSError:
            pass
    return found


def become_subreaper():
    """Makes this process the reaper of its orphaned descendants (the slurmstepd that
    slurmd double-forks, and their tasks), so they are reaped here, not left as zombies
    for an init that may never reap them."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap_orphans():
    """Reaps every child that has ended; returns the PIDs of the children still there.
    Called only once the daemons' Popen objects have been waited for."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return []
        if pid == 0:
            break
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and _ppid(int(p)) == os.getpid()]


def _ppid(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def job_tasks(cluster, job):
    """{array task id: (JobState, ExitCode)} from `scontrol -o show job`."""
    p = cluster.run("scontrol", "-o", "show", "job", job)
    tasks = {}
    for line in p.stdout.splitlines():
        f = dict(w.split("=", 1) for w in line.split() if "=" in w)
        if f.get("ArrayJobId") == job and "ArrayTaskId" in f and f["ArrayTaskId"].isdigit():
            tasks[int(f["ArrayTaskId"])] = (f.get("JobState"), f.get("ExitCode"))
    return tasks, p.stdout + p.stderr


def submit(cluster, script, array, extra_env):
    env = dict(cluster.env, **extra_env)
    p = subprocess.run(["sbatch", "--parsable", "--array=" + array, "--cpus-per-task=1",
                        "--chdir=" + os.path.join(cluster.tmp, "job"),
                        "--output=" + os.path.join(cluster.tmp, "job", "slurm-%A_%a.out"),
                        script], capture_output=True, text=True, env=env, timeout=30)
    if p.returncode != 0:
        raise Failure("sbatch failed (%d): %s" % (p.returncode, p.stderr))
    job = p.stdout.strip().split(";")[0]
    cluster.jobs.append(job)
    return job


def wait_job(cluster, job, seconds):
    """Polls squeue until no task of JOB is left; bounded in time."""
    def done():
        cluster.need_alive("slurmctld")
        cluster.need_alive("slurmd")
        p = cluster.run("squeue", "-h", "-j", job, "-o", "%i %T")
        return p.returncode == 0 and not p.stdout.strip()
    wait_for("job %s to leave squeue" % job, done, seconds, 0.5)


def main():
    if os.geteuid() != 0:
        return recipes.skip("needs root (munged runs as the munge user, slurmd as root); "
                            "run as root, as CI does")
    missing = recipes.missing_programs(PROGRAMS + ["munge", "unmunge"])
    try:
        pwd.getpwnam("munge")
    except KeyError:
        missing.append("the munge user")
    if missing:
        msg = "missing %s (Debian: slurmctld slurmd slurm-client munge; " \
              "sh tools/quickstart.sh test installs them)" % ", ".join(missing)
        if recipes.required():
            t = recipes.Tap()
            t.check("Slurm and munge are installed", False, msg)
            return t.finish()
        return recipes.skip(msg)
    os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"

    t = recipes.Tap()
    become_subreaper()
    # Under /tmp whatever TMPDIR says: munged, as the munge user, must reach its folder,
    # and its checks refuse a path through a folder others may write (but /tmp's sticky bit).
    tmp = tempfile.mkdtemp(prefix="boxmix-slurm-", dir="/tmp")
    os.chmod(tmp, 0o755)
    cluster = Cluster(tmp)

    def on_signal(signum, frame):
        # Once: the cleanup below (cancel the jobs, stop the daemons) runs to its end.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise Failure("stopped by signal %d" % signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    started = time.monotonic()
    try:
        try:
            script_text = recipes.readme_block(ROOT, "tests/cluster/slurm_array.py")
            options = recipes.fixed_augment_options(script_text)
            merge_text = recipes.readme_block(ROOT, "tests/cluster/slurm_array.py (merge)")
            t.check("the README's job-array script is a #SBATCH script with fixed options",
                    script_text.startswith("#!/bin/sh\n") and "#SBATCH --array=" in script_text and
                    "--seed" in options, script_text)
            script = os.path.join(tmp, "job", "boxmix-array.sh")
            cluster.write_conf()
            with open(script, "w") as f:
                f.write(script_text)
            cluster.start_munge()
            cluster.start_slurm()
            t.check("munged, slurmctld and slurmd are up; the node is idle (%.1f s)"
                    % (time.monotonic() - started), True)

            run_dir = os.path.join(tmp, "run")
            env = {"ANNOTATIONS": os.path.join(ROOT, "samples", "coco", "annotations.json"),
                   "IMAGES": os.path.join(ROOT, "samples", "images"),
                   "RUN": run_dir, "BOXMIX_BIN": TOOLS}
            submitted = time.monotonic()
            job = submit(cluster, script, "0-%d" % (TASKS - 1), env)
            wait_job(cluster, job, 120)
            t.note("the %d-task array ran in %.1f s from sbatch to an empty squeue"
                   % (TASKS, time.monotonic() - submitted))
            tasks, raw = job_tasks(cluster, job)
            t.check("scontrol shows the %d array tasks COMPLETED with exit code 0:0" % TASKS,
                    tasks == {i: ("COMPLETED", "0:0") for i in range(TASKS)},
                    raw + "\n" + cluster.diagnostics())
            shards = sorted(glob.glob(os.path.join(run_dir, "shard-*")))
            said = []
            for i in range(TASKS):
                path = os.path.join(tmp, "job", "slurm-%s_%d.out" % (job, i))
                with open(path, errors="replace") as f:
                    said.append(f.read())
            t.check("each task wrote its shard folder, and boxmix-augment's summary to its output",
                    [os.path.basename(s) for s in shards] == ["shard-%d" % i for i in range(TASKS)] and
                    all(x.startswith("boxmix-augment: wrote ") for x in said), "%s\n%s" % (shards, said))
            merged = os.path.join(run_dir, "merged")
            p = subprocess.run(["sh", "-eu", "-c", merge_text], capture_output=True, text=True,
                               env=dict(os.environ, **env), stdin=subprocess.DEVNULL, timeout=120)
            t.check("the README's boxmix-merge line joins the %d shards" % TASKS,
                    p.returncode == 0 and os.path.isdir(merged), p.stdout + p.stderr)
            recipes.compare_to_single_run(TOOLS, ROOT, options, merged,
                                          os.path.join(tmp, "single"), t.check)

            # The exit-code check sees a failing task: the same script with an image
            # folder that does not exist makes every task exit 1.
            bad = dict(env, IMAGES=os.path.join(tmp, "no-such-folder"),
                       RUN=os.path.join(tmp, "run-bad"))
            job = submit(cluster, script, "0-1", bad)
            wait_job(cluster, job, 60)
            tasks, raw = job_tasks(cluster, job)
            t.check("a task whose boxmix-augment fails shows FAILED with exit code 1:0",
                    tasks == {0: ("FAILED", "1:0"), 1: ("FAILED", "1:0")}, raw)
        except Exception as e:  # every failure is reported with the daemons' logs
            t.check("the cluster run completes", False,
                    "%s: %s\n%s" % (type(e).__name__, e, cluster.diagnostics()))
        finally:
            daemons = {p.pid for p in cluster.procs.values() if p.poll() is None}
            if daemons:
                # The marker finds what the test started, so "none left" below means something.
                found = set(processes_with_marker(tmp))
                t.check("the environment marker finds the running daemons",
                        daemons <= found, "daemons %s, found %s" % (sorted(daemons), sorted(found)))
            cluster.cancel_jobs()
            left = cluster.stop()
            t.check("slurmd, slurmctld and munged stop on SIGTERM to their PIDs",
                    not left, "needed SIGKILL: %s\n%s" % (left, cluster.diagnostics()))
            stray = []
            deadline = time.monotonic() + 10
            while True:
                reap_orphans()
                stray = processes_with_marker(tmp)
                if not stray or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            described = [(pid, _cmdline(pid)) for pid in stray]
            for pid in stray:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.2 if stray else 0)
            children = reap_orphans()
            t.check("no process the test started is left, not even a zombie", not stray and not children,
                    "left: %s; children not yet reaped: %s" % (described, children))
            if t.failed():
                t.note("kept for inspection: " + tmp)
            t.note("the cluster test took %.1f s" % (time.monotonic() - started))
    finally:
        if not t.failed():
            shutil.rmtree(tmp, ignore_errors=True)
    return t.finish()


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"


sys.exit(main())
