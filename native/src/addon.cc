// The N-API boundary: one native call per Engine method, typed arrays used in place, nothing
// allocated per call. Sizes arrive as int32 and every buffer is checked against them, so bad
// arguments throw a RangeError instead of touching memory they do not own.
#include <math.h>
#include <node_api.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "gemm.h"
#include "kernels.h"
#include "precision.h"
#include "random.h"
#include "thread_pool.h"

namespace digitnet {
namespace {

ThreadPool* pool = nullptr;
const IsaKernels* isa = nullptr;
int threadCount = 1;
char errorMessage[512];
// The addon's state is per process, shared by every Node environment (worker_threads) that loads
// it; the pool goes when the last of them does.
std::atomic<int> environments{0};
std::mutex setupMutex;

// Rows of a gather requested ahead of the one being converted (memory latency over conversion time).
const long kGatherAhead = 8;
// Elementwise work below this many elements runs on the calling thread.
const long kParallelElements = 1L << 15;

const IsaKernels* bestKernels(const char* requested) {
  const IsaKernels* generic = kernelsGeneric();
#if defined(DIGITNET_X86)
  __builtin_cpu_init();
  bool hasAvx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                   __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
  bool hasAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  bool wantAvx512 = strcmp(requested, "auto") == 0 || strcmp(requested, "avx512") == 0;
  bool wantAvx2 = wantAvx512 || strcmp(requested, "avx2") == 0;
  if (wantAvx512 && hasAvx512) return kernelsAvx512();
  if (wantAvx2 && hasAvx2) return kernelsAvx2();
#else
  (void)requested;
#endif
  return generic;
}

// ---- argument helpers -------------------------------------------------------------------------

bool fail(napi_env env, const char* format, ...) __attribute__((format(printf, 2, 3)));
bool fail(napi_env env, const char* format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(errorMessage, sizeof errorMessage, format, args);
  va_end(args);
  napi_throw_range_error(env, nullptr, errorMessage);
  return false;
}

const char* typeName(napi_typedarray_type type) {
  switch (type) {
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_int8_array: return "Int8Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    default: return "another typed array";
  }
}

bool isNullish(napi_env env, napi_value value) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) return false;
  return type == napi_null || type == napi_undefined;
}

// Fetches a typed array of the expected element type holding at least `needed` elements.
template <typename T>
bool array(napi_env env, const char* method, const char* name, napi_value value, napi_typedarray_type expected,
           long needed, T** out, size_t* lengthOut = nullptr) {
  napi_typedarray_type type;
  size_t length;
  void* data;
  bool isTyped = false;
  napi_is_typedarray(env, value, &isTyped);
  if (!isTyped || napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr) != napi_ok) {
    return fail(env, "%s: %s must be a %s.", method, name, typeName(expected));
  }
  if (type != expected) {
    return fail(env, "%s: %s must be a %s, not a %s.", method, name, typeName(expected), typeName(type));
  }
  if (static_cast<long>(length) < needed) {
    return fail(env, "%s: %s holds %zu values but %ld are needed.", method, name, length, needed);
  }
  *out = static_cast<T*>(data);
  if (lengthOut) *lengthOut = length;
  return true;
}

template <typename T>
bool optionalArray(napi_env env, const char* method, const char* name, napi_value value, napi_typedarray_type expected,
                   long needed, T** out) {
  if (isNullish(env, value)) {
    *out = nullptr;
    return true;
  }
  return array(env, method, name, value, expected, needed, out);
}

bool size(napi_env env, const char* method, const char* name, napi_value value, int* out) {
  if (napi_get_value_int32(env, value, out) != napi_ok) return fail(env, "%s: %s must be a number.", method, name);
  if (*out < 0) return fail(env, "%s: %s is %d but must not be negative.", method, name, *out);
  return true;
}

bool number(napi_env env, const char* method, const char* name, napi_value value, double* out) {
  if (napi_get_value_double(env, value, out) != napi_ok) return fail(env, "%s: %s must be a number.", method, name);
  return true;
}

#define ARGS(n)                                          \
  size_t argc = n;                                       \
  napi_value argv[n];                                    \
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr); \
  if (argc < n) {                                        \
    fail(env, "%s expects %d arguments.", METHOD, n);    \
    return nullptr;                                      \
  }

#define CHECK(expression) \
  if (!(expression)) return nullptr

// Like ARGS, with up to `optional` more arguments after the n required (argv holds them, undefined when not given).
#define ARGS_OPTIONAL(n, optional)                          \
  size_t argc = n + optional;                               \
  napi_value argv[n + optional];                            \
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr); \
  if (argc < n) {                                           \
    fail(env, "%s expects %d arguments.", METHOD, n);       \
    return nullptr;                                         \
  }                                                         \
  for (size_t extra = argc; extra < n + optional; extra++) napi_get_undefined(env, &argv[extra])

// The precision of a matrix product: undefined or "float32" (0), "bfloat16" (1: bf16 inputs, fp32
// sums, on AVX512_BF16 when the CPU has it) or "bfloat16-emulated" (2: the fp32 kernels on rounded
// inputs even there, for tests).
enum Precision { kFloat32 = 0, kBfloat16 = 1, kBfloat16Emulated = 2 };

bool precisionArgument(napi_env env, const char* method, napi_value value, int* out) {
  *out = kFloat32;
  if (isNullish(env, value)) return true;
  char text[32];
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, text, sizeof text, &length) != napi_ok) {
    return fail(env, "%s: precision must be a string (\"float32\" or \"bfloat16\").", method);
  }
  if (strcmp(text, "float32") == 0) return true;
  if (strcmp(text, "bfloat16") == 0) {
    *out = kBfloat16;
    return true;
  }
  if (strcmp(text, "bfloat16-emulated") == 0) {
    *out = kBfloat16Emulated;
    return true;
  }
  return fail(env, "%s: precision \"%s\" is unknown; use \"float32\" or \"bfloat16\".", method, text);
}

bool bfloat16Hardware = false;

// gemm() at the given precision.
void product(const GemmProblem& problem, int precision) {
  if (precision == kFloat32) {
    gemm(isa, pool, threadCount, problem);
  } else {
    gemmBfloat16(isa, pool, threadCount, problem, precision == kBfloat16 && bfloat16Hardware);
  }
}

// The highest activation code (ACTIVATION_CODES in src/engine/engine.ts).
const int kLastActivation = 13;

// ---- parallel elementwise ---------------------------------------------------------------------

template <typename F>
void trampoline(void* context, int index, int count) {
  (*static_cast<F*>(context))(index, count);
}

// Calls body(begin, end) over [0, count) cut into ranges aligned to 64 elements, a few per thread.
template <typename F>
void parallelRanges(long count, F body) {
  auto part = [&](int index, int parts) {
    long begin = (count * index / parts) & ~63L;
    long end = index + 1 == parts ? count : (count * (index + 1) / parts) & ~63L;
    if (end > begin) body(begin, end);
  };
  long chunks = count / (kParallelElements / 2);
  int parts = threadCount <= 1 ? 1 : static_cast<int>(chunks < 4L * threadCount ? chunks : 4L * threadCount);
  if (parts <= 1) {
    part(0, 1);
  } else {
    pool->run(trampoline<decltype(part)>, &part, parts);
  }
}

void softmaxRows(float* values, int m, int n) {
  for (int i = 0; i < m; i++) {
    float* row = values + static_cast<long>(i) * n;
    float max = row[0];
    for (int j = 1; j < n; j++)
      if (row[j] > max) max = row[j];
    double sum = 0;
    for (int j = 0; j < n; j++) {
      float e = expf(row[j] - max);
      row[j] = e;
      sum += e;
    }
    for (int j = 0; j < n; j++) row[j] = static_cast<float>(row[j] / sum);
  }
}

// ---- methods ----------------------------------------------------------------------------------

