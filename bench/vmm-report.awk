# SPDX-License-Identifier: GPL-2.0
#
# The whole-VMM part of `make bench` (bench/run-emulated.sh), from the
# serial log of the emulated host (scripts/guest-init.sh, bench mode):
#   BENCH backend=B round=R workload=bootN ops=1 ns=T tsc=0
#       Linux booted to its /init with N vCPUs, T ns from the VMM's start
#       (bench/vmmboot), B svmhv (vmctl) or kvm (QEMU on kvm_amd)
#   BENCH backend=B round=R workload=W ops=N ns=T tsc=0
#       W one of blk_seqwrite, blk_seqread (N bytes), blk_randread (N
#       reads), net_tcp_tx (N bytes), timed by the 2-vCPU guest itself
#       (bench/guestio)
#   SVMHV-BENCH-BOOT-STALL backend=B round=R workload=bootN attempt=A killed=K
#       a boot that did not reach /init in time, killed and tried again
#   SVMHV-BENCH-BOOT-GAVEUP backend=B round=R workload=bootN
#       three such in a row: no figure for that round
#   SVMHV-BENCH-IO-STALL backend=B round=R attempt=A killed=K
#   SVMHV-BENCH-IO-GAVEUP backend=B round=R
#       an I/O guest that did not finish in time, tried again; three: no
#       figure for that round
#   SVMHV-BENCH-IDLE backend=svmhv cpus=2 secs=S exits=N ... (counter deltas)
#   SVMHV-BENCH-IDLE-USER backend=svmhv what=CAUSE count=N
#       exits to userspace of an idle guest over S seconds, by cause
#   SVMHV-BENCH-IDLE-GUEST clocksource=... (what the idle guest said)
# With -v out=table: the tables printed after svmbench's; with -v out=json
# (and -v clock=, -v rounds=): bench/results-vmm.json, one object with the
# boot and I/O rows in "workloads" as svmbench's results.json has its own
# (rates: boots per second, MB/s, reads per second; so that "ratio" means
# what it means there: svmhv/kvm_amd, higher is svmhv faster; the times
# in seconds as svmhv_s and kvm_amd_s, the boots that stalled as
# svmhv_stalls and kvm_amd_stalls) and the idle guest's figures in "idle" (null if it did
# not run).  Nothing at all if the log has neither.

function sorted(a, n, out,	i, j, t) {	# copy a[1..n] to out[], sorted
	for (i = 1; i <= n; i++)
		out[i] = a[i]
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && out[j] < out[j - 1]; j--) {
			t = out[j]; out[j] = out[j - 1]; out[j - 1] = t
		}
}

function stat3(a, n,	s) {		# "min median max" of a[1..n]
	sorted(a, n, s)
	return s[1] " " (n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2) " " s[n]
}

function json_stats(key, a, n,	i, f, v) {
	if (!n)
		return "\"" key "\": null"
	split(stat3(a, n), f, " ")
	v = ""
	for (i = 1; i <= n; i++)
		v = v (i > 1 ? ", " : "") sprintf("%.6g", a[i])
	return sprintf("\"%s\": {\"min\": %.6g, \"median\": %.6g, \"max\": %.6g, \"values\": [%s]}",
		       key, f[1], f[2], f[3], v)
}

function kv(name,	i) {		# value of name= on the current line
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2)
	return ""
}

{ sub(/\r$/, "") }

/^BENCH backend=(svmhv|kvm) .*workload=(boot[0-9]+|blk_[a-z]+|net_[a-z_]+) / {
	b = kv("backend"); w = kv("workload"); r = kv("round"); ns = kv("ns")
	if (ns <= 0 || kv("ops") <= 0)
		next
	if (!(w in seen)) {
		seen[w] = 1
		wl[++nwl] = w
	}
	secs[b, w, ++n[b, w]] = ns / 1e9
	rate[b, w, n[b, w]] = kv("ops") * scale(w) / (ns / 1e9)
	round_of[b, w, n[b, w]] = r
}

/^SVMHV-BENCH-BOOT-STALL / {
	stalls[kv("backend"), kv("workload")]++
	nstalls++
	next
}

/^SVMHV-BENCH-BOOT-GAVEUP / {
	gaveup[kv("backend"), kv("workload")]++
	nstalls++
	next
}

/^SVMHV-BENCH-IO-STALL / {
	io_stalls[kv("backend")]++
	next
}

/^SVMHV-BENCH-IO-GAVEUP / {
	io_gaveup[kv("backend")]++
	next
}

/^SVMHV-BENCH-IDLE backend=/ {
	idle = 1
	idle_backend = kv("backend"); idle_cpus = kv("cpus"); idle_secs = kv("secs")
	for (i = 1; i <= NF; i++)
		if ($i ~ /^[a-z_]+=[0-9]+$/ && $i !~ /^(cpus|secs)=/) {
			split($i, f, "=")
			ctr[++nctr] = f[1]
			ctr_n[f[1]] = f[2]
		}
}

