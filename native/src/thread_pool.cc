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

// About a millisecond of spinning: long enough to cover the JavaScript between two engine calls
// of a training step, short enough not to burn a core while the process idles.
static const int kSpinIterations = 20000;

ThreadPool::ThreadPool(int threads) : size_(threads < 1 ? 1 : threads) {
  for (int index = 1; index < size_; index++) workers_.emplace_back([this, index] { workerLoop(index); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true, std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void ThreadPool::run(Task task, void* context, int count) {
  if (count <= 1 || size_ == 1) {
    task(context, 0, 1);
    return;
  }
  if (count > size_) count = size_;
  task_ = task;
  context_ = context;
  count_ = count;
  // Every worker acknowledges every generation, so none can mistake a later job for this one.
  remaining_.store(size_ - 1, std::memory_order_relaxed);
  bool anySleeping;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    generation_.fetch_add(1, std::memory_order_release);
    anySleeping = sleeping_ > 0;
  }
  if (anySleeping) wake_.notify_all();
  task(context, 0, count);
  while (remaining_.load(std::memory_order_acquire) != 0) cpuRelax();
}

void ThreadPool::workerLoop(int index) {
  unsigned long seen = 0;
  for (;;) {
    unsigned long current = generation_.load(std::memory_order_acquire);
    int spins = 0;
    while (current == seen) {
      if (++spins < kSpinIterations) {
        cpuRelax();
      } else {
        std::unique_lock<std::mutex> lock(mutex_);
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
    if (index < count_) task_(context_, index, count_);
    remaining_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace digitnet
