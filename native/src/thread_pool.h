// A persistent pool: the calling (JavaScript) thread takes part, the others wait for work,
// spinning briefly first so the back-to-back calls of a training step never pay a wake-up.
// A job is cut into chunks that whoever is running takes one at a time, so a worker the OS has
// descheduled (a busy machine) delays nobody: the caller simply does its chunks.
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
  using Task = void (*)(void* context, int chunk, int chunks);

  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return size_; }

  // Runs task(context, chunk, chunks) once for every chunk in [0, chunks); returns when all are done.
  // Which thread runs which chunk varies, so a chunk's result must not depend on it.
  void run(Task task, void* context, int chunks);

 private:
  void workerLoop();
  // Takes and runs chunks of the current job until none are left.
  void drain();

  int size_;
  std::vector<std::thread> workers_;
  alignas(64) std::atomic<unsigned long> generation_{0};
  alignas(64) std::atomic<int> done_{0};
  alignas(64) std::mutex jobMutex_;  // guards the job fields below
  Task task_ = nullptr;
  void* context_ = nullptr;
  int chunks_ = 0;
  int next_ = 0;
  std::mutex sleepMutex_;
  std::condition_variable wake_;
  int sleeping_ = 0;
  std::atomic<bool> stop_{false};
  // Set while a job runs: a second caller (another worker_thread's JavaScript) runs serially.
  std::atomic<bool> busy_{false};
};

}  // namespace digitnet

#endif