/^SVMHV-BENCH-IDLE-GUEST / {
	idle_guest = substr($0, length("SVMHV-BENCH-IDLE-GUEST ") + 1)
	next
}

/^SVMHV-BENCH-IDLE-USER / {
	cause[++ncause] = kv("what")
	cause_n[kv("what")] = kv("count")
}

END {
	if (!nwl && !idle)
		exit
	# Per round: svmhv's rate over kvm_amd's of the same round, as
	# svmbench pairs them.
	for (k = 1; k <= nwl; k++) {
		w = wl[k]
		nr[w] = 0
		for (i = 1; i <= n["svmhv", w]; i++)
			for (j = 1; j <= n["kvm", w]; j++)
				if (round_of["svmhv", w, i] == round_of["kvm", w, j])
					ratio[w, ++nr[w]] = rate["svmhv", w, i] / rate["kvm", w, j]
	}
	if (out == "json")
		print_json()
	else
		print_table()
}

function desc(w,	c) {
	if (w == "blk_seqwrite")
		return "virtio-blk sequential write, 1 MiB O_DIRECT, then flush"
	if (w == "blk_seqread")
		return "virtio-blk sequential read, 1 MiB O_DIRECT"
	if (w == "blk_randread")
		return "virtio-blk random 4 KiB O_DIRECT reads, queue depth 1"
	if (w == "net_tcp_tx")
		return "virtio-net TCP, guest to host over a tap"
	c = substr(w, 5)
	return "Linux boot to /init, " c " vCPU" (c == 1 ? "" : "s")
}

function unit(w) {
	if (w ~ /^boot/)
		return "boots/s"
	return w == "blk_randread" ? "IOPS" : "MB/s"
}

function scale(w) {		# from ops per second to unit(w)
	return unit(w) == "MB/s" ? 1e-6 : 1
}

function print_table(	k, w, a, b, i, s, f, c) {
	if (nwl) {
		printf "\nWhole VMMs: Linux (this kernel, the Linux test guest's initramfs) under\n"
		printf "svmhv+vmctl against QEMU (-M pc) on kvm_amd, 512 MiB each%s.\n",
		       icount ? "; icount clock: seconds of emulated time = 1e9 instructions" : ""
		printf "Boots: seconds from the VMM's start to /init.  I/O: rates in the 2-vCPU guest.\n"
		printf "%-56s %-5s %26s %26s %20s\n", "workload", "unit",
		       "vmctl+svmhv min/med/max", "QEMU+kvm_amd min/med/max",
		       "svmhv/kvm rate"
		for (k = 1; k <= nwl; k++) {
			w = wl[k]
			printf "%-56s %-5s", desc(w), w ~ /^boot/ ? "s" : unit(w)
			for (i = 1; i <= 2; i++) {
				b = i == 1 ? "svmhv" : "kvm"
				delete a
				for (s = 1; s <= n[b, w]; s++)
					a[s] = w ~ /^boot/ ? secs[b, w, s] : rate[b, w, s]
				if (n[b, w]) {
					split(stat3(a, n[b, w]), f, " ")
					printf " %8.2f/%8.2f/%8.2f", f[1], f[2], f[3]
				} else {
					printf " %26s", "-"
				}
			}
			if (nr[w]) {
				delete a
				for (s = 1; s <= nr[w]; s++)
					a[s] = ratio[w, s]
				split(stat3(a, nr[w]), f, " ")
				printf "   %5.2f/%5.2f/%5.2f", f[1], f[2], f[3]
			}
			printf "\n"
		}
		if (io_stalls["svmhv"] || io_stalls["kvm"])
			printf "I/O guests that stalled (killed, tried again): vmctl+svmhv %d, QEMU+kvm_amd %d; rounds without a figure: %d, %d\n",
			       io_stalls["svmhv"], io_stalls["kvm"], io_gaveup["svmhv"], io_gaveup["kvm"]
		if (nstalls) {
			printf "Boots that stalled before /init (killed, tried again; not in the times above):\n"
			for (k = 1; k <= nwl; k++)
				for (i = 1; i <= 2; i++) {
					b = i == 1 ? "svmhv" : "kvm"
					if (stalls[b, wl[k]])
						printf "  %-28s %-12s %d stalled, %d round(s) without a figure\n",
						       desc(wl[k]),
						       b == "svmhv" ? "vmctl+svmhv" : "QEMU+kvm_amd",
						       stalls[b, wl[k]], gaveup[b, wl[k]]
				}
		}
	}
	if (idle) {
		printf "\nIdle %s-vCPU Linux guest under vmctl+svmhv, %.1f s (target: under 5 exits/s to userspace):\n",
		       idle_cpus, idle_secs
		if (idle_guest != "")
			printf "  guest: %s\n", idle_guest
		printf "  %-34s %8.2f /s  (%d)\n", "exits to userspace (vmctl)",
		       ctr_n["userspace_exits"] / idle_secs, ctr_n["userspace_exits"]
		for (c = 1; c <= ncause; c++)
			printf "    %-32s %8.2f /s  (%d)\n", cause[c],
			       cause_n[cause[c]] / idle_secs, cause_n[cause[c]]
		printf "  %-34s %8.2f /s  (%d)\n", "#VMEXITs, in the kernel or not",
		       ctr_n["exits"] / idle_secs, ctr_n["exits"]
		for (c = 1; c <= nctr; c++) {
			if (ctr[c] !~ /_exits$/ || ctr[c] == "userspace_exits" || !ctr_n[ctr[c]])
				continue
			printf "    %-32s %8.2f /s  (%d)\n", ctr[c],
			       ctr_n[ctr[c]] / idle_secs, ctr_n[ctr[c]]
		}
		printf "  %-34s %8.2f /s  (%d)\n", "events injected",
		       ctr_n["injected_events"] / idle_secs, ctr_n["injected_events"]
	}
}

