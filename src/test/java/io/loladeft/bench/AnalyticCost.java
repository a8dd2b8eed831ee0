package io.loladeft.bench;

/**
 * The planner's analytic compute model (docs: /work/shared/spec/planning-model.md §3), restated
 * here in test scope because the {@code finetune} package must not import {@code planning}.
 *
 * <pre>
 * F_layer = 2*b*s*(4*h^2 + 2*h*i) + 4*b*s^2*h
 * F_head  = 2*b*(h*h + h*labels)                 (dense + out_proj on the &lt;s&gt; token)
 * F_fwd   = L*F_layer + F_head
 * F(d, n) = F_fwd + F_head + d*F_layer + 2*b*s*P_n,   T = E * F / f
 * </pre>
 */
public record AnalyticCost(int layers, int hidden, int intermediate, int labels, int batch, int seq) {

    public double layerFlops() {
        double b = batch;
        double s = seq;
        double h = hidden;
        return 2 * b * s * (4 * h * h + 2 * h * intermediate) + 4 * b * s * s * h;
    }

    public double headFlops() {
        return 2.0 * batch * ((double) hidden * hidden + (double) hidden * labels);
    }

    public double forwardFlops() {
        return layers * layerFlops() + headFlops();
    }

    /** FLOPs of one local iteration training one block of {@code params} parameters at depth {@code d}. */
    public double iterationFlops(int depth, long params) {
        return forwardFlops() + headFlops() + depth * layerFlops() + 2.0 * batch * seq * params;
    }
}
