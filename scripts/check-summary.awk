# SPDX-License-Identifier: GPL-2.0
#
# Turn the serial console log of one `svmhv.mode=check` boot (see
# scripts/guest-init.sh) into kselftest-runner style TAP and totals.  For
# each program between SVMHV-PROG-BEGIN/END it takes the last
# "# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N" line; a program
# that timed out, never ended, printed no totals, or exited non-zero
# although its totals show no failure counts as one more failed test.
# The harness checks (insmod before the selftests, rmmod after them, a
# kernel log free of oopses, warnings and debugging-kernel reports
# (KASAN, lockdep, UBSAN, KFENCE, kmemleak...), the guest reaching
# SVMHV-CHECK-DONE) each count as a failed test when they fail.
# Prints the TAP, then "# FAILED: ..." lines, and last a line
#   SVMHV-SUMMARY <passed> <failed> <skipped>
# for scripts/check.sh.  Variable: kver (named in the TAP lines).
# Written for POSIX awk (Debian's mawk).

function fail_check(what) {
	nfailed_checks++
	failed_checks[nfailed_checks] = what
}

function after(line, marker,    i) {	# text after MARKER in LINE
	i = index(line, marker)
	return substr(line, i + length(marker))
}

function kernel_line(line,    i) {	# remember bad kernel log lines once
	# Benign: printed at boot because QEMU's EPYC model lacks the SRSO
	# microcode fixes; it concerns the host CPU model, not svmhv.
	if (index(line, "Speculative Return Stack Overflow: WARNING: See"))
		return
	for (i = 1; i <= nbad_patterns; i++) {
		if (index(line, bad_patterns[i]) && !(line in bad_seen)) {
			bad_seen[line] = 1
			nbad++
			if (nbad <= 30)
				bad_lines[nbad] = line
			return
		}
	}
}

BEGIN {
	# Besides oopses, BUG()s and WARN()s, every report of the debugging
	# kernel of make check-debug: KASAN and KFENCE (BUG: KASAN: ...),
	# lockdep (WARNING: possible circular locking dependency, suspicious
	# RCU usage, ...; INFO: trying to register non-static key), sleeping
	# in atomic context (BUG: sleeping function called from invalid
	# context), UBSAN, debug objects, list corruption, kmemleak (its
	# report, printed between SVMHV-KMEMLEAK-BEGIN/END, and its summary
	# line) and kmemleak or lockdep turning themselves off.
	nbad_patterns = split("Oops|BUG:|WARNING:|general protection|soft lockup|hung_task|Call Trace|detected stall|Kernel panic" \
		"|UBSAN:|KASAN:|KFENCE:|INFO: trying to register non-static key|ODEBUG:|list_add corruption|list_del corruption" \
		"|unreferenced object|suspected memory leak|leak detector disabled|lockdep is turned off", bad_patterns, "|")
	nprog = 0; in_prog = 0; in_dmesg = 0; done = 0
	nfailed_progs = 0; nfailed_checks = 0; nbad = 0
	insmod = ""; rmmod = ""; boot = ""; debug_locks = ""; ntail = 0
}

