package io.loladeft.bench;

import io.loladeft.planning.Block;
import io.loladeft.planning.Device;
import io.loladeft.planning.PlanningProblem;
import io.loladeft.planning.RobertaShape;
import io.loladeft.planning.Training;

/** The model's one-block latency, transcribed from the spec for the peer solver (analytic devices only). */
final class PeerCosts {

    private PeerCosts() {}

    static double latency(PlanningProblem p, int dev, int blk, double hz) {
        Device d = p.devices().get(dev);
        Block b = p.blocks().get(blk);
        RobertaShape m = p.model().shape();
        Training t = p.training();
        double bs = t.batchSize();
        double s = t.seqLen();
        double h = m.hidden();
        int depth = m.layers() - b.layer() + 1;
        double act = bs
                * s
                * (7 * h + m.intermediate() + 3.0 * m.heads() * s)
                * p.model().bytesPerWeight();
        double work = bs
                * s
                * (17 * h + m.intermediate() + 3.0 * m.heads() * s)
                * p.model().bytesPerWeight();
        double mem =
                p.model().backboneBytes() + work + depth * act + 4.0 * p.model().bytesPerTrainable() * b.params();
        if (mem > d.memoryBytes()) {
            return Double.POSITIVE_INFINITY;
        }
        double fLayer = 2 * bs * s * (4 * h * h + 2 * h * m.intermediate()) + 4 * bs * s * s * h;
        double fHead = 2 * bs * (h * h + 2 * h);
        double comp = t.localIterations()
                * (m.layers() * fLayer + 2 * fHead + depth * fLayer + 2 * bs * s * b.params())
                / d.computeFlops();
        double gamma = Math.pow(10, (d.txPowerDbm() - 30) / 10)
                * Math.pow(10, d.channelGainDb() / 10)
                / Math.pow(10, (p.noisePsdDbmPerHz() - 30) / 10);
        double rate = hz * Math.log(1 + gamma / hz) / Math.log(2);
        return comp + t.bitsPerParam() * b.params() / rate;
    }
}
