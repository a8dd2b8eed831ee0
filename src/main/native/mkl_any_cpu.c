/*
 * Preloaded into every JVM the project starts (LD_PRELOAD, see pom.xml profile "mkl-any-cpu" and the
 * Dockerfile); built into target/native/libmkl-any-cpu.so.
 *
 * libtorch_cpu.so links MKL statically and exports MKL's vendor check. MKL asks it before choosing
 * its GEMM kernels, and on a CPU that does not report GenuineIntel (AMD) it answers 0, so MKL runs its
 * slow generic path even where the CPU has AVX-512 (on the 2-vCPU AMD EPYC Zen 5 host a [512,384] x
 * [384,1536] addmm took 6.4 ms instead of 2.9 ms, docs/finetune.md §11.5). libtorch_cpu.so is not
 * linked with BIND_NOW and resolves these symbols through the dynamic linker, so the definitions
 * below, preloaded, win. MKL still picks the kernels by CPUID feature flags: a CPU without AVX-512
 * gets the AVX2 ones, and nothing is used that the CPU lacks.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }

int mkl_serv_intel_cpu(void) { return 1; }
