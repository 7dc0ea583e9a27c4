/* A second thread for /proc reading (private to the engine). */
#ifndef MEMCG_THREAD_H
#define MEMCG_THREAD_H

#include <pthread.h>

/* Start fn(arg) on a new thread with every signal blocked (signals stay
 * with the caller, whose writes must see EINTR). Measured on the 2-CPU
 * host: a new thread starts on its creator's CPU and, both busy, runs
 * there for 10-15 ms before the balancer moves one of them; so it starts
 * on another CPU the process may use, and lets that go at once. 0, or -1
 * when no thread could start. */
int mc_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
