#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Report of an exitprof boot (bench/exitprof/exitprof.sh).

  report.py OUTDIR                          per workload: instructions per
                                            exit, by function
  report.py OUTDIR --annotate FUNC KO [W]   FUNC's instructions (objdump of
                                            KO, a copy is in OUTDIR) with
                                            their executions per exit in
                                            workload W (default cpuid)

Each workload left three dumps of cumulative counts: after a quick run
(50 exits, warm-up), after a second quick run, after the full run (N
exits, from svmbench's BENCH line).  (full - quick2) - (quick2 - quick1)
is what N - 50 exits cost, whatever else the runs share (VM creation,
guest memory, process start).  Addresses resolve through the kernel's
/proc/kallsyms, printed by the guest (nokaslr).  Instructions below
0xffff800000000000 are the VMM (svmbench) and the guest; RETs through
the kernel's return thunk show up as srso_return_thunk/srso_safe_ret.
"""
import bisect
import collections
import re
import subprocess
import sys


def load(outdir):
    log = open(outdir + '/console.log', errors='replace').read()
    m = re.search(r'EXITPROF-SYMS-BEGIN\n(.*?)EXITPROF-SYMS-END', log, re.S)
    syms = []
    for line in m.group(1).splitlines():
        p = line.split()
        if len(p) >= 3 and p[1] in 'tT':
            syms.append((int(p[0], 16), p[2]))
    syms.sort()
    runs = []
    for m in re.finditer(r'BENCH backend=\S+ round=\d+ workload=(\S+) '
                         r'ops=(\d+) ns=(\d+)', log):
        runs.append((m.group(1), int(m.group(2)), int(m.group(3))))
    return syms, runs


def counts(outdir, k):
    c = {}
    with open('%s/counts.%d' % (outdir, k)) as f:
        for line in f:
            a, n = line.split()
            c[int(a, 16)] = int(n)
    return c


def per_exit(outdir, i, n):
    d0, d1, d2 = (counts(outdir, 3 * i + k) for k in range(3))
    out = {}
    for a in set(d1) | set(d2):
        v = (d2.get(a, 0) - d1.get(a, 0)) - (d1.get(a, 0) - d0.get(a, 0))
        if v:
            out[a] = v / (n - 50)
    return out


def workloads(runs):
    # Three runs per workload: quick, quick, full.
    return [(runs[3 * i + 2][0], runs[3 * i + 2][1], runs[3 * i + 2][2])
            for i in range(len(runs) // 3)]


def symbolize(syms):
    addrs = [s[0] for s in syms]

    def name(a):
        if a < 0xffff800000000000:
            return '(VMM and guest)'
        j = bisect.bisect_right(addrs, a) - 1
        return syms[j][1] if j >= 0 else '?'
    return name


def report(outdir):
    syms, runs = load(outdir)
    name = symbolize(syms)
    for i, (w, n, ns) in enumerate(workloads(runs)):
        pe = per_exit(outdir, i, n)
        by = collections.Counter()
        for a, v in pe.items():
            by[name(a)] += v
        print('== %s: %d exits, %.0f emulated instructions per exit '
              '(svmbench: %.0f)' % (w, n, sum(pe.values()), ns / n))
        for s, v in by.most_common():
            if abs(v) >= 0.5:
                print('%8.1f  %s' % (v, s))


def annotate(outdir, func, ko, w):
    syms, runs = load(outdir)
    base = max((a for a, s in syms if s == func), default=None)
    if base is None:
        sys.exit('report.py: %s not in the guest\'s kallsyms' % func)
    for i, (name, n, _) in enumerate(workloads(runs)):
        if name == w:
            pe = per_exit(outdir, i, n)
            break
    else:
        sys.exit('report.py: no workload %s in %s' % (w, outdir))
    dis = subprocess.run(['objdump', '-d', '--no-show-raw-insn',
                          '--disassemble=' + func, ko],
                         capture_output=True, text=True, check=True).stdout
    start, total = None, 0.0
    for line in dis.splitlines():
        m = re.match(r'^([0-9a-f]+) <(.*)>:$', line)
        if m:
            start = int(m.group(1), 16) if m.group(2) == func else None
            if start is not None:
                print(line)
            continue
        m = re.match(r'^\s+([0-9a-f]+):\s+(.*)$', line)
        if m and start is not None:
            v = pe.get(base + int(m.group(1), 16) - start, 0.0)
            total += v
            print('%7.2f %s' % (v, line))
    print('%7.2f total (alternatives show unpatched)' % total)


if __name__ == '__main__':
    if len(sys.argv) == 2:
        report(sys.argv[1])
    elif len(sys.argv) in (5, 6) and sys.argv[2] == '--annotate':
        annotate(sys.argv[1], sys.argv[3], sys.argv[4],
                 sys.argv[5] if len(sys.argv) == 6 else 'cpuid')
    else:
        sys.exit(__doc__)
