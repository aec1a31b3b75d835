/* The lab guest saved once booted, restored for each trace: see snapshot.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/cache.h"
#include "lib/fs.h"
#include "lib/labctl.h"
#include "lib/rundir.h"
#include "lib/strvec.h"
#include "qemu/qmp.h"
#include "qemu/snapshot.h"
#include "../../rootfs/programs/inbox.h"

/* Changed when what init does before it waits changes: older states go. */
#define FORMAT        "labctl-snapshot-1"
#define BOOT_TIMEOUT  120.0     /* a cold boot to init's wait, on a loaded host */
#define QMP_TIMEOUT   60.0      /* saving or loading the state */
#define WAITING       "LABCTL waiting"

static const struct timespec tick = { .tv_nsec = 2 * 1000 * 1000 };
static const struct timespec settle = { .tv_nsec = 100 * 1000 * 1000 };

/* Q as the guest is saved: booted, running, no debugger, QMP and ttyS1
 * on sockets in DIR. */
static struct qemu_opts saved_opts(const struct qemu_opts *q, const char *dir)
{
	struct qemu_opts o = *q;

	o.run_dir = dir;
	o.paused = o.incoming = false;
	o.gdb_socket = NULL;
	o.gdb_port = 0;
	o.qmp_socket = o.channel_socket = NULL;
	return o;
}

