/*
 * labctl doctor: can this machine build, boot and debug the lab?  One line
 * per check (ok / FAIL / warn, with the reason), or --json.  Exit 0 when
 * every required check passes, EXIT_ENV otherwise.
 */
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "grade/grade.h"
#include "kbuild/kernel.h"
#include "lib/cache.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/parse-options.h"
#include "lib/proc.h"
#include "lib/rundir.h"
#include "lib/strvec.h"
#include "qemu/console.h"
#include "qemu/qemu.h"
#include "rootfs/busybox.h"
#include "trace/elf.h"

enum status { OK, WARN, FAIL };

struct doctor {
	json_t *checks;     /* --json: the results so far */
	char *run_dir;      /* logs of the programs the checks run */
	int failed;
};

static void report(struct doctor *d, enum status s, const char *check, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void report(struct doctor *d, enum status s, const char *check, const char *fmt, ...)
{
	static const char *const names[] = { "ok", "warn", "FAIL" };
	char *detail;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) < 0)
		die(EXIT_ENV, "out of memory");
	va_end(ap);
	if (s == FAIL)
		d->failed++;
	if (d->checks)
		json_array_append_new(d->checks, json_pack("{s:s, s:s, s:s}", "check", check,
							   "status", names[s], "detail", detail));
	else
		printf("%-4s  %-16s %s\n", names[s], check, detail);
	free(detail);
}

static void keep_first(struct child *c, const char *line, void *data)
{
	char **first = data;

	if (!*first && *line)
		*first = xstrdup(line);
}

/* Run ARGV (logged in the run directory); its first output line in *FIRST. */
static int run(struct doctor *d, const char **argv, const char *dir, char **first)
{
	struct child c = { .name = argv[0], .argv = argv, .dir = dir, .timeout = 60,
			   .log = xasprintf("%s/doctor.log", d->run_dir),
			   .on_line = keep_first, .data = first };
	struct error e;
	int ret;

	*first = NULL;
	if (child_start(&c, &e) < 0)
		die_error(&e);
	ret = child_wait(&c);
	free((char *)c.log);
	return ret;
}

/* Link (and run) a static hello with gcc FLAGS ("-m32": the i386 lab programs). */
static void check_gcc_static(struct doctor *d, const char *flag, const char *check, const char *fix)
{
	static const char prog[] = "#include <stdio.h>\nint main(void) { puts(\"ok\"); return 0; }\n";
	char *dir = xasprintf("%s/static%s", d->run_dir, flag ? flag : ""), *src, *line = NULL;
	const char *cc[] = { "gcc", "-static", "-o", "hello", "hello.c", flag, NULL };
	const char *hello[] = { "./hello", NULL };
	struct elf_info info;
	struct error e;

	if (!which("gcc")) {
		if (!flag)
			report(d, FAIL, "gcc", "not found (apt install build-essential)");
		return;
	}
	if (make_dirs(dir, &e) < 0)
		die_error(&e);
	src = xasprintf("%s/hello.c", dir);
	write_file_atomic(src, prog, strlen(prog));
	if (run(d, cc, dir, &line) < 0) {
		report(d, FAIL, check, "cannot link a static program: %s (%s)",
		       line ? line : "see doctor.log", fix);
	} else if (free(line), line = NULL, run(d, hello, dir, &line) == 0 && line && !strcmp(line, "ok")) {
		report(d, OK, check, "links and runs a static %sprogram against libc",
		       flag ? "32-bit " : "");
	} else {
		/* A host kernel without IA32 emulation cannot run it; the guest can. */
		char *bin = xasprintf("%s/hello", dir);
		bool linked = elf_read_info(bin, &info) == 0 && info.is_static &&
			      info.bits == (flag ? 32 : 64);

		if (linked && flag)
			report(d, WARN, check, "links a static 32-bit program, which this host "
			       "cannot run (no IA32 emulation?); the lab guest can");
		else
			report(d, FAIL, check, "the static program it linked does not run");
		free(bin);
	}
	free_all(line, src, dir);
}

static void check_version(struct doctor *d, const char *program, const char *package,
			  bool required, const char *check)
{
	const char *argv[] = { program, "--version", NULL };
	char *line = NULL;

	if (!which(program))
		report(d, required ? FAIL : WARN, check, "not found (apt install %s)%s", package,
		       required ? "" : ": builds are not cached between object directories");
	else if (run(d, argv, NULL, &line) < 0)
		report(d, required ? FAIL : WARN, check, "%s --version fails", program);
	else
		report(d, OK, check, "%s", line ? line : "present");
	free(line);
}

