-- Block tensors are float32 safetensors: PostgreSQL's pglz finds little to compress in them but
-- spends the time trying, on every item completion and every merge, on the critical path of a
-- round. EXTERNAL keeps them out of line (TOAST) without compression. The job system's overhead
-- per round is measured by src/bench/jobs.sh overhead (docs/jobs.md, Evidence).
ALTER TABLE job ALTER COLUMN result_blocks SET STORAGE EXTERNAL;
ALTER TABLE job_round ALTER COLUMN global_blocks SET STORAGE EXTERNAL;
ALTER TABLE work_item ALTER COLUMN updated_blocks SET STORAGE EXTERNAL;