#define METHOD "configure"
// configure(threads, simd) → the instruction set in use. Called once, at load.
napi_value Configure(napi_env env, napi_callback_info info) {
  ARGS(2);
  int threads;
  CHECK(size(env, METHOD, "threads", argv[0], &threads));
  char requested[32];
  size_t length;
  if (napi_get_value_string_utf8(env, argv[1], requested, sizeof requested, &length) != napi_ok) {
    fail(env, "configure: simd must be a string.");
    return nullptr;
  }
  if (threads < 1) threads = 1;
  std::lock_guard<std::mutex> lock(setupMutex);
  if (!pool) {
    pool = new ThreadPool(threads);
  } else if (pool->size() != threads && environments.load() == 1) {
    delete pool;
    pool = new ThreadPool(threads);
  }
  // With other environments sharing the pool, it cannot be resized under them.
  threadCount = std::min(threads, pool->size());
  isa = bestKernels(requested);
  // vdpbf16ps only when the AVX-512 kernels are in use (DIGITNET_SIMD=avx2 tests the rest).
  bfloat16Hardware = bfloat16Native() && strcmp(isa->name, "avx512") == 0;
  // For benchmarks: DIGITNET_SPARSE_FORWARD / DIGITNET_SPARSE_GRADIENT set the shares of nonzeros
  // below which the sparse paths run (0 turns them off, 2 forces them).
  {
    const char* forward = getenv("DIGITNET_SPARSE_FORWARD");
    const char* gradient = getenv("DIGITNET_SPARSE_GRADIENT");
    if (forward || gradient) setSparseThresholds(forward ? atof(forward) : -1, gradient ? atof(gradient) : -1);
  }
  napi_value result;
  napi_create_string_utf8(env, isa->name, NAPI_AUTO_LENGTH, &result);
  return result;
}
#undef METHOD

// Shuffled rows defeat the hardware prefetchers: the gathers ask for each row a few rows ahead of
// the one they read, and for the first few before starting.
inline void prefetchBytes(const void* start, long bytes) {
  for (long byte = 0; byte < bytes; byte += 64) __builtin_prefetch(static_cast<const char*>(start) + byte);
}

// A gather's scale: a finite number (an infinite or NaN one would turn zeros into NaN in the dense
// batch but not in the sparse one).
bool finiteScale(napi_env env, const char* method, double scale) {
  if (!(scale - scale == 0)) {
    // Spelled as JavaScript prints them.
    const char* shown = scale != scale ? "NaN" : scale > 0 ? "Infinity" : "-Infinity";
    return fail(env, "%s: scale %s is invalid; it must be a finite number.", method, shown);
  }
  return true;
}

// The source of a gather: a Uint8Array or Float32Array of rows of `width` values, which every one
// of `count` indices must fall inside.
bool gatherSource(napi_env env, const char* method, napi_value value, const uint32_t* indices, int start, int count,
                  int width, napi_typedarray_type* type, void** data, long* rowsInSource) {
  size_t length;
  bool isTyped = false;
  napi_is_typedarray(env, value, &isTyped);
  if (!isTyped || napi_get_typedarray_info(env, value, type, &length, data, nullptr, nullptr) != napi_ok ||
      (*type != napi_uint8_array && *type != napi_float32_array)) {
    return fail(env, "%s: source must be a Uint8Array or a Float32Array.", method);
  }
  *rowsInSource = width > 0 ? static_cast<long>(length) / width : 0;
  for (int row = start; row < start + count && width > 0; row++) {
    if (static_cast<long>(indices[row]) >= *rowsInSource) {
      return fail(env, "%s: index %u at position %d is outside the source's %ld rows.", method, indices[row], row,
                  *rowsInSource);
    }
  }
  return true;
}

#define METHOD "gatherRows"
napi_value GatherRows(napi_env env, napi_callback_info info) {
  ARGS(7);
  int start, count, width;
  double scale;
  CHECK(size(env, METHOD, "start", argv[2], &start));
  CHECK(size(env, METHOD, "count", argv[3], &count));
  CHECK(size(env, METHOD, "width", argv[4], &width));
  CHECK(number(env, METHOD, "scale", argv[5], &scale));
  CHECK(finiteScale(env, METHOD, scale));
  uint32_t* indices;
  float* out;
  CHECK(array(env, METHOD, "indices", argv[1], napi_uint32_array, static_cast<long>(start) + count, &indices));
  CHECK(array(env, METHOD, "out", argv[6], napi_float32_array, static_cast<long>(count) * width, &out));
  napi_typedarray_type type;
  void* data;
  long rowsInSource;
  CHECK(gatherSource(env, METHOD, argv[0], indices, start, count, width, &type, &data, &rowsInSource));
  const uint32_t* rows = indices + start;
  const size_t elementSize = type == napi_uint8_array ? 1 : 4;
  auto body = [&](long begin, long end) {
    const long rowBytes = static_cast<long>(width) * elementSize;
    for (long row = begin; row < begin + kGatherAhead && row < end; row++)
      prefetchBytes(static_cast<const char*>(data) + static_cast<long>(rows[row]) * rowBytes, rowBytes);
    for (long row = begin; row < end; row++) {
      const long from = static_cast<long>(rows[row]) * width;
      if (row + kGatherAhead < end)
        prefetchBytes(static_cast<const char*>(data) + static_cast<long>(rows[row + kGatherAhead]) * rowBytes, rowBytes);
      if (type == napi_uint8_array) {
        isa->convertU8(static_cast<const uint8_t*>(data) + from, out + row * width, width, scale);
      } else {
        isa->convertF32(static_cast<const float*>(data) + from, out + row * width, width, scale);
      }
    }
  };
  if (static_cast<long>(count) * width >= 2 * kParallelElements && threadCount > 1) {
    auto part = [&](int index, int parts) { body(static_cast<long>(count) * index / parts, static_cast<long>(count) * (index + 1) / parts); };
    pool->run(trampoline<decltype(part)>, &part, 2 * threadCount);
  } else {
    body(0, count);
  }
  return nullptr;
}
#undef METHOD

#define METHOD "gatherLabels"
napi_value GatherLabels(napi_env env, napi_callback_info info) {
  ARGS(5);
  int start, count;
  CHECK(size(env, METHOD, "start", argv[2], &start));
  CHECK(size(env, METHOD, "count", argv[3], &count));
  uint32_t* indices;
  int32_t* out;
  CHECK(array(env, METHOD, "indices", argv[1], napi_uint32_array, static_cast<long>(start) + count, &indices));
  CHECK(array(env, METHOD, "out", argv[4], napi_int32_array, count, &out));
  napi_typedarray_type type;
  size_t length;
  void* data;
  bool isTyped = false;
  napi_is_typedarray(env, argv[0], &isTyped);
  if (!isTyped || napi_get_typedarray_info(env, argv[0], &type, &length, &data, nullptr, nullptr) != napi_ok ||
      (type != napi_uint8_array && type != napi_int32_array)) {
    fail(env, "gatherLabels: labels must be a Uint8Array or an Int32Array.");
    return nullptr;
  }
  for (int row = 0; row < count; row++) {
    uint32_t index = indices[start + row];
    if (index >= length) {
      fail(env, "gatherLabels: index %u at position %d is outside the %zu labels.", index, start + row, length);
      return nullptr;
    }
    out[row] = type == napi_uint8_array ? static_cast<const uint8_t*>(data)[index] : static_cast<const int32_t*>(data)[index];
  }
  return nullptr;
}
#undef METHOD

// The activations gemm's epilogue does not fuse (ReLU is fused): applied to out[m×n] in place.
void finishActivation(float* out, int m, int n, int activation) {
  if (activation >= 5) {
    parallelRanges(static_cast<long>(m) * n, [&](long begin, long end) { isa->extraActivation(activation, out + begin, end - begin); });
    return;
  }
  if (activation == 2 || activation == 3) {
    auto body = [&](long begin, long end) {
      (activation == 2 ? isa->sigmoid : isa->tanh)(out + begin, 1, end - begin, 0);
    };
    parallelRanges(static_cast<long>(m) * n, body);
  } else if (activation == 4 && n > 0) {
    softmaxRows(out, m, n);
  }
}

