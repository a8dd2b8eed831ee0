package io.loladeft.jobs;

/**
 * Where a work item stands (the {@code work_item.state} column). The transitions, all in
 * {@link WorkQueue} and {@link JobStore#end}:
 *
 * <pre>
 * QUEUED  --claim-->                 CLAIMED   (a fresh claim token and lease)
 * CLAIMED --claim, lease expired-->  CLAIMED   (a new token fences the old holder)
 * CLAIMED --release (shutdown)-->    QUEUED
 * CLAIMED --complete-->              DONE      (its blocks and result stored)
 * QUEUED, CLAIMED --job ends-->      CANCELLED
 * </pre>
 *
 * DONE and CANCELLED are final.
 */
enum WorkItemState {
    QUEUED,
    CLAIMED,
    DONE,
    CANCELLED
}
