/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl list / vmctl stat: running VMs and exit rates from svmhv's debugfs
 * counters (stat.c).  Both take their argv from the command word on and
 * return vmctl's exit status.
 */
#ifndef VMCTL_STAT_H
#define VMCTL_STAT_H

int cmd_list(int argc, char **argv);
int cmd_stat(int argc, char **argv);

#endif /* VMCTL_STAT_H */