static void check_gdb(struct doctor *d)
{
	const char *argv[] = { "gdb", "-batch", "-nx", "-ex", "python print(1)", NULL };
	char *line = NULL;

	if (!which("gdb"))
		report(d, FAIL, "gdb", "not found (apt install gdb)");
	else if (run(d, argv, NULL, &line) < 0 || !line || strcmp(line, "1"))
		report(d, FAIL, "gdb", "has no working Python (labctl's GDB commands are Python)");
	else
		report(d, OK, "gdb", "runs Python");
	free(line);
}

/* The BusyBox `labctl image` would put into the guest (busybox.h), static x86-64. */
static void check_busybox(struct doctor *d)
{
	char *what = NULL, *path;
	struct error e;
	bool can_fetch;

	path = busybox_locate(&what, &can_fetch, &e);
	if (!path && !what)
		die_error(&e);
	if (path)
		report(d, OK, "busybox", "%s", what);
	else
		report(d, can_fetch ? WARN : FAIL, "busybox", "%s", what);
	free(path);
	free(what);
}

/* bubblewrap makes the sandbox labctl grade compiles submissions in. */
static void check_bwrap(struct doctor *d)
{
	const char *why = sandbox_probe(d->run_dir);

	if (why)
		report(d, WARN, "bwrap", "%s: labctl grade needs it (or --no-sandbox)", why);
	else
		report(d, OK, "bwrap", "makes the sandbox labctl grade compiles in");
}

static void check_build_tools(struct doctor *d)
{
	static const char *const tools[] = { "make", "flex", "bison", "bc", "gdb-add-index" };
	char missing[128] = "";	/* all five names fit: nothing is cut */

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (!which(tools[i]))
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
				 " %s", tools[i]);
	if (*missing)
		report(d, FAIL, "build tools", "missing:%s (make deps)", missing);
	else
		report(d, OK, "build tools", "make, flex, bison, bc, gdb-add-index");
}

static bool have_kernel(void)
{
	char *link = xasprintf("%s/kernels/current", cache_root()), buf[PATH_MAX];
	bool ok = realpath(link, buf) != NULL;

	free(link);
	return ok;
}

static void check_kernel(struct doctor *d, const struct kernel *k)
{
	char *kaslr, *dbg;
	struct error e;
	int dwarf = elf_has_section(k->vmlinux, ".debug_info");
	int index = elf_has_section(k->vmlinux, ".gdb_index");

	if (kernel_config_value(k, "RANDOMIZE_BASE", &kaslr, &e) < 0 ||
	    kernel_config_value(k, "DEBUG_INFO", &dbg, &e) < 0)
		die_error(&e);
	if (dwarf != 1)
		report(d, FAIL, "vmlinux DWARF", "%s has %s", k->vmlinux,
		       dwarf < 0 ? "no readable ELF" : "no .debug_info (rebuild with debug.config)");
	else
		report(d, OK, "vmlinux DWARF", "%s has .debug_info", k->vmlinux);
	report(d, index == 1 ? OK : WARN, "vmlinux index", "%s",
	       index == 1 ? ".gdb_index present" : "no .gdb_index: GDB indexes the DWARF itself at every start");
	if (!dbg || strcmp(dbg, "y"))
		report(d, FAIL, "kernel config", "CONFIG_DEBUG_INFO is not set");
	else if (kaslr && !strcmp(kaslr, "y"))
		report(d, FAIL, "kernel config", "CONFIG_RANDOMIZE_BASE=y: symbols move at boot");
	else
		report(d, OK, "kernel config", "Linux %s, DEBUG_INFO=y, RANDOMIZE_BASE not set", k->version);
	free(kaslr);
	free(dbg);
}

/*
 * Boot K with no initramfs: it panics ("No working init found") and, with
 * panic=-1 and -no-reboot, QEMU exits.  That is a whole boot, proven.
 */
