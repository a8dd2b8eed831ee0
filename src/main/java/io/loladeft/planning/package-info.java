/**
 * The planning core: the LoLa DEFT cost model and its solvers (CRUNCH, dual-ascent JBBA, baselines).
 * Plain Java with no Spring, JPA or web imports, so it can be read and tested alone.
 */
package io.loladeft.planning;
