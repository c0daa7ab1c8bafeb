// The per-instruction-set kernel table. Each kernels_<isa>.cc compiles the same elementwise
// code (kernels_body.h) plus its own GEMM microkernel for one instruction set; addon.cc picks
// a table at run time from what the CPU supports, so one build runs on any x86-64 (or arm64).
#ifndef DIGITNET_KERNELS_H
#define DIGITNET_KERNELS_H

#include <stdint.h>

// x86-64 gets AVX2 and AVX-512 kernels chosen at run time; everything else (arm64) the portable
// ones. DIGITNET_PORTABLE_ONLY builds the portable path alone on x86 too, to test it.
#if (defined(__x86_64__) || defined(_M_X64)) && !defined(DIGITNET_PORTABLE_ONLY)
#define DIGITNET_X86 1
#endif

namespace digitnet {

enum MicroMode { kInitZero = 0, kInitBias = 1, kAccumulate = 2 };
// With IsaKernels::maskedColumns, mode | (cols << kColumnsShift) asks a microkernel for a tile of
// only cols < nr columns (the rest of C and of the bias untouched, unread).
const int kColumnsShift = 8;

// With offsets null the reduction runs over p = 0..kc-1; otherwise over p = offsets[0..kc-1], the
// reduction steps where A's panel is not all zero (skipping exact zeros changes no result: the
// reference engine skips them too). MNIST pixels are mostly zero, so the first layer gains a lot.
typedef void (*Microkernel)(int kc, const int* offsets, const float* a, long lda, const float* b, float* c, long ldc,
                            const float* bias, int mode, int relu);

// The image augmentation's layout (augment_body.h): its blur works in groups of kAugmentBlurGroup
// blocks of kAugmentBlurBlock columns (a last group's unused lanes read up to kAugmentBlurSlack
// floats past a buffer), and its sampling reads each image from a copy with kAugmentFrameBorder
// zero rows and columns around it. Floats of scratch one thread needs for images of height × width:
const int kAugmentBlurBlock = 8;
const int kAugmentBlurGroup = 4;
const int kAugmentBlurSlack = kAugmentBlurBlock * kAugmentBlurGroup;
const int kAugmentFrameBorder = 2;
inline long augmentScratchFloats(int height, int width, int radius) {
  const long pixels = static_cast<long>(height) * width;
  return static_cast<long>(height + 2 * radius) * (width + 2 * radius) + kAugmentBlurSlack  // padded noise
         + static_cast<long>(height + 2 * radius) * width + kAugmentBlurSlack                 // noise blurred along rows
         + 2 * pixels                                                                        // the two fields
         + static_cast<long>(height + 2 * kAugmentFrameBorder) * (width + 2 * kAugmentFrameBorder);  // framed image
}

struct IsaKernels {
  const char* name;
  int mr;  // rows of a microtile
  int nr;  // columns of a microtile

  int nrNarrow;  // columns of the narrow microtile used when the whole output is that narrow
  int maskedColumns;  // whether the microkernels take a narrower width in mode (kColumnsShift)

  // C[mr×nr] (row stride ldc) = init + A·B over kc, where B is a packed micro-panel b[p*nr + c]
  // and A is read in place: a[r*lda + p] (row kernels, for a row-major A) or a[p*lda + r] (column
  // kernels, for a transposed A or a packed edge panel). init is zero, bias[0..nr) or C itself
  // (mode). Every element is one sequential chain of fused multiply-adds over p, so the result
  // does not depend on how tiles are shared among threads. relu != 0 clamps at zero when storing.
  Microkernel rowKernel;
  Microkernel columnKernel;
  Microkernel rowKernelNarrow;
  Microkernel columnKernelNarrow;
  // out[p*nr + c] = source[c*ld + p] for p < kc, c < cols; zero for cols <= c < nr.
  void (*packTransposed)(const float* source, long ld, int kc, int cols, float* out, int nr);
  // Lists into out the p < kc where some of the mr rows a[r*lda + p] is not zero; returns how many.
  // out needs room for kc + 16 values (whole vectors may be stored).
  int (*nonzeroInRows)(const float* a, long lda, int kc, int* out);
  // The same for a packed panel, panel[p*mr + r].
  int (*nonzeroInPanel)(const float* panel, int kc, int* out);
  // The sparse path (gemm.cc), AVX-512 only: null in the other tables, whose dense microkernels
  // measured faster than a portable sparse kernel even on MNIST's zeros.
  // Lists the a[p] != 0 (NaN included) for p < count: p into indices, a[p] into values, in order of
  // p; returns how many. Both outputs need room for count + 16 values (whole vectors are stored).
  // When seen is not null, also sets bit p % 16 of seen[p / 16] for every p listed.
  int (*listNonzero)(const float* a, int count, int* indices, float* values, uint16_t* seen);
  // The sparse product for rows r < rows, each given as the list t in [begins[r], ends[r]):
  // out[r*ldo + c] = init + Σ_t values[t] · b[indices[t]*ldb + c] for c < cols, where init is zero,
  // bias[c] or out itself (mode), and every element is one chain of fused multiply-adds in order of
  // t, so the result depends on neither how rows are grouped nor how columns are split. b should be
  // 64-byte aligned with ldb a multiple of 16 (vectors that straddle cache lines cost double).
  void (*sparseRows)(int rows, const int* begins, const int* ends, const int* indices, const float* values,
                     const float* b, long ldb, int cols, float* out, long ldo, const float* bias, int mode, int relu);
  // The sparse weight gradient, scattered: out[r*ldo + c] = Σ over s < samples, in order of s, of
  // x[s*ldx + r] · g[s*ldg + c] for r in [r0, r1), c < cols, skipping the exact zeros of x (rows of
  // out that no sample touches are zero). Each element is one chain of fused multiply-adds in order
  // of s, as in sparseRows, so any split of the rows among threads gives the same result. Sample by
  // sample, g's row stays in registers and each nonzero of x updates one row of out in place, so no
  // lists are built: with few columns that beats gathering each row's nonzeros first.
  void (*scatterGradient)(int samples, const float* x, long ldx, int r0, int r1, const float* g, long ldg, int cols,
                          float* out, long ldo);
  // The same product computed densely with the rows r along the vectors (x's rows are contiguous in
  // r) and at most 12 columns per pass broadcast from g: for narrow outputs (the 10 classes) every
  // lane does useful work and nothing is packed. Samples whose block of 32 rows of x is all zero are
  // skipped; the result is bit-identical to the other kernels' (one chain in order of s).
  void (*narrowGradient)(int samples, const float* x, long ldx, int r0, int r1, const float* g, long ldg, int cols,
                         float* out, long ldo);
  // Lists into indices the p < count where a[p] != 0, in order; returns how many. indices needs room
  // for count + 16 values (whole vectors are stored). Null where a plain loop is as good.
  int (*listNonzeroBytes)(const uint8_t* a, int count, int* indices);

