-- Block tensors are float32 safetensors: PostgreSQL's pglz finds little to compress in them but
-- spends the time trying, on every item completion and every merge. Measured with
-- src/bench/jobs.sh overhead: an item's completion went from 17 to 8 ms and a round's merge from
-- about 60 to 18 ms for 0.8 MB blocks. EXTERNAL keeps them out of line (TOAST) without compression.
ALTER TABLE job ALTER COLUMN result_blocks SET STORAGE EXTERNAL;
ALTER TABLE job_round ALTER COLUMN global_blocks SET STORAGE EXTERNAL;
ALTER TABLE work_item ALTER COLUMN updated_blocks SET STORAGE EXTERNAL;
