package io.loladeft.finetune.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Readies the calling thread for this engine. libtorch keeps grad mode per thread and starts every
 * new thread with it on, while DJL turns it off only on the thread that loaded the engine; with it
 * on, the optimizer's in-place update of a trainable leaf fails. Outside a gradient collector it must
 * be off, on whichever thread builds, trains or evaluates a model (a job worker's, a test's).
 */
public final class TorchThread {

    private TorchThread() {}

    public static void prepare() {
        Engine.getInstance(); // loads the native library if nobody has yet
        JniUtils.setGradMode(false);
        // Once per process: whether MKL's fast kernels are reachable here (a WARN on AMD without the shim).
        MklDispatch.logOnce();
    }

    /**
     * {@link #prepare()}, and PyTorch's intra-op threads for this thread: {@code at::set_num_threads}
     * acts on the calling thread (OpenMP's setting is per thread) and on threads that first touch
     * PyTorch later, so a thread that trains sets it itself, first thing.
     */
    public static void prepare(int intraOpThreads) {
        prepare();
        JniUtils.setNumThreads(intraOpThreads);
    }
}