  void (*adam)(float* params, const float* grads, float* first, float* second, long count, float stepSize,
               float oneMinusBeta1, float oneMinusBeta2, float epsilon);
  void (*rmsprop)(float* params, const float* grads, float* meanSquare, float* momentumBuffer, long count,
                  float learningRate, float rho, float oneMinusRho, float momentum, float epsilon);
  void (*sgd)(float* params, const float* grads, float* velocity, long count, float learningRate, float momentum,
              int nesterov);
  // AdamW and AMSGrad in Keras's order: w -= w·decay (decay = weightDecay·learningRate) first, then
  // Adam's step; with maxSecond non-null the denominator uses the running maximum of the second moment.
  void (*adamw)(float* params, const float* grads, float* first, float* second, float* maxSecond, long count,
                float stepSize, float oneMinusBeta1, float oneMinusBeta2, float epsilon, float decay);
  // Elements [begin, end) of inverted dropout; indices are global so any split gives the same mask.
  void (*dropoutForward)(const float* input, float* output, float* mask, long begin, long end, uint32_t seed, uint32_t threshold,
                         float keptScale);
  void (*multiply)(float* values, const float* factors, long count);
  void (*reluBackward)(const float* output, float* grad, long count);
  void (*sigmoidBackward)(const float* output, float* grad, long count);
  void (*tanhBackward)(const float* output, float* grad, long count);
  void (*sigmoid)(float* values, long rows, long cols, long stride);
  void (*tanh)(float* values, long rows, long cols, long stride);
  void (*convertU8)(const uint8_t* source, float* out, long count, double scale);
  void (*convertF32)(const float* source, float* out, long count, double scale);
  // Images [begin, end) of height × width warped (augment_body.h): settings are rotation (radians),
  // translateHeight, translateWidth, zoomHeight, zoomWidth (fractions; zoomWidth < 0 keeps the
  // aspect), elastic alpha (pixels); taps the 2·radius + 1 Gaussian weights; scratch per thread.
  void (*augmentImages)(const float* input, float* output, long begin, long end, int height, int width,
                        const double* settings, uint32_t seed, int radius, const float* taps, float* scratch);
  // Activations 5..13 (activations_body.h) in place, and their backward: grad *= f'(x), read from
  // output or, for gelu, silu and mish, from input (the pre-activation).
  void (*extraActivation)(int code, float* values, long count);
  void (*extraActivationBackward)(int code, const float* output, const float* input, float* grad, long count);
  // BatchNormalization over the feature columns [begin, end) of a row-major rows × features batch
  // (sums in double, as the reference engine): each column's mean and biased variance; output =
  // input · factor + offset; and backward, the sums Σg and Σg·x̂ and, with gradInput non-null,
  // gradInput = scale · (rows·g − Σg − x̂·Σg·x̂) where x̂ = (x − mean) · inverse.
  void (*columnStatistics)(const float* input, long rows, long features, long begin, long end, double* mean, double* variance);
  void (*columnAffine)(const float* input, float* output, long rows, long features, long begin, long end, const double* factor,
                       const double* offset);
  void (*batchNormBackward)(const float* input, const float* gradOutput, float* gradInput, long rows, long features, long begin,
                            long end, const double* mean, const double* inverse, const double* scale, double* sumGrad,
                            double* sumGradNormalized);
};

const IsaKernels* kernelsGeneric();
#if defined(DIGITNET_X86)
const IsaKernels* kernelsAvx2();
const IsaKernels* kernelsAvx512();
#endif

}  // namespace digitnet

#endif
