package io.loladeft.jobs;

import io.loladeft.finetune.blocks.BlockSpec;
import io.loladeft.finetune.model.EncoderConfig;
import io.loladeft.finetune.model.EncoderModel;
import io.loladeft.finetune.model.EncoderNames;
import io.loladeft.finetune.model.HfCheckpoint;
import io.loladeft.finetune.model.HfExport;
import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.model.Safetensors;
import io.loladeft.finetune.train.ModelSource;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A succeeded job's model as a Hugging Face archive ({@link HfExport}): the backbone the job started
 * from (pretrained, checkpoint or seeded, as every worker built it), its fine-tuned blocks on top.
 * Pure host arithmetic: the API process needs no engine for it.
 */
final class ModelExport {

    /** Hugging Face hub names of the pretrained models the service ships, for PEFT's adapter_config.json. */
    private static final Map<String, String> HUB_NAMES =
            Map.of("all-minilm-l6-v2", "sentence-transformers/all-MiniLM-L6-v2");

    private ModelExport() {}

    /** Everything is read and merged before the first byte is written, so a failure is still an error answer. */
    record Archive(
            EncoderConfig config,
            BlockSpec spec,
            Map<String, HostTensor> tensors,
            Path tokenizerDir,
            String baseModel) {

        void writeTo(OutputStream out) {
            HfExport.writeZip(config, spec, tensors, tokenizerDir, baseModel, out);
        }
    }

    static Archive of(JobSettings job, byte[] resultBlocks, Path modelCache) {
        Path pretrained = Backbones.pretrainedDir(job, modelCache);
        ModelSource source = Backbones.source(job, pretrained);
        BlockSpec spec = Backbones.blockSpec(job.block());
        EncoderConfig config = source.config();
        Map<String, HostTensor> tensors;
        if (source.checkpoint() != null) {
            tensors = HfCheckpoint.hostTensors(source.checkpoint(), config, spec, source.seed());
        } else {
            tensors = new LinkedHashMap<>();
            for (String n : EncoderNames.of(config).allTensors(config, spec)) {
                tensors.put(n, EncoderModel.initTensor(config, spec, n, source.seed()));
            }
        }
        Safetensors.read(resultBlocks, "the job's blocks").forEach((name, t) -> {
            if (!name.contains("::")) { // optimizer state rides with the blocks; the model has none
                tensors.put(name, t);
            }
        });
        String base = job.pretrained() != null
                ? HUB_NAMES.getOrDefault(job.pretrained(), job.pretrained())
                : job.weightsDir() != null ? job.weightsDir() : "seeded";
        return new Archive(config, spec, tensors, Backbones.tokenizerDir(job, pretrained), base);
    }
}
