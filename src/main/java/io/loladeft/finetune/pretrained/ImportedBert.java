package io.loladeft.finetune.pretrained;

import io.loladeft.finetune.model.HostTensor;
import java.util.List;
import java.util.Map;

/**
 * A BERT read from ONNX: its sizes, its tensors under transformers' {@code BertModel} names (in state
 * dict order, Linear weights as [out, in]), and the initializers left out (non-float buffers).
 */
record ImportedBert(BertShape shape, boolean pooler, Map<String, HostTensor> tensors, List<String> skipped) {}
