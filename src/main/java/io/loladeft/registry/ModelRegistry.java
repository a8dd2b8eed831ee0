package io.loladeft.registry;

import io.loladeft.common.FieldViolation;
import io.loladeft.common.PageView;
import io.loladeft.common.PathRoots;
import io.loladeft.common.Problems;
import java.util.List;
import java.util.Optional;
import org.springframework.data.domain.Pageable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The model registry's use cases; the one way other modules read models. */
@Service
public class ModelRegistry {

    private final ModelRepository models;
    private final PathRoots paths;
    private final ConditionalUpsert<RegisteredModel, ModelRequest, ModelView> upserts;

    ModelRegistry(ModelRepository models, PathRoots paths) {
        this.models = models;
        this.paths = paths;
        this.upserts = new ConditionalUpsert<>(
                "model", "/api/v1/models", models::findByName, RegisteredModel::new, models::saveAndFlush);
    }

    @Transactional
    public ModelView create(ModelRequest body) {
        Names.require(body.name(), "name");
        requireConsistent(body);
        return upserts.create(body.name(), body);
    }

    /** Registers a published shape (see {@code GET /api/v1/model-presets}) under its own or a given name. */
    @Transactional
    public ModelView createFromPreset(String preset, String name) {
        ModelRequest body = ModelPresets.ALL.get(preset);
        if (body == null) {
            throw Problems.problem(
                    HttpStatus.NOT_FOUND,
                    "Not found",
                    "no preset '" + preset + "'; known presets: " + String.join(", ", ModelPresets.ALL.keySet()));
        }
        return create(body.withName(name == null ? preset : name));
    }

    public List<ModelRequest> presets() {
        return List.copyOf(ModelPresets.ALL.values());
    }

    /** The model registered under {@code name}; empty when there is none (each caller says so in its own words). */
    @Transactional(readOnly = true)
    public Optional<ModelView> findByName(String name) {
        return models.findByName(name).map(RegisteredModel::view);
    }

    @Transactional(readOnly = true)
    public PageView<ModelView> list(Pageable pageable) {
        return PageView.of(models.findAll(Sorting.checked(pageable, Sorting.MODEL_PROPERTIES)), RegisteredModel::view);
    }

    @Transactional
    public Upserted<ModelView> upsert(String name, ModelRequest body, String ifMatch) {
        upserts.requireName(name, body.name());
        requireConsistent(body);
        return upserts.upsert(name, body, ifMatch);
    }

    @Transactional
    public void delete(String name, String ifMatch) {
        models.delete(upserts.current(name, ifMatch));
    }

    private void requireConsistent(ModelRequest body) {
        List<FieldViolation> errors = body.crossFieldViolations("");
        if (!errors.isEmpty()) {
            throw Problems.badRequest("the model is inconsistent", errors);
        }
        paths.resolve("weightsDir", body.weightsDir());
        paths.resolve("tokenizerDir", body.tokenizerDir());
    }
}