#define METHOD "denseForward"
napi_value DenseForward(napi_env env, napi_callback_info info) {
  ARGS_OPTIONAL(8, 1);
  int m, k, n, activation, precision;
  CHECK(precisionArgument(env, METHOD, argv[8], &precision));
  CHECK(size(env, METHOD, "m", argv[4], &m));
  CHECK(size(env, METHOD, "k", argv[5], &k));
  CHECK(size(env, METHOD, "n", argv[6], &n));
  CHECK(size(env, METHOD, "activation", argv[7], &activation));
  if (activation > kLastActivation) {
    fail(env, "denseForward: activation code %d is unknown; use 0..13.", activation);
    return nullptr;
  }
  float *input, *kernel, *bias, *out;
  CHECK(array(env, METHOD, "input", argv[0], napi_float32_array, static_cast<long>(m) * k, &input));
  CHECK(array(env, METHOD, "kernel", argv[1], napi_float32_array, static_cast<long>(k) * n, &kernel));
  CHECK(optionalArray(env, METHOD, "bias", argv[2], napi_float32_array, n, &bias));
  CHECK(array(env, METHOD, "out", argv[3], napi_float32_array, static_cast<long>(m) * n, &out));
  GemmProblem problem = {m, n, k, input, k, 1, kernel, n, 1, out, n, bias, activation == 1, nullptr};
  product(problem, precision);
  finishActivation(out, m, n, activation);
  return nullptr;
}
#undef METHOD

// ---- layers whose input is given as its nonzeros ------------------------------------------------

// Reads the three arrays of a batch of sparse rows (see SparseRows in gemm.h) and checks that they
// describe m rows of k columns: offsets from 0, not decreasing, and each row's columns increasing
// and below k, so that the kernels never read outside B.
bool sparseRowsArgument(napi_env env, const char* method, napi_value* argv, int m, int k, SparseRows* out) {
  int *rowStarts, *columns;
  float* values;
  size_t columnsLength, valuesLength;
  if (!array(env, method, "input.rowStarts", argv[0], napi_int32_array, static_cast<long>(m) + 1, &rowStarts)) return false;
  if (!array(env, method, "input.columns", argv[1], napi_int32_array, 0, &columns, &columnsLength)) return false;
  if (!array(env, method, "input.values", argv[2], napi_float32_array, 0, &values, &valuesLength)) return false;
  if (rowStarts[0] != 0) return fail(env, "%s: input.rowStarts[0] is %d; it must be 0.", method, rowStarts[0]);
  for (int r = 0; r < m; r++) {
    const int begin = rowStarts[r], end = rowStarts[r + 1];
    if (end < begin || static_cast<size_t>(end) > columnsLength || static_cast<size_t>(end) > valuesLength) {
      return fail(env, "%s: input.rowStarts[%d] is %d: offsets must not decrease nor pass the %zu columns and %zu values given.",
                  method, r + 1, end, columnsLength, valuesLength);
    }
    if (begin == end) continue;
    // Without an early exit the compiler vectorizes the test; the culprit is looked for only when
    // the row is bad.
    bool bad = columns[begin] < 0 || columns[end - 1] >= k;
    for (int t = begin + 1; t < end; t++) bad |= columns[t] <= columns[t - 1];
    if (bad) {
      int t = begin;
      while (t < end && columns[t] >= 0 && columns[t] < k && (t == begin || columns[t] > columns[t - 1])) t++;
      return fail(env, "%s: input.columns[%d] is %d in row %d: a row's columns must increase and lie in 0..%d.", method, t,
                  columns[t], r, k - 1);
    }
  }
  *out = {rowStarts, columns, values};
  return true;
}

#define METHOD "gatherSparseRows"
// gatherSparseRows(source, indices, start, count, width, scale, rowStarts, columns, values): the rows
// gatherRows would copy, kept as their nonzeros (value = source · scale, as gatherRows computes it).
napi_value GatherSparseRows(napi_env env, napi_callback_info info) {
  ARGS(9);
  int start, count, width;
  double scale;
  CHECK(size(env, METHOD, "start", argv[2], &start));
  CHECK(size(env, METHOD, "count", argv[3], &count));
  CHECK(size(env, METHOD, "width", argv[4], &width));
  CHECK(number(env, METHOD, "scale", argv[5], &scale));
  CHECK(finiteScale(env, METHOD, scale));
  // Offsets are 32-bit: refuse a batch whose rows could hold more entries than that.
  if (static_cast<long>(count) * width + 16 > 0x7fffffffL) {
    fail(env, "gatherSparseRows: %d rows of %d values are more than one batch can list (2^31 entries); use smaller batches.", count, width);
    return nullptr;
  }
  uint32_t* indices;
  int *rowStarts, *columns;
  float* values;
  const long room = static_cast<long>(count) * width + 16;
  CHECK(array(env, METHOD, "indices", argv[1], napi_uint32_array, static_cast<long>(start) + count, &indices));
  CHECK(array(env, METHOD, "out.rowStarts", argv[6], napi_int32_array, static_cast<long>(count) + 1, &rowStarts));
  CHECK(array(env, METHOD, "out.columns", argv[7], napi_int32_array, room, &columns));
  CHECK(array(env, METHOD, "out.values", argv[8], napi_float32_array, room, &values));
  napi_typedarray_type type;
  void* data;
  long rowsInSource;
  CHECK(gatherSource(env, METHOD, argv[0], indices, start, count, width, &type, &data, &rowsInSource));
  const uint32_t* rows = indices + start;
  const long rowBytes = static_cast<long>(width) * (type == napi_uint8_array ? 1 : 4);
  // A byte has 256 values: each one's scaled float, computed as gatherRows computes it.
  float scaled[256];
  if (type == napi_uint8_array)
    for (int value = 0; value < 256; value++) scaled[value] = static_cast<float>(static_cast<double>(value) * scale);
  // Lists rows [begin, end) into columns/values from 0, with starts[i] the offset after row begin + i.
  auto listRows = [&](int begin, int end, int* columnsOut, float* valuesOut, int* starts) {
    for (int row = begin; row < end && row < begin + kGatherAhead; row++)
      prefetchBytes(static_cast<const char*>(data) + static_cast<long>(rows[row]) * rowBytes, rowBytes);
    int total = 0;
    for (int row = begin; row < end; row++) {
      if (row + kGatherAhead < end)
        prefetchBytes(static_cast<const char*>(data) + static_cast<long>(rows[row + kGatherAhead]) * rowBytes, rowBytes);
      int* listed = columnsOut + total;
      float* listedValues = valuesOut + total;
      int found = 0;
      if (type == napi_uint8_array) {
        const uint8_t* x = static_cast<const uint8_t*>(data) + static_cast<long>(rows[row]) * width;
        if (isa->listNonzeroBytes) {
          found = isa->listNonzeroBytes(x, width, listed);
        } else {
          for (int p = 0; p < width; p++) {
            listed[found] = p;
            found += x[p] != 0;
          }
        }
        for (int t = 0; t < found; t++) listedValues[t] = scaled[x[listed[t]]];
      } else {
        const float* x = static_cast<const float*>(data) + static_cast<long>(rows[row]) * width;
        if (isa->listNonzero) {
          found = isa->listNonzero(x, width, listed, listedValues, nullptr);
        } else {
          for (int p = 0; p < width; p++) {
            listed[found] = p;
            listedValues[found] = x[p];
            found += x[p] != 0.0f || x[p] != x[p];  // NaN is listed, so that it spreads as in the dense product
          }
        }
        if (scale != 1.0)
          for (int t = 0; t < found; t++) listedValues[t] = static_cast<float>(static_cast<double>(listedValues[t]) * scale);
      }
      total += found;
      starts[row - begin] = total;
    }
  };
  rowStarts[0] = 0;
  if (threadCount > 1 && count >= 16 && static_cast<long>(count) * width >= 2 * kParallelElements) {
    // Two halves at once (a row's cost is mostly waiting for memory): the first lists in place; the
    // second into a scratch, moved up behind the first once both are done.
    // Per calling thread: worker threads of the program may gather at the same time.
    thread_local std::vector<int> secondColumns, secondStarts;
    thread_local std::vector<float> secondValues;
    const int half = count / 2;
    const size_t room = static_cast<size_t>(count - half) * width + 16;
    if (secondColumns.size() < room) {
      secondColumns.resize(room);
      secondValues.resize(room);
    }
    secondStarts.resize(count - half);
    // The calling thread's buffers, named before the pool runs: inside the lambda a thread_local
    // would be the running thread's own.
    int* secondColumnsOut = secondColumns.data();
    float* secondValuesOut = secondValues.data();
    int* secondStartsOut = secondStarts.data();
    auto part = [&](int index, int) {
      if (index == 0) listRows(0, half, columns, values, rowStarts + 1);
      else listRows(half, count, secondColumnsOut, secondValuesOut, secondStartsOut);
    };
    pool->run(trampoline<decltype(part)>, &part, 2);
    const int offset = rowStarts[half];
    const int moved = secondStarts[count - half - 1];
    memcpy(columns + offset, secondColumns.data(), static_cast<size_t>(moved) * sizeof(int));
    memcpy(values + offset, secondValues.data(), static_cast<size_t>(moved) * sizeof(float));
    for (int i = 0; i < count - half; i++) rowStarts[half + 1 + i] = offset + secondStarts[i];
  } else {
    listRows(0, count, columns, values, rowStarts + 1);
  }
  return nullptr;
}
#undef METHOD

