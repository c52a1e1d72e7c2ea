// SPDX-License-Identifier: GPL-2.0
/*
 * run-as UID GID COMMAND [ARGS...]: run COMMAND with exactly that user
 * and group, no supplementary groups.  The test initramfs has no users,
 * su or setpriv with uid switching, yet the tests must show what a
 * non-root user in (or outside) group svmhv gets from /dev/svmhv.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	long uid, gid;

	if (argc < 4) {
		fprintf(stderr, "usage: run-as UID GID COMMAND [ARGS...]\n");
		return 2;
	}
	uid = strtol(argv[1], &end, 10);
	if (*end || uid < 0)
		return 2;
	gid = strtol(argv[2], &end, 10);
	if (*end || gid < 0)
		return 2;
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid)) {
		perror("run-as");
		return 1;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "run-as: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
