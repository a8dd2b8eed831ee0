/**
 * The device and model registries the planner reads: entities, repositories, controllers and the
 * model presets. Operators keep device records in sync through the idempotent {@code PUT}.
 */
package io.loladeft.registry;