#define METHOD "sparseDenseForward"
// sparseDenseForward(rowStarts, columns, values, kernel, bias, out, m, k, n, activation)
napi_value SparseDenseForward(napi_env env, napi_callback_info info) {
  ARGS_OPTIONAL(10, 1);
  int m, k, n, activation, precision;
  CHECK(precisionArgument(env, METHOD, argv[10], &precision));
  CHECK(size(env, METHOD, "m", argv[6], &m));
  CHECK(size(env, METHOD, "k", argv[7], &k));
  CHECK(size(env, METHOD, "n", argv[8], &n));
  CHECK(size(env, METHOD, "activation", argv[9], &activation));
  if (activation > kLastActivation) {
    fail(env, "sparseDenseForward: activation code %d is unknown; use 0..13.", activation);
    return nullptr;
  }
  SparseRows input;
  float *kernel, *bias, *out;
  CHECK(sparseRowsArgument(env, METHOD, argv, m, k, &input));
  CHECK(array(env, METHOD, "kernel", argv[3], napi_float32_array, static_cast<long>(k) * n, &kernel));
  CHECK(optionalArray(env, METHOD, "bias", argv[4], napi_float32_array, n, &bias));
  CHECK(array(env, METHOD, "out", argv[5], napi_float32_array, static_cast<long>(m) * n, &out));
  if (precision != kFloat32) {
    // The nonzeros and the kernel rounded to bf16; the products of two bf16 values are exact in fp32.
    input.values = bfloat16Copy(pool, threadCount, input.values, input.rowStarts[m], 0);
    kernel = const_cast<float*>(bfloat16Copy(pool, threadCount, kernel, static_cast<long>(k) * n, 1));
  }
  sparseRowsProduct(isa, pool, threadCount, input, m, k, kernel, n, out, bias, activation == 1);
  finishActivation(out, m, n, activation);
  return nullptr;
}
#undef METHOD

#define METHOD "sparseWeightGradient"
// sparseWeightGradient(rowStarts, columns, values, gradOutput, gradKernel, gradBias, m, k, n)
napi_value SparseWeightGradient(napi_env env, napi_callback_info info) {
  ARGS_OPTIONAL(9, 1);
  int m, k, n, precision;
  CHECK(precisionArgument(env, METHOD, argv[9], &precision));
  CHECK(size(env, METHOD, "m", argv[6], &m));
  CHECK(size(env, METHOD, "k", argv[7], &k));
  CHECK(size(env, METHOD, "n", argv[8], &n));
  SparseRows input;
  float *gradOutput, *gradKernel, *gradBias;
  CHECK(sparseRowsArgument(env, METHOD, argv, m, k, &input));
  CHECK(array(env, METHOD, "gradOutput", argv[3], napi_float32_array, static_cast<long>(m) * n, &gradOutput));
  CHECK(array(env, METHOD, "gradKernel", argv[4], napi_float32_array, static_cast<long>(k) * n, &gradKernel));
  CHECK(optionalArray(env, METHOD, "gradBias", argv[5], napi_float32_array, n, &gradBias));
  if (precision != kFloat32) {
    // The bias gradient from gradOutput as given (fp32, summed in order of rows as gemm() does).
    if (gradBias) {
      for (int j = 0; j < n; j++) gradBias[j] = 0.0f;
      for (int r = 0; r < m; r++)
        for (int j = 0; j < n; j++) gradBias[j] += gradOutput[static_cast<long>(r) * n + j];
      gradBias = nullptr;
    }
    input.values = bfloat16Copy(pool, threadCount, input.values, input.rowStarts[m], 0);
    gradOutput = const_cast<float*>(bfloat16Copy(pool, threadCount, gradOutput, static_cast<long>(m) * n, 1));
  }
  sparseRowsGradient(isa, pool, threadCount, input, m, k, gradOutput, n, gradKernel, gradBias);
  return nullptr;
}
#undef METHOD

#define METHOD "activationForward"
// activationForward(activation, input, output, count, rowLength): an Activation layer on its own.
napi_value ActivationForward(napi_env env, napi_callback_info info) {
  ARGS(5);
  int activation, count, rowLength;
  CHECK(size(env, METHOD, "activation", argv[0], &activation));
  CHECK(size(env, METHOD, "count", argv[3], &count));
  CHECK(size(env, METHOD, "rowLength", argv[4], &rowLength));
  float *input, *output;
  CHECK(array(env, METHOD, "input", argv[1], napi_float32_array, count, &input));
  CHECK(array(env, METHOD, "output", argv[2], napi_float32_array, count, &output));
  if (activation > kLastActivation) {
    fail(env, "activationForward: activation code %d is unknown; use 0..13.", activation);
    return nullptr;
  }
  if (activation == 4 && rowLength <= 0) {
    fail(env, "activationForward: rowLength must be positive for softmax.");
    return nullptr;
  }
  parallelRanges(count, [&](long begin, long end) {
    if (output != input) memmove(output + begin, input + begin, (end - begin) * sizeof(float));
    switch (activation) {
      case 1:
        for (long i = begin; i < end; i++)
          if (output[i] < 0) output[i] = 0;
        break;
      case 2:
        isa->sigmoid(output + begin, 1, end - begin, 0);
        break;
      case 3:
        isa->tanh(output + begin, 1, end - begin, 0);
        break;
      default:
        if (activation >= 5) isa->extraActivation(activation, output + begin, end - begin);
        break;
    }
  });
  if (activation == 4) softmaxRows(output, count / rowLength, rowLength);
  return nullptr;
}
#undef METHOD

#define METHOD "activationBackward"
// activationBackward(activation, output, grad, count, rowLength[, input]): input, the
// pre-activation, is needed by gelu, silu and mish only.
napi_value ActivationBackward(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 5) {
    fail(env, "%s expects 5 or 6 arguments.", METHOD);
    return nullptr;
  }
  int activation, count, rowLength;
  CHECK(size(env, METHOD, "activation", argv[0], &activation));
  CHECK(size(env, METHOD, "count", argv[3], &count));
  CHECK(size(env, METHOD, "rowLength", argv[4], &rowLength));
  float *output, *grad, *input = nullptr;
  CHECK(array(env, METHOD, "output", argv[1], napi_float32_array, count, &output));
  CHECK(array(env, METHOD, "grad", argv[2], napi_float32_array, count, &grad));
  const bool needsInput = activation == 5 || activation == 9 || activation == 13;
  if (needsInput) {
    if (argc < 6) {
      fail(env, "activationBackward: activation code %d needs its input (the pre-activation) as a sixth argument.", activation);
      return nullptr;
    }
    CHECK(array(env, METHOD, "input", argv[5], napi_float32_array, count, &input));
  }
  if (activation >= 5 && activation <= kLastActivation) {
    parallelRanges(count, [&](long begin, long end) {
      isa->extraActivationBackward(activation, output + begin, input ? input + begin : nullptr, grad + begin, end - begin);
    });
    return nullptr;
  }
  switch (activation) {
    case 0:
      break;
    case 1:
      parallelRanges(count, [&](long begin, long end) { isa->reluBackward(output + begin, grad + begin, end - begin); });
      break;
    case 2:
      parallelRanges(count, [&](long begin, long end) { isa->sigmoidBackward(output + begin, grad + begin, end - begin); });
      break;
    case 3:
      parallelRanges(count, [&](long begin, long end) { isa->tanhBackward(output + begin, grad + begin, end - begin); });
      break;
    case 4:
      if (rowLength <= 0) {
        fail(env, "activationBackward: rowLength must be positive for softmax.");
        return nullptr;
      }
      for (long row = 0; row + rowLength <= count; row += rowLength) {
        double dot = 0;
        for (int j = 0; j < rowLength; j++) dot += static_cast<double>(grad[row + j]) * output[row + j];
        for (int j = 0; j < rowLength; j++)
          grad[row + j] = static_cast<float>(output[row + j] * (grad[row + j] - dot));
      }
      break;
    default:
      fail(env, "activationBackward: activation code %d is unknown; use 0..13.", activation);
      return nullptr;
  }
  return nullptr;
}
#undef METHOD

