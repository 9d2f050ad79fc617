// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreader-bench: figures for posreaderd on the simulator, from one run,
 * printed side by side with their targets. Not a test: nothing here
 * fails on a slow machine; it measures.
 *
 *   APDU round trip via Transmit and via AcquireChannel, against a no-op
 *   call (Peer.Ping) to the same daemon over the same bus: the floor;
 *   and the reader's own round trip, a command to an identical simulator
 *   that no daemon owns, so its share can be told from the daemon's;
 *   the daemon's own CPU time per call of each kind;
 *   swipe-to-signal latency; idle RSS with 1 and 8 readers, and how much
 *   of it is anonymous and how much file-backed; cold start to name
 *   owned; wakeups while idle; event cost with 1..8 readers and 1..64
 *   subscribed clients.
 *
 * Card services need an active terminal: meson runs this with the
 * daemon's test hook POSREADER_TEST_PROVISION=1, which provisions the
 * fresh state directory with fixed test keys.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "posreader/wire.h"

#define ROUNDS	    2000
#define EVENTS	    300
#define CLIENTS_MAX 64

static const uint8_t echo[] = { 0x80, 0xee, 0x00, 0x00, 0x10 };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	double p50_us, p99_us;
};

static struct stats percentiles(uint64_t *ns, size_t n)
{
	struct stats s = { 0 };

	if (!n)
		return s;
	qsort(ns, n, sizeof(*ns), cmp_u64);
	s.p50_us = ns[n / 2] / 1000.0;
	s.p99_us = ns[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1000.0;
	return s;
}

/* What die() stops: the bus, daemon and simulators of the run. */
static struct env *running;

static void die(const char *what, int err)
{
	fprintf(stderr, "posreader-bench: %s: %s\n", what, strerror(-err));
	if (running)
		env_stop(running);
	exit(1);
}

static void row(const char *metric, const char *value, const char *target)
{
	printf("| %-44s | %-28s | %-22s |\n", metric, value, target);
}

static void row_stats(const char *metric, struct stats s, const char *target)
{
	char v[64];

	snprintf(v, sizeof(v), "p50 %.1f us, p99 %.1f us", s.p50_us, s.p99_us);
	row(metric, v, target);
}

/* A ratio of two p50 figures. */
static void row_ratio(const char *metric, double a_us, double b_us,
		      const char *target)
{
	char v[64];

	snprintf(v, sizeof(v), "%.2fx (p50)", a_us / b_us);
	row(metric, v, target);
}

/* ---- Round trips -------------------------------------------------------- */

/* Nanoseconds pid has run on a CPU so far (/proc/PID/schedstat). */
static uint64_t cpu_ns(pid_t pid)
{
	unsigned long long ns = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	f = fopen(path, "re");
	if (!f || fscanf(f, "%llu", &ns) != 1)
		die("schedstat", -EIO);
	fclose(f);
	return ns;
}

/*
 * The daemon's CPU time per call, in microseconds: what it does itself,
 * whatever the scheduler does with the hops around it.
 */
struct cpu_per_call {
	double ping_us, tx_us, ch_us;
};

/* A connected Unix socket of the given type to path; what names it. */
static int unix_connect(const char *path, int type, const char *what)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	if (strlen(path) >= sizeof(sa.sun_path))
		die(what, -ENAMETOOLONG);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die(what, -errno);
	return fd;
}

static void one_ping(sd_bus *bus)
{
	int ret;

	ret = sd_bus_call_method(bus, "org.posreader1", "/org/posreader1",
				 "org.freedesktop.DBus.Peer", "Ping", NULL,
				 NULL, "");
	if (ret < 0)
		die("Ping", ret);
}

static void one_transmit(sd_bus *bus, const char *path)
{
	int ret;

	ret = reader_transmit(bus, path, "icc", echo, sizeof(echo), NULL);
	if (ret < 0)
		die("Transmit", ret);
}

static void one_channel(int fd)
{
	uint8_t rsp[64];

	if (send(fd, echo, sizeof(echo), 0) != sizeof(echo) ||
	    recv(fd, rsp, sizeof(rsp), 0) != 18)
		die("channel exchange", -EIO);
}

/*
 * The reader alone: one command to a simulator that no daemon owns, and
 * its response. It is what Transmit and the channel spend waiting for the
 * reader, which a real reader spends on USB and the card instead.
 */
static void one_direct(int fd, uint8_t type, const uint8_t *payload, size_t len)
{
	static uint8_t seq;
	uint8_t buf[PRW_MAX_FRAME];
	struct prw_frame f;
	ssize_t n;

	n = prw_frame_encode(buf, sizeof(buf), type, ++seq, 0, 0, payload, len);
	if (n < 0 || send(fd, buf, n, 0) != n)
		die("reader command", -EIO);
	/* Events (card inserted, ...) may come first; skip them. */
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0 || prw_frame_decode(buf, n, &f) < 0)
			die("reader response", -EIO);
		if (f.type == prw_response_type(type) && f.seq == seq)
			break;
	}
	if (f.status != PRW_ST_OK)
		die("reader response status", -EIO);
}

