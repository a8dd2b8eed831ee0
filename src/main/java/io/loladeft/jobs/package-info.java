/**
 * Fine-tuning jobs: a plan run by a pool of workers over a PostgreSQL queue (docs/jobs.md). The
 * API stores a job and its first round's work items (one per involved device); workers claim
 * items with leases, train their blocks with the {@code finetune} engine, and whoever completes a
 * round's last item merges it, exactly once, in the same transaction. Uses {@code plans},
 * {@code finetune}, {@code registry} and {@code common}.
 */
package io.loladeft.jobs;