static int boot(struct doctor *d, const struct kernel *k, bool kvm, double *secs, char **why)
{
	char *dir = xasprintf("%s/boot-%s", d->run_dir, kvm ? "kvm" : "tcg");
	char *serial_log = xasprintf("%s/serial.log", dir), *qemu;
	struct qemu_opts q = { .kernel = k, .run_dir = dir, .kvm = kvm, .timeout = 20 };
	struct child c;
	struct console con;
	struct error e;
	int ret;

	if (make_dirs(dir, &e) < 0 || qemu_start(&q, &c, &e) < 0)
		die_error(&e);
	child_wait(&c);
	*secs = c.elapsed;
	qemu = read_file(c.log, NULL);
	console_read(&con, serial_log, NULL);
	ret = !c.timed_out && con.panic ? 0 : -1;
	if (c.timed_out)
		*why = xstrdup("the guest hangs (no panic within 20 s)");
	else if (qemu && strstr(qemu, "KVM internal error"))
		*why = xstrdup("QEMU reports a KVM internal error");
	else if (qemu && *qemu)
		*why = xasprintf("QEMU fails: %.*s", (int)strcspn(qemu, "\n"), qemu);
	else
		*why = xasprintf("QEMU %s before the kernel panicked", child_outcome(&c));
	strv_free((char **)c.argv);
	free((char *)c.log);
	free(serial_log);
	console_free(&con);
	free(qemu);
	free(dir);
	return ret;
}

static void check_boots(struct doctor *d, const struct kernel *k)
{
	char *why = NULL;
	double secs;
	int fd;

	if (!which("qemu-system-x86_64"))
		return;
	if (boot(d, k, false, &secs, &why) < 0) {
		report(d, FAIL, "boot (TCG)", "%s (see %s/boot-tcg)", why, d->run_dir);
		free(why);
		return;
	}
	report(d, OK, "boot (TCG)", "boots to the kernel's panic at no init in %.1f s", secs);
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		report(d, WARN, "KVM", "/dev/kvm cannot be opened: TCG stays the default");
		return;
	}
	close(fd);
	if (boot(d, k, true, &secs, &why) == 0)
		report(d, OK, "KVM", "boots to the same panic in %.1f s: --kvm can be used", secs);
	else
		report(d, WARN, "KVM", "%s: KVM does not work here, TCG stays the default", why);
	free(why);
}

static const char usage[] =
	"usage: labctl doctor [--json]\n\n"
	"Checks the tools (gcc with static libc, 64- and 32-bit, qemu-system-x86_64,\n"
	"gdb with Python, the static x86-64 BusyBox the image would use, bubblewrap\n"
	"for grading, the kernel build tools, ccache), the built kernel (DWARF,\n"
	"no KASLR) and whether it boots under TCG and under KVM.\n";

int cmd_doctor(int argc, char **argv)
{
	bool json = false;
	const struct option_def options[] = {
		OPT_FLAG(0, "json", &json, "the results as a JSON array of {check, status, detail}"),
		OPT_END()
	};
	const struct command_line cl = { .usage = usage, .options = { options } };
	struct doctor d = { 0 };
	struct kernel k;
	struct error e;
	int i = parse_command_line(&cl, argc, argv);

	if (i < argc)
		die(EXIT_USAGE, "doctor: unexpected argument '%s'", argv[i]);
	if (json)
		d.checks = json_array();
	if (!(d.run_dir = run_dir_create("doctor", &e)))
		die_error(&e);
	check_gcc_static(&d, NULL, "gcc -static", "apt install libc6-dev");
	check_gcc_static(&d, "-m32", "gcc -m32 -static",
			 "apt install gcc-multilib: the i386 lab programs need it");
	check_build_tools(&d);
	check_version(&d, "qemu-system-x86_64", "qemu-system-x86", true, "qemu");
	check_gdb(&d);
	check_busybox(&d);
	check_bwrap(&d);
	check_version(&d, "ccache", "ccache", false, "ccache");
	if (have_kernel()) {
		if (kernel_load(&k, NULL, &e) < 0)
			die_error(&e);
		check_kernel(&d, &k);
		check_boots(&d, &k);
		kernel_free(&k);
	} else {
		report(&d, WARN, "kernel", "none built yet in %s (labctl build)", cache_root());
	}
	if (d.checks) {
		json_dumpf(d.checks, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(d.checks);
	}
	free(d.run_dir);
	return d.failed ? EXIT_ENV : EXIT_OK;
}
