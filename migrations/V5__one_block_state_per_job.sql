-- A job now keeps the block state of the round in progress only: the merge of a round drops that
-- round's input state (job_round.global_blocks) along with its items' updates (WorkQueue.advance).
-- Rounds merged before this version kept theirs, one full state per round (a round of roberta-base
-- layer blocks is 340 MB); nothing reads them, so they go. The next VACUUM frees their TOAST space.
UPDATE job_round SET global_blocks = NULL WHERE completed_at IS NOT NULL AND global_blocks IS NOT NULL;