#define METHOD "inputGradient"
napi_value InputGradient(napi_env env, napi_callback_info info) {
  ARGS_OPTIONAL(6, 1);
  int m, k, n, precision;
  CHECK(precisionArgument(env, METHOD, argv[6], &precision));
  CHECK(size(env, METHOD, "m", argv[3], &m));
  CHECK(size(env, METHOD, "k", argv[4], &k));
  CHECK(size(env, METHOD, "n", argv[5], &n));
  float *gradOutput, *kernel, *gradInput;
  CHECK(array(env, METHOD, "gradOutput", argv[0], napi_float32_array, static_cast<long>(m) * n, &gradOutput));
  CHECK(array(env, METHOD, "kernel", argv[1], napi_float32_array, static_cast<long>(k) * n, &kernel));
  CHECK(array(env, METHOD, "gradInput", argv[2], napi_float32_array, static_cast<long>(m) * k, &gradInput));
  // gradInput[m×k] = gradOutput[m×n] · kernelᵀ: the reduction runs over n.
  GemmProblem problem = {m, k, n, gradOutput, n, 1, kernel, 1, n, gradInput, k, nullptr, 0, nullptr};
  product(problem, precision);
  return nullptr;
}
#undef METHOD

#define METHOD "weightGradient"
napi_value WeightGradient(napi_env env, napi_callback_info info) {
  ARGS_OPTIONAL(7, 1);
  int m, k, n, precision;
  CHECK(precisionArgument(env, METHOD, argv[7], &precision));
  CHECK(size(env, METHOD, "m", argv[4], &m));
  CHECK(size(env, METHOD, "k", argv[5], &k));
  CHECK(size(env, METHOD, "n", argv[6], &n));
  float *input, *gradOutput, *gradKernel, *gradBias;
  CHECK(array(env, METHOD, "input", argv[0], napi_float32_array, static_cast<long>(m) * k, &input));
  CHECK(array(env, METHOD, "gradOutput", argv[1], napi_float32_array, static_cast<long>(m) * n, &gradOutput));
  CHECK(array(env, METHOD, "gradKernel", argv[2], napi_float32_array, static_cast<long>(k) * n, &gradKernel));
  CHECK(optionalArray(env, METHOD, "gradBias", argv[3], napi_float32_array, n, &gradBias));
  // gradKernel[k×n] = inputᵀ · gradOutput: the reduction runs over the batch m.
  GemmProblem problem = {k, n, m, input, 1, k, gradOutput, n, 1, gradKernel, n, nullptr, 0, gradBias};
  product(problem, precision);
  return nullptr;
}
#undef METHOD

// Calls body(begin, end) over the feature columns [0, features) of a rows × features batch, one
// range of whole 16-column blocks per thread when the batch is big enough to share: a column's
// statistics need every row, so the work splits by columns, each thread reading its rows' segment.
template <typename F>
void parallelColumns(long rows, long features, F body) {
  if (threadCount <= 1 || rows * features < kParallelElements) {
    body(0, features);
    return;
  }
  auto part = [&](int index, int parts) {
    long begin = (features * index / parts) & ~15L;
    long end = index + 1 == parts ? features : (features * (index + 1) / parts) & ~15L;
    if (end > begin) body(begin, end);
  };
  pool->run(trampoline<decltype(part)>, &part, threadCount);
}

#define METHOD "columnStatistics"
// columnStatistics(input, rows, features, mean, variance): Float64Array mean and biased variance per column.
napi_value ColumnStatistics(napi_env env, napi_callback_info info) {
  ARGS(5);
  int rows, features;
  CHECK(size(env, METHOD, "rows", argv[1], &rows));
  CHECK(size(env, METHOD, "features", argv[2], &features));
  const long count = static_cast<long>(rows) * features;
  float* input;
  double *mean, *variance;
  CHECK(array(env, METHOD, "input", argv[0], napi_float32_array, count, &input));
  CHECK(array(env, METHOD, "mean", argv[3], napi_float64_array, features, &mean));
  CHECK(array(env, METHOD, "variance", argv[4], napi_float64_array, features, &variance));
  parallelColumns(rows, features, [&](long begin, long end) { isa->columnStatistics(input, rows, features, begin, end, mean, variance); });
  return nullptr;
}
#undef METHOD

#define METHOD "columnAffine"
// columnAffine(input, output, rows, features, factor, offset): output = input · factor + offset per column; output may be input.
napi_value ColumnAffine(napi_env env, napi_callback_info info) {
  ARGS(6);
  int rows, features;
  CHECK(size(env, METHOD, "rows", argv[2], &rows));
  CHECK(size(env, METHOD, "features", argv[3], &features));
  const long count = static_cast<long>(rows) * features;
  float *input, *output;
  double *factor, *offset;
  CHECK(array(env, METHOD, "input", argv[0], napi_float32_array, count, &input));
  CHECK(array(env, METHOD, "output", argv[1], napi_float32_array, count, &output));
  CHECK(array(env, METHOD, "factor", argv[4], napi_float64_array, features, &factor));
  CHECK(array(env, METHOD, "offset", argv[5], napi_float64_array, features, &offset));
  parallelColumns(rows, features, [&](long begin, long end) { isa->columnAffine(input, output, rows, features, begin, end, factor, offset); });
  return nullptr;
}
#undef METHOD

#define METHOD "batchNormBackward"
// batchNormBackward(input, gradOutput, gradInput | null, rows, features, mean, inverse, scale, sumGrad, sumGradNormalized).
napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  ARGS(10);
  int rows, features;
  CHECK(size(env, METHOD, "rows", argv[3], &rows));
  CHECK(size(env, METHOD, "features", argv[4], &features));
  const long count = static_cast<long>(rows) * features;
  float *input, *gradOutput, *gradInput;
  double *mean, *inverse, *scale, *sumGrad, *sumGradNormalized;
  CHECK(array(env, METHOD, "input", argv[0], napi_float32_array, count, &input));
  CHECK(array(env, METHOD, "gradOutput", argv[1], napi_float32_array, count, &gradOutput));
  CHECK(optionalArray(env, METHOD, "gradInput", argv[2], napi_float32_array, count, &gradInput));
  CHECK(array(env, METHOD, "mean", argv[5], napi_float64_array, features, &mean));
  CHECK(array(env, METHOD, "inverse", argv[6], napi_float64_array, features, &inverse));
  CHECK(array(env, METHOD, "scale", argv[7], napi_float64_array, features, &scale));
  CHECK(array(env, METHOD, "sumGrad", argv[8], napi_float64_array, features, &sumGrad));
  CHECK(array(env, METHOD, "sumGradNormalized", argv[9], napi_float64_array, features, &sumGradNormalized));
  parallelColumns(rows, features, [&](long begin, long end) {
    isa->batchNormBackward(input, gradOutput, gradInput, rows, features, begin, end, mean, inverse, scale, sumGrad, sumGradNormalized);
  });
  return nullptr;
}
#undef METHOD

#define METHOD "dropoutForward"
// dropoutForward(input, output, mask, count, rate, seed); output may be input.
napi_value DropoutForward(napi_env env, napi_callback_info info) {
  ARGS(6);
  int count;
  double rate;
  uint32_t seed;
  CHECK(size(env, METHOD, "count", argv[3], &count));
  CHECK(number(env, METHOD, "rate", argv[4], &rate));
  if (napi_get_value_uint32(env, argv[5], &seed) != napi_ok) {
    fail(env, "dropoutForward: seed must be a number.");
    return nullptr;
  }
  if (!(rate >= 0 && rate < 1)) {
    fail(env, "dropoutForward: rate %g is invalid; it must be at least 0 and below 1.", rate);
    return nullptr;
  }
  float *input, *output, *mask;
  CHECK(array(env, METHOD, "input", argv[0], napi_float32_array, count, &input));
  CHECK(array(env, METHOD, "output", argv[1], napi_float32_array, count, &output));
  CHECK(array(env, METHOD, "mask", argv[2], napi_float32_array, count, &mask));
  const uint32_t threshold = dropoutThreshold(rate);
  const float keptScale = static_cast<float>(1.0 / (1.0 - rate));
  parallelRanges(count, [&](long begin, long end) {
    isa->dropoutForward(input, output, mask, begin, end, seed, threshold, keptScale);
  });
  return nullptr;
}
#undef METHOD