function print_json(	k, w, i, b, a, s, sep, c) {
	printf "{\n  \"clock\": \"%s\",\n  \"rounds\": %d,\n", clock, rounds
	printf "  \"what\": \"Linux (the emulated host's kernel, the Linux test guest's initramfs, 512 MiB) from the VMM's start to its /init, and virtio-blk (a raw image in the host's page cache) and virtio-net (a tap, TCP to the host) throughput timed in a 2-vCPU guest: vmctl on svmhv against QEMU -M pc on kvm_amd, in one boot of an emulated EPYC; and the exits of an idle 2-vCPU guest under vmctl\",\n"
	printf "  \"workloads\": ["
	for (k = 1; k <= nwl; k++) {
		w = wl[k]
		printf "%s\n    {\"name\": \"%s\", \"description\": \"%s\", \"unit\": \"%s\",\n      ",
		       (k > 1 ? "," : ""), w, desc(w) " (vmctl vs QEMU)", unit(w)
		for (i = 1; i <= 2; i++) {
			b = i == 1 ? "svmhv" : "kvm"
			delete a
			for (s = 1; s <= n[b, w]; s++)
				a[s] = rate[b, w, s]
			printf "%s,\n      ", json_stats(i == 1 ? "svmhv" : "kvm_amd", a, n[b, w])
		}
		delete a
		for (s = 1; s <= nr[w]; s++)
			a[s] = ratio[w, s]
		printf "%s,\n      ", json_stats("ratio", a, nr[w])
		for (i = 1; i <= 2; i++) {
			b = i == 1 ? "svmhv" : "kvm"
			delete a
			for (s = 1; s <= n[b, w]; s++)
				a[s] = secs[b, w, s]
			printf "%s,\n      ", json_stats(i == 1 ? "svmhv_s" : "kvm_amd_s", a, n[b, w])
		}
		printf "\"svmhv_stalls\": %d, \"kvm_amd_stalls\": %d, \"rounds_without_figure\": {\"svmhv\": %d, \"kvm_amd\": %d}}",
		       stalls["svmhv", w], stalls["kvm", w], gaveup["svmhv", w], gaveup["kvm", w]
	}
	printf "%s],\n", nwl ? "\n  " : ""
	printf "  \"io_stalls\": {\"svmhv\": %d, \"kvm_amd\": %d}, \"io_rounds_without_figure\": {\"svmhv\": %d, \"kvm_amd\": %d},\n",
	       io_stalls["svmhv"], io_stalls["kvm"], io_gaveup["svmhv"], io_gaveup["kvm"]
	if (!idle) {
		print "  \"idle\": null\n}"
		return
	}
	gsub(/["\\]/, "", idle_guest)
	printf "  \"idle\": {\"backend\": \"%s\", \"vcpus\": %d, \"seconds\": %.6g, \"target_userspace_exits_per_s\": 5,\n",
	       idle_backend, idle_cpus, idle_secs
	printf "    \"guest\": \"%s\",\n", idle_guest
	printf "    \"userspace_exits_per_s\": %.6g,\n", ctr_n["userspace_exits"] / idle_secs
	printf "    \"userspace_exits_by_cause_per_s\": {"
	sep = ""
	for (c = 1; c <= ncause; c++) {
		printf "%s\"%s\": %.6g", sep, cause[c], cause_n[cause[c]] / idle_secs
		sep = ", "
	}
	printf "},\n    \"exits_per_s\": {"
	sep = ""
	for (c = 1; c <= nctr; c++) {
		printf "%s\"%s\": %.6g", sep, ctr[c], ctr_n[ctr[c]] / idle_secs
		sep = ", "
	}
	printf "}}\n}\n"
}