/* Connect to simulator slot i, insert and power its card. */
static int direct_open(struct env *e, unsigned int i)
{
	int fd;

	if (env_sim_ctl(e, i, "icc", "insert", NULL) < 0)
		die("direct reader: insert", -EIO);
	fd = unix_connect(e->sims[i].sock, SOCK_SEQPACKET, "direct reader");
	one_direct(fd, PRW_CMD_ICC_POWER_ON, NULL, 0);
	return fd;
}

static void one_direct_apdu(int fd)
{
	uint8_t payload[PRW_MAX_PAYLOAD];
	int n;

	n = prw_apdu_encode(payload, sizeof(payload), PRW_SLOT_ICC, echo,
			    sizeof(echo));
	if (n < 0)
		die("APDU encode", -EINVAL);
	one_direct(fd, PRW_CMD_APDU, payload, n);
}

/*
 * The four paths take turns, round by round, so that whatever else the
 * machine does falls on all of them alike.
 */
static void bench_round_trips(sd_bus *bus, const char *path, int direct,
			      pid_t daemon, struct stats *ret_ping,
			      struct stats *ret_tx, struct stats *ret_ch,
			      struct stats *ret_direct,
			      struct cpu_per_call *ret_cpu)
{
	static uint64_t tp[ROUNDS], tt[ROUNDS], tc[ROUNDS], td[ROUNDS];
	sd_bus_message *reply = NULL;
	uint64_t t0;
	int fd, ret;

	ret = reader_call(bus, path, "AcquireChannel", &reply, "s", "icc");
	if (ret < 0)
		die("AcquireChannel", ret);
	if (sd_bus_message_read(reply, "h", &fd) < 0)
		die("AcquireChannel reply", -EBADMSG);
	fd = dup(fd);
	sd_bus_message_unref(reply);

	/* Warm every path up first. */
	for (int i = 0; i < ROUNDS / 10; i++) {
		one_ping(bus);
		one_transmit(bus, path);
		one_channel(fd);
		one_direct_apdu(direct);
	}
	for (int i = 0; i < ROUNDS; i++) {
		t0 = now_ns();
		one_ping(bus);
		tp[i] = now_ns() - t0;
		t0 = now_ns();
		one_transmit(bus, path);
		tt[i] = now_ns() - t0;
		t0 = now_ns();
		one_channel(fd);
		tc[i] = now_ns() - t0;
		t0 = now_ns();
		one_direct_apdu(direct);
		td[i] = now_ns() - t0;
	}
	/* CPU per call: each path alone, ROUNDS times. */
	t0 = cpu_ns(daemon);
	for (int i = 0; i < ROUNDS; i++)
		one_ping(bus);
	ret_cpu->ping_us = (cpu_ns(daemon) - t0) / 1e3 / ROUNDS;
	t0 = cpu_ns(daemon);
	for (int i = 0; i < ROUNDS; i++)
		one_transmit(bus, path);
	ret_cpu->tx_us = (cpu_ns(daemon) - t0) / 1e3 / ROUNDS;
	t0 = cpu_ns(daemon);
	for (int i = 0; i < ROUNDS; i++)
		one_channel(fd);
	ret_cpu->ch_us = (cpu_ns(daemon) - t0) / 1e3 / ROUNDS;
	close(fd);
	*ret_ping = percentiles(tp, ROUNDS);
	*ret_tx = percentiles(tt, ROUNDS);
	*ret_ch = percentiles(tc, ROUNDS);
	*ret_direct = percentiles(td, ROUNDS);
}

/* ---- Events ------------------------------------------------------------- */

static void ctl_command(int fd, const char *line)
{
	char buf[256];
	ssize_t n;

	if (write(fd, line, strlen(line)) < 0)
		die("control write", -errno);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0 || strncmp(buf, "ok", 2) != 0)
		die("control reply", -EIO);
}

static int count_signal(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	(*(unsigned int *)userdata)++;
	return 0;
}

/* Swipe-to-signal latency on reader 0, seen by clients[0]; the other
 * clients subscribe too and are drained between events. */