#define METHOD "dropoutBackward"
napi_value DropoutBackward(napi_env env, napi_callback_info info) {
  ARGS(3);
  int count;
  CHECK(size(env, METHOD, "count", argv[2], &count));
  float *grad, *mask;
  CHECK(array(env, METHOD, "grad", argv[0], napi_float32_array, count, &grad));
  CHECK(array(env, METHOD, "mask", argv[1], napi_float32_array, count, &mask));
  parallelRanges(count, [&](long begin, long end) { isa->multiply(grad + begin, mask + begin, end - begin); });
  return nullptr;
}
#undef METHOD

// The first index of a row's largest value, as the reference engine and numpy's argmax choose.
int rowArgmax(const float* row, int n) {
  int best = 0;
  for (int j = 1; j < n; j++)
    if (row[j] > row[best]) best = j;
  return best;
}

#define METHOD "softmaxCrossEntropy"
napi_value SoftmaxCrossEntropy(napi_env env, napi_callback_info info) {
  ARGS(9);
  int m, n;
  double meanOver;
  CHECK(size(env, METHOD, "m", argv[5], &m));
  CHECK(size(env, METHOD, "n", argv[6], &n));
  CHECK(number(env, METHOD, "meanOver", argv[7], &meanOver));
  const long total = static_cast<long>(m) * n;
  float *logits, *targets, *probabilities, *gradLogits;
  int32_t* labels;
  double* stats;
  CHECK(array(env, METHOD, "logits", argv[0], napi_float32_array, total, &logits));
  CHECK(optionalArray(env, METHOD, "labels", argv[1], napi_int32_array, m, &labels));
  CHECK(optionalArray(env, METHOD, "targets", argv[2], napi_float32_array, total, &targets));
  CHECK(array(env, METHOD, "probabilities", argv[3], napi_float32_array, total, &probabilities));
  CHECK(optionalArray(env, METHOD, "gradLogits", argv[4], napi_float32_array, total, &gradLogits));
  CHECK(array(env, METHOD, "stats", argv[8], napi_float64_array, 2, &stats));
  if ((labels == nullptr) == (targets == nullptr)) {
    fail(env, "softmaxCrossEntropy: pass exactly one of labels and targets.");
    return nullptr;
  }
  if (n == 0) return nullptr;
  // The batch size in practice: a power of two, whose inverse is exact; otherwise within an ulp.
  const double inverseMean = 1.0 / meanOver;
  double lossSum = 0;
  long correct = 0;
  for (int i = 0; i < m; i++) {
    const float* row = logits + static_cast<long>(i) * n;
    float* probabilityRow = probabilities + static_cast<long>(i) * n;
    const int argmax = rowArgmax(row, n);
    const float max = row[argmax];
    double sumExp = 0;
    for (int j = 0; j < n; j++) {
      float e = expf(row[j] - max);
      probabilityRow[j] = e;
      sumExp += e;
    }
    const double logSumExp = log(sumExp);
    // One division per row, not per element (a double division costs as much as the rest of the
    // element's work); the product differs from the quotient by at most an ulp of the double.
    const double inverseSum = 1.0 / sumExp;
    for (int j = 0; j < n; j++) probabilityRow[j] = static_cast<float>(probabilityRow[j] * inverseSum);
    float* gradRow = gradLogits ? gradLogits + static_cast<long>(i) * n : nullptr;
    if (labels) {
      const int label = labels[i];
      if (label < 0 || label >= n) {
        fail(env, "softmaxCrossEntropy: label %d in row %d is outside 0..%d.", label, i, n - 1);
        return nullptr;
      }
      lossSum += logSumExp - (static_cast<double>(row[label]) - max);
      if (argmax == label) correct++;
      if (gradRow) {
        for (int j = 0; j < n; j++) gradRow[j] = static_cast<float>((probabilityRow[j] - (j == label ? 1.0 : 0.0)) * inverseMean);
      }
    } else {
      const float* targetRow = targets + static_cast<long>(i) * n;
      double targetSum = 0;
      for (int j = 0; j < n; j++) {
        const double t = targetRow[j];
        targetSum += t;
        lossSum += t * (logSumExp - (static_cast<double>(row[j]) - max));
      }
      if (argmax == rowArgmax(targetRow, n)) correct++;
      if (gradRow) {
        for (int j = 0; j < n; j++) gradRow[j] = static_cast<float>((probabilityRow[j] * targetSum - targetRow[j]) * inverseMean);
      }
    }
  }
  stats[0] += lossSum;
  stats[1] += static_cast<double>(correct);
  return nullptr;
}
#undef METHOD

#define METHOD "meanSquaredError"
napi_value MeanSquaredError(napi_env env, napi_callback_info info) {
  ARGS(7);
  int m, n;
  double meanOver;
  CHECK(size(env, METHOD, "m", argv[3], &m));
  CHECK(size(env, METHOD, "n", argv[4], &n));
  CHECK(number(env, METHOD, "meanOver", argv[5], &meanOver));
  const long total = static_cast<long>(m) * n;
  float *predictions, *targets, *grad;
  double* stats;
  CHECK(array(env, METHOD, "predictions", argv[0], napi_float32_array, total, &predictions));
  CHECK(array(env, METHOD, "targets", argv[1], napi_float32_array, total, &targets));
  CHECK(optionalArray(env, METHOD, "grad", argv[2], napi_float32_array, total, &grad));
  CHECK(array(env, METHOD, "stats", argv[6], napi_float64_array, 2, &stats));
  if (n == 0) return nullptr;
  double lossSum = 0;
  long correct = 0;
  const double gradScale = static_cast<double>(n) * meanOver;
  for (int i = 0; i < m; i++) {
    const long row = static_cast<long>(i) * n;
    double rowSum = 0;
    for (int j = 0; j < n; j++) {
      const double difference = static_cast<double>(predictions[row + j]) - targets[row + j];
      rowSum += difference * difference;
      if (grad) grad[row + j] = static_cast<float>((2 * difference) / gradScale);
    }
    lossSum += rowSum / n;
    if (rowArgmax(predictions + row, n) == rowArgmax(targets + row, n)) correct++;
  }
  stats[0] += lossSum;
  stats[1] += static_cast<double>(correct);
  return nullptr;
}
#undef METHOD

#define METHOD "countCorrect"
napi_value CountCorrect(napi_env env, napi_callback_info info) {
  ARGS(5);
  int m, n;
  CHECK(size(env, METHOD, "m", argv[2], &m));
  CHECK(size(env, METHOD, "n", argv[3], &n));
  float* probabilities;
  int32_t* labels;
  double* stats;
  CHECK(array(env, METHOD, "probabilities", argv[0], napi_float32_array, static_cast<long>(m) * n, &probabilities));
  CHECK(array(env, METHOD, "labels", argv[1], napi_int32_array, m, &labels));
  CHECK(array(env, METHOD, "stats", argv[4], napi_float64_array, 2, &stats));
  if (n == 0) return nullptr;
  long correct = 0;
  for (int i = 0; i < m; i++) {
    if (rowArgmax(probabilities + static_cast<long>(i) * n, n) == labels[i]) correct++;
  }
  stats[1] += static_cast<double>(correct);
  return nullptr;
}
#undef METHOD

#define METHOD "adamUpdate"
// adamUpdate(params, grads, first, second, count, stepSize, beta1, beta2, epsilon); the caller
// folds the bias corrections into stepSize in double, as the reference does.
napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  ARGS(9);
  int count;
  double stepSize, beta1, beta2, epsilon;
  CHECK(size(env, METHOD, "count", argv[4], &count));
  CHECK(number(env, METHOD, "stepSize", argv[5], &stepSize));
  CHECK(number(env, METHOD, "beta1", argv[6], &beta1));
  CHECK(number(env, METHOD, "beta2", argv[7], &beta2));
  CHECK(number(env, METHOD, "epsilon", argv[8], &epsilon));
  float *params, *grads, *first, *second;
  CHECK(array(env, METHOD, "params", argv[0], napi_float32_array, count, &params));
  CHECK(array(env, METHOD, "grads", argv[1], napi_float32_array, count, &grads));
  CHECK(array(env, METHOD, "firstMoment", argv[2], napi_float32_array, count, &first));
  CHECK(array(env, METHOD, "secondMoment", argv[3], napi_float32_array, count, &second));
  const float step = static_cast<float>(stepSize), c1 = static_cast<float>(1 - beta1),
              c2 = static_cast<float>(1 - beta2), eps = static_cast<float>(epsilon);
  parallelRanges(count, [&](long begin, long end) {
    isa->adam(params + begin, grads + begin, first + begin, second + begin, end - begin, step, c1, c2, eps);
  });
  return nullptr;
}
#undef METHOD

