/*
 * loadr executor shim (built by build.ts, embedded in dist/loadr).
 *
 * Runs blocking plugin calls (`loadr_plugin_execute`) off the JS thread. One pool per JS thread
 * (main or worker): jobs go to a pthread pool that grows on demand up to `max_threads`; finished
 * calls land in a completion queue, and the JS side is woken by ONE threadsafe JSCallback (the
 * "doorbell"), rung only when the queue goes from drained to non-empty. JS then drains
 * completions in batches with shim_drain() — so a busy pool costs one JS wake-up per batch, not
 * per call (docs/dev/native-host-recipes.md §2, design (c)).
 *
 * The shim never frees plugin buffers: JS copies each response and calls the plugin's own
 * loadr_plugin_free on its thread. Request bytes are copied on submit, so JS may reuse its buffer.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t *(*execute_fn)(const uint8_t *req, size_t req_len, size_t *out_len);
typedef void (*doorbell_fn)(void);

typedef struct job {
  struct job *next;
  execute_fn fn;
  uint8_t *req;
  size_t req_len;
  uint64_t tag;
  uint8_t *resp;
  size_t resp_len;
} job;

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  job *q_head, *q_tail;       /* pending */
  job *c_head, *c_tail;       /* completed */
  int threads, idle, max_threads, stopping;
  int bell_pending;
  doorbell_fn bell;
} pool;

static void *worker_main(void *arg) {
  pool *p = arg;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->q_head && !p->stopping) {
      p->idle++;
      pthread_cond_wait(&p->cv, &p->mu);
      p->idle--;
    }
    if (p->stopping && !p->q_head) break;
    job *j = p->q_head;
    p->q_head = j->next;
    if (!p->q_head) p->q_tail = NULL;
    pthread_mutex_unlock(&p->mu);

    j->resp_len = 0;
    j->resp = j->fn(j->req, j->req_len, &j->resp_len);
    free(j->req);
    j->req = NULL;
    j->next = NULL;

    pthread_mutex_lock(&p->mu);
    if (p->c_tail) p->c_tail->next = j; else p->c_head = j;
    p->c_tail = j;
    int ring = !p->bell_pending;
    p->bell_pending = 1;
    /* threadsafe JSCallback: enqueues onto the owning JS thread's loop and returns at once. Rung
     * under the lock, so that once loadr_shim_mute() has returned no ring can still be on its way. */
    if (ring && p->bell) p->bell();
  }
  p->threads--;
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

void *loadr_shim_create(int max_threads, doorbell_fn bell) {
  pool *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv, NULL);
  p->max_threads = max_threads < 1 ? 1 : max_threads;
  p->bell = bell;
  return p;
}

/* Queue one call; returns 0, or -1 when out of memory. */
int32_t loadr_shim_submit(void *vp, execute_fn fn, const uint8_t *req, size_t req_len, double tag) {
  pool *p = vp;
  job *j = calloc(1, sizeof *j);
  if (!j) return -1;
  j->req = malloc(req_len ? req_len : 1);
  if (!j->req) { free(j); return -1; }
  memcpy(j->req, req, req_len);
  j->req_len = req_len;
  j->fn = fn;
  j->tag = (uint64_t)tag;
  pthread_mutex_lock(&p->mu);
  if (p->q_tail) p->q_tail->next = j; else p->q_head = j;
  p->q_tail = j;
  /* grow: one thread per queued call that no idle thread will pick up (blocking plugins) */
  int spawn = p->idle == 0 && p->threads < p->max_threads;
  if (spawn) p->threads++;
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
  if (spawn) {
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 1 << 20);
    if (pthread_create(&t, &a, worker_main, p) != 0) {
      pthread_mutex_lock(&p->mu);
      p->threads--;
      pthread_mutex_unlock(&p->mu);
    }
    pthread_attr_destroy(&a);
  }
  return 0;
}

/*
 * Move up to `max` completions into `out` as triples of f64 (tag, response pointer, response
 * length) — doubles so JS reads them from one Float64Array without BigInt. Returns the count.
 * When the queue is left empty the doorbell is re-armed.
 */
int32_t loadr_shim_drain(void *vp, double *out, int32_t max) {
  pool *p = vp;
  int32_t n = 0;
  pthread_mutex_lock(&p->mu);
  while (p->c_head && n < max) {
    job *j = p->c_head;
    p->c_head = j->next;
    out[n * 3] = (double)j->tag;
    out[n * 3 + 1] = (double)(uintptr_t)j->resp;
    out[n * 3 + 2] = (double)j->resp_len;
    free(j);
    n++;
  }
  if (!p->c_head) {
    p->c_tail = NULL;
    p->bell_pending = 0;
  }
  pthread_mutex_unlock(&p->mu);
  return n;
}

/* Threads that exist (busy or idle), for tests and diagnostics. */
int32_t loadr_shim_threads(void *vp) {
  pool *p = vp;
  pthread_mutex_lock(&p->mu);
  int32_t n = p->threads;
  pthread_mutex_unlock(&p->mu);
  return n;
}

/*
 * The JS thread that owns the doorbell is about to end (a worker whose run is over is terminated
 * next): no ring after this returns — a threadsafe JSCallback rung into a finished worker crashes
 * the process. Calls still running complete into the queue, which nobody drains any more (their
 * responses are not freed); idle threads exit.
 */
void loadr_shim_mute(void *vp) {
  pool *p = vp;
  pthread_mutex_lock(&p->mu);
  p->bell = NULL;
  p->stopping = 1;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

/* Ask idle threads to exit; the pool itself stays allocated (threads still running finish). */
void loadr_shim_stop(void *vp) {
  pool *p = vp;
  pthread_mutex_lock(&p->mu);
  p->stopping = 1;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
}
