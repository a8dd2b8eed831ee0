package io.loladeft.finetune.model;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.loladeft.finetune.blocks.BlockKind;
import io.loladeft.finetune.blocks.BlockSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A fine-tuned model as a Hugging Face directory, zipped, that stock transformers loads with
 * {@code AutoModelForSequenceClassification.from_pretrained} without unexpected keys:
 * <ul>
 * <li>{@code config.json} ({@code BertForSequenceClassification} or {@code RobertaForSequenceClassification})
 *     and {@code model.safetensors} (F32, transformers' names). LoRA is merged into the weights,
 *     {@code W += alpha/r * B A}; trained whole layers are the weights.</li>
 * <li>The tokenizer beside it: {@code tokenizer.json}, or RoBERTa's {@code vocab.json} and {@code merges.txt}.</li>
 * <li>LoRA only: the PEFT adapter as well, {@code adapter_config.json} and {@code adapter_model.safetensors}
 *     under PEFT's names ({@code base_model.model.<name>}), the head saved as {@code modules_to_save}.</li>
 * <li>Adapters only: transformers has no bottleneck adapter for these models, so {@code model.safetensors}
 *     holds the backbone and head, and {@code adapters.safetensors} the adapters under this project's
 *     names ({@code <prefix>.encoder.layer.N.output.adapter.{down,up}.{weight,bias}}, applied as
 *     {@code out + up(gelu(down(out)))} after each layer's output projection, before its LayerNorm).</li>
 * </ul>
 */
public final class HfExport {

    private HfExport() {}

    /**
     * Writes the archive of a model whose every tensor is in {@code tensors} (backbone, blocks and
     * head, as {@link EncoderNames#allTensors} names them).
     */
    public static void writeZip(
            EncoderConfig config,
            BlockSpec spec,
            Map<String, HostTensor> tensors,
            Path tokenizerDir,
            String baseModel,
            OutputStream out) {
        Map<String, HostTensor> model = merged(config, spec, tensors);
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            put(zip, HfCheckpoint.CONFIG, config.toJson().getBytes(StandardCharsets.UTF_8));
            put(zip, HfCheckpoint.WEIGHTS, Safetensors.write(model));
            for (String f : List.of("tokenizer.json", "vocab.json", "merges.txt")) {
                if (Files.isRegularFile(tokenizerDir.resolve(f))) {
                    put(zip, f, Files.readAllBytes(tokenizerDir.resolve(f)));
                }
            }
            put(zip, "tokenizer_config.json", tokenizerConfig(config));
            EncoderNames names = EncoderNames.of(config);
            if (spec.kind() == BlockKind.LORA) {
                Map<String, HostTensor> peft = new LinkedHashMap<>();
                for (int i = 0; i < config.numLayers(); i++) {
                    for (String n : names.loraTensors(i)) {
                        peft.put("base_model.model." + n, tensors.get(n));
                    }
                }
                for (String n : names.headTensors()) {
                    peft.put("base_model.model." + n, tensors.get(n));
                }
                put(zip, "adapter_config.json", peftConfig(config, spec, baseModel));
                put(zip, "adapter_model.safetensors", Safetensors.write(peft));
            } else if (spec.kind() == BlockKind.ADAPTER) {
                Map<String, HostTensor> adapters = new LinkedHashMap<>();
                for (int i = 0; i < config.numLayers(); i++) {
                    for (String n : names.adapterTensors(i)) {
                        adapters.put(n, tensors.get(n));
                    }
                }
                put(zip, "adapters.safetensors", Safetensors.write(adapters));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model archive", e);
        }
    }

    /** The task model's tensors in transformers' names: LoRA merged and dropped, adapters dropped. */
    public static Map<String, HostTensor> merged(
            EncoderConfig config, BlockSpec spec, Map<String, HostTensor> tensors) {
        EncoderNames names = EncoderNames.of(config);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String n : names.backboneTensors(config)) {
            out.put(n, tensors.get(n));
        }
        for (String n : names.headTensors()) {
            out.put(n, tensors.get(n));
        }
        if (spec.kind() == BlockKind.LORA) {
            for (int i = 0; i < config.numLayers(); i++) {
                for (String proj : List.of("query", "value")) {
                    String p = names.layer(i) + "attention.self." + proj;
                    out.put(
                            p + ".weight",
                            plusScaledProduct(
                                    out.get(p + ".weight"),
                                    tensors.get(p + ".lora_B.weight"),
                                    tensors.get(p + ".lora_A.weight"),
                                    spec.loraScale()));
                }
            }
        }
        return out;
    }

    /** {@code w + scale * b a} for {@code w [out, in]}, {@code b [out, r]}, {@code a [r, in]}, in double. */
    static HostTensor plusScaledProduct(HostTensor w, HostTensor b, HostTensor a, float scale) {
        int out = (int) w.shape()[0];
        int in = (int) w.shape()[1];
        int r = (int) a.shape()[0];
        float[] res = w.data().clone();
        float[] bd = b.data();
        float[] ad = a.data();
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < in; j++) {
                double s = 0;
                for (int k = 0; k < r; k++) {
                    s += (double) bd[o * r + k] * ad[k * in + j];
                }
                res[o * in + j] += (float) (scale * s);
            }
        }
        return new HostTensor(w.shape(), res);
    }

    private static byte[] tokenizerConfig(EncoderConfig config) {
        JsonObject o = new JsonObject();
        boolean bert = config.family() == EncoderConfig.Family.BERT;
        o.addProperty("tokenizer_class", bert ? "BertTokenizer" : "RobertaTokenizer");
        if (bert) {
            o.addProperty("do_lower_case", true);
        }
        o.addProperty("model_max_length", config.maxSequenceLength());
        return new GsonBuilder().setPrettyPrinting().create().toJson(o).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] peftConfig(EncoderConfig config, BlockSpec spec, String baseModel) {
        JsonObject o = new JsonObject();
        o.addProperty("peft_type", "LORA");
        o.addProperty("task_type", "SEQ_CLS");
        o.addProperty("base_model_name_or_path", baseModel);
        o.addProperty("r", spec.rank());
        o.addProperty("lora_alpha", spec.alpha());
        o.addProperty("lora_dropout", 0.0);
        o.addProperty("bias", "none");
        o.addProperty("fan_in_fan_out", false);
        o.addProperty("inference_mode", true);
        JsonArray targets = new JsonArray();
        targets.add("query");
        targets.add("value");
        o.add("target_modules", targets);
        JsonArray save = new JsonArray();
        save.add("classifier");
        if (config.family() == EncoderConfig.Family.BERT) {
            save.add("pooler"); // BERT's head starts with the pooler, trained here with the classifier
        }
        o.add("modules_to_save", save);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o).getBytes(StandardCharsets.UTF_8);
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }
}
