// A persistent pool: the calling (JavaScript) thread is worker 0, the others wait for work,
// spinning briefly first so the back-to-back calls of a training step never pay a wake-up.
#ifndef DIGITNET_THREAD_POOL_H
#define DIGITNET_THREAD_POOL_H

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace digitnet {

class ThreadPool {
 public:
  using Task = void (*)(void* context, int index, int count);

  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return size_; }

  // Runs task(context, i, count) for i in [0, count) with count <= size(); returns when all are done.
  void run(Task task, void* context, int count);

 private:
  void workerLoop(int index);

  int size_;
  std::vector<std::thread> workers_;
  alignas(64) std::atomic<unsigned long> generation_{0};
  alignas(64) std::atomic<int> remaining_{0};
  alignas(64) Task task_ = nullptr;
  void* context_ = nullptr;
  int count_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  int sleeping_ = 0;
  std::atomic<bool> stop_{false};
};

}  // namespace digitnet

#endif
