/**
 * The fine-tuning engine: RoBERTa in DJL, the tokenizer, GLUE tasks and metrics, parameter blocks,
 * one device's share of a cooperative round, the merge and the profiler. DJL only, no web code.
 */
package io.loladeft.finetune;