static void hash_stat(struct hasher *h, const char *path)
{
	struct stat st;
	char buf[128];

	if (path && stat(path, &st) == 0) {
		snprintf(buf, sizeof(buf), "%llu:%llu:%lld:%lld.%09ld", (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino, (long long)st.st_size,
			 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
		hasher_add_str(h, buf);
	}
	hasher_add_str(h, "-");
}

/* snapshots/KEY.state, KEY what H hashed (H is freed); NULL with E. */
static char *state_path(struct hasher *h, struct error *e)
{
	char hex[SHA256_HEX_LEN + 1], *name, *path;

	hasher_hex(h, hex);
	name = xasprintf("%s.state", hex);
	path = cache_path("snapshots", name, e);
	free(name);
	return path;
}

char *snapshot_path(const struct qemu_opts *q, struct error *e)
{
	struct qemu_opts o = saved_opts(q, "RUN");
	struct hasher *h = hasher_new();
	char **argv;

	o.qmp_socket = "RUN/qmp.sock";
	o.channel_socket = "RUN/cmd.sock";
	argv = qemu_argv(&o);
	hasher_add_str(h, FORMAT);
	for (char **a = argv; *a; a++)
		hasher_add_str(h, *a);
	strv_free(argv);
	/* the files behind the paths: QEMU's (another build cannot load the
	 * state), the image and the kernel (content-keyed names, replaced in place
	 * by nothing of labctl's, but stated all the same) */
	hash_stat(h, which("qemu-system-x86_64"));
	hash_stat(h, q->initrd);
	hash_stat(h, q->kernel->boot_image);
	return state_path(h, e);
}

/* Wait until the console LOG says init waits, QEMU running as C. */
static int wait_for_init(const char *log, const struct child *c, struct error *e)
{
	double end = now() + BOOT_TIMEOUT;
	char *text;
	bool seen = false;

	while (!seen) {
		if (child_exited(c))
			return error_set(e, EXIT_FAIL, "the guest ended before init waited to be "
					 "saved (see %s)", log);
		if (now() > end)
			return error_set(e, EXIT_TIMEOUT, "init did not wait to be saved within "
					 "%g s (see %s)", BOOT_TIMEOUT, log);
		text = read_file(log, NULL);
		seen = text && strstr(text, WAITING "\r\n");	/* the tty adds \r */
		free(text);
		if (!seen)
			nanosleep(&tick, NULL);
	}
	return 0;
}

/* Poll COMMAND until its "status" is none of BUSY: that reply, or NULL
 * with E. */
static json_t *poll_status(struct qmp *m, const char *command, const char *const *busy,
			   struct error *e)
{
	json_t *r = NULL;
	const char *st;
	bool waiting;

	for (;;) {
		if (qmp_execute(m, command, NULL, &r, e) < 0)
			return NULL;
		st = json_string_value(json_object_get(r, "status"));
		waiting = !st;
		for (const char *const *b = busy; st && *b; b++)
			waiting |= !strcmp(st, *b);
		if (!waiting)
			return r;
		json_decref(r);
		nanosleep(&tick, NULL);
	}
}

/* Stop the guest (QMP on M) and migrate its state into FD. */
static int migrate_to(struct qmp *m, int fd, struct error *e)
{
	static const char *const busy[] = { "none", "setup", "active", "device", NULL };
	json_t *r;
	const char *st, *why;
	int ret = 0;

	if (qmp_execute(m, "stop", NULL, NULL, e) < 0 || qmp_send_fd(m, "state", fd, e) < 0 ||
	    qmp_execute(m, "migrate", json_pack("{s:s}", "uri", "fd:state"), NULL, e) < 0 ||
	    !(r = poll_status(m, "query-migrate", busy, e)))
		return -1;
	st = json_string_value(json_object_get(r, "status"));
	why = json_string_value(json_object_get(r, "error-desc"));
	if (strcmp(st, "completed"))
		ret = error_set(e, EXIT_ENV, "QEMU could not write the state: %s", why ? why : st);
	json_decref(r);
	return ret;
}

/* Save the guest (QMP on M), whose init said it waits, to PATH. */
static int save_waiting(struct qmp *m, const char *path, struct error *e)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	int fd, ret = -1;

	/* inbox said it waits just before its read(): let it get there, and
	 * the CPU to its idle loop, so that the state is saved at rest */
	nanosleep(&settle, NULL);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		error_set(e, EXIT_ENV, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (migrate_to(m, fd, e) < 0)
		goto out;
	if (fsync(fd) < 0 || rename(tmp, path) < 0) {
		error_set(e, EXIT_ENV, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		unlink(tmp);
	free(tmp);
	return ret;
}

/* Boot the guest Q describes until init waits, and save it to PATH. */
static int save(const struct qemu_opts *q, const char *path, struct error *e)
{
	char *dir = xasprintf("%s/save", q->run_dir), *log = xasprintf("%s/serial.log", dir);
	struct qemu_opts o = saved_opts(q, dir);
	struct child c = { 0 };
	struct qmp m = { .fd = -1 };
	int ret = -1;

	o.timeout = BOOT_TIMEOUT + QMP_TIMEOUT;
	if (make_dirs(dir, e) < 0 || !(o.qmp_socket = run_socket(dir, "qmp.sock", e)) ||
	    !(o.channel_socket = run_socket(dir, "cmd.sock", e)) || qemu_start(&o, &c, e) < 0)
		goto out;
	if (wait_for_init(log, &c, e) == 0 && qmp_connect(&m, o.qmp_socket, &c, QMP_TIMEOUT, e) == 0)
		ret = save_waiting(&m, path, e);
out:
	qmp_close(&m);
	child_kill(&c);
	snapshot_sockets_remove(dir);
	strv_free((char **)c.argv);
	free_all((char *)c.log, (char *)o.qmp_socket, (char *)o.channel_socket, dir, log);
	return ret;
}

void snapshot_sockets_remove(const char *run_dir)
{
	static const char *const names[] = { "qmp.sock", "cmd.sock" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = xasprintf("%s/%s", run_dir, names[i]);

		unlink(path);
		free(path);
	}
}

/* The last line QEMU wrote to LOG: why it could not load a state. */
static char *last_line(const char *log)
{
	char *text = read_file(log, NULL), *end, *start, *line;

	if (!text)
		return xstrdup("no log");
	end = text + strlen(text);
	while (end > text && end[-1] == '\n')
		*--end = '\0';
	start = strrchr(text, '\n');
	line = xstrdup(start ? start + 1 : *text ? text : "it said nothing");
	free(text);
	return line;
}

/* ttyS1's socket SOCK, WORDS and the clock and seed written to it. */
static int give_words(const char *sock, const char *words, int *channel, struct error *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned char seed[32];
	char hex[2 * sizeof(seed) + 1], *line;
	ssize_t n;
	int fd;

	if (getrandom(seed, sizeof(seed), 0) != sizeof(seed))
		return error_set(e, EXIT_ENV, "getrandom: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(seed); i++)
		snprintf(hex + 2 * i, 3, "%02x", seed[i]);
	line = xasprintf("%s%slabctl.time=%lld labctl.seed=%s\n", words ? words : "",
			 words ? " " : "", (long long)time(NULL), hex);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		error_set(e, EXIT_FAIL, "cannot connect to the guest's ttyS1 at %s: %s", sock,
			  strerror(errno));
		goto fail;
	}
	/* the guest is paused: the line waits in the socket until init reads it */
	n = send(fd, line, strlen(line), MSG_NOSIGNAL);
	if (n != (ssize_t)strlen(line)) {
		error_set(e, EXIT_FAIL, "cannot write to the guest's ttyS1: %s",
			  n < 0 ? strerror(errno) : "short write");
		goto fail;
	}
	free(line);
	*channel = fd;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(line);
	return -1;
}

/* Start QEMU as Q from the state in PATH, paused, and give init WORDS. */
static int restore(const struct qemu_opts *q, const char *path, const char *words,
		   struct child *qemu, int *channel, struct error *e)
{
	static const char *const loading[] = { "inmigrate", NULL };
	struct qemu_opts o = *q;
	struct qmp m = { .fd = -1 };
	char *why;
	json_t *st = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -1;

	memset(qemu, 0, sizeof(*qemu));
	o.incoming = true;
	if (fd < 0) {
		/* gone (pruned by another labctl since it was found): saved again */
		error_set(e, errno == ENOENT ? EXIT_FAIL : EXIT_ENV, "cannot read %s: %s", path,
			  strerror(errno));
		goto out;
	}
	if (!(o.qmp_socket = run_socket(q->run_dir, "qmp.sock", e)) ||
	    !(o.channel_socket = run_socket(q->run_dir, "cmd.sock", e)) || qemu_start(&o, qemu, e) < 0)
		goto out;
	if (qmp_connect(&m, o.qmp_socket, qemu, QMP_TIMEOUT, e) < 0 ||
	    qmp_send_fd(&m, "state", fd, e) < 0 ||
	    qmp_execute(&m, "migrate-incoming", json_pack("{s:s}", "uri", "fd:state"), NULL, e) < 0 ||
	    !(st = poll_status(&m, "query-status", loading, e))) {
		/* QEMU refused the file and ends (it closed QMP first): its log
		 * says why */
		for (int i = 0; i < 200 && !child_exited(qemu); i++)
			nanosleep(&tick, NULL);
		if (child_exited(qemu)) {
			child_wait(qemu);
			why = last_line(qemu->log);
			error_set(e, EXIT_FAIL, "%s", why);
			free(why);
		}
		goto out;
	}
	if (strcmp(json_string_value(json_object_get(st, "status")), "paused")) {
		error_set(e, EXIT_FAIL, "the guest was %s after loading, not paused",
			  json_string_value(json_object_get(st, "status")));
		goto out;
	}
	ret = give_words(o.channel_socket, words, channel, e);
	if (ret == 0)
		futimens(fd, NULL);	/* used now: kept before older ones (prune()) */
out:
	json_decref(st);
	if (fd >= 0)
		close(fd);
	qmp_close(&m);
	if (ret < 0 && qemu->argv) {
		child_kill(qemu);
		strv_free((char **)qemu->argv);
		free((char *)qemu->log);
		memset(qemu, 0, sizeof(*qemu));
	}
	free_all((char *)o.qmp_socket, (char *)o.channel_socket);
	return ret;
}

char *snapshot_console(const char *state)
{
	size_t n = strlen(state);

	if (ends_with(state, ".state"))
		n -= strlen(".state");
	return xasprintf("%.*s.console", (int)n, state);
}

/* Restore the guest Q describes from H's base, give it H's words, and
 * save it to PATH once the inbox in the held step's place waits; what it
 * printed meanwhile (its servers' words) beside it, snapshot_console(). */
static int save_held(const struct qemu_opts *q, const struct snapshot_hold *h, const char *path,
		     struct error *e)
{
	char *dir = xasprintf("%s/save-%s", q->run_dir, h->step);
	char *log = xasprintf("%s/serial.log", dir), *qmp_sock = NULL;
	struct qemu_opts o = saved_opts(q, dir);
	struct child c = { 0 };
	struct qmp m = { .fd = -1 };
	int channel = -1, ret = -1;

	o.paused = true;	/* loaded paused, then continued here */
	o.timeout = BOOT_TIMEOUT + 2 * QMP_TIMEOUT;
	if (make_dirs(dir, e) < 0 || !(qmp_sock = run_socket(dir, "qmp.sock", e)) ||
	    restore(&o, h->base, h->words, &c, &channel, e) < 0)
		goto out;
	/* restore() has left QMP: its socket takes a new client */
	if (qmp_connect(&m, qmp_sock, &c, QMP_TIMEOUT, e) < 0 ||
	    qmp_execute(&m, "cont", NULL, NULL, e) < 0)
		goto out;
	if (wait_for_init(log, &c, e) == 0) {
		char *console = snapshot_console(path);

		if (copy_file_atomic(log, console) < 0)
			error_set(e, EXIT_ENV, "cannot keep %s's console in %s: %s", path, console,
				  strerror(errno));
		else if ((ret = save_waiting(&m, path, e)) < 0)
			unlink(console);
		free(console);
	}
out:
	qmp_close(&m);
	if (channel >= 0)
		close(channel);
	child_kill(&c);
	snapshot_sockets_remove(dir);
	strv_free((char **)c.argv);
	free_all((char *)c.log, qmp_sock, dir, log);
	return ret;
}

/* The saved states kept, the most recently used first, up to this many MiB
 * in all: a kernel's booted state and its held ones are about 40 MiB each,
 * and every image or kernel rebuilt saves new ones.  LABCTL_SNAPSHOTS_MB
 * sets it. */
#define KEEP_MB 2048

struct state {
	char *path;
	struct timespec used;   /* mtime: saved, or last restored */
	off_t size;
};

static int by_use(const void *a, const void *b)
{
	const struct state *x = a, *y = b;

	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? 1 : -1;
	return x->used.tv_nsec < y->used.tv_nsec ? 1 : x->used.tv_nsec > y->used.tv_nsec ? -1 : 0;
}

/* Remove the least recently used states past the budget, but KEEP (the
 * one just saved).  Called under the snapshots lock; a state removed while
 * another labctl opens it is saved again there (snapshot_restore()). */
static void prune(const char *keep)
{
	const char *env = getenv("LABCTL_SNAPSHOTS_MB");
	unsigned long long budget = (env && *env ? strtoull(env, NULL, 10) : KEEP_MB) << 20;
	unsigned long long total = 0;
	struct error e;
	char *dir = cache_subdir("snapshots", &e);
	struct state *all = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	struct stat st;
	DIR *dp = dir ? opendir(dir) : NULL;

	while (dp && (d = readdir(dp))) {
		char *path;

		if (!ends_with(d->d_name, ".state"))
			continue;
		path = xasprintf("%s/%s", dir, d->d_name);
		if (stat(path, &st) < 0) {
			free(path);
			continue;
		}
		if (n == cap)
			all = xrealloc(all, (cap = cap ? 2 * cap : 16) * sizeof(*all));
		all[n++] = (struct state){ path, st.st_mtim, st.st_size };
	}
	if (dp)
		closedir(dp);
	qsort(all, n, sizeof(*all), by_use);
	for (size_t i = 0; i < n; i++) {
		total += (unsigned long long)all[i].size;
		if (total > budget && strcmp(all[i].path, keep)) {
			char *console = snapshot_console(all[i].path);

			unlink(all[i].path);
			unlink(console);	/* a held state's */
			free(console);
		}
		free(all[i].path);
	}
	free(all);
	free(dir);
}

/* Save the guest to PATH (booted, or H's) unless another labctl did
 * meanwhile. */
static int ensure_saved(const struct qemu_opts *q, const char *path,
			const struct snapshot_hold *h, struct error *e)
{
	int lock = cache_lock("snapshots", e), ret = 0;

	if (lock < 0)
		return -1;
	if (!is_file(path)) {
		if (h)
			note("saving the guest at step %s once, for the traces that follow (logs "
			     "in %s/save-%s)", h->step, q->run_dir, h->step);
		else
			note("saving the booted guest once, for the traces that follow (logs in "
			     "%s/save)", q->run_dir);
		ret = h ? save_held(q, h, path, e) : save(q, path, e);
		if (ret == 0)
			prune(path);
	}
	cache_unlock(lock);
	return ret;
}

char *snapshot_ensure(const struct qemu_opts *q, struct error *e)
{
	char *path = snapshot_path(q, e);

	if (path && (is_file(path) || ensure_saved(q, path, NULL, e) == 0))
		return path;
	note("no saved guest (%s): booting it", e->msg);
	free(path);
	return NULL;
}

/* snapshots/KEY.state of H: KEY = sha256(the format, H's base, its words) */
static char *held_path(const struct snapshot_hold *h, struct error *e)
{
	struct hasher *hs = hasher_new();

	hasher_add_str(hs, FORMAT);
	hasher_add_str(hs, h->base);
	hasher_add_str(hs, h->words);
	return state_path(hs, e);
}

char *snapshot_ensure_held(const struct qemu_opts *q, const struct snapshot_hold *h,
			   struct error *e)
{
	char *path = held_path(h, e), *console = path ? snapshot_console(path) : NULL;

	/* a state without its console (saved before consoles were kept, or
	 * labctl killed between the two) would lose its steps' words */
	if (path && is_file(path) && !is_file(console))
		unlink(path);
	free(console);
	if (path && (is_file(path) || ensure_saved(q, path, h, e) == 0))
		return path;
	note("no guest saved at step %s (%s): restoring it before its scenario", h->step, e->msg);
	free(path);
	return NULL;
}

char *snapshot_inbox_word(const char *archive, struct error *e)
{
	size_t len;
	char *data = read_file(archive, &len), *word;

	if (!data) {
		error_set(e, EXIT_ENV, "cannot read %s: %s", archive, strerror(errno));
		return NULL;
	}
	if (len > LAB_INBOX_SIZE) {
		error_set(e, EXIT_INPUT, "%s: %zu bytes, more than the inbox's %lu", archive, len,
			  LAB_INBOX_SIZE);
		free(data);
		return NULL;
	}
	word = xasprintf("labctl.inbox=%zu:%llx", len, lab_inbox_hash((unsigned char *)data, len));
	free(data);
	return word;
}

int snapshot_restore(const struct qemu_opts *q, const char *path, const struct snapshot_hold *h,
		     const char *words, struct child *qemu, int *channel, struct error *e)
{
	*channel = -1;
	if (restore(q, path, words, qemu, channel, e) == 0)
		return 0;
	if (e->code != EXIT_FAIL)
		return -1;
	/* another QEMU, a corrupt file: thrown away, saved again, once */
	note("the saved guest %s did not load (%s): saving it again", path, e->msg);
	unlink(path);
	if (ensure_saved(q, path, h, e) < 0)
		return -1;
	return restore(q, path, words, qemu, channel, e);
}
