package io.loladeft.finetune.model;

import ai.djl.ndarray.NDManager;
import io.loladeft.finetune.blocks.BlockSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads and saves Hugging Face RoBERTa and BERT directories ({@code config.json} +
 * {@code model.safetensors}); {@code model_type} in the config says which.
 *
 * <p>Accepted layouts: the task model ({@code roberta.*} or {@code bert.*}, {@code classifier.*}),
 * the bare encoder ({@code RobertaModel}/{@code BertModel}, no prefix) and the pretraining models
 * (as the hub's {@code roberta-base} and {@code bert-base-uncased}). Every backbone tensor must be
 * present with the shape the config implies. RoBERTa's pooler and LM head, BERT's pretraining heads
 * ({@code cls.*}) and the position/token-type id buffers are known and ignored; BERT's pooler is the
 * first half of its classification head and is loaded when present; any other tensor is an error. A missing task head or missing PEFT tensors are initialised from the seed (a
 * fresh fine-tuning run) and reported in {@link LoadReport#initialised()}.
 */
public final class HfCheckpoint {

    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";

    /** What a load did with each tensor. */
    public record LoadReport(List<String> loaded, List<String> initialised, List<String> ignored) {}

    /** A loaded model with its report; closing it closes the model. */
    public record Loaded(EncoderModel model, LoadReport report) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    private HfCheckpoint() {}

    public static Loaded load(Path dir, BlockSpec spec, int numLabelsOverride, long seed, NDManager parent) {
        Path configFile = dir.resolve(CONFIG);
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(configFile)) {
            throw new CheckpointException(dir + ": no " + CONFIG);
        }
        if (!Files.isRegularFile(weights)) {
            String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                    ? " (found pytorch_model.bin: convert it to safetensors first, see docs/finetune.md)"
                    : "";
            throw new CheckpointException(dir + ": no " + WEIGHTS + hint);
        }
        EncoderConfig config = EncoderConfig.fromJson(configFile, numLabelsOverride);
        Map<String, HostTensor> raw = Safetensors.read(weights, HfCheckpoint::isIgnoredBuffer);
        return load(config, spec, raw, weights.toString(), seed, parent);
    }

    /** Maps raw tensors (any accepted layout) onto a model of {@code config}. */
    public static Loaded load(
            EncoderConfig config,
            BlockSpec spec,
            Map<String, HostTensor> raw,
            String source,
            long seed,
            NDManager parent) {
        Mapped mapped = map(config, spec, raw, source);
        EncoderModel model = EncoderModel.seededFrom(config, spec, seed, parent, mapped.named());
        return new Loaded(model, mapped.report());
    }

    /**
     * Every tensor of a model of {@code config} with these blocks, on the host: the checkpoint's
     * where it has them, the seeded values elsewhere (what {@link #load} puts in the model). For an
     * export, which needs no engine.
     */
    public static Map<String, HostTensor> hostTensors(Path dir, EncoderConfig config, BlockSpec spec, long seed) {
        Map<String, HostTensor> raw = Safetensors.read(dir.resolve(WEIGHTS), HfCheckpoint::isIgnoredBuffer);
        Map<String, HostTensor> named =
                map(config, spec, raw, dir.resolve(WEIGHTS).toString()).named();
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String n : EncoderNames.of(config).allTensors(config, spec)) {
            HostTensor t = named.get(n);
            out.put(n, t != null ? t : EncoderModel.initTensor(config, spec, n, seed));
        }
        return out;
    }

    private record Mapped(Map<String, HostTensor> named, LoadReport report) {}

    private static Mapped map(EncoderConfig config, BlockSpec spec, Map<String, HostTensor> raw, String source) {
        EncoderNames names = EncoderNames.of(config);
        String prefix = names.prefix();
        boolean bare = raw.keySet().stream().noneMatch(k -> k.startsWith(prefix))
                && raw.keySet().stream().anyMatch(k -> k.startsWith("embeddings.") || k.startsWith("encoder."));
        Map<String, HostTensor> named = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> expected = names.allTensors(config, spec);
        Set<String> known = new HashSet<>(expected);
        for (Map.Entry<String, HostTensor> e : raw.entrySet()) {
            String name = bare && !e.getKey().startsWith("classifier.") ? prefix + e.getKey() : e.getKey();
            if (isIgnored(config.family(), name)) {
                ignored.add(e.getKey());
            } else if (known.contains(name)) {
                named.put(name, e.getValue());
            } else {
                unexpected.add(e.getKey());
            }
        }
        if (!unexpected.isEmpty()) {
            throw new CheckpointException(source + ": " + unexpected.size() + " unexpected tensor(s) for a "
                    + config.numLayers() + "-layer " + spec.kind().wireName() + " model: " + head(unexpected));
        }
        List<String> missing = new ArrayList<>();
        for (String n : names.backboneTensors(config)) {
            if (!named.containsKey(n)) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            throw new CheckpointException(
                    source + ": " + missing.size() + " missing backbone tensor(s): " + head(missing));
        }
        for (Map.Entry<String, HostTensor> e : named.entrySet()) {
            long[] want = names.shapeOf(config, spec, e.getKey());
            if (!Arrays.equals(want, e.getValue().shape())) {
                throw new CheckpointException(source + ": tensor " + e.getKey() + " has shape "
                        + Arrays.toString(e.getValue().shape()) + " but config.json implies " + Arrays.toString(want));
            }
        }
        List<String> initialised = new ArrayList<>();
        for (String n : expected) {
            if (!named.containsKey(n)) {
                initialised.add(n);
            }
        }
        return new Mapped(named, new LoadReport(new ArrayList<>(named.keySet()), initialised, ignored));
    }

    /** Writes {@code config.json} and an F32 {@code model.safetensors} in HF naming (PEFT tensors included). */
    public static void save(EncoderModel model, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(CONFIG), model.config().toJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir, e);
        }
        Safetensors.write(model.getAllTensors(), dir.resolve(WEIGHTS));
    }

    /** Tensors of a checkpoint that fine-tuning does not use: pretraining heads. */
    private static boolean isIgnored(EncoderConfig.Family family, String name) {
        return family == EncoderConfig.Family.ROBERTA
                ? name.startsWith("roberta.pooler.") || name.startsWith("lm_head.")
                : name.startsWith("cls.");
    }

    static boolean isIgnoredBuffer(String name) {
        return name.endsWith("embeddings.position_ids") || name.endsWith("embeddings.token_type_ids");
    }

    private static String head(List<String> names) {
        return names.size() <= 6
                ? String.join(", ", names)
                : String.join(", ", names.subList(0, 6)) + ", ... (" + (names.size() - 6) + " more)";
    }
}
