package io.loladeft.registry;

import io.loladeft.common.ETags;
import io.loladeft.common.FieldViolation;
import io.loladeft.common.PageView;
import io.loladeft.common.PathRoots;
import io.loladeft.common.Problems;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The model registry's use cases; the one way other modules read models. */
@Service
public class ModelRegistry {

    private final ModelRepository models;
    private final PathRoots paths;

    ModelRegistry(ModelRepository models, PathRoots paths) {
        this.models = models;
        this.paths = paths;
    }

    @Transactional
    public ModelView create(ModelRequest body) {
        Names.require(body.name(), "name");
        requireConsistent(body);
        if (models.existsByName(body.name())) {
            throw Problems.conflict("model '" + body.name() + "' already exists; use PUT /api/v1/models/"
                    + body.name() + " to replace it");
        }
        return save(body);
    }

    /** Registers a published shape (see {@code GET /api/v1/model-presets}) under its own or a given name. */
    @Transactional
    public ModelView createFromPreset(String preset, String name) {
        ModelRequest body = ModelPresets.ALL.get(preset);
        if (body == null) {
            throw Problems.problem(org.springframework.http.HttpStatus.NOT_FOUND, "Not found",
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
        Names.require(name, "name");
        if (body.name() != null && !body.name().equals(name)) {
            throw Problems.badRequest("the body names another model than the path",
                    List.of(new FieldViolation("name", "must equal the path's '" + name + "' or be omitted")));
        }
        requireConsistent(body);
        return models.findByName(name)
                .map(existing -> {
                    ETags.require(ifMatch, existing.version(), "model '" + name + "'");
                    existing.apply(body);
                    return new Upserted<>(models.saveAndFlush(existing).view(), false);
                })
                .orElseGet(() -> {
                    if (ifMatch != null && !ifMatch.isBlank()) {
                        throw Problems.preconditionFailed("model '" + name + "' does not exist, so If-Match cannot hold");
                    }
                    return new Upserted<>(save(body.withName(name)), true);
                });
    }

    @Transactional
    public void delete(String name, String ifMatch) {
        RegisteredModel model = find(name);
        ETags.require(ifMatch, model.version(), "model '" + name + "'");
        models.delete(model);
    }

    private void requireConsistent(ModelRequest body) {
        List<FieldViolation> errors = body.crossFieldViolations("");
        if (!errors.isEmpty()) {
            throw Problems.badRequest("the model is inconsistent", errors);
        }
        paths.resolve("weightsDir", body.weightsDir());
        paths.resolve("tokenizerDir", body.tokenizerDir());
    }

    private ModelView save(ModelRequest body) {
        RegisteredModel model = new RegisteredModel(body.name());
        model.apply(body);
        try {
            return models.saveAndFlush(model).view();
        } catch (DataIntegrityViolationException e) {
            throw Problems.conflict("model '" + body.name() + "' was created concurrently");
        }
    }

    private RegisteredModel find(String name) {
        return models.findByName(name).orElseThrow(() -> Problems.notFound("model", name));
    }
}
