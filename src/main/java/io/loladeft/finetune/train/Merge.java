package io.loladeft.finetune.train;

import io.loladeft.finetune.model.HostTensor;
import io.loladeft.finetune.model.Safetensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The edge server's merge: writes the devices' disjoint updated blocks into the global block state.
 * Every updated tensor must exist in the global state with the same shape, no tensor may come from
 * two devices, and (when {@code requireAll}) every tensor must be updated, as each block is trained
 * every round.
 */
public final class Merge {

    private Merge() {}

    public static byte[] apply(byte[] global, List<byte[]> updates, boolean requireAll) {
        List<Map<String, HostTensor>> decoded = new ArrayList<>();
        for (int d = 0; d < updates.size(); d++) {
            decoded.add(Safetensors.read(updates.get(d), "update " + d));
        }
        return Safetensors.write(apply(Safetensors.read(global, "global block state"), decoded, requireAll));
    }

    /** The same on decoded states: a new map in the global state's order; the arguments are not changed. */
    public static Map<String, HostTensor> apply(
            Map<String, HostTensor> global, List<Map<String, HostTensor>> updates, boolean requireAll) {
        Map<String, HostTensor> state = new LinkedHashMap<>(global);
        Map<String, Integer> from = new HashMap<>();
        for (int d = 0; d < updates.size(); d++) {
            Map<String, HostTensor> up = updates.get(d);
            for (Map.Entry<String, HostTensor> e : up.entrySet()) {
                HostTensor old = state.get(e.getKey());
                if (old == null) {
                    throw new IllegalArgumentException(
                            "update " + d + " holds " + e.getKey() + ", which is not in the global block state");
                }
                if (!Arrays.equals(old.shape(), e.getValue().shape())) {
                    throw new IllegalArgumentException("update " + d + ": " + e.getKey() + " has shape "
                            + Arrays.toString(e.getValue().shape()) + ", global state has "
                            + Arrays.toString(old.shape()));
                }
                Integer prev = from.put(e.getKey(), d);
                if (prev != null) {
                    throw new IllegalArgumentException(e.getKey() + " was updated by both update " + prev
                            + " and update " + d + "; blocks must be disjoint");
                }
                state.put(e.getKey(), e.getValue());
            }
        }
        if (requireAll && from.size() != state.size()) {
            Set<String> missing = new TreeSet<>(state.keySet());
            missing.removeAll(from.keySet());
            throw new IllegalArgumentException(missing.size() + " block tensor(s) were not updated this round, e.g. "
                    + missing.iterator().next());
        }
        return state;
    }
}
