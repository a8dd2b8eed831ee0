package io.loladeft.registry;

import io.loladeft.common.MeasuredProfile;
import io.loladeft.common.ValidProfile;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.Map;

/** What a client says about one edge device (the body of create, upsert and batch). */
@Schema(description = "An edge device that can train parameter blocks")
public record DeviceRequest(
        @Schema(description = "Unique key, a DNS label", example = "jetson-01")
        @Pattern(regexp = Names.DNS_LABEL, message = Names.DNS_LABEL_MESSAGE)
        String name,

        @Schema(description = "Sustained compute in FLOP/s", example = "2.0e12") @NotNull @Positive
        Double computeFlops,

        @Schema(description = "Memory budget for training in bytes", example = "8.0e9") @NotNull @Positive
        Double memoryBytes,

        @Schema(description = "Uplink transmit power in dBm", example = "23")
        @NotNull
        @DecimalMin("-100")
        @DecimalMax("100")
        Double txPowerDbm,

        @Schema(description = "Uplink channel power gain in dB (negative: a path loss)", example = "-90")
        @NotNull
        @DecimalMin("-300")
        @DecimalMax("100")
        Double channelGainDb,

        @Schema(description = "Kubernetes-style labels, selectable with labelSelector") @Size(max = 64)
        Map<
                        @Pattern(
                                regexp = "^([a-z0-9.-]{1,253}/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
                                message = "must be a Kubernetes label key")
                        String,
                        @NotNull
                        @Pattern(
                                regexp = "^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$",
                                message = "must be a Kubernetes label value")
                        String>
                labels,

        @Schema(description = "Measured costs per depth; overrides the analytic cost model") @ValidProfile
        MeasuredProfile profile,

        @Schema(
                description = "Take the device out of service: plans over the registry leave it out, and a running"
                        + " job re-plans without it from its next round on; default false",
                example = "false")
        Boolean unschedulable) {

    public DeviceRequest {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