#define METHOD "adamwUpdate"
// adamwUpdate(params, grads, first, second, maxSecond, count, stepSize, beta1, beta2, epsilon, decay):
// Adam with decoupled weight decay (decay = weightDecay·learningRate) and, when maxSecond holds
// count values, AMSGrad; an empty maxSecond turns AMSGrad off.
napi_value AdamwUpdate(napi_env env, napi_callback_info info) {
  ARGS(11);
  int count;
  double stepSize, beta1, beta2, epsilon, decay;
  CHECK(size(env, METHOD, "count", argv[5], &count));
  CHECK(number(env, METHOD, "stepSize", argv[6], &stepSize));
  CHECK(number(env, METHOD, "beta1", argv[7], &beta1));
  CHECK(number(env, METHOD, "beta2", argv[8], &beta2));
  CHECK(number(env, METHOD, "epsilon", argv[9], &epsilon));
  CHECK(number(env, METHOD, "decay", argv[10], &decay));
  float *params, *grads, *first, *second, *maxSecond;
  CHECK(array(env, METHOD, "params", argv[0], napi_float32_array, count, &params));
  CHECK(array(env, METHOD, "grads", argv[1], napi_float32_array, count, &grads));
  CHECK(array(env, METHOD, "firstMoment", argv[2], napi_float32_array, count, &first));
  CHECK(array(env, METHOD, "secondMoment", argv[3], napi_float32_array, count, &second));
  size_t maxLength = 0;
  CHECK(array(env, METHOD, "maxSecondMoment", argv[4], napi_float32_array, 0, &maxSecond, &maxLength));
  const bool amsgrad = maxLength > 0;
  if (amsgrad && static_cast<long>(maxLength) < count) {
    fail(env, "%s: maxSecondMoment holds %zu values but %d are needed (or none, without AMSGrad).", METHOD, maxLength, count);
    return nullptr;
  }
  const float step = static_cast<float>(stepSize), c1 = static_cast<float>(1 - beta1),
              c2 = static_cast<float>(1 - beta2), eps = static_cast<float>(epsilon), d = static_cast<float>(decay);
  parallelRanges(count, [&](long begin, long end) {
    isa->adamw(params + begin, grads + begin, first + begin, second + begin, amsgrad ? maxSecond + begin : nullptr,
               end - begin, step, c1, c2, eps, d);
  });
  return nullptr;
}
#undef METHOD

#define METHOD "rmspropUpdate"
napi_value RmspropUpdate(napi_env env, napi_callback_info info) {
  ARGS(9);
  int count;
  double learningRate, rho, momentum, epsilon;
  CHECK(size(env, METHOD, "count", argv[4], &count));
  CHECK(number(env, METHOD, "learningRate", argv[5], &learningRate));
  CHECK(number(env, METHOD, "rho", argv[6], &rho));
  CHECK(number(env, METHOD, "momentum", argv[7], &momentum));
  CHECK(number(env, METHOD, "epsilon", argv[8], &epsilon));
  float *params, *grads, *meanSquare, *momentumBuffer;
  CHECK(array(env, METHOD, "params", argv[0], napi_float32_array, count, &params));
  CHECK(array(env, METHOD, "grads", argv[1], napi_float32_array, count, &grads));
  CHECK(array(env, METHOD, "meanSquare", argv[2], napi_float32_array, count, &meanSquare));
  CHECK(array(env, METHOD, "momentumBuffer", argv[3], napi_float32_array, momentum > 0 ? count : 0, &momentumBuffer));
  const float lr = static_cast<float>(learningRate), r = static_cast<float>(rho), oneMinusRho = static_cast<float>(1 - rho),
              mom = static_cast<float>(momentum), eps = static_cast<float>(epsilon);
  parallelRanges(count, [&](long begin, long end) {
    isa->rmsprop(params + begin, grads + begin, meanSquare + begin, momentumBuffer + begin, end - begin, lr, r,
                 oneMinusRho, mom, eps);
  });
  return nullptr;
}
#undef METHOD

#define METHOD "sgdUpdate"
napi_value SgdUpdate(napi_env env, napi_callback_info info) {
  ARGS(7);
  int count, nesterov;
  double learningRate, momentum;
  CHECK(size(env, METHOD, "count", argv[3], &count));
  CHECK(number(env, METHOD, "learningRate", argv[4], &learningRate));
  CHECK(number(env, METHOD, "momentum", argv[5], &momentum));
  CHECK(size(env, METHOD, "nesterov", argv[6], &nesterov));
  float *params, *grads, *velocity;
  CHECK(array(env, METHOD, "params", argv[0], napi_float32_array, count, &params));
  CHECK(array(env, METHOD, "grads", argv[1], napi_float32_array, count, &grads));
  CHECK(array(env, METHOD, "velocity", argv[2], napi_float32_array, momentum != 0 ? count : 0, &velocity));
  const float lr = static_cast<float>(learningRate), mom = static_cast<float>(momentum);
  parallelRanges(count, [&](long begin, long end) {
    isa->sgd(params + begin, grads + begin, velocity + begin, end - begin, lr, mom, nesterov);
  });
  return nullptr;
}
#undef METHOD

// ---- int8 inference -----------------------------------------------------------------------------

#define METHOD "int8PackedBytes"
// int8PackedBytes(k, n) → the bytes a packed int8 kernel of k×n takes.
napi_value Int8PackedBytes(napi_env env, napi_callback_info info) {
  ARGS(2);
  int k, n;
  CHECK(size(env, METHOD, "k", argv[0], &k));
  CHECK(size(env, METHOD, "n", argv[1], &n));
  napi_value result;
  napi_create_double(env, static_cast<double>(int8PackedBytes(k, n)), &result);
  return result;
}
#undef METHOD

#define METHOD "int8QuantizeKernel"
// int8QuantizeKernel(kernel, k, n, packed, scales, columnSums): see precision.h.
napi_value Int8QuantizeKernel(napi_env env, napi_callback_info info) {
  ARGS(6);
  int k, n;
  CHECK(size(env, METHOD, "k", argv[1], &k));
  CHECK(size(env, METHOD, "n", argv[2], &n));
  float *kernel, *scales;
  int8_t* packed;
  int32_t* columnSums;
  CHECK(array(env, METHOD, "kernel", argv[0], napi_float32_array, static_cast<long>(k) * n, &kernel));
  CHECK(array(env, METHOD, "packed", argv[3], napi_int8_array, int8PackedBytes(k, n), &packed));
  CHECK(array(env, METHOD, "scales", argv[4], napi_float32_array, n, &scales));
  CHECK(array(env, METHOD, "columnSums", argv[5], napi_int32_array, n, &columnSums));
  int8QuantizeKernel(kernel, k, n, packed, scales, columnSums);
  return nullptr;
}
#undef METHOD

