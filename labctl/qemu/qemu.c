/* Starting the lab's guest: see qemu.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/labctl.h"
#include "lib/strvec.h"
#include "qemu/qemu.h"

char **qemu_argv(const struct qemu_opts *o)
{
	struct strvec a = { 0 };
	const char *cmdline = "console=ttyS0 nokaslr panic=-1 reboot=t quiet";

	/* microvm without ACPI: the kernel finds the serial port and the PIC
	 * the legacy way; isa-serial is microvm's default ttyS0. */
	strvec_pushl(&a, "qemu-system-x86_64", "-M", "microvm,acpi=off",
		     "-accel", o->kvm ? "kvm" : "tcg", "-cpu", o->kvm ? "host" : "max", NULL);
	strvec_push(&a, "-m");
	strvec_pushf(&a, "%d", o->memory_mb ? o->memory_mb : 256);
	strvec_pushl(&a, "-smp", "1", "-no-reboot", "-nodefaults", "-display", "none",
		     "-serial", NULL);
	strvec_pushf(&a, "file:%s/serial.log", o->run_dir);
	strvec_pushl(&a, "-kernel", o->kernel->boot_image, NULL);
	if (o->initrd)
		strvec_pushl(&a, "-initrd", o->initrd, NULL);
	strvec_push(&a, "-append");
	strvec_pushf(&a, "%s%s%s%s", cmdline, o->kernel->pti ? " pti=on" : "",
		     o->append ? " " : "", o->append ? o->append : "");
	if (o->gdb_socket) {
		strvec_push(&a, "-chardev");
		strvec_pushf(&a, "socket,id=gdb0,path=%s,server=on,wait=off", o->gdb_socket);
		strvec_pushl(&a, "-gdb", "chardev:gdb0", NULL);
	} else if (o->gdb_port) {
		strvec_push(&a, "-gdb");
		strvec_pushf(&a, "tcp:127.0.0.1:%d", o->gdb_port);
	}
	if (o->channel_socket) {
		strvec_push(&a, "-chardev");
		strvec_pushf(&a, "socket,id=lab1,path=%s,server=on,wait=off", o->channel_socket);
		strvec_pushl(&a, "-device", "isa-serial,chardev=lab1", NULL);
	}
	if (o->qmp_socket) {
		strvec_push(&a, "-qmp");
		strvec_pushf(&a, "unix:%s,server=on,wait=off", o->qmp_socket);
	}
	if (o->incoming)
		strvec_pushl(&a, "-incoming", "defer", NULL);
	if (o->paused)
		strvec_push(&a, "-S");
	return strvec_detach(&a);
}

/* Echo mode: QEMU's stdio is the console; the log is written by proc.c. */
static char **echo_argv(char **argv, const char *run_dir)
{
	char *file = xasprintf("file:%s/serial.log", run_dir);

	for (char **p = argv; *p; p++)
		if (!strcmp(*p, file)) {
			free(*p);
			*p = xstrdup("stdio");
		}
	free(file);
	return argv;
}

int qemu_start(const struct qemu_opts *o, struct child *c, struct error *e)
{
	char **argv = qemu_argv(o);

	if (o->echo)
		argv = echo_argv(argv, o->run_dir);
	memset(c, 0, sizeof(*c));
	c->name = "qemu";
	c->argv = (const char **)argv;
	c->log = o->echo ? xasprintf("%s/serial.log", o->run_dir)
			 : xasprintf("%s/qemu.log", o->run_dir);
	c->echo = o->echo;
	c->timeout = o->timeout;
	if (child_start(c, e) < 0) {
		strv_free(argv);
		free((char *)c->log);
		c->argv = NULL;
		c->log = NULL;
		return -1;
	}
	return 0;
}

/* Is something listening on 127.0.0.1:PORT?  Read from /proc/net/tcp, not
 * probed: a probing bind() could steal the port from QEMU, a connect() would
 * be taken for the debugger. */
static bool tcp_listening(int port)
{
	char line[256], want[32];
	FILE *f = fopen("/proc/net/tcp", "r");
	bool found = false;

	if (!f)
		return false;
	snprintf(want, sizeof(want), "0100007F:%04X", port);
	while (!found && fgets(line, sizeof(line), f)) {
		char local[64], remote[64];
		unsigned state;

		if (sscanf(line, " %*d: %63s %63s %x", local, remote, &state) == 3)
			found = !strcmp(local, want) && state == 0x0A;	/* TCP_LISTEN */
	}
	fclose(f);
	return found;
}

static bool gdbstub_listening(const struct qemu_opts *o)
{
	struct stat st;

	if (o->gdb_socket)
		return stat(o->gdb_socket, &st) == 0 && S_ISSOCK(st.st_mode);
	return tcp_listening(o->gdb_port);
}

int qemu_wait_gdbstub(const struct qemu_opts *o, const struct child *c, double timeout)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	double end = now() + timeout;

	while (!gdbstub_listening(o)) {
		if (child_exited(c))
			return -1;
		if (timeout > 0 && now() > end)
			return -1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

bool port_free(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, ok;

	if (fd < 0)
		return false;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ok = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return ok;
}
