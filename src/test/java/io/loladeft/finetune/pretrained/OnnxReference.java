package io.loladeft.finetune.pretrained;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;

/**
 * The independent reference for the imported encoder: ONNX Runtime running the original
 * {@code all-minilm-l6-v2.onnx} from the classpath, untouched by the importer. Inputs are int64
 * [batch, seq]; the output is the graph's {@code last_hidden_state} [batch, seq, 384]. Open once, call
 * many times, close (the session holds native memory).
 */
public final class OnnxReference implements AutoCloseable {

    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";
    public static final String OUTPUT = "last_hidden_state";

    private final OrtEnvironment env;
    private final OrtSession session;

    private OnnxReference(OrtEnvironment env, OrtSession session) {
        this.env = env;
        this.session = session;
    }

    /** A session on the all-MiniLM-L6-v2 ONNX file; fails if its inputs are not the three BERT inputs. */
    public static OnnxReference allMiniLmL6V2() {
        byte[] model;
        try (InputStream in = OnnxReference.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            if (in == null) {
                throw new IllegalStateException("all-minilm-l6-v2.onnx is not on the test classpath");
            }
            model = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            // The build machines are shared; the reference runs small batches.
            options.setIntraOpNumThreads(1);
            OrtSession session = env.createSession(model, options);
            if (!session.getInputNames().equals(Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS))) {
                session.close();
                throw new IllegalStateException("unexpected graph inputs " + session.getInputNames());
            }
            return new OnnxReference(env, session);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load all-minilm-l6-v2.onnx", e);
        }
    }

    /** The last hidden state, float[batch][seq][hidden], for rectangular int64 [batch][seq] inputs. */
    public float[][][] lastHiddenState(long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds) {
        requireSameShape(inputIds, attentionMask, ATTENTION_MASK);
        requireSameShape(inputIds, tokenTypeIds, TOKEN_TYPE_IDS);
        try (OnnxTensor ids = OnnxTensor.createTensor(env, inputIds);
                OnnxTensor mask = OnnxTensor.createTensor(env, attentionMask);
                OnnxTensor types = OnnxTensor.createTensor(env, tokenTypeIds);
                OrtSession.Result result =
                        session.run(Map.of(INPUT_IDS, ids, ATTENTION_MASK, mask, TOKEN_TYPE_IDS, types))) {
            OnnxValue out = result.get(OUTPUT).orElseThrow(() -> new IllegalStateException("no output " + OUTPUT));
            return (float[][][]) out.getValue(); // a Java copy: valid after the result is closed
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on all-minilm-l6-v2.onnx", e);
        }
    }

    /** As {@link #lastHiddenState(long[][], long[][], long[][])} with every token of type 0. */
    public float[][][] lastHiddenState(long[][] inputIds, long[][] attentionMask) {
        return lastHiddenState(inputIds, attentionMask, new long[inputIds.length][inputIds[0].length]);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requireSameShape(long[][] ids, long[][] other, String name) {
        boolean same = other.length == ids.length;
        for (int b = 0; same && b < ids.length; b++) {
            same = other[b].length == ids[b].length && ids[b].length == ids[0].length;
        }
        if (!same || ids.length == 0) {
            throw new IllegalArgumentException(name + " must have the non-empty rectangular shape of input_ids");
        }
    }
}