#define METHOD "augmentImages"
// augmentImages(input, output, rows, height, width, rotation, translateHeight, translateWidth,
// zoomHeight, zoomWidth, elasticAlpha, elasticSigma, seed): each image warped by its own random
// draws (augment_body.h), images split among the threads.
napi_value AugmentImages(napi_env env, napi_callback_info info) {
  ARGS(13);
  int rows, height, width;
  CHECK(size(env, METHOD, "rows", argv[2], &rows));
  CHECK(size(env, METHOD, "height", argv[3], &height));
  CHECK(size(env, METHOD, "width", argv[4], &width));
  double settings[7];
  const char* names[7] = {"rotation", "translateHeight", "translateWidth", "zoomHeight", "zoomWidth", "elasticAlpha", "elasticSigma"};
  for (int i = 0; i < 7; i++) CHECK(number(env, METHOD, names[i], argv[5 + i], &settings[i]));
  uint32_t seed;
  if (napi_get_value_uint32(env, argv[12], &seed) != napi_ok) {
    fail(env, "augmentImages: seed must be a number.");
    return nullptr;
  }
  const double sigma = settings[6];
  if (settings[5] > 0 && !(sigma > 0 && sigma <= 64)) {
    fail(env, "augmentImages: elasticSigma %g is invalid; it must be above 0 and at most 64.", sigma);
    return nullptr;
  }
  const long pixels = static_cast<long>(height) * width;
  float *input, *output;
  CHECK(array(env, METHOD, "input", argv[0], napi_float32_array, rows * pixels, &input));
  CHECK(array(env, METHOD, "output", argv[1], napi_float32_array, rows * pixels, &output));
  const int radius = settings[5] > 0 ? static_cast<int>(ceil(3 * sigma)) : 0;
  // The Gaussian's taps, normalized, in float: the reference computes them the same way.
  float taps[2 * 192 + 1];
  {
    double total = 0;
    for (int t = -radius; t <= radius; t++) total += exp(-(t * t) / (2 * sigma * sigma));
    for (int t = -radius; t <= radius; t++) taps[t + radius] = static_cast<float>(exp(-(t * t) / (2 * sigma * sigma)) / total);
  }
  const size_t scratchFloats = static_cast<size_t>(augmentScratchFloats(height, width, radius));
  auto part = [&](int index, int parts) {
    const long begin = static_cast<long>(rows) * index / parts, end = static_cast<long>(rows) * (index + 1) / parts;
    if (end <= begin) return;
    // The running thread's own scratch, grown once and kept.
    thread_local std::vector<float> scratch;
    if (scratch.size() < scratchFloats) scratch.resize(scratchFloats);
    isa->augmentImages(input, output, begin, end, height, width, settings, seed, radius, taps, scratch.data());
  };
  const int parts = threadCount <= 1 || rows < 16 ? 1 : std::min(rows / 8, 4 * threadCount);
  if (parts <= 1) part(0, 1);
  else pool->run(trampoline<decltype(part)>, &part, parts);
  return nullptr;
}
#undef METHOD

#define METHOD "int8DenseForward"
// int8DenseForward(input, packed, scales, columnSums, bias, out, m, k, n, activation[, kernel]):
// kernel is "auto" (default), "reference", "avx2" or "vnni" (tests compare them).
napi_value Int8DenseForward(napi_env env, napi_callback_info info) {
  ARGS_OPTIONAL(10, 1);
  int m, k, n, activation;
  CHECK(size(env, METHOD, "m", argv[6], &m));
  CHECK(size(env, METHOD, "k", argv[7], &k));
  CHECK(size(env, METHOD, "n", argv[8], &n));
  CHECK(size(env, METHOD, "activation", argv[9], &activation));
  if (activation > kLastActivation) {
    fail(env, "int8DenseForward: activation code %d is unknown; use 0..%d.", activation, kLastActivation);
    return nullptr;
  }
  Int8Kernel choice = kInt8Auto;
  if (!isNullish(env, argv[10])) {
    char text[32];
    size_t length = 0;
    if (napi_get_value_string_utf8(env, argv[10], text, sizeof text, &length) != napi_ok) {
      fail(env, "int8DenseForward: kernel must be a string.");
      return nullptr;
    }
    if (strcmp(text, "auto") == 0) choice = kInt8Auto;
    else if (strcmp(text, "reference") == 0) choice = kInt8Reference;
    else if (strcmp(text, "avx2") == 0) choice = kInt8Avx2;
    else if (strcmp(text, "vnni") == 0) choice = kInt8Vnni;
    else {
      fail(env, "int8DenseForward: kernel \"%s\" is unknown; use \"auto\", \"reference\", \"avx2\" or \"vnni\".", text);
      return nullptr;
    }
  }
  Int8Microkernel kernel = int8Microkernel(choice);
  if (!kernel) {
    fail(env, "int8DenseForward: this CPU cannot run the kernel asked for.");
    return nullptr;
  }
  float *input, *scales, *bias, *out;
  int8_t* packed;
  int32_t* columnSums;
  CHECK(array(env, METHOD, "input", argv[0], napi_float32_array, static_cast<long>(m) * k, &input));
  CHECK(array(env, METHOD, "packed", argv[1], napi_int8_array, int8PackedBytes(k, n), &packed));
  CHECK(array(env, METHOD, "scales", argv[2], napi_float32_array, n, &scales));
  CHECK(array(env, METHOD, "columnSums", argv[3], napi_int32_array, n, &columnSums));
  CHECK(optionalArray(env, METHOD, "bias", argv[4], napi_float32_array, n, &bias));
  CHECK(array(env, METHOD, "out", argv[5], napi_float32_array, static_cast<long>(m) * n, &out));
  int8DenseForward(pool, threadCount, kernel, input, m, k, packed, scales, columnSums, n, bias, activation == 1, out);
  finishActivation(out, m, n, activation);
  return nullptr;
}
#undef METHOD

#define METHOD "capabilities"
// capabilities() → { bfloat16: "avx512_bf16" | "emulated", int8: "vnni" | "avx2" | "reference" }:
// what the reduced-precision products run on here.
napi_value Capabilities(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result, bf16, int8;
  napi_create_object(env, &result);
  napi_create_string_utf8(env, bfloat16Hardware ? "avx512_bf16" : "emulated", NAPI_AUTO_LENGTH, &bf16);
  const Int8Microkernel chosen = int8Microkernel(kInt8Auto);
  const char* int8Name = chosen == int8Microkernel(kInt8Reference) ? "reference" : chosen == int8Microkernel(kInt8Vnni) ? "vnni" : "avx2";
  napi_create_string_utf8(env, int8Name, NAPI_AUTO_LENGTH, &int8);
  napi_set_named_property(env, result, "bfloat16", bf16);
  napi_set_named_property(env, result, "int8", int8);
  return result;
}
#undef METHOD

void cleanup(void*) {
  if (environments.fetch_sub(1) == 1) {
    delete pool;
    pool = nullptr;
  }
}

}  // namespace
}  // namespace digitnet

NAPI_MODULE_INIT() {
  using namespace digitnet;
  struct Entry {
    const char* name;
    napi_callback callback;
  };
  static const Entry entries[] = {
      {"configure", Configure},
      {"gatherRows", GatherRows},
      {"gatherSparseRows", GatherSparseRows},
      {"sparseDenseForward", SparseDenseForward},
      {"sparseWeightGradient", SparseWeightGradient},
      {"gatherLabels", GatherLabels},
      {"denseForward", DenseForward},
      {"activationForward", ActivationForward},
      {"activationBackward", ActivationBackward},
      {"inputGradient", InputGradient},
      {"weightGradient", WeightGradient},
      {"dropoutForward", DropoutForward},
      {"columnStatistics", ColumnStatistics},
      {"columnAffine", ColumnAffine},
      {"batchNormBackward", BatchNormBackward},
      {"dropoutBackward", DropoutBackward},
      {"softmaxCrossEntropy", SoftmaxCrossEntropy},
      {"meanSquaredError", MeanSquaredError},
      {"countCorrect", CountCorrect},
      {"adamUpdate", AdamUpdate},
      {"adamwUpdate", AdamwUpdate},
      {"rmspropUpdate", RmspropUpdate},
      {"sgdUpdate", SgdUpdate},
      {"int8PackedBytes", Int8PackedBytes},
      {"int8QuantizeKernel", Int8QuantizeKernel},
      {"int8DenseForward", Int8DenseForward},
      {"capabilities", Capabilities},
      {"augmentImages", AugmentImages},
  };
  for (const Entry& entry : entries) {
    napi_value function;
    napi_create_function(env, entry.name, NAPI_AUTO_LENGTH, entry.callback, nullptr, &function);
    napi_set_named_property(env, exports, entry.name, function);
  }
  napi_value hardware;
  napi_create_int32(env, static_cast<int32_t>(std::thread::hardware_concurrency()), &hardware);
  napi_set_named_property(env, exports, "hardwareThreads", hardware);
  // Usable before configure() is called: every instruction set the CPU has, one thread.
  {
    std::lock_guard<std::mutex> lock(setupMutex);
    if (!isa) {
      isa = bestKernels("auto");
      bfloat16Hardware = bfloat16Native() && strcmp(isa->name, "avx512") == 0;
    }
    if (!pool) pool = new ThreadPool(1);
    environments.fetch_add(1);
  }
  napi_add_env_cleanup_hook(env, cleanup, nullptr);
  return exports;
}
