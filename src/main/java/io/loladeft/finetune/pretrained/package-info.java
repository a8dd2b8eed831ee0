/**
 * Pretrained encoders imported into Hugging Face layout. {@link PretrainedModels}
 * reads a BERT exported to ONNX (today: sentence-transformers all-MiniLM-L6-v2, shipped as a classpath
 * resource by a Maven Central artifact), names every weight as transformers' {@code BertModel} does and
 * writes {@code config.json}, {@code model.safetensors} and {@code tokenizer.json} once into a cache
 * directory. The ONNX file is read with the compiled ONNX protobuf schema ({@code ai.onnx.proto}); no
 * ONNX inference happens here.
 */
package io.loladeft.finetune.pretrained;