static struct stats bench_events(struct env *e, sd_bus **clients,
				 unsigned int n_clients, const char *path)
{
	static uint64_t t[EVENTS];
	unsigned int got[CLIENTS_MAX] = { 0 };
	sd_bus_slot *slots[CLIENTS_MAX] = { 0 };
	int ctl = unix_connect(e->sims[0].ctl, SOCK_STREAM, "control socket");
	int ret;

	for (unsigned int c = 0; c < n_clients; c++) {
		ret = sd_bus_match_signal(clients[c], &slots[c],
					  "org.posreader1", path,
					  "org.posreader1.Reader", "CardSwiped",
					  count_signal, &got[c]);
		if (ret < 0)
			die("subscribe", ret);
	}
	for (unsigned int c = 0; c < n_clients; c++)
		bus_pump(clients[c], 5);

	for (int i = 0; i < EVENTS; i++) {
		unsigned int before = got[0];
		uint64_t t0 = now_ns(), deadline = t0 + 2000000000ULL;

		ctl_command(ctl, "swipe\n");
		while (got[0] == before && now_ns() < deadline) {
			ret = sd_bus_process(clients[0], NULL);
			if (ret == 0)
				sd_bus_wait(clients[0], 1000);
		}
		t[i] = now_ns() - t0;
		for (unsigned int c = 1; c < n_clients; c++)
			while (sd_bus_process(clients[c], NULL) > 0)
				;
	}
	for (unsigned int c = 0; c < n_clients; c++)
		sd_bus_slot_unref(slots[c]);
	close(ctl);
	return percentiles(t, EVENTS);
}

/* ---- The daemon process ------------------------------------------------- */

static long proc_status_value(pid_t pid, const char *key)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtol(line + strlen(key) + 1, NULL, 10);
	fclose(f);
	return v;
}

/*
 * The daemon's resident memory (VmRSS) and its two parts: anonymous
 * (heap, stacks, libraries' relocated data) and file-backed (mostly the
 * shared libraries' pages, which every process using them shares).
 */
struct rss {
	long total_kb, anon_kb, file_kb;
};

static struct rss daemon_rss(pid_t pid)
{
	return (struct rss){
		.total_kb = proc_status_value(pid, "VmRSS"),
		.anon_kb = proc_status_value(pid, "RssAnon"),
		.file_kb = proc_status_value(pid, "RssFile") +
			   proc_status_value(pid, "RssShmem"),
	};
}

static void row_rss(const char *metric, struct rss r)
{
	char v[64];

	snprintf(v, sizeof(v), "%ld kB", r.total_kb);
	row(metric, v, "<= 4096 kB");
	snprintf(v, sizeof(v), "%ld kB + %ld kB", r.anon_kb, r.file_kb);
	row("  of which anonymous + file-backed", v, "-");
}

static void wait_readers(sd_bus *bus, struct env *e, unsigned int n)
{
	char *s = NULL;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t end = now_ms() + 5000;

		while (reader_get_string(bus, reader_path(e->sims[i].serial),
					 "Serial", &s) < 0) {
			if (now_ms() > end)
				die("reader did not appear", -ETIMEDOUT);
			bus_pump(bus, 10);
		}
		free(s);
	}
}

static double cold_start_ms(void)
{
	uint64_t best[5];
	struct env e;

	for (int i = 0; i < 5; i++) {
		uint64_t t0;

		if (env_start_bus(&e) < 0)
			die("bus", -EIO);
		running = &e;
		t0 = now_ns();
		if (env_start_daemon(&e) < 0)
			die("daemon", -EIO);
		best[i] = now_ns() - t0;
		env_stop(&e);
		running = NULL;
	}
	qsort(best, 5, sizeof(best[0]), cmp_u64);
	return best[2] / 1e6;
}

