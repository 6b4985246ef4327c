/**
 * The launcher in Python 3 (3.8 or later), preferred to the perl one where python3 is
 * installed: it speaks the same protocol and keeps the same exit logs (see `PERL_LAUNCHER` in
 * launcher.ts), but starts a plain container with `posix_spawn`. glibc's posix_spawn shares the
 * launcher's memory with the child until it execs (CLONE_VM | CLONE_VFORK), where perl's fork
 * copies the page tables and then pays a copy-on-write fault for each page either side writes:
 * on a virtual machine that halves the CPU a container's start costs.
 *
 * posix_spawn cannot join cgroups, change the user or report a failed exec as the container's
 * own exit. A launch as another user spawns util-linux's `setpriv` (part of every Debian), which
 * switches and execs the command; joins, a launch where setpriv is missing, and any launch
 * posix_spawn refuses take the fork path, which does what the perl launcher's child does (a
 * fork of this process costs more than perl's, so a containerizer with isolators prefers perl). The launcher's working directory is the sandbox while it
 * spawns (posix_spawn has no chdir here), which is safe because it is single-threaded.
 *
 * Python ignores SIGPIPE and SIGXFSZ, and an ignored signal stays ignored across exec: both
 * paths give the container their default actions back. Python retries a `select` that a signal
 * interrupted, so SIGCHLD wakes the loop through `set_wakeup_fd`.
 */
