/*
 * redis-server: a service plugin over the loadr descriptor ABI. start() launches a private
 * `redis-server` on a free loopback port (nothing persisted) and waits until it accepts
 * connections; its result {"url":"redis://127.0.0.1:<port>","host":...,"port":...} is what a plan
 * targets as ${services.<name>.url}. stop() terminates it (SIGTERM, then SIGKILL after 2 s).
 * Config: binary (default "redis-server"), port (default 0 = any free port).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../../include/loadr_plugin.h"

extern char **environ;

typedef struct { pid_t pid; int port; } service;

static void out_str(uint8_t **out, size_t *out_len, const char *s) {
  size_t n = strlen(s);
  *out = malloc(n);
  memcpy(*out, s, n);
  *out_len = n;
}

static char *json_str(const uint8_t *j, size_t len, const char *key) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":\"", key);
  size_t pl = strlen(pat);
  for (size_t i = 0; i + pl <= len; i++) {
    if (memcmp(j + i, pat, pl) != 0) continue;
    size_t s = i + pl, e = s;
    while (e < len && j[e] != '"') e++;
    char *o = malloc(e - s + 1);
    memcpy(o, j + s, e - s);
    o[e - s] = 0;
    return o;
  }
  return NULL;
}

static long json_num(const uint8_t *j, size_t len, const char *key, long dflt) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":", key);
  size_t pl = strlen(pat);
  for (size_t i = 0; i + pl < len; i++) {
    if (memcmp(j + i, pat, pl) == 0) return strtol((const char *)j + i + pl, NULL, 10);
  }
  return dflt;
}

static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t l = sizeof a;
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &l) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  return ntohs(a.sin_port);
}

static int can_connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
  if (fd >= 0) close(fd);
  return ok;
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static int32_t start(const uint8_t *cfg, size_t len, void **handle, uint8_t **out, size_t *out_len) {
  char msg[512];
  char *bin = json_str(cfg, len, "binary");
  int port = (int)json_num(cfg, len, "port", 0);
  if (port == 0) port = free_port();
  if (port <= 0) { out_str(out, out_len, "no free loopback port"); free(bin); return 1; }
  char ports[16];
  snprintf(ports, sizeof ports, "%d", port);
  char *argv[] = {bin ? bin : "redis-server", "--port", ports, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes", NULL};
  pid_t pid;
  /* its log would interleave with loadr's output: send it to /dev/null */
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    snprintf(msg, sizeof msg, "cannot start %s: %s (install redis-server, or set config.binary)", argv[0], strerror(rc));
    free(bin);
    out_str(out, out_len, msg);
    return 1;
  }
  free(bin);
  for (int waited = 0; !can_connect(port); waited += 10) {
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      snprintf(msg, sizeof msg, "redis-server exited during startup (port %d taken?)", port);
      out_str(out, out_len, msg);
      return 1;
    }
    if (waited > 5000) {
      kill(pid, SIGKILL);
      waitpid(pid, NULL, 0);
      out_str(out, out_len, "redis-server did not accept connections within 5 s");
      return 1;
    }
    sleep_ms(10);
  }
  service *s = calloc(1, sizeof *s);
  s->pid = pid;
  s->port = port;
  *handle = s;
  snprintf(msg, sizeof msg, "{\"url\":\"redis://127.0.0.1:%d\",\"host\":\"127.0.0.1\",\"port\":%d,\"pid\":%d}", port, port, (int)pid);
  out_str(out, out_len, msg);
  return 0;
}

static void stop(void *h) {
  service *s = h;
  if (!s) return;
  kill(s->pid, SIGTERM);
  for (int i = 0; i < 200; i++) {
    if (waitpid(s->pid, NULL, WNOHANG) == s->pid) { free(s); return; }
    sleep_ms(10);
  }
  kill(s->pid, SIGKILL);
  waitpid(s->pid, NULL, 0);
  free(s);
}

static void free_buf(uint8_t *p, size_t n) { (void)n; free(p); }

static const loadr_service_v1 DESCRIPTOR = {
  {LOADR_DESCRIPTOR_MAGIC, LOADR_DESCRIPTOR_ABI_MAJOR, LOADR_DESCRIPTOR_ABI_MINOR, sizeof(loadr_service_v1), LOADR_ROLE_SERVICE},
  "{\"name\":\"redis-server\",\"version\":\"0.1.0\",\"kind\":\"service\",\"description\":\"A private redis-server on a free loopback port\"}",
  start, stop, free_buf,
};

LOADR_EXPORT const loadr_plugin_header *loadr_plugin_descriptor(uint32_t host_abi_major) {
  return host_abi_major == LOADR_DESCRIPTOR_ABI_MAJOR ? &DESCRIPTOR.hdr : NULL;
}
