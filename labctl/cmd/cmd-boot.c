/* labctl boot: run a scenario in the lab guest, or wait in it for GDB. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "kbuild/kernel.h"
#include "lib/error.h"
#include "lib/labctl.h"
#include "lib/parse-options.h"
#include "source/versions.h"
#include "lib/rundir.h"
#include "lib/strvec.h"
#include "qemu/console.h"
#include "qemu/qemu.h"
#include "rootfs/busybox.h"
#include "rootfs/initramfs.h"
#include "rootfs/scenario.h"
#include "trace/gdb-session.h"

#define DEFAULT_TIMEOUT 60

static const char usage[] =
	"usage: labctl boot [--kernel VERSION] [--scenario NAME] [--args A,B,...]\n"
	"                   [--timeout S] [--kvm] [--gdb | --gdb-port N] [--initrd PATH] [--gzip]\n"
	"                   [--busybox WHICH | --busybox-source SRC]\n"
	"\n"
	"Boot the built kernel and the lab's initramfs in QEMU, run a scenario\n"
	"(scenarios/NAME.ini, default connect) with the serial console shown on\n"
	"stderr and kept in the run directory, and exit with its outcome:\n"
	"0 when every step exited 0, 1 when one failed or the guest panicked,\n"
	"5 when the guest did not power off in time.\n";

struct boot {
	const char *kernel, *scenario, *args, *initrd_given, *busybox, *busybox_source;
	double timeout;
	bool kvm, gdb, gzip;
	int gdb_port;
};

static void parse_args(struct boot *b, int argc, char **argv)
{
	const struct option_def options[] = {
		KERNEL_OPTION(&b->kernel),
		OPT_STRING_OF(0, "scenario", &b->scenario, OPT_SCENARIOS, "NAME", "the scenario to run (default connect)"),
		OPT_STRING(0, "args", &b->args, "A,B,...",
			   "labctl.args= for a step with cmdline_args (syscall: NR,ARG...)"),
		OPT_SECONDS(0, "timeout", &b->timeout, 0, 0, "S",
			    "kill the guest after S seconds (default 60; none with --gdb)"),
		OPT_FLAG(0, "kvm", &b->kvm, "use KVM instead of TCG"),
		OPT_FLAG(0, "gdb", &b->gdb, "start paused with a gdbstub on a Unix socket in the run\n"
			 "directory; prints the gdb command to attach (stdout)"),
		OPT_COUNT(0, "gdb-port", &b->gdb_port, 1, 65535, "N",
			  "start paused with the gdbstub on 127.0.0.1:N instead"),
		OPT_STRING_OF(0, "initrd", &b->initrd_given, OPT_FILES, "PATH", "boot this initramfs instead of building the lab's"),
		OPT_FLAG(0, "gzip", &b->gzip, "build the initramfs compressed"),
		BUSYBOX_OPTIONS(&b->busybox, &b->busybox_source),
		OPT_END()
	};
	const struct command_line cl = { .usage = usage, .options = { options } };
	int i = parse_command_line(&cl, argc, argv);

	if (i < argc)
		die(EXIT_USAGE, "boot: unexpected argument '%s'", argv[i]);
	if (b->gdb && b->gdb_port)
		die(EXIT_USAGE, "boot: --gdb and --gdb-port are two ways to do one thing; pick one");
	/* The command line is split at spaces, and init splits the args at commas. */
	if (b->args && (!*b->args || strpbrk(b->args, " \t\n\"")))
		die(EXIT_USAGE, "boot: --args wants A,B,... without spaces or quotes");
}

/* The initramfs to boot, after checking that the scenario exists. */
static char *initrd_for(const struct boot *b)
{
	struct initramfs_opts io = { .gzip = b->gzip, .busybox = b->busybox,
				     .busybox_source = b->busybox_source };
	struct scenario s;
	struct error e;
	char *initrd;

	if (b->initrd_given) {
		if (b->busybox || b->busybox_source || b->gzip)
			die(EXIT_USAGE, "boot: --initrd is a built image; --gzip, --busybox and "
			    "--busybox-source build one");
		if (access(b->initrd_given, R_OK) < 0)
			die_errno(EXIT_INPUT, "cannot read --initrd %s", b->initrd_given);
		return xstrdup(b->initrd_given);
	}
	if (scenario_find(&s, b->scenario, NULL, &e) < 0 || !(initrd = initramfs_create(&io, &e)))
		die_error(&e);
	scenario_free(&s);
	return initrd;
}

static void check_accel(const struct boot *b)
{
	if (b->kvm && access("/dev/kvm", R_OK | W_OK) < 0)
		die_errno(EXIT_ENV, "--kvm: cannot use /dev/kvm");
	if (b->gdb_port && !port_free(b->gdb_port))
		die(EXIT_ENV, "--gdb-port %d: 127.0.0.1:%d is already in use (pick another port)",
		    b->gdb_port, b->gdb_port);
}