export const PYTHON_LAUNCHER = String.raw`
import os, sys, signal, select, time
d = sys.argv[1]
state = {'orphaned': 0.0, 'adopted': False, 'open': True}
orphan_s = {}; termed = {}; running = {}
max_log = 4 * 1024 * 1024
log_path = '%s/exits-%d.log' % (d, os.getpid())
log = [None]
def open_log():
    log[0] = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
try:
    open_log()
except OSError as e:
    sys.stderr.write('ts-mesos launcher: %s: %s\n' % (log_path, e.strerror)); sys.exit(1)
def write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]
pending_out = []
def out(*fields):
    pending_out.append(' '.join(fields) + '\n')
def flush_out():
    if pending_out:
        data = ''.join(pending_out).encode(); del pending_out[:]
        try:
            write_all(1, data)
        except OSError:
            pass
def hx(b):
    return b.hex()
def start_time(pid):
    try:
        with open('/proc/%d/stat' % pid, 'rb') as f:
            s = f.read()
    except OSError:
        return ''
    fields = s[s.rfind(b') ') + 2:].split(b' ')
    return fields[19].decode() if len(fields) > 19 else ''
def on_usr1(signum, frame):
    state['adopted'] = True
signal.signal(signal.SIGUSR1, on_usr1)
signal.signal(signal.SIGCHLD, lambda signum, frame: None)
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
wake_r, wake_w = os.pipe()
os.set_blocking(wake_r, False); os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
DEFAULTED = (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGCHLD, signal.SIGUSR1)
home = os.open('.', os.O_RDONLY)
me = (os.getuid(), os.getgid(), sorted(set(os.getgroups())))
setpriv = next((p for p in (b'/usr/bin/setpriv', b'/bin/setpriv') if os.access(p, os.X_OK)), None)
# The environment every container starts from; this process never changes its own, and copying
# a dict costs a few microseconds where reading os.environb anew costs a hundred or more.
base_env = dict(os.environb)
def reap():
    logged = []
    while True:
        try:
            pid, st = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        orphan_s.pop(pid, None); termed.pop(pid, None)
        c = running.pop(pid, None)
        if c is None:
            continue
        if os.WIFSIGNALED(st):
            code, sig = '-', str(os.WTERMSIG(st))
        else:
            code, sig = str(os.WEXITSTATUS(st)), '-'
        logged.append('%s %s %s\n' % (hx(c), code, sig))
        out('exit', hx(c), str(pid), code, sig)
    if logged:
        try:
            write_all(log[0], ''.join(logged).encode())
        except OSError:
            pass
    if state['open'] and os.lseek(log[0], 0, os.SEEK_CUR) > max_log:
        os.close(log[0]); os.rename(log_path, log_path + '.old'); open_log()
def child(sandbox, uid, gid, join, argv, env, o, e, jr, jw):
    try:
        if jr is not None:
            os.close(jr)
        for s in DEFAULTED:
            signal.signal(s, signal.SIG_DFL)
        signal.set_wakeup_fd(-1)
        os.setsid()
        os.dup2(e, 2)
    except BaseException:
        os._exit(126)
    def fail(message):
        try:
            os.write(2, ('ts-mesos launcher: %s\n' % message).encode(errors='replace'))
        finally:
            os._exit(126)
    try:
        try:
            os.dup2(o, 1)
        except OSError as x:
            fail('stdout: %s' % x.strerror)
        try:
            n = os.open('/dev/null', os.O_RDONLY); os.dup2(n, 0)
        except OSError as x:
            fail('/dev/null: %s' % x.strerror)
        for f in [p for p in join.split(b'\n') if p != b'']:
            try:
                j = os.open(f, os.O_WRONLY)
                os.write(j, str(os.getpid()).encode()); os.close(j)
            except OSError as x:
                fail('cannot join %s: %s' % (f.decode(errors='replace'), x.strerror))
        if jw is not None:
            os.close(jw)
        try:
            os.chdir(sandbox)
        except OSError as x:
            fail('cannot enter %s: %s' % (sandbox.decode(errors='replace'), x.strerror))
        if gid != b'':
            try:
                os.setgroups([int(gid)]); os.setgid(int(gid))
            except OSError as x:
                fail('setgid %s: %s' % (gid.decode(), x.strerror))
        if uid != b'':
            try:
                os.setuid(int(uid))
            except OSError as x:
                fail('setuid %s: %s' % (uid.decode(), x.strerror))
        try:
            os.execvpe(argv[0], argv, env)
        except OSError as x:
            os.write(2, ("Failed to execute '%s': %s\n" % (argv[0].decode(errors='replace'), x.strerror)).encode(errors='replace'))
            os._exit(127)
    except BaseException:
        pass
    os._exit(127)
def spawn(sandbox, argv, env, o, e):
    try:
        os.chdir(sandbox)
        try:
            return os.posix_spawnp(argv[0], argv, env, setsid=True, setsigmask=(), setsigdef=DEFAULTED,
                file_actions=[(os.POSIX_SPAWN_OPEN, 0, '/dev/null', os.O_RDONLY, 0), (os.POSIX_SPAWN_DUP2, o, 1), (os.POSIX_SPAWN_DUP2, e, 2)])
        finally:
            os.fchdir(home)
    except OSError:
        return None
def launch(f):
    cid, sandbox, uid, gid, join, orphan, argc = f[:7]
    argc = int(argc)
    argv = f[7:7 + argc]
    env = base_env.copy()
    for v in f[7 + argc:]:
        k, _, val = v.partition(b'=')
        env[k] = val
    try:
        o = os.open(sandbox + b'/stdout', os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    except OSError as x:
        out('error', hx(cid), hx(("cannot open the sandbox's stdout and stderr: %s" % x.strerror).encode())); return
    try:
        e = os.open(sandbox + b'/stderr', os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    except OSError as x:
        os.close(o)
        out('error', hx(cid), hx(("cannot open the sandbox's stdout and stderr: %s" % x.strerror).encode())); return
    pid = None
    plain = join == b'' and (uid == b'' or int(uid) == me[0]) and (gid == b'' or (int(gid) == me[1] and me[2] in ([], [int(gid)])))
    if plain:
        pid = spawn(sandbox, argv, env, o, e)
    elif join == b'' and setpriv is not None:
        # Another user: util-linux's setpriv switches (groups, gid, uid, as the fork path does)
        # and execs the command; an exec costs far less than a fork of this process.
        ids = ([b'--regid=' + gid, b'--groups=' + gid] if gid != b'' else []) + ([b'--reuid=' + uid] if uid != b'' else [])
        pid = spawn(sandbox, [setpriv] + ids + [b'--'] + argv, env, o, e)
    jr = jw = None
    if pid is None:
        try:
            if join != b'':
                jr, jw = os.pipe()
            pid = os.fork()
        except OSError as x:
            for fd in (o, e, jr, jw):
                if fd is not None:
                    os.close(fd)
            out('error', hx(cid), hx(('%s failed: %s' % ('fork' if jw is not None or join == b'' else 'pipe', x.strerror)).encode())); return
        if pid == 0:
            child(sandbox, uid, gid, join, argv, env, o, e, jr, jw)
    os.close(o); os.close(e)
    if jw is not None:
        # Started means joined: the child closes its end once in its cgroups (or dies trying).
        os.close(jw)
        try:
            os.read(jr, 1)
        except OSError:
            pass
        os.close(jr)
    running[pid] = cid
    if orphan != b'':
        orphan_s[pid] = int(orphan)
    out('start', hx(cid), str(pid), start_time(pid))
def orphan():
    state['open'] = False; state['orphaned'] = time.monotonic()
buf = b''
while True:
    reap()
    if not state['open'] and not running:
        break
    if not state['open'] and not state['adopted']:
        waited = time.monotonic() - state['orphaned']
        for pid in list(orphan_s):
            t = termed.get(pid, 0)
            try:
                if t == 0 and waited > orphan_s[pid]:
                    termed[pid] = 1; os.kill(-pid, signal.SIGTERM)
                elif t == 1 and waited > orphan_s[pid] + 3:
                    termed[pid] = 2; os.kill(-pid, signal.SIGKILL)
            except OSError:
                pass
    flush_out()
    fds = [0, wake_r] if state['open'] else [wake_r]
    ready, _, _ = select.select(fds, [], [], 10 if state['open'] else 0.5)
    if wake_r in ready:
        try:
            while os.read(wake_r, 512):
                pass
        except OSError:
            pass
    if 0 not in ready:
        continue
    try:
        got = os.read(0, 65536)
    except OSError:
        orphan(); continue
    if not got:
        orphan(); continue
    lines = (buf + got).split(b'\n')
    buf = lines.pop()
    for line in lines:
        try:
            f = [bytes.fromhex(x.decode()) for x in line.split(b' ')]
            op = f.pop(0) if f else b''
            if op == b'launch':
                launch(f)
            else:
                out('error', '', hx(("unknown request '%s'" % op.decode(errors='replace')).encode()))
        except Exception as x:
            out('error', '', hx(('bad request: %s' % x).encode()))
`;
