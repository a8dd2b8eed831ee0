package io.loladeft.plans;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/plans")
@Tag(name = "Plans")
class SimulationController {

    static final String EXAMPLE = "{\"plan\": " + PlanController.EXAMPLE + """
            ,
             "channel": {"model": "rayleigh", "coherenceRounds": 1},
             "rounds": 50, "seed": 42, "policies": ["static", "robust", "adaptive"], "outageProbability": 0.1}""";

    private final SimulationService simulations;

    SimulationController(SimulationService simulations) {
        this.simulations = simulations;
    }

    @PostMapping(path = "/simulate", consumes = "application/json", produces = "application/json")
    @Operation(
            operationId = "simulatePlans",
            summary = "Compare planning policies under a fading channel",
            description = "Draws every device's gain each round (seeded: the same seed, the same draws) and answers"
                    + " each policy's realized round latency against the round's exact optimum. static and robust"
                    + " plan once and keep the plan; adaptive re-plans every round on that round's gains. Nothing is"
                    + " stored. 400 for malformed input or rounds x devices beyond"
                    + " loladeft.limits.max-simulated-device-rounds; 422 when no plan exists or the simulation"
                    + " exceeds loladeft.limits.simulation-time-budget-millis.")
    SimulationView simulate(
            @Valid
                    @RequestBody
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(examples = @ExampleObject(EXAMPLE)))
                    SimulationRequest request) {
        return simulations.simulate(request);
    }
}