/*
 * What to tell someone who wants to drive the paused guest by hand: the GDB
 * command (stdout, for a script to run), then on stderr how to load labctl's
 * commands into it and the same as a VS Code launch.json entry (cpptools).
 */
static void print_gdb_command(const struct qemu_opts *q)
{
	char *remote = q->gdb_socket ? xstrdup(q->gdb_socket)
				     : xasprintf("127.0.0.1:%d", q->gdb_port);
	char *package = gdb_session_package_path(), *text;
	json_t *vscode;

	printf("gdb -q %s -ex 'target remote %s'\n", q->kernel->vmlinux, remote);
	fflush(stdout);
	note("the guest is paused at its first instruction; attach with the command above");
	note("labctl's commands (lab-where, lab-regs, lab-step) in that GDB: add\n"
	     "  -iex \"%s\" -ex 'python import labctl.register'\n"
	     "(labctl trace SYSCALL --interactive stops at the program's own call for you)",
	     package);
	vscode = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:[{s:s}, {s:s}]}",
			   "name", "labctl guest", "type", "cppdbg", "request", "launch",
			   "program", q->kernel->vmlinux, "cwd", "${workspaceFolder}",
			   "MIMode", "gdb", "miDebuggerServerAddress", remote, "stopAtConnect", 1,
			   "setupCommands", "text", package, "text", "python import labctl.register");
	text = vscode ? json_dumps(vscode, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (text)
		note("in VS Code (C/C++ extension), a configuration for launch.json:\n%s", text);
	json_decref(vscode);
	free_all(text, package, remote);
}

/* How the boot went: 0, or -1 with E saying what the guest did wrong. */
static int report(const struct boot *b, const struct child *c, const char *run_dir,
		  struct error *e)
{
	char *serial = xasprintf("%s/serial.log", run_dir);
	struct console o;
	int ret = -1;

	if (c->timed_out) {
		error_set(e, EXIT_TIMEOUT, "the guest did not power off within %g s; QEMU was "
			  "killed (serial log: %s)", b->timeout, serial);
	} else if (child_result(c) < 0) {
		child_failure(c, 10, e);
	} else if (console_read(&o, serial, e) == 0) {
		if (o.panic)
			error_set(e, EXIT_FAIL, "the guest kernel panicked: %s (serial log: %s)",
				  o.panic, serial);
		else if (o.error)
			error_set(e, EXIT_FAIL, "the guest's init: %s", o.error);
		else if (!o.done)
			error_set(e, EXIT_FAIL, "the guest powered off before the scenario was done "
				  "(serial log: %s)", serial);
		else if (o.status && o.failed_step)
			error_set(e, EXIT_FAIL, "scenario %s failed: step %s exited with status %d "
				  "(serial log: %s)", b->scenario, o.failed_step, o.failed_status, serial);
		else if (o.status)
			error_set(e, EXIT_FAIL, "scenario %s failed with status %d (serial log: %s)",
				  b->scenario, o.status, serial);
		else
			ret = 0;
		console_free(&o);
	}
	if (!ret)
		note("scenario %s: every step exited 0 (%.2f s)", b->scenario, c->elapsed);
	free(serial);
	return ret;
}

int cmd_boot(int argc, char **argv)
{
	struct boot b = { .scenario = "connect" };
	struct qemu_opts q = { 0 };
	struct kernel k;
	struct error e;
	struct child c;
	char *initrd, *run_dir, *append, *sock = NULL;

	parse_args(&b, argc, argv);
	if (!b.timeout)
		b.timeout = b.gdb || b.gdb_port ? 0 : DEFAULT_TIMEOUT;
	if (kernel_load(&k, b.kernel, &e) < 0)
		die_error(&e);
	check_accel(&b);
	initrd = initrd_for(&b);
	if (!(run_dir = run_dir_create("boot", &e)))
		die_error(&e);
	append = scenario_cmdline(b.scenario, b.args);
	if (b.gdb)
		sock = xasprintf("%s/gdb.sock", run_dir);
	q = (struct qemu_opts){ .kernel = &k, .initrd = initrd, .append = append,
				.run_dir = run_dir, .paused = b.gdb || b.gdb_port,
				.gdb_socket = sock, .gdb_port = b.gdb_port, .kvm = b.kvm,
				.echo = !opts.quiet, .timeout = b.timeout };
	note("booting scenario %s (run directory %s)", b.scenario, run_dir);
	if (qemu_start(&q, &c, &e) < 0)
		die_error(&e);
	/* Print the command only once it works: a script may run it at once. */
	if (q.paused && qemu_wait_gdbstub(&q, &c, q.timeout) == 0)
		print_gdb_command(&q);
	child_wait(&c);
	if (report(&b, &c, run_dir, &e) < 0)
		die_error(&e);

	strv_free((char **)c.argv);
	free((char *)c.log);
	free_all(sock, append, run_dir, initrd);
	kernel_free(&k);
	return EXIT_OK;
}
