#include "thread_pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void cpuRelax() { _mm_pause(); }
#elif defined(__aarch64__)
static inline void cpuRelax() { __asm__ __volatile__("yield"); }
#else
static inline void cpuRelax() {}
#endif

namespace digitnet {

// Workers spin ~0.15 ms (a pause is ~13 ns on Ice Lake) before sleeping: long enough to cover the
// JavaScript between two engine calls of a training step, short enough not to burn a core while
// the process idles. They yield now and then while spinning, so that on a busy machine, where a
// worker may share a core with the JavaScript thread, spinning does not take that thread's time.
static const int kSpinIterations = 8000;
static const int kYieldEvery = 64;
// The caller, done with its chunks, spins ~25 µs for the workers' last ones, then yields between
// checks: a worker the OS parked on this very core (a busy machine) then gets to finish.
static const int kWaitSpins = 2000;

ThreadPool::ThreadPool(int threads) : size_(threads < 1 ? 1 : threads) {
  for (int index = 1; index < size_; index++) workers_.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(sleepMutex_);
    stop_.store(true, std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void ThreadPool::drain() {
  for (;;) {
    Task task;
    void* context;
    int chunk, chunks;
    {
      std::lock_guard<std::mutex> lock(jobMutex_);
      if (next_ >= chunks_) return;
      chunk = next_++;
      chunks = chunks_;
      task = task_;
      context = context_;
    }
    task(context, chunk, chunks);
    // The job stays current until every chunk is done, so this count is always this job's.
    done_.fetch_add(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::run(Task task, void* context, int chunks) {
  if (chunks <= 0) return;
  if (size_ == 1 || chunks == 1 || busy_.exchange(true, std::memory_order_acquire)) {
    for (int chunk = 0; chunk < chunks; chunk++) task(context, chunk, chunks);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(jobMutex_);
    task_ = task;
    context_ = context;
    chunks_ = chunks;
    next_ = 0;
    done_.store(0, std::memory_order_relaxed);
  }
  bool anySleeping;
  {
    std::lock_guard<std::mutex> lock(sleepMutex_);
    generation_.fetch_add(1, std::memory_order_release);
    anySleeping = sleeping_ > 0;
  }
  if (anySleeping) wake_.notify_all();
  drain();
  // A chunk still running belongs to a worker; if it is slow, the OS may have parked it for
  // another process (an oversubscribed machine), so after a while let it have this core.
  for (int spins = 0; done_.load(std::memory_order_acquire) != chunks; spins++) {
    if (spins < kWaitSpins) {
      cpuRelax();
    } else {
      std::this_thread::yield();
    }
  }
  busy_.store(false, std::memory_order_release);
}

void ThreadPool::workerLoop() {
  unsigned long seen = 0;
  for (;;) {
    unsigned long current = generation_.load(std::memory_order_acquire);
    int spins = 0;
    while (current == seen) {
      if (++spins < kSpinIterations) {
        cpuRelax();
        if (spins % kYieldEvery == 0) std::this_thread::yield();
      } else {
        std::unique_lock<std::mutex> lock(sleepMutex_);
        while (generation_.load(std::memory_order_acquire) == seen) {
          sleeping_++;
          wake_.wait(lock);
          sleeping_--;
        }
        spins = 0;
      }
      current = generation_.load(std::memory_order_acquire);
    }
    seen = current;
    if (stop_.load(std::memory_order_acquire)) return;
    drain();
  }
}

}  // namespace digitnet