int main(void)
{
	static char serials[8][16];
	sd_bus *clients[CLIENTS_MAX] = { 0 };
	struct stats ping, tx, ch, direct, ev;
	struct cpu_per_call cpu;
	struct rss rss1, rss8 = { -1, -1, -1 };
	long csw0, csw1;
	char v[96], path0[128];
	struct env e;
	int ret, direct_fd;

	printf("posreader-bench: posreaderd with posreader-sim on a private "
	       "dbus-daemon\n\n");
	row("metric", "value", "target");
	printf("|%.46s|%.30s|%.24s|\n",
	       "-----------------------------------------------",
	       "-------------------------------", "-------------------------");

	if (env_start_bus(&e) < 0)
		die("dbus-daemon", -EIO);
	running = &e;
	snprintf(serials[0], sizeof(serials[0]), "BENCH-0");
	if (env_start_sim(&e, 0, serials[0], NULL) < 0 ||
	    env_start_daemon(&e) < 0)
		die("start", -EIO);
	snprintf(path0, sizeof(path0), "%s", reader_path(serials[0]));
	for (int c = 0; c < CLIENTS_MAX; c++) {
		ret = env_connect(&e, &clients[c]);
		if (ret < 0)
			die("connect", ret);
	}
	wait_readers(clients[0], &e, 1);

	/* Idle: RSS with one reader, and wakeups over two quiet seconds. */
	bus_pump(clients[0], 300);
	rss1 = daemon_rss(e.daemon_pid);
	csw0 = proc_status_value(e.daemon_pid, "voluntary_ctxt_switches") +
	       proc_status_value(e.daemon_pid, "nonvoluntary_ctxt_switches");
	sleep(2);
	csw1 = proc_status_value(e.daemon_pid, "voluntary_ctxt_switches") +
	       proc_status_value(e.daemon_pid, "nonvoluntary_ctxt_switches");

	if (reader_call(clients[0], path0, "Claim", NULL, NULL) < 0 ||
	    env_sim_ctl(&e, 0, "icc", "insert", NULL) < 0)
		die("claim", -EIO);
	bus_pump(clients[0], 200);
	if (reader_call(clients[0], path0, "IccPowerOn", NULL, NULL) < 0)
		die("IccPowerOn", -EIO);

	if (env_start_sim_unwatched(&e, ENV_SIMS_MAX - 1, "BENCH-DIRECT") < 0)
		die("direct simulator", -EIO);
	direct_fd = direct_open(&e, ENV_SIMS_MAX - 1);
	bench_round_trips(clients[0], path0, direct_fd, e.daemon_pid, &ping,
			  &tx, &ch, &direct, &cpu);
	close(direct_fd);
	env_stop_sim(&e, ENV_SIMS_MAX - 1);
	row_stats("no-op call (Peer.Ping): the floor", ping, "-");
	row_stats("the reader alone (simulator, no daemon)", direct, "-");
	row_stats("APDU via Transmit", tx, "<= 1.3x floor");
	row_ratio("  Transmit / floor", tx.p50_us, ping.p50_us, "<= 1.3");
	row_ratio("  the same, less the reader's own time",
		  tx.p50_us - direct.p50_us, ping.p50_us, "<= 1.3");
	row_stats("APDU via AcquireChannel", ch, "well under the floor");
	row_ratio("  channel / floor", ch.p50_us, ping.p50_us, "< 1");
	row_ratio("  the same, less the reader's own time",
		  ch.p50_us - direct.p50_us, ping.p50_us, "< 1");
	snprintf(v, sizeof(v), "%.1f us", cpu.ping_us);
	row("daemon CPU per call: Peer.Ping", v, "-");
	snprintf(v, sizeof(v), "%.1f us (%.2fx Ping)", cpu.tx_us,
		 cpu.tx_us / cpu.ping_us);
	row("daemon CPU per call: Transmit", v, "-");
	snprintf(v, sizeof(v), "%.1f us (%.2fx Ping)", cpu.ch_us,
		 cpu.ch_us / cpu.ping_us);
	row("daemon CPU per call: channel APDU", v, "-");
	reader_call(clients[0], path0, "Release", NULL, NULL);

	for (int r = 1; r <= 8; r *= 8) {
		for (unsigned int n = 1; n <= CLIENTS_MAX; n *= 8) {
			char m[64];

			if (r == 8 && e.sims[1].pid == 0) {
				for (int i = 1; i < 8; i++) {
					snprintf(serials[i], sizeof(serials[i]),
						 "BENCH-%d", i);
					if (env_start_sim(&e, i, serials[i],
							  NULL) < 0)
						die("sim", -EIO);
				}
				wait_readers(clients[0], &e, 8);
				bus_pump(clients[0], 300);
				rss8 = daemon_rss(e.daemon_pid);
			}
			ev = bench_events(&e, clients, n, path0);
			snprintf(m, sizeof(m),
				 "swipe -> signal, %d reader%s, %u client%s", r,
				 r > 1 ? "s" : "", n, n > 1 ? "s" : "");
			row_stats(m, ev,
				  r == 1 && n == 1 ? "p99 <= 1 ms" :
						     "grows gently");
		}
	}

	row_rss("idle RSS, 1 reader", rss1);
	row_rss("idle RSS, 8 readers", rss8);
	snprintf(v, sizeof(v), "%ld in 2 s", csw1 - csw0);
	row("wakeups while idle (context switches)", v, "0");
	for (int c = 0; c < CLIENTS_MAX; c++)
		sd_bus_flush_close_unref(clients[c]);
	env_stop(&e);
	running = NULL;

	snprintf(v, sizeof(v), "%.1f ms (median of 5)", cold_start_ms());
	row("cold start to name owned", v, "-");
	printf("\nAPDU: ECHO of 16 bytes to the simulated ICC, %d rounds; "
	       "events: %d swipes.\n"
	       "The reader's own time is a simulator like the daemon's, with "
	       "no daemon in between,\nmeasured in the same rounds: Transmit "
	       "and the channel wait for it, as they would\nwait for USB and "
	       "the card on a real reader.\n",
	       ROUNDS, EVENTS);
	return 0;
}