{
	gsub(/\r/, "")
	gsub(/\033\[[0-9;?]*[A-Za-z]/, "")
	tail_lines[ntail++ % 40] = $0
}

index($0, "SVMHV-DMESG-BEGIN") || index($0, "SVMHV-KMEMLEAK-BEGIN") { in_dmesg = 1; next }
index($0, "SVMHV-DMESG-END") || index($0, "SVMHV-KMEMLEAK-END") { in_dmesg = 0; next }
in_dmesg { kernel_line($0); next }

# Kernel messages reach the console too (those at error level and above:
# the guest boots with "quiet"), stamped "[    1.234567]".
/\[ *[0-9]+\.[0-9]+\]/ { kernel_line($0) }

index($0, "SVMHV-BOOT ") { boot = after($0, "SVMHV-BOOT ") }
index($0, "SVMHV-INSMOD rc=") { insmod = after($0, "SVMHV-INSMOD rc=") }
index($0, "SVMHV-RMMOD rc=") { rmmod = after($0, "SVMHV-RMMOD rc=") }
index($0, "SVMHV-NO-TESTS-LIST") { fail_check("no /selftests/tests.list in the initramfs") }
index($0, "SVMHV-CHECK-DONE") { done = 1 }
index($0, "SVMHV-DEBUG-LOCKS ") { debug_locks = after($0, "SVMHV-DEBUG-LOCKS ") }

index($0, "SVMHV-PROG-BEGIN ") {
	nprog++
	name[nprog] = after($0, "SVMHV-PROG-BEGIN ")
	ended[nprog] = 0; timedout[nprog] = 0; has_totals[nprog] = 0
	nout[nprog] = 0; skipped_all[nprog] = 0
	in_prog = 1
	next
}
in_prog && index($0, "SVMHV-PROG-TIMEOUT ") { timedout[nprog] = 1; next }
in_prog && index($0, "SVMHV-PROG-END ") {
	# A program's last line may lack its newline: keep what precedes.
	pre = substr($0, 1, index($0, "SVMHV-PROG-END ") - 1)
	if (pre != "")
		out[nprog, ++nout[nprog]] = pre
	rc[nprog] = after($0, " rc=") + 0
	ended[nprog] = 1
	in_prog = 0
	next
}
in_prog {
	out[nprog, ++nout[nprog]] = $0
	if (match($0, /# Totals: pass:[0-9]+ fail:[0-9]+ xfail:[0-9]+ xpass:[0-9]+ skip:[0-9]+ error:[0-9]+/)) {
		split(substr($0, RSTART, RLENGTH), f, /[: ]+/)
		# f: # Totals pass N fail N xfail N xpass N skip N error N
		t_pass[nprog] = f[4]; t_fail[nprog] = f[6]; t_xfail[nprog] = f[8]
		t_xpass[nprog] = f[10]; t_skip[nprog] = f[12]; t_error[nprog] = f[14]
		has_totals[nprog] = 1
	}
	if (index($0, "1..0 # SKIP"))
		skipped_all[nprog] = 1
}

END {
	passed = 0; failed = 0; skipped = 0
	print "TAP version 13"
	print "1.." nprog
	for (i = 1; i <= nprog; i++) {
		print "# selftests: svmhv: " name[i]
		for (j = 1; j <= nout[i]; j++)
			print "# " out[i, j]
		why = ""
		if (has_totals[i]) {
			passed += t_pass[i] + t_xfail[i] + t_xpass[i]
			failed += t_fail[i] + t_error[i]
			skipped += t_skip[i]
		}
		if (!ended[i])
			why = "never finished (guest crashed or hung)"
		else if (timedout[i])
			why = "timed out"
		else if (!has_totals[i] && rc[i] == 4 && skipped_all[i])
			skipped++
		else if (!has_totals[i])
			why = "printed no # Totals line (rc=" rc[i] ")"
		else if (rc[i] != 0 && rc[i] != 4 && t_fail[i] + t_error[i] == 0)
			why = "exited rc=" rc[i] " although its totals show no failure"
		if (why != "") {
			failed++
			nfailed_progs++
			failed_progs[nfailed_progs] = name[i] " " why
		}
		bad = why != "" || (has_totals[i] && t_fail[i] + t_error[i] > 0)
		status = bad ? "not ok " : "ok "
		suffix = timedout[i] ? " # TIMEOUT" : (rc[i] == 4 && !bad ? " # SKIP" : "")
		print status i " selftests: svmhv: " name[i] suffix
	}

	if (boot != "")
		print "# guest: " boot
	if (boot != "" && index(boot, "svm=yes") == 0)
		fail_check("the emulated CPU shows no svm flag")
	if (insmod == "" && done)
		fail_check("guest never tried insmod svmhv.ko")
	else if (insmod != "" && insmod != "0")
		fail_check("insmod svmhv.ko before the selftests failed (rc=" insmod ")")
	if (rmmod != "" && rmmod != "0" && insmod == "0")
		fail_check("rmmod svmhv after the tests failed (rc=" rmmod "): a reference leaked or svmhv vanished")
	if (debug_locks != "" && debug_locks != "1")
		fail_check("lockdep turned itself off during the run (debug_locks " debug_locks "): it checked nothing after that")
	if (nbad > 0)
		fail_check("the guest kernel log shows " nbad " oops/BUG/WARNING/lockup/stall/panic/sanitizer/leak line(s)")
	if (!done)
		fail_check("the guest never printed SVMHV-CHECK-DONE (crash, hang or timeout)")
	if (nprog == 0)
		fail_check("no test program ran")

	tag = kver != "" ? " [" kver "]" : ""
	for (i = 1; i <= nprog; i++)
		if (has_totals[i] && t_fail[i] + t_error[i] > 0)
			print "# FAILED" tag ": " name[i] ": " t_fail[i] + t_error[i] " test(s)"
	for (i = 1; i <= nfailed_progs; i++)
		print "# FAILED" tag ": " failed_progs[i]
	for (i = 1; i <= nfailed_checks; i++)
		print "# FAILED" tag ": " failed_checks[i]
	for (i = 1; i <= nbad && i <= 30; i++)
		print "# kernel: " bad_lines[i]
	if (!done) {
		print "# last console lines:"
		start = ntail > 40 ? ntail - 40 : 0
		for (i = start; i < ntail; i++)
			print "#   " tail_lines[i % 40]
	}
	print "SVMHV-SUMMARY " passed " " failed + nfailed_checks " " skipped
}
